package casestore

import (
	"context"
	"slices"
	"testing"

	"github.com/assay-dev/assay/internal/stream"
)

// TestScope: every list a brand owner reads is cut to their brands in SQL:
// cases, the brands filter, a seller's cases, counts and network, notices
// and what is ready for one. Seller s-42 sells both brands and shares a
// photo across them, so an unscoped answer would show the other brand.
func TestScope(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	cands := []*stream.Candidate{cand("mp-1", "fullips", "h1", 0.9), cand("mp-2", "dyson", "h2", 0.8)}
	other := cand("mp-3", "dyson", "h3", 0.7)
	other.Listing.Seller.ID = "s-77"
	cands = append(cands, other)
	if _, err := s.Put(ctx, cands); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{1, 2, 3} {
		if err := s.Move(ctx, id, Confirmed, "ana", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddNotice(ctx, &Notice{ID: "dyson-shopnet-1", BrandID: "dyson", Marketplace: "shopnet", Part: 1, Parts: 1, CreatedBy: "ana", Body: []byte(`{}`)}, []int64{2}); err != nil {
		t.Fatal(err)
	}
	brandsOf := func(cs []*Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.BrandID)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		scope   Scope
		cases   []string
		brands  []string
		seller  int
		network []string
		notices int
		ready   int
		fullips bool
	}{
		{"all", Scope{}, []string{"fullips", "dyson", "dyson"}, []string{"dyson", "fullips"}, 2, []string{"s-77"}, 1, 2, true},
		{"fullips", Only("fullips"), []string{"fullips"}, []string{"fullips"}, 1, nil, 0, 1, true},
		{"dyson", Only("dyson"), []string{"dyson", "dyson"}, []string{"dyson"}, 1, []string{"s-77"}, 1, 1, false},
		{"none", Only(), nil, nil, 0, nil, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs, err := s.List(ctx, Filter{Scope: tc.scope})
			if err != nil || !slices.Equal(brandsOf(cs), tc.cases) {
				t.Errorf("List: %v %v, want %v", brandsOf(cs), err, tc.cases)
			}
			if b, err := s.Brands(ctx, tc.scope); err != nil || !slices.Equal(b, tc.brands) {
				t.Errorf("Brands: %v %v, want %v", b, err, tc.brands)
			}
			r, err := s.Seller(ctx, "s-42", 0, tc.scope)
			if err != nil || len(r.Cases) != tc.seller || !slices.Equal(r.Network, tc.network) {
				t.Errorf("Seller: %d cases, network %v, %v; want %d and %v", len(r.Cases), r.Network, err, tc.seller, tc.network)
			}
			if n, up, err := s.SellerCounts(ctx, "s-42", tc.scope); err != nil || n != tc.seller || up != tc.seller {
				t.Errorf("SellerCounts: %d %d %v, want %d", n, up, err, tc.seller)
			}
			if ns, err := s.Notices(ctx, "", tc.scope); err != nil || len(ns) != tc.notices {
				t.Errorf("Notices: %d %v, want %d", len(ns), err, tc.notices)
			}
			if rg, err := s.Ready(ctx, tc.scope); err != nil || len(rg) != tc.ready {
				t.Errorf("Ready: %v %v, want %d groups", rg, err, tc.ready)
			}
			if cs, err := s.List(ctx, Filter{BrandID: "fullips", Scope: tc.scope}); err != nil || (len(cs) > 0) != tc.fullips {
				t.Errorf("List of fullips: %d cases %v, want some: %v", len(cs), err, tc.fullips)
			}
		})
	}
	if b, err := s.CaseBrand(ctx, 2); err != nil || b != "dyson" {
		t.Errorf("CaseBrand(2) = %q, %v", b, err)
	}
	if _, err := s.CaseBrand(ctx, 9); err == nil {
		t.Error("CaseBrand of a missing case: no error")
	}
	if b, err := s.NoticeBrand(ctx, "dyson-shopnet-1"); err != nil || b != "dyson" {
		t.Errorf("NoticeBrand = %q, %v", b, err)
	}
}
