package stream

import (
	"context"
	"crypto/tls"
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
func ReadTopic(ctx context.Context, c Cluster, topic string) ([]kafka.Message, []Span, error) {
	spans, err := Spans(ctx, c, topic)
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
			errs[i] = ReadSpan(ctx, c, topic, sp, func(m kafka.Message) error {
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
// something fails; fn is called from several goroutines at once. A reader
// that fails (the broker restarting, a leader moving) is opened again from
// where it stopped, as Reconnect does; an outage longer than c's, or an
// error of fn, stops every reader and is returned. The end of ctx returns
// its error.
func Tail(ctx context.Context, c Cluster, topic string, from map[int]int64, maxWait time.Duration, fn func(kafka.Message) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for p, off := range from {
		wg.Go(func() {
			next := off
			err := Reconnect(ctx, c.Outage(), func() (bool, error) {
				return tailPartition(ctx, c, topic, p, &next, maxWait, fn)
			}, nil)
			if err != nil && ctx.Err() == nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}

// DefaultOutage is how long Reconnect keeps trying without progress before
// it gives up, unless the Cluster says otherwise: long enough for a broker
// restart or a leader election.
const DefaultOutage = 2 * time.Minute

// permanentError is an error Reconnect returns at once.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying cannot cure (a caller's own
// error, say): Reconnect returns it without retrying.
func Permanent(err error) error { return permanentError{err} }

// Reconnect runs attempt until ctx ends, and again after each failure with
// a pause growing from 100 ms to 5 s, reset whenever an attempt made
// progress. It gives up, returning the last error, once attempts have
// failed without progress for outage (never, when outage is negative), or
// at once on a Permanent error. retry, when set, hears of each failure
// before the pause. It returns nil when ctx ends.
func Reconnect(ctx context.Context, outage time.Duration, attempt func() (progressed bool, err error), retry func(err error, pause time.Duration)) error {
	pause := 100 * time.Millisecond
	var failingSince time.Time
	for ctx.Err() == nil {
		progressed, err := attempt()
		var perm permanentError
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil:
			continue
		case errors.As(err, &perm):
			return perm.err
		case progressed || failingSince.IsZero():
			failingSince, pause = time.Now(), 100*time.Millisecond
		case outage >= 0 && time.Since(failingSince) > outage:
			return fmt.Errorf("failing for over %s: %w", outage, err)
		}
		if retry != nil {
			retry(err, pause)
		}
		select {
		case <-ctx.Done():
		case <-time.After(pause):
		}
		pause = min(2*pause, 5*time.Second)
	}
	return nil
}

// Retry runs attempt until it succeeds, pausing and giving up after
// failures as Reconnect does (start-up steps that need Kafka, which may be
// down for a while). An error that waiting cannot cure (Retryable) ends it
// at once. It returns nil once attempt succeeded or ctx ended.
func Retry(ctx context.Context, outage time.Duration, attempt func() error, retry func(err error, pause time.Duration)) error {
	succeeded := errors.New("succeeded")
	err := Reconnect(ctx, outage, func() (bool, error) {
		err := attempt()
		switch {
		case err == nil:
			return false, Permanent(succeeded)
		case !Retryable(err):
			return false, Permanent(err)
		}
		return false, err
	}, retry)
	if errors.Is(err, succeeded) {
		return nil
	}
	return err
}

// Retryable reports whether err may pass with time: a broker down or
// restarting, a leader moving. Not so a topic the principal may not
// create, an error Kafka itself says is not temporary (authentication or
// authorization refused, a bad setting), or a certificate not trusted.
func Retryable(err error) bool {
	var kerr kafka.Error
	var cert *tls.CertificateVerificationError
	switch {
	case errors.Is(err, ErrTopicMissing), errors.As(err, &cert):
		return false
	case errors.As(err, &kerr):
		return kerr.Temporary() || kerr == kafka.BrokerNotAvailable //nolint:errorlint // kafka.Error is a code
	}
	return true
}

// tailPartition reads one partition from *next until an error, advancing
// *next past each record handled; read says whether any record was.
func tailPartition(ctx context.Context, c Cluster, topic string, p int, next *int64, maxWait time.Duration, fn func(kafka.Message) error) (read bool, err error) {
	r := c.NewReader(kafka.ReaderConfig{Topic: topic, Partition: p, MaxWait: maxWait})
	defer r.Close()
	if err := r.SetOffset(*next); err != nil {
		return false, fmt.Errorf("follow %s/%d: %w", topic, p, err)
	}
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return read, fmt.Errorf("follow %s/%d: %w", topic, p, err)
		}
		if err := fn(m); err != nil {
			return read, Permanent(err)
		}
		*next, read = m.Offset+1, true
	}
}

// ApplyFunc applies one record of a followed topic and reports whether it
// changed anything, and the id (the record's key, usually) it concerns.
type ApplyFunc func(kafka.Message) (changed bool, id string)

// LoadCompacted reads a compacted topic from the beginning to its current
// end and returns where to follow it from.
func LoadCompacted(ctx context.Context, c Cluster, topic string, apply ApplyFunc) (next map[int]int64, err error) {
	msgs, spans, err := ReadTopic(ctx, c, topic)
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
func FollowCompacted(ctx context.Context, c Cluster, topic string, from map[int]int64, apply ApplyFunc, changed func([]string)) error {
	ids := make(chan string, 1024)
	errc := make(chan error, 1)
	go func() {
		errc <- Tail(ctx, c, topic, from, 250*time.Millisecond, func(m kafka.Message) error {
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
