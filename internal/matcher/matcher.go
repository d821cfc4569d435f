// Package matcher is the streaming matcher: it follows the brand registry
// on the compacted brands topic, consumes listings in a consumer group,
// scores them, publishes flagged ones to the candidates topic and commits
// offsets in order per partition only after the candidate is acknowledged,
// so a crash at any point loses nothing. When a brand is added or changed it
// re-scans the listings still retained for that brand alone. Scoring itself
// is package score's, image fetching the caller's (see Options.Images), and
// signals and flags are cmd/matcher's.
package matcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/run"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// ImageSource fetches and hashes a listing's images; failures come back in
// score.Image.Err so the listing is still scored on everything else.
type ImageSource interface {
	Images(ctx context.Context, urls []string) []score.Image
}

// Options configures the matcher.
type Options struct {
	Kafka  stream.Cluster
	Topics stream.Topics
	Layout stream.Layout
	// Group is the consumer group; every matcher of one deployment shares it.
	Group string
	// Workers score in parallel; 0 means two per CPU (image fetches block).
	Workers int
	Score   score.Options
	// Images fetches listing images; nil leaves them unfetched (noted in
	// each verdict).
	Images ImageSource
	// RetroScan re-scans retained listings when a brand is added or changed,
	// shared among the group's matchers through RetroGroup(Group).
	RetroScan bool
	// SessionTimeout of the group membership (kafka-go's default is 30 s;
	// a crashed matcher's partitions move after this long).
	SessionTimeout  time.Duration
	CommitInterval  time.Duration
	ShutdownTimeout time.Duration
	// LagInterval is how often the group's lag is read from the broker
	// for the lag metrics; 0 means 15 s, negative never.
	LagInterval time.Duration
	Logger      *slog.Logger
	Registerer  prometheus.Registerer
}

func (o *Options) validate() error {
	if len(o.Kafka.Brokers) == 0 {
		return errors.New("no brokers")
	}
	if o.Topics == (stream.Topics{}) {
		o.Topics = stream.DefaultTopics()
	}
	if o.Topics.Feedback == "" {
		o.Topics.Feedback = stream.DefaultTopics().Feedback
	}
	if err := o.Topics.Validate(); err != nil {
		return err
	}
	if err := o.Score.Validate(); err != nil {
		return fmt.Errorf("score: %w", err)
	}
	if o.ShutdownTimeout < 0 {
		return fmt.Errorf("shutdown timeout %s is negative", o.ShutdownTimeout)
	}
	if o.Layout == (stream.Layout{}) {
		o.Layout = stream.DefaultLayout()
	}
	if o.Group == "" {
		o.Group = "assay-matcher"
	}
	if o.Workers <= 0 {
		o.Workers = 2 * runtime.GOMAXPROCS(0)
	}
	if o.SessionTimeout < 0 {
		return fmt.Errorf("session timeout %s is negative", o.SessionTimeout)
	}
	if o.SessionTimeout == 0 {
		o.SessionTimeout = 30 * time.Second
	}
	if o.CommitInterval == 0 {
		o.CommitInterval = 100 * time.Millisecond
	}
	if o.LagInterval == 0 {
		o.LagInterval = 15 * time.Second
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	return nil
}

// Matcher is a streaming matcher instance.
type Matcher struct {
	opts   Options
	log    *slog.Logger
	m      *metrics
	reg    *registry
	engine atomic.Pointer[score.Engine]
	// ready says a consumer session is running; joined is that session's
	// own flag of its reader being a member of the group with its
	// assignment (its own: a previous session's reader, still closing,
	// may yet log that its generation ended).
	ready  atomic.Bool
	joined atomic.Pointer[atomic.Bool]
	// records holds candidate record buffers (*[]byte) back from Kafka for
	// the next flagged listings (see recordBuf).
	records sync.Pool
}

// New checks the options and prepares a matcher; Run starts it.
func New(opts Options) (*Matcher, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("matcher options: %w", err)
	}
	return &Matcher{
		opts: opts,
		log:  opts.Logger,
		m:    newMetrics(opts.Registerer),
		reg:  newRegistry(),
	}, nil
}

// Ready reports whether the registry is loaded and the matcher is a
// member of its group, consuming listings.
func (mt *Matcher) Ready() bool {
	j := mt.joined.Load()
	return mt.ready.Load() && j != nil && j.Load()
}

