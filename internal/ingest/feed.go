package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/assay-dev/assay/internal/listing"
)

// Defaults of FeedOptions.
const (
	DefaultProgressEvery = 5 * time.Second
	DefaultLinger        = 200 * time.Millisecond
)

// rejectedPrefixBytes is how much of a line too long to publish is kept for
// the rejected topic, enough to recognise it.
const rejectedPrefixBytes = listing.TooLongPrefix

// FeedOptions configures PublishJSONL and PublishCSV.
type FeedOptions struct {
	// OnReject is called in input order for every rejected event as it is
	// read, before it is published.
	OnReject func(source string, reason error)
	// Progress is called with the running totals of the input at most every
	// ProgressEvery (DefaultProgressEvery when 0), after a batch is written.
	Progress      func(Result)
	ProgressEvery time.Duration
	// Linger is how long a partial batch waits for more input before it is
	// published anyway (DefaultLinger when 0), so a slow stream, such as a
	// pipe from a process tailing a log, is published as it comes rather
	// than a thousand lines at a time.
	Linger time.Duration
	// FlushTimeout bounds the publishing of what was read when ctx is done
	// (DefaultFlushTimeout when 0): an interrupted feed still publishes the
	// events it read, rather than dropping them.
	FlushTimeout time.Duration
}

// DefaultFlushTimeout is FeedOptions.FlushTimeout's default.
const DefaultFlushTimeout = 10 * time.Second

func (o *FeedOptions) validate() error {
	if o.ProgressEvery < 0 || o.Linger < 0 || o.FlushTimeout < 0 {
		return errors.New("progress interval, linger and flush timeout must not be negative")
	}
	if o.ProgressEvery == 0 {
		o.ProgressEvery = DefaultProgressEvery
	}
	if o.Linger == 0 {
		o.Linger = DefaultLinger
	}
	if o.FlushTimeout == 0 {
		o.FlushTimeout = DefaultFlushTimeout
	}
	return nil
}

// PublishJSONL publishes the JSON Lines read from r, one listing per
// non-blank line, naming events "NAME:LINE". It returns at the end of r with
// what Kafka acknowledged, or at the first Kafka or read error, or when ctx
// is done.
func (p *Publisher) PublishJSONL(ctx context.Context, name string, r io.Reader, opts FeedOptions) (Result, error) {
	lr := listing.NewLineReader(r)
	checked := false
	return p.feed(ctx, opts, func() (Event, error) {
		for {
			line, n, tooLong, err := lr.Next()
			if err != nil {
				return Event{}, err
			}
			// Events wait in a batch; the reader reuses its buffer.
			raw := bytes.Clone(line)
			src := fmt.Sprintf("%s:%d", name, n)
			if tooLong {
				return Event{Raw: raw, Source: src, Err: reject(ReasonTooLarge, fmt.Errorf("%w: line longer than %d bytes", listing.ErrInvalid, listing.MaxLineBytes))}, nil
			}
			if len(bytes.TrimSpace(raw)) == 0 {
				continue
			}
			if !checked {
				// Nothing is published of an input that is not JSON Lines.
				if err := listing.CheckFirstLine(raw); err != nil {
					return Event{}, fmt.Errorf("line %d: %w", n, err)
				}
				checked = true
			}
			return DecodeEvent(raw, src), nil
		}
	})
}

// feed publishes the events next returns, until io.EOF, in batches of the
// publisher's batch size or whatever arrived within the linger time.
//
// When ctx is done it stops at once, even with next blocked on input that
// may never come (a pipe left open), publishes what it read within
// FlushTimeout, and returns ctx's error. So next runs in a goroutine of
// its own, which feed stops on return; one blocked in a read ends only
// when the read does (in a program that is exiting, with it).
func (p *Publisher) feed(ctx context.Context, opts FeedOptions, next func() (Event, error)) (Result, error) {
	if err := opts.validate(); err != nil {
		return Result{}, fmt.Errorf("feed options: %w", err)
	}
	b := &batcher{p: p, opts: opts, lastProgress: time.Now()}

	// Writes go out under pctx, which outlives ctx by FlushTimeout: a
	// write in flight when ctx ends, and what was read, still get there.
	pctx, pcancel := context.WithCancel(context.WithoutCancel(ctx))
	defer pcancel()
	stopFlush := context.AfterFunc(ctx, func() { time.AfterFunc(opts.FlushTimeout, pcancel) })
	defer stopFlush()

	// The linger goroutine publishes a partial batch the reader has left
	// waiting; it is stopped before feed returns.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { b.lingerLoop(pctx, stop) })
	defer wg.Wait()
	defer close(stop)

	type read struct {
		e   Event
		err error
	}
	reads := make(chan read)
	go func() {
		for {
			e, err := next()
			select {
			case reads <- read{e, err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()

	take := func(e Event) error {
		if !e.Valid() && opts.OnReject != nil {
			opts.OnReject(e.Source, e.Err)
		}
		return b.add(pctx, e)
	}
	for {
		var r read
		select {
		case <-ctx.Done():
			// What was read is published still, within FlushTimeout: the
			// batch, and an event the reader was handing over.
			select {
			case r = <-reads:
				if r.err == nil {
					_ = take(r.e) // an error is finish's too
				}
			default:
			}
			res, err := b.finish(pctx)
			if err != nil {
				return res, errors.Join(ctx.Err(), err)
			}
			return res, ctx.Err()
		case r = <-reads:
		}
		if errors.Is(r.err, io.EOF) {
			return b.finish(pctx)
		}
		if r.err != nil {
			res, _ := b.finish(pctx)
			return res, r.err
		}
		if err := take(r.e); err != nil {
			return b.result(), err
		}
	}
}

// batcher collects events and publishes them; its lock serialises writes, so
// batches go out in input order.
type batcher struct {
	p    *Publisher
	opts FeedOptions

	mu           sync.Mutex
	pending      []Event
	oldest       time.Time
	total        Result
	lastProgress time.Time
	err          error // first write error; ends the feed
}

func (b *batcher) add(ctx context.Context, e Event) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return b.err
	}
	if len(b.pending) == 0 {
		b.oldest = time.Now()
	}
	b.pending = append(b.pending, e)
	if len(b.pending) >= b.p.batchSize {
		b.flushLocked(ctx)
	}
	return b.err
}

func (b *batcher) flushLocked(ctx context.Context) {
	if len(b.pending) == 0 || b.err != nil {
		return
	}
	res, err := b.p.Publish(ctx, b.pending)
	b.total = b.total.Add(res)
	b.pending = b.pending[:0]
	if err != nil {
		b.err = err
		return
	}
	if b.opts.Progress != nil && time.Since(b.lastProgress) >= b.opts.ProgressEvery {
		b.lastProgress = time.Now()
		b.opts.Progress(b.total)
	}
}

func (b *batcher) lingerLoop(ctx context.Context, stop <-chan struct{}) {
	t := time.NewTicker(max(b.opts.Linger/2, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
			b.mu.Lock()
			if len(b.pending) > 0 && time.Since(b.oldest) >= b.opts.Linger {
				b.flushLocked(ctx)
			}
			b.mu.Unlock()
		}
	}
}

func (b *batcher) finish(ctx context.Context) (Result, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked(ctx)
	return b.total, b.err
}

func (b *batcher) result() Result {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}
