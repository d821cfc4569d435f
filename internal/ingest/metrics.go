package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Reasons a rejected event is counted under: the values of the reason
// label of assay_ingest_listings_rejected_total. The set is closed so that
// the series stay few whatever the input; the full reason travels with the
// event on the rejected topic.
const (
	ReasonJSON     = "json"      // not one JSON object: malformed, truncated, empty, an array
	ReasonCSV      = "csv"       // a CSV row that cannot be read or converted
	ReasonField    = "field"     // a field missing, of the wrong type or breaking the contract
	ReasonTooLarge = "too_large" // a line or event above the size limits
	ReasonOther    = "other"     // an error of no known kind
)

var reasons = []string{ReasonJSON, ReasonCSV, ReasonField, ReasonTooLarge, ReasonOther}

// apiCodes are the statuses the API answers with, whose series exist from
// the start so that a rate over them sees the first one.
var apiCodes = []int{
	http.StatusAccepted, http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed,
	http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusServiceUnavailable,
}

type metrics struct {
	accepted        prometheus.Counter
	rejected        map[string]prometheus.Counter // by reason, each of reasons
	publishDuration prometheus.Histogram
	publishErrors   prometheus.Counter
	requests        *prometheus.CounterVec
}

func newMetrics(r prometheus.Registerer) *metrics {
	f := promauto.With(r)
	m := &metrics{
		accepted: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_ingest_listings_accepted_total", Help: "Valid listings acknowledged by Kafka on the listings topic.",
		}),
		publishDuration: f.NewHistogram(prometheus.HistogramOpts{
			Name: "assay_ingest_publish_duration_seconds", Help: "Time for one batch write to Kafka (listings or rejected topic) to be acknowledged or to fail.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		publishErrors: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_ingest_publish_errors_total", Help: "Batch writes to Kafka that failed in whole or in part.",
		}),
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_ingest_http_requests_total", Help: "Requests to the ingest HTTP API (the ops endpoints excepted), by status code.",
		}, []string{"code"}),
		rejected: make(map[string]prometheus.Counter, len(reasons)),
	}
	rejected := f.NewCounterVec(prometheus.CounterOpts{
		Name: "assay_ingest_listings_rejected_total", Help: "Invalid events acknowledged by Kafka on the rejected (dead-letter) topic, by reason.",
	}, []string{"reason"})
	for _, r := range reasons {
		m.rejected[r] = rejected.WithLabelValues(r)
	}
	for _, c := range apiCodes {
		m.requests.WithLabelValues(strconv.Itoa(c))
	}
	return m
}

// rejection gives the error of a rejected event its reason, keeping the
// message: the message is what producers and the rejected topic see.
type rejection struct {
	reason string
	err    error
}

func (r *rejection) Error() string { return r.err.Error() }
func (r *rejection) Unwrap() error { return r.err }

func reject(reason string, err error) error { return &rejection{reason: reason, err: err} }

// RejectReason returns the reason (ReasonJSON, ...) a rejected event's
// error is counted under; ReasonOther for errors this package did not make.
func RejectReason(err error) string {
	var r *rejection
	if errors.As(err, &r) {
		return r.reason
	}
	return ReasonOther
}

// decodeReason tells an event that is not JSON at all from one that is but
// breaks the contract, by its bytes rather than by the wording of the
// listing package's messages. Type mismatches ("amount": "x") are JSON, so
// they count as field errors, as their messages name the field.
func decodeReason(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' || !json.Valid(raw) {
		return ReasonJSON
	}
	return ReasonField
}
