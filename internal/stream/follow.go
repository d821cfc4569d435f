package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// ReadTopic returns every record of topic up to each partition's end at the
// time of the call, partition by partition in offset order, reading without
// a consumer group (nothing is committed), and the spans it read.
func ReadTopic(ctx context.Context, brokers []string, topic string) ([]kafka.Message, []Span, error) {
	spans, err := Spans(ctx, brokers, topic)
	if err != nil {
		return nil, nil, err
	}
	slices.SortFunc(spans, func(a, b Span) int { return a.Partition - b.Partition })
	// Partitions are read concurrently: a reader takes a fetch round trip or
	// two to start, which adds up over many partitions. Each goroutine ends
	// when its partition is read or ctx is done.
	got := make([][]kafka.Message, len(spans))
	errs := make([]error, len(spans))
	var wg sync.WaitGroup
	for i, sp := range spans {
		wg.Go(func() {
			errs[i] = ReadSpan(ctx, brokers, topic, sp, func(m kafka.Message) error {
				got[i] = append(got[i], m)
				return nil
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return slices.Concat(got...), spans, nil
}

// Tail reads each partition of topic from its offset in from (an offset, or
// kafka.FirstOffset) on, one reader per partition, until ctx ends or
// something fails; fn is called from several goroutines at once. The first
// failure, a reader's or fn's, stops every reader and is returned; the end
// of ctx returns its error.
func Tail(ctx context.Context, brokers []string, topic string, from map[int]int64, maxWait time.Duration, fn func(kafka.Message) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for p, off := range from {
		wg.Go(func() {
			r := NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p, MaxWait: maxWait})
			defer r.Close()
			if err := r.SetOffset(off); err != nil {
				cancel(fmt.Errorf("follow %s/%d: %w", topic, p, err))
				return
			}
			for {
				m, err := r.FetchMessage(ctx)
				if err != nil {
					if ctx.Err() == nil {
						cancel(fmt.Errorf("follow %s/%d: %w", topic, p, err))
					}
					return
				}
				if err := fn(m); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// ApplyFunc applies one record of a followed topic and reports whether it
// changed anything, and the id (the record's key, usually) it concerns.
type ApplyFunc func(kafka.Message) (changed bool, id string)

// LoadCompacted reads a compacted topic from the beginning to its current
// end and returns where to follow it from.
func LoadCompacted(ctx context.Context, brokers []string, topic string, apply ApplyFunc) (next map[int]int64, err error) {
	msgs, spans, err := ReadTopic(ctx, brokers, topic)
	if err != nil {
		return nil, err
	}
	for _, m := range msgs {
		apply(m)
	}
	next = make(map[int]int64, len(spans))
	for _, s := range spans {
		next[s.Partition] = s.End
	}
	return next, nil
}

// FollowCompacted reads every partition of a compacted topic from the given
// offsets on (LoadCompacted's result) until ctx ends or a reader fails, and
// calls changed with the ids that changed, debounced so that a burst of
// records is acted on once.
func FollowCompacted(ctx context.Context, brokers []string, topic string, from map[int]int64, apply ApplyFunc, changed func([]string)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ids := make(chan string, 1024)
	errc := make(chan error, 1)
	go func() {
		errc <- Tail(ctx, brokers, topic, from, 250*time.Millisecond, func(m kafka.Message) error {
			if ok, id := apply(m); ok {
				select {
				case ids <- id:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}()
	var pending []string
	var tick <-chan time.Time
	for {
		select {
		case id := <-ids:
			if !slices.Contains(pending, id) {
				pending = append(pending, id)
			}
			if tick == nil {
				tick = time.After(200 * time.Millisecond)
			}
		case <-tick:
			changed(pending)
			pending, tick = nil, nil
		case err := <-errc:
			return err
		}
	}
}
