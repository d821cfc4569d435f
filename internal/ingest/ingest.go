// Package ingest publishes marketplace listings into Kafka: JSON Lines files
// and streams, CSV exports mapped onto the listing contract, and an HTTP
// endpoint, plus the brand registry onto its compacted topic. Every event is
// validated with the listing contract; valid ones go to the listings topic
// keyed by listing id with their original bytes, invalid ones to the rejected
// (dead-letter) topic with the reason and where they came from.
//
// It stops at Kafka: matching, scoring and consuming are other packages'
// work, and flags, signals and exit codes belong to cmd/ingest.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/stream"
)

// DefaultBatchSize is how many messages go to Kafka in one WriteMessages
// call: large enough for throughput, small enough to bound memory.
const DefaultBatchSize = 1000

// MaxMessageBytes bounds the key and value of one record. kafka-go refuses a
// whole WriteMessages call when one message exceeds the writer's batch bytes
// (1 MiB), and brokers refuse records above message.max.bytes (about 1 MiB by
// default), so a larger event is rejected as input rather than failing the
// batch it is in. Values sent to the rejected topic are cut to this size.
const MaxMessageBytes = 1<<20 - 4<<10

// messageWriter is what the publisher needs of a *kafka.Writer.
type messageWriter interface {
	WriteMessages(ctx context.Context, msgs ...kafka.Message) error
	Close() error
}

// Options configures a Publisher.
type Options struct {
	// Kafka is the cluster to publish to.
	Kafka stream.Cluster
	// Topics names the topics; Listings and Rejected are written to.
	Topics stream.Topics
	// BatchSize caps the messages of one write (DefaultBatchSize when 0).
	BatchSize int
	// Logger gets write failures; nil discards.
	Logger *slog.Logger
	// Registerer gets the publisher's metrics (assay_ingest_*); nil keeps
	// them in a registry of its own. One publisher per registry: a second
	// would register the same names again.
	Registerer prometheus.Registerer
}

func (o *Options) validate() error {
	if len(o.Kafka.Brokers) == 0 {
		return errors.New("no Kafka brokers given")
	}
	if o.Topics.Listings == "" || o.Topics.Rejected == "" {
		return errors.New("the listings and rejected topic names must not be empty")
	}
	if o.BatchSize < 0 {
		return fmt.Errorf("batch size %d is negative", o.BatchSize)
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Registerer == nil {
		o.Registerer = prometheus.NewRegistry()
	}
	return nil
}

// Publisher writes validated listings to the listings topic and invalid
// events to the rejected topic, waiting for every in-sync replica, and counts
// what it wrote. It is safe for concurrent use. Close flushes it.
type Publisher struct {
	listings  messageWriter
	rejected  messageWriter
	batchSize int
	log       *slog.Logger
	kafka     stream.Cluster        // for the readiness probe
	topics    stream.Topics         // what the probe looks for
	reg       prometheus.Registerer // what Handler serves on /metrics by default
	m         *metrics

	published     atomic.Uint64
	rejectedN     atomic.Uint64
	writeFailures atomic.Uint64
}

// NewPublisher returns a publisher writing through stream.Cluster.NewWriter
// producers. It does not contact Kafka until the first write; call
// stream.EnsureTopics before.
func NewPublisher(opts Options) (*Publisher, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("publisher options: %w", err)
	}
	return newPublisher(
		opts.Kafka.NewWriter(opts.Topics.Listings),
		opts.Kafka.NewWriter(opts.Topics.Rejected),
		opts), nil
}

func newPublisher(listings, rejected messageWriter, opts Options) *Publisher {
	return &Publisher{
		listings:  listings,
		rejected:  rejected,
		batchSize: opts.BatchSize,
		log:       opts.Logger,
		kafka:     opts.Kafka,
		topics:    opts.Topics,
		reg:       opts.Registerer,
		m:         newMetrics(opts.Registerer),
	}
}

// Event is one input record: its bytes as received, where it came from
// ("FILE:LINE", "http 10.0.0.5 #3") and either its decoded listing or why it
// was rejected. Errors made by this package carry the reason they are
// counted under (RejectReason); others are counted as ReasonOther.
type Event struct {
	Raw     []byte
	Source  string
	Listing *listing.Listing
	Err     error
}

// Valid reports whether the event goes to the listings topic.
func (e *Event) Valid() bool { return e.Err == nil && e.Listing != nil }

// DecodeEvent validates raw with the listing contract and returns the event
// to publish, valid or rejected.
func DecodeEvent(raw []byte, source string) Event {
	if len(raw) > MaxMessageBytes {
		return Event{Raw: raw, Source: source, Err: reject(ReasonTooLarge, fmt.Errorf("%w: event is %d bytes, above the %d-byte message limit", listing.ErrInvalid, len(raw), MaxMessageBytes))}
	}
	l, err := listing.Decode(raw)
	if err != nil {
		return Event{Raw: raw, Source: source, Err: reject(decodeReason(raw), err)}
	}
	return Event{Raw: raw, Source: source, Listing: l}
}

