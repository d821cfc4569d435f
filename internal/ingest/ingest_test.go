package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/stream"
)

// startKafka starts a broker of the test's own (package kafkatest) with
// the pipeline's topics.
func startKafka(t *testing.T) stream.Cluster {
	t.Helper()
	return kafkatest.Start(t).Cluster()
}

// newTestPublisher returns a publisher whose metrics are in a registry of
// the test's own.
func newTestPublisher(t *testing.T, brokers stream.Cluster) (*Publisher, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	p, err := NewPublisher(Options{Kafka: brokers, Topics: stream.DefaultTopics(), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, reg
}

// readTopic reads every record of topic, without a consumer group.
func readTopic(t *testing.T, brokers stream.Cluster, topic string) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	msgs, _, err := stream.ReadTopic(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// byKey indexes listings records by key, and rejected ones by source.
func byKey(msgs []kafka.Message) map[string]kafka.Message {
	out := make(map[string]kafka.Message, len(msgs))
	for _, m := range msgs {
		k := string(m.Key)
		if k == "" {
			k = stream.Header(m, stream.HeaderSource)
		}
		out[k] = m
	}
	return out
}

const (
	goodA = `{"id":"a-1","title":"Leather tote","price":{"amount":120,"currency":"USD"},"seller":{"id":"s-1"}}`
	goodB = `{"id":"b-2", "title":"Rocket launch pad","price":{"amount":25,"currency":"EUR"},"seller":{"id":"s-2"},"extra":true}`
)

func TestPublishJSONL(t *testing.T) {
	brokers := startKafka(t)
	p, _ := newTestPublisher(t, brokers)
	long := `{"id":"long","title":"` + strings.Repeat("x", listing.MaxLineBytes) + `"}`
	input := strings.Join([]string{
		goodA,
		"",
		`{"id":"no-price","title":"t","seller":{"id":"s"}}`,
		"{bad",
		goodB + "\r",
		long,
		`{"id":"c-3","title":"Last line without newline","price":{"amount":1,"currency":"GBP"},"seller":{"id":"s-3"}}`,
	}, "\n")

	var rejects []string
	res, err := p.PublishJSONL(t.Context(), "in.jsonl", strings.NewReader(input), FeedOptions{
		OnReject: func(src string, reason error) { rejects = append(rejects, src+": "+reason.Error()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Published: 3, Rejected: 3}); res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	wantRejects := []string{"in.jsonl:3: invalid listing: field price is missing", "in.jsonl:4: invalid listing: malformed JSON", "in.jsonl:6: invalid listing: line longer than"}
	if len(rejects) != len(wantRejects) {
		t.Fatalf("rejects %q, want %d", rejects, len(wantRejects))
	}
	for i, w := range wantRejects {
		if !strings.HasPrefix(rejects[i], w) {
			t.Errorf("reject %d = %q, want prefix %q", i, rejects[i], w)
		}
	}

	listings := byKey(readTopic(t, brokers, "listings"))
	for id, raw := range map[string]string{"a-1": goodA, "b-2": goodB, "c-3": ""} {
		m, ok := listings[id]
		if !ok {
			t.Errorf("listing %s not on the topic (have %d)", id, len(listings))
			continue
		}
		if raw != "" && string(m.Value) != raw {
			t.Errorf("listing %s value %q, want the original line %q", id, m.Value, raw)
		}
	}
	if len(listings) != 3 {
		t.Errorf("%d listings on the topic, want 3", len(listings))
	}

	rejected := byKey(readTopic(t, brokers, "listings.rejected"))
	for src, want := range map[string]struct{ value, reason string }{
		"in.jsonl:3": {`{"id":"no-price","title":"t","seller":{"id":"s"}}`, "field price is missing"},
		"in.jsonl:4": {"{bad", "malformed JSON"},
		"in.jsonl:6": {long[:rejectedPrefixBytes], "line longer than"},
	} {
		m, ok := rejected[src]
		if !ok {
			t.Errorf("no rejected record from %s", src)
			continue
		}
		if string(m.Value) != want.value {
			t.Errorf("%s: rejected value %.60q, want %.60q", src, m.Value, want.value)
		}
		if r := stream.Header(m, stream.HeaderReason); !strings.Contains(r, want.reason) {
			t.Errorf("%s: reason %q, want %q", src, r, want.reason)
		}
	}

	st := p.Stats()
	if st.Published != 3 || st.Rejected != 3 || st.WriteFailures != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestPublishJSONLBatches publishes more lines than a batch and checks
// order per key and the progress callback.
func TestPublishJSONLBatches(t *testing.T) {
	brokers := startKafka(t)
	p, err := NewPublisher(Options{Kafka: brokers, Topics: stream.DefaultTopics(), BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var b strings.Builder
	const n = 1050
	for i := range n {
		fmt.Fprintf(&b, `{"id":"k-%d","title":"item %d","price":{"amount":%d,"currency":"USD"},"seller":{"id":"s"}}`+"\n", i%7, i, i)
	}
	var progress []Result
	res, err := p.PublishJSONL(t.Context(), "big", strings.NewReader(b.String()), FeedOptions{
		ProgressEvery: time.Nanosecond,
		Progress:      func(r Result) { progress = append(progress, r) },
	})
	if err != nil || res.Published != n {
		t.Fatalf("published %d, err %v", res.Published, err)
	}
	if len(progress) < 10 {
		t.Errorf("%d progress reports, want one per batch", len(progress))
	}
	last := map[string]int{}
	for _, m := range readTopic(t, brokers, "listings") {
		l, err := listing.Decode(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if int(l.Price.Amount) < last[l.ID] {
			t.Fatalf("listing %s out of order: %v after %d", l.ID, l.Price.Amount, last[l.ID])
		}
		last[l.ID] = int(l.Price.Amount)
	}
}

// TestLinger checks that a slow stream is published without waiting for a
// full batch or the end of the input.
func TestLinger(t *testing.T) {
	brokers := startKafka(t)
	p, _ := newTestPublisher(t, brokers)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := p.PublishJSONL(t.Context(), "pipe", pr, FeedOptions{Linger: 20 * time.Millisecond})
		done <- err
	}()
	if _, err := io.WriteString(pw, goodA+"\n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for p.Stats().Published == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a lingering line was not published")
		}
		time.Sleep(10 * time.Millisecond)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// slowWriter stands in for a broker slow to acknowledge: each write takes
// d, unless its context ends first.
type slowWriter struct {
	d       time.Duration
	written *atomic.Int64
}

func (w slowWriter) WriteMessages(ctx context.Context, msgs ...kafka.Message) error {
	select {
	case <-time.After(w.d):
		w.written.Add(int64(len(msgs)))
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (slowWriter) Close() error { return nil }

// TestInterruptedMidWrite: told to stop while a batch is being written
// and the next line is read, the feed lets the write finish and publishes
// the line too, within the flush timeout.
func TestInterruptedMidWrite(t *testing.T) {
	var written atomic.Int64
	w := slowWriter{d: 300 * time.Millisecond, written: &written}
	opts := Options{Kafka: stream.Cluster{Brokers: []string{"x:1"}}, Topics: stream.DefaultTopics(), BatchSize: 2}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	p := newPublisher(w, w, opts)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	in := goodA + "\n" + goodB + "\n" + strings.Replace(goodA, "a-1", "a-3", 1) + "\n"
	res, err := p.PublishJSONL(ctx, "x.jsonl", strings.NewReader(in), FeedOptions{Linger: time.Hour})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
	if res.Published != 3 || written.Load() != 3 {
		t.Errorf("result %+v, %d written: want the 3 lines read published", res, written.Load())
	}
}

// TestPublishNotJSONLines: nothing of a JSON array is published, not
// even its lines as rejects.
func TestPublishNotJSONLines(t *testing.T) {
	p, _ := newTestPublisher(t, startKafka(t))
	res, err := p.PublishJSONL(t.Context(), "a.json", strings.NewReader("[\n"+goodA+",\n"+goodB+"\n]\n"), FeedOptions{})
	if !errors.Is(err, listing.ErrNotJSONLines) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("error %v, want ErrNotJSONLines at line 1", err)
	}
	if res != (Result{}) || p.Stats() != (Stats{}) {
		t.Errorf("result %+v, stats %+v: want nothing published", res, p.Stats())
	}
}

// TestInterruptedFeed: a feed told to stop while its input is open and
// quiet (a pipe that may never send again) returns at once, with what it
// read published rather than dropped. The linger is long, so the lines
// are still waiting in a batch when the feed is told to stop.
func TestInterruptedFeed(t *testing.T) {
	brokers := startKafka(t)
	p, _ := newTestPublisher(t, brokers)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(t.Context())
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := p.PublishJSONL(ctx, "pipe", pr, FeedOptions{Linger: time.Hour})
		done <- outcome{res, err}
	}()
	if _, err := io.WriteString(pw, goodA+"\n"+goodB+"\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // the lines read and waiting in a batch
	cancel()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the feed did not stop with its input open")
	}
	if !errors.Is(o.err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", o.err)
	}
	if o.res.Published != 2 {
		t.Errorf("result %+v, want the 2 lines read published", o.res)
	}
	if got := byKey(readTopic(t, brokers, "listings")); len(got) != 2 {
		t.Errorf("%d listings on the topic, want 2", len(got))
	}
}

func TestRejectReason(t *testing.T) {
	tests := []struct {
		name, raw string
		want      string
	}{
		{"malformed", `{bad`, ReasonJSON},
		{"trailing data", `{"id":"a"} x`, ReasonJSON},
		{"array", `[1]`, ReasonJSON},
		{"blank", " ", ReasonJSON},
		{"title missing", `{"id":"a"}`, ReasonField},
		{"negative price", `{"id":"a","title":"t","price":{"amount":-1,"currency":"USD"},"seller":{"id":"s"}}`, ReasonField},
		{"amount of the wrong type", `{"id":"a","title":"t","price":{"amount":"x","currency":"USD"},"seller":{"id":"s"}}`, ReasonField},
		{"bad timestamp", `{"id":"a","title":"t","price":{"amount":1,"currency":"USD"},"seller":{"id":"s"},"observed_at":"yesterday"}`, ReasonField},
		{"title too long", `{"id":"a","title":"` + strings.Repeat("t", listing.MaxTitleBytes+1) + `","price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`, ReasonField},
		{"above the message limit", `{"id":"` + strings.Repeat("a", MaxMessageBytes) + `"}`, ReasonTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := DecodeEvent([]byte(tt.raw), "x")
			if e.Valid() {
				t.Fatal("valid")
			}
			if !errors.Is(e.Err, listing.ErrInvalid) {
				t.Errorf("error %v does not wrap listing.ErrInvalid", e.Err)
			}
			if got := RejectReason(e.Err); got != tt.want {
				t.Errorf("reason %q (%v), want %q", got, e.Err, tt.want)
			}
		})
	}
	if got := RejectReason(errors.New("from elsewhere")); got != ReasonOther {
		t.Errorf("foreign error: reason %q, want %q", got, ReasonOther)
	}
}

// TestPublishMetrics publishes JSON Lines and a CSV export, valid and
// invalid, through the embedded broker and checks the counters.
func TestPublishMetrics(t *testing.T) {
	brokers := startKafka(t)
	p, reg := newTestPublisher(t, brokers)
	input := strings.Join([]string{
		goodA,
		"{bad",
		"[1]",
		`{"id":"no-price","title":"t","seller":{"id":"s"}}`,
		`{"id":"a","title":"t","price":{"amount":"x","currency":"USD"},"seller":{"id":"s"}}`,
		`{"id":"long","title":"` + strings.Repeat("x", listing.MaxLineBytes) + `"}`,
		goodB,
	}, "\n")
	res, err := p.PublishJSONL(t.Context(), "in.jsonl", strings.NewReader(input), FeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Published: 2, Rejected: 5}); res != want {
		t.Fatalf("result %+v, want %+v", res, want)
	}
	m, err := LoadMapping("testdata/mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// 3 valid rows; a cell that is not a number, a short row, a blank title.
	if _, err := p.PublishCSV(t.Context(), "export.csv", f, m, FeedOptions{}); err != nil {
		t.Fatal(err)
	}

	want := `
# HELP assay_ingest_listings_accepted_total Valid listings acknowledged by Kafka on the listings topic.
# TYPE assay_ingest_listings_accepted_total counter
assay_ingest_listings_accepted_total 5
# HELP assay_ingest_listings_rejected_total Invalid events acknowledged by Kafka on the rejected (dead-letter) topic, by reason.
# TYPE assay_ingest_listings_rejected_total counter
assay_ingest_listings_rejected_total{reason="csv"} 1
assay_ingest_listings_rejected_total{reason="field"} 4
assay_ingest_listings_rejected_total{reason="json"} 2
assay_ingest_listings_rejected_total{reason="other"} 0
assay_ingest_listings_rejected_total{reason="too_large"} 1
# HELP assay_ingest_publish_errors_total Batch writes to Kafka that failed in whole or in part.
# TYPE assay_ingest_publish_errors_total counter
assay_ingest_publish_errors_total 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"assay_ingest_listings_accepted_total", "assay_ingest_listings_rejected_total", "assay_ingest_publish_errors_total"); err != nil {
		t.Error(err)
	}
	// One write per topic and input: the inputs are smaller than a batch.
	if n := sampleCount(t, reg, "assay_ingest_publish_duration_seconds"); n != 4 {
		t.Errorf("%d publish durations observed, want 4", n)
	}
	lint(t, reg)
}

// TestPublishMetricsKafkaFailure checks that failed writes are counted as
// errors and not as accepted or rejected, and that a partly failed write
// counts the events Kafka did acknowledge.
func TestPublishMetricsKafkaFailure(t *testing.T) {
	reg := prometheus.NewRegistry()
	opts := Options{Kafka: stream.Cluster{Brokers: []string{"x:1"}}, Topics: stream.DefaultTopics(), Registerer: reg}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	p := newPublisher(failingWriter{}, halfWriter{}, opts)
	events := []Event{DecodeEvent([]byte(goodA), "1"), DecodeEvent([]byte("{bad"), "2"), DecodeEvent([]byte(`{"id":"x"}`), "3")}
	if _, err := p.Publish(t.Context(), events); err == nil {
		t.Fatal("no error")
	}
	want := `
# HELP assay_ingest_listings_accepted_total Valid listings acknowledged by Kafka on the listings topic.
# TYPE assay_ingest_listings_accepted_total counter
assay_ingest_listings_accepted_total 0
# HELP assay_ingest_listings_rejected_total Invalid events acknowledged by Kafka on the rejected (dead-letter) topic, by reason.
# TYPE assay_ingest_listings_rejected_total counter
assay_ingest_listings_rejected_total{reason="csv"} 0
assay_ingest_listings_rejected_total{reason="field"} 0
assay_ingest_listings_rejected_total{reason="json"} 1
assay_ingest_listings_rejected_total{reason="other"} 0
assay_ingest_listings_rejected_total{reason="too_large"} 0
# HELP assay_ingest_publish_errors_total Batch writes to Kafka that failed in whole or in part.
# TYPE assay_ingest_publish_errors_total counter
assay_ingest_publish_errors_total 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"assay_ingest_listings_accepted_total", "assay_ingest_listings_rejected_total", "assay_ingest_publish_errors_total"); err != nil {
		t.Error(err)
	}
	if n := sampleCount(t, reg, "assay_ingest_publish_duration_seconds"); n != 2 {
		t.Errorf("%d publish durations observed, want 2 (failed writes are timed too)", n)
	}
}

// sampleCount returns the observation count of the histogram name.
func sampleCount(t *testing.T, g prometheus.Gatherer, name string) uint64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	t.Fatalf("no histogram %s", name)
	return 0
}

// lint fails the test on any metric promlint finds fault with.
func lint(t *testing.T, g prometheus.Gatherer) {
	t.Helper()
	problems, err := testutil.GatherAndLint(g)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// failingWriter stands in for Kafka being down.
type failingWriter struct{}

func (failingWriter) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	werrs := make(kafka.WriteErrors, len(msgs))
	for i := range werrs {
		werrs[i] = kafka.LeaderNotAvailable
	}
	return werrs
}
func (failingWriter) Close() error { return nil }

// halfWriter acknowledges the first message of each write and fails the
// rest, as Kafka does when one partition's leader is away.
type halfWriter struct{}

func (halfWriter) WriteMessages(_ context.Context, msgs ...kafka.Message) error {
	werrs := make(kafka.WriteErrors, len(msgs))
	for i := 1; i < len(werrs); i++ {
		werrs[i] = kafka.LeaderNotAvailable
	}
	return werrs
}
func (halfWriter) Close() error { return nil }

func TestPublishKafkaFailure(t *testing.T) {
	opts := Options{Kafka: stream.Cluster{Brokers: []string{"x:1"}}, Topics: stream.DefaultTopics()}
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	p := newPublisher(failingWriter{}, failingWriter{}, opts)
	res, err := p.PublishJSONL(t.Context(), "f", strings.NewReader(goodA+"\n{bad\n"), FeedOptions{})
	if !errors.Is(err, kafka.LeaderNotAvailable) {
		t.Errorf("err %v, want the Kafka error", err)
	}
	if res != (Result{}) {
		t.Errorf("result %+v, want nothing written", res)
	}
	if st := p.Stats(); st.WriteFailures != 2 || st.Published != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestPublishCSV(t *testing.T) {
	brokers := startKafka(t)
	p, _ := newTestPublisher(t, brokers)
	m, err := LoadMapping("testdata/mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("testdata/export.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rejects []string
	res, err := p.PublishCSV(t.Context(), "export.csv", f, m, FeedOptions{
		OnReject: func(src string, reason error) { rejects = append(rejects, src+": "+reason.Error()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Published: 3, Rejected: 3}); res != want {
		t.Errorf("result %+v, want %+v; rejects %q", res, want, rejects)
	}
	wantRejects := []string{
		`export.csv:4: invalid listing: field price.amount: column "price": "twelve" is not a number`,
		`export.csv:5: invalid listing: row has 4 columns, the header 10`,
		`export.csv:6: invalid listing: field title is missing or blank`,
	}
	if !slices.Equal(rejects, wantRejects) {
		t.Errorf("rejects\n%q\nwant\n%q", rejects, wantRejects)
	}

	listings := byKey(readTopic(t, brokers, "listings"))
	tests := []struct {
		id   string
		want listing.Listing
	}{
		{"sn-1", listing.Listing{ID: "sn-1", Marketplace: "shopnet", URL: "https://shopnet.example/1", Title: "Coach Rowan Satchel",
			Description: `Leather satchel, "like new"`, Seller: listing.Seller{ID: "s-1", Name: "Alice"},
			Images:     []string{"https://img.example/1a.jpg", "https://img.example/1b.jpg"},
			ObservedAt: time.Date(2026, 11, 14, 20, 21, 0, 0, time.UTC)}},
		{"sn-2", listing.Listing{ID: "sn-2", Marketplace: "shopnet", URL: "https://shopnet.example/2", Title: "Fullips lip plumper", Seller: listing.Seller{ID: "s-2"}}},
		{"sn-6", listing.Listing{ID: "sn-6", Marketplace: "shopnet", URL: "https://shopnet.example/6", Title: "North Peak jacket",
			Description: "Multi-line\ndescription", Seller: listing.Seller{ID: "s-6", Name: "Carol"}, Images: []string{"https://img.example/6.jpg"},
			ObservedAt: time.Date(2026, 11, 15, 11, 3, 0, 0, time.UTC)}},
	}
	prices := map[string]string{"sn-1": "180.00 USD", "sn-2": "12.50 USD", "sn-6": "99.00 EUR"}
	for _, tt := range tests {
		m, ok := listings[tt.id]
		if !ok {
			t.Errorf("listing %s not published", tt.id)
			continue
		}
		got, err := listing.Decode(m.Value)
		if err != nil {
			t.Fatalf("%s: %v", tt.id, err)
		}
		if got.Price.String() != prices[tt.id] {
			t.Errorf("%s: price %s, want %s", tt.id, got.Price, prices[tt.id])
		}
		got.Price = nil
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(tt.want)
		if string(g) != string(w) {
			t.Errorf("%s:\n got %s\nwant %s", tt.id, g, w)
		}
	}

	rejected := byKey(readTopic(t, brokers, "listings.rejected"))
	if m := rejected["export.csv:4"]; string(m.Value) != "sn-3,Dyson hair dryer,Barely used,twelve,EUR,s-3,Bob,https://shopnet.example/3,," {
		t.Errorf("rejected row value %q, want the CSV line", m.Value)
	}
	if m := rejected["export.csv:5"]; string(m.Value) != "sn-4,Short row missing columns,oops,10" {
		t.Errorf("rejected short row value %q", m.Value)
	}
}

func TestMappingErrors(t *testing.T) {
	base := "id: item_id\ntitle: item_title\nprice.amount: price\nseller.id: seller_id\n"
	tests := []struct {
		name, mapping, header string
		want                  []string // substrings of the error
	}{
		{"column missing from header", base + "price.currency: currency\n", "item_id,item_title,price,seller_id",
			[]string{"price.currency", `"currency"`, "x.csv"}},
		{"unknown field", base + "price.currency: currency\nprize: p\n", "", []string{`"prize"`}},
		{"required field unmapped", base, "", []string{"price.currency needs a column or a default"}},
		{"bad default", base + "defaults: {price.currency: USD, price.amount: cheap}\n", "", []string{"price.amount", "cheap"}},
		{"id default", base + "defaults: {price.currency: USD, id: x}\n", "", []string{"id cannot have a default"}},
		{"semicolons", base + "price.currency: currency\n", "item_id;item_title;price;currency;seller_id",
			[]string{`its cells look separated by ";"; add delimiter: ";" to the mapping`}},
		{"bad delimiter", base + "price.currency: currency\ndelimiter: '::'\n", "", []string{`delimiter "::"`}},
		{"bad currency default", base + "defaults: {price.currency: dollars}\n", "", []string{`defaults: price.currency "dollars" is not a three-letter ISO 4217 code`}},
		{"column named twice", base + "price.currency: currency\n", "item_id,item_title,price,seller_id,currency,price",
			[]string{`field price.amount names column "price", which the header of x.csv has more than once`}},
		{"not yaml", "id: [", "", []string{"m.yaml"}},
		// yaml.v3 panics on this merge key; the mapping is refused instead.
		{"decoder panic", "{id: &b {0}, <<, *b}", "", []string{"m.yaml", "the YAML decoder failed"}},
		{"no header", base + "price.currency: currency\n", "-", []string{"no header row"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseMapping([]byte(tt.mapping), "m.yaml")
			if err == nil && tt.header != "" {
				header := tt.header + "\n"
				if tt.header == "-" {
					header = ""
				}
				p := newPublisher(failingWriter{}, failingWriter{}, Options{BatchSize: 10})
				_, err = p.PublishCSV(t.Context(), "x.csv", strings.NewReader(header), m, FeedOptions{})
			}
			if !errors.Is(err, ErrMapping) {
				t.Fatalf("err %v, want ErrMapping", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestPublishAcrossBrokerRestart: a long-running publisher (ingest serve
// keeps one) goes on publishing after its broker restarts, with nothing
// lost (a real broker: make test-kafka).
func TestPublishAcrossBrokerRestart(t *testing.T) {
	if !kafkatest.Real() {
		t.Skip("broker restarts are tested against a real broker (make test-kafka)")
	}
	b := kafkatest.Start(t)
	brokers := b.Cluster()
	p, _ := newTestPublisher(t, brokers)
	batch := func(from, to int) string {
		var lines []string
		for i := from; i < to; i++ {
			lines = append(lines, fmt.Sprintf(`{"id":"r-%d","title":"Tote %d","price":{"amount":10,"currency":"USD"},"seller":{"id":"s"}}`, i, i))
		}
		return strings.Join(lines, "\n")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if res, err := p.PublishJSONL(ctx, "before", strings.NewReader(batch(0, 50)), FeedOptions{}); err != nil || res.Published != 50 {
		t.Fatalf("before the restart: %+v, %v", res, err)
	}
	b.Restart(t)
	start := time.Now()
	res, err := p.PublishJSONL(ctx, "after", strings.NewReader(batch(50, 100)), FeedOptions{})
	if err != nil || res.Published != 50 {
		t.Fatalf("after the restart: %+v, %v", res, err)
	}
	t.Logf("first publish after the restart took %v", time.Since(start).Round(time.Millisecond))
	got := byKey(readTopic(t, brokers, stream.DefaultTopics().Listings))
	for i := range 100 {
		if _, ok := got[fmt.Sprintf("r-%d", i)]; !ok {
			t.Errorf("r-%d: published, not in the topic", i)
		}
	}
	if len(got) != 100 {
		t.Errorf("%d records, want 100", len(got))
	}
}
