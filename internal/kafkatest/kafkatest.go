// Package kafkatest gives tests a Kafka broker of their own: by default
// the embedded one (package devbroker, franz-go's kfake), or with
// ASSAY_KAFKA=local a real Apache Kafka broker started by
// scripts/kafka-local on free loopback ports, with a fresh data directory
// (make test-kafka). Each call starts a new broker, so tests never see one
// another's topics, records or groups. What the tests do with it is theirs.
package kafkatest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/devbroker"
	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

// Real reports whether tests run against a real Kafka broker.
func Real() bool { return os.Getenv("ASSAY_KAFKA") == "local" }

// Kcat returns the path of kcat (librdkafka's client), the independent
// client tests check the brokers and the pipeline with. Without it t is
// skipped, or fails on CI (CI=true), where .ci/run installs it.
func Kcat(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("kcat is needed on CI; .ci/run installs it (Debian: apt-get install kcat): %v", err)
		}
		t.Skipf("kcat is not on PATH (Debian: apt-get install kcat); CI=true makes this a failure: %v", err)
	}
	return p
}

// Broker is a running test broker.
type Broker struct {
	Addrs []string
	// Restart stops the broker and starts it again on the same address
	// with the same data, as a broker restart in production would; with
	// the embedded broker it skips the test.
	Restart func(t testing.TB)

	cluster stream.Cluster
}

// Cluster is the broker as a plaintext stream.Cluster, with a connection
// pool of its own: kafka-go's shared default pool would carry a closed
// broker's connections and metadata over to a later one that gets the
// same port.
func (b *Broker) Cluster() stream.Cluster { return b.cluster }

// Start starts a broker for t and creates the default topics on it; it is
// stopped when t ends.
func Start(t testing.TB) *Broker {
	t.Helper()
	var b *Broker
	if Real() {
		b = startReal(t)
	} else {
		b = startEmbedded(t)
	}
	b.cluster = stream.NewCluster(b.Addrs, nil, nil)
	t.Cleanup(b.cluster.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := stream.EnsureTopics(ctx, b.Cluster(), stream.DefaultTopics(), stream.DefaultLayout()); err != nil {
		t.Fatal(err)
	}
	return b
}

func startEmbedded(t testing.TB) *Broker {
	t.Helper()
	b, err := devbroker.Start(devbroker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return &Broker{Addrs: b.Addrs(), Restart: func(t testing.TB) {
		t.Skip("broker restarts are tested against a real broker (make test-kafka)")
	}}
}

// script is scripts/kafka-local/kafka-local, found from this file.
func script(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("kafkatest: cannot find the repository")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "scripts", "kafka-local", "kafka-local")
}

func startReal(t testing.TB) *Broker {
	t.Helper()
	dir := t.TempDir()
	port := progtest.FreePorts(t, 2)[0] // and port+1, the controller's
	start := func(t testing.TB) {
		t.Helper()
		kafkaLocal(t, "start", "--dir", dir, "--port", strconv.Itoa(port))
	}
	start(t)
	t.Cleanup(func() { kafkaLocal(t, "stop", "--dir", dir) })
	addr := loopback(port)
	return &Broker{Addrs: []string{addr}, Restart: func(t testing.TB) {
		t.Helper()
		kafkaLocal(t, "stop", "--dir", dir)
		start(t)
		waitLeaders(t, addr)
	}}
}

// waitLeaders waits until every partition on the broker at addr has a
// leader again. A restarted broker answers metadata requests (all that
// kafka-local start waits for) a moment before it leads its partitions,
// and a write in that moment fails with "no leader": a test restarts a
// broker to see the programs ride through the outage, not to race the
// election.
func waitLeaders(t testing.TB, addr string) {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(addr), Timeout: 5 * time.Second}
	progtest.WaitFor(t, 60*time.Second, "partition leaders after the restart", func() (bool, string) {
		resp, err := client.Metadata(context.Background(), &kafka.MetadataRequest{})
		if err != nil {
			return false, err.Error()
		}
		for _, tp := range resp.Topics {
			for _, p := range tp.Partitions {
				if p.Error != nil || p.Leader.Host == "" {
					return false, fmt.Sprintf("%s/%d has no leader (%v)", tp.Name, p.ID, p.Error)
				}
			}
		}
		return true, ""
	})
}

// kafkaLocal runs scripts/kafka-local with args and fails t with its
// output when it fails.
func kafkaLocal(t testing.TB, args ...string) {
	t.Helper()
	if out, err := exec.Command(script(t), args...).CombinedOutput(); err != nil {
		t.Fatalf("kafka-local %v: %v\n%s", args, err, out)
	}
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
