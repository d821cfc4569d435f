package casestore

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/stream"
)

// talliesFixture builds, through the Store's own API, two brands' worth of
// decisions, notices, outcomes and a re-listing; every case was flagged two
// hours ago except d-2, flagged "in an hour" by a clock running ahead.
func talliesFixture(t testing.TB, s *Store) {
	t.Helper()
	ctx := context.Background()
	flagged := time.Now().UTC().Add(-2 * time.Hour)
	specs := []struct{ listing, brand, seller string }{
		{"mp-1", "fullips", "s-1"}, {"mp-2", "fullips", "s-1"}, {"mp-3", "fullips", "s-1"}, {"mp-4", "fullips", "s-1"},
		{"mp-5", "fullips", "s-2"}, {"mp-7", "fullips", "s-2"}, {"d-1", "dyson", "s-1"}, {"d-2", "dyson", "s-3"},
	}
	var cands []*stream.Candidate
	for i, sp := range specs {
		c := cand(sp.listing, sp.brand, "h-"+sp.listing, 0.9)
		c.Listing.Seller.ID = sp.seller
		c.ScoredAt = flagged
		if sp.listing == "d-2" {
			c.ScoredAt = time.Now().UTC().Add(time.Hour)
		}
		c.Images = []stream.ImageHash{{Ref: sp.listing + ".jpg", Hash: fmt.Sprintf("%016x", uint64(i+1)<<56)}}
		cands = append(cands, c)
	}
	if _, err := s.Put(ctx, cands); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	all, err := s.List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		ids[c.ListingID] = c.ID
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []struct {
		listing string
		to      Status
	}{
		{"mp-1", Confirmed}, {"mp-2", Confirmed}, {"mp-3", Confirmed},
		{"mp-4", Dismissed}, {"mp-4", New}, {"mp-4", Confirmed}, // reopened, decided twice
		{"mp-7", Dismissed}, {"d-1", Confirmed}, {"d-2", Dismissed},
	} {
		must(s.Move(ctx, ids[m.listing], m.to, "ana", ""))
	}
	n1 := &Notice{ID: "fullips-shopnet-1", BrandID: "fullips", Marketplace: "shopnet", Part: 1, Parts: 1, CreatedBy: "ana", Body: []byte(`{}`)}
	must(s.AddNotice(ctx, n1, []int64{ids["mp-1"], ids["mp-2"], ids["mp-3"]}))
	n2 := &Notice{ID: "fullips-shopnet-2", BrandID: "fullips", Marketplace: "shopnet", Part: 1, Parts: 1, CreatedBy: "ana", Body: []byte(`{}`)}
	must(s.AddNotice(ctx, n2, []int64{ids["mp-4"]})) // never marked sent
	for _, o := range []struct {
		listing string
		outcome Outcome
	}{
		{"mp-1", OutcomeRemoved}, {"mp-1", OutcomeCounterNoticed}, {"mp-1", OutcomeRemoved},
		{"mp-2", OutcomeRejected}, {"mp-3", OutcomeCounterNoticed}, {"mp-3", OutcomeReinstated},
	} {
		must(s.SetOutcome(ctx, n1.ID, ids[o.listing], o.outcome, "ana", ""))
	}
	// The same seller and title as mp-1, confirmed: a re-listing.
	relist := cand("mp-6", "fullips", "h-mp-1", 0.9)
	relist.Listing.Seller.ID = "s-1"
	relist.ScoredAt = flagged
	relist.Images = nil
	if _, err := s.Put(ctx, []*stream.Candidate{relist}); err != nil {
		t.Fatal(err)
	}
}

