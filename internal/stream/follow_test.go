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
