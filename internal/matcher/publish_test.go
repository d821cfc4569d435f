package matcher

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

// TestPublishLetsGo checks that an idle publisher keeps no candidate or
// listing it has published alive: its batch buffer holds up to 512 of each,
// which would otherwise stay reachable until the next burst overwrites them.
func TestPublishLetsGo(t *testing.T) {
	brokers := startBroker(t)
	mt, err := New(Options{Kafka: brokers, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	topics := stream.DefaultTopics()
	candW := brokers.NewWriter(topics.Candidates)
	defer candW.Close()
	rejW := brokers.NewWriter(topics.Rejected)
	defer rejW.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	offsets := stream.NewOffsets()
	jobs := make(chan pubJob)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		mt.publish(ctx, jobs, candW, rejW, offsets)
	}()
	defer func() { close(jobs); <-stopped }()

	// Each record's bytes are an object of their own, watched through a
	// weak pointer. The listing of the last message of a partition stays
	// with offsets (the message to commit), so only the candidates and the
	// rejected records are watched.
	const n = 8
	var watched []weak.Pointer[[64]byte]
	srcs := make([]kafka.Message, n)
	for i := range srcs {
		srcs[i] = kafka.Message{Topic: topics.Listings, Partition: 0, Offset: int64(i)}
	}
	offsets.Start(srcs...)
	for i := range n {
		buf := new([64]byte)
		copy(buf[:], fmt.Sprintf(`{"listing_id":"l-%d"}`, i))
		watched = append(watched, weak.Make(buf))
		jobs <- pubJob{src: srcs[i], out: kafka.Message{Key: fmt.Appendf(nil, "l-%d", i), Value: buf[:]}, reject: i%2 == 1}
	}
	clear(srcs)
	progtest.WaitFor(t, 30*time.Second, "the records published", func() (bool, string) {
		n := offsets.InFlight()
		return n == 0, fmt.Sprintf("%d in flight", n)
	})
	// The publisher now waits for the next job, holding nothing.
	runtime.GC()
	runtime.GC()
	alive := 0
	for _, w := range watched {
		if w.Value() != nil {
			alive++
		}
	}
	if alive > 0 {
		t.Errorf("%d of %d published records still reachable while the publisher is idle", alive, n)
	}
}