// Result counts the events of one Publish call that Kafka acknowledged.
type Result struct {
	Published int
	Rejected  int
}

// Add returns the sum of two results.
func (r Result) Add(o Result) Result {
	return Result{Published: r.Published + o.Published, Rejected: r.Rejected + o.Rejected}
}

// Publish writes valid events to the listings topic and invalid ones to the
// rejected topic, in batches, and returns once Kafka has acknowledged them.
// On a Kafka failure the error says how many messages were not written; the
// result counts those that were (a retry may duplicate them: consumers
// deduplicate by listing id). Per-key order is kept within a call.
func (p *Publisher) Publish(ctx context.Context, events []Event) (Result, error) {
	var valid, invalid []kafka.Message
	var reasons []string // of invalid, index for index
	for i := range events {
		e := &events[i]
		if e.Valid() {
			valid = append(valid, stream.ListingMessage(e.Listing, e.Raw))
			continue
		}
		reason := "invalid listing"
		if e.Err != nil {
			reason = e.Err.Error()
		}
		raw := e.Raw
		if len(raw) > MaxMessageBytes {
			raw = raw[:MaxMessageBytes]
		}
		invalid = append(invalid, stream.RejectedMessage(raw, reason, e.Source))
		reasons = append(reasons, RejectReason(e.Err))
	}
	var res Result
	var errs []error
	if len(valid) > 0 {
		n, err := p.write(ctx, p.listings, valid, nil)
		res.Published = n
		p.published.Add(uint64(n))
		p.m.accepted.Add(float64(n))
		if err != nil {
			errs = append(errs, fmt.Errorf("write listings: %w", err))
		}
	}
	if len(invalid) > 0 {
		n, err := p.write(ctx, p.rejected, invalid, func(i int) { p.m.rejected[reasons[i]].Inc() })
		res.Rejected = n
		p.rejectedN.Add(uint64(n))
		if err != nil {
			errs = append(errs, fmt.Errorf("write rejected listings: %w", err))
		}
	}
	return res, errors.Join(errs...)
}

// write sends msgs in slices of batchSize and returns how many were
// acknowledged; acked, when not nil, is called with the index in msgs of
// each of them, so that a partly failed write is counted exactly.
// Per-message failures (kafka.WriteErrors) are counted and summarised with
// their first cause.
func (p *Publisher) write(ctx context.Context, w messageWriter, msgs []kafka.Message, acked func(i int)) (int, error) {
	written := 0
	for start := 0; start < len(msgs); start += p.batchSize {
		chunk := msgs[start:min(start+p.batchSize, len(msgs))]
		began := time.Now()
		err := w.WriteMessages(ctx, chunk...)
		p.m.publishDuration.Observe(time.Since(began).Seconds())
		if err == nil {
			written += len(chunk)
			if acked != nil {
				for i := range chunk {
					acked(start + i)
				}
			}
			continue
		}
		if !errors.Is(ctx.Err(), context.Canceled) {
			// A write the caller gave up on (a client gone, a shutdown)
			// says nothing of Kafka.
			p.m.publishErrors.Inc()
		}
		failed := len(msgs) - written
		var werrs kafka.WriteErrors
		if errors.As(err, &werrs) {
			failed = len(msgs) - written - (len(chunk) - werrs.Count())
			written += len(chunk) - werrs.Count()
			var first error
			for i, e := range werrs {
				switch {
				case e == nil && acked != nil:
					acked(start + i)
				case e != nil && first == nil:
					first = e
				}
			}
			if first != nil {
				err = first
			}
		}
		p.writeFailures.Add(uint64(failed))
		p.log.Error("kafka write failed", "messages", failed, "err", err)
		return written, fmt.Errorf("%d of %d messages not written: %w", failed, len(msgs), err)
	}
	return written, nil
}

// Close flushes and closes both writers.
func (p *Publisher) Close() error {
	return errors.Join(p.listings.Close(), p.rejected.Close())
}

// Stats are the publisher's counters since it was created.
type Stats struct {
	// Published listings acknowledged on the listings topic.
	Published uint64
	// Rejected events acknowledged on the rejected topic.
	Rejected uint64
	// WriteFailures counts messages Kafka did not acknowledge.
	WriteFailures uint64
}

// Stats returns a snapshot of the counters.
func (p *Publisher) Stats() Stats {
	return Stats{
		Published:     p.published.Load(),
		Rejected:      p.rejectedN.Load(),
		WriteFailures: p.writeFailures.Load(),
	}
}
