package ingest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/stream"
)

func TestBrands(t *testing.T) {
	brokers := startKafka(t)
	reg, err := brand.LoadFile("../../fixtures/brands.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Brands) != 12 {
		t.Fatalf("fixture has %d brands, want 12", len(reg.Brands))
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b, err := NewBrands(BrandsOptions{Kafka: brokers, Topic: "brands", Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	rep, err := b.Sync(t.Context(), reg, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(Added) != 12 || len(rep.Changes) != 12 {
		t.Errorf("first sync: %+v, want 12 added", rep.Changes)
	}

	// The topic holds one record per brand with its reference hashes.
	msgs := readTopic(t, brokers, "brands")
	if len(msgs) != 12 {
		t.Fatalf("%d records on the brands topic, want 12", len(msgs))
	}
	for _, m := range msgs {
		var rec stream.BrandRecord
		if err := json.Unmarshal(m.Value, &rec); err != nil {
			t.Fatal(err)
		}
		if string(m.Key) != rec.Brand.ID || !rec.PublishedAt.Equal(now) {
			t.Errorf("record key %q for brand %q published %v", m.Key, rec.Brand.ID, rec.PublishedAt)
		}
		want, _ := reg.Lookup(rec.Brand.ID)
		images := map[string]bool{}
		for _, h := range rec.ReferenceHashes {
			images[h.Image] = true
			if _, err := imagehash.ParseHash(h.Hash); err != nil {
				t.Errorf("brand %s: %v", rec.Brand.ID, err)
			}
		}
		if len(images) != len(want.ReferenceImages) || len(rec.ReferenceHashes) < 6*len(want.ReferenceImages) {
			t.Errorf("brand %s: %d hashes of %d images, want hashes of %d", rec.Brand.ID, len(rec.ReferenceHashes), len(images), len(want.ReferenceImages))
		}
	}

	// Publishing the same registry again changes nothing.
	rep, err = b.Sync(t.Context(), reg, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(Unchanged) != 12 {
		t.Errorf("second sync: %+v, want 12 unchanged", rep.Changes)
	}
	if n := len(readTopic(t, brokers, "brands")); n != 12 {
		t.Errorf("unchanged brands were republished: %d records", n)
	}

	// A smaller registry with one changed brand and --delete-missing.
	small := &brand.Registry{Brands: append([]brand.Brand(nil), reg.Brands[:9]...), Dir: reg.Dir}
	small.Brands[0].Aliases = append(small.Brands[0].Aliases, "Another Alias")
	rep, err = b.Sync(t.Context(), small, SyncOptions{DeleteMissing: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Count(Updated) != 1 || rep.Count(Unchanged) != 8 || rep.Count(Deleted) != 3 {
		t.Errorf("delete-missing sync: %+v", rep.Changes)
	}
	tombstones := map[string]bool{}
	for _, m := range readTopic(t, brokers, "brands") {
		if m.Value == nil {
			tombstones[string(m.Key)] = true
		}
	}
	for _, br := range reg.Brands[9:] {
		if !tombstones[br.ID] {
			t.Errorf("no tombstone for %s", br.ID)
		}
	}
	current, err := b.Current(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(current) != 9 || !strings.Contains(strings.Join(current[small.Brands[0].ID].Brand.Aliases, ","), "Another Alias") {
		t.Errorf("current registry has %d brands, want 9 with the update", len(current))
	}

	// Deleting by id.
	rep, err = b.Delete(t.Context(), []string{reg.Brands[0].ID, "never-there"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changes[0].Change != Deleted || rep.Changes[1].Change != Absent {
		t.Errorf("delete: %+v", rep.Changes)
	}
	if current, _ := b.Current(t.Context()); len(current) != 8 {
		t.Errorf("%d brands after delete, want 8", len(current))
	}
}

func TestBrandsImages(t *testing.T) {
	brokers := startKafka(t)
	b, err := NewBrands(BrandsOptions{Kafka: brokers, Topic: "brands"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	reg, err := brand.Parse([]byte(`brands:
  - id: remote
    name: Remote
    reference_images: ["https://brand.example/ref.jpg"]
  - id: flat
    name: Flat
    reference_images: ["flat.png"]
`), "inline")
	if err != nil {
		t.Fatal(err)
	}
	reg.Dir = "testdata"

	// An unreadable reference image stops the whole sync.
	if _, err := b.Sync(t.Context(), reg, SyncOptions{}); err == nil || !strings.Contains(err.Error(), "brand flat: reference image flat.png") {
		t.Errorf("err %v, want one naming the brand and image", err)
	}
	if n := len(readTopic(t, brokers, "brands")); n != 0 {
		t.Errorf("%d records published despite the error", n)
	}

	// A remote image is left to the matcher and reported.
	reg.Brands = reg.Brands[:1]
	rep, err := b.Sync(t.Context(), reg, SyncOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Remote) != 1 || rep.Count(Added) != 1 {
		t.Errorf("report %+v, want one remote image and one brand added", rep)
	}
}
