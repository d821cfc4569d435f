package matcher

import (
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// TestCandidatesConsistent runs the demo's order — matcher first, then the
// brands (so every brand triggers a re-scan), then the listings — and checks
// that each candidate's evidence is about its own listing and brand.
func TestCandidatesConsistent(t *testing.T) {
	brokers := startBroker(t)
	want := batchVerdicts(t, nil)
	mt, _ := startMatcher(t, Options{Kafka: brokers, RetroScan: true})
	waitReady(t, mt)
	publishBrands(t, brokers, nil)
	for deadline := time.Now().Add(10 * time.Second); mt.reg.size() < 12 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	write(t, brokers, stream.DefaultTopics().Listings, fixtureListings(t, nil))
	got := candidates(t, brokers, 60*time.Second, hasAll(want))
	if !hasAll(want)(got) {
		t.Fatalf("%d of %d expected listings have candidates", len(got), len(want))
	}
	bad := 0
	for id, cs := range got {
		for _, c := range cs {
			for _, s := range c.Signals {
				if s.Kind == score.KindSeller && (!strings.Contains(s.Evidence, c.Listing.Seller.ID) || !strings.Contains(s.Evidence, c.BrandName)) {
					bad++
					if bad < 5 {
						t.Errorf("%s (retro %v) brand %s seller %s: %q", id, c.Retroactive, c.BrandName, c.Listing.Seller.ID, s.Evidence)
					}
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d inconsistent candidates", bad)
	}
}
