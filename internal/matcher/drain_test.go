package matcher

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// deadlineImages is an ImageSource whose fetches outlast the shutdown
// deadline: the first call cancels drain, as the deadline passing mid-fetch
// would, and every call fails with its context's error, as a cancelled
// fetch does.
type deadlineImages struct {
	cancel context.CancelFunc
	calls  int
}

func (d *deadlineImages) Images(ctx context.Context, refs []string) []score.Image {
	d.calls++
	d.cancel()
	imgs := make([]score.Image, len(refs))
	for i, ref := range refs {
		imgs[i] = score.Image{Ref: ref, Err: ctx.Err()}
	}
	return imgs
}

// TestScoreBatchStopsAtDeadline: once the shutdown deadline has passed, a
// worker scores nothing more of its batch and marks nothing done, not even
// the listing whose image fetches the deadline cut short and which scored
// unflagged for want of them: all are redelivered rather than their
// verdicts lost.
func TestScoreBatchStopsAtDeadline(t *testing.T) {
	eng := fixtureEngine(t, nil, score.Options{})
	// Listings their images alone flag: the verdict a cut-short fetch
	// gets wrong.
	var batch []kafka.Message
	for _, m := range fixtureListings(t, nil) {
		l, err := listing.Decode(m.Value)
		if err != nil || len(l.Images) == 0 {
			continue
		}
		without := make([]score.Image, len(l.Images))
		for i, ref := range l.Images {
			without[i] = score.Image{Ref: ref, Err: context.Canceled}
		}
		if eng.Score(l, fileImages(fixtures).Images(context.Background(), l.Images)).Flagged && !eng.Score(l, without).Flagged {
			m.Topic, m.Offset = "listings", int64(len(batch))
			if batch = append(batch, m); len(batch) == 3 {
				break
			}
		}
	}
	if len(batch) < 3 {
		t.Fatalf("%d fixture listings flagged by their images alone, want 3", len(batch))
	}

	for _, tc := range []struct {
		name      string
		cancelled bool // drain ended before the batch started
		calls     int
	}{
		{"deadline mid-batch", false, 1},
		{"deadline before the batch", true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			drain, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancelled {
				cancel()
			}
			imgs := &deadlineImages{cancel: cancel}
			mt, err := New(Options{Kafka: stream.NewCluster([]string{"127.0.0.1:9"}, nil, nil), Images: imgs, Registerer: prometheus.NewRegistry()})
			if err != nil {
				t.Fatal(err)
			}
			mt.engine.Store(eng)
			offsets := stream.NewOffsets()
			msgs := append([]kafka.Message(nil), batch...)
			offsets.Start(msgs...)
			pub := make(chan pubJob, len(msgs))
			mt.scoreBatch(drain, msgs, pub, offsets)
			if imgs.calls != tc.calls {
				t.Errorf("%d listings fetched images, want %d: scoring went on past the deadline", imgs.calls, tc.calls)
			}
			if n := offsets.InFlight(); n != len(batch) {
				t.Errorf("%d of %d listings marked done past the deadline", len(batch)-n, len(batch))
			}
			if c := offsets.Committable(); len(c) != 0 {
				t.Errorf("committable past the deadline: %d@%d", c[0].Partition, c[0].Offset)
			}
		})
	}
}

// TestCommitLoopStopsAtDeadline: once the shutdown deadline has passed, the
// committer commits nothing, even what was marked done. kafka-go's
// CommitMessages may still send a commit under a cancelled context (it
// picks at random between sending and giving up), so one try proves
// little: the cancelled committer runs 20 times, which without the guard
// would commit with a probability of 1-2⁻²⁰. Then a committer with a live
// context commits the same message, so the group was able to take it.
func TestCommitLoopStopsAtDeadline(t *testing.T) {
	b := kafkatest.Start(t)
	topics := stream.DefaultTopics()
	write(t, b.Cluster(), topics.Listings, fixtureListings(t, nil)[:1])
	mt, err := New(Options{Kafka: b.Cluster(), Registerer: prometheus.NewRegistry(), CommitInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	const group = "commit-deadline"
	r := mt.groupReader(group, topics.Listings, 20*time.Millisecond, 16)
	defer r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, err := r.FetchMessage(ctx) // joins the group
	if err != nil {
		t.Fatal(err)
	}
	committed := func() map[int]int64 {
		t.Helper()
		c, err := stream.Committed(ctx, b.Cluster(), group, topics.Listings, []int{m.Partition})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	stop := make(chan struct{})
	close(stop) // the committer commits once, then returns
	ended, end := context.WithCancel(context.Background())
	end()
	for range 20 {
		offsets := stream.NewOffsets()
		offsets.Start(m)
		offsets.Done(m)
		mt.commitLoop(ended, r, offsets, stop)
	}
	if c := committed(); len(c) != 0 {
		t.Fatalf("committed %v past the shutdown deadline", c)
	}

	offsets := stream.NewOffsets()
	offsets.Start(m)
	offsets.Done(m)
	mt.commitLoop(ctx, r, offsets, stop)
	if c := committed(); c[m.Partition] != m.Offset+1 {
		t.Fatalf("a live committer committed %v, want %d@%d", c, m.Partition, m.Offset+1)
	}
}
