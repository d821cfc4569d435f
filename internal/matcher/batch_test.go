package matcher

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/stream"
)

// TestFetchBatch checks that a batch takes what the reader has queued, a fair
// share of it for each worker rounded down and at most maxBatch, never the
// same message twice; that it does not wait for messages still to come; and
// that fewer queued listings than workers are left for the other workers.
func TestFetchBatch(t *testing.T) {
	brokers := startBroker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	topics := stream.DefaultTopics()
	if err := stream.EnsureTopics(ctx, brokers, topics, stream.DefaultLayout()); err != nil {
		t.Fatal(err)
	}
	const n = 200
	w := brokers.NewWriter(topics.Listings)
	defer w.Close()
	var msgs []kafka.Message
	for i := range n {
		msgs = append(msgs, kafka.Message{Key: fmt.Appendf(nil, "k%d", i), Value: []byte("{}")})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	mt, err := New(Options{Kafka: brokers, Group: "fetch-batch"})
	if err != nil {
		t.Fatal(err)
	}
	r := mt.listingsReader(new(atomic.Bool))
	defer r.Close()

	var qd queuedDeadline
	defer qd.stop()
	seen := map[string]bool{}
	take := func(workers int) []kafka.Message {
		t.Helper()
		batch, err := fetchBatch(ctx, r, workers, nil, &qd)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range batch {
			id := fmt.Sprintf("%d@%d", m.Partition, m.Offset)
			if seen[id] {
				t.Fatalf("message %s fetched twice", id)
			}
			seen[id] = true
		}
		return batch
	}
	// waitQueued waits until the reader has queued n messages, so that what
	// a batch takes is known.
	waitQueued := func(n int) {
		t.Helper()
		for int(r.Stats().QueueLength) < n {
			if ctx.Err() != nil {
				t.Fatalf("reader queued %d of %d", r.Stats().QueueLength, n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	// The first fetch starts the reader; then wait for all the rest.
	first := take(1)
	waitQueued(n - len(first))
	queued := n - len(first)
	for _, tc := range []struct {
		workers int
		want    func(queued int) int
	}{
		{1, func(int) int { return maxBatch }}, // one worker: as much as allowed
		// The first, then a twentieth of the rest, rounded down (less than
		// maxBatch with the queue at most n).
		{20, func(queued int) int { return 1 + (queued-1)/20 }},
	} {
		want := tc.want(queued)
		got := take(tc.workers)
		if len(got) != want {
			t.Errorf("%d workers, %d queued: batch of %d, want %d", tc.workers, queued, len(got), want)
		}
		queued -= len(got)
	}
	for queued > 0 {
		queued -= len(take(2))
	}
	if len(seen) != n {
		t.Fatalf("fetched %d messages, want %d", len(seen), n)
	}

	// A lone message comes alone, at once.
	if err := w.WriteMessages(ctx, kafka.Message{Key: []byte("lone"), Value: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	lone, cancelLone := context.WithTimeout(ctx, 20*time.Second)
	defer cancelLone()
	var loneQueued queuedDeadline
	defer loneQueued.stop()
	batch, err := fetchBatch(lone, r, 1, nil, &loneQueued)
	if err != nil || len(batch) != 1 || string(batch[0].Key) != "lone" {
		t.Fatalf("lone message: batch of %d, err %v", len(batch), err)
	}
	if lone.Err() != nil {
		t.Fatal("the lone message was held back waiting for more")
	}

	// Fewer queued than workers: each batch is one listing, leaving the
	// rest to the other workers rather than scoring them in turn. With four
	// queued, the four batches see 3, 2, 1 and 0 left behind them.
	const workers, few = 4, 4
	var fewMsgs []kafka.Message
	for i := range few {
		fewMsgs = append(fewMsgs, kafka.Message{Key: fmt.Appendf(nil, "few%d", i), Value: []byte("{}")})
	}
	if err := w.WriteMessages(ctx, fewMsgs...); err != nil {
		t.Fatal(err)
	}
	waitQueued(few)
	for queued := few; queued > 0; {
		got := take(workers)
		if len(got) != 1 {
			t.Errorf("%d workers, %d more queued: batch of %d, want 1", workers, queued-1, len(got))
		}
		queued -= len(got)
	}
}

// TestQueuedDeadline: the context bounding waits for queued messages is
// shared by the batches within queuedWait of its making, never allows a
// wait longer than queuedWait, and is replaced by a fresh one once spent.
func TestQueuedDeadline(t *testing.T) {
	var q queuedDeadline
	defer q.stop()
	a := q.get(context.Background())
	if q.get(context.Background()) != a {
		t.Error("a second batch within the deadline got a context of its own")
	}
	if d, ok := a.Deadline(); !ok || time.Until(d) > queuedWait {
		t.Fatalf("deadline %v away (set: %v), want at most %v", time.Until(d), ok, queuedWait)
	}
	<-a.Done()
	b := q.get(context.Background())
	if b == a || b.Err() != nil {
		t.Fatalf("after the deadline: the same context again (%v) or a spent one (%v)", b == a, b.Err())
	}
	q.stop()
	if b.Err() == nil {
		t.Error("stop left the context's timer running")
	}
}
