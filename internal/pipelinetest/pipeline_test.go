// Package pipelinetest runs the whole pipeline — devbroker, ingest serve,
// matcher run and reporter run — as real processes, for what only real
// processes show: TestCrashRestart kills the matcher and the reporter with
// SIGKILL at random moments while listings stream in and checks that
// nothing is lost, duplicated or committed ahead of storage (make
// test-fault); BenchmarkSoak holds a steady load for half an hour and
// samples every program's memory and goroutines (make bench-soak). What
// each program does on its own is tested in its own package.
package pipelinetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

// The programs' consumer groups (their defaults).
const (
	matcherGroup  = "assay-matcher"
	reporterGroup = "assay-reporter"
)

// sessionTimeout is the shortest group session kfake accepts: a killed
// member holds its partitions this long, so it bounds each kill's stall.
const sessionTimeout = "6s"

// pipeline is the running programs. The devbroker and ingest run for the
// whole test; the matcher and the reporter may be killed and started again
// in their place, with the same flags, ports and database.
type pipeline struct {
	tb        testing.TB
	root, bin string
	dir       string // scratch: the case database, listings sent
	kafka     stream.Cluster
	db        string

	matcherAddr, reporterAddr, ingestAddr, brokerOps string
	// token is an analyst's API token for the reporter's UI and API.
	token                     string
	matcherArgs, reporterArgs []string

	broker, ingest, matcher, reporter *progtest.Proc
}

// startPipeline builds the programs, starts the devbroker, publishes the
// fixture brands and starts ingest serve, the matcher and the reporter,
// each given its extra flags, and waits until all of them are ready.
func startPipeline(tb testing.TB, matcherExtra, reporterExtra []string) *pipeline {
	tb.Helper()
	p := &pipeline{tb: tb, root: progtest.Root(tb), dir: tb.TempDir()}
	p.bin = progtest.Build(tb, "./cmd/devbroker", "./cmd/matcher", "./cmd/reporter", "./cmd/ingest")
	p.db = filepath.Join(p.dir, "cases.db")

	p.broker = progtest.Start(tb, p.path("devbroker"), "--port", "0", "--ops-listen", "127.0.0.1:0")
	brokerAddr := p.broker.WaitLine(tb, regexp.MustCompile(`listening on (\S+)`))
	p.brokerOps = p.broker.WaitLine(tb, regexp.MustCompile(`ops on http://(\S+)`))
	p.kafka = stream.NewCluster([]string{brokerAddr}, nil, nil)
	progtest.Run(tb, p.path("ingest"), "brands", "--brokers", brokerAddr, filepath.Join(p.root, "fixtures", "brands.yaml"))

	progtest.Run(tb, p.path("reporter"), "users", "add", "analyst", "--role", "analyst", "--db", p.db, "--random-password")
	p.token = strings.TrimSpace(progtest.Run(tb, p.path("reporter"), "tokens", "add", "pipeline", "--user", "analyst", "--db", p.db))

	addrs := progtest.FreeAddrs(tb, 3)
	p.matcherAddr, p.reporterAddr, p.ingestAddr = addrs[0], addrs[1], addrs[2]
	p.matcherArgs = append([]string{"run", "--brokers", brokerAddr, "--listen", p.matcherAddr,
		"--image-dir", filepath.Join(p.root, "fixtures"), "--session-timeout", sessionTimeout, "--lag-interval", "5s"}, matcherExtra...)
	p.reporterArgs = append([]string{"run", "--brokers", brokerAddr, "--listen", p.reporterAddr, "--db", p.db,
		"--image-dir", filepath.Join(p.root, "fixtures"), "--session-timeout", sessionTimeout, "--metrics-cache", "1s"}, reporterExtra...)
	p.ingest = progtest.Start(tb, p.path("ingest"), "serve", "--brokers", brokerAddr, "--listen", p.ingestAddr)
	p.startMatcher()
	p.startReporter()
	for _, addr := range []string{p.brokerOps, p.ingestAddr, p.matcherAddr, p.reporterAddr} {
		waitReady(tb, addr)
	}
	return p
}

func (p *pipeline) path(prog string) string { return filepath.Join(p.bin, prog) }

func (p *pipeline) startMatcher() {
	p.matcher = progtest.Start(p.tb, p.path("matcher"), p.matcherArgs...)
}

func (p *pipeline) startReporter() {
	p.reporter = progtest.Start(p.tb, p.path("reporter"), p.reporterArgs...)
}

// uiGet reads a page or API answer of the reporter as the analyst.
func (p *pipeline) uiGet(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+p.reporterAddr+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	return http.DefaultClient.Do(req)
}

// waitReady waits for a program's /readyz to answer 200.
func waitReady(tb testing.TB, addr string) {
	tb.Helper()
	progtest.WaitFor(tb, 60*time.Second, addr+"/readyz", func() (bool, string) {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, fmt.Sprintf("%d %s", resp.StatusCode, body)
	})
}

// post sends listings (JSON Lines) to ingest serve and returns how many it
// accepted. A 503 (Kafka unavailable) is returned as an error to retry.
func (p *pipeline) post(body []byte) (int, error) {
	resp, err := http.Post("http://"+p.ingestAddr+"/v1/listings", "application/x-ndjson", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return 0, fmt.Errorf("ingest answered %d: %s", resp.StatusCode, answer)
	}
	var r struct {
		Accepted int               `json:"accepted"`
		Rejected []json.RawMessage `json:"rejected"`
	}
	if err := json.Unmarshal(answer, &r); err != nil {
		return 0, fmt.Errorf("ingest answer %s: %w", answer, err)
	}
	if len(r.Rejected) > 0 {
		return r.Accepted, fmt.Errorf("ingest rejected %d listings: %s", len(r.Rejected), answer)
	}
	return r.Accepted, nil
}

// fixtures are the bundled listings, as templates for longer streams.
type fixtures []fixture

type fixture struct {
	fields map[string]json.RawMessage
	id     string
	images []string
}

func loadFixtures(tb testing.TB) fixtures {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(progtest.Root(tb), "fixtures", "listings.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	var out fixtures
	for line := range bytes.Lines(data) {
		var f fixture
		err := json.Unmarshal(line, &f.fields)
		if err == nil {
			err = json.Unmarshal(f.fields["id"], &f.id)
		}
		if err == nil && f.fields["images"] != nil {
			err = json.Unmarshal(f.fields["images"], &f.images)
		}
		if err != nil {
			tb.Fatalf("fixtures/listings.jsonl line %d: %v", len(out)+1, err)
		}
		out = append(out, f)
	}
	return out
}

// fixtureOf is the fixture id a streamed listing id was made from.
func fixtureOf(id string) string { return id[:strings.LastIndex(id, "-c")] }

// listing returns listing n of an endless stream: fixture n mod len under
// the id "<fixture id>-c<n div len>", so every copy scores as its fixture
// does. image, when not nil, rewrites each image reference.
func (fs fixtures) listing(n int, image func(ref string) string) []byte {
	f := fs[n%len(fs)]
	m := make(map[string]json.RawMessage, len(f.fields))
	for k, v := range f.fields {
		m[k] = v
	}
	m["id"], _ = json.Marshal(fmt.Sprintf("%s-c%d", f.id, n/len(fs)))
	if image != nil && len(f.images) > 0 {
		refs := make([]string, len(f.images))
		for i, r := range f.images {
			refs[i] = image(r)
		}
		m["images"], _ = json.Marshal(refs)
	}
	// Strings and values decoded from JSON always encode.
	out, _ := json.Marshal(m)
	return append(out, '\n')
}
