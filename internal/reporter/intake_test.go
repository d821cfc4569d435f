package reporter

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/sqlitedb"
	"github.com/assay-dev/assay/internal/stream"
)

func candidate(id, brand, hash string) kafka.Message {
	c := stream.Candidate{
		Verdict:     score.Verdict{ListingID: id, Flagged: true, BrandID: brand, Score: 0.9, Signals: []score.Signal{{Kind: "text", Score: 0.75, Evidence: "x"}}},
		Listing:     &listing.Listing{ID: id, Title: "t", Price: &price.Money{Amount: 1, Currency: "USD"}, Seller: listing.Seller{ID: "s"}},
		ContentHash: hash, ScoredAt: time.Now().UTC(),
	}
	data, _ := json.Marshal(c)
	return kafka.Message{Key: []byte(id), Value: data}
}

// writeTopic publishes msgs to topic as c's principal.
func writeTopic(ctx context.Context, t *testing.T, c stream.Cluster, topic string, msgs ...kafka.Message) {
	t.Helper()
	w := c.NewWriter(topic)
	defer w.Close()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

// runIntake consumes until the store holds want cases, then stops the
// intake, and returns the registry it counted in.
func runIntake(t *testing.T, brokers stream.Cluster, store *casestore.Store, want int) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewRegistry()
	in, err := NewIntake(store, Options{Kafka: brokers, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		counts, err := store.Counts(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, c := range counts {
			n += c
		}
		if n >= want && testutil.ToFloat64(in.m.invalid) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d cases stored, want %d", n, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the last commit go out
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return reg
}

// TestIntake stores candidates as cases: repeats (at-least-once delivery)
// update, never duplicate; a record that is not a candidate is skipped; a
// second intake in the same group starts after the committed offsets.
func TestIntake(t *testing.T) {
	brokers := kafkatest.Start(t).Cluster()
	ctx := context.Background()
	var msgs []kafka.Message
	for i := range 50 {
		msgs = append(msgs, candidate(fmt.Sprintf("mp-%d", i), "fullips", "h1"))
	}
	msgs = append(msgs, candidate("mp-1", "fullips", "h1"), candidate("mp-2", "fullips", "h2"), candidate("mp-2", "dyson", "h2"))
	msgs = append(msgs, kafka.Message{Key: []byte("junk"), Value: []byte("not json")})
	writeTopic(ctx, t, brokers, stream.DefaultTopics().Candidates, msgs...)

	store, err := casestore.Open(ctx, filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	reg := runIntake(t, brokers, store, 51)
	if got := testutil.ToFloat64(mustCounter(t, reg, "created")); got != 51 {
		t.Errorf("created %v, want 51", got)
	}
	cases, err := store.List(ctx, casestore.Filter{})
	if err != nil || len(cases) != 51 {
		t.Fatalf("%d cases, %v; want 51 (50 listings, one also for a second brand)", len(cases), err)
	}
	if err := store.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	// A second intake in the same group finds nothing new to store.
	writeTopic(ctx, t, brokers, stream.DefaultTopics().Candidates, candidate("mp-99", "fullips", "h9"), kafka.Message{Value: []byte("{}")})
	reg = runIntake(t, brokers, store, 52)
	if got := testutil.ToFloat64(mustCounter(t, reg, "created")); got != 1 {
		t.Errorf("second intake created %v cases, want 1: it should resume after the committed offsets", got)
	}
}

func mustCounter(t *testing.T, reg *prometheus.Registry, outcome string) prometheus.Collector {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != "assay_reporter_candidates_stored_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			if m.GetLabel()[0].GetValue() == outcome {
				c := prometheus.NewCounter(prometheus.CounterOpts{Name: "x"})
				c.Add(m.GetCounter().GetValue())
				return c
			}
		}
	}
	return prometheus.NewCounter(prometheus.CounterOpts{Name: "x"})
}

// TestIntakeBrokerRestart restarts the broker while the intake runs
// (against a real broker: make test-kafka): the intake reconnects by itself
// and every candidate becomes a case.
func TestIntakeBrokerRestart(t *testing.T) {
	b := kafkatest.Start(t)
	if !kafkatest.Real() {
		t.Skip("broker restarts are tested against a real broker (make test-kafka)")
	}
	brokers := b.Cluster()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store, err := casestore.Open(ctx, filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	in, err := NewIntake(store, Options{Kafka: brokers, SessionTimeout: 10 * time.Second, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- in.Run(runCtx) }()
	send := func(from, to int) {
		t.Helper()
		var msgs []kafka.Message
		for i := from; i < to; i++ {
			msgs = append(msgs, candidate(fmt.Sprintf("mp-%d", i), "fullips", "h"))
		}
		w := brokers.NewWriter(stream.DefaultTopics().Candidates)
		defer w.Close()
		for {
			err := w.WriteMessages(ctx, msgs...)
			if err == nil {
				return
			}
			if ctx.Err() != nil {
				t.Fatal(err)
			}
			time.Sleep(200 * time.Millisecond) // the broker is still starting
		}
	}
	waitCases := func(want int) {
		t.Helper()
		for {
			cases, err := store.List(ctx, casestore.Filter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(cases) >= want {
				return
			}
			select {
			case err := <-done:
				t.Fatalf("intake stopped with %d of %d cases: %v", len(cases), want, err)
			case <-ctx.Done():
				t.Fatalf("%d cases, want %d", len(cases), want)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	send(0, 40)
	waitCases(40)
	restarted := time.Now()
	b.Restart(t)
	t.Logf("broker restarted in %v", time.Since(restarted).Round(time.Millisecond))
	send(40, 80)
	waitCases(80)
	t.Logf("every case stored %v after the restart began", time.Since(restarted).Round(time.Millisecond))
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := store.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

// lockedStore writes ten candidates and a record that is not one, and
// opens a case store whose busy timeout is 500 ms with its write lock held
// by another connection; rolling back the returned transaction lets go.
func lockedStore(t *testing.T) (stream.Cluster, *casestore.Store, *sql.Tx) {
	t.Helper()
	brokers := kafkatest.Start(t).Cluster()
	ctx := context.Background()
	var msgs []kafka.Message
	for i := range 10 {
		msgs = append(msgs, candidate(fmt.Sprintf("mp-%d", i), "fullips", "h1"))
	}
	msgs = append(msgs, kafka.Message{Key: []byte("junk"), Value: []byte("not json")})
	writeTopic(ctx, t, brokers, stream.DefaultTopics().Candidates, msgs...)
	path := filepath.Join(t.TempDir(), "cases.db")
	store, err := casestore.OpenWith(ctx, path, sqlitedb.Options{BusyTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	lock, err := other.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lock.Rollback() })
	return brokers, store, lock
}

// logSignal is a log destination that closes seen at the first line
// containing want.
type logSignal struct {
	want string
	once sync.Once
	seen chan struct{}
}

func newLogSignal(want string) *logSignal {
	return &logSignal{want: want, seen: make(chan struct{})}
}

func (l *logSignal) Write(p []byte) (int, error) {
	if strings.Contains(string(p), l.want) {
		l.once.Do(func() { close(l.seen) })
	}
	return len(p), nil
}

func (l *logSignal) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// startLocked starts an intake on a store lockedStore made and returns
// once the intake has met the lock: a Put has failed after waiting out
// the busy timeout.
func startLocked(t *testing.T, brokers stream.Cluster, store *casestore.Store) (stop context.CancelFunc, done <-chan error) {
	t.Helper()
	locked := newLogSignal("case database locked")
	in, err := NewIntake(store, Options{Kafka: brokers, Registerer: prometheus.NewRegistry(), Logger: locked.logger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	errc := make(chan error, 1)
	go func() { errc <- in.Run(ctx) }()
	select {
	case <-locked.seen:
	case err := <-errc:
		t.Fatalf("the intake stopped before it met the lock: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the intake never met the lock")
	}
	return cancel, errc
}

// TestIntakeWaitsOutLock holds the case database's write lock from another
// connection while candidates arrive, until the intake has waited longer
// than the store's busy timeout for it: the intake does not stop, and
// stores them once the lock is let go.
func TestIntakeWaitsOutLock(t *testing.T) {
	brokers, store, lock := lockedStore(t)
	ctx := context.Background()
	stop, done := startLocked(t, brokers, store)
	defer stop()
	if counts, err := store.Counts(ctx, ""); err != nil || counts[casestore.New] != 0 {
		t.Fatalf("%v cases, %v, stored while the lock was held", counts, err)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); ; {
		select {
		case err := <-done:
			t.Fatalf("the intake stopped: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
		counts, err := store.Counts(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		if counts[casestore.New] == 10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v cases stored, want 10", counts)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestIntakeStopsWhileLocked stops the intake while another connection
// holds the case database's lock and keeps it: the intake returns without
// waiting for the lock (its retries would last minutes), having stored and
// committed nothing, so an intake started after the lock is let go stores
// every candidate.
func TestIntakeStopsWhileLocked(t *testing.T) {
	brokers, store, lock := lockedStore(t)
	stop, done := startLocked(t, brokers, store)
	stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second): // far below busyRetry
		t.Fatal("the intake did not stop while the database stayed locked")
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	reg := runIntake(t, brokers, store, 10)
	if got := testutil.ToFloat64(mustCounter(t, reg, "created")); got != 10 {
		t.Errorf("the next intake created %v cases, want 10: the stopped one's batch should come again", got)
	}
}
