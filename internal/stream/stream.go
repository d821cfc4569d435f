// Package stream connects Assay's programs through Kafka with kafka-go: the
// topic names and their creation, producers configured against kafka-go's
// traps (no acks and a one-second batch wait by default), the record formats
// on each topic (rejected listings, brands, candidates), and in-order commits
// for at-least-once consumption. What the programs do with the records is
// theirs; this package deliberately stays narrow.
package stream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// DefaultBrokers is used when neither a flag nor KAFKA_BROKERS names any:
// the embedded development broker's address.
const DefaultBrokers = "127.0.0.1:9092"

// BrokersFromEnv returns KAFKA_BROKERS, or DefaultBrokers when it is unset.
func BrokersFromEnv() string {
	if b := strings.TrimSpace(os.Getenv("KAFKA_BROKERS")); b != "" {
		return b
	}
	return DefaultBrokers
}

// ParseBrokers splits a comma-separated broker list and checks each entry
// is host:port.
func ParseBrokers(s string) ([]string, error) {
	var out []string
	for _, b := range strings.Split(s, ",") {
		b = strings.TrimSpace(b)
		if b == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(b); err != nil {
			return nil, fmt.Errorf("broker %q is not host:port: %w", b, err)
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		return nil, errors.New("no Kafka brokers given")
	}
	return out, nil
}

// Topics names the topics of the pipeline.
type Topics struct {
	Listings   string
	Rejected   string
	Brands     string
	Candidates string
	// Feedback carries analysts' decisions back to every matcher.
	Feedback string
}

// DefaultTopics returns the default topic names.
func DefaultTopics() Topics {
	return Topics{Listings: "listings", Rejected: "listings.rejected", Brands: "brands", Candidates: "candidates", Feedback: "brands.feedback"}
}

// Layout says how topics are created when missing.
type Layout struct {
	Partitions        int
	ReplicationFactor int
}

// DefaultLayout suits the embedded broker and a one-broker test cluster.
func DefaultLayout() Layout { return Layout{Partitions: 6, ReplicationFactor: 1} }

// EnsureTopics creates any of the named topics that does not exist yet. The
// brands and feedback topics are compacted: it holds the latest record per brand id for ever, so a
// matcher starting from the beginning sees the whole registry. Creating topics
// up front avoids kafka-go's first-write "Leader Not Available" failures.
func EnsureTopics(ctx context.Context, c Cluster, t Topics, l Layout) error {
	client := c.Client(10 * time.Second)
	cfg := func(name string, compact bool) kafka.TopicConfig {
		tc := kafka.TopicConfig{Topic: name, NumPartitions: l.Partitions, ReplicationFactor: l.ReplicationFactor}
		if compact {
			tc.ConfigEntries = []kafka.ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "compact"}}
		}
		return tc
	}
	req := &kafka.CreateTopicsRequest{}
	for _, tc := range []kafka.TopicConfig{
		cfg(t.Listings, false), cfg(t.Rejected, false), cfg(t.Brands, true), cfg(t.Candidates, false), cfg(t.Feedback, true),
	} {
		if tc.Topic != "" {
			req.Topics = append(req.Topics, tc)
		}
	}
	var resp *kafka.CreateTopicsResponse
	err := retryTransient(ctx, func() error {
		var err error
		resp, err = client.CreateTopics(ctx, req)
		return err
	})
	if err != nil {
		return fmt.Errorf("create topics on %s: %w", c, err)
	}
	var errs []error
	for topic, err := range resp.Errors {
		if err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("create topic %s: %w", topic, err))
		}
	}
	return errors.Join(errs...)
}

// CloseWithin closes in parallel and gives up after d, because kafka-go's
// Close can hang on a lost connection; an abandoned close ends with the
// process. It returns the closers' errors, or that time ran out.
func CloseWithin(d time.Duration, closers ...func() error) error {
	done := make(chan error, 1)
	go func() {
		errs := make([]error, len(closers))
		var wg sync.WaitGroup
		for i, c := range closers {
			wg.Go(func() { errs[i] = c() })
		}
		wg.Wait()
		done <- errors.Join(errs...)
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("close timed out after %s", d)
	}
}
