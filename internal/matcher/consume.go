package matcher

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// groupReader joins a consumer group on topic, starting a new group at the
// oldest record, with the session settings of Options. CommitInterval is 0:
// commits are synchronous and issued by the caller, in order, once the work
// is done. A fetch asks for at most 1 MiB a partition (Kafka's own
// max.partition.fetch.bytes default) rather than the cluster's 16 MiB: a
// broker builds each response in memory, and the embedded one's 16 MiB
// responses cost more CPU than scoring's own copying (3 µs a listing in
// BenchmarkStream, in allocation, copying and page faults); the reader's
// queue of fetched messages hides the extra round trips.
func (mt *Matcher) groupReader(group, topic string, maxWait time.Duration, queue int) *kafka.Reader {
	return mt.opts.Kafka.NewReader(mt.groupReaderConfig(group, topic, maxWait, queue))
}

func (mt *Matcher) groupReaderConfig(group, topic string, maxWait time.Duration, queue int) kafka.ReaderConfig {
	return kafka.ReaderConfig{
		GroupID: group, Topic: topic,
		MaxWait: maxWait, QueueCapacity: queue,
		MaxBytes:       1 << 20,
		StartOffset:    kafka.FirstOffset,
		SessionTimeout: mt.opts.SessionTimeout,
	}
}

// listingsReader is the live group's reader of listings. A short MaxWait
// bounds latency: a fetch parked on an idle partition is not always woken
// early by new data. joined follows its membership (joinWatch).
func (mt *Matcher) listingsReader(joined *atomic.Bool) *kafka.Reader {
	cfg := mt.groupReaderConfig(mt.opts.Group, mt.opts.Topics.Listings, 20*time.Millisecond, 1024)
	cfg.Logger = joinWatch(joined)
	return mt.opts.Kafka.NewReader(cfg)
}

// joinWatch follows a group reader's membership from its log, as kafka-go
// tells of it nowhere else: a generation heartbeats from the moment the
// member has its assignment to the moment the generation ends. Readiness
// hangs on it, so that a matcher whose join is stuck (a group still
// waiting out a crashed member's session) is not reported ready.
// waitReady in every matcher test holds kafka-go to these words, and
// TestCrash to readiness waiting for the join.
func joinWatch(joined *atomic.Bool) kafka.Logger {
	return kafka.LoggerFunc(func(msg string, _ ...any) {
		switch {
		case strings.HasPrefix(msg, "started heartbeat"):
			joined.Store(true)
		case strings.HasPrefix(msg, "stopped heartbeat"):
			joined.Store(false)
		}
	})
}

// errNotFetched is what an image gets when no ImageSource is configured.
var errNotFetched = errors.New("image fetching is disabled")

// pubJob is a record to publish for a consumed message; the message is done
// (and may be committed) once the record is acknowledged.
type pubJob struct {
	src    kafka.Message
	out    kafka.Message
	reject bool
	// buf holds out's key and value, for reuse once Kafka acknowledged
	// out; nil when out is not built in a reusable buffer.
	buf *[]byte
}

// maxRecordBuf bounds the candidate buffers kept for reuse: a rare huge
// record's buffer is left to the collector rather than held for good.
const maxRecordBuf = 64 << 10

// recordBuf returns a buffer to build a candidate record in. Reusing the
// buffers of acknowledged records saves allocating (and zeroing, and
// collecting) a few KiB for every flagged listing.
func (mt *Matcher) recordBuf() *[]byte {
	if b, ok := mt.records.Get().(*[]byte); ok {
		return b
	}
	return new([]byte)
}

// releaseRecords makes the buffers of jobs' records reusable. Only for
// records Kafka acknowledged: one whose write failed or was abandoned
// may still be referenced by the writer.
func (mt *Matcher) releaseRecords(jobs []pubJob) {
	for _, j := range jobs {
		if j.buf != nil && cap(*j.buf) <= maxRecordBuf {
			mt.records.Put(j.buf)
		}
	}
}