func TestTallies(t *testing.T) {
	s, _ := openTest(t)
	ctx := context.Background()
	talliesFixture(t, s)
	got, err := s.Tallies(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	zeroCases := func(m map[Status]int) map[Status]int {
		out := map[Status]int{New: 0, Confirmed: 0, Dismissed: 0, InNotice: 0, Removed: 0, Rejected: 0, CounterNoticed: 0, Reinstated: 0}
		maps.Copy(out, m)
		return out
	}
	want := map[string]*BrandTally{
		"fullips": {
			Cases:      zeroCases(map[Status]int{New: 2, Dismissed: 1, InNotice: 1, Removed: 1, Rejected: 1, Reinstated: 1}),
			Decisions:  map[Status]int{Confirmed: 4, Dismissed: 2},
			Notices:    2,
			Outcomes:   map[Outcome]int{Submitted: 3, OutcomeRemoved: 2, OutcomeRejected: 1, OutcomeCounterNoticed: 2, OutcomeReinstated: 1},
			Relistings: 1,
		},
		"dyson": {
			Cases:     zeroCases(map[Status]int{Confirmed: 1, Dismissed: 1}),
			Decisions: map[Status]int{Confirmed: 1, Dismissed: 1},
			Outcomes:  map[Outcome]int{Submitted: 0, OutcomeRemoved: 0, OutcomeRejected: 0, OutcomeCounterNoticed: 0, OutcomeReinstated: 0},
		},
	}
	if len(got.Brands) != len(want) {
		t.Fatalf("brands %v, want fullips and dyson", slices.Sorted(maps.Keys(got.Brands)))
	}
	for brand, w := range want {
		t.Run(brand, func(t *testing.T) {
			g := got.Brands[brand]
			if g == nil {
				t.Fatal("missing")
			}
			if !maps.Equal(g.Cases, w.Cases) {
				t.Errorf("cases %v, want %v", g.Cases, w.Cases)
			}
			if !maps.Equal(g.Decisions, w.Decisions) {
				t.Errorf("decisions %v, want %v", g.Decisions, w.Decisions)
			}
			if g.Notices != w.Notices || g.Relistings != w.Relistings {
				t.Errorf("notices %d relistings %d, want %d %d", g.Notices, g.Relistings, w.Notices, w.Relistings)
			}
			if !maps.Equal(g.Outcomes, w.Outcomes) {
				t.Errorf("outcomes %v, want %v", g.Outcomes, w.Outcomes)
			}
		})
	}
	for _, tc := range []struct {
		brand string
		ratio float64
	}{{"fullips", 4.0 / 5}, {"dyson", 0.5}} {
		if r, ok := got.Brands[tc.brand].Acceptance(); !ok || r != tc.ratio {
			t.Errorf("%s acceptance %v %v, want %v", tc.brand, r, ok, tc.ratio)
		}
	}
	// Seven decided cases, but d-2's flag is later than its decision.
	if len(got.DecisionSeconds) != 6 || len(got.TakedownSeconds) != 1 {
		t.Fatalf("%d decision and %d takedown durations, want 6 and 1", len(got.DecisionSeconds), len(got.TakedownSeconds))
	}
	for _, d := range append(got.DecisionSeconds, got.TakedownSeconds...) {
		if math.Abs(d-7200) > 60 {
			t.Errorf("duration %.1fs, want about two hours", d)
		}
	}
	for _, tc := range []struct {
		strikes, want int
	}{{0, 1}, {3, 1}, {5, 1}, {6, 0}, {1, 1}} { // s-1 has 5 upheld cases; s-2 and s-3 none
		if got, err := s.Tallies(ctx, tc.strikes); err != nil || got.RepeatInfringers != tc.want {
			t.Errorf("strikes %d: %v repeat infringers, %v; want %d", tc.strikes, got.RepeatInfringers, err, tc.want)
		}
	}
}

func TestTalliesEmpty(t *testing.T) {
	s, _ := openTest(t)
	got, err := s.Tallies(context.Background(), 0)
	if err != nil || len(got.Brands) != 0 || got.RepeatInfringers != 0 || len(got.DecisionSeconds) != 0 {
		t.Errorf("empty store: %+v, %v", got, err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Error(err)
	}
	s.Close()
	if _, err := s.Tallies(context.Background(), 0); err == nil {
		t.Error("Tallies on a closed store succeeded")
	}
	if err := s.Ping(context.Background()); err == nil {
		t.Error("Ping on a closed store succeeded")
	}
}

// BenchmarkTallies measures one Tallies call on 20,000 cases of 20 brands
// of 20 brands, three quarters of them decided, and 30 notices of 50
// listings each.
func BenchmarkTallies(b *testing.B) {
	path := b.TempDir() + "/cases.db"
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	const n = 20000
	for start := 0; start < n; start += 1000 {
		var cands []*stream.Candidate
		for i := start; i < start+1000; i++ {
			c := cand(fmt.Sprintf("mp-%d", i), fmt.Sprintf("brand-%d", i%20), fmt.Sprintf("h-%d", i), 0.9)
			c.Listing.Seller.ID = fmt.Sprintf("s-%d", i%3000)
			c.ScoredAt = time.Now().UTC().Add(-time.Duration(i) * time.Minute)
			cands = append(cands, c)
		}
		if _, err := s.Put(ctx, cands); err != nil {
			b.Fatal(err)
		}
	}
	// Decide most cases in one transaction with the workflow's own move.
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	for id := int64(1); id <= n; id++ {
		to := Confirmed
		switch id % 4 {
		case 0:
			continue
		case 1:
			to = Dismissed
		}
		if err := move(ctx, tx, id, to, "ana", ""); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	for k := range 60 {
		brand := fmt.Sprintf("brand-%d", k%20)
		cases, err := s.List(ctx, Filter{BrandID: brand, Status: Confirmed, Limit: 50})
		if err != nil {
			b.Fatal(err)
		}
		if len(cases) == 0 {
			continue // a brand whose cases are all new or dismissed
		}
		var ids []int64
		for _, c := range cases {
			ids = append(ids, c.ID)
		}
		id := fmt.Sprintf("n-%d", k)
		if err := s.AddNotice(ctx, &Notice{ID: id, BrandID: brand, Marketplace: "shopnet", Part: 1, Parts: 1, CreatedBy: "ana", Body: []byte(`{}`)}, ids); err != nil {
			b.Fatal(err)
		}
		if err := s.SetOutcome(ctx, id, ids[0], OutcomeRemoved, "ana", ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Tallies(ctx, 0); err != nil {
			b.Fatal(err)
		}
	}
}
