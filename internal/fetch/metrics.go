package fetch

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// A Fetcher is a prometheus.Collector: register it with the program's
// registry to export its counters. They are read from the same atomics as
// Stats, so the two never disagree.
var (
	fetchesDesc = prometheus.NewDesc("assay_image_fetches_total",
		"Image fetches by result: ok, or why they failed (refused is the address guard at work).", []string{"result"}, nil)
	cacheHitsDesc = prometheus.NewDesc("assay_image_cache_hits_total",
		"Image requests answered from the cache by URL.", nil, nil)
	sharedDesc = prometheus.NewDesc("assay_image_shared_fetches_total",
		"Image requests that joined a fetch of the same URL already in flight.", nil, nil)
	cachedDesc = prometheus.NewDesc("assay_image_cache_entries",
		"URLs whose result is cached.", nil, nil)
)

func newFetchSeconds() prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "assay_image_fetch_duration_seconds",
		Help:    "Time to fetch one image not in the cache (and hash it, for scoring), the wait for a fetch worker included.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2.5, 9), // 5 ms to ~7.6 s
	})
}

// Describe implements prometheus.Collector.
func (f *Fetcher) Describe(ch chan<- *prometheus.Desc) {
	ch <- fetchesDesc
	ch <- cacheHitsDesc
	ch <- sharedDesc
	ch <- cachedDesc
	f.seconds.Describe(ch)
}

// Collect implements prometheus.Collector.
func (f *Fetcher) Collect(ch chan<- prometheus.Metric) {
	s := f.Stats()
	ch <- prometheus.MustNewConstMetric(fetchesDesc, prometheus.CounterValue, float64(s.Fetched), "ok")
	for _, r := range Reasons() {
		ch <- prometheus.MustNewConstMetric(fetchesDesc, prometheus.CounterValue, float64(s.Failed[r]), string(r))
	}
	ch <- prometheus.MustNewConstMetric(cacheHitsDesc, prometheus.CounterValue, float64(s.CacheHits))
	ch <- prometheus.MustNewConstMetric(sharedDesc, prometheus.CounterValue, float64(s.Shared))
	ch <- prometheus.MustNewConstMetric(cachedDesc, prometheus.GaugeValue, float64(s.Cached))
	f.seconds.Collect(ch)
}

func (f *Fetcher) observe(start time.Time) { f.seconds.Observe(time.Since(start).Seconds()) }
