package reporter

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// caseMetricNames are the metrics compared exactly; the duration
// histograms' sums depend on the wall clock and are checked apart.
var caseMetricNames = []string{
	"assay_reporter_cases", "assay_reporter_decisions_total", "assay_reporter_acceptance_ratio", "assay_reporter_notices_total",
	"assay_reporter_takedown_outcomes_total", "assay_reporter_repeat_infringers", "assay_reporter_relistings_total",
	"assay_reporter_metrics_errors_total",
}

// countingTallier counts the database counts, and fails when told to.
type countingTallier struct {
	src  Tallier
	mu   sync.Mutex
	n    int
	fail bool
}

func (c *countingTallier) Tallies(ctx context.Context, strikes int) (*casestore.Tallies, error) {
	c.mu.Lock()
	c.n++
	fail := c.fail
	c.mu.Unlock()
	if fail {
		return nil, errors.New("database is locked")
	}
	return c.src.Tallies(ctx, strikes)
}

func (c *countingTallier) calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time          { return f.t }
func (f *fakeClock) advance(d time.Duration) { f.t = f.t.Add(d) }

// metricsStore is a case database with fullips cases c1 (confirmed,
// noticed, submitted, removed), c2 (dismissed), c3 (new) and dyson case c4
// (new), all by seller s-1 and flagged two hours ago.
func metricsStore(t *testing.T) (*casestore.Store, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	store, err := casestore.Open(ctx, filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	flagged := time.Now().UTC().Add(-2 * time.Hour)
	var cands []*stream.Candidate
	for _, c := range []struct{ id, brand string }{{"c1", "fullips"}, {"c2", "fullips"}, {"c3", "fullips"}, {"c4", "dyson"}} {
		cands = append(cands, &stream.Candidate{
			Verdict:     score.Verdict{ListingID: c.id, Flagged: true, BrandID: c.brand, Score: 0.9},
			Listing:     &listing.Listing{ID: c.id, Title: "gloss " + c.id, Marketplace: "shopnet", Seller: listing.Seller{ID: "s-1"}},
			ContentHash: c.id, ScoredAt: flagged,
		})
	}
	if _, err := store.Put(ctx, cands); err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	cases, err := store.List(ctx, casestore.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		ids[c.ListingID] = c.ID
	}
	steps := []func() error{
		func() error { return store.Move(ctx, ids["c1"], casestore.Confirmed, "ana", "") },
		func() error { return store.Move(ctx, ids["c2"], casestore.Dismissed, "ana", "") },
		func() error {
			return store.AddNotice(ctx, &casestore.Notice{ID: "n1", BrandID: "fullips", Marketplace: "shopnet", Part: 1, Parts: 1,
				CreatedBy: "ana", Body: []byte(`{}`)}, []int64{ids["c1"]})
		},
		func() error { return store.SetOutcome(ctx, "n1", ids["c1"], casestore.OutcomeRemoved, "ana", "") },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	return store, ids
}

const wantStoreMetrics = `
# HELP assay_reporter_acceptance_ratio Share of a brand's decided cases that analysts upheld (confirmed, whatever happened after), for brands with a decided case.
# TYPE assay_reporter_acceptance_ratio gauge
assay_reporter_acceptance_ratio{brand="fullips"} 0.5
# HELP assay_reporter_cases Cases in the case database, by brand and status.
# TYPE assay_reporter_cases gauge
assay_reporter_cases{brand="dyson",status="confirmed"} 0
assay_reporter_cases{brand="dyson",status="counter_noticed"} 0
assay_reporter_cases{brand="dyson",status="dismissed"} 0
assay_reporter_cases{brand="dyson",status="in_notice"} 0
assay_reporter_cases{brand="dyson",status="new"} 1
assay_reporter_cases{brand="dyson",status="reinstated"} 0
assay_reporter_cases{brand="dyson",status="rejected"} 0
assay_reporter_cases{brand="dyson",status="removed"} 0
assay_reporter_cases{brand="fullips",status="confirmed"} 0
assay_reporter_cases{brand="fullips",status="counter_noticed"} 0
assay_reporter_cases{brand="fullips",status="dismissed"} 1
assay_reporter_cases{brand="fullips",status="in_notice"} 0
assay_reporter_cases{brand="fullips",status="new"} 1
assay_reporter_cases{brand="fullips",status="reinstated"} 0
assay_reporter_cases{brand="fullips",status="rejected"} 0
assay_reporter_cases{brand="fullips",status="removed"} 1
# HELP assay_reporter_decisions_total Analyst decisions on new cases, by brand and decision (confirmed, dismissed); a reopened case decided again counts again.
# TYPE assay_reporter_decisions_total counter
assay_reporter_decisions_total{brand="dyson",decision="confirmed"} 0
assay_reporter_decisions_total{brand="dyson",decision="dismissed"} 0
assay_reporter_decisions_total{brand="fullips",decision="confirmed"} 1
assay_reporter_decisions_total{brand="fullips",decision="dismissed"} 1
# HELP assay_reporter_metrics_errors_total Failed counts of the case database for these metrics; the last successful count is exported meanwhile.
# TYPE assay_reporter_metrics_errors_total counter
assay_reporter_metrics_errors_total 0
# HELP assay_reporter_notices_total Takedown notices recorded, by brand.
# TYPE assay_reporter_notices_total counter
assay_reporter_notices_total{brand="dyson"} 0
assay_reporter_notices_total{brand="fullips"} 1
# HELP assay_reporter_relistings_total Cases recorded as a re-listing of a confirmed case, by brand.
# TYPE assay_reporter_relistings_total counter
assay_reporter_relistings_total{brand="dyson"} 0
assay_reporter_relistings_total{brand="fullips"} 0
# HELP assay_reporter_repeat_infringers Sellers with at least the strike count of upheld cases.
# TYPE assay_reporter_repeat_infringers gauge
assay_reporter_repeat_infringers 1
# HELP assay_reporter_takedown_outcomes_total Takedown outcomes, by brand and outcome: submitted counts the listings of notices marked sent; removed, rejected, counter_noticed and reinstated count the moves of cases into that status.
# TYPE assay_reporter_takedown_outcomes_total counter
assay_reporter_takedown_outcomes_total{brand="dyson",outcome="counter_noticed"} 0
assay_reporter_takedown_outcomes_total{brand="dyson",outcome="reinstated"} 0
assay_reporter_takedown_outcomes_total{brand="dyson",outcome="rejected"} 0
assay_reporter_takedown_outcomes_total{brand="dyson",outcome="removed"} 0
assay_reporter_takedown_outcomes_total{brand="dyson",outcome="submitted"} 0
assay_reporter_takedown_outcomes_total{brand="fullips",outcome="counter_noticed"} 0
assay_reporter_takedown_outcomes_total{brand="fullips",outcome="reinstated"} 0
assay_reporter_takedown_outcomes_total{brand="fullips",outcome="rejected"} 0
assay_reporter_takedown_outcomes_total{brand="fullips",outcome="removed"} 1
assay_reporter_takedown_outcomes_total{brand="fullips",outcome="submitted"} 1
`

// TestCaseMetrics scrapes a real case database: exact values, durations
// in the right buckets, and no lint problems.
func TestCaseMetrics(t *testing.T) {
	store, _ := metricsStore(t)
	reg := prometheus.NewRegistry()
	if _, err := NewCaseMetrics(store, CaseMetricsOptions{Strikes: 1, Registerer: reg}); err != nil {
		t.Fatal(err)
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(wantStoreMetrics), caseMetricNames...); err != nil {
		t.Error(err)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %+v", err, problems)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	hists := map[string]struct {
		count    uint64
		inBucket float64 // the first bound two hours fit under
	}{
		"assay_reporter_decision_duration_seconds": {2, 4 * 3600},
		"assay_reporter_takedown_duration_seconds": {1, 4 * 3600},
	}
	for _, f := range fams {
		want, ok := hists[f.GetName()]
		if !ok {
			continue
		}
		delete(hists, f.GetName())
		h := f.GetMetric()[0].GetHistogram()
		if h.GetSampleCount() != want.count || math.Abs(h.GetSampleSum()-float64(want.count)*7200) > 60 {
			t.Errorf("%s: %d samples summing to %.0fs, want %d of about two hours", f.GetName(), h.GetSampleCount(), h.GetSampleSum(), want.count)
		}
		for _, b := range h.GetBucket() {
			wantN := uint64(0)
			if b.GetUpperBound() >= want.inBucket {
				wantN = want.count
			}
			if b.GetCumulativeCount() != wantN {
				t.Errorf("%s bucket le=%g holds %d, want %d", f.GetName(), b.GetUpperBound(), b.GetCumulativeCount(), wantN)
			}
		}
	}
	if len(hists) > 0 {
		t.Errorf("histograms missing: %v", hists)
	}
}

// TestCaseMetricsCache: scrapes within CacheFor share one count; after it,
// a change made meanwhile (as reporter move makes it) shows.
func TestCaseMetricsCache(t *testing.T) {
	store, ids := metricsStore(t)
	src := &countingTallier{src: store}
	reg := prometheus.NewRegistry()
	m, err := NewCaseMetrics(src, CaseMetricsOptions{Strikes: 1, CacheFor: time.Minute, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Now()}
	m.now = clock.now
	newDyson := func(want float64) {
		t.Helper()
		if got := value(t, reg, "assay_reporter_cases", map[string]string{"brand": "dyson", "status": "new"}); got != want {
			t.Errorf("dyson new cases %v, want %v", got, want)
		}
	}
	var wg sync.WaitGroup
	for range 4 { // Prometheus servers scraping at once
		wg.Go(func() {
			if _, err := reg.Gather(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	newDyson(1)
	if err := store.Move(context.Background(), ids["c4"], casestore.Confirmed, "ana", ""); err != nil {
		t.Fatal(err)
	}
	clock.advance(30 * time.Second)
	newDyson(1) // still the cached count
	if n := src.calls(); n != 1 {
		t.Errorf("%d counts of the database for scrapes within the cache interval, want 1", n)
	}
	clock.advance(31 * time.Second)
	newDyson(0)
	if n := src.calls(); n != 2 {
		t.Errorf("%d counts after the interval, want 2", n)
	}
}

// TestCaseMetricsErrors: a failed count is counted and the last good one
// stays exported; with none yet, only the error counter is.
func TestCaseMetricsErrors(t *testing.T) {
	store, _ := metricsStore(t)
	for _, tc := range []struct {
		name       string
		goodFirst  bool
		wantSeries bool
	}{
		{"after a good count", true, true},
		{"before any", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := &countingTallier{src: store, fail: !tc.goodFirst}
			reg := prometheus.NewRegistry()
			m, err := NewCaseMetrics(src, CaseMetricsOptions{Strikes: 1, CacheFor: time.Second, Registerer: reg})
			if err != nil {
				t.Fatal(err)
			}
			clock := &fakeClock{t: time.Now()}
			m.now = clock.now
			if _, err := reg.Gather(); err != nil {
				t.Fatal(err)
			}
			src.fail = true
			clock.advance(2 * time.Second)
			if _, err := reg.Gather(); err != nil {
				t.Fatal(err)
			}
			wantErrors := 1.0
			if !tc.goodFirst {
				wantErrors = 2
			}
			if got := testutil.ToFloat64(m.errors); got != wantErrors {
				t.Errorf("errors_total %v, want %v", got, wantErrors)
			}
			n, err := testutil.GatherAndCount(reg, "assay_reporter_cases")
			if err != nil {
				t.Fatal(err)
			}
			if (n > 0) != tc.wantSeries {
				t.Errorf("%d case series exported, want some: %v", n, tc.wantSeries)
			}
		})
	}
}

// value is the value of the series of family name with the given labels
// in a fresh scrape of reg.
func value(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue series
				}
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

// oneMetric collects one constant metric.
type oneMetric struct{ m prometheus.Metric }

func (o oneMetric) Describe(ch chan<- *prometheus.Desc) { ch <- o.m.Desc() }
func (o oneMetric) Collect(ch chan<- prometheus.Metric) { ch <- o.m }

func TestHistogram(t *testing.T) {
	desc := prometheus.NewDesc("h_seconds", "h", nil, nil)
	tests := []struct {
		name string
		obs  []float64
		want string // buckets 60, 3600, +Inf, sum, count
	}{
		{"none", nil, "0 0 0 0 0"},
		{"bounds are inclusive", []float64{3600, 60, 61}, "1 3 3 3721 3"},
		{"above every bound", []float64{7200, 30}, "1 1 2 7230 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := strings.Fields(tt.want)
			want := "# HELP h_seconds h\n# TYPE h_seconds histogram\n" +
				`h_seconds_bucket{le="60"} ` + v[0] + "\n" + `h_seconds_bucket{le="3600"} ` + v[1] + "\n" + `h_seconds_bucket{le="+Inf"} ` + v[2] + "\n" +
				"h_seconds_sum " + v[3] + "\nh_seconds_count " + v[4] + "\n"
			if err := testutil.CollectAndCompare(oneMetric{histogram(desc, []float64{60, 3600}, tt.obs)}, strings.NewReader(want)); err != nil {
				t.Error(err)
			}
		})
	}
}
