package matcher

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/assay-dev/assay/internal/score"
)

// signalKinds are the kinds a flagged listing's signals are counted by;
// fixed, so the label stays bounded.
var signalKinds = []string{score.KindText, score.KindCoded, score.KindImage, score.KindPrice, score.KindSeller}

type metrics struct {
	scored          prometheus.Counter
	flagged         *prometheus.CounterVec
	signals         *prometheus.CounterVec
	scores          prometheus.Histogram
	scoreSeconds    prometheus.Histogram
	published       prometheus.Counter
	rejected        prometheus.Counter
	publishErrors   prometheus.Counter
	commitErrors    prometheus.Counter
	registryVersion prometheus.Gauge
	registryBrands  prometheus.Gauge
	retroScanned    prometheus.Counter
	retroFlagged    prometheus.Counter
	retroProgress   prometheus.Gauge
	retroRunning    prometheus.Gauge
	lag             *prometheus.GaugeVec
	endOffset       *prometheus.GaugeVec
	lagErrors       prometheus.Counter

	// brands are the brand label values in use, so that a brand's series
	// exist at 0 from the moment it is registered (a rate over a series
	// born at its first flag would miss that flag) and go when it goes.
	mu     sync.Mutex
	brands map[string]bool
}

func newMetrics(r prometheus.Registerer) *metrics {
	f := promauto.With(r)
	return &metrics{
		brands: map[string]bool{},
		scored: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_listings_scored_total", Help: "Listings scored from the listings topic.",
		}),
		flagged: f.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_matcher_listings_flagged_total", Help: "Listings flagged, by the brand they most likely infringe.",
		}, []string{"brand"}),
		signals: f.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_matcher_flagged_signals_total", Help: "Signals that weighed in flagged listings, by brand and signal kind (a listing counts once per kind).",
		}, []string{"brand", "signal"}),
		scores: f.NewHistogram(prometheus.HistogramOpts{
			Name: "assay_matcher_listing_score", Help: "Score of each listing scored (0-1) for its best brand.",
			Buckets: prometheus.LinearBuckets(0.1, 0.1, 10),
		}),
		scoreSeconds: f.NewHistogram(prometheus.HistogramOpts{
			Name: "assay_matcher_scoring_duration_seconds", Help: "Time to score one listing, image fetching included.",
			Buckets: prometheus.ExponentialBuckets(0.00005, 4, 10),
		}),
		published: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_candidates_published_total", Help: "Candidates acknowledged by Kafka.",
		}),
		rejected: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_listings_rejected_total", Help: "Listings that did not decode, sent to the rejected topic.",
		}),
		publishErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_publish_errors_total", Help: "Failed attempts to publish candidates (retried).",
		}),
		commitErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_commit_errors_total", Help: "Failed offset commits (retried at the next interval).",
		}),
		registryVersion: f.NewGauge(prometheus.GaugeOpts{
			Name: "assay_matcher_registry_version", Help: "Number of brand and feedback changes applied since start.",
		}),
		registryBrands: f.NewGauge(prometheus.GaugeOpts{
			Name: "assay_matcher_registry_brands", Help: "Brands in force.",
		}),
		retroScanned: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_retroscan_listings_total", Help: "Retained listings re-scanned after brand changes.",
		}),
		retroFlagged: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_retroscan_flagged_total", Help: "Retained listings flagged by re-scans.",
		}),
		retroProgress: f.NewGauge(prometheus.GaugeOpts{
			Name: "assay_matcher_retroscan_progress_ratio", Help: "Share of the current re-scan done (1 when idle).",
		}),
		retroRunning: f.NewGauge(prometheus.GaugeOpts{
			Name: "assay_matcher_retroscan_running", Help: "1 while a re-scan runs.",
		}),
		lag: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "assay_matcher_consumer_lag_messages", Help: "Listings not yet committed by the consumer group, per partition, as the broker sees it (every matcher of the group reports the same figure).",
		}, []string{"partition"}),
		endOffset: f.NewGaugeVec(prometheus.GaugeOpts{
			Name: "assay_matcher_listings_end_offset", Help: "End offset of each partition of the listings topic: it grows as listings arrive, scored or not.",
		}, []string{"partition"}),
		lagErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_lag_check_errors_total", Help: "Failed attempts to read the group's lag from the broker.",
		}),
	}
}

// tally holds a batch's scored listings until the batch is through, when
// record counts them all at once. Two workers observing the same histogram
// per listing fight over its cache lines (a contended Observe costs five
// times an uncontended one, about 0.25 µs a listing for the two
// histograms in BenchmarkStream); a burst of observations at the end of a
// batch keeps them on one core. The signal counters are looked up by
// label once a batch for each brand and kind, not once a flagged listing.
type tally struct {
	n       int
	scores  [maxBatch]float64
	seconds [maxBatch]float64
	signals []signalCount
	buf     [8]signalCount // signals' usual room, on the stack
}

// signalCount is how many of a batch's flagged listings had a signal of
// kind signalKinds[kind] weigh in for brand.
type signalCount struct {
	brand string
	kind  int
	n     int
}

func (t *tally) countSignal(brand string, kind int) {
	if t.signals == nil {
		t.signals = t.buf[:0]
	}
	for i := range t.signals {
		if c := &t.signals[i]; c.kind == kind && c.brand == brand {
			c.n++
			return
		}
	}
	t.signals = append(t.signals, signalCount{brand: brand, kind: kind, n: 1})
}

// observe counts one scored listing: its flag at once (so that a candidate
// is never published before its flag is counted), the rest with the batch.
// The tally is recorded early if full.
func (m *metrics) observe(t *tally, v *score.Verdict, seconds float64) {
	if t.n == len(t.scores) {
		m.record(t)
	}
	t.scores[t.n], t.seconds[t.n] = v.Score, seconds
	t.n++
	if !v.Flagged {
		return
	}
	m.flagged.WithLabelValues(v.BrandID).Inc()
	seen := 0
	for _, s := range v.Signals {
		if s.Score <= 0 {
			continue
		}
		for i, k := range signalKinds {
			if s.Kind == k && seen&(1<<i) == 0 {
				seen |= 1 << i
				t.countSignal(v.BrandID, i)
			}
		}
	}
}

// record counts the listings of t as scored and empties it. The scored
// counter goes last: whoever sees a listing counted as scored sees it in
// the histograms and the signal counts too.
func (m *metrics) record(t *tally) {
	for i := range t.n {
		m.scores.Observe(t.scores[i])
		m.scoreSeconds.Observe(t.seconds[i])
	}
	for _, c := range t.signals {
		m.signals.WithLabelValues(c.brand, signalKinds[c.kind]).Add(float64(c.n))
	}
	t.signals = t.signals[:0]
	m.scored.Add(float64(t.n))
	t.n = 0
}

// setBrands makes the per-brand series those of the brands in force.
func (m *metrics) setBrands(ids []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := make(map[string]bool, len(ids))
	for _, id := range ids {
		now[id] = true
		if !m.brands[id] {
			m.flagged.WithLabelValues(id)
			for _, k := range signalKinds {
				m.signals.WithLabelValues(id, k)
			}
		}
	}
	for id := range m.brands {
		if !now[id] {
			m.flagged.DeleteLabelValues(id)
			m.signals.DeletePartialMatch(prometheus.Labels{"brand": id})
		}
	}
	m.brands = now
}
