package casesearch

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

func TestSearch(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	store, err := casestore.Open(ctx, filepath.Join(dir, "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	put := func(id, brand, title, seller, evidence string) {
		c := &stream.Candidate{
			Verdict: score.Verdict{ListingID: id, Flagged: true, BrandID: brand, Score: 0.9, Signals: []score.Signal{{Kind: "text", Score: 0.75, Evidence: evidence}}},
			Listing: &listing.Listing{ID: id, Title: title, Marketplace: "shopnet", Seller: listing.Seller{ID: seller, Name: "Cheap Store"}}, ContentHash: id, ScoredAt: time.Now(),
		}
		if _, err := store.Put(ctx, []*stream.Candidate{c}); err != nil {
			t.Fatal(err)
		}
	}
	put("mp-1", "fullips", "Lip plumper gloss", "s-1", "title has 'Fuⅼⅼips' (confusable of Fullips)")
	put("mp-2", "dyson", "Cordless vacuum V11", "s-2", "counterfeit coded language: 'replica'")
	ix, err := Open(filepath.Join(dir, "cases.search"), store)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    string
		want []int64
	}{
		{"vacuum", []int64{2}},
		{"confusable", []int64{1}},
		{"replica", []int64{2}},
		{`"s-1"`, []int64{1}},
		{"brand:dyson", []int64{2}},
		{"nothing-like-this", nil},
	}
	for _, tt := range tests {
		got, err := ix.Search(ctx, tt.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q = %v, want %v", tt.q, got, tt.want)
		}
	}
	// A case stored later is found without reopening; the index persists.
	put("mp-3", "fullips", "Lip liner set", "s-3", "seller s-3 not authorized")
	if got, _ := ix.Search(ctx, "liner", 10); !slices.Equal(got, []int64{3}) {
		t.Errorf("new case not found: %v", got)
	}
	ix.Close()
	ix2, err := Open(filepath.Join(dir, "cases.search"), store)
	if err != nil {
		t.Fatal(err)
	}
	defer ix2.Close()
	if got, _ := ix2.Search(ctx, "vacuum", 10); !slices.Equal(got, []int64{2}) {
		t.Errorf("after reopen: %v", got)
	}
	// What analysts copy from listings is often not query syntax: it is
	// searched for as written, never refused.
	put("mp-4", "coach", "AAA 1:1 mirror tote", "s-4", "counterfeit coded language: '1:1'")
	for _, q := range []string{"1:1", `"AAA 1:1`, "AAA (1:1", "1:1 mirror"} {
		got, err := ix2.Search(ctx, q, 10)
		if err != nil || !slices.Equal(got, []int64{4}) {
			t.Errorf("search %q = %v, %v; want [4]", q, got, err)
		}
	}
}
