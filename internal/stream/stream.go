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

// Validate reports a topic without a name, or two topics of one name
// (which Kafka would take as one topic, mixing records of two kinds).
func (t Topics) Validate() error {
	roles := []struct{ role, name string }{
		{"listings", t.Listings}, {"rejected", t.Rejected}, {"brands", t.Brands},
		{"candidates", t.Candidates}, {"feedback", t.Feedback},
	}
	for i, a := range roles {
		if strings.TrimSpace(a.name) == "" {
			return fmt.Errorf("the %s topic has no name", a.role)
		}
		for _, b := range roles[:i] {
			if a.name == b.name {
				return fmt.Errorf("the %s and %s topics are both named %q: each needs a name of its own", b.role, a.role, a.name)
			}
		}
	}
	return nil
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

// ErrTopicMissing marks a topic that does not exist and that the program's
// principal may not create.
var ErrTopicMissing = errors.New("topic missing")

// EnsureTopics creates any of the named topics that does not exist yet. The
// brands and feedback topics are compacted: it holds the latest record per
// brand id for ever, so a matcher starting from the beginning sees the
// whole registry. Creating topics up front avoids kafka-go's first-write
// "Leader Not Available" failures.
//
// It asks which topics exist first and creates only the missing ones, so a
// principal without CREATE runs against topics an administrator made (a
// CreateTopics request is refused for lack of CREATE even for a topic that
// exists). A missing topic it may not create is an ErrTopicMissing error
// naming it.
func EnsureTopics(ctx context.Context, c Cluster, t Topics, l Layout) error {
	client := c.Client(10 * time.Second)
	cfg := func(name string, compact bool) kafka.TopicConfig {
		tc := kafka.TopicConfig{Topic: name, NumPartitions: l.Partitions, ReplicationFactor: l.ReplicationFactor}
		if compact {
			tc.ConfigEntries = []kafka.ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "compact"}}
		}
		return tc
	}
	var want []kafka.TopicConfig
	for _, tc := range []kafka.TopicConfig{
		cfg(t.Listings, false), cfg(t.Rejected, false), cfg(t.Brands, true), cfg(t.Candidates, false), cfg(t.Feedback, true),
	} {
		if tc.Topic != "" {
			want = append(want, tc)
		}
	}
	missing, err := missingTopics(ctx, client, want)
	if err != nil {
		return fmt.Errorf("describe topics on %s: %w", c, err)
	}
	if len(missing) == 0 {
		return nil
	}
	var resp *kafka.CreateTopicsResponse
	err = retryTransient(ctx, func() error {
		var err error
		resp, err = client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: missing})
		return err
	})
	if err != nil {
		return fmt.Errorf("create topics on %s: %w", c, err)
	}
	var errs []error
	for _, tc := range missing {
		err := resp.Errors[tc.Topic]
		switch {
		case err == nil, errors.Is(err, kafka.TopicAlreadyExists):
		case errors.Is(err, kafka.TopicAuthorizationFailed), errors.Is(err, kafka.ClusterAuthorizationFailed):
			errs = append(errs, fmt.Errorf("%w: %s does not exist on %s and this principal may not create it (%v): create it first, or grant CREATE", ErrTopicMissing, tc.Topic, c, err))
		default:
			errs = append(errs, fmt.Errorf("create topic %s: %w", tc.Topic, err))
		}
	}
	return errors.Join(errs...)
}

// missingTopics returns those of want the cluster does not have. A topic
// the principal may not describe is an error: it could neither read nor
// write it.
func missingTopics(ctx context.Context, client *kafka.Client, want []kafka.TopicConfig) ([]kafka.TopicConfig, error) {
	names := make([]string, len(want))
	for i, tc := range want {
		names[i] = tc.Topic
	}
	var md *kafka.MetadataResponse
	err := retryTransient(ctx, func() error {
		var err error
		md, err = client.Metadata(ctx, &kafka.MetadataRequest{Topics: names})
		return err
	})
	if err != nil {
		return nil, err
	}
	exists := make(map[string]bool, len(md.Topics))
	var errs []error
	for _, t := range md.Topics {
		switch {
		case t.Error == nil:
			exists[t.Name] = true
		case errors.Is(t.Error, kafka.UnknownTopicOrPartition):
		case errors.Is(t.Error, kafka.TopicAuthorizationFailed):
			errs = append(errs, fmt.Errorf("topic %s: this principal may not describe it (%w): grant DESCRIBE, READ and WRITE on it", t.Name, t.Error))
		default:
			// Leader elections and the like: the topic is there.
			exists[t.Name] = true
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var missing []kafka.TopicConfig
	for _, tc := range want {
		if !exists[tc.Topic] {
			missing = append(missing, tc)
		}
	}
	return missing, nil
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