// consume runs group sessions until ctx ends. A session that fails (the
// broker restarting, say) is followed by a new one, which joins the group
// again and resumes from the committed offsets, for as long as
// stream.Reconnect allows; what the failed session had not committed is
// scored again.
func (mt *Matcher) consume(ctx context.Context) error {
	return stream.Reconnect(ctx, mt.opts.Kafka.Outage(), func() (bool, error) { return mt.session(ctx) }, func(err error, pause time.Duration) {
		mt.log.Warn("listings consumer failed; joining the group again", "err", err, "in", pause)
	})
}

// session runs the consumer group once: one fetch loop (this goroutine)
// handing batches of messages to scoring workers, one publisher and one
// committer. On cancellation or a failed fetch it stops fetching, lets the
// work in hand finish, publishes it and commits it, all within
// ShutdownTimeout after cancellation; whatever is not committed by then is
// redelivered. fetched says whether it got any listing.
func (mt *Matcher) session(ctx context.Context) (fetched bool, err error) {
	joined := new(atomic.Bool)
	mt.joined.Store(joined)
	r := mt.listingsReader(joined)
	candW := mt.opts.Kafka.NewWriter(mt.opts.Topics.Candidates)
	rejW := mt.opts.Kafka.NewWriter(mt.opts.Topics.Rejected)
	offsets := stream.NewOffsets()

	// drain outlives ctx by ShutdownTimeout so the work in hand can finish;
	// the deadline bounds closing the reader and writers too, so that the
	// whole shutdown takes ShutdownTimeout, not twice that.
	drain, drainCancel := context.WithCancel(context.Background())
	defer drainCancel()
	var deadline atomic.Int64 // UnixNano; 0 until ctx ends
	stopAfter := context.AfterFunc(ctx, func() {
		deadline.Store(time.Now().Add(mt.opts.ShutdownTimeout).UnixNano())
		time.AfterFunc(mt.opts.ShutdownTimeout, drainCancel)
	})
	defer stopAfter()

	// Workers take messages in batches (see fetchBatch) and hand the
	// batches back for reuse. One batch waits for the next free worker: the
	// fetch loop makes another in microseconds.
	work := make(chan []kafka.Message, 1)
	free := make(chan []kafka.Message, 2*mt.opts.Workers+1)
	pub := make(chan pubJob, 4096)
	var workers, publisher, committer sync.WaitGroup
	for range mt.opts.Workers {
		workers.Go(func() {
			for batch := range work {
				mt.scoreBatch(drain, batch, pub, offsets)
				clear(batch)
				select {
				case free <- batch[:0]:
				default:
				}
			}
		})
	}
	publisher.Go(func() { mt.publish(drain, pub, candW, rejW, offsets) })
	commitStop := make(chan struct{})
	committer.Go(func() { mt.commitLoop(drain, r, offsets, commitStop) })

	mt.ready.Store(true) // with joined: see Ready
	var fetchErr error
	var queued queuedDeadline
	defer queued.stop()
	for {
		var batch []kafka.Message
		select {
		case batch = <-free:
		default:
			batch = make([]kafka.Message, 0, maxBatch)
		}
		batch, err := fetchBatch(ctx, r, mt.opts.Workers, batch, &queued)
		if len(batch) > 0 {
			fetched = true
			offsets.Start(batch...)
			select {
			case work <- batch:
			case <-ctx.Done():
			}
		}
		if err != nil {
			if ctx.Err() == nil {
				fetchErr = fmt.Errorf("fetch listings: %w", err)
			}
			break
		}
		if ctx.Err() != nil {
			break
		}
	}
	mt.ready.Store(false)
	close(work)
	workers.Wait()
	close(pub)
	publisher.Wait()
	close(commitStop)
	committer.Wait()
	closeIn := mt.opts.ShutdownTimeout
	if d := deadline.Load(); d != 0 {
		// A moment at least, to leave the group: without it the group waits
		// out this member's session before it rebalances.
		closeIn = max(time.Until(time.Unix(0, d)), 500*time.Millisecond)
	}
	if err := stream.CloseWithin(closeIn, r.Close, candW.Close, rejW.Close); err != nil {
		mt.log.Warn("closing the listings reader and writers", "err", err,
			"note", "if the group was not left, it rebalances only once this member's session times out")
	}
	if errors.Is(fetchErr, kafka.InvalidSessionTimeout) {
		fetchErr = stream.Permanent(fmt.Errorf("%w (the brokers' group.min.session.timeout.ms and group.max.session.timeout.ms bound --session-timeout; 6s to 5m by default)", fetchErr))
	}
	return fetched, fetchErr
}

