package stream_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/stream"
)

// TestWriterPartitionsLikeJava writes keyed records through NewWriter to
// topics of 6 and 12 partitions: each lands on the partition the Java
// client's default partitioner picks for its key (testdata/java-partitions.txt,
// printed by testdata/JavaPartitions.java with kafka-clients), so a
// listing's events written by ingest and by a marketplace's own Java
// producers stay on one partition, in order.
func TestWriterPartitionsLikeJava(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "java-partitions.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[int]map[string]int{6: {}, 12: {}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 {
			t.Fatalf("java-partitions.txt: bad line %q", sc.Text())
		}
		for i, n := range []int{6, 12} {
			p, err := strconv.Atoi(fs[1+i])
			if err != nil {
				t.Fatal(err)
			}
			want[n][fs[0]] = p
		}
	}
	if len(want[6]) < 5 {
		t.Fatalf("java-partitions.txt has %d keys", len(want[6]))
	}
	c := kafkatest.Start(t).Cluster()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for n, keys := range want {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			topic := "p" + strconv.Itoa(n)
			if err := stream.EnsureTopics(ctx, c, stream.Topics{Listings: topic}, stream.Layout{Partitions: n, ReplicationFactor: 1}); err != nil {
				t.Fatal(err)
			}
			w := c.NewWriter(topic)
			var msgs []kafka.Message
			for k := range keys {
				msgs = append(msgs, kafka.Message{Key: []byte(k), Value: []byte("v")})
			}
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got, _, err := stream.ReadTopic(ctx, c, topic)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(keys) {
				t.Fatalf("read %d records, wrote %d", len(got), len(keys))
			}
			for _, m := range got {
				if p := keys[string(m.Key)]; m.Partition != p {
					t.Errorf("key %s on partition %d of %d; the Java client puts it on %d", m.Key, m.Partition, n, p)
				}
			}
		})
	}
}
