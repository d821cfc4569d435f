package reporter

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/assay-dev/assay/internal/casestore"
)

// Tallier counts the case database: casestore.Store.
type Tallier interface {
	Tallies(ctx context.Context, strikes int) (*casestore.Tallies, error)
}

// CaseMetricsOptions configures the case metrics.
type CaseMetricsOptions struct {
	// Strikes upheld cases make a repeat infringer (0 means
	// casestore.DefaultStrikes).
	Strikes int
	// CacheFor is how long one count of the database answers scrapes, so
	// that several Prometheus servers, or a fast scrape interval, do not
	// keep the database's one connection busy (default 5 s).
	CacheFor time.Duration
	// Timeout bounds one count (default 5 s).
	Timeout    time.Duration
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// CaseMetrics exports what the case database holds, counted at scrape
// time, so the figures survive restarts and include what reporter move and
// reporter notice changed. The counters are counts of append-only records
// (audit events, notices), so they never decrease. Every brand with a case
// has every status, decision and outcome series, zeros included, so a
// series does not appear only at its first increment, which a rate() would
// miss.
type CaseMetrics struct {
	src   Tallier
	opts  CaseMetricsOptions
	now   func() time.Time
	descs caseDescs
	// decisionBuckets run from a minute to a month: an analyst may decide
	// at once or after weeks of backlog; takedowns take hours to weeks.
	decisionBuckets, takedownBuckets []float64
	errors                           prometheus.Counter

	mu    sync.Mutex
	tried time.Time           // when the database was last counted, whatever came of it
	last  []prometheus.Metric // from the last count that succeeded
}

type caseDescs struct {
	cases, decisions, acceptance, decisionSeconds, notices, outcomes, takedownSeconds, repeat, relistings *prometheus.Desc
}

// NewCaseMetrics registers the case metrics, which count src at scrape
// time.
func NewCaseMetrics(src Tallier, opts CaseMetricsOptions) (*CaseMetrics, error) {
	if opts.CacheFor <= 0 {
		opts.CacheFor = 5 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Registerer == nil {
		opts.Registerer = prometheus.NewRegistry()
	}
	const hour, day = 3600, 24 * 3600
	m := &CaseMetrics{
		src: src, opts: opts, now: time.Now,
		descs: caseDescs{
			cases: prometheus.NewDesc("assay_reporter_cases",
				"Cases in the case database, by brand and status.", []string{"brand", "status"}, nil),
			decisions: prometheus.NewDesc("assay_reporter_decisions_total",
				"Analyst decisions on new cases, by brand and decision (confirmed, dismissed); a reopened case decided again counts again.", []string{"brand", "decision"}, nil),
			acceptance: prometheus.NewDesc("assay_reporter_acceptance_ratio",
				"Share of a brand's decided cases that analysts upheld (confirmed, whatever happened after), for brands with a decided case.", []string{"brand"}, nil),
			decisionSeconds: prometheus.NewDesc("assay_reporter_decision_duration_seconds",
				"Time from a case's first flag to its first decision.", nil, nil),
			notices: prometheus.NewDesc("assay_reporter_notices_total",
				"Takedown notices recorded, by brand.", []string{"brand"}, nil),
			outcomes: prometheus.NewDesc("assay_reporter_takedown_outcomes_total",
				"Takedown outcomes, by brand and outcome: submitted counts the listings of notices marked sent; removed, rejected, counter_noticed and reinstated count the moves of cases into that status.", []string{"brand", "outcome"}, nil),
			takedownSeconds: prometheus.NewDesc("assay_reporter_takedown_duration_seconds",
				"Time from a case's first flag to its first removal.", nil, nil),
			repeat: prometheus.NewDesc("assay_reporter_repeat_infringers",
				"Sellers with at least the strike count of upheld cases.", nil, nil),
			relistings: prometheus.NewDesc("assay_reporter_relistings_total",
				"Cases recorded as a re-listing of a confirmed case, by brand.", []string{"brand"}, nil),
		},
		decisionBuckets: []float64{60, 5 * 60, 15 * 60, hour, 4 * hour, 12 * hour, day, 3 * day, 7 * day, 30 * day},
		takedownBuckets: []float64{hour, 4 * hour, 12 * hour, day, 2 * day, 3 * day, 7 * day, 14 * day, 30 * day},
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "assay_reporter_metrics_errors_total",
			Help: "Failed counts of the case database for these metrics; the last successful count is exported meanwhile.",
		}),
	}
	if err := opts.Registerer.Register(m); err != nil {
		return nil, fmt.Errorf("register case metrics: %w", err)
	}
	return m, nil
}

