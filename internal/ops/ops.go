// Package ops serves what operators point Prometheus and probes at, the same
// way in every Assay program: GET /metrics (Prometheus text format), GET
// /healthz (the process is alive and serving) and GET /readyz (it can do
// its work: each program lists its own checks, such as Kafka reachable or
// the database open, and ops runs them with a time limit and names the ones
// that failed).
//
// Which metrics a program has is the program's business; ops only builds
// the registry they go into, with the Go runtime and process collectors.
package ops

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Check is one readiness condition. Probe returns nil when the condition
// holds, else an error saying what is wrong; it must honour ctx.
type Check struct {
	Name  string
	Probe func(ctx context.Context) error
}

// ProbeTimeout bounds each /readyz request: a probe stuck on an unreachable
// broker must not hang the orchestrator's probe.
const ProbeTimeout = 3 * time.Second

// NewRegistry returns a registry with the Go runtime and process
// collectors, for a program to register its packages' metrics in.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Register adds /metrics, /healthz and /readyz to mux.
func Register(mux *http.ServeMux, g prometheus.Gatherer, checks ...Check) {
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), ProbeTimeout)
		defer cancel()
		failed := Run(ctx, checks)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if len(failed) > 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, "not ready: %s\n", strings.Join(failed, "; "))
			return
		}
		fmt.Fprintln(w, "ready")
	})
}

// Handler is a mux with only the three endpoints, for programs that serve
// nothing else.
func Handler(g prometheus.Gatherer, checks ...Check) http.Handler {
	mux := http.NewServeMux()
	Register(mux, g, checks...)
	return mux
}

// Run probes every check at once and returns "name: error" for each that
// failed, in the order given.
func Run(ctx context.Context, checks []Check) []string {
	errs := make([]error, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() { errs[i] = c.Probe(ctx) })
	}
	wg.Wait()
	var failed []string
	for i, err := range errs {
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("no answer within %s", ProbeTimeout)
			}
			failed = append(failed, checks[i].Name+": "+err.Error())
		}
	}
	return failed
}

// Flag is a check on a condition the program tracks itself (registry
// loaded, group joined); why says what is awaited while it is false.
func Flag(name, why string, ok func() bool) Check {
	return Check{Name: name, Probe: func(context.Context) error {
		if !ok() {
			return errors.New(why)
		}
		return nil
	}}
}
