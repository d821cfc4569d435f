package pipelinetest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	_ "modernc.org/sqlite" // the reporter's case database, read directly

	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

// TestCrashRestart runs the pipeline on the devbroker, streams listings in
// through ingest serve at 20 a second, and kills the matcher and the
// reporter with SIGKILL at random moments, 20 times each (their schedules
// interleave; each kill lands 0-3 s after the program has started doing
// work again, and the program is started again 0-2 s after). Right after
// each kill, while the program is down, its consumer group's committed
// offsets must not be ahead of what it stored: every flagged listing below
// the matcher's committed offset on listings has its candidate published,
// every candidate below the reporter's committed offset on candidates has
// its case in the database. Once the stream ends and the pipeline drains,
// every listing matcher scan flags on the same input has exactly one case,
// no other listing has one, and the database passes PRAGMA
// integrity_check. The analyst UI's search is read every half second
// throughout, so the reporter is killed while writing its search index
// too; every answer it gives must be a 200 (never a 5xx, never refused
// access). The schedule comes from a seed, logged (and set with
// ASSAY_FAULT_SEED); it takes about three minutes, so it runs in make
// test-fault (ASSAY_FAULT=1), not in make test.
func TestCrashRestart(t *testing.T) {
	if os.Getenv("ASSAY_FAULT") == "" {
		t.Skip("kills the matcher and the reporter 20 times each over about three minutes; make test-fault runs it (ASSAY_FAULT=1)")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ASSAY_FAULT_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("ASSAY_FAULT_SEED=%q: %v", s, err)
		}
	}
	kills := 20
	if s := os.Getenv("ASSAY_FAULT_KILLS"); s != "" {
		var err error
		if kills, err = strconv.Atoi(s); err != nil || kills < 1 {
			t.Fatalf("ASSAY_FAULT_KILLS=%q: want a positive number", s)
		}
	}
	t.Logf("seed %d (ASSAY_FAULT_SEED=%d make test-fault replays this schedule), %d kills of each", seed, seed, kills)
	began := time.Now()
	fx := loadFixtures(t)
	p := startPipeline(t, nil, nil)
	flagged := p.scan(t, fx.first(len(fx)))
	brandOf := map[string]string{} // fixture id -> brand it is flagged for
	for id, brand := range flagged {
		brandOf[fixtureOf(id)] = brand
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var sent int
	var feedErr error
	wg.Go(func() { sent, feedErr = p.feedSteady(ctx, fx) })
	ui := &uiReads{}
	wg.Go(func() { p.readUI(ctx, ui) })
	stopLoad := sync.OnceFunc(func() { cancel(); wg.Wait() })
	defer stopLoad()

	victims := []*victim{
		{name: "matcher", counter: "assay_matcher_listings_scored_total", addr: p.matcherAddr, total: kills,
			rng: rand.New(rand.NewPCG(seed, 1)), proc: func() *progtest.Proc { return p.matcher }, start: p.startMatcher,
			check: func() (int, error) { return p.checkMatcher(brandOf) }},
		{name: "reporter", counter: "assay_reporter_candidates_stored_total", addr: p.reporterAddr, total: kills,
			rng: rand.New(rand.NewPCG(seed, 2)), proc: func() *progtest.Proc { return p.reporter }, start: p.startReporter,
			check: p.checkReporter},
	}
	for _, v := range victims {
		v.since = time.Now()
	}
	for !victims[0].finished() || !victims[1].finished() {
		for _, v := range victims {
			v.step(t)
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopLoad()
	if feedErr != nil {
		t.Fatalf("streaming listings: %v", feedErr)
	}
	streamed := time.Since(began)

	// Drain: every listing scored and committed, every candidate stored.
	progtest.WaitFor(t, 3*time.Minute, "the pipeline to drain", func() (bool, string) {
		lctx, lcancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer lcancel()
		ll, err1 := stream.GroupLag(lctx, p.kafka, matcherGroup, stream.DefaultTopics().Listings)
		cl, err2 := stream.GroupLag(lctx, p.kafka, reporterGroup, stream.DefaultTopics().Candidates)
		if err1 != nil || err2 != nil {
			return false, fmt.Sprintf("lag: %v %v", err1, err2)
		}
		var end, lagL, lagC int64
		for _, l := range ll {
			end, lagL = end+l.End, lagL+l.Lag
		}
		for _, l := range cl {
			lagC += l.Lag
		}
		state := fmt.Sprintf("%d of %d listings in the topic, matcher lag %d, reporter lag %d", end, sent, lagL, lagC)
		return end == int64(sent) && lagL == 0 && lagC == 0, state
	})

	want := p.scan(t, fx.first(sent))
	for id, brand := range want {
		if brandOf[fixtureOf(id)] != brand {
			t.Fatalf("matcher scan flags %s for %s, its fixture for %q: the per-kill checks assumed otherwise", id, brand, brandOf[fixtureOf(id)])
		}
	}
	db, err := openCases(p.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cases, err := listCases(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var missing, doubled, extra []string
	for id, brand := range want {
		switch got := cases[id]; {
		case len(got) == 0:
			missing = append(missing, id)
		case len(got) > 1 || got[0] != brand:
			doubled = append(doubled, fmt.Sprintf("%s: cases for %v, want one for %s", id, got, brand))
		}
	}
	nCases := 0
	for id, brands := range cases {
		nCases += len(brands)
		if _, ok := want[id]; !ok {
			extra = append(extra, fmt.Sprintf("%s (%v)", id, brands))
		}
	}
	for what, ids := range map[string][]string{"flagged listings without a case": missing, "listings with a wrong or second case": doubled, "cases of listings matcher scan does not flag": extra} {
		if len(ids) > 0 {
			slices.Sort(ids)
			t.Errorf("%d %s: %v", len(ids), what, ids[:min(len(ids), 20)])
		}
	}
	var integrity string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&integrity); err != nil || integrity != "ok" {
		t.Errorf("PRAGMA integrity_check: %q %v", integrity, err)
	}
	cands, _, err := stream.ReadTopic(context.Background(), p.kafka, stream.DefaultTopics().Candidates)
	if err != nil {
		t.Fatal(err)
	}
	if ui.notOK > 0 {
		t.Errorf("the analyst UI answered other than 200 %d times during the kills", ui.notOK)
	}

	t.Logf("tallies: seed %d; %s of streaming and killing, %s in all", seed, streamed.Round(time.Second), time.Since(began).Round(time.Second))
	for _, v := range victims {
		t.Logf("  %s: %d kills (SIGKILL), %d restarts, %d offset checks passed; work done before each kill: %s",
			v.name, v.kills, v.restarts, v.checked, v.workSummary())
		t.Logf("    %s checks covered %d records below committed offsets in all", v.name, v.covered)
	}
	t.Logf("  listings %d, flagged by matcher scan %d, candidate records %d, cases %d, duplicates suppressed %d (candidates for a listing that already had its case)",
		sent, len(want), len(cands), nCases, len(cands)-nCases)
	t.Logf("  integrity_check %s; UI reads during the kills: %d answered, %d refused (reporter down), %d not 200", integrity, ui.answered, ui.refused, ui.notOK)
}

// victim is a program the test kills and starts again.
type victim struct {
	name    string
	counter string // metric counting the work done since the process started
	addr    string // its /metrics
	total   int
	rng     *rand.Rand
	proc    func() *progtest.Proc
	start   func()
	// check runs while the program is down; it returns how many records
	// it covered.
	check func() (int, error)

	phase    phase
	since    time.Time // start of the current incarnation
	at       time.Time // when armed: kill at; when down: start at
	kills    int
	checked  int
	covered  int
	work     []float64 // the counter at each kill
	restarts int
}

type phase int

const (
	starting phase = iota // waiting for the program to do some work
	armed                 // killed at `at`
	down                  // started again at `at`
	done
)

func (v *victim) finished() bool { return v.phase == done }

// step advances the victim's schedule; it is called every 50 ms.
func (v *victim) step(t *testing.T) {
	t.Helper()
	now := time.Now()
	switch v.phase {
	case starting:
		if now.Sub(v.since) > 2*time.Minute {
			t.Fatalf("%s did no work within 2 minutes of starting (kill %d)", v.name, v.kills)
		}
		if m, err := progtest.Scrape(v.addr); err == nil && m[v.counter] > 0 {
			v.phase, v.at = armed, now.Add(time.Duration(v.rng.Int64N(int64(3*time.Second))))
		}
	case armed:
		if now.Before(v.at) {
			return
		}
		m, _ := progtest.Scrape(v.addr)
		v.proc().Kill(t)
		v.kills++
		v.work = append(v.work, m[v.counter])
		n, err := v.check()
		if err != nil {
			t.Errorf("after %s kill %d: %v", v.name, v.kills, err)
		} else {
			v.checked++
		}
		v.covered += n
		v.phase, v.at = down, now.Add(time.Duration(v.rng.Int64N(int64(2*time.Second))))
		if v.kills == v.total {
			v.at = now // the last start: the pipeline must drain
		}
	case down:
		if now.Before(v.at) {
			return
		}
		v.start()
		v.restarts++
		v.phase, v.since = starting, now
		if v.kills == v.total {
			v.phase = done
		}
	}
}

func (v *victim) workSummary() string {
	w := slices.Clone(v.work)
	if len(w) == 0 {
		return "-"
	}
	slices.Sort(w)
	return fmt.Sprintf("min %.0f, median %.0f, max %.0f", w[0], w[len(w)/2], w[len(w)-1])
}

// checkMatcher runs while the matcher is down: every flagged listing below
// the group's committed offset on listings must have its candidate
// published, else the matcher committed ahead of its output.
func (p *pipeline) checkMatcher(brandOf map[string]string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topics := stream.DefaultTopics()
	below, err := p.belowCommitted(ctx, matcherGroup, topics.Listings)
	if err != nil {
		return 0, err
	}
	cands, _, err := stream.ReadTopic(ctx, p.kafka, topics.Candidates)
	if err != nil {
		return 0, err
	}
	published := map[string]bool{}
	for _, m := range cands {
		published[string(m.Key)] = true
	}
	var lost []string
	for _, m := range below {
		id := string(m.Key)
		if brandOf[fixtureOf(id)] != "" && !published[id] {
			lost = append(lost, fmt.Sprintf("%s (listings/%d@%d)", id, m.Partition, m.Offset))
		}
	}
	if len(lost) > 0 {
		return len(below), fmt.Errorf("matcher committed past %d flagged listings with no candidate published: %v", len(lost), lost[:min(len(lost), 10)])
	}
	return len(below), nil
}

// checkReporter runs while the reporter is down: every candidate below
// the group's committed offset on candidates must have its case stored,
// else the reporter committed ahead of its database.
func (p *pipeline) checkReporter() (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	below, err := p.belowCommitted(ctx, reporterGroup, stream.DefaultTopics().Candidates)
	if err != nil {
		return 0, err
	}
	db, err := openCases(p.db)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	stored, err := listCases(ctx, db)
	if err != nil {
		return 0, err
	}
	var lost []string
	for _, m := range below {
		var c struct {
			ListingID string `json:"listing_id"`
			BrandID   string `json:"brand_id"`
		}
		if err := json.Unmarshal(m.Value, &c); err != nil {
			return 0, fmt.Errorf("candidates/%d@%d: %w", m.Partition, m.Offset, err)
		}
		if !slices.Contains(stored[c.ListingID], c.BrandID) {
			lost = append(lost, fmt.Sprintf("%s/%s (candidates/%d@%d)", c.ListingID, c.BrandID, m.Partition, m.Offset))
		}
	}
	if len(lost) > 0 {
		return len(below), fmt.Errorf("reporter committed past %d candidates with no case stored: %v", len(lost), lost[:min(len(lost), 10)])
	}
	return len(below), nil
}

// belowCommitted returns the records of topic below group's committed
// offsets.
func (p *pipeline) belowCommitted(ctx context.Context, group, topic string) ([]kafka.Message, error) {
	// Committed first: the records read after it are at least those below it.
	spans, err := stream.Spans(ctx, p.kafka, topic)
	if err != nil {
		return nil, err
	}
	parts := make([]int, len(spans))
	for i, s := range spans {
		parts[i] = s.Partition
	}
	committed, err := stream.Committed(ctx, p.kafka, group, topic, parts)
	if err != nil {
		return nil, err
	}
	msgs, _, err := stream.ReadTopic(ctx, p.kafka, topic)
	if err != nil {
		return nil, err
	}
	var out []kafka.Message
	for _, m := range msgs {
		if m.Offset < committed[m.Partition] {
			out = append(out, m)
		}
	}
	return out, nil
}

// feedSteady posts listings to ingest, 5 every 250 ms, until ctx ends, and
// returns how many it sent: listings 0 to n-1 of fx's stream.
func (p *pipeline) feedSteady(ctx context.Context, fx fixtures) (int, error) {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return n, nil
		case <-tick.C:
		}
		var body []byte
		for i := range 5 {
			body = append(body, fx.listing(n+i, nil)...)
		}
		got, err := p.post(body)
		if err != nil || got != 5 {
			return n, fmt.Errorf("listings %d-%d: accepted %d: %v", n, n+4, got, err)
		}
		n += 5
	}
}

// uiReads counts the answers of the analyst UI while the reporter is
// killed and started again under it.
type uiReads struct{ answered, refused, notOK int }

// readUI searches the cases every half second until ctx ends, so that the
// reporter is also writing its search index when it is killed.
func (p *pipeline) readUI(ctx context.Context, r *uiReads) {
	words := []string{"replica", "fullips", "kaltrix", "original"}
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
		resp, err := p.uiGet(ctx, "/cases?q="+words[i%len(words)])
		if err != nil {
			r.refused++
			continue
		}
		resp.Body.Close()
		r.answered++
		if resp.StatusCode != http.StatusOK {
			r.notOK++
		}
	}
}

