package casestore

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

func openTest(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cases.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func cand(id, brand, hash string, sc float64) *stream.Candidate {
	return &stream.Candidate{
		Verdict: score.Verdict{ListingID: id, Flagged: true, BrandID: brand, Score: sc,
			Signals: []score.Signal{{Kind: "text", Score: 0.75, Evidence: "title has 'Fuⅼⅼips'"}}},
		Listing: &listing.Listing{ID: id, Title: "Fuⅼⅼips gloss " + hash, Marketplace: "shopnet",
			Price: &price.Money{Amount: 3, Currency: "USD"}, Seller: listing.Seller{ID: "s-42", Name: "Cheap 88"}},
		ContentHash: hash, ScoredAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC),
		Images: []stream.ImageHash{{Ref: "https://img.example/" + id + ".jpg", Hash: "8f3c0a1b2c3d4e5f"}},
	}
}

func TestPut(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	steps := []struct {
		c    *stream.Candidate
		want Result
	}{
		{cand("mp-1", "fullips", "h1", 0.9), Created},
		{cand("mp-1", "fullips", "h1", 0.9), Duplicate},
		{cand("mp-1", "fullips", "h2", 0.95), Rescored},
		{cand("mp-1", "dyson", "h2", 0.8), Created},
		{cand("mp-2", "fullips", "h3", 0.7), Created},
	}
	for i, st := range steps {
		res, err := s.Put(ctx, []*stream.Candidate{st.c})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if res[0] != st.want {
			t.Errorf("step %d (%s/%s %s): result %v, want %v", i, st.c.ListingID, st.c.BrandID, st.c.ContentHash, res[0], st.want)
		}
	}
	cases, err := s.List(ctx, Filter{BrandID: "fullips"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].ListingID != "mp-1" || cases[0].Score != 0.95 || cases[0].ContentHash != "h2" || cases[0].Status != New ||
		len(cases[0].Images) != 1 || cases[0].Images[0].Hash != "8f3c0a1b2c3d4e5f" {
		t.Fatalf("fullips cases: %+v", cases)
	}
	snaps, err := s.Snapshots(ctx, cases[0].ID)
	if err != nil || len(snaps) != 2 || !strings.Contains(string(snaps[0]), "h1") {
		t.Errorf("snapshots %s, %v: want both versions, oldest first", snaps, err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
	// Everything survives a reopen, and migrations are not applied twice.
	s.Close()
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if v, err := s2.SchemaVersion(ctx); err != nil || v != 5 {
		t.Errorf("schema version %d, %v", v, err)
	}
	counts, err := s2.Counts(ctx, "")
	if err != nil || counts[New] != 3 {
		t.Errorf("counts %v, %v: want 3 new cases", counts, err)
	}
}

func TestMove(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	if _, err := s.Put(ctx, []*stream.Candidate{cand("mp-1", "fullips", "h1", 0.9)}); err != nil {
		t.Fatal(err)
	}
	c, err := s.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	id := c[0].ID
	steps := []struct {
		to    Status
		legal bool
	}{
		{Removed, false},
		{Confirmed, true},
		{New, false},
		{InNotice, true},
		{CounterNoticed, true},
		{Confirmed, false},
		{Reinstated, true},
		{InNotice, true},
		{Removed, true},
	}
	for _, st := range steps {
		err := s.Move(ctx, id, st.to, "ana", "checked "+string(st.to))
		if st.legal && err != nil {
			t.Fatalf("move to %s: %v", st.to, err)
		}
		if !st.legal {
			if !errors.Is(err, ErrTransition) || !strings.Contains(err.Error(), "allowed from") {
				t.Fatalf("move to %s: err %v, want ErrTransition naming the allowed moves", st.to, err)
			}
		}
	}
	got, err := s.Get(ctx, id)
	if err != nil || got.Status != Removed {
		t.Fatalf("status %v, %v", got, err)
	}
	h, err := s.History(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	// flagged + 6 legal moves, each with actor and reason.
	if len(h) != 7 || h[0].Action != "flagged" || h[1].FromStatus != New || h[1].ToStatus != Confirmed || h[1].Actor != "ana" || h[1].Reason != "checked confirmed" {
		t.Fatalf("history %+v", h)
	}
	if err := s.Move(ctx, 999, Confirmed, "ana", ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
	if err := s.Move(ctx, id, CounterNoticed, "", ""); err == nil {
		t.Error("a move without an actor was accepted")
	}
	if _, err := ParseStatus("closed"); err == nil || !strings.Contains(err.Error(), "known:") {
		t.Errorf("ParseStatus: %v", err)
	}
}

func TestPutRejectsIncomplete(t *testing.T) {
	s, _ := openTest(t)
	bad := cand("mp-1", "fullips", "h1", 0.9)
	bad.Listing = nil
	if _, err := s.Put(context.Background(), []*stream.Candidate{cand("mp-0", "fullips", "h0", 0.9), bad}); err == nil {
		t.Fatal("candidate without a snapshot stored")
	}
	// The batch is one transaction: the good one was rolled back too.
	if c, _ := s.List(context.Background(), Filter{}); len(c) != 0 {
		t.Errorf("%d cases after a failed batch, want 0", len(c))
	}
}
