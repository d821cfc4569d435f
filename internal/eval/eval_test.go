package eval

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/scan"
	"github.com/assay-dev/assay/internal/score"
)

// The floors the issue sets for the labelled fixtures.
const (
	minPrecision    = 0.95
	minRecall       = 0.90
	minTacticRecall = 0.80
)

// TestFixtureFloors scores the labelled sets and holds the matcher to the
// floors: the generated fixtures overall and per tactic, the hand-written
// holdout set (too few listings per tactic for a per-tactic floor) overall.
func TestFixtureFloors(t *testing.T) {
	for _, tc := range []struct {
		dir        string
		minListing int
		perTactic  bool
	}{
		{dir: filepath.Join("..", "..", "fixtures"), minListing: 600, perTactic: true},
		{dir: filepath.Join("..", "..", "fixtures", "holdout"), minListing: 200},
	} {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			rep := evaluateDir(t, tc.dir)
			if rep.Listings < tc.minListing {
				t.Errorf("%d listings, want at least %d", rep.Listings, tc.minListing)
			}
			if rep.Precision < minPrecision {
				t.Errorf("precision %.3f < %.2f", rep.Precision, minPrecision)
			}
			if rep.Recall < minRecall {
				t.Errorf("recall %.3f < %.2f", rep.Recall, minRecall)
			}
			if !tc.perTactic {
				return
			}
			if len(rep.Tactics) < 10 {
				t.Errorf("only %d tactics labelled", len(rep.Tactics))
			}
			for _, k := range Keys(rep.Tactics) {
				if r := rep.Tactics[k]; r.Rate < minTacticRecall {
					t.Errorf("tactic %s: recall %.3f (%d/%d) < %.2f", k, r.Rate, r.Hits, r.Total, minTacticRecall)
				}
			}
		})
	}
}

func evaluateDir(t *testing.T, dir string) *Report {
	t.Helper()
	reg, err := brand.LoadFile(filepath.Join(dir, "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := score.New(reg, score.Options{})
	if err != nil {
		t.Fatal(err)
	}
	labels, err := ReadLabelsFile(filepath.Join(dir, "labels.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, "listings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rejects strings.Builder
	rep, err := Run(context.Background(), eng, []scan.Source{{Name: "listings.jsonl", R: f, Dir: dir}}, labels, &rejects)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep.WriteText(&out, true)
	t.Log("\n" + out.String())
	if rep.Rejected > 0 || rep.Unlabelled > 0 {
		t.Errorf("rejected %d, unlabelled %d: the set should be whole and fully labelled\n%s", rep.Rejected, rep.Unlabelled, rejects.String())
	}
	return rep
}

func TestReport(t *testing.T) {
	r := &Report{Tactics: map[string]*Rate{}, Transforms: map[string]*Rate{}, NegativeClasses: map[string]*Rate{}}
	pos := Label{ListingID: "p", Counterfeit: true, BrandID: "a", Tactics: []string{"spaced"}, ImageTransform: "mirror"}
	neg := Label{ListingID: "n", BrandID: "a", NegativeClass: "accessory"}
	for _, c := range []struct {
		lab Label
		v   score.Verdict
	}{
		{pos, score.Verdict{Flagged: true, BrandID: "a"}},  // TP
		{pos, score.Verdict{Flagged: true, BrandID: "b"}},  // wrong brand: FP and FN
		{pos, score.Verdict{Flagged: false, BrandID: "a"}}, // FN
		{neg, score.Verdict{Flagged: true, BrandID: "a"}},  // FP
		{neg, score.Verdict{}},                             // TN
	} {
		r.add(c.lab, &listing.Listing{ID: c.lab.ListingID, Title: "t"}, c.v)
	}
	r.finish()
	if r.TruePositives != 1 || r.FalsePositives != 2 || r.FalseNegatives != 2 || r.TrueNegatives != 1 || r.WrongBrand != 1 {
		t.Fatalf("counts TP %d FP %d FN %d TN %d wrong %d", r.TruePositives, r.FalsePositives, r.FalseNegatives, r.TrueNegatives, r.WrongBrand)
	}
	if got := r.Tactics["spaced"]; got.Hits != 1 || got.Total != 3 {
		t.Errorf("spaced recall %d/%d, want 1/3", got.Hits, got.Total)
	}
	if got := r.NegativeClasses["accessory"]; got.Hits != 1 || got.Total != 2 {
		t.Errorf("accessory false flags %d/%d, want 1/2", got.Hits, got.Total)
	}
	if want := 1.0 / 3; r.Precision != want || r.Recall != want {
		t.Errorf("precision %.3f recall %.3f, want %.3f", r.Precision, r.Recall, want)
	}
	r.WriteText(io.Discard, true)
}
