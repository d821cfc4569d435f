// Package devbroker runs an embedded Kafka-protocol broker (franz-go's
// kfake) for the demo and for tests, so the pipeline runs with only Go
// installed. It is not a production broker: users run real Kafka, and every
// program works against either through the same flags.
package devbroker

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/assay-dev/assay/internal/ops"
	"github.com/assay-dev/assay/internal/stream"
)

// opsShutdownTimeout bounds the wait for ops requests in flight on Close;
// a /readyz probe ends within ops.ProbeTimeout anyway.
const opsShutdownTimeout = ops.ProbeTimeout + time.Second

// Options configures the broker. The zero value listens on a random
// loopback port and keeps everything in memory.
type Options struct {
	// Port to listen on (127.0.0.1 only); 0 picks a free one.
	Port int
	// DataDir keeps topics and group offsets across restarts when set.
	DataDir string
	// Partitions is the partition count of automatically created topics.
	Partitions int
	// OpsAddr, when set, is where GET /metrics (the Go runtime and process
	// metrics: kfake has none of its own), /healthz and /readyz (the
	// broker answers a metadata request on its own address) are served,
	// so that scripts and orchestrators probe it as they do the other
	// programs. "127.0.0.1:0" picks a free port; OpsAddr says which.
	OpsAddr string
}

// Broker is a running embedded broker.
type Broker struct {
	c *kfake.Cluster

	ops       *http.Server // nil without Options.OpsAddr
	opsAddr   net.Addr
	opsServed chan struct{} // closed when the ops server has stopped
	// probe is the readiness probe's client side, with a connection pool
	// of its own rather than kafka-go's process-wide one; set with ops.
	probe stream.Cluster
}

// Start starts a one-broker cluster on 127.0.0.1, and its ops endpoints
// when asked.
func Start(opts Options) (*Broker, error) {
	if opts.Partitions == 0 {
		opts.Partitions = 6
	}
	kopts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.DefaultNumPartitions(opts.Partitions),
		kfake.AllowAutoTopicCreation(),
	}
	if opts.Port != 0 {
		kopts = append(kopts, kfake.Ports(opts.Port))
	}
	if opts.DataDir != "" {
		kopts = append(kopts, kfake.DataDir(opts.DataDir))
	}
	c, err := kfake.NewCluster(kopts...)
	if err != nil {
		return nil, fmt.Errorf("start embedded broker: %w", err)
	}
	b := &Broker{c: c}
	if opts.OpsAddr != "" {
		if err := b.serveOps(opts.OpsAddr); err != nil {
			c.Close()
			return nil, err
		}
	}
	return b, nil
}

func (b *Broker) serveOps(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen for ops endpoints: %w", err)
	}
	b.probe = stream.NewCluster(b.Addrs(), nil, nil)
	kafka := ops.Check{Name: "kafka", Probe: func(ctx context.Context) error { return stream.Reachable(ctx, b.probe) }}
	b.ops = &http.Server{Handler: ops.Handler(ops.NewRegistry(), kafka), ReadHeaderTimeout: 5 * time.Second}
	b.opsAddr = ln.Addr()
	b.opsServed = make(chan struct{})
	go func() {
		defer close(b.opsServed)
		// Serve ends with Close, or if accepting on a loopback listener
		// fails, which leaves nothing to do but stop answering probes: a
		// probe that gets no answer reports the broker down, as it should.
		_ = b.ops.Serve(ln)
	}()
	return nil
}

// Addrs are the broker addresses to give clients.
func (b *Broker) Addrs() []string { return b.c.ListenAddrs() }

// OpsAddr is the address the ops endpoints are served on, "" without
// Options.OpsAddr.
func (b *Broker) OpsAddr() string {
	if b.opsAddr == nil {
		return ""
	}
	return b.opsAddr.String()
}

// Close stops the ops endpoints, then the broker; with a DataDir its state
// is kept there.
func (b *Broker) Close() {
	if b.ops != nil {
		ctx, cancel := context.WithTimeout(context.Background(), opsShutdownTimeout)
		if b.ops.Shutdown(ctx) != nil {
			b.ops.Close()
		}
		cancel()
		<-b.opsServed
		b.probe.Close()
	}
	b.c.Close()
}
