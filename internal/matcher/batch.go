package matcher

import (
	"context"
	"errors"
	"time"

	"github.com/segmentio/kafka-go"
)

// maxBatch bounds the listings one worker takes at a time: enough to share
// the cost of a hand-off and of the offset bookkeeping (about a µs a batch)
// among many, few enough that, at the end of a burst, the other workers are
// not left idle while one still holds a long batch, and that little is in
// hand at shutdown (a listing with images takes milliseconds, not
// microseconds).
const maxBatch = 16

// queuedWait bounds how long fetchBatch waits for a message the reader said
// it had queued. Such a message normally comes at once; it does not when the
// queue held only messages from before a rebalance, which the reader drops.
const queuedWait = time.Millisecond

// fetchBatch appends to batch the next messages of r: it waits for one, then
// takes those the reader already has queued, up to a fair share of the queue
// for each of workers (rounded down: a batch grows only when at least one
// listing is queued per worker, so that a few queued listings go to idle
// workers rather than wait in turn behind one another's image fetches) and
// maxBatch, without waiting for more, so a lone message is never held back.
// A failed fetch returns what was fetched before it along with the error.
// q bounds the waits for queued messages.
//
// kafka-go's Reader.Stats() resets the reader's counters on every call, so
// nothing else may read this reader's stats: they would see only what
// happened since fetchBatch's last call.
func fetchBatch(ctx context.Context, r *kafka.Reader, workers int, batch []kafka.Message, q *queuedDeadline) ([]kafka.Message, error) {
	m, err := r.FetchMessage(ctx)
	if err != nil {
		return batch, err
	}
	batch = append(batch, m)
	queued := int(r.Stats().QueueLength)
	more := min(maxBatch-1, queued/workers)
	if more <= 0 {
		return batch, nil
	}
	qctx := q.get(ctx)
	for range more {
		m, err := r.FetchMessage(qctx)
		if err != nil {
			if qerr := qctx.Err(); qerr != nil && errors.Is(err, qerr) {
				return batch, nil // the caller sees ctx's own end itself
			}
			return batch, err
		}
		batch = append(batch, m)
	}
	return batch, nil
}

// queuedDeadline is the context that bounds fetchBatch's waits for queued
// messages to queuedWait: one is made when needed and serves the batches
// that follow until its deadline, rather than a context and a timer made
// and stopped for every batch (a tenth of a µs a listing in
// BenchmarkStream). A wait it bounds thus ends within queuedWait, sooner
// if the deadline was set before the wait began; a batch cut short that
// way leaves the rest in the reader's queue for the next batch.
type queuedDeadline struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// get returns a context derived from parent whose deadline is at most
// queuedWait away; parent must be the same on every call.
func (q *queuedDeadline) get(parent context.Context) context.Context {
	if q.ctx == nil || q.ctx.Err() != nil {
		q.stop()
		q.ctx, q.cancel = context.WithTimeout(parent, queuedWait)
	}
	return q.ctx
}

// stop releases the current context's timer.
func (q *queuedDeadline) stop() {
	if q.cancel != nil {
		q.cancel()
	}
}
