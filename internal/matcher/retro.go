package matcher

import (
	"context"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/stream"
)

// retroLoop runs re-scans one after another, in its own goroutine, so live
// scoring never waits for one. Changes that arrive during a scan are
// gathered and scanned together next.
func (mt *Matcher) retroLoop(ctx context.Context) error {
	w := mt.writer(mt.opts.Topics.Candidates)
	defer closeAll(mt.opts.ShutdownTimeout, w.Close)
	mt.m.retroProgress.Set(1)
	for {
		var ids []string
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ids = <-mt.retroCh:
		}
	gather:
		for {
			select {
			case more := <-mt.retroCh:
				for _, id := range more {
					if !slices.Contains(ids, id) {
						ids = append(ids, id)
					}
				}
			default:
				break gather
			}
		}
		if err := mt.retroScan(ctx, ids, w); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			mt.log.Error("re-scan failed", "brands", ids, "err", err)
		}
	}
}

// retroScan scores every listing still retained in the listings topic
// against the given brands alone and publishes what it flags, marked
// retroactive. Every matcher of a group runs it; consumers drop repeats by
// listing id and content hash.
func (mt *Matcher) retroScan(ctx context.Context, ids []string, w *kafka.Writer) error {
	eng, _, err := mt.reg.buildEngine(mt.opts.Score, ids)
	if err != nil || eng == nil {
		return err // nil engine: the brands were deleted, nothing to scan for
	}
	spans, err := stream.Spans(ctx, mt.opts.Brokers, mt.opts.Topics.Listings)
	if err != nil {
		return err
	}
	var total int64
	for _, s := range spans {
		total += s.End - s.First
	}
	start, lastLog := time.Now(), time.Now()
	var scanned, flagged int64
	mt.m.retroRunning.Set(1)
	mt.m.retroProgress.Set(0)
	defer func() {
		mt.m.retroRunning.Set(0)
		mt.m.retroProgress.Set(1)
	}()
	mt.log.Info("re-scan started", "brands", ids, "retained_listings", total)
	var batch []kafka.Message
	flush := func() error {
		if err := mt.writeRetry(ctx, w, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	for _, s := range spans {
		err := stream.ReadSpan(ctx, mt.opts.Brokers, mt.opts.Topics.Listings, s, func(m kafka.Message) error {
			scanned++
			mt.m.retroScanned.Inc()
			if l, err := listing.Decode(m.Value); err == nil {
				if v, imgs, ok := mt.score(ctx, eng, l); ok {
					flagged++
					mt.m.retroFlagged.Inc()
					out, err := stream.CandidateMessage(&stream.Candidate{
						Verdict: v, Listing: l, ContentHash: stream.ContentHash(m.Value),
						ScoredAt: time.Now().UTC(), Retroactive: true, Images: imageHashes(imgs),
					})
					if err == nil {
						batch = append(batch, out)
					}
				}
			}
			if len(batch) >= 256 {
				if err := flush(); err != nil {
					return err
				}
			}
			if total > 0 {
				mt.m.retroProgress.Set(float64(scanned) / float64(total))
			}
			if time.Since(lastLog) >= 2*time.Second {
				lastLog = time.Now()
				mt.log.Info("re-scan progress", "brands", ids, "scanned", scanned, "of", total, "flagged", flagged)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err := flush(); err != nil {
		return err
	}
	mt.log.Info("re-scan finished", "brands", ids, "scanned", scanned, "flagged", flagged, "elapsed", time.Since(start).Round(time.Millisecond))
	return nil
}
