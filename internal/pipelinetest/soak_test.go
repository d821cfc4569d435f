package pipelinetest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/fetch"
	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

// imageVariants is how many distinct URLs each fixture photo is served
// under (a query string the file server ignores): 171 photos make 34,200
// URLs, over three times the image cache's 10,000 entries, so the cache
// fills, then evicts for the rest of the run, with hits and misses both.
const imageVariants = 200

// BenchmarkSoak holds the pipeline under steady load for SOAK (30m by
// default; make bench-soak) — ingest serve, matcher and reporter on the
// devbroker, SOAK_RATE listings a second (200) posted in batches every
// 100 ms, three in four with photos fetched from a loopback image server,
// the analyst UI read every few seconds — and samples every program's
// memory (RSS, anonymous RSS, Go heap in use) and goroutines, throughput
// and lag every SOAK_SAMPLE (a minute; a twelfth of SOAK when shorter). It
// prints the curve, then compares the last third of the samples after a
// warm-up (a sixth of the run) with the first third: the matcher, the
// reporter and ingest must not grow beyond the image cache's bound. The
// devbroker is shown, not judged: kfake keeps every record in memory.
// Run it with -benchtime 1x: one soak is the measurement.
func BenchmarkSoak(b *testing.B) {
	dur := envDuration(b, "SOAK", 30*time.Minute)
	every := envDuration(b, "SOAK_SAMPLE", min(time.Minute, dur/12))
	rate := 200
	if s := os.Getenv("SOAK_RATE"); s != "" {
		var err error
		if rate, err = strconv.Atoi(s); err != nil || rate <= 0 {
			b.Fatalf("SOAK_RATE=%q: want a positive number of listings a second", s)
		}
	}
	fx := loadFixtures(b)
	images := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(progtest.Root(b), "fixtures"))))
	defer images.Close()
	p := startPipeline(b, []string{"--allow-loopback-images"}, []string{"--allow-loopback-images"})
	b.Logf("soak: %s at %d listings/s, sampled every %s; scratch in %s", dur, rate, every, p.dir)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var load loadStats
	wg.Go(func() { p.feed(ctx, fx, rate, images.URL, &load) })
	wg.Go(func() { p.browse(ctx, &load) })
	defer func() { cancel(); wg.Wait() }()

	procs := []*progtest.Proc{p.matcher, p.reporter, p.ingest, p.broker}
	opsAddrs := []string{p.matcherAddr, p.reporterAddr, p.ingestAddr, p.brokerOps}
	fmt.Println(soakHeader)
	var samples []soakSample
	start := time.Now()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		s := p.sample(b, time.Since(start), procs, opsAddrs)
		if len(samples) > 0 {
			s.rates(samples[len(samples)-1])
		}
		samples = append(samples, s)
		fmt.Println(s.row())
		if time.Since(start) >= dur {
			break
		}
		<-tick.C
	}
	cancel()
	wg.Wait()
	fmt.Printf("load: %d listings accepted, %d post errors; UI: %d pages read, %d answered other than 200, %d failed\n",
		load.accepted.Load(), load.postErrors.Load(), load.pages.Load(), load.pageNotOK.Load(), load.pageErrors.Load())
	last := samples[len(samples)-1]
	b.ReportMetric(last.acceptedN/time.Since(start).Seconds(), "listings/s")
	if load.pageNotOK.Load() > 0 {
		b.Errorf("the analyst UI answered other than 200 %d times", load.pageNotOK.Load())
	}
	judge(b, samples, dur/6)
}

const soakHeader = `  time   in/s  scored/s stored/s  lagL  lagC  cache |` +
	`  matcher rss  anon  heap  gor |  reporter rss  anon  heap  gor |` +
	`  ingest rss  anon  heap  gor |  devbroker rss  anon  heap  gor` + "\n" +
	`                                                    |  (MiB; goroutines)`

// soakSample is one row of the curve.
type soakSample struct {
	at    time.Duration
	procs []procSample // matcher, reporter, ingest, devbroker
	// Counters and gauges, and the rates since the previous sample.
	acceptedN, scoredN, storedN float64
	in, scored, stored          float64
	lagListings, lagCandidates  int64
	cache                       float64 // matcher image cache entries
}

type procSample struct {
	rss, anon  float64 // bytes, from /proc/PID/status
	heap       float64 // go_memstats_heap_inuse_bytes
	goroutines float64
}

