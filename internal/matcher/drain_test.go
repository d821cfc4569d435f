package matcher

import (
	"context"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

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
