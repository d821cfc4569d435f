package stream

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// ApplyFunc applies one record of a followed topic and reports whether it
// changed anything, and the id (the record's key, usually) it concerns.
type ApplyFunc func(kafka.Message) (changed bool, id string)

// LoadCompacted reads a compacted topic from the beginning to its current end.
func LoadCompacted(ctx context.Context, brokers []string, topic string, apply ApplyFunc) (next map[int]int64, err error) {
	spans, err := Spans(ctx, brokers, topic)
	if err != nil {
		return nil, err
	}
	next = map[int]int64{}
	for _, s := range spans {
		next[s.Partition] = s.End
		err := ReadSpan(ctx, brokers, topic, s, func(m kafka.Message) error {
			apply(m)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return next, nil
}

// FollowCompacted reads every partition of a compacted topic from the given
// offsets on (LoadCompacted's result), for ever, and calls changed with the ids that changed,
// debounced so a burst of records rebuilds the engine once.
func FollowCompacted(ctx context.Context, brokers []string, topic string, from map[int]int64, apply ApplyFunc, changed func([]string)) error {
	ids := make(chan string, 1024)
	var wg sync.WaitGroup
	errc := make(chan error, len(from))
	for p, off := range from {
		wg.Go(func() {
			r := NewReader(kafka.ReaderConfig{
				Brokers: brokers, Topic: topic, Partition: p,
				MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 250 * time.Millisecond,
			})
			defer r.Close()
			if err := r.SetOffset(off); err != nil {
				errc <- fmt.Errorf("follow %s/%d: %w", topic, p, err)
				return
			}
			for {
				m, err := r.FetchMessage(ctx)
				if err != nil {
					if ctx.Err() == nil {
						errc <- fmt.Errorf("follow %s/%d: %w", topic, p, err)
					}
					return
				}
				if ok, id := apply(m); ok {
					select {
					case ids <- id:
					case <-ctx.Done():
						return
					}
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
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
			<-done
			return err
		case <-done:
			return ctx.Err()
		}
	}
}
