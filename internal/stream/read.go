package stream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
)

// Span is the range of offsets a partition holds: [First, End).
type Span struct {
	Partition int
	First     int64
	End       int64
}

// Spans returns the offsets every partition of topic holds now. A real
// broker answers CreateTopics, and even metadata naming the leaders,
// before those leaders serve the partitions: until then ListOffsets fails
// with a retriable error (Not Leader For Partition), which Spans waits out
// for a while. kfake is ready at once.
func Spans(ctx context.Context, c Cluster, topic string) ([]Span, error) {
	var out []Span
	err := retryTransient(ctx, func() error {
		var err error
		out, err = spans(ctx, c, topic)
		return err
	})
	return out, err
}

// transientRetry bounds how long retryTransient waits out a cluster that
// is not ready.
const transientRetry = 15 * time.Second

// retryTransient runs op until it succeeds, fails for good, or
// transientRetry has passed. Kafka's retriable errors are transient, and
// so is Broker Not Available: kafka-go's connection pool says it while
// its cached metadata does not name the broker a request must go to
// (the controller, for CreateTopics), which its next refresh corrects.
func retryTransient(ctx context.Context, op func() error) error {
	deadline := time.Now().Add(transientRetry)
	for {
		err := op()
		var kerr kafka.Error
		if err == nil || !errors.As(err, &kerr) || !(kerr.Temporary() || kerr == kafka.BrokerNotAvailable) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func spans(ctx context.Context, c Cluster, topic string) ([]Span, error) {
	client := c.Client(10 * time.Second)
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", topic, err)
	}
	var reqs []kafka.OffsetRequest
	for _, t := range md.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return nil, fmt.Errorf("metadata of %s: %w", topic, t.Error)
		}
		for _, p := range t.Partitions {
			reqs = append(reqs, kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
		}
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("topic %s has no partitions", topic)
	}
	resp, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	var spans []Span
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("list offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		spans = append(spans, Span{Partition: po.Partition, First: po.FirstOffset, End: po.LastOffset})
	}
	return spans, nil
}

// ReadSpan calls fn for every record of one partition from s.First up to
// s.End (exclusive), without a consumer group and without committing.
func ReadSpan(ctx context.Context, c Cluster, topic string, s Span, fn func(kafka.Message) error) error {
	if s.End <= s.First {
		return nil
	}
	r := c.NewReader(kafka.ReaderConfig{
		Topic: topic, Partition: s.Partition,
		MaxWait: 100 * time.Millisecond,
	})
	defer r.Close()
	if err := r.SetOffset(s.First); err != nil {
		return fmt.Errorf("seek %s/%d: %w", topic, s.Partition, err)
	}
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("read %s/%d: %w", topic, s.Partition, err)
		}
		if err := fn(m); err != nil {
			return err
		}
		if m.Offset+1 >= s.End {
			return nil
		}
	}
}
