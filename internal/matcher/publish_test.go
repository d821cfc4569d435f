package matcher

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

// newPublisher returns a matcher to call publish or publishBatch on, and
// its writers of candidates and rejects, closed when t ends.
func newPublisher(t *testing.T, brokers stream.Cluster) (mt *Matcher, candW, rejW *kafka.Writer) {
	t.Helper()
	mt, err := New(Options{Kafka: brokers, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	topics := stream.DefaultTopics()
	candW = brokers.NewWriter(topics.Candidates)
	t.Cleanup(func() { candW.Close() })
	rejW = brokers.NewWriter(topics.Rejected)
	t.Cleanup(func() { rejW.Close() })
	return mt, candW, rejW
}

// TestPublishLetsGo checks that an idle publisher keeps no candidate or
// listing it has published alive: its batch buffer holds up to 512 of each,
// which would otherwise stay reachable until the next burst overwrites them.
func TestPublishLetsGo(t *testing.T) {
	brokers := startBroker(t)
	mt, candW, rejW := newPublisher(t, brokers)
	topics := stream.DefaultTopics()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	offsets := stream.NewOffsets()
	jobs := make(chan pubJob)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		mt.publish(ctx, jobs, candW, rejW, offsets)
	}()
	defer func() { close(jobs); <-stopped }()

	// Each listing's and record's bytes are an object of their own,
	// watched through a weak pointer.
	const n = 8
	var watched []weak.Pointer[[64]byte]
	srcs := make([]kafka.Message, n)
	for i := range srcs {
		buf := new([64]byte)
		copy(buf[:], fmt.Sprintf(`{"id":"l-%d"}`, i))
		watched = append(watched, weak.Make(buf))
		srcs[i] = kafka.Message{Topic: topics.Listings, Partition: 0, Offset: int64(i), Value: buf[:]}
	}
	offsets.Start(srcs...)
	for i := range n {
		buf := new([64]byte)
		copy(buf[:], fmt.Sprintf(`{"listing_id":"l-%d"}`, i))
		watched = append(watched, weak.Make(buf))
		jobs <- pubJob{src: srcs[i], out: kafka.Message{Key: fmt.Appendf(nil, "l-%d", i), Value: buf[:]}, reject: i%2 == 1}
	}
	clear(srcs)
	progtest.WaitFor(t, 30*time.Second, "the records published", func() (bool, string) {
		n := offsets.InFlight()
		return n == 0, fmt.Sprintf("%d in flight", n)
	})
	// The publisher now waits for the next job, holding nothing.
	runtime.GC()
	runtime.GC()
	alive := 0
	for _, w := range watched {
		if w.Value() != nil {
			alive++
		}
	}
	if alive > 0 {
		t.Errorf("%d of %d listings and published records still reachable while the publisher is idle", alive, 2*n)
	}
}

// TestFlaggedDoneOnceWritten: a flagged listing is done (and may be
// committed past) only once Kafka has acknowledged its candidate. With the
// matcher's principal refused WRITE on the candidates topic, every listing
// is scored and the unflagged ones before the first flagged listing of each
// partition are committed, but the group's offsets never pass that listing;
// once the right is back, every candidate arrives and the offsets reach the
// end of every partition.
func TestFlaggedDoneOnceWritten(t *testing.T) {
	b := kafkatest.StartACL(t)
	b.CreateTopics(t)
	admin := b.Admin
	topics := stream.DefaultTopics()
	publishBrands(t, admin, nil)
	want := batchVerdicts(t, nil)
	lift := b.DenyTopic(t, topics.Candidates, kafka.ACLOperationTypeWrite)
	write(t, admin, topics.Listings, fixtureListings(t, nil))

	// Where each partition's first flagged listing and its end are.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	msgs, spans, err := stream.ReadTopic(ctx, admin, topics.Listings)
	if err != nil {
		t.Fatal(err)
	}
	firstFlagged, end := map[int]int64{}, map[int]int64{}
	var parts []int
	for _, s := range spans {
		parts = append(parts, s.Partition)
		end[s.Partition] = s.End
	}
	for _, m := range msgs {
		if _, ok := want[listingID(m.Value)]; !ok {
			continue
		}
		if f, ok := firstFlagged[m.Partition]; !ok || m.Offset < f {
			firstFlagged[m.Partition] = m.Offset
		}
	}
	prefix := 0 // partitions with unflagged listings before their first flagged one
	for _, p := range parts {
		f, ok := firstFlagged[p]
		if !ok || f == end[p] {
			t.Fatalf("partition %d has no flagged listing: the test would prove nothing there", p)
		}
		if f > 0 {
			prefix++
		}
	}
	if prefix == 0 {
		t.Fatal("no partition starts with an unflagged listing: the test would prove nothing")
	}

	const group = "assay-matcher"
	committed := func() map[int]int64 {
		t.Helper()
		c, err := stream.Committed(ctx, admin, group, topics.Listings, parts)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// checkHeld fails the test if the group committed past a flagged
	// listing whose candidate cannot have been written.
	checkHeld := func(c map[int]int64) {
		t.Helper()
		for p, off := range c {
			if off > firstFlagged[p] {
				t.Fatalf("partition %d committed to %d while candidates cannot be written: past its first flagged listing at %d", p, off, firstFlagged[p])
			}
		}
	}

	logs := kafkatest.NewAuthzLog(t)
	mt, _ := startMatcher(t, Options{Kafka: b.App(), Group: group, Logger: logs.Logger()})
	waitReady(t, mt)
	waitScored(t, len(msgs), mt)
	// Everything is scored; the unflagged listings before each partition's
	// first flagged one are committable, and get committed.
	progtest.WaitFor(t, 30*time.Second, "the unflagged prefixes committed", func() (bool, string) {
		c := committed()
		checkHeld(c)
		for _, p := range parts {
			if c[p] < firstFlagged[p] {
				return false, fmt.Sprintf("partition %d committed to %d, its first flagged listing is at %d", p, c[p], firstFlagged[p])
			}
		}
		return true, ""
	})
	// The publisher keeps failing and retrying (100 ms, then 200, 400...),
	// the committer commits every 100 ms: two more failures give it time
	// to commit whatever it wrongly thinks done.
	errs := testutil.ToFloat64(mt.m.publishErrors)
	progtest.WaitFor(t, 30*time.Second, "two more failed writes of the candidates", func() (bool, string) {
		checkHeld(committed())
		n := testutil.ToFloat64(mt.m.publishErrors)
		return n >= errs+2, fmt.Sprintf("%v failed writes", n)
	})
	if !logs.Refused() {
		t.Fatal("the candidate writes failed, but not for authorization")
	}
	if n := testutil.ToFloat64(mt.m.published); n != 0 {
		t.Fatalf("%v candidates published while writes are refused", n)
	}

	lift()
	got := candidates(t, admin, 60*time.Second, hasAll(want))
	for id := range want {
		if len(got[id]) == 0 {
			t.Errorf("%s: flagged by scan, no candidate once writes succeed", id)
		}
	}
	progtest.WaitFor(t, 30*time.Second, "the offsets at the end of every partition", func() (bool, string) {
		c := committed()
		for _, p := range parts {
			if c[p] != end[p] {
				return false, fmt.Sprintf("partition %d committed to %d of %d", p, c[p], end[p])
			}
		}
		return true, ""
	})
}

// TestRecordKeptUntilWritten: a candidate record's buffer is reused only
// once Kafka acknowledged the record. A write still failing when the
// shutdown deadline ends it may leave the record in the writer's hands, so
// its buffer must not be handed to the next flagged listing.
func TestRecordKeptUntilWritten(t *testing.T) {
	brokers := stream.NewCluster([]string{"127.0.0.1:9"}, nil, nil) // nothing listens there
	mt, candW, rejW := newPublisher(t, brokers)
	topics := stream.DefaultTopics()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	buf := mt.recordBuf()
	*buf = append((*buf)[:0], `l-1{"listing_id":"l-1"}`...)
	src := kafka.Message{Topic: topics.Listings, Offset: 1}
	offsets := stream.NewOffsets()
	offsets.Start(src)
	mt.publishBatch(ctx, []pubJob{{src: src, out: kafka.Message{Key: (*buf)[:3], Value: (*buf)[3:]}, buf: buf}}, nil, candW, rejW, offsets)
	if n := offsets.InFlight(); n != 1 {
		t.Fatalf("%d listings in flight after a failed write, want 1", n)
	}
	if got := mt.records.Get(); got != nil {
		t.Fatalf("the buffer of a record never written was made reusable: %q", *got.(*[]byte))
	}
}
