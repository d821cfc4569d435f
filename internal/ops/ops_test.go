package ops

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

func TestEndpoints(t *testing.T) {
	reg := NewRegistry()
	promauto.With(reg).NewCounter(prometheus.CounterOpts{Name: "assay_test_things_total", Help: "Things."}).Add(3)
	ok := Check{Name: "database", Probe: func(context.Context) error { return nil }}
	down := Check{Name: "kafka", Probe: func(context.Context) error { return errors.New("connection refused") }}
	slow := Check{Name: "slow", Probe: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
	loaded := false
	flag := Flag("registry", "loading brands", func() bool { return loaded })

	tests := []struct {
		name     string
		checks   []Check
		path     string
		code     int
		contains []string
	}{
		{"healthz ignores checks", []Check{down}, "/healthz", 200, []string{"ok"}},
		{"ready", []Check{ok}, "/readyz", 200, []string{"ready"}},
		{"one failing check named", []Check{ok, down}, "/readyz", 503, []string{"kafka: connection refused"}},
		{"flag not set", []Check{flag}, "/readyz", 503, []string{"registry: loading brands"}},
		{"metrics", nil, "/metrics", 200, []string{"assay_test_things_total 3", "go_goroutines", "process_"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(Handler(reg, tt.checks...))
			defer srv.Close()
			code, body := get(t, srv.URL+tt.path)
			if code != tt.code {
				t.Errorf("%s: %d %q, want %d", tt.path, code, body, tt.code)
			}
			for _, c := range tt.contains {
				if !strings.Contains(body, c) {
					t.Errorf("%s: body %q lacks %q", tt.path, body, c)
				}
			}
		})
	}
	t.Run("flag set", func(t *testing.T) {
		loaded = true
		srv := httptest.NewServer(Handler(reg, flag))
		defer srv.Close()
		if code, body := get(t, srv.URL+"/readyz"); code != 200 {
			t.Errorf("/readyz with the flag set: %d %q", code, body)
		}
	})
	t.Run("a hung probe times out", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		failed := Run(ctx, []Check{ok, slow})
		if len(failed) != 1 || !strings.HasPrefix(failed[0], "slow: no answer within") {
			t.Errorf("Run = %q, want the slow check named as not answering", failed)
		}
	})
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
