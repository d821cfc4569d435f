package matcher

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/assay-dev/assay/docs/schema"
	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/fetch"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/ingest"
	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/reporter"
	"github.com/assay-dev/assay/internal/scan"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

var fixtures = filepath.Join("..", "..", "fixtures")

// fileImages hashes listing images from disk, as a batch scan does, so the
// pipeline's verdicts can be compared with matcher scan's.
func fileImages(dir string) fetch.Local {
	return fetch.Local{Dir: dir, Limits: imagehash.DefaultLimits()}
}

func startBroker(t testing.TB) stream.Cluster {
	t.Helper()
	return kafkatest.Start(t).Cluster()
}

// publishBrands puts the fixture brands (all, or those kept) on the brands
// topic with their reference hashes.
func publishBrands(t testing.TB, brokers stream.Cluster, keep func(id string) bool) {
	t.Helper()
	reg, err := brand.LoadFile(filepath.Join(fixtures, "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []kafka.Message
	for _, b := range reg.Brands {
		if keep != nil && !keep(b.ID) {
			continue
		}
		rec := &stream.BrandRecord{Brand: b, PublishedAt: time.Now()}
		for _, ref := range b.ReferenceImages {
			data, err := os.ReadFile(reg.ImagePath(ref))
			if err != nil {
				t.Fatal(err)
			}
			hs, err := imagehash.ReferenceHashesAll(data, imagehash.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			rec.ReferenceHashes = append(rec.ReferenceHashes, stream.RefHashes(ref, hs)...)
		}
		m, err := stream.BrandMessage(b.ID, rec)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	write(t, brokers, stream.DefaultTopics().Brands, msgs)
}

func write(t testing.TB, brokers stream.Cluster, topic string, msgs []kafka.Message) {
	t.Helper()
	w := brokers.NewWriter(topic)
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

// fixtureListings returns the fixture listing lines keyed by id.
func fixtureListings(t testing.TB, filter func(line []byte) bool) []kafka.Message {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtures, "listings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []kafka.Message
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.Clone(sc.Bytes())
		if filter != nil && !filter(line) {
			continue
		}
		var l struct{ ID string }
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, kafka.Message{Key: []byte(l.ID), Value: line})
	}
	return msgs
}

// fixtureEngine scores with the fixture registry, less the brands keep
// refuses (nil keeps them all).
func fixtureEngine(t testing.TB, keep func(id string) bool, opts score.Options) *score.Engine {
	t.Helper()
	reg, err := brand.LoadFile(filepath.Join(fixtures, "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if keep != nil {
		reg.Brands = slices.DeleteFunc(reg.Brands, func(b brand.Brand) bool { return !keep(b.ID) })
	}
	eng, err := score.New(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// batchVerdicts runs matcher scan's code on the fixtures: the reference the
// pipeline must agree with.
func batchVerdicts(t testing.TB, keep func(id string) bool) map[string]score.Verdict {
	t.Helper()
	eng := fixtureEngine(t, keep, score.Options{})
	f, err := os.Open(filepath.Join(fixtures, "listings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]score.Verdict{}
	var mu sync.Mutex
	_, err = scan.Run(context.Background(), eng, []scan.Source{{Name: "listings.jsonl", R: f, Dir: fixtures}}, &bytes.Buffer{},
		scan.Options{Each: func(_ *listing.Listing, v score.Verdict) {
			if v.Flagged {
				mu.Lock()
				out[v.ListingID] = v
				mu.Unlock()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// candidates reads the candidates topic from the start until done says the
// collection is complete or the timeout passes.
func candidates(t testing.TB, brokers stream.Cluster, timeout time.Duration, done func(map[string][]stream.Candidate) bool) map[string][]stream.Candidate {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	got := map[string][]stream.Candidate{}
	var mu sync.Mutex
	topic := stream.DefaultTopics().Candidates
	spans, err := stream.Spans(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	from := map[int]int64{}
	for _, s := range spans {
		from[s.Partition] = kafka.FirstOffset
	}
	_ = stream.Tail(ctx, brokers, topic, from, 0, func(m kafka.Message) error {
		var c stream.Candidate
		if err := json.Unmarshal(m.Value, &c); err != nil {
			t.Errorf("candidate does not decode: %v", err)
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		got[c.ListingID] = append(got[c.ListingID], c)
		if done(got) {
			cancel()
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	return got
}

func hasAll(want map[string]score.Verdict) func(map[string][]stream.Candidate) bool {
	return func(got map[string][]stream.Candidate) bool {
		for id := range want {
			if len(got[id]) == 0 {
				return false
			}
		}
		return true
	}
}

// startMatcher runs a matcher until the returned stop is called.
func startMatcher(t testing.TB, opts Options) (*Matcher, func()) {
	t.Helper()
	if opts.Images == nil {
		opts.Images = fileImages(fixtures)
	}
	opts.Registerer = prometheus.NewRegistry()
	if opts.SessionTimeout == 0 {
		opts.SessionTimeout = 6 * time.Second
	}
	if opts.ShutdownTimeout == 0 {
		opts.ShutdownTimeout = 3 * time.Second
	}
	mt, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mt.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("matcher: %v", err)
				}
			case <-time.After(opts.ShutdownTimeout + 10*time.Second):
				t.Error("matcher did not stop in time")
			}
		})
	}
	t.Cleanup(stop)
	return mt, stop
}

func waitReady(t testing.TB, mt *Matcher) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !mt.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("matcher not ready")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEndToEnd sends the fixture brands and listings in through ingest and
// expects, out of the candidates topic, every listing matcher scan flags,
// with the same brand and score, and no other.
func TestEndToEnd(t *testing.T) {
	brokers := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	reg, err := brand.LoadFile(filepath.Join(fixtures, "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	brands, err := ingest.NewBrands(ingest.BrandsOptions{Kafka: brokers, Topic: stream.DefaultTopics().Brands})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := brands.Sync(ctx, reg, ingest.SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	brands.Close()
	want := batchVerdicts(t, nil)
	mt, _ := startMatcher(t, Options{Kafka: brokers})
	waitReady(t, mt)
	pub, err := ingest.NewPublisher(ingest.Options{Kafka: brokers, Topics: stream.DefaultTopics()})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(fixtures, "listings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := pub.PublishJSONL(ctx, "listings.jsonl", f, ingest.FeedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := pub.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("ingest: %+v", res)
	got := candidates(t, brokers, 60*time.Second, hasAll(want))
	for id, v := range want {
		cs := got[id]
		if len(cs) == 0 {
			t.Errorf("%s: flagged by scan, no candidate", id)
			continue
		}
		c := cs[0]
		if c.BrandID != v.BrandID || c.Score != v.Score || c.Listing == nil || c.Listing.ID != id || c.ContentHash == "" {
			t.Errorf("%s: candidate brand %s score %v, scan says brand %s score %v", id, c.BrandID, c.Score, v.BrandID, v.Score)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: candidate the batch scan did not flag", id)
		}
	}
	checkSchemas(t, brokers)
	t.Logf("%d candidates, as matcher scan", len(want))
	checkCases(t, brokers, want)
}

// checkCases runs the reporter's intake over the candidates topic into a
// fresh case database, the last stage of the pipeline, and expects exactly
// one case per flagged listing, for the brand matcher scan named.
func checkCases(t *testing.T, brokers stream.Cluster, want map[string]score.Verdict) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := casestore.Open(ctx, filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	in, err := reporter.NewIntake(store, reporter.Options{Kafka: brokers})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- in.Run(runCtx) }()
	var cases []*casestore.Case
	for {
		if cases, err = store.List(ctx, casestore.Filter{}); err != nil {
			t.Fatal(err)
		}
		if len(cases) >= len(want) || ctx.Err() != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, c := range cases {
		seen[c.ListingID]++
		if v, ok := want[c.ListingID]; !ok {
			t.Errorf("case %d: listing %s was not flagged by matcher scan", c.ID, c.ListingID)
		} else if c.BrandID != v.BrandID {
			t.Errorf("case %d: brand %s, matcher scan says %s", c.ID, c.BrandID, v.BrandID)
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("%s: %d cases, want exactly one", id, seen[id])
		}
	}
	t.Logf("%d cases in the reporter's database", len(cases))
}

// killableDial opens real connections and can cut them all at once, as a
// crash or a pulled cable would; afterwards every dial fails.
type killableDial struct {
	mu    sync.Mutex
	conns []net.Conn
	dead  bool
}

func (k *killableDial) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.dead {
		return nil, errors.New("killed")
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err == nil {
		k.conns = append(k.conns, c)
	}
	return c, err
}

func (k *killableDial) kill() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.dead = true
	for _, c := range k.conns {
		c.Close()
	}
}

// TestCrash kills a matcher mid-stream — connections cut, nothing closed,
// no final commit — and starts another in the same group: every listing
// still gets its verdict.
func TestCrash(t *testing.T) {
	brokers := startBroker(t)
	publishBrands(t, brokers, nil)
	want := batchVerdicts(t, nil)
	k := &killableDial{}
	cut := brokers.WithDial(k.dial)
	t.Cleanup(cut.Close)
	a, stopA := startMatcher(t, Options{Kafka: cut, ShutdownTimeout: 500 * time.Millisecond, Workers: 1})
	waitReady(t, a)
	write(t, brokers, stream.DefaultTopics().Listings, fixtureListings(t, nil))
	// Let it publish part of the work, then pull the plug.
	part := candidates(t, brokers, 30*time.Second, func(got map[string][]stream.Candidate) bool { return len(got) >= len(want)/4 })
	k.kill()
	stopA()
	t.Logf("killed after %d of %d candidates", len(part), len(want))
	b, _ := startMatcher(t, Options{Kafka: brokers})
	// b's join waits out a's session (6 s), as a's partitions cannot move
	// before: b runs, but is not ready, as /readyz tells an operator.
	for end := time.Now().Add(2 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if b.Ready() {
			t.Fatal("b is ready while its join waits out a's session")
		}
	}
	waitReady(t, b)
	got := candidates(t, brokers, 60*time.Second, hasAll(want))
	missing := 0
	for id := range want {
		if len(got[id]) == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d flagged listings never got a candidate after the crash", missing, len(want))
	}
}

// TestStartBeforeKafka: a matcher started while Kafka is down waits for
// it, as it rides out an outage once running, and gets ready when it
// comes, where it once exited at once and left a supervisor to loop.
func TestStartBeforeKafka(t *testing.T) {
	port := progtest.FreePorts(t, 1)[0]
	c := stream.NewCluster([]string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}, nil, nil)
	t.Cleanup(c.Close)
	mt, err := New(Options{Kafka: c, Images: noImages{}, SessionTimeout: 6 * time.Second, ShutdownTimeout: time.Second, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- mt.Run(ctx) }()
	select {
	case err := <-done:
		t.Fatalf("Run returned with Kafka down: %v", err)
	case <-time.After(1500 * time.Millisecond):
	}
	if mt.Ready() {
		t.Fatal("ready with Kafka down")
	}
	broker, err := kfake.NewCluster(kfake.Ports(port), kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	waitReady(t, mt)
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// TestTwoMatchers runs two matchers in one group; one leaves mid-stream and
// the other carries on: nothing is lost.
func TestTwoMatchers(t *testing.T) {
	brokers := startBroker(t)
	publishBrands(t, brokers, nil)
	want := batchVerdicts(t, nil)
	a, stopA := startMatcher(t, Options{Kafka: brokers, Workers: 1})
	b, _ := startMatcher(t, Options{Kafka: brokers, Workers: 1})
	waitReady(t, a)
	waitReady(t, b)
	msgs := fixtureListings(t, nil)
	half := len(msgs) / 2
	write(t, brokers, stream.DefaultTopics().Listings, msgs[:half])
	candidates(t, brokers, 30*time.Second, func(got map[string][]stream.Candidate) bool { return len(got) >= len(want)/4 })
	stopA()
	write(t, brokers, stream.DefaultTopics().Listings, msgs[half:])
	got := candidates(t, brokers, 60*time.Second, hasAll(want))
	for id := range want {
		if len(got[id]) == 0 {
			t.Errorf("%s: no candidate", id)
		}
	}
}

// TestBrandAddedLive publishes a brand while the pipeline runs: new listings
// are flagged for it, and the re-scan finds the ones already listed.
// lateBrand is the brand the retroactive-scan tests publish late.
const lateBrand = "fullips"

// lateSetup publishes every brand but lateBrand and returns the fixture
// counterfeits that only lateBrand flags, split into the ones listed before
// it is published and after.
func lateSetup(t *testing.T, brokers stream.Cluster) (old, fresh []kafka.Message, lateIDs []string) {
	t.Helper()
	publishBrands(t, brokers, func(id string) bool { return id != lateBrand })
	want := batchVerdicts(t, nil)
	// Counterfeits of the late brand that nothing else flags before it exists.
	without := batchVerdicts(t, func(id string) bool { return id != lateBrand })
	isLate := func(line []byte) bool {
		id := listingID(line)
		v, ok := want[id]
		_, other := without[id]
		return ok && v.BrandID == lateBrand && !other
	}
	for id, v := range want {
		if _, other := without[id]; v.BrandID == lateBrand && !other {
			lateIDs = append(lateIDs, id)
		}
	}
	if len(lateIDs) < 4 {
		t.Fatalf("only %d fixture counterfeits of %s", len(lateIDs), lateBrand)
	}
	lateMsgs := fixtureListings(t, isLate)
	return lateMsgs[:len(lateMsgs)/2], lateMsgs[len(lateMsgs)/2:], lateIDs
}

func hasIDs(ids []string) func(map[string][]stream.Candidate) bool {
	return func(got map[string][]stream.Candidate) bool {
		for _, id := range ids {
			if len(got[id]) == 0 {
				return false
			}
		}
		return true
	}
}

func msgIDs(msgs []kafka.Message) []string {
	var ids []string
	for _, m := range msgs {
		ids = append(ids, string(m.Key))
	}
	return ids
}

func TestBrandAddedLive(t *testing.T) {
	checkBrandAddedLive(t, startBroker(t), nil)
}

// checkBrandAddedLive runs a matcher on cluster, logging to logger, and
// adds lateBrand while it runs: nothing is flagged before the brand
// exists, the listings scored before it get a candidate from the re-scan,
// and those listed after get a live one. It returns the matcher's stop,
// for a test that checks what was logged once the matcher is done.
func checkBrandAddedLive(t *testing.T, cluster stream.Cluster, logger *slog.Logger) (stop func()) {
	t.Helper()
	old, fresh, lateIDs := lateSetup(t, cluster)
	mt, stop := startMatcher(t, Options{Kafka: cluster, RetroScan: true, Logger: logger})
	waitReady(t, mt)
	write(t, cluster, stream.DefaultTopics().Listings, old)
	// The old listings are scored without the brand (a real broker's
	// group join takes seconds: a fixed wait was not enough there).
	waitScored(t, len(old), mt)
	if got := candidates(t, cluster, 2*time.Second, func(map[string][]stream.Candidate) bool { return false }); len(got) != 0 {
		t.Fatalf("%d candidates before the brand existed", len(got))
	}
	publishBrands(t, cluster, func(id string) bool { return id == lateBrand })
	// waitInForce waits for the registry version it reads at its start,
	// so the late brand must be in the registry first.
	progtest.WaitFor(t, 15*time.Second, "the 12 fixture brands in the registry", func() (bool, string) {
		n := mt.reg.size()
		return n >= 12, fmt.Sprintf("%d brands", n)
	})
	waitInForce(t, mt)
	write(t, cluster, stream.DefaultTopics().Listings, fresh)
	got := candidates(t, cluster, 30*time.Second, hasIDs(lateIDs))
	for _, m := range old {
		cs := got[string(m.Key)]
		if len(cs) == 0 || !cs[0].Retroactive {
			t.Errorf("%s listed before the brand: candidates %+v, want one from the re-scan", m.Key, cs)
		}
	}
	for _, m := range fresh {
		found := false
		for _, c := range got[string(m.Key)] {
			found = found || !c.Retroactive
		}
		if !found {
			t.Errorf("%s listed after the brand: no live candidate", m.Key)
		}
	}
	return stop
}

// TestRetroScanAgreesWithLive adds a brand after the listings were scored:
// the re-scan flags for it exactly the listings live scoring would give it
// now, and not a listing naming two brands that the other one wins,
// although the new brand alone would flag it (a re-scan with the new brand
// alone once did).
func TestRetroScanAgreesWithLive(t *testing.T) {
	const contestedID = "two-brands"
	contested := `{"id":"two-brands","title":"Replica Kaltrix headphones with Fullips lip plumper gift set","price":{"amount":5,"currency":"USD"},"seller":{"id":"s-x"}}`
	l, err := listing.Decode([]byte(contested))
	if err != nil {
		t.Fatal(err)
	}
	v := fixtureEngine(t, nil, score.Options{}).Score(l, nil)
	if !v.Flagged || len(v.Others) == 0 {
		t.Fatalf("the two-brand listing: %+v, want flagged with a runner-up", v)
	}
	late := v.Others[0].BrandID // it loses this listing to v.BrandID
	lateEng := fixtureEngine(t, func(id string) bool { return id == late }, score.Options{})
	if va := lateEng.Score(l, nil); !va.Flagged || va.BrandID != late {
		t.Fatalf("%s alone does not flag the two-brand listing (%+v): the test would prove nothing", late, va)
	}
	full := batchVerdicts(t, nil)
	var want []string
	for id, v := range full {
		if v.BrandID == late {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		t.Fatalf("no fixture listing is %s's", late)
	}
	brokers := startBroker(t)
	publishBrands(t, brokers, func(id string) bool { return id != late })
	msgs := append(fixtureListings(t, nil), kafka.Message{Key: []byte(contestedID), Value: []byte(contested)})
	mt, _ := startMatcher(t, Options{Kafka: brokers, RetroScan: true})
	waitReady(t, mt)
	write(t, brokers, stream.DefaultTopics().Listings, msgs)
	waitScored(t, len(msgs), mt)
	publishBrands(t, brokers, func(id string) bool { return id == late })
	rescanned := func(got map[string][]stream.Candidate) bool {
		for _, id := range want {
			if !slices.ContainsFunc(got[id], func(c stream.Candidate) bool { return c.Retroactive && c.BrandID == late }) {
				return false
			}
		}
		return true
	}
	candidates(t, brokers, 60*time.Second, rescanned)
	progtest.WaitFor(t, 30*time.Second, "the re-scan to finish", func() (bool, string) {
		p := testutil.ToFloat64(mt.m.retroProgress)
		return testutil.ToFloat64(mt.m.retroRunning) == 0 && p == 1, fmt.Sprintf("progress %.2f", p)
	})
	got := candidates(t, brokers, 3*time.Second, func(map[string][]stream.Candidate) bool { return false })
	// (The start-up re-scan, before the late brand existed, may give some
	// of its listings to another brand: the registry then had no better.)
	full[contestedID] = v
	for id, cs := range got {
		for _, c := range cs {
			if c.Retroactive && c.BrandID == late && full[id].BrandID != late {
				t.Errorf("%s: re-scan flagged it for %s, live scoring gives %q", id, late, full[id].BrandID)
			}
		}
	}
	for _, id := range want {
		if !slices.ContainsFunc(got[id], func(c stream.Candidate) bool { return c.Retroactive && c.BrandID == late }) {
			t.Errorf("%s: no re-scan candidate for %s, which live scoring gives it", id, late)
		}
	}
	if len(got[contestedID]) == 0 {
		t.Errorf("%s: no candidate at all, want the live one for %s", contestedID, v.BrandID)
	}
}

// TestRetroScanShared: two matchers of one group re-scan a new brand once
// between them, not once each.
func TestRetroScanShared(t *testing.T) {
	brokers := startBroker(t)
	old, _, _ := lateSetup(t, brokers)
	a, _ := startMatcher(t, Options{Kafka: brokers, RetroScan: true})
	b, _ := startMatcher(t, Options{Kafka: brokers, RetroScan: true})
	waitReady(t, a)
	waitReady(t, b)
	// A re-scan is one matcher's while the group holds still; a member
	// joining late (kafka-go waits 5 s to join again after a coordinator
	// still loading, as a real broker's is at first) moves the brand's
	// partition mid-scan, and both scan it, as at-least-once allows.
	waitGroupMembers(t, brokers, RetroGroup(a.opts.Group), 2)
	write(t, brokers, stream.DefaultTopics().Listings, old)
	waitScored(t, len(old), a, b)
	publishBrands(t, brokers, func(id string) bool { return id == lateBrand })
	candidates(t, brokers, 30*time.Second, hasIDs(msgIDs(old)))
	time.Sleep(3 * time.Second) // room for a second, duplicate re-scan to show
	got := candidates(t, brokers, 2*time.Second, func(map[string][]stream.Candidate) bool { return false })
	for _, m := range old {
		if n := len(got[string(m.Key)]); n != 1 {
			t.Errorf("%s: %d candidates, want exactly one from one re-scan", m.Key, n)
		}
	}
	if ra, rb := testutil.ToFloat64(a.m.retroFlagged), testutil.ToFloat64(b.m.retroFlagged); ra+rb != float64(len(old)) {
		t.Errorf("re-scans flagged %v + %v, want %d in all", ra, rb, len(old))
	}
}

// waitGroupMembers waits until group is stable with n members.
func waitGroupMembers(t *testing.T, brokers stream.Cluster, group string, n int) {
	t.Helper()
	client := brokers.Client(5 * time.Second)
	progtest.WaitFor(t, 30*time.Second, fmt.Sprintf("group %s stable with %d members", group, n), func() (bool, string) {
		resp, err := client.DescribeGroups(t.Context(), &kafka.DescribeGroupsRequest{GroupIDs: []string{group}})
		if err != nil || len(resp.Groups) != 1 || resp.Groups[0].Error != nil {
			return false, fmt.Sprintf("describe: %v", err)
		}
		g := resp.Groups[0]
		return g.GroupState == "Stable" && len(g.Members) == n, fmt.Sprintf("%s with %d members", g.GroupState, len(g.Members))
	})
}

// TestBrandAddedWhileDown: a brand registered while no matcher runs is
// re-scanned for when one starts, because its record was never committed by
// the re-scan group.
func TestBrandAddedWhileDown(t *testing.T) {
	brokers := startBroker(t)
	old, _, _ := lateSetup(t, brokers)
	a, stopA := startMatcher(t, Options{Kafka: brokers, RetroScan: true})
	waitReady(t, a)
	write(t, brokers, stream.DefaultTopics().Listings, old)
	waitScored(t, len(old), a)
	stopA()
	if got := candidates(t, brokers, time.Second, func(map[string][]stream.Candidate) bool { return false }); len(got) != 0 {
		t.Fatalf("%d candidates before the brand existed", len(got))
	}
	publishBrands(t, brokers, func(id string) bool { return id == lateBrand })
	b, _ := startMatcher(t, Options{Kafka: brokers, RetroScan: true})
	waitReady(t, b)
	got := candidates(t, brokers, 30*time.Second, hasIDs(msgIDs(old)))
	for _, m := range old {
		cs := got[string(m.Key)]
		if len(cs) == 0 || !cs[0].Retroactive || cs[0].BrandID != lateBrand {
			t.Errorf("%s: candidates %+v, want one from the re-scan for %s", m.Key, cs, lateBrand)
		}
	}
}

// TestRescanOnlyForScoringChanges: a brand record that changes only what
// scoring does not use (its contact, here) is not re-scanned for, by the
// matcher that re-scanned the brand nor by one started after it; a change
// scoring uses (an alias) is. A re-scan for a contact change once
// republished every flag of the brand.
func TestRescanOnlyForScoringChanges(t *testing.T) {
	brokers := startBroker(t)
	old, _, _ := lateSetup(t, brokers)
	topic := stream.DefaultTopics().Brands
	a, stopA := startMatcher(t, Options{Kafka: brokers, RetroScan: true})
	waitReady(t, a)
	write(t, brokers, stream.DefaultTopics().Listings, old)
	waitScored(t, len(old), a)
	publishBrands(t, brokers, func(id string) bool { return id == lateBrand })
	rescanDone := func(mt *Matcher, what string) {
		t.Helper()
		progtest.WaitFor(t, 30*time.Second, what, func() (bool, string) {
			p := testutil.ToFloat64(mt.m.retroProgress)
			return testutil.ToFloat64(mt.m.retroRunning) == 0 && p == 1, fmt.Sprintf("progress %.2f", p)
		})
	}
	candidates(t, brokers, 30*time.Second, hasIDs(msgIDs(old)))
	rescanDone(a, "the re-scan for the new brand")

	// change publishes lateBrand's record with edit applied and waits
	// until mt's registry has it in force.
	change := func(mt *Matcher, edit func(*stream.BrandRecord)) {
		t.Helper()
		rec := currentRecord(t, brokers, topic)
		edit(rec)
		m, err := stream.BrandMessage(lateBrand, rec)
		if err != nil {
			t.Fatal(err)
		}
		mt.reg.mu.Lock()
		before := mt.reg.version
		mt.reg.mu.Unlock()
		write(t, brokers, topic, []kafka.Message{m})
		progtest.WaitFor(t, 15*time.Second, "the changed record in the registry", func() (bool, string) {
			mt.reg.mu.Lock()
			defer mt.reg.mu.Unlock()
			return mt.reg.version > before, fmt.Sprintf("version %d", mt.reg.version)
		})
	}
	newContact := func(email string) func(*stream.BrandRecord) {
		return func(r *stream.BrandRecord) { r.Brand.Contact = &brand.Contact{Name: "IP team", Email: email} }
	}
	// noRescan waits for room for a re-scan to start, then checks none did.
	noRescan := func(mt *Matcher, scanned float64, what string) {
		t.Helper()
		time.Sleep(2 * time.Second)
		rescanDone(mt, what)
		if got := testutil.ToFloat64(mt.m.retroScanned); got != scanned {
			t.Errorf("%s: %v listings re-scanned, want none more than %v", what, got, scanned)
		}
	}

	change(a, newContact("ip@one.example"))
	noRescan(a, testutil.ToFloat64(a.m.retroScanned), "a contact change, on the matcher that re-scanned")
	stopA()

	b, _ := startMatcher(t, Options{Kafka: brokers, RetroScan: true})
	waitReady(t, b)
	change(b, newContact("ip@two.example"))
	noRescan(b, 0, "a contact change, on a matcher started since")

	change(b, func(r *stream.BrandRecord) { r.Brand.Aliases = append(r.Brand.Aliases, "Fulllips") })
	progtest.WaitFor(t, 30*time.Second, "a re-scan for a new alias", func() (bool, string) {
		n := testutil.ToFloat64(b.m.retroScanned)
		return n > 0, fmt.Sprintf("%v re-scanned", n)
	})
	rescanDone(b, "the re-scan for a new alias")
	got := candidates(t, brokers, 2*time.Second, func(map[string][]stream.Candidate) bool { return false })
	for _, m := range old {
		if n := len(got[string(m.Key)]); n != 2 {
			t.Errorf("%s: %d candidates, want 2: the new brand's re-scan and the alias's, none for the contacts", m.Key, n)
		}
	}

	// rescans checks that records lead to a re-scan (judged by the last
	// record of each brand in a burst against what was re-scanned before).
	rescans := func(what string, records ...func(*stream.BrandRecord) *stream.BrandRecord) {
		t.Helper()
		before := testutil.ToFloat64(b.m.retroScanned)
		var msgs []kafka.Message
		rec := currentRecord(t, brokers, topic)
		for _, f := range records {
			r := f(rec)
			m, err := stream.BrandMessage(lateBrand, r)
			if err != nil {
				t.Fatal(err)
			}
			msgs = append(msgs, m)
			if r != nil {
				rec = r
			}
		}
		write(t, brokers, topic, msgs) // one write: one burst
		progtest.WaitFor(t, 30*time.Second, what, func() (bool, string) {
			n := testutil.ToFloat64(b.m.retroScanned)
			return n > before, fmt.Sprintf("%v re-scanned, %v before", n, before)
		})
		rescanDone(b, what)
	}
	edit := func(f func(*stream.BrandRecord)) func(*stream.BrandRecord) *stream.BrandRecord {
		return func(r *stream.BrandRecord) *stream.BrandRecord { c := *r; f(&c); return &c }
	}
	rescans("a re-scan for a floor change followed in its burst by a contact change",
		edit(func(r *stream.BrandRecord) { r.Brand.PriceFloor = &price.Money{Amount: 3, Currency: "USD"} }),
		edit(func(r *stream.BrandRecord) {
			r.Brand.Contact = &brand.Contact{Name: "IP team", Email: "ip@three.example"}
		}))
	// Deleted, then added again as it was: listed meanwhile is unflagged.
	same := currentRecord(t, brokers, topic)
	tomb, _ := stream.BrandMessage(lateBrand, nil)
	write(t, brokers, topic, []kafka.Message{tomb})
	progtest.WaitFor(t, 15*time.Second, "the brand deleted", func() (bool, string) {
		b.reg.mu.Lock()
		defer b.reg.mu.Unlock()
		_, ok := b.reg.records[lateBrand]
		return !ok, "still there"
	})
	rescanDone(b, "the deletion taken")
	rescans("a re-scan for the brand added again as it was", func(*stream.BrandRecord) *stream.BrandRecord { return same })
}

// currentRecord reads lateBrand's record as the brands topic has it last.
func currentRecord(t *testing.T, brokers stream.Cluster, topic string) *stream.BrandRecord {
	t.Helper()
	msgs, _, err := stream.ReadTopic(t.Context(), brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	var rec *stream.BrandRecord
	for _, m := range msgs {
		if string(m.Key) == lateBrand && m.Value != nil {
			rec = new(stream.BrandRecord)
			if err := json.Unmarshal(m.Value, rec); err != nil {
				t.Fatal(err)
			}
		}
	}
	if rec == nil {
		t.Fatalf("no record of %s", lateBrand)
	}
	return rec
}

// waitInForce waits until the engine in force was built from everything
// the registry has taken in so far: it is rebuilt after a short debounce,
// which a loaded machine can stretch.
func waitInForce(t *testing.T, mt *Matcher) {
	t.Helper()
	mt.reg.mu.Lock()
	want := mt.reg.version
	mt.reg.mu.Unlock()
	progtest.WaitFor(t, 20*time.Second, fmt.Sprintf("the engine in force at registry version %d", want), func() (bool, string) {
		got := testutil.ToFloat64(mt.m.registryVersion)
		return got >= float64(want), fmt.Sprintf("registry version %v", got)
	})
}

// waitScored waits until the matchers together have scored n listings.
func waitScored(t *testing.T, n int, mts ...*Matcher) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; {
		total := 0.0
		for _, mt := range mts {
			total += testutil.ToFloat64(mt.m.scored)
		}
		if total >= float64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("scored %v of %d listings", total, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRejected sends events that do not decode: they land in the rejected
// topic with the reason, and the good ones around them are still scored.
func TestRejected(t *testing.T) {
	brokers := startBroker(t)
	publishBrands(t, brokers, nil)
	mt, _ := startMatcher(t, Options{Kafka: brokers})
	waitReady(t, mt)
	good := `{"id":"g-1","title":"Fuⅼⅼips lip plumper","price":{"amount":3,"currency":"USD"},"seller":{"id":"s"}}`
	write(t, brokers, stream.DefaultTopics().Listings, []kafka.Message{
		{Key: []byte("bad-1"), Value: []byte(`{"id":"bad-1","title":`)},
		{Key: []byte("g-1"), Value: []byte(good)},
		{Key: []byte("bad-2"), Value: []byte(`{"id":"bad-2","title":"x","price":{"amount":-5,"currency":"USD"},"seller":{"id":"s"}}`)},
	})
	candidates(t, brokers, 20*time.Second, func(got map[string][]stream.Candidate) bool { return len(got["g-1"]) > 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	reasons := map[string]string{}
	for deadline := time.Now().Add(15 * time.Second); len(reasons) < 2 && time.Now().Before(deadline); {
		msgs, _, err := stream.ReadTopic(ctx, brokers, stream.DefaultTopics().Rejected)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			reasons[listingID(m.Value)+string(m.Value[:min(12, len(m.Value))])] = stream.Header(m, stream.HeaderReason)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(reasons) != 2 {
		t.Fatalf("rejected records %v, want 2", reasons)
	}
	for k, r := range reasons {
		if !strings.HasPrefix(r, "matcher: invalid listing") {
			t.Errorf("%s: reason %q", k, r)
		}
	}
}

func listingID(line []byte) string {
	var l struct{ ID string }
	_ = json.Unmarshal(line, &l)
	return l.ID
}

// TestImageGuard gives listings image URLs on the cloud metadata address and
// on loopback with the real fetcher, loopback not allowed: both are refused,
// and the listings are still scored on their other signals.
func TestImageGuard(t *testing.T) {
	brokers := startBroker(t)
	publishBrands(t, brokers, nil)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hits.Add(1) }))
	defer srv.Close()
	f, err := fetch.New(fetch.Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	mt, _ := startMatcher(t, Options{Kafka: brokers, Images: f})
	waitReady(t, mt)
	listings := map[string]string{
		"ssrf-1": "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"ssrf-2": srv.URL + "/photo.jpg",
	}
	var msgs []kafka.Message
	for id, u := range listings {
		v := fmt.Sprintf(`{"id":%q,"title":"Fuⅼⅼips lip plumper","price":{"amount":3,"currency":"USD"},"seller":{"id":"s"},"images":[%q]}`, id, u)
		msgs = append(msgs, kafka.Message{Key: []byte(id), Value: []byte(v)})
	}
	write(t, brokers, stream.DefaultTopics().Listings, msgs)
	got := candidates(t, brokers, 20*time.Second, func(got map[string][]stream.Candidate) bool {
		return len(got["ssrf-1"]) > 0 && len(got["ssrf-2"]) > 0
	})
	for id := range listings {
		cs := got[id]
		if len(cs) == 0 {
			t.Errorf("%s: not scored", id)
			continue
		}
		refused := false
		for _, s := range cs[0].Signals {
			refused = refused || (s.Kind == score.KindImage && strings.Contains(s.Evidence, "refused"))
		}
		if !refused {
			t.Errorf("%s: no signal says the image was refused: %+v", id, cs[0].Signals)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback server got %d requests", hits.Load())
	}
}

// checkSchemas holds every record on the brands and candidates topics to the
// documented JSON Schemas.
func checkSchemas(t *testing.T, brokers stream.Cluster) {
	t.Helper()
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	topics := stream.DefaultTopics()
	for topic, name := range map[string]string{topics.Brands: schema.BrandRecord, topics.Candidates: schema.Candidate} {
		msgs, _, err := stream.ReadTopic(ctx, brokers, topic)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if err := v.Validate(name, m.Value); err != nil {
				t.Errorf("%s/%d@%d breaks %s: %v", topic, m.Partition, m.Offset, name, err)
			}
		}
		if len(msgs) == 0 {
			t.Errorf("no records on %s", topic)
		}
	}
}

// TestFeedbackTeaches publishes analysts' decisions on the feedback topic
// while the matcher runs: a seller dismissed as authorized stops being
// flagged, and a confirmed counterfeit's photo is caught on a new listing.
func TestFeedbackTeaches(t *testing.T) {
	brokers := startBroker(t)
	publishBrands(t, brokers, nil)
	mt, _ := startMatcher(t, Options{Kafka: brokers, Images: fileImages(filepath.Join("..", "imagehash", "testdata"))})
	waitReady(t, mt)
	photo, err := os.ReadFile(filepath.Join("..", "imagehash", "testdata", "coffee.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := imagehash.ComputeAll(photo, imagehash.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var fb []kafka.Message
	for _, f := range []*stream.Feedback{
		{BrandID: "fullips", Kind: stream.FeedbackAuthorizedSeller, Subject: "s-ok", CaseID: 3, Actor: "ana", At: time.Now()},
		{BrandID: "fullips", Kind: stream.FeedbackCounterfeitImage, Subject: h.Whole.String(), CaseID: 4, Actor: "ana", At: time.Now()},
	} {
		m, err := stream.FeedbackMessage(f)
		if err != nil {
			t.Fatal(err)
		}
		fb = append(fb, m)
	}
	write(t, brokers, stream.DefaultTopics().Feedback, fb)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mt.reg.mu.Lock()
		n := len(mt.reg.feedback)
		mt.reg.mu.Unlock()
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("feedback not loaded")
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitInForce(t, mt)
	lst := func(id, seller, title, img string) kafka.Message {
		imgs := "[]"
		if img != "" {
			imgs = fmt.Sprintf("[%q]", img)
		}
		return kafka.Message{Key: []byte(id), Value: []byte(fmt.Sprintf(`{"id":%q,"title":%q,"price":{"amount":3,"currency":"USD"},"seller":{"id":%q},"images":%s}`, id, title, seller, imgs))}
	}
	write(t, brokers, stream.DefaultTopics().Listings, []kafka.Message{
		lst("fb-1", "s-ok", "Fuⅼⅼips lip plumper", ""),
		lst("fb-2", "s-bad", "Fuⅼⅼips lip plumper", ""),
		lst("fb-3", "s-bad", "lip gloss gift set", "coffee.jpg"),
	})
	// Wait until all three are scored and every flag is published, so the
	// absence of fb-1 below means it was not flagged, not that it is late.
	for deadline := time.Now().Add(20 * time.Second); ; {
		if testutil.ToFloat64(mt.m.scored) >= 3 && testutil.ToFloat64(mt.m.published) >= flaggedTotal(mt) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the three listings were not all scored and published")
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := candidates(t, brokers, 20*time.Second, func(got map[string][]stream.Candidate) bool {
		return len(got["fb-2"]) > 0 && len(got["fb-3"]) > 0
	})
	if len(got["fb-1"]) != 0 {
		t.Errorf("the seller taught authorized was flagged: %+v", got["fb-1"][0].Signals)
	}
	if len(got["fb-3"]) == 0 || got["fb-3"][0].BrandID != "fullips" {
		t.Fatalf("the confirmed counterfeit photo was not caught: %+v", got["fb-3"])
	}
	found := false
	for _, s := range got["fb-3"][0].Signals {
		found = found || strings.Contains(s.Evidence, "known counterfeit photo from case 4")
	}
	if !found {
		t.Errorf("evidence does not name the confirmed case: %+v", got["fb-3"][0].Signals)
	}
}

// TestBrokerRestart restarts the broker in the middle of a run (against a
// real broker: make test-kafka): the matcher reconnects by itself and every
// listing still gets its verdict.
func TestBrokerRestart(t *testing.T) {
	b := kafkatest.Start(t)
	if !kafkatest.Real() {
		t.Skip("broker restarts are tested against a real broker (make test-kafka)")
	}
	brokers := b.Cluster()
	publishBrands(t, brokers, nil)
	want := batchVerdicts(t, nil)
	mt, _ := startMatcher(t, Options{Kafka: brokers})
	waitReady(t, mt)
	msgs := fixtureListings(t, nil)
	half := len(msgs) / 2
	write(t, brokers, stream.DefaultTopics().Listings, msgs[:half])
	waitScored(t, half, mt)
	b.Restart(t)
	write(t, brokers, stream.DefaultTopics().Listings, msgs[half:])
	got := candidates(t, brokers, 90*time.Second, hasAll(want))
	for id := range want {
		if len(got[id]) == 0 {
			t.Errorf("%s: flagged by scan, no candidate after the broker restart", id)
		}
	}
}

// TestSecurePipeline runs the pipeline over TLS with SCRAM-SHA-512 against
// a real broker (make test-kafka), configured as the programs' flags
// configure it: brands in, listings in, every candidate matcher scan
// expects out.
func TestSecurePipeline(t *testing.T) {
	b := kafkatest.StartSecure(t)
	cfg := stream.ClusterConfig{Brokers: b.SASLSSL[0], CAFile: b.CAFile,
		SASLMechanism: stream.SASLScramSHA512, SASLUser: b.User, SASLPassword: b.Password}
	brokers, err := cfg.Cluster()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := stream.EnsureTopics(ctx, brokers, stream.DefaultTopics(), stream.DefaultLayout()); err != nil {
		t.Fatal(err)
	}
	publishBrands(t, brokers, nil)
	want := batchVerdicts(t, nil)
	mt, _ := startMatcher(t, Options{Kafka: brokers})
	waitReady(t, mt)
	write(t, brokers, stream.DefaultTopics().Listings, fixtureListings(t, nil))
	got := candidates(t, brokers, 60*time.Second, hasAll(want))
	for id := range want {
		if len(got[id]) == 0 {
			t.Errorf("%s: flagged by scan, no candidate over SASL_SSL", id)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("%s: candidate the batch scan did not flag", id)
		}
	}
}

// TestLeastPrivilege runs the matcher as a principal that may describe,
// read and write topics and read groups, and nothing more (no CREATE, no
// cluster operations), against topics an administrator made: listings are
// scored live, a brand added later re-scans the old ones, and nothing is
// logged about authorization.
func TestLeastPrivilege(t *testing.T) {
	b := kafkatest.StartACL(t)
	b.CreateTopics(t)
	logs := kafkatest.NewAuthzLog(t)
	stop := checkBrandAddedLive(t, b.App(), logs.Logger())
	stop()
	logs.Check("the matcher")
}
