package matcher

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// TestMetrics checks what operators alert on: per-brand flag counters that
// exist at 0 from registration (so the first burst shows in a rate) and
// vanish with the brand, flags by signal kind, and the group's lag read
// from the broker.
func TestMetrics(t *testing.T) {
	brokers := startBroker(t)
	keep := func(id string) bool { return id == "fullips" || id == "dyson" }
	publishBrands(t, brokers, keep)
	mt, _ := startMatcher(t, Options{Kafka: brokers, LagInterval: 50 * time.Millisecond, RetroScan: false})
	waitReady(t, mt)
	reg := mt.opts.Registerer.(*prometheus.Registry)

	// Read through the registry: WithLabelValues would create the series.
	if got := gatherVec(t, reg, "assay_matcher_listings_flagged_total"); len(got) != 2 || got["fullips"] != 0 || got["dyson"] != 0 {
		t.Fatalf("flagged series before any listing: %v, want fullips and dyson at 0", got)
	}

	want := batchVerdicts(t, keep)
	perBrand := map[string]int{}
	for _, v := range want {
		perBrand[v.BrandID]++
	}
	msgs := fixtureListings(t, nil)
	write(t, brokers, stream.DefaultTopics().Listings, msgs)
	waitScored(t, len(msgs), mt)

	for b, n := range perBrand {
		if got := testutil.ToFloat64(mt.m.flagged.WithLabelValues(b)); got != float64(n) {
			t.Errorf("flagged{%s} = %v, the batch scan flags %d", b, got, n)
		}
	}
	// Each flagged listing counts once per kind of signal that weighed in.
	perSignal := map[string]float64{}
	for _, v := range want {
		kinds := map[string]bool{}
		for _, s := range v.Signals {
			if s.Score > 0 && !kinds[s.Kind] {
				kinds[s.Kind] = true
				perSignal[v.BrandID+","+s.Kind]++
			}
		}
	}
	if perSignal["fullips,text"] == 0 {
		t.Fatal("no fullips listing flagged on its text: the check below would prove little")
	}
	for key, got := range gatherVec(t, reg, "assay_matcher_flagged_signals_total") {
		if got != perSignal[key] {
			t.Errorf("signals{%s} = %v, the batch scan's verdicts have %v", key, got, perSignal[key])
		}
	}
	if n := scoreCount(t, reg); n != uint64(len(msgs)) {
		t.Errorf("score histogram holds %d listings, want %d", n, len(msgs))
	}

	// The lag falls to 0 once everything is committed, and the end
	// offsets add up to the listings written.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var lag, end float64
		for _, p := range gatherVec(t, reg, "assay_matcher_consumer_lag_messages") {
			lag += p
		}
		for _, p := range gatherVec(t, reg, "assay_matcher_listings_end_offset") {
			end += p
		}
		if lag == 0 && end == float64(len(msgs)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lag %v, end offsets %v: want 0 and %d", lag, end, len(msgs))
		}
		time.Sleep(50 * time.Millisecond)
	}

	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}

	// A deleted brand's series go with it.
	write(t, brokers, stream.DefaultTopics().Brands, []kafka.Message{{Key: []byte("dyson")}})
	deadline = time.Now().Add(10 * time.Second)
	for testutil.CollectAndCount(mt.m.flagged) != 1 || testutil.CollectAndCount(mt.m.signals) != len(signalKinds) {
		if time.Now().After(deadline) {
			t.Fatalf("after deleting dyson: %d flagged and %d signal series, want 1 and %d",
				testutil.CollectAndCount(mt.m.flagged), testutil.CollectAndCount(mt.m.signals), len(signalKinds))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func scoreCount(t *testing.T, g prometheus.Gatherer) uint64 {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() == "assay_matcher_listing_score" {
			return f.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return 0
}

// gatherVec returns a gauge or counter family's values by their label values joined.
func gatherVec(t *testing.T, g prometheus.Gatherer, name string) map[string]float64 {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetValue())
			}
			v := m.GetGauge().GetValue()
			if m.Counter != nil {
				v = m.GetCounter().GetValue()
			}
			out[strings.Join(labels, ",")] = v
		}
	}
	return out
}

// TestTallyOverflow counts more listings than a tally holds, which it
// records early when full: every listing must be counted once, in the
// counter, the histograms and the signal counts.
func TestTallyOverflow(t *testing.T) {
	for _, n := range []int{1, maxBatch - 1, maxBatch, maxBatch + 1, 3*maxBatch + 2} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			reg := prometheus.NewRegistry()
			m := newMetrics(reg)
			var tl tally
			flagged := 0
			for i := range n {
				v := score.Verdict{Score: 0.1}
				if i%3 == 0 {
					flagged++
					v = score.Verdict{Flagged: true, BrandID: "a", Score: 0.9, Signals: []score.Signal{
						{Kind: score.KindText, Score: 0.5}, {Kind: score.KindText, Score: 0.3}, {Kind: score.KindPrice},
					}}
				}
				m.observe(&tl, &v, 0.001)
			}
			m.record(&tl)
			if got := testutil.ToFloat64(m.scored); got != float64(n) {
				t.Errorf("scored = %v, want %d", got, n)
			}
			for name, h := range map[string]prometheus.Histogram{"scores": m.scores, "seconds": m.scoreSeconds} {
				var pb dto.Metric
				if err := h.Write(&pb); err != nil {
					t.Fatal(err)
				}
				if got := pb.GetHistogram().GetSampleCount(); got != uint64(n) {
					t.Errorf("%s histogram holds %d observations, want %d", name, got, n)
				}
			}
			if got := testutil.ToFloat64(m.flagged.WithLabelValues("a")); got != float64(flagged) {
				t.Errorf("flagged = %v, want %d", got, flagged)
			}
			signals := gatherVec(t, reg, "assay_matcher_flagged_signals_total")
			if signals["a,text"] != float64(flagged) || signals["a,price"] != 0 {
				t.Errorf("signals = %v, want a,text %d (once a listing) and no a,price (it scored 0)", signals, flagged)
			}
		})
	}
}
