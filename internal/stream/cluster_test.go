package stream_test

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

func TestClusterConfig(t *testing.T) {
	dir := t.TempDir()
	// The key store holds a key and its certificate chain: a client key
	// pair as good as any.
	ca, pair := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "pair.pem")
	kafkatest.WriteCertificates(t, ca, pair)
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	pwFile := filepath.Join(dir, "password")
	if err := os.WriteFile(pwFile, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  stream.ClusterConfig
		// env, when set, is the environment the config is read from
		// instead of cfg (ClusterConfigFromEnv).
		env     map[string]string
		wantErr string // empty: no error
		tls     bool
		sasl    string
		str     string
	}{
		{name: "plaintext", cfg: stream.ClusterConfig{Brokers: "a:1, b:2"}, str: "a:1,b:2"},
		{name: "no brokers", cfg: stream.ClusterConfig{Brokers: " , "}, wantErr: "no Kafka brokers"},
		{name: "bad broker", cfg: stream.ClusterConfig{Brokers: "a"}, wantErr: `broker "a" is not host:port`},
		{name: "tls system roots", cfg: stream.ClusterConfig{Brokers: "a:1", TLS: true}, tls: true, str: "a:1 (TLS)"},
		{name: "a CA implies TLS", cfg: stream.ClusterConfig{Brokers: "a:1", CAFile: ca}, tls: true},
		{name: "CA missing", cfg: stream.ClusterConfig{Brokers: "a:1", CAFile: filepath.Join(dir, "nope.pem")}, wantErr: "kafka TLS CA: open"},
		{name: "CA not PEM", cfg: stream.ClusterConfig{Brokers: "a:1", CAFile: notPEM}, wantErr: "no PEM certificate"},
		{name: "client cert", cfg: stream.ClusterConfig{Brokers: "a:1", CertFile: pair, KeyFile: pair}, tls: true},
		{name: "cert without key", cfg: stream.ClusterConfig{Brokers: "a:1", CertFile: pair}, wantErr: "needs both --kafka-tls-cert and --kafka-tls-key"},
		{name: "cert file not PEM", cfg: stream.ClusterConfig{Brokers: "a:1", CertFile: notPEM, KeyFile: pair}, wantErr: "kafka TLS client certificate"},
		{name: "plain", cfg: stream.ClusterConfig{Brokers: "a:1", SASLMechanism: "plain", SASLUser: "u", SASLPassword: "p"}, sasl: "PLAIN", str: "a:1 (SASL PLAIN, no TLS)"},
		{name: "scram-256 over TLS", cfg: stream.ClusterConfig{Brokers: "a:1", TLS: true, SASLMechanism: "SCRAM-SHA-256", SASLUser: "u", SASLPassword: "p"}, tls: true, sasl: "SCRAM-SHA-256", str: "a:1 (TLS, SASL SCRAM-SHA-256)"},
		{name: "scram-512 password file", cfg: stream.ClusterConfig{Brokers: "a:1", SASLMechanism: "scram-sha-512", SASLUser: "u", SASLPasswordFile: pwFile}, sasl: "SCRAM-SHA-512"},
		{name: "password file missing", cfg: stream.ClusterConfig{Brokers: "a:1", SASLMechanism: "PLAIN", SASLUser: "u", SASLPasswordFile: filepath.Join(dir, "nope")}, wantErr: "kafka SASL password: open"},
		{name: "no password", cfg: stream.ClusterConfig{Brokers: "a:1", SASLMechanism: "PLAIN", SASLUser: "u"}, wantErr: "no password"},
		{name: "no user", cfg: stream.ClusterConfig{Brokers: "a:1", SASLMechanism: "PLAIN", SASLPassword: "p"}, wantErr: "no user name"},
		{name: "user without mechanism", cfg: stream.ClusterConfig{Brokers: "a:1", SASLUser: "u"}, wantErr: "without --kafka-sasl-mechanism"},
		{name: "unknown mechanism", cfg: stream.ClusterConfig{Brokers: "a:1", SASLMechanism: "GSSAPI", SASLUser: "u", SASLPassword: "p"}, wantErr: `"GSSAPI" is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512`},
		{name: "env plaintext", env: map[string]string{"KAFKA_BROKERS": "a:1"}, str: "a:1"},
		{name: "env tls 1", env: map[string]string{"KAFKA_BROKERS": "a:1", "KAFKA_TLS": "1"}, tls: true, str: "a:1 (TLS)"},
		{name: "env tls false", env: map[string]string{"KAFKA_BROKERS": "a:1", "KAFKA_TLS": "false"}, str: "a:1"},
		{name: "env tls yes", env: map[string]string{"KAFKA_BROKERS": "a:1", "KAFKA_TLS": "yes"}, wantErr: `KAFKA_TLS="yes" is not true or false`},
		{name: "env skip verify on", env: map[string]string{"KAFKA_BROKERS": "a:1", "KAFKA_TLS_INSECURE_SKIP_VERIFY": "on"}, wantErr: `KAFKA_TLS_INSECURE_SKIP_VERIFY="on" is not true or false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if tt.env != nil {
				for _, k := range []string{"KAFKA_BROKERS", "KAFKA_TLS", "KAFKA_TLS_CA", "KAFKA_TLS_CERT", "KAFKA_TLS_KEY", "KAFKA_TLS_SERVER_NAME",
					"KAFKA_TLS_INSECURE_SKIP_VERIFY", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_SASL_PASSWORD_FILE"} {
					t.Setenv(k, tt.env[k])
				}
				cfg = stream.ClusterConfigFromEnv()
			}
			c, err := cfg.Cluster()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc := c.TLS(); (tc != nil) != tt.tls {
				t.Errorf("TLS %v, want %v", tc != nil, tt.tls)
			}
			if tc := c.TLS(); tc != nil && cfg.CAFile != "" && tc.RootCAs == nil {
				t.Error("the CA file was not used")
			}
			if tc := c.TLS(); tc != nil && cfg.CertFile != "" && len(tc.Certificates) != 1 {
				t.Error("the client certificate was not used")
			}
			got := ""
			if m := c.SASL(); m != nil {
				got = m.Name()
			}
			if got != tt.sasl {
				t.Errorf("SASL %q, want %q", got, tt.sasl)
			}
			if tt.str != "" && c.String() != tt.str {
				t.Errorf("String() = %q, want %q", c.String(), tt.str)
			}
		})
	}
}

// TestClusterConfigFlags: the environment gives the defaults, flags win,
// and no flag takes the password itself.
func TestClusterConfigFlags(t *testing.T) {
	t.Setenv("KAFKA_BROKERS", "env:1")
	t.Setenv("KAFKA_TLS", "true")
	t.Setenv("KAFKA_SASL_MECHANISM", "PLAIN")
	t.Setenv("KAFKA_SASL_USERNAME", "envuser")
	t.Setenv("KAFKA_SASL_PASSWORD", "envpass")
	cfg := stream.ClusterConfigFromEnv()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	cfg.AddFlags(fs)
	if err := fs.Parse([]string{"--brokers", "flag:2", "--kafka-sasl-username", "flaguser"}); err != nil {
		t.Fatal(err)
	}
	if cfg.Brokers != "flag:2" || !cfg.TLS || cfg.SASLMechanism != "PLAIN" || cfg.SASLUser != "flaguser" || cfg.SASLPassword != "envpass" {
		t.Errorf("config %+v", cfg)
	}
	fs.VisitAll(func(f *flag.Flag) {
		if strings.Contains(f.Name, "password") && !strings.HasSuffix(f.Name, "-file") {
			t.Errorf("flag --%s takes a password on the command line", f.Name)
		}
	})
	if _, err := cfg.Cluster(); err != nil {
		t.Fatal(err)
	}
}

// TestClusterOwnPool starts embedded brokers one after another on the same
// address: a Cluster from NewCluster meets each as it is, where kafka-go's
// default pool (a literal Cluster) still holds the closed one's
// connections and metadata, and would find the topics of the broker
// before. Each round's topics are then looked for on the new broker
// through a cluster whose pool WithDial makes, whatever NewCluster does.
func TestClusterOwnPool(t *testing.T) {
	port := progtest.FreePorts(t, 1)[0]
	addr := []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	topics := stream.DefaultTopics()
	for round := range 3 {
		broker, err := kfake.NewCluster(kfake.Ports(port), kfake.NumBrokers(1))
		if err != nil {
			t.Fatal(err)
		}
		c := stream.NewCluster(addr, nil, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = stream.EnsureTopics(ctx, c, topics, stream.DefaultLayout())
		c.Close()
		if err == nil {
			check := stream.NewCluster(addr, nil, nil).WithDial((&net.Dialer{}).DialContext)
			for _, topic := range []string{topics.Listings, topics.Rejected, topics.Brands, topics.Candidates, topics.Feedback} {
				if _, serr := stream.Spans(ctx, check, topic); serr != nil {
					err = fmt.Errorf("EnsureTopics returned, but on the new broker: %w", serr)
					break
				}
			}
			check.Close()
		}
		cancel()
		broker.Close()
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

// TestReachableNotCached: the readiness probe must ask a broker, not the
// cluster's pool, which keeps the metadata of a broker that is gone. The
// cluster here is used (its pool filled) before each change: ready with
// the topics; not ready once the broker is stopped; not ready, naming
// the topic, when a broker is back on the address without the topics.
func TestReachableNotCached(t *testing.T) {
	port := progtest.FreePorts(t, 1)[0]
	addr := []string{net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	topics := stream.DefaultTopics()
	ctx := t.Context()
	c := stream.NewCluster(addr, nil, nil)
	defer c.Close()

	broker, err := kfake.NewCluster(kfake.Ports(port), kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.EnsureTopics(ctx, c, topics, stream.DefaultLayout()); err != nil {
		t.Fatal(err)
	}
	if err := stream.Reachable(ctx, c, topics.Listings, topics.Rejected); err != nil {
		t.Fatalf("broker up with the topics: %v", err)
	}
	if err := stream.Reachable(ctx, c, "no-such-topic"); err == nil || !strings.Contains(err.Error(), "topic no-such-topic") {
		t.Errorf("a missing topic: error = %v, want one naming it", err)
	}
	if _, err := stream.Spans(ctx, c, topics.Listings); err != nil { // the pool now holds the topic's metadata
		t.Fatal(err)
	}

	broker.Close()
	if err := stream.Reachable(ctx, c); err == nil {
		t.Error("broker stopped: Reachable = nil")
	}

	broker, err = kfake.NewCluster(kfake.Ports(port), kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	if err := stream.Reachable(ctx, c); err != nil {
		t.Errorf("broker back: %v", err)
	}
	if err := stream.Reachable(ctx, c, topics.Listings); err == nil || !strings.Contains(err.Error(), "topic "+topics.Listings) {
		t.Errorf("broker back without the topics: error = %v, want one naming %s", err, topics.Listings)
	}
}
