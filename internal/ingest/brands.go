package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/stream"
)

// ErrReferenceImage marks a reference image that could not be read or
// hashed; Sync then publishes nothing.
var ErrReferenceImage = errors.New("reference image")

// DefaultReadTimeout bounds reading the brands topic's current records.
const DefaultReadTimeout = 30 * time.Second

// BrandsOptions configures NewBrands.
type BrandsOptions struct {
	Kafka stream.Cluster
	// Topic is the compacted brands topic.
	Topic string
	// Limits bound each reference image (imagehash defaults when zero).
	Limits imagehash.Limits
	// ReadTimeout bounds reading the topic (DefaultReadTimeout when 0).
	ReadTimeout time.Duration
	// Now stamps published records (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

func (o *BrandsOptions) validate() error {
	if len(o.Kafka.Brokers) == 0 {
		return errors.New("no Kafka brokers given")
	}
	if o.Topic == "" {
		return errors.New("the brands topic name must not be empty")
	}
	if o.ReadTimeout < 0 {
		return errors.New("read timeout must not be negative")
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.Limits == (imagehash.Limits{}) {
		o.Limits = imagehash.DefaultLimits()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Brands publishes the brand registry to the compacted brands topic, one
// record per brand keyed by id with the hashes of its local reference
// images, and tombstones for deleted brands. Remote (http) reference images
// are not fetched: they stay in the brand record for the matcher to fetch,
// and are reported in BrandReport.Remote.
type Brands struct {
	opts BrandsOptions
	w    messageWriter
}

// NewBrands returns a brands publisher; Close flushes it.
func NewBrands(opts BrandsOptions) (*Brands, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("brands options: %w", err)
	}
	return &Brands{opts: opts, w: opts.Kafka.NewWriter(opts.Topic)}, nil
}

// Close flushes and closes the writer.
func (b *Brands) Close() error { return b.w.Close() }

// Change says what happened to one brand on the topic.
type Change string

// Changes reported by Sync and Delete.
const (
	Added     Change = "added"
	Updated   Change = "updated"
	Unchanged Change = "unchanged"
	Deleted   Change = "deleted"
	// Absent is a tombstone published for an id the topic did not hold.
	Absent Change = "absent"
)

// BrandChange is one brand's change.
type BrandChange struct {
	ID     string
	Change Change
	// Hashes is the number of reference hashes published.
	Hashes int
}

// BrandReport is what Sync or Delete did, brands in registry order then
// deletions in id order.
type BrandReport struct {
	Changes []BrandChange
	// Remote lists "BRAND: URL" for reference images left unhashed.
	Remote []string
}

// Count returns how many brands had change c.
func (r *BrandReport) Count(c Change) int {
	n := 0
	for _, ch := range r.Changes {
		if ch.Change == c {
			n++
		}
	}
	return n
}

// SyncOptions configures Sync.
type SyncOptions struct {
	// DeleteMissing publishes tombstones for brands on the topic that are
	// not in the registry.
	DeleteMissing bool
	// Force republishes unchanged brands.
	Force bool
}

// Sync hashes the registry's local reference images and publishes every
// brand that is new or changed compared with the topic's current records
// (all of them with Force). Nothing is published if any reference image
// cannot be hashed: a brand published without its images would silently
// lose its image signal.
func (b *Brands) Sync(ctx context.Context, reg *brand.Registry, so SyncOptions) (*BrandReport, error) {
	report := &BrandReport{}
	records, err := b.records(reg, report)
	if err != nil {
		return nil, err
	}
	current, err := b.Current(ctx)
	if err != nil {
		return nil, err
	}
	var msgs []kafka.Message
	inFile := make(map[string]bool, len(records))
	for _, rec := range records {
		id := rec.Brand.ID
		inFile[id] = true
		change := Added
		if cur, ok := current[id]; ok {
			change = Updated
			if cur.ContentSum() == rec.ContentSum() {
				change = Unchanged
			}
		}
		report.Changes = append(report.Changes, BrandChange{ID: id, Change: change, Hashes: len(rec.ReferenceHashes)})
		if change == Unchanged && !so.Force {
			continue
		}
		m, err := stream.BrandMessage(id, rec)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	if so.DeleteMissing {
		var gone []string
		for id := range current {
			if !inFile[id] {
				gone = append(gone, id)
			}
		}
		slices.Sort(gone)
		for _, id := range gone {
			m, _ := stream.BrandMessage(id, nil)
			msgs = append(msgs, m)
			report.Changes = append(report.Changes, BrandChange{ID: id, Change: Deleted})
		}
	}
	if err := b.write(ctx, msgs); err != nil {
		return nil, err
	}
	return report, nil
}

// Delete publishes a tombstone for each id.
func (b *Brands) Delete(ctx context.Context, ids []string) (*BrandReport, error) {
	current, err := b.Current(ctx)
	if err != nil {
		return nil, err
	}
	report := &BrandReport{}
	var msgs []kafka.Message
	for _, id := range ids {
		m, _ := stream.BrandMessage(id, nil)
		msgs = append(msgs, m)
		change := Deleted
		if _, ok := current[id]; !ok {
			change = Absent
		}
		report.Changes = append(report.Changes, BrandChange{ID: id, Change: change})
	}
	if err := b.write(ctx, msgs); err != nil {
		return nil, err
	}
	return report, nil
}

func (b *Brands) write(ctx context.Context, msgs []kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := b.w.WriteMessages(ctx, msgs...); err != nil {
		var werrs kafka.WriteErrors
		if errors.As(err, &werrs) {
			return fmt.Errorf("write brands: %d of %d records not written: %w", werrs.Count(), len(msgs), err)
		}
		return fmt.Errorf("write brands: %w", err)
	}
	return nil
}

// records builds the record of every brand, hashing local reference images.
func (b *Brands) records(reg *brand.Registry, report *BrandReport) ([]*stream.BrandRecord, error) {
	now := b.opts.Now().UTC()
	var errs []error
	out := make([]*stream.BrandRecord, 0, len(reg.Brands))
	for _, br := range reg.Brands {
		rec := &stream.BrandRecord{Brand: br, PublishedAt: now}
		for _, ref := range br.ReferenceImages {
			if brand.IsRemote(ref) {
				report.Remote = append(report.Remote, br.ID+": "+ref)
				b.opts.Logger.Warn("remote reference image not hashed; the matcher fetches it", "brand", br.ID, "url", ref)
				continue
			}
			hs, err := b.hash(reg.ImagePath(ref))
			if err != nil {
				errs = append(errs, fmt.Errorf("brand %s: %w %s: %w", br.ID, ErrReferenceImage, ref, err))
				continue
			}
			rec.ReferenceHashes = append(rec.ReferenceHashes, stream.RefHashes(ref, hs)...)
		}
		out = append(out, rec)
	}
	return out, errors.Join(errs...)
}

func (b *Brands) hash(path string) ([]imagehash.RefHash, error) {
	data, err := imagehash.ReadFile(path, b.opts.Limits)
	if err != nil {
		return nil, err
	}
	return imagehash.ReferenceHashesAll(data, b.opts.Limits)
}

// Current reads the brands topic from the start of each partition to its
// end as of the call and returns the latest record per brand id, without a
// consumer group. A record that does not decode is logged and skipped.
func (b *Brands) Current(ctx context.Context) (map[string]*stream.BrandRecord, error) {
	ctx, cancel := context.WithTimeout(ctx, b.opts.ReadTimeout)
	defer cancel()
	msgs, _, err := stream.ReadTopic(ctx, b.opts.Kafka, b.opts.Topic)
	if err != nil {
		return nil, fmt.Errorf("read current brands: %w", err)
	}
	current := make(map[string]*stream.BrandRecord)
	for _, m := range msgs {
		id := string(m.Key)
		if m.Value == nil {
			delete(current, id)
			continue
		}
		var rec stream.BrandRecord
		if err := json.Unmarshal(m.Value, &rec); err != nil {
			b.opts.Logger.Warn("skipping undecodable brand record", "id", id, "partition", m.Partition, "offset", m.Offset, "err", err)
			delete(current, id)
			continue
		}
		current[id] = &rec
	}
	return current, nil
}
