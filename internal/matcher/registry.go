package matcher

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// registry holds the brands as last seen on the brands topic and builds
// scoring engines from them.
type registry struct {
	mu       sync.Mutex
	records  map[string]*stream.BrandRecord
	raw      map[string]string // id -> record bytes, to tell a change from a repeat
	feedback map[string]*stream.Feedback
	version  int64
}

func newRegistry() *registry {
	return &registry{records: map[string]*stream.BrandRecord{}, raw: map[string]string{}, feedback: map[string]*stream.Feedback{}}
}

// applyFeedback takes one record of the feedback topic and reports whether
// it changed what the engine knows. The brand id is returned so that the
// change is logged against it.
func (r *registry) applyFeedback(m kafka.Message, log *slog.Logger) (changed bool, id string) {
	key := string(m.Key)
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.Value == nil {
		old, ok := r.feedback[key]
		if !ok {
			return false, key
		}
		delete(r.feedback, key)
		r.version++
		return true, old.BrandID
	}
	var f stream.Feedback
	if err := json.Unmarshal(m.Value, &f); err != nil || f.BrandID == "" || f.Subject == "" {
		log.Error("feedback record does not decode; skipped", "key", key, "partition", m.Partition, "offset", m.Offset, "err", err)
		return false, key
	}
	if old, ok := r.feedback[key]; ok && *old == f {
		return false, key
	}
	r.feedback[key] = &f
	r.version++
	return true, f.BrandID
}

// teach builds the engine's view of the feedback records.
func (r *registry) teach() *score.Feedback {
	fb := &score.Feedback{AuthorizedSellers: map[string]map[string]string{}, NotInfringing: map[string]map[string]string{}}
	add := func(m map[string]map[string]string, f *stream.Feedback) {
		if m[f.BrandID] == nil {
			m[f.BrandID] = map[string]string{}
		}
		m[f.BrandID][f.Subject] = feedbackWhy(f)
	}
	for _, f := range r.feedback {
		switch f.Kind {
		case stream.FeedbackAuthorizedSeller:
			add(fb.AuthorizedSellers, f)
		case stream.FeedbackNotInfringing:
			add(fb.NotInfringing, f)
		case stream.FeedbackCounterfeitImage:
			h, err := imagehash.ParseHash(f.Subject)
			if err == nil {
				fb.CounterfeitImages = append(fb.CounterfeitImages, score.CounterfeitImage{BrandID: f.BrandID, Hash: h, Source: fmt.Sprintf("case %d", f.CaseID)})
			}
		}
	}
	slices.SortFunc(fb.CounterfeitImages, func(a, b score.CounterfeitImage) int {
		return strings.Compare(a.BrandID+a.Source+a.Hash.String(), b.BrandID+b.Source+b.Hash.String())
	})
	return fb
}

func feedbackWhy(f *stream.Feedback) string {
	why := fmt.Sprintf("case %d, %s", f.CaseID, f.Actor)
	if f.Reason != "" {
		why += ": " + f.Reason
	}
	return why
}

// apply takes one record of the brands topic and reports whether the
// registry changed. A record that does not decode is logged and skipped:
// one bad brand must not stop scanning for all the others.
func (r *registry) apply(m kafka.Message, log *slog.Logger) (changed bool, id string) {
	id = string(m.Key)
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.Value == nil {
		if _, ok := r.records[id]; !ok {
			return false, id
		}
		delete(r.records, id)
		delete(r.raw, id)
		r.version++
		return true, id
	}
	if r.raw[id] == string(m.Value) {
		return false, id
	}
	var rec stream.BrandRecord
	if err := json.Unmarshal(m.Value, &rec); err != nil {
		log.Error("brand record does not decode; skipped", "key", id, "partition", m.Partition, "offset", m.Offset, "err", err)
		return false, id
	}
	if rec.Brand.ID != id {
		log.Error("brand record key and id differ; skipped", "key", id, "id", rec.Brand.ID)
		return false, id
	}
	reg := brand.Registry{Brands: []brand.Brand{rec.Brand}}
	if err := reg.Validate("brands topic"); err != nil {
		log.Error("brand record is invalid; skipped", "brand", id, "err", err)
		return false, id
	}
	r.records[id] = &rec
	r.raw[id] = string(m.Value)
	r.version++
	return true, id
}

// snapshot returns the brands (sorted by id), a lookup of stored reference
// hashes, what the feedback teaches, and the registry version, all as of
// one moment.
func (r *registry) snapshot() (*brand.Registry, func(string, string) ([]imagehash.RefHash, bool), *score.Feedback, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	reg := &brand.Registry{}
	hashes := map[[2]string][]imagehash.RefHash{}
	for id, rec := range r.records {
		reg.Brands = append(reg.Brands, rec.Brand)
		for _, h := range rec.ReferenceHashes {
			hv, err := imagehash.ParseHash(h.Hash)
			if err != nil {
				continue
			}
			k := [2]string{id, h.Image}
			hashes[k] = append(hashes[k], imagehash.RefHash{Hash: hv, Variant: h.Variant, Region: h.Region})
		}
	}
	slices.SortFunc(reg.Brands, func(a, b brand.Brand) int { return strings.Compare(a.ID, b.ID) })
	lookup := func(id, image string) ([]imagehash.RefHash, bool) {
		hs, ok := hashes[[2]string{id, image}]
		return hs, ok
	}
	return reg, lookup, r.teach(), r.version
}

func (r *registry) size() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.records)
}

// buildEngine builds a scoring engine over the registry, and returns the
// registry version and the brand ids it was built from.
func (r *registry) buildEngine(opts score.Options) (*score.Engine, int64, []string, error) {
	reg, lookup, feedback, version := r.snapshot()
	ids := make([]string, len(reg.Brands))
	for i, b := range reg.Brands {
		ids[i] = b.ID
	}
	if len(reg.Brands) == 0 {
		return nil, version, ids, nil
	}
	opts.References, opts.Feedback = lookup, feedback
	// Only flagged verdicts leave the matcher, as candidates.
	opts.FlaggedEvidenceOnly = true
	eng, err := score.New(reg, opts)
	if err != nil {
		return nil, version, nil, fmt.Errorf("build engine at registry version %d: %w", version, err)
	}
	return eng, version, ids, nil
}
