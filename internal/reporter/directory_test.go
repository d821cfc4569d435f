package reporter

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/stream"
)

// TestDirectory follows the brands topic: what was there at start-up, a
// brand published live, a record that does not decode (skipped), and a
// tombstone.
func TestDirectory(t *testing.T) {
	brokers := kafkatest.Start(t).Cluster()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := NewBrandPublisher(brokers, "brands")
	defer pub.Close()
	if err := stream.EnsureTopics(ctx, brokers, stream.Topics{Brands: "brands"}, stream.DefaultLayout()); err != nil {
		t.Fatal(err)
	}
	if err := pub.PublishBrand(ctx, &stream.BrandRecord{Brand: brand.Brand{ID: "fullips", Name: "Fullips", Owner: "Fullips Inc."}}); err != nil {
		t.Fatal(err)
	}
	d := NewDirectory(brokers, "brands", nil)
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; directory has %v", what, d.IDs())
			}
		}
	}
	waitFor("the registry at start-up", func() bool { _, ok := d.Brand("fullips"); return ok })
	if rec, _ := d.Brand("fullips"); rec.Brand.Owner != "Fullips Inc." {
		t.Fatalf("fullips after loading: %+v", rec)
	}
	if err := pub.PublishBrand(ctx, &stream.BrandRecord{Brand: brand.Brand{ID: "halden", Name: "Halden Moor"}}); err != nil {
		t.Fatal(err)
	}
	writeTopic(ctx, t, brokers, "brands", kafka.Message{Key: []byte("broken"), Value: []byte("{")})
	waitFor("halden published live", func() bool { _, ok := d.Brand("halden"); return ok })
	tomb, _ := stream.BrandMessage("fullips", nil)
	writeTopic(ctx, t, brokers, "brands", tomb)
	waitFor("fullips deleted", func() bool { _, ok := d.Brand("fullips"); return !ok })
	if ids := d.IDs(); len(ids) != 1 || ids[0] != "halden" {
		t.Errorf("IDs %v, want [halden]: the broken record must be skipped", ids)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
}