func (p *pipeline) sample(b *testing.B, at time.Duration, procs []*progtest.Proc, ops []string) soakSample {
	s := soakSample{at: at}
	for i, proc := range procs {
		var ps procSample
		ps.rss, ps.anon = memory(b, proc.Pid())
		m, err := progtest.Scrape(ops[i])
		if err != nil {
			b.Fatalf("sample: %v", err)
		}
		ps.heap, ps.goroutines = m["go_memstats_heap_inuse_bytes"], m["go_goroutines"]
		switch i {
		case 0:
			s.scoredN, s.cache = m["assay_matcher_listings_scored_total"], m["assay_image_cache_entries"]
		case 1:
			s.storedN = m["assay_reporter_candidates_stored_total"]
		case 2:
			s.acceptedN = m["assay_ingest_listings_accepted_total"]
		}
		s.procs = append(s.procs, ps)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.lagListings = lag(ctx, b, p.kafka, matcherGroup, stream.DefaultTopics().Listings)
	s.lagCandidates = lag(ctx, b, p.kafka, reporterGroup, stream.DefaultTopics().Candidates)
	return s
}

func (s *soakSample) rates(prev soakSample) {
	d := (s.at - prev.at).Seconds()
	s.in, s.scored, s.stored = (s.acceptedN-prev.acceptedN)/d, (s.scoredN-prev.scoredN)/d, (s.storedN-prev.storedN)/d
}

func (s soakSample) row() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%6s %6.0f %9.0f %8.0f %5d %5d %6.0f |", s.at.Round(time.Second), s.in, s.scored, s.stored, s.lagListings, s.lagCandidates, s.cache)
	for i, p := range s.procs {
		pad := []int{12, 13, 11, 14}[i]
		fmt.Fprintf(&b, "%*.0f %5.0f %5.1f %4.0f |", pad, p.rss/mib, p.anon/mib, p.heap/mib, p.goroutines)
	}
	return strings.TrimSuffix(b.String(), " |")
}

const mib = 1 << 20

