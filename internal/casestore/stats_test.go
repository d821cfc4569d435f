package casestore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/stream"
)

func TestSellerAndBrand(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	// s-1 and s-2 share photo A (both confirmed), s-2 and s-3 share photo B
	// (not confirmed). s-4 has a photo of its own.
	specs := []struct {
		listing, seller, photo string
		day                    int
	}{
		{"mp-1", "s-1", "aaaaaaaaaaaaaaaa", 1}, {"mp-2", "s-1", "cccccccccccccccc", 1}, {"mp-3", "s-1", "dddddddddddddddd", 3},
		{"mp-4", "s-2", "aaaaaaaaaaaaaaaa", 3}, {"mp-5", "s-2", "bbbbbbbbbbbbbbbb", 4},
		{"mp-6", "s-3", "bbbbbbbbbbbbbbbb", 4}, {"mp-7", "s-4", "eeeeeeeeeeeeeeee", 4},
	}
	for _, sp := range specs {
		c := cand(sp.listing, "fullips", "h-"+sp.listing, 0.9)
		c.Listing.Seller.ID = sp.seller
		c.ScoredAt = time.Date(2026, 11, sp.day, 12, 0, 0, 0, time.UTC)
		c.Images = []stream.ImageHash{{Ref: sp.photo + ".jpg", Hash: sp.photo}}
		if _, err := s.Put(ctx, []*stream.Candidate{c}); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]int64{}
	all, _ := s.List(ctx, Filter{})
	for _, c := range all {
		ids[c.ListingID] = c.ID
	}
	for _, l := range []string{"mp-1", "mp-2", "mp-3", "mp-4"} {
		if err := s.Move(ctx, ids[l], Confirmed, "ana", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Move(ctx, ids["mp-5"], Dismissed, "ana", ""); err != nil {
		t.Fatal(err)
	}
	for _, to := range []Status{InNotice, Removed} {
		if err := s.Move(ctx, ids["mp-1"], to, "ana", ""); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		seller    string
		confirmed int
		repeat    bool
		network   []string
	}{
		// Only confirmed photos link: s-2's photo B was dismissed and
		// s-3's is still new, so s-3 stays out.
		{"s-1", 3, true, []string{"s-2"}},
		{"s-2", 1, false, []string{"s-1"}},
		{"s-3", 0, false, nil},
		{"s-4", 0, false, nil},
		{"s-9", 0, false, nil},
	} {
		t.Run(tc.seller, func(t *testing.T) {
			r, err := s.Seller(ctx, tc.seller, 0, Scope{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Confirmed != tc.confirmed || r.RepeatOffender != tc.repeat || !slices.Equal(r.Network, tc.network) {
				t.Errorf("confirmed %d repeat %v network %v; want %d %v %v", r.Confirmed, r.RepeatOffender, r.Network, tc.confirmed, tc.repeat, tc.network)
			}
		})
	}

	// Confirming the listings with photo B links s-3 to s-1 through s-2.
	for _, step := range []struct {
		l  string
		to Status
	}{{"mp-5", New}, {"mp-5", Confirmed}, {"mp-6", Confirmed}} {
		if err := s.Move(ctx, ids[step.l], step.to, "ana", ""); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := s.Seller(ctx, "s-3", 0, Scope{}); err != nil || !slices.Equal(r.Network, []string{"s-1", "s-2"}) {
		t.Errorf("s-3 network %v, %v; want [s-1 s-2] (transitive)", r.Network, err)
	}

	b, err := s.Brand(ctx, "fullips")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(b.FlagsPerDay); got != "[{2026-11-01 2} {2026-11-02 0} {2026-11-03 2} {2026-11-04 3}]" {
		t.Errorf("flags per day %s", got)
	}
	if b.TopSellers[0] != (SellerCount{"s-1", 3}) {
		t.Errorf("top sellers %v", b.TopSellers)
	}
	if b.AcceptanceRate != 1 {
		t.Errorf("acceptance rate %v, want 6/6", b.AcceptanceRate)
	}
	if b.MedianToDecision <= 0 || b.MedianToTakedown <= 0 {
		t.Errorf("medians %v %v", b.MedianToDecision, b.MedianToTakedown)
	}
}

// TestNetworkByContact links sellers that share an email (any case) or a
// phone number, whatever its punctuation, and not by placeholders.
func TestNetworkByContact(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	contacts := map[string]*listing.Contact{
		"s-1": {Email: "Shop@Example.com"},
		"s-2": {Email: "shop@example.com ", Phone: "+1 (555) 010-0999"},
		"s-3": {Phone: "15550100999"},
		"s-4": {Phone: "000000"},
		"s-5": {Phone: "n/a"},
		"s-6": nil,
		"s-7": {Phone: "000000"},
	}
	var cands []*stream.Candidate
	for seller, c := range contacts {
		cd := cand("mp-"+seller, "fullips", "h", 0.9)
		cd.Listing.Seller = listing.Seller{ID: seller, Contact: c}
		cd.Images = nil
		cands = append(cands, cd)
	}
	if _, err := s.Put(ctx, cands); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		seller string
		want   string
	}{
		{"s-1", "s-2,s-3"},
		{"s-3", "s-1,s-2"},
		{"s-4", ""},
		{"s-5", ""},
		{"s-6", ""},
	} {
		t.Run(tc.seller, func(t *testing.T) {
			r, err := s.Seller(ctx, tc.seller, 0, Scope{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(r.Network, ","); got != tc.want {
				t.Errorf("network %q, want %q", got, tc.want)
			}
			if tc.want != "" && len(r.Links) != 2 {
				t.Errorf("links %+v, want the two edges of the group", r.Links)
			}
		})
	}
	r, _ := s.Seller(ctx, "s-1", 0, Scope{})
	var vias []string
	for _, l := range r.Links {
		vias = append(vias, l.Via)
	}
	slices.Sort(vias)
	if want := "same email shop@example.com,same phone 15550100999"; strings.Join(vias, ",") != want {
		t.Errorf("links via %q, want %q", strings.Join(vias, ","), want)
	}
}
