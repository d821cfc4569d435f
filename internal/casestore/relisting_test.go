package casestore

import (
	"context"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/stream"
)

func TestRelisting(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	put := func(c *stream.Candidate) *Case {
		t.Helper()
		if _, err := s.Put(ctx, []*stream.Candidate{c}); err != nil {
			t.Fatal(err)
		}
		cs, err := s.List(ctx, Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range cs {
			if x.ListingID == c.ListingID && x.BrandID == c.BrandID {
				return x
			}
		}
		t.Fatalf("case for %s not found", c.ListingID)
		return nil
	}
	orig := cand("mp-1", "fullips", "h1", 0.9)
	orig.Listing.Title = "Fuⅼⅼips Lip Plumper — 1:1!"
	orig.Images = []stream.ImageHash{{Ref: "a.jpg", Hash: "f0f0f0f0f0f0f0f0"}}
	first := put(orig)
	// Before confirmation nothing is a re-listing of it.
	early := cand("mp-0", "fullips", "h0", 0.9)
	early.Listing.Title = orig.Listing.Title
	if c := put(early); c.RelistingOf != 0 {
		t.Fatalf("linked to an unconfirmed case: %+v", c)
	}
	if err := s.Move(ctx, first.ID, Confirmed, "ana", ""); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		id     string
		seller string
		title  string
		hash   string
		brand  string
		want   bool
		reason string
	}{
		{"same seller, same title differently punctuated", "mp-2", "s-42", "fuⅼⅼips lip plumper 1:1", "0000000000000000", "fullips", true, "same seller, same title"},
		{"other seller, near photo", "mp-3", "s-77", "lip gloss", "f0f0f0f0f0f0f0f1", "fullips", true, "same photo (distance 1)"},
		{"other seller, other photo, other title", "mp-4", "s-77", "lip gloss", "0f0f0f0f0f0f0f0f", "fullips", false, ""},
		{"same photo, other brand", "mp-5", "s-42", "lip gloss", "f0f0f0f0f0f0f0f0", "dyson", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cand(tt.id, tt.brand, "h-"+tt.id, 0.8)
			c.Listing.Seller.ID = tt.seller
			c.Listing.Title = tt.title
			c.Images = []stream.ImageHash{{Ref: "x.jpg", Hash: tt.hash}}
			got := put(c)
			if (got.RelistingOf == first.ID) != tt.want {
				t.Fatalf("relisting_of %d, want linked=%v", got.RelistingOf, tt.want)
			}
			if !tt.want {
				return
			}
			h, err := s.History(ctx, got.ID)
			if err != nil {
				t.Fatal(err)
			}
			if last := h[len(h)-1]; last.Action != "relisting" || !strings.Contains(last.Reason, tt.reason) {
				t.Errorf("history %+v, want a relisting event saying %q", h, tt.reason)
			}
		})
	}
}
