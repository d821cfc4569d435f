// Package devbroker runs an embedded Kafka-protocol broker (franz-go's
// kfake) for the demo and for tests, so the pipeline runs with only Go
// installed. It is not a production broker: users run real Kafka, and every
// program works against either through the same flags.
package devbroker

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Options configures the broker. The zero value listens on a random
// loopback port and keeps everything in memory.
type Options struct {
	// Port to listen on (127.0.0.1 only); 0 picks a free one.
	Port int
	// DataDir keeps topics and group offsets across restarts when set.
	DataDir string
	// Partitions is the partition count of automatically created topics.
	Partitions int
}

// Broker is a running embedded broker.
type Broker struct {
	c *kfake.Cluster
}

// Start starts a one-broker cluster on 127.0.0.1.
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
	return &Broker{c: c}, nil
}

// Addrs are the broker addresses to give clients.
func (b *Broker) Addrs() []string { return b.c.ListenAddrs() }

// Close stops the broker; with a DataDir its state is kept there.
func (b *Broker) Close() { b.c.Close() }