// scoreBatch scores a batch of listings, handing flagged ones to the
// publisher and marking the others done together, once the batch is
// through. It stops when drain ends (the shutdown deadline passed): a
// listing scored then had its image fetches cancelled and may have scored
// unflagged for want of them, so neither it nor the rest of the batch is
// marked done, and all are redelivered rather than lost.
func (mt *Matcher) scoreBatch(drain context.Context, batch []kafka.Message, pub chan<- pubJob, offsets *stream.Offsets) {
	var t tally
	done := batch[:0] // overwrites only messages already handled
	for i := range batch {
		if drain.Err() != nil {
			break
		}
		d := mt.handle(drain, &batch[i], pub, &t)
		if drain.Err() != nil {
			break
		}
		if d {
			done = append(done, batch[i])
		}
	}
	mt.m.record(&t)
	offsets.Done(done...)
}

// handle scores one listing, counting it in t, and hands its record to the
// publisher; it reports whether the message is done already, having nothing
// to publish.
func (mt *Matcher) handle(ctx context.Context, m *kafka.Message, pub chan<- pubJob, t *tally) (done bool) {
	l, err := listing.Decode(m.Value)
	if err != nil {
		mt.m.rejected.Inc()
		src := fmt.Sprintf("%s/%d@%d", m.Topic, m.Partition, m.Offset)
		pub <- pubJob{src: *m, out: stream.RejectedMessage(m.Value, "matcher: "+err.Error(), src), reject: true}
		return false
	}
	start := time.Now()
	v, imgs, flagged := mt.score(ctx, mt.engine.Load(), l)
	if ctx.Err() != nil {
		// Scored past the shutdown deadline, its image fetches cut short:
		// redelivered and scored whole, not published weakened.
		return false
	}
	scored := time.Now()
	mt.m.observe(t, &v, scored.Sub(start).Seconds())
	if !flagged {
		return true
	}
	buf := mt.recordBuf()
	var out kafka.Message
	*buf, out, err = stream.AppendCandidateMessage((*buf)[:0], &stream.Candidate{
		Verdict: v, Listing: l, ContentHash: stream.ContentHash(m.Value), ScoredAt: scored.UTC(), Images: imageHashes(imgs),
	})
	if err != nil {
		// A verdict always encodes; if it ever does not, do not commit past it.
		mt.log.Error("encode candidate", "listing", l.ID, "err", err)
		return false
	}
	pub <- pubJob{src: *m, out: out, buf: buf}
	return false
}

func (mt *Matcher) score(ctx context.Context, eng *score.Engine, l *listing.Listing) (score.Verdict, []score.Image, bool) {
	if eng == nil {
		return score.Verdict{ListingID: l.ID}, nil, false
	}
	var imgs []score.Image
	if len(l.Images) > 0 {
		if mt.opts.Images != nil {
			imgs = mt.opts.Images.Images(ctx, l.Images)
		} else {
			for _, u := range l.Images {
				imgs = append(imgs, score.Image{Ref: u, Err: errNotFetched})
			}
		}
	}
	v := eng.Score(l, imgs)
	return v, imgs, v.Flagged
}

func imageHashes(imgs []score.Image) []stream.ImageHash {
	var out []stream.ImageHash
	for _, img := range imgs {
		if img.Err == nil {
			out = append(out, stream.ImageHash{Ref: img.Ref, Hash: img.Hashes.Whole.String()})
		}
	}
	return out
}

