package matcher

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// BenchmarkScoreStreamCorpus is the scoring half of BenchmarkStream without
// the broker: decode and score BenchmarkStream's listings against the
// fixture registry, on one core.
func BenchmarkScoreStreamCorpus(b *testing.B) {
	eng := fixtureEngine(b, nil, score.Options{FlaggedEvidenceOnly: true})
	corpus := benchCorpus(b, 1000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		l, err := listing.Decode(corpus[i%len(corpus)])
		if err != nil {
			b.Fatal(err)
		}
		_ = eng.Score(l, nil)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
}

// BenchmarkScoreBatch is the workers' half of BenchmarkStream without the
// broker: scoring goroutines (one per -cpu) each take batches of maxBatch
// listings through scoreBatch (decode, score, metrics, candidate encoding,
// offset bookkeeping) while one goroutine stands for the publisher, marking
// the candidates done. Unlike BenchmarkScoreStreamCorpus it shows what the
// workers cost one another (shared metrics and locks) on several cores.
func BenchmarkScoreBatch(b *testing.B) {
	eng := fixtureEngine(b, nil, score.Options{FlaggedEvidenceOnly: true})
	corpus := benchCorpus(b, 1000)
	mt, err := New(Options{Kafka: stream.NewCluster([]string{"127.0.0.1:9"}, nil, nil), Images: noImages{}, Registerer: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	mt.engine.Store(eng)
	offsets := stream.NewOffsets()
	pub := make(chan pubJob, 4096)
	published := make(chan struct{})
	go func() {
		defer close(published)
		for j := range pub {
			mt.releaseRecords([]pubJob{j}) // as once Kafka acknowledged it
			offsets.Done(j.src)
		}
	}()
	var partitions atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	// CPU time is steadier than the wall clock on a shared machine.
	cpu := processCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		part := int(partitions.Add(1))
		batch := make([]kafka.Message, 0, maxBatch)
		var offset int64
		for more := true; more; {
			batch = batch[:0]
			for len(batch) < maxBatch {
				if more = pb.Next(); !more {
					break
				}
				batch = append(batch, kafka.Message{Topic: "listings", Partition: part, Offset: offset, Value: corpus[offset%int64(len(corpus))]})
				offset++
			}
			offsets.Start(batch...)
			mt.scoreBatch(context.Background(), batch, pub, offsets)
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
	b.ReportMetric((processCPU(b)-cpu).Seconds()*1e6/float64(b.N), "cpu_us/listing")
	close(pub)
	<-published
}