// first returns listings 0 to n-1 of the stream, as JSON Lines.
func (fs fixtures) first(n int) []byte {
	var out []byte
	for i := range n {
		out = append(out, fs.listing(i, nil)...)
	}
	return out
}

// scan runs matcher scan on listings (beside the fixtures' photos) and
// returns the flagged ones' brands by listing id.
func (p *pipeline) scan(t *testing.T, listings []byte) map[string]string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(p.root, "fixtures", "images"), filepath.Join(dir, "images")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "listings.jsonl")
	if err := os.WriteFile(file, listings, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(p.path("matcher"), "scan", "-q", "--brands", filepath.Join(p.root, "fixtures", "brands.yaml"), file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("matcher scan: %v\n%s", err, stderr.Bytes())
	}
	flagged := map[string]string{}
	for line := range bytes.Lines(out) {
		var v struct {
			ListingID string `json:"listing_id"`
			BrandID   string `json:"brand_id"`
			Flagged   bool   `json:"flagged"`
		}
		if err := json.Unmarshal(line, &v); err != nil || !v.Flagged {
			t.Fatalf("matcher scan wrote %q: %v", line, err)
		}
		flagged[v.ListingID] = v.BrandID
	}
	return flagged
}

func openCases(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	return db, nil
}

// listCases returns the brands of each listing's cases.
func listCases(ctx context.Context, db *sql.DB) (map[string][]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT listing_id, brand_id FROM cases ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, brand string
		if err := rows.Scan(&id, &brand); err != nil {
			return nil, fmt.Errorf("read cases: %w", err)
		}
		out[id] = append(out[id], brand)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read cases: %w", err)
	}
	return out, nil
}
