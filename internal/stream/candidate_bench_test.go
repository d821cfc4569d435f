package stream

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
)

// BenchmarkCandidateMessage encodes the flagged golden verdicts of package
// score with their fixture listings, as the matcher publishes them.
func BenchmarkCandidateMessage(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "listings.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	listings := map[string]*listing.Listing{}
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		l, err := listing.Decode(line)
		if err != nil {
			b.Fatal(err)
		}
		listings[l.ID] = l
	}
	golden, err := os.ReadFile(filepath.Join("..", "score", "testdata", "verdicts.golden"))
	if err != nil {
		b.Fatal(err)
	}
	var cs []*Candidate
	for _, line := range bytes.Split(bytes.TrimSpace(golden), []byte("\n")) {
		var v score.Verdict
		if err := json.Unmarshal(line, &v); err != nil {
			b.Fatal(err)
		}
		if l := listings[v.ListingID]; l != nil && v.Flagged {
			cs = append(cs, &Candidate{Verdict: v, Listing: l, ContentHash: "0123456789abcdef0123456789abcdef",
				ScoredAt: time.Date(2026, 11, 22, 20, 0, 0, 123456789, time.UTC)})
		}
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := CandidateMessage(cs[i%len(cs)]); err != nil {
			b.Fatal(err)
		}
	}
}
