package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"
)

// Reachable is a readiness probe: nil means a broker answered a metadata
// request within ctx and each of topics exists.
//
// It asks through a pool of its own, dropped after: kafka-go's Transport
// answers metadata requests from its cache and keeps the last good state
// when a refresh fails, so asking through the cluster's shared pool said
// ready with every broker down, or after a broker restarted without the
// topics.
func Reachable(ctx context.Context, c Cluster, topics ...string) error {
	t := c.newTransport()
	defer t.CloseIdleConnections()
	client := &kafka.Client{Addr: kafka.TCP(c.Brokers...), Timeout: 5 * time.Second, Transport: t}
	resp, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return fmt.Errorf("kafka at %s: %w", c, err)
	}
	for _, want := range topics {
		i := slices.IndexFunc(resp.Topics, func(t kafka.Topic) bool { return t.Name == want })
		switch {
		case i < 0:
			return fmt.Errorf("kafka at %s: topic %s: %w", c, want, kafka.UnknownTopicOrPartition)
		case resp.Topics[i].Error != nil:
			return fmt.Errorf("kafka at %s: topic %s: %w", c, want, resp.Topics[i].Error)
		}
	}
	return nil
}

// PartitionLag is how far a consumer group is behind on one partition:
// the records from its committed offset (or the partition's first offset
// when it has committed none) to the end.
type PartitionLag struct {
	Partition int
	End       int64 // the partition's end offset
	Lag       int64
}

// GroupLag measures a consumer group's lag on topic from the broker's side
// (end offsets against committed offsets), so it also tells of a consumer
// that stopped fetching, which the consumer's own view cannot.
func GroupLag(ctx context.Context, c Cluster, group, topic string) ([]PartitionLag, error) {
	spans, err := Spans(ctx, c, topic)
	if err != nil {
		return nil, err
	}
	parts := make([]int, len(spans))
	for i, s := range spans {
		parts[i] = s.Partition
	}
	committed, err := Committed(ctx, c, group, topic, parts)
	if err != nil {
		return nil, err
	}
	out := make([]PartitionLag, 0, len(spans))
	for _, s := range spans {
		from, ok := committed[s.Partition]
		if !ok || from < s.First {
			from = s.First // nothing committed, or the retention passed it
		}
		out = append(out, PartitionLag{Partition: s.Partition, End: s.End, Lag: max(0, s.End-from)})
	}
	return out, nil
}

// Committed returns a consumer group's committed offsets on the partitions
// of topic: the offset it resumes from. Partitions it never committed are
// left out; a group that does not exist has none.
func Committed(ctx context.Context, c Cluster, group, topic string, partitions []int) (map[int]int64, error) {
	client := c.Client(10 * time.Second)
	resp, err := client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: partitions}})
	if err != nil {
		return nil, fmt.Errorf("committed offsets of group %s: %w", group, err)
	}
	if resp.Error != nil && !errors.Is(resp.Error, kafka.GroupIdNotFound) {
		return nil, fmt.Errorf("committed offsets of group %s: %w", group, resp.Error)
	}
	committed := map[int]int64{}
	for _, p := range resp.Topics[topic] {
		if p.Error == nil && p.CommittedOffset >= 0 {
			committed[p.Partition] = p.CommittedOffset
		}
	}
	return committed, nil
}
