package fetch

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestMetrics fetches one photo twice (a miss, then a cache hit), a missing
// one and a loopback URL without the allow flag, and reads the exported
// series.
func TestMetrics(t *testing.T) {
	srv, _ := photos(t)
	open := newFetcher(t, Options{AllowLoopback: true})
	strict := newFetcher(t, Options{})
	ctx := context.Background()
	for _, u := range []string{"/img/chelsea.jpg", "/img/chelsea.jpg", "/img/missing.jpg"} {
		open.Image(ctx, srv.URL+u)
	}
	strict.Image(ctx, srv.URL+"/img/chelsea.jpg")

	reg := prometheus.NewRegistry()
	reg.MustRegister(open)
	want := `
# HELP assay_image_cache_hits_total Image requests answered from the cache by URL.
# TYPE assay_image_cache_hits_total counter
assay_image_cache_hits_total 1
# HELP assay_image_cache_entries URLs whose result is cached.
# TYPE assay_image_cache_entries gauge
assay_image_cache_entries 2
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "assay_image_cache_hits_total", "assay_image_cache_entries"); err != nil {
		t.Error(err)
	}
	results, observed := fetchResults(t, reg)
	if results["ok"] != 1 || results["status"] != 1 || len(results) != len(Reasons())+1 {
		t.Errorf("fetches by result = %v, want ok 1, status 1 and every reason present", results)
	}
	if observed != 2 {
		t.Errorf("fetch duration observed %d times, want 2 (the cache hit is not a fetch)", observed)
	}

	reg2 := prometheus.NewRegistry()
	reg2.MustRegister(strict)
	if results, _ := fetchResults(t, reg2); results["refused"] != 1 || results["ok"] != 0 {
		t.Errorf("without the loopback flag: %v, want refused 1, ok 0", results)
	}
	for _, r := range []*prometheus.Registry{reg, reg2} {
		problems, err := testutil.GatherAndLint(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("lint: %s: %s", p.Metric, p.Text)
		}
	}
}

// fetchResults returns the fetches counter by result, and how many
// durations the histogram holds.
func fetchResults(t *testing.T, g prometheus.Gatherer) (map[string]float64, uint64) {
	t.Helper()
	fams, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]float64{}
	var observed uint64
	for _, f := range fams {
		switch f.GetName() {
		case "assay_image_fetches_total":
			for _, m := range f.GetMetric() {
				results[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
			}
		case "assay_image_fetch_duration_seconds":
			observed = f.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return results, observed
}

// TestDownloadMetrics checks that the reporter's evidence photos, fetched
// with Download, are counted and timed like the matcher's: one ok, one
// missing (status) and one refused, each timed once, none cached.
func TestDownloadMetrics(t *testing.T) {
	srv, _ := photos(t)
	open := newFetcher(t, Options{AllowLoopback: true})
	strict := newFetcher(t, Options{})
	ctx := context.Background()
	if data, err := open.Download(ctx, srv.URL+"/img/chelsea.jpg"); err != nil || len(data) == 0 {
		t.Fatalf("Download: %d bytes, %v", len(data), err)
	}
	if _, err := open.Download(ctx, srv.URL+"/img/missing.jpg"); !errors.Is(err, ErrStatus) {
		t.Fatalf("Download of a missing photo: %v, want ErrStatus", err)
	}
	if _, err := strict.Download(ctx, srv.URL+"/img/chelsea.jpg"); !errors.Is(err, ErrRefused) {
		t.Fatalf("Download of a loopback URL without the flag: %v, want ErrRefused", err)
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(open)
	results, observed := fetchResults(t, reg)
	if results["ok"] != 1 || results["status"] != 1 || len(results) != len(Reasons())+1 {
		t.Errorf("downloads by result = %v, want ok 1, status 1 and every reason present", results)
	}
	if observed != 2 {
		t.Errorf("download duration observed %d times, want 2", observed)
	}
	if s := open.Stats(); s.Fetched != 1 || s.Failed[ReasonStatus] != 1 || s.Cached != 0 {
		t.Errorf("stats %+v, want 1 fetched, 1 status failure, nothing cached", s)
	}
	reg2 := prometheus.NewRegistry()
	reg2.MustRegister(strict)
	if results, observed := fetchResults(t, reg2); results["refused"] != 1 || results["ok"] != 0 || observed != 1 {
		t.Errorf("without the loopback flag: %v, %d timed; want refused 1, ok 0, 1 timed", results, observed)
	}
}