// Run creates the topics if needed, loads the registry from the brands
// topic, then scores listings until ctx is cancelled, and shuts down within
// Options.ShutdownTimeout.
func (mt *Matcher) Run(ctx context.Context) error {
	start := time.Now()
	var next, nextFeedback map[int]int64
	// Kafka may be down at start-up as later: it is waited for as long
	// as an outage is ridden out once running.
	err := stream.Retry(ctx, mt.opts.Kafka.Outage(), func() error {
		var err error
		next, nextFeedback, err = mt.load(ctx)
		return err
	}, func(err error, pause time.Duration) {
		mt.log.Warn("waiting for Kafka", "err", err, "in", pause)
	})
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return nil
	}
	if err := mt.rebuild(); err != nil {
		return err
	}
	mt.log.Info("brand registry loaded", "brands", mt.reg.size(), "elapsed", time.Since(start).Round(time.Millisecond))
	if mt.reg.size() == 0 {
		mt.log.Warn("the brands topic is empty: nothing will be flagged until brands are published (ingest brands FILE)")
	}

	var g run.Group
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g.Add(func() error {
		return stream.FollowCompacted(ctx, mt.opts.Kafka, mt.opts.Topics.Brands, next, mt.applyBrand, mt.brandsChanged)
	}, func(error) { cancel() })
	g.Add(func() error {
		return stream.FollowCompacted(ctx, mt.opts.Kafka, mt.opts.Topics.Feedback, nextFeedback, mt.applyFeedback, mt.feedbackChanged)
	}, func(error) { cancel() })
	g.Add(func() error { return mt.consume(ctx) }, func(error) { cancel() })
	if mt.opts.RetroScan {
		g.Add(func() error { return mt.retroRun(ctx) }, func(error) { cancel() })
	}
	if mt.opts.LagInterval > 0 {
		g.Add(func() error { return mt.lagRun(ctx) }, func(error) { cancel() })
	}
	err = g.Run()
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// load creates the topics if needed and reads the registry and the
// analysts' feedback from the beginning, returning where following them
// goes on. Loading again after a failure replays the same records over
// what was read, to the same end.
func (mt *Matcher) load(ctx context.Context) (next, nextFeedback map[int]int64, err error) {
	if err := stream.EnsureTopics(ctx, mt.opts.Kafka, mt.opts.Topics, mt.opts.Layout); err != nil {
		return nil, nil, err
	}
	if next, err = stream.LoadCompacted(ctx, mt.opts.Kafka, mt.opts.Topics.Brands, mt.applyBrand); err != nil {
		return nil, nil, fmt.Errorf("load brands: %w", err)
	}
	if nextFeedback, err = stream.LoadCompacted(ctx, mt.opts.Kafka, mt.opts.Topics.Feedback, mt.applyFeedback); err != nil {
		return nil, nil, fmt.Errorf("load feedback: %w", err)
	}
	return next, nextFeedback, nil
}

func (mt *Matcher) applyBrand(m kafka.Message) (bool, string) { return mt.reg.apply(m, mt.log) }
func (mt *Matcher) applyFeedback(m kafka.Message) (bool, string) {
	return mt.reg.applyFeedback(m, mt.log)
}

// rebuild swaps in an engine over the current registry.
func (mt *Matcher) rebuild() error {
	eng, version, ids, err := mt.reg.buildEngine(mt.opts.Score)
	if err != nil {
		return err
	}
	mt.engine.Store(eng)
	mt.m.registryVersion.Set(float64(version))
	mt.m.registryBrands.Set(float64(len(ids)))
	mt.m.setBrands(ids)
	return nil
}

func (mt *Matcher) brandsChanged(ids []string) {
	if err := mt.rebuild(); err != nil {
		// Keep scoring with the previous engine rather than stop.
		mt.log.Error("brand change not applied", "brands", ids, "err", err)
		return
	}
	mt.log.Info("brand registry updated", "changed", ids, "brands", mt.reg.size())
}

// feedbackChanged puts analysts' new decisions in force; they concern
// listings still to come, so no re-scan follows.
func (mt *Matcher) feedbackChanged(brands []string) {
	if err := mt.rebuild(); err != nil {
		mt.log.Error("feedback not applied", "brands", brands, "err", err)
		return
	}
	mt.log.Info("analyst feedback applied", "brands", brands)
}
