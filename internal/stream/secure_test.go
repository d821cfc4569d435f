package stream_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/stream"
)

// TestSecureCluster connects through each of a real broker's secured
// listeners as the programs' flags would configure it (TLS; SASL PLAIN,
// SCRAM-SHA-256 and SCRAM-SHA-512 with and without TLS), and through each
// path this package opens connections by: topic creation, a producer, a
// group consumer with its commits, offsets and lag. Wrong credentials and
// a missing CA must fail with the cause named. Needs make test-kafka.
func TestSecureCluster(t *testing.T) {
	b := kafkatest.StartSecure(t)
	type tc struct {
		name    string
		cfg     stream.ClusterConfig
		wantErr string
	}
	tests := []tc{
		{name: "SSL", cfg: stream.ClusterConfig{Brokers: b.SSL[0], CAFile: b.CAFile}},
	}
	for _, m := range kafkatest.SecureMechanisms {
		tests = append(tests,
			tc{name: "SASL_SSL " + m, cfg: stream.ClusterConfig{Brokers: b.SASLSSL[0], CAFile: b.CAFile, SASLMechanism: m, SASLUser: b.User, SASLPassword: b.Password}},
			tc{name: "SASL_PLAINTEXT " + m, cfg: stream.ClusterConfig{Brokers: b.SASLPlaintext[0], SASLMechanism: m, SASLUser: b.User, SASLPassword: b.Password}},
			tc{name: "wrong password " + m, cfg: stream.ClusterConfig{Brokers: b.SASLSSL[0], CAFile: b.CAFile, SASLMechanism: m, SASLUser: b.User, SASLPassword: "not-" + b.Password},
				wantErr: "SASL Authentication failed"},
		)
	}
	tests = append(tests,
		tc{name: "TLS without the CA", cfg: stream.ClusterConfig{Brokers: b.SSL[0], TLS: true}, wantErr: "certificate signed by unknown authority"},
		tc{name: "no SASL on a SASL listener", cfg: stream.ClusterConfig{Brokers: b.SASLSSL[0], CAFile: b.CAFile}, wantErr: "kafka at"},
	)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.cfg.Cluster()
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			if tt.wantErr != "" {
				pctx, pcancel := context.WithTimeout(ctx, 10*time.Second)
				defer pcancel()
				err := stream.Reachable(pctx, c)
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				t.Logf("refused: %v", err)
				return
			}
			roundTrip(ctx, t, c, fmt.Sprintf("secure-%d", i))
		})
	}
}

// roundTrip creates topic, writes records, reads them back in a consumer
// group that commits, and checks the offsets and the lag the broker
// reports.
func roundTrip(ctx context.Context, t *testing.T, c stream.Cluster, topic string) {
	t.Helper()
	if err := stream.Reachable(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := stream.EnsureTopics(ctx, c, stream.Topics{Listings: topic}, stream.Layout{Partitions: 2, ReplicationFactor: 1}); err != nil {
		t.Fatal(err)
	}
	const n = 20
	w := c.NewWriter(topic)
	var msgs []kafka.Message
	for i := range n {
		msgs = append(msgs, kafka.Message{Key: fmt.Appendf(nil, "k%d", i), Value: fmt.Appendf(nil, "v%d", i)})
	}
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r := c.NewReader(kafka.ReaderConfig{GroupID: topic + "-group", Topic: topic, StartOffset: kafka.FirstOffset})
	defer r.Close()
	seen := map[string]bool{}
	for len(seen) < n {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			t.Fatalf("read %d of %d: %v", len(seen), n, err)
		}
		seen[string(m.Value)] = true
		if err := r.CommitMessages(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	spans, err := stream.Spans(ctx, c, topic)
	if err != nil {
		t.Fatal(err)
	}
	total := int64(0)
	for _, s := range spans {
		total += s.End - s.First
	}
	if total != n {
		t.Errorf("spans hold %d records, want %d", total, n)
	}
	lag, err := stream.GroupLag(ctx, c, topic+"-group", topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range lag {
		if p.Lag != 0 {
			t.Errorf("partition %d: lag %d after every record was committed", p.Partition, p.Lag)
		}
	}
}
