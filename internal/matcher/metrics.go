package matcher

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

type metrics struct {
	scored          prometheus.Counter
	flagged         *prometheus.CounterVec
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
}

func newMetrics(r prometheus.Registerer) *metrics {
	f := promauto.With(r)
	return &metrics{
		scored: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_matcher_listings_scored_total", Help: "Listings scored from the listings topic.",
		}),
		flagged: f.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_matcher_listings_flagged_total", Help: "Listings flagged, by brand.",
		}, []string{"brand"}),
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
			Name: "assay_matcher_registry_version", Help: "Number of brand changes applied since start.",
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
	}
}