// memory reads a process's resident set and its anonymous part (the heap,
// stacks: what a leak grows; the rest is mapped files the kernel can drop).
func memory(b *testing.B, pid int) (rss, anon float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatalf("memory of %d: %v", pid, err)
	}
	kb := func(field string) float64 {
		m := regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`).FindSubmatch(data)
		if m == nil {
			b.Fatalf("/proc/%d/status has no %s", pid, field)
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		return v * 1024
	}
	return kb("VmRSS"), kb("RssAnon")
}

func lag(ctx context.Context, b *testing.B, c stream.Cluster, group, topic string) int64 {
	parts, err := stream.GroupLag(ctx, c, group, topic)
	if err != nil {
		b.Fatalf("lag of %s on %s: %v", group, topic, err)
	}
	var n int64
	for _, p := range parts {
		n += p.Lag
	}
	return n
}

// judge compares, after warm-up, the first third of the samples with the
// last third, program by program, and fails the benchmark on growth the
// caches' bounds do not explain.
func judge(b *testing.B, samples []soakSample, warmup time.Duration) {
	var steady []soakSample
	maxCache := 0.0
	for _, s := range samples {
		maxCache = max(maxCache, s.cache)
		if s.at >= warmup {
			steady = append(steady, s)
		}
	}
	fmt.Printf("matcher image cache: at most %.0f entries (bound %d)\n", maxCache, fetch.DefaultCacheSize)
	if maxCache > fetch.DefaultCacheSize {
		b.Errorf("the image cache held %.0f entries, over its bound of %d", maxCache, fetch.DefaultCacheSize)
	}
	if len(steady) < 3 {
		b.Errorf("only %d samples after the %s warm-up: nothing to compare; run longer or sample more often", len(steady), warmup)
		return
	}
	n := len(steady) / 3
	first, last := steady[:n], steady[len(steady)-n:]
	mean := func(ss []soakSample, f func(soakSample) float64) float64 {
		t := 0.0
		for _, s := range ss {
			t += f(s)
		}
		return t / float64(len(ss))
	}
	fmt.Println("RSS beyond anon RSS is mapped files (the reporter's search index segments): page cache the kernel drops under pressure, judged by anon RSS")
	fmt.Printf("after a %s warm-up: mean of the first %d samples (%s-%s) against the last %d (%s-%s)\n",
		warmup, n, first[0].at.Round(time.Second), first[n-1].at.Round(time.Second), n, last[0].at.Round(time.Second), last[n-1].at.Round(time.Second))
	for i, name := range []string{"matcher", "reporter", "ingest", "devbroker"} {
		heap0, heap1 := mean(first, func(s soakSample) float64 { return s.procs[i].heap }), mean(last, func(s soakSample) float64 { return s.procs[i].heap })
		anon0, anon1 := mean(first, func(s soakSample) float64 { return s.procs[i].anon }), mean(last, func(s soakSample) float64 { return s.procs[i].anon })
		gor0, gor1 := mean(first, func(s soakSample) float64 { return s.procs[i].goroutines }), mean(last, func(s soakSample) float64 { return s.procs[i].goroutines })
		line := fmt.Sprintf("  %-9s heap %6.1f -> %6.1f MiB, anon RSS %6.1f -> %6.1f MiB, goroutines %4.0f -> %4.0f",
			name, heap0/mib, heap1/mib, anon0/mib, anon1/mib, gor0, gor1)
		if name == "devbroker" {
			fmt.Println(line + ": not judged (kfake keeps every record in memory; it grows with the data)")
			continue
		}
		// Slack for the garbage collector's cycle and for bursts in
		// flight: a fifth of the size, at least 8 MiB of heap and 16 MiB
		// of RSS, and a tenth of the goroutines, at least 5.
		grows := heap1 > heap0*1.2+8*mib || anon1 > anon0*1.2+16*mib || gor1 > gor0*1.1+5
		if grows {
			fmt.Println(line + ": GROWS")
			b.Errorf("%s grows under steady load: %s", name, strings.TrimSpace(line))
		} else {
			fmt.Println(line + ": flat")
		}
	}
}

// loadStats counts what the soak's load did.
type loadStats struct {
	accepted, postErrors         atomic.Int64
	pages, pageNotOK, pageErrors atomic.Int64
}

// feed posts rate listings a second to ingest in batches every 100 ms
// until ctx ends; three in four photos become URLs on the image server.
func (p *pipeline) feed(ctx context.Context, fx fixtures, rate int, imageURL string, st *loadStats) {
	rng := rand.New(rand.NewPCG(7, 7))
	image := func(ref string) string {
		if rng.IntN(4) == 0 {
			return ref // read from --image-dir
		}
		return fmt.Sprintf("%s/%s?v=%d", imageURL, ref, rng.IntN(imageVariants))
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	per := max(1, rate/10)
	for n := 0; ; {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var body []byte
		for range per {
			body = append(body, fx.listing(n, image)...)
			n++
		}
		got, err := p.post(body)
		st.accepted.Add(int64(got))
		if err != nil && ctx.Err() == nil {
			st.postErrors.Add(1)
		}
	}
}

var (
	caseID   = regexp.MustCompile(`"id":(\d+),"listing_id"`)
	caseLink = regexp.MustCompile(`/cases/\d+/evidence/[^"]+`)
)

// browse reads the analyst UI as an analyst would, every 3 s until ctx
// ends: the queue, a search, a case and one of its evidence photos, a
// brand page.
func (p *pipeline) browse(ctx context.Context, st *loadStats) {
	get := func(path string) string {
		resp, err := p.uiGet(ctx, path)
		if err != nil {
			if ctx.Err() == nil {
				st.pageErrors.Add(1)
			}
			return ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		st.pages.Add(1)
		if resp.StatusCode != http.StatusOK {
			if st.pageNotOK.Add(1) <= 5 {
				fmt.Printf("UI: %s answered %s\n", path, resp.Status)
			}
		}
		return string(body)
	}
	words := []string{"replica", "fullips", "kaltrix", "original", "1:1", "leather"}
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(3 * time.Second):
		}
		get("/cases")
		get("/cases?q=" + words[i%len(words)])
		if ids := caseID.FindAllStringSubmatch(get("/api/v1/cases?limit=50&sort=age"), -1); len(ids) > 0 {
			if link := caseLink.FindString(get("/cases/" + ids[i%len(ids)][1])); link != "" {
				get(strings.ReplaceAll(link, "&amp;", "&"))
			}
		}
		get("/brands/fullips")
	}
}

func envDuration(b *testing.B, name string, def time.Duration) time.Duration {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		b.Fatalf("%s=%q: want a duration such as 30m", name, s)
	}
	return d
}
