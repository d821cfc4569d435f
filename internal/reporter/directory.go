package reporter

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/stream"
)

// Directory is the brand registry as the brands topic holds it now: the
// rights owner, contact and marks a notice needs, and the record the
// registration form edits. It follows the topic live.
type Directory struct {
	kafka stream.Cluster
	topic string
	log   *slog.Logger
	mu    sync.RWMutex
	recs  map[string]*stream.BrandRecord
}

// NewDirectory follows the brands topic once Run is called.
func NewDirectory(kafka stream.Cluster, topic string, log *slog.Logger) *Directory {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Directory{kafka: kafka, topic: topic, log: log, recs: map[string]*stream.BrandRecord{}}
}

// Run loads the topic, then follows it until ctx ends.
func (d *Directory) Run(ctx context.Context) error {
	if err := stream.EnsureTopics(ctx, d.kafka, stream.Topics{Brands: d.topic}, stream.DefaultLayout()); err != nil {
		return err
	}
	next, err := stream.LoadCompacted(ctx, d.kafka, d.topic, d.apply)
	if err != nil {
		return fmt.Errorf("load brands: %w", err)
	}
	return stream.FollowCompacted(ctx, d.kafka, d.topic, next, d.apply, func([]string) {})
}

func (d *Directory) apply(m kafka.Message) (bool, string) {
	id := string(m.Key)
	d.mu.Lock()
	defer d.mu.Unlock()
	if m.Value == nil {
		delete(d.recs, id)
		return true, id
	}
	var rec stream.BrandRecord
	if err := json.Unmarshal(m.Value, &rec); err != nil || rec.Brand.ID != id {
		d.log.Error("brand record does not decode or its key is not its id; skipped", "key", id, "offset", m.Offset, "err", err)
		return false, id
	}
	d.recs[id] = &rec
	return true, id
}

// Brand returns the current record of a brand.
func (d *Directory) Brand(id string) (*stream.BrandRecord, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	rec, ok := d.recs[id]
	return rec, ok
}

// IDs lists the registered brands, sorted.
func (d *Directory) IDs() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	ids := make([]string, 0, len(d.recs))
	for id := range d.recs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
