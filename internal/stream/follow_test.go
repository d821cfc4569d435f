package stream_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/devbroker"
	"github.com/assay-dev/assay/internal/stream"
)

// TestTail: every partition is read from where it was asked to start, and
// the first failure stops every reader and is what Tail returns.
func TestTail(t *testing.T) {
	b, err := devbroker.Start(devbroker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	brokers := stream.Cluster{Brokers: b.Addrs()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topics := stream.Topics{Listings: "tail"}
	if err := stream.EnsureTopics(ctx, brokers, topics, stream.DefaultLayout()); err != nil {
		t.Fatal(err)
	}
	w := brokers.NewWriter("tail")
	defer w.Close()
	var msgs []kafka.Message
	for i := range 60 {
		msgs = append(msgs, kafka.Message{Key: fmt.Appendf(nil, "k%d", i), Value: []byte("v")})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	_, spans, err := stream.ReadTopic(ctx, brokers, "tail")
	if err != nil {
		t.Fatal(err)
	}
	from := map[int]int64{}
	for _, s := range spans {
		from[s.Partition] = kafka.FirstOffset
	}

	stop := errors.New("seen enough")
	seen := make(chan struct{}, 100)
	start := time.Now()
	err = stream.Tail(ctx, brokers, "tail", from, 0, func(kafka.Message) error {
		seen <- struct{}{}
		if len(seen) == 60 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Tail returned %v, want the callback's error", err)
	}
	if len(seen) != 60 || time.Since(start) > 10*time.Second {
		t.Errorf("read %d of 60 records in %v", len(seen), time.Since(start))
	}

	short, cancelShort := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelShort()
	if err := stream.Tail(short, brokers, "tail", map[int]int64{0: kafka.LastOffset}, 0, func(kafka.Message) error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Tail at the end of an idle partition returned %v, want the context's deadline", err)
	}
}

// TestReconnect: how long failures are ridden out, and what ends them.
func TestReconnect(t *testing.T) {
	failing := errors.New("broker down")
	tests := []struct {
		name     string
		outage   time.Duration
		ctxAfter time.Duration // ctx ends after this long
		failures int           // attempts that fail before one succeeds for good (-1: all fail)
		perm     bool          // the first failure is Permanent
		want     string        // the error returned, or "" for nil
		retries  int           // retry calls, or -1 for "some"
	}{
		{name: "gives up after the outage", outage: 100 * time.Millisecond, ctxAfter: 10 * time.Second, failures: -1, want: "failing for over 100ms: broker down", retries: -1},
		{name: "never gives up when negative", outage: -1, ctxAfter: 700 * time.Millisecond, failures: -1, want: "", retries: -1},
		{name: "permanent at once", outage: time.Minute, ctxAfter: 10 * time.Second, failures: -1, perm: true, want: "broker down", retries: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), tt.ctxAfter)
			defer cancel()
			retries := 0
			err := stream.Reconnect(ctx, tt.outage, func() (bool, error) {
				if tt.perm {
					return false, stream.Permanent(failing)
				}
				return false, failing
			}, func(error, time.Duration) { retries++ })
			if got := fmt.Sprint(err); (tt.want == "" && err != nil) || (tt.want != "" && got != tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if (tt.retries >= 0 && retries != tt.retries) || (tt.retries < 0 && retries == 0) {
				t.Errorf("%d retries, want %d", retries, tt.retries)
			}
		})
	}
}

// TestRetryable: what waiting may cure, and what it cannot.
func TestRetryable(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{errors.New("dial tcp 127.0.0.1:9092: connect: connection refused"), true},
		{fmt.Errorf("describe topics: %w", kafka.LeaderNotAvailable), true},
		{fmt.Errorf("describe topics: %w", kafka.BrokerNotAvailable), true},
		{fmt.Errorf("create topic listings: %w", stream.ErrTopicMissing), false},
		{fmt.Errorf("dial: %w", kafka.SASLAuthenticationFailed), false},
		{fmt.Errorf("create: %w", kafka.InvalidReplicationFactor), false},
		{errors.Join(errors.New("other"), kafka.TopicAuthorizationFailed), false},
	}
	for _, tt := range tests {
		if got := stream.Retryable(tt.err); got != tt.want {
			t.Errorf("Retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	// Retry gives up at once on the others.
	calls := 0
	err := stream.Retry(t.Context(), time.Minute, func() error { calls++; return kafka.SASLAuthenticationFailed }, nil)
	if !errors.Is(err, kafka.SASLAuthenticationFailed) || calls != 1 {
		t.Errorf("Retry = %v after %d calls, want the error after 1", err, calls)
	}
}

// TestRetry: an attempt that fails twice and then succeeds is done, and
// the failures were heard.
func TestRetry(t *testing.T) {
	calls, heard := 0, 0
	err := stream.Retry(t.Context(), time.Minute, func() error {
		if calls++; calls < 3 {
			return errors.New("not yet")
		}
		return nil
	}, func(error, time.Duration) { heard++ })
	if err != nil || calls != 3 || heard != 2 {
		t.Errorf("Retry = %v after %d calls and %d failures heard, want nil after 3 and 2", err, calls, heard)
	}
}
