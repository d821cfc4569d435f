// Package reporter runs the reporter's intake: it consumes the candidates
// topic in a consumer group and stores each candidate as a case, committing
// offsets only after the cases are durably stored. Case storage is package
// casestore's; the analyst UI and notices come later.
package reporter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/stream"
)

// Options configures the intake.
type Options struct {
	Kafka stream.Cluster
	Topic string
	Group string
	// BatchSize candidates are stored per transaction at most; a batch is
	// also closed after BatchWait.
	BatchSize int
	BatchWait time.Duration
	// SessionTimeout of the group membership; 0 means 30 s. A member lost
	// without leaving (a crash, or a broker restart under it) holds its
	// partitions this long before the group rebalances.
	SessionTimeout time.Duration
	Logger         *slog.Logger
	Registerer     prometheus.Registerer
}

func (o *Options) validate() error {
	if len(o.Kafka.Brokers) == 0 {
		return errors.New("no brokers")
	}
	if o.Topic == "" {
		o.Topic = stream.DefaultTopics().Candidates
	}
	if o.Group == "" {
		o.Group = "assay-reporter"
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	if o.BatchWait <= 0 {
		o.BatchWait = 100 * time.Millisecond
	}
	if o.SessionTimeout < 0 {
		return fmt.Errorf("session timeout %s is negative", o.SessionTimeout)
	}
	if o.SessionTimeout == 0 {
		o.SessionTimeout = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	return nil
}

type metrics struct {
	stored  *prometheus.CounterVec
	invalid prometheus.Counter
}

func newMetrics(r prometheus.Registerer) *metrics {
	f := promauto.With(r)
	return &metrics{
		stored: f.NewCounterVec(prometheus.CounterOpts{
			Name: "assay_reporter_candidates_stored_total", Help: "Candidates stored, by outcome (created, rescored, duplicate).",
		}, []string{"outcome"}),
		invalid: f.NewCounter(prometheus.CounterOpts{
			Name: "assay_reporter_candidates_invalid_total", Help: "Candidate records that did not decode and were skipped.",
		}),
	}
}

// Intake consumes candidates into a case store.
type Intake struct {
	opts  Options
	store *casestore.Store
	m     *metrics
}

// NewIntake prepares an intake; Run consumes.
func NewIntake(store *casestore.Store, opts Options) (*Intake, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("intake options: %w", err)
	}
	return &Intake{opts: opts, store: store, m: newMetrics(opts.Registerer)}, nil
}

// Run consumes until ctx is cancelled. Each batch is stored in one
// transaction and its offsets are committed after it, from this one
// goroutine, so commits are in order and never ahead of stored cases.
func (in *Intake) Run(ctx context.Context) error {
	topics := stream.DefaultTopics()
	topics.Candidates = in.opts.Topic
	// Kafka down at start-up is waited for as an outage once running is.
	err := stream.Retry(ctx, in.opts.Kafka.Outage(), func() error {
		return stream.EnsureTopics(ctx, in.opts.Kafka, topics, stream.DefaultLayout())
	}, func(err error, pause time.Duration) {
		in.opts.Logger.Warn("waiting for Kafka", "err", err, "in", pause)
	})
	if err != nil || ctx.Err() != nil {
		return err
	}
	return stream.Reconnect(ctx, in.opts.Kafka.Outage(), func() (bool, error) { return in.session(ctx) }, func(err error, pause time.Duration) {
		in.opts.Logger.Warn("candidates consumer failed; joining the group again", "err", err, "in", pause)
	})
}

// session consumes as one group member until ctx ends or a fetch fails
// (the broker restarting, say); stored says whether it stored anything. A
// batch that cannot be stored ends Run: it is not committed, so it comes
// again after a restart.
func (in *Intake) session(ctx context.Context) (stored bool, err error) {
	r := in.opts.Kafka.NewReader(kafka.ReaderConfig{
		GroupID: in.opts.Group, Topic: in.opts.Topic,
		StartOffset:    kafka.FirstOffset,
		SessionTimeout: in.opts.SessionTimeout,
	})
	defer r.Close()
	for {
		msgs, err := in.fetchBatch(ctx, r)
		if len(msgs) > 0 {
			if serr := in.storeBatch(ctx, msgs); serr != nil {
				return stored, stream.Permanent(serr)
			}
			stored = true
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			cerr := r.CommitMessages(cctx, msgs...)
			cancel()
			if cerr != nil {
				in.opts.Logger.Warn("commit failed; the batch may be stored again (harmless: cases are idempotent)", "err", cerr)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return stored, nil
			}
			return stored, fmt.Errorf("fetch candidates: %w", err)
		}
	}
}

// fetchBatch blocks for the first message, then gathers more until the
// batch is full or BatchWait has passed.
func (in *Intake) fetchBatch(ctx context.Context, r *kafka.Reader) ([]kafka.Message, error) {
	m, err := r.FetchMessage(ctx)
	if err != nil {
		return nil, err
	}
	msgs := []kafka.Message{m}
	wctx, cancel := context.WithTimeout(ctx, in.opts.BatchWait)
	defer cancel()
	for len(msgs) < in.opts.BatchSize {
		m, err := r.FetchMessage(wctx)
		if err != nil {
			if ctx.Err() != nil {
				return msgs, ctx.Err()
			}
			return msgs, nil // the wait ran out: store what we have
		}
		msgs = append(msgs, m)
	}
	return msgs, nil
}

// busyRetry bounds how long a batch is tried again while the case
// database is locked.
const busyRetry = 2 * time.Minute

func (in *Intake) storeBatch(ctx context.Context, msgs []kafka.Message) error {
	cands := make([]*stream.Candidate, 0, len(msgs))
	for _, m := range msgs {
		var c stream.Candidate
		if err := json.Unmarshal(m.Value, &c); err != nil || c.ListingID == "" || c.BrandID == "" || c.Listing == nil {
			in.m.invalid.Inc()
			in.opts.Logger.Error("candidate record skipped: not a candidate", "partition", m.Partition, "offset", m.Offset, "err", err)
			continue
		}
		cands = append(cands, &c)
	}
	if len(cands) == 0 {
		return nil
	}
	// A database another connection holds locked (the UI or a command
	// writing accounts or decisions) is waited out, bounded, rather than
	// ending the intake; any other failure ends it. A Put under way is not
	// cancelled (it ends within the busy timeout), but the end of ctx stops
	// the retries: the batch is not committed, so it comes again.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), busyRetry)
	defer cancel()
	res, err := in.store.Put(sctx, cands)
	for casestore.IsBusy(err) && sctx.Err() == nil && ctx.Err() == nil {
		in.opts.Logger.Warn("case database locked by another writer; storing the batch again", "err", err)
		select {
		case <-ctx.Done():
			return err
		case <-sctx.Done():
			return err
		case <-time.After(time.Second):
		}
		res, err = in.store.Put(sctx, cands)
	}
	if err != nil {
		return err
	}
	for _, r := range res {
		in.m.stored.WithLabelValues([]string{"created", "rescored", "duplicate"}[r]).Inc()
	}
	return nil
}