// publish writes records in batches and marks their messages done once
// Kafka acknowledged them. A failed write is retried until ctx ends; what
// is still unwritten then stays uncommitted and is redelivered.
func (mt *Matcher) publish(ctx context.Context, jobs <-chan pubJob, candW, rejW *kafka.Writer, offsets *stream.Offsets) {
	batch := make([]pubJob, 0, 512)
	srcs := make([]kafka.Message, 0, cap(batch))
	for j := range jobs {
		batch = append(batch[:0], j)
	more:
		for len(batch) < cap(batch) {
			select {
			case j, ok := <-jobs:
				if !ok {
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		srcs = mt.publishBatch(ctx, batch, srcs[:0], candW, rejW, offsets)
		// Whether published or not, let go of the listings and candidates:
		// an idle publisher would otherwise keep up to cap(batch) of each
		// alive until the next burst overwrites them.
		clear(batch)
		clear(srcs)
	}
}

// publishBatch writes batch's records and, once they are all acknowledged,
// marks their messages done. It returns srcs, the messages it marked
// appended to it, for reuse.
func (mt *Matcher) publishBatch(ctx context.Context, batch []pubJob, srcs []kafka.Message, candW, rejW *kafka.Writer, offsets *stream.Offsets) []kafka.Message {
	var cands, rejs []kafka.Message
	for _, j := range batch {
		if j.reject {
			rejs = append(rejs, j.out)
		} else {
			cands = append(cands, j.out)
		}
	}
	if err := mt.writeRetry(ctx, candW, cands); err != nil {
		// Some may have reached Kafka all the same: a repeat carries the
		// same listing id and content hash, for consumers to drop.
		mt.log.Error("candidates not acknowledged; their listings will be scored again", "n", len(cands), "err", err)
		return srcs
	}
	if err := mt.writeRetry(ctx, rejW, rejs); err != nil {
		mt.log.Error("rejected listings not acknowledged; they will be read again", "n", len(rejs), "err", err)
		return srcs
	}
	mt.m.published.Add(float64(len(cands)))
	mt.releaseRecords(batch)
	for _, j := range batch {
		srcs = append(srcs, j.src)
	}
	offsets.Done(srcs...)
	return srcs
}

func (mt *Matcher) writeRetry(ctx context.Context, w *kafka.Writer, msgs []kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	backoff := 100 * time.Millisecond
	for {
		err := w.WriteMessages(ctx, msgs...)
		if err == nil {
			return nil
		}
		mt.m.publishErrors.Inc()
		mt.log.Warn("publish failed; retrying", "topic", w.Topic, "n", len(msgs), "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("publish to %s: %w", w.Topic, err)
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// commitLoop commits what is committable every CommitInterval, and once
// more when stop closes. A failed commit is retried with the next one.
func (mt *Matcher) commitLoop(ctx context.Context, r *kafka.Reader, offsets *stream.Offsets, stop <-chan struct{}) {
	t := time.NewTicker(mt.opts.CommitInterval)
	defer t.Stop()
	failed := map[int]kafka.Message{}
	commit := func() {
		if ctx.Err() != nil {
			// Past the shutdown deadline. kafka-go's CommitMessages with a
			// cancelled ctx may still send the commit (it selects at random
			// between sending and ctx.Done), and what is done by then may
			// include verdicts reached with cancelled image fetches: leave
			// it all to be redelivered.
			return
		}
		for _, m := range offsets.Committable() {
			failed[m.Partition] = m // newer than any failed one for the partition
		}
		if len(failed) == 0 {
			return
		}
		msgs := make([]kafka.Message, 0, len(failed))
		for _, m := range failed {
			msgs = append(msgs, m)
		}
		if err := r.CommitMessages(ctx, msgs...); err != nil {
			mt.m.commitErrors.Inc()
			mt.log.Warn("commit failed; retrying", "err", err)
			return
		}
		clear(failed)
	}
	for {
		select {
		case <-t.C:
			commit()
		case <-stop:
			commit()
			return
		}
	}
}
