package ingest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/stream"
)

// TestLeastPrivilege publishes as a principal that may describe, read and
// write topics and read groups, and nothing more (no CREATE, no cluster
// operations), against topics an administrator made, as cmd/ingest does:
// it checks the topics, publishes a file and an HTTP request (valid
// listings to the listings topic, invalid ones to the rejected topic),
// answers /readyz, and syncs and deletes brands; what landed is read back
// as the administrator, and nothing is logged about authorization.
func TestLeastPrivilege(t *testing.T) {
	b := kafkatest.StartACL(t)
	b.CreateTopics(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	topics := stream.DefaultTopics()
	app := b.App()
	logs := kafkatest.NewAuthzLog(t)
	if err := stream.EnsureTopics(ctx, app, topics, stream.DefaultLayout()); err != nil {
		t.Fatalf("checking the topics as cmd/ingest does: %v", err)
	}

	p, err := NewPublisher(Options{Kafka: app, Topics: topics, Logger: logs.Logger(), Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	res, err := p.PublishJSONL(ctx, "in.jsonl", strings.NewReader(goodA+"\n{bad\n"), FeedOptions{})
	if err != nil {
		t.Fatalf("publishing a file: %v", err)
	}
	if want := (Result{Published: 1, Rejected: 1}); res != want {
		t.Errorf("file: result %+v, want %+v", res, want)
	}
	base := serve(t, p, HandlerOptions{})
	if r := do(t, "POST", base+"/v1/listings", "application/x-ndjson", goodB+"\n{oops\n"); r.status != 202 {
		t.Errorf("POST /v1/listings: status %d, want 202; body %s", r.status, r.body)
	}
	if r := do(t, "GET", base+"/readyz", "", ""); r.status != 200 {
		t.Errorf("/readyz: status %d, want 200; body %s", r.status, r.body)
	}
	listings := byKey(readTopic(t, b.Admin, topics.Listings))
	if len(listings) != 2 || string(listings["a-1"].Value) != goodA || string(listings["b-2"].Value) != goodB {
		t.Errorf("listings topic holds %d records, want a-1 and b-2 with their lines: %v", len(listings), slices.Sorted(maps.Keys(listings)))
	}
	rejected := byKey(readTopic(t, b.Admin, topics.Rejected))
	if _, ok := rejected["in.jsonl:2"]; len(rejected) != 2 || !ok {
		t.Errorf("rejected topic holds %v, want in.jsonl:2 and the HTTP request's bad item", slices.Sorted(maps.Keys(rejected)))
	}

	reg, err := brand.LoadFile("../../fixtures/brands.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reg.Brands = reg.Brands[:2]
	br, err := NewBrands(BrandsOptions{Kafka: app, Topic: topics.Brands, Logger: logs.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer br.Close()
	if rep, err := br.Sync(ctx, reg, SyncOptions{}); err != nil || rep.Count(Added) != 2 {
		t.Fatalf("first sync: %+v, %v; want 2 added", rep, err)
	}
	// A second sync reads the topic back as the principal: nothing changed.
	if rep, err := br.Sync(ctx, reg, SyncOptions{}); err != nil || rep.Count(Unchanged) != 2 {
		t.Fatalf("second sync: %+v, %v; want 2 unchanged", rep, err)
	}
	gone := reg.Brands[1].ID
	if _, err := br.Delete(ctx, []string{gone}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	msgs := readTopic(t, b.Admin, topics.Brands)
	var live, tombs []string
	for _, m := range msgs {
		if m.Value == nil {
			tombs = append(tombs, string(m.Key))
		} else {
			live = append(live, string(m.Key))
		}
	}
	if len(live) != 2 || len(tombs) != 1 || tombs[0] != gone {
		t.Errorf("brands topic: records %v and tombstones %v, want the 2 brands and a tombstone for %s", live, tombs, gone)
	}
	logs.Check("ingest")
}
