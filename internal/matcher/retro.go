package matcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// RetroGroup is the consumer group, on the brands topic, through which the
// matchers of group g share re-scans.
func RetroGroup(g string) string { return g + ".retro" }

// retroLoop re-scans retained listings for changed brands, in its own
// goroutine so live scoring never waits for it.
//
// It is a member of a second consumer group that reads the brands topic, so
// each brand change is re-scanned by exactly one matcher of the deployment
// (the one Kafka gave that brand's partition), and the group's offset is
// committed only when the re-scan is done. A brand registered or changed
// while every matcher was down is therefore re-scanned when one starts, and
// a re-scan cut short by a crash is run again by whoever takes over.
func (mt *Matcher) retroLoop(ctx context.Context) error {
	// A new deployment re-scans for every brand: that is its first scan of
	// the listings already retained.
	r := mt.groupReader(RetroGroup(mt.opts.Group), mt.opts.Topics.Brands, 250*time.Millisecond, 0)
	w := mt.opts.Kafka.NewWriter(mt.opts.Topics.Candidates)
	defer func() { _ = stream.CloseWithin(mt.opts.ShutdownTimeout, r.Close, w.Close) }()
	mt.m.retroProgress.Set(1)
	quiet := slog.New(slog.DiscardHandler) // for a replay of records logged once already
	// scanned is what each brand is, as far as scoring goes (MatchSum),
	// as re-scanned already: by the group before (retroBaseline) or by
	// this loop. A record that leaves it as it was (a new contact, the
	// same record again) needs no re-scan: live scoring would flag nothing
	// new for it, and a re-scan would publish every flag again.
	scanned, err := mt.retroBaseline(ctx, quiet)
	if err != nil {
		return err
	}
	for {
		batch, err := fetchBurst(ctx, r, 200*time.Millisecond)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("follow brands for re-scans: %w", err)
		}
		// todo holds the brands of the batch as it leaves them; ids those
		// to scan for: each changed, by the batch's last record of it, from
		// what was re-scanned for before the batch, or deleted and added
		// again within it. scanned changes only once the re-scan is done.
		todo := newRegistry()
		deleted := map[string]bool{}
		var touched []string
		for _, m := range batch {
			id := string(m.Key)
			todo.apply(m, mt.log)
			if m.Value == nil {
				deleted[id] = true // flagged for again only once added again
			}
			if !slices.Contains(touched, id) {
				touched = append(touched, id)
			}
		}
		var ids, unchanged []string
		sums := map[string][32]byte{}
		for _, id := range touched {
			rec := todo.records[id]
			if rec == nil {
				continue // deleted, or an invalid record apply logged: nothing to scan for
			}
			sum := rec.MatchSum()
			if !deleted[id] && scanned[id] == sum {
				unchanged = append(unchanged, id)
				continue
			}
			sums[id] = sum
			ids = append(ids, id)
		}
		if len(unchanged) > 0 {
			mt.log.Info("brand records changed nothing scoring uses; no re-scan", "brands", unchanged)
		}
		if len(ids) > 0 {
			// The engine scores with the whole registry as it is with
			// these changes: a listing is flagged for a changed brand only
			// when live scoring would flag it for that brand now, so a
			// re-scan agrees with the live verdicts (the changed brands
			// alone would win listings that another brand wins).
			full := mt.reg.clone()
			for _, m := range batch {
				full.apply(m, quiet) // todo logged what is wrong with a record
			}
			eng, _, _, err := full.buildEngine(mt.opts.Score)
			if err == nil {
				err = mt.retroScan(ctx, eng, ids, w)
			}
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err() // not committed: the next owner scans again
				}
				mt.log.Error("re-scan failed; it is retried", "brands", ids, "err", err)
				// Back off, then rejoin so the uncommitted records come again.
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(5 * time.Second):
				}
				return errRetroRetry
			}
		}
		for id := range deleted {
			delete(scanned, id)
		}
		maps.Copy(scanned, sums)
		if err := r.CommitMessages(ctx, batch...); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			mt.m.commitErrors.Inc()
			mt.log.Warn("re-scan done but its offset not committed; it may run again", "brands", ids, "err", err)
		}
	}
}