// Describe implements prometheus.Collector.
func (m *CaseMetrics) Describe(ch chan<- *prometheus.Desc) {
	d := m.descs
	for _, desc := range []*prometheus.Desc{d.cases, d.decisions, d.acceptance, d.decisionSeconds, d.notices, d.outcomes, d.takedownSeconds, d.repeat, d.relistings} {
		ch <- desc
	}
	m.errors.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *CaseMetrics) Collect(ch chan<- prometheus.Metric) {
	for _, metric := range m.snapshot() {
		ch <- metric
	}
	m.errors.Collect(ch)
}

// snapshot returns the metrics of the latest count, counting again when
// the last attempt is older than CacheFor. A failed count is not retried
// before then either: a database in trouble is not hammered by scrapes.
// Concurrent scrapes wait for the one count in progress.
func (m *CaseMetrics) snapshot() []prometheus.Metric {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if !m.tried.IsZero() && now.Sub(m.tried) < m.opts.CacheFor {
		return m.last
	}
	m.tried = now
	ctx, cancel := context.WithTimeout(context.Background(), m.opts.Timeout)
	defer cancel()
	t, err := m.src.Tallies(ctx, m.opts.Strikes)
	if err != nil {
		m.errors.Inc()
		m.opts.Logger.Warn("case metrics: counting the case database failed; exporting the last count", "err", err)
		return m.last
	}
	m.last = m.build(t)
	return m.last
}

// build turns a count into constant metrics. A metric that cannot be built
// (it cannot happen with these fixed label sets) is reported to the
// registry as invalid rather than panicking the scrape.
func (m *CaseMetrics) build(t *casestore.Tallies) []prometheus.Metric {
	d := m.descs
	var out []prometheus.Metric
	add := func(desc *prometheus.Desc, typ prometheus.ValueType, v int, labels ...string) {
		out = append(out, constMetric(desc, typ, float64(v), labels...))
	}
	for brand, b := range t.Brands {
		for st, n := range b.Cases {
			add(d.cases, prometheus.GaugeValue, n, brand, string(st))
		}
		for st, n := range b.Decisions {
			add(d.decisions, prometheus.CounterValue, n, brand, string(st))
		}
		if r, ok := b.Acceptance(); ok {
			out = append(out, constMetric(d.acceptance, prometheus.GaugeValue, r, brand))
		}
		add(d.notices, prometheus.CounterValue, b.Notices, brand)
		for o, n := range b.Outcomes {
			add(d.outcomes, prometheus.CounterValue, n, brand, string(o))
		}
		add(d.relistings, prometheus.CounterValue, b.Relistings, brand)
	}
	add(d.repeat, prometheus.GaugeValue, t.RepeatInfringers)
	out = append(out, histogram(d.decisionSeconds, m.decisionBuckets, t.DecisionSeconds))
	out = append(out, histogram(d.takedownSeconds, m.takedownBuckets, t.TakedownSeconds))
	return out
}

func constMetric(desc *prometheus.Desc, typ prometheus.ValueType, v float64, labels ...string) prometheus.Metric {
	metric, err := prometheus.NewConstMetric(desc, typ, v, labels...)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return metric
}

// histogram builds a constant histogram of observations.
func histogram(desc *prometheus.Desc, bounds, obs []float64) prometheus.Metric {
	sorted := slices.Sorted(slices.Values(obs))
	var sum float64
	for _, v := range sorted {
		sum += v
	}
	buckets := make(map[float64]uint64, len(bounds))
	for _, b := range bounds {
		buckets[b] = uint64(sort.Search(len(sorted), func(i int) bool { return sorted[i] > b }))
	}
	metric, err := prometheus.NewConstHistogram(desc, uint64(len(sorted)), sum, buckets)
	if err != nil {
		return prometheus.NewInvalidMetric(desc, err)
	}
	return metric
}
