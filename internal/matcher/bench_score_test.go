package matcher

import (
	"testing"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
)

// BenchmarkScoreStreamCorpus is the scoring half of BenchmarkStream without
// the broker: decode and score BenchmarkStream's listings against the
// fixture registry, on one core.
func BenchmarkScoreStreamCorpus(b *testing.B) {
	eng := fixtureEngine(b, nil, score.Options{FlaggedEvidenceOnly: true})
	corpus := benchCorpus(b, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		l, err := listing.Decode(corpus[i%len(corpus)])
		if err != nil {
			b.Fatal(err)
		}
		_ = eng.Score(l, nil)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
}