// retroBaseline returns the MatchSum of each brand as the retro group's
// committed records leave it: what was re-scanned for already. A brand
// whose record there was compacted away (a newer one came after) has none,
// and is re-scanned for: the safe side.
func (mt *Matcher) retroBaseline(ctx context.Context, quiet *slog.Logger) (map[string][32]byte, error) {
	msgs, spans, err := stream.ReadTopic(ctx, mt.opts.Kafka, mt.opts.Topics.Brands)
	if err != nil {
		return nil, fmt.Errorf("read brands for re-scans: %w", err)
	}
	parts := make([]int, len(spans))
	for i, s := range spans {
		parts[i] = s.Partition
	}
	committed, err := stream.Committed(ctx, mt.opts.Kafka, RetroGroup(mt.opts.Group), mt.opts.Topics.Brands, parts)
	if err != nil {
		return nil, err
	}
	done := newRegistry()
	for _, m := range msgs {
		if m.Offset < committed[m.Partition] { // a partition never committed: nothing done
			done.apply(m, quiet)
		}
	}
	sums := make(map[string][32]byte, len(done.records))
	for id, rec := range done.records {
		sums[id] = rec.MatchSum()
	}
	return sums, nil
}

// errRetroRetry makes retroRun start a fresh member after a failed re-scan.
var errRetroRetry = errors.New("re-scan to be retried")

// retroRun keeps a retro group member running until ctx ends, joining
// again after a failure (the broker restarting, say).
func (mt *Matcher) retroRun(ctx context.Context) error {
	return stream.Reconnect(ctx, mt.opts.Kafka.Outage(), func() (bool, error) {
		err := mt.retroLoop(ctx)
		if errors.Is(err, errRetroRetry) {
			return true, nil
		}
		return false, err
	}, func(err error, pause time.Duration) {
		mt.log.Warn("re-scan consumer failed; joining the group again", "err", err, "in", pause)
	})
}

// fetchBurst waits for one record, then takes whatever else arrives within
// d, so that a registry file published at once is re-scanned in one pass.
func fetchBurst(ctx context.Context, r *kafka.Reader, d time.Duration) ([]kafka.Message, error) {
	m, err := r.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	batch := []kafka.Message{m}
	burst, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	for len(batch) < 10_000 {
		m, err := r.FetchMessage(burst)
		if err != nil {
			break
		}
		batch = append(batch, m)
	}
	return batch, ctx.Err()
}

// retroScan scores every listing still retained in the listings topic and
// publishes, marked retroactive, what it flags for one of the changed
// brands ids. Consumers drop repeats by listing id and content hash.
func (mt *Matcher) retroScan(ctx context.Context, eng *score.Engine, ids []string, w *kafka.Writer) error {
	if eng == nil {
		return nil
	}
	spans, err := stream.Spans(ctx, mt.opts.Kafka, mt.opts.Topics.Listings)
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
		err := stream.ReadSpan(ctx, mt.opts.Kafka, mt.opts.Topics.Listings, s, func(m kafka.Message) error {
			scanned++
			mt.m.retroScanned.Inc()
			if l, err := listing.Decode(m.Value); err == nil {
				if v, imgs, ok := mt.score(ctx, eng, l); ok && slices.Contains(ids, v.BrandID) {
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

// clone copies the registry as it is now.
func (r *registry) clone() *registry {
	out := newRegistry()
	r.mu.Lock()
	defer r.mu.Unlock()
	maps.Copy(out.records, r.records)
	maps.Copy(out.raw, r.raw)
	maps.Copy(out.feedback, r.feedback)
	out.version = r.version
	return out
}
