package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

func TestSummary(t *testing.T) {
	in := `{"listing_id":"a","flagged":true,"brand_id":"fullips","score":0.9,"signals":[{"kind":"text","score":0.75,"evidence":"x"}]}
{"listing_id":"b","flagged":true,"brand_id":"fullips","score":0.7,"signals":[{"kind":"price","score":0.6,"evidence":"x"}]}
{"listing_id":"c","flagged":false,"brand_id":"dyson","score":0.2,"signals":[]}
not a verdict
{"listing_id":"d","flagged":true,"brand_id":"dyson","score":0.95,"signals":[{"kind":"image","score":0.85,"evidence":"x"}]}
`
	var out, errw strings.Builder
	if got := run([]string{"summary"}, strings.NewReader(in), &out, &errw); got != 1 {
		t.Errorf("status %d, want 1 for the unreadable line", got)
	}
	if !strings.Contains(errw.String(), "<stdin>:4: not a verdict") {
		t.Errorf("stderr %q", errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "fullips") || !strings.Contains(lines[1], "2") || !strings.Contains(lines[1], "0.80") || !strings.HasPrefix(lines[2], "dyson") {
		t.Errorf("summary:\n%s", out.String())
	}
}

func TestCasesAndMove(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cases.db")
	store, err := casestore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	c := &stream.Candidate{
		Verdict: score.Verdict{ListingID: "mp-7", Flagged: true, BrandID: "fullips", Score: 0.93},
		Listing: &listing.Listing{ID: "mp-7", Title: "Fuⅼⅼips gloss", Seller: listing.Seller{ID: "s-42"}}, ContentHash: "h",
	}
	if _, err := store.Put(context.Background(), []*stream.Candidate{c}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	tests := []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{[]string{"cases", "--db", db}, 0, "mp-7", ""},
		{[]string{"cases", "--db", db, "--status", "bogus"}, 2, "", "unknown status"},
		{[]string{"move", "--db", db, "--actor", "ana", "1", "removed"}, 1, "", "not allowed: from new to removed"},
		{[]string{"move", "--db", db, "--actor", "ana", "--reason", "logo copied", "1", "confirmed"}, 0, "case 1 is now confirmed", ""},
		{[]string{"move", "--db", db, "1", "confirmed"}, 2, "", "Usage"},
		{[]string{"move", "--db", db, "--actor", "ana", "9", "confirmed"}, 1, "", "case not found"},
		{[]string{"cases", "--db", db, "--status", "confirmed"}, 0, "confirmed", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errw strings.Builder
			if got := run(tt.args, strings.NewReader(""), &out, &errw); got != tt.status {
				t.Errorf("status %d, want %d (stderr %s)", got, tt.status, errw.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errw.String(), tt.stderr) {
				t.Errorf("stdout %q stderr %q, want %q and %q", out.String(), errw.String(), tt.stdout, tt.stderr)
			}
		})
	}
}
