package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/stream"
)

// serve runs the API for p on 127.0.0.1:0 until the test ends.
func serve(t *testing.T, p *Publisher, opts HandlerOptions) string {
	t.Helper()
	h, err := NewHandler(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := Listen(ServerOptions{Addr: "127.0.0.1:0", Handler: h, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return "http://" + srv.Addr().String()
}

type reply struct {
	status int
	body   string
	header http.Header
}

func do(t *testing.T, method, url, contentType, body string) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return send(t, req)
}

// send sends req and reads the reply.
func send(t *testing.T, req *http.Request) reply {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(data), resp.Header}
}

func TestHandler(t *testing.T) {
	brokers := startKafka(t)
	p, reg := newTestPublisher(t, brokers)
	base := serve(t, p, HandlerOptions{MaxBodyBytes: 4 << 10})
	noPrice := `{"id":"np","title":"t","seller":{"id":"s"}}`

	tests := []struct {
		name, method, path, contentType, body string
		status                                int
		want                                  string // JSON body, or a substring of the error
	}{
		{"ndjson", "POST", "/v1/listings", "application/x-ndjson", goodA + "\n\n" + noPrice + "\n{oops\n" + goodB + "\n",
			202, `{"accepted":2,"rejected":[{"index":1,"id":"np","error":"invalid listing: field price is missing"},{"index":2,"id":"","error":"invalid listing: malformed JSON at byte 2: invalid character 'o' looking for beginning of object key string"}]}`},
		{"text plain", "POST", "/v1/listings", "text/plain; charset=utf-8", goodA, 202, `{"accepted":1,"rejected":[]}`},
		{"json array", "POST", "/v1/listings", "application/json", "[" + goodA + ",\n" + noPrice + ", 7]",
			202, `{"accepted":1,"rejected":[{"index":1,"id":"np","error":"invalid listing: field price is missing"},{"index":2,"id":"","error":"invalid listing: expected a JSON object, got \"7\""}]}`},
		{"empty array", "POST", "/v1/listings", "application/json", "[]", 202, `{"accepted":0,"rejected":[]}`},
		{"sniffed array", "POST", "/v1/listings", "", "[" + goodB + "]", 202, `{"accepted":1,"rejected":[]}`},
		{"malformed array", "POST", "/v1/listings", "application/json", "[" + goodA + ",", 400, "malformed JSON array"},
		{"object not array", "POST", "/v1/listings", "application/json", goodA, 400, "expected a JSON array"},
		{"trailing data", "POST", "/v1/listings", "application/json", "[] []", 400, "data after the array"},
		{"empty body", "POST", "/v1/listings", "application/x-ndjson", " \n", 400, "empty body"},
		{"oversize", "POST", "/v1/listings", "application/x-ndjson", strings.Repeat(goodA+"\n", 100), 413, "larger than 4096 bytes"},
		{"form", "POST", "/v1/listings", "application/x-www-form-urlencoded", goodA, 415, "application/x-ndjson"},
		{"get listings", "GET", "/v1/listings", "", "", 405, "use POST"},
		{"post healthz", "POST", "/healthz", "", "", 405, "use GET"},
		{"unknown path", "GET", "/v2/x", "", "", 404, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, base+tt.path, tt.contentType, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if strings.HasPrefix(tt.want, "{") {
				if got := strings.TrimSpace(r.body); got != tt.want {
					t.Errorf("body\n%s\nwant\n%s", got, tt.want)
				}
				return
			}
			var e errorBody
			if err := json.Unmarshal([]byte(r.body), &e); err != nil || !strings.Contains(e.Error, tt.want) {
				t.Errorf("body %s, want an error mentioning %q", r.body, tt.want)
			}
			if r.status == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}

	// The accepted listings are on the topic with their id keys, the
	// invalid items on the rejected topic naming the request.
	listings := byKey(readTopic(t, brokers, "listings"))
	if len(listings) != 2 || string(listings["a-1"].Value) != goodA || string(listings["b-2"].Value) != goodB {
		t.Errorf("listings on the topic: %v", listings)
	}
	rejected := readTopic(t, brokers, "listings.rejected")
	if len(rejected) != 4 {
		t.Errorf("%d rejected records, want 4", len(rejected))
	}
	for _, m := range rejected {
		if src := stream.Header(m, stream.HeaderSource); !strings.HasPrefix(src, "http 127.0.0.1 #") {
			t.Errorf("rejected source %q", src)
		}
	}

	want := `
# HELP assay_ingest_http_requests_total Requests to the ingest HTTP API (the ops endpoints excepted), by status code.
# TYPE assay_ingest_http_requests_total counter
assay_ingest_http_requests_total{code="202"} 5
assay_ingest_http_requests_total{code="400"} 4
assay_ingest_http_requests_total{code="404"} 1
assay_ingest_http_requests_total{code="405"} 2
assay_ingest_http_requests_total{code="413"} 1
assay_ingest_http_requests_total{code="415"} 1
assay_ingest_http_requests_total{code="503"} 0
# HELP assay_ingest_listings_accepted_total Valid listings acknowledged by Kafka on the listings topic.
# TYPE assay_ingest_listings_accepted_total counter
assay_ingest_listings_accepted_total 5
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "assay_ingest_http_requests_total", "assay_ingest_listings_accepted_total"); err != nil {
		t.Error(err)
	}
	lint(t, reg)
}

// deadAddr returns a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestHandlerOps checks the ops endpoints served beside the API, with
// Kafka reachable and not.
func TestHandlerOps(t *testing.T) {
	up, _ := newTestPublisher(t, startKafka(t))
	down, _ := newTestPublisher(t, stream.Cluster{Brokers: []string{deadAddr(t)}})
	live, dead := serve(t, up, HandlerOptions{}), serve(t, down, HandlerOptions{})

	tests := []struct {
		name, method, url string
		status            int
		contentType       string
		want              string // substring of the body
	}{
		{"metrics", "GET", live + "/metrics", 200, "text/plain", "assay_ingest_listings_accepted_total 0"},
		{"metrics rejected reasons", "GET", live + "/metrics", 200, "text/plain", `assay_ingest_listings_rejected_total{reason="json"} 0`},
		{"healthz", "GET", live + "/healthz", 200, "text/plain", "ok"},
		{"healthz kafka down", "GET", dead + "/healthz", 200, "text/plain", "ok"},
		{"readyz", "GET", live + "/readyz", 200, "text/plain", "ready"},
		{"readyz kafka down", "GET", dead + "/readyz", 503, "text/plain", "kafka: "},
		{"post metrics", "POST", live + "/metrics", 405, "application/json", "use GET"},
		{"unknown path", "GET", live + "/metricz", 404, "application/json", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, tt.url, "", "")
			if r.status != tt.status {
				t.Errorf("status %d, want %d; body %s", r.status, tt.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type %q, want %s", ct, tt.contentType)
			}
			if !strings.Contains(r.body, tt.want) {
				t.Errorf("body %q, want %q in it", r.body, tt.want)
			}
		})
	}
}

func TestHandlerGatherer(t *testing.T) {
	opts := Options{Kafka: stream.Cluster{Brokers: []string{"x:1"}}, Topics: stream.DefaultTopics(), Registerer: prometheus.WrapRegistererWith(prometheus.Labels{"a": "b"}, prometheus.NewRegistry())}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	p := newPublisher(failingWriter{}, failingWriter{}, opts)
	if _, err := NewHandler(p, HandlerOptions{}); err == nil || !strings.Contains(err.Error(), "Gatherer") {
		t.Errorf("err %v, want one asking for a Gatherer", err)
	}
	if _, err := NewHandler(p, HandlerOptions{Gatherer: prometheus.NewRegistry()}); err != nil {
		t.Error(err)
	}
}

func TestHandlerKafkaDown(t *testing.T) {
	opts := Options{Kafka: stream.Cluster{Brokers: []string{"x:1"}}, Topics: stream.DefaultTopics()}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	base := serve(t, newPublisher(failingWriter{}, failingWriter{}, opts), HandlerOptions{})
	r := do(t, "POST", base+"/v1/listings", "application/x-ndjson", goodA)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Errorf("status %d (Retry-After %q), want 503; body %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	// Bad input is still 400, whatever Kafka's state.
	if r := do(t, "POST", base+"/v1/listings", "application/json", "{"); r.status != http.StatusBadRequest {
		t.Errorf("malformed body: status %d, want 400", r.status)
	}
}

// TestServerShutdown checks that a request in flight completes when the
// server is told to stop.
func TestServerShutdown(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.WriteHeader(http.StatusNoContent)
	})
	srv, err := Listen(ServerOptions{Addr: "127.0.0.1:0", Handler: h, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	got := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + srv.Addr().String() + "/")
		if err != nil {
			got <- 0
			return
		}
		resp.Body.Close()
		got <- resp.StatusCode
	}()
	time.Sleep(50 * time.Millisecond) // let the request arrive
	cancel()
	time.Sleep(20 * time.Millisecond)
	close(release)
	if s := <-got; s != http.StatusNoContent {
		t.Errorf("request in flight got %d, want 204", s)
	}
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
	if resp, err := http.Get("http://" + srv.Addr().String() + "/"); err == nil {
		resp.Body.Close()
		t.Error("server still answers after shutdown")
	}
}

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestHandlerBodies: compressed bodies, a byte-order mark, and the
// content types a client may well send, against a real broker. None may
// be taken for listings that are not there (gzip bytes, an array cut
// into lines), none refused when its listings can be read.
func TestHandlerBodies(t *testing.T) {
	p, reg := newTestPublisher(t, startKafka(t))
	base := serve(t, p, HandlerOptions{MaxBodyBytes: 4 << 10})
	two := goodA + "\n" + goodB + "\n"
	tests := []struct {
		name, contentType, encoding, body string
		status                            int
		want                              string // the answer's JSON, or a substring of its error
	}{
		{"gzip ndjson", "application/x-ndjson", "gzip", gzipped(t, two), 202, `{"accepted":2,"rejected":[]}`},
		{"gzip array", "application/json", "gzip", gzipped(t, "["+goodA+"]"), 202, `{"accepted":1,"rejected":[]}`},
		{"x-gzip sniffed", "", "x-gzip", gzipped(t, goodB), 202, `{"accepted":1,"rejected":[]}`},
		{"identity", "application/x-ndjson", "identity", goodA, 202, `{"accepted":1,"rejected":[]}`},
		{"gzip that is not", "application/x-ndjson", "gzip", two, 400, "not gzip"},
		{"gzip unpacking past the cap", "application/x-ndjson", "gzip", gzipped(t, strings.Repeat(" ", 5<<10)+goodA), 413, "larger than 4096 bytes"},
		{"brotli", "application/x-ndjson", "br", two, 415, `unsupported Content-Encoding "br"`},
		{"bom ndjson", "application/x-ndjson", "", "\ufeff" + goodA, 202, `{"accepted":1,"rejected":[]}`},
		{"bom array", "application/json", "", "\ufeff[" + goodA + "]", 202, `{"accepted":1,"rejected":[]}`},
		{"array sent as ndjson", "application/x-ndjson", "", "[\n" + goodA + ",\n" + goodB + "\n]", 400, "is a JSON array, not NDJSON"},
		{"application/ndjson", "application/ndjson", "", goodA, 202, `{"accepted":1,"rejected":[]}`},
		{"application/jsonlines", "application/jsonlines", "", goodA, 202, `{"accepted":1,"rejected":[]}`},
		{"csv", "text/csv", "", "id,title\nx,y\n", 415, "ingest csv"},
		{"html", "text/html", "", goodA, 415, "unsupported Content-Type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/v1/listings", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("Content-Encoding", tt.encoding)
			r := send(t, req)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tt.status, r.body)
			}
			if strings.HasPrefix(tt.want, "{") {
				if got := strings.TrimSpace(r.body); got != tt.want {
					t.Errorf("body %s, want %s", got, tt.want)
				}
				return
			}
			var e errorBody
			if err := json.Unmarshal([]byte(r.body), &e); err != nil || !strings.Contains(e.Error, tt.want) {
				t.Errorf("body %s, want an error mentioning %q", r.body, tt.want)
			}
		})
	}
	// Nothing above was rejected item by item: no gzip bytes or array
	// fragments went to the rejected topic as if they were listings.
	if got := testutil.ToFloat64(p.m.rejected[ReasonJSON]) + testutil.ToFloat64(p.m.rejected[ReasonField]); got != 0 {
		t.Errorf("%v items rejected", got)
	}
	lint(t, reg)
}

// stalledWriter stands in for a broker that takes a request and never
// answers.
type stalledWriter struct{}

func (stalledWriter) WriteMessages(ctx context.Context, _ ...kafka.Message) error {
	<-ctx.Done()
	return ctx.Err()
}
func (stalledWriter) Close() error { return nil }

// TestHandlerClientGone: a client that leaves while Kafka has not yet
// answered is not a Kafka failure, in the metrics an operator alerts on.
func TestHandlerClientGone(t *testing.T) {
	opts := Options{Kafka: stream.Cluster{Brokers: []string{"x:1"}}, Topics: stream.DefaultTopics()}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	opts.Registerer = reg
	p := newPublisher(stalledWriter{}, stalledWriter{}, opts)
	base := serve(t, p, HandlerOptions{})
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/v1/listings", strings.NewReader(goodA))
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("status %d, want the client to give up", resp.StatusCode)
	}
	want := `
# HELP assay_ingest_publish_errors_total Batch writes to Kafka that failed in whole or in part.
# TYPE assay_ingest_publish_errors_total counter
assay_ingest_publish_errors_total 0
`
	// The handler notices the client left a little after the client does.
	deadline := time.Now().Add(5 * time.Second)
	for testutil.ToFloat64(p.m.requests.WithLabelValues("499")) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "assay_ingest_publish_errors_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.ToFloat64(p.m.requests.WithLabelValues("503")); n != 0 {
		t.Errorf("%v requests counted 503", n)
	}
	if n := testutil.ToFloat64(p.m.requests.WithLabelValues("499")); n != 1 {
		t.Errorf("%v requests counted 499, want 1", n)
	}
}
