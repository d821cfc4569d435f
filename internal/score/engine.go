package score

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/textmatch"
)

// DefaultThreshold is the score at or above which a listing is flagged,
// unless its brand sets its own. Two independent cues clear it (a brand name
// with a far-too-low price, or with coded language); one plain cue does not.
const DefaultThreshold = 0.7

// Options configures an Engine. The zero value is usable.
type Options struct {
	// Threshold is the default flagging threshold; 0 means DefaultThreshold.
	Threshold float64
	// ImageThreshold is the largest pHash distance (of 64 bits) taken as a
	// match; 0 means imagehash.DefaultThreshold.
	ImageThreshold int
	// Rates converts listing prices into the currency of a price floor;
	// nil means price.DefaultRates().
	Rates       price.Rates
	ImageLimits imagehash.Limits
	Logger      *slog.Logger
	// References, when set, supplies the stored hashes of a brand's
	// reference image instead of reading the file: the streaming matcher
	// gets them precomputed on the brands topic. ok=false skips the image.
	References func(brandID, image string) (hashes []imagehash.RefHash, ok bool)
	// Feedback is what analysts' decisions taught; nil is none.
	Feedback *Feedback
	// FlaggedEvidenceOnly leaves the evidence text out of verdicts that
	// are not flagged (their scores and signal kinds stay): for callers
	// that keep only flagged verdicts, such as the streaming matcher,
	// since wording evidence is a fair share of scoring's cost.
	FlaggedEvidenceOnly bool
}

// Validate reports options New would refuse, before there is a registry
// to build an engine from (a matcher checks its flags at start-up, when
// the brands topic may still be empty).
func (o Options) Validate() error { return o.validate() }

func (o *Options) validate() error {
	if !(o.Threshold >= 0 && o.Threshold <= 1) { // NaN fails both comparisons
		return fmt.Errorf("threshold %g is outside 0..1", o.Threshold)
	}
	if o.ImageThreshold < 0 || o.ImageThreshold > 64 {
		return fmt.Errorf("image threshold %d is outside 0..64", o.ImageThreshold)
	}
	if o.Threshold == 0 {
		o.Threshold = DefaultThreshold
	}
	if o.ImageThreshold == 0 {
		o.ImageThreshold = imagehash.DefaultThreshold
	}
	if o.Rates == nil {
		o.Rates = price.DefaultRates()
	}
	if o.ImageLimits == (imagehash.Limits{}) {
		o.ImageLimits = imagehash.DefaultLimits()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// Engine scores listings against one registry. It is safe for concurrent use.
type Engine struct {
	opts   Options
	brands map[string]*brand.Brand
	text   *textmatch.Index
	images *imagehash.Index
}

// ErrReferenceImage marks a reference image that could not be hashed.
var ErrReferenceImage = errors.New("reference image unusable")

// New indexes the registry's brand terms and hashes its local reference
// images. Remote (http) reference images are skipped with a warning: fetching
// belongs to the streaming matcher, not to the engine.
func New(reg *brand.Registry, opts Options) (*Engine, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("score options: %w", err)
	}
	e := &Engine{
		opts:   opts,
		brands: make(map[string]*brand.Brand, len(reg.Brands)),
		images: imagehash.NewIndex(opts.ImageThreshold),
	}
	for i := range reg.Brands {
		e.brands[reg.Brands[i].ID] = &reg.Brands[i]
	}
	text, err := textmatch.NewIndex(reg.Brands)
	if err != nil {
		return nil, fmt.Errorf("index brand terms: %w", err)
	}
	e.text = text
	var errs []error
	for _, b := range reg.Brands {
		for j, ref := range b.ReferenceImages {
			if opts.References != nil {
				hashes, ok := opts.References(b.ID, ref)
				if !ok {
					opts.Logger.Warn("no stored hashes for reference image; skipped", "brand", b.ID, "image", ref)
				}
				e.images.AddImage(b.ID, ref, hashes)
				continue
			}
			if brand.IsRemote(ref) {
				opts.Logger.Warn("remote reference image not fetched in this mode", "brand", b.ID, "image", ref)
				continue
			}
			hashes, err := referenceHashes(reg.ImagePath(ref), opts.ImageLimits)
			if errors.Is(err, imagehash.ErrLowDetail) {
				opts.Logger.Warn("reference image has too little detail to match reliably; skipped", "brand", b.ID, "image", ref)
				continue
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("brand %s: reference_images[%d]: %s: %w: %w", b.ID, j, ref, ErrReferenceImage, err))
				continue
			}
			e.images.AddImage(b.ID, ref, hashes)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if opts.Feedback != nil {
		for _, ci := range opts.Feedback.CounterfeitImages {
			if _, ok := e.brands[ci.BrandID]; ok {
				e.images.Add(imagehash.Ref{BrandID: ci.BrandID, Image: "known counterfeit photo from " + ci.Source,
					RefHash: imagehash.RefHash{Hash: ci.Hash, Variant: "original"}})
			}
		}
	}
	return e, nil
}

func referenceHashes(path string, lim imagehash.Limits) ([]imagehash.RefHash, error) {
	data, err := imagehash.ReadFile(path, lim)
	if err != nil {
		return nil, err
	}
	return imagehash.ReferenceHashesAll(data, lim)
}

// ReferenceCount is the number of reference hashes indexed (variants included).
func (e *Engine) ReferenceCount() int { return e.images.Len() }

// ImageLimits returns the limits listing images are hashed under.
func (e *Engine) ImageLimits() imagehash.Limits { return e.opts.ImageLimits }

// Image is one listing image as the caller obtained it: its hashes (whole
// image and regions, from imagehash.ComputeAll), or why it could not be
// hashed.
type Image struct {
	Ref    string
	Hashes imagehash.Hashes
	Err    error
}

// Score weighs everything known about l against every brand it points at and
// returns the verdict for the best-scoring brand.
func (e *Engine) Score(l *listing.Listing, imgs []Image) Verdict {
	var ev evidence
	e.gather(&ev, l, imgs)
	// Almost every listing points at one brand or none: the ids, the
	// brands' scores and their signals live on the stack, and only the
	// verdict's own signals are allocated.
	var idBuf [4]string
	ids := ev.appendBrandIDs(idBuf[:0])
	// With several brands, only the best one's evidence is reported: the
	// others are scored without their evidence text, and the best is
	// assessed again in full (the score comes out the same either way).
	// Without FlaggedEvidenceOnly, a lone brand is assessed in full at once.
	withEvidence := len(ids) == 1 && !e.opts.FlaggedEvidenceOnly
	// The best assessment so far keeps its signals in bufs[bestBuf]; the
	// brand being weighed writes into the other buffer.
	var bufs [2][maxSignals]Signal
	bestBuf := 1
	var best assessment // best.brand is nil until a brand is weighed
	var allBuf [4]Candidate
	all := allBuf[:0]
	for _, id := range ids {
		b, ok := e.brands[id]
		if !ok {
			continue
		}
		cur := 1 - bestBuf
		a := e.assess(b, l, &ev, withEvidence, bufs[cur][:0])
		all = append(all, Candidate{BrandID: b.ID, Score: a.score})
		if best.brand == nil || a.score > best.score {
			best, bestBuf = a, cur
		}
	}
	if best.brand != nil && !withEvidence && (!e.opts.FlaggedEvidenceOnly || best.flagged()) {
		best = e.assess(best.brand, l, &ev, true, bufs[1-bestBuf][:0])
	}
	v := Verdict{ListingID: l.ID, Threshold: e.opts.Threshold, Signals: []Signal{}}
	if best.brand == nil {
		if !e.opts.FlaggedEvidenceOnly {
			v.Signals = ev.appendUnattributed(v.Signals)
		}
		return v
	}
	v.BrandID, v.BrandName = best.brand.ID, best.brand.Name
	v.Score = round(best.score)
	v.Threshold = best.threshold
	v.Flagged = best.flagged()
	// best carries its evidence unless it was left lean (see above).
	withImageEvidence := !e.opts.FlaggedEvidenceOnly || v.Flagged
	v.Signals = make([]Signal, 0, len(best.signals)+len(ev.images)) // room for every image's error
	v.Signals = append(v.Signals, best.signals...)
	v.Signals = ev.appendImageErrors(v.Signals, withImageEvidence)
	if len(all) > 1 {
		// Stable, as ties keep the order the brands were found in.
		slices.SortStableFunc(all, func(x, y Candidate) int { return cmp.Compare(y.Score, x.Score) })
		for _, c := range all {
			if c.BrandID != best.brand.ID {
				v.Others = append(v.Others, Candidate{BrandID: c.BrandID, Score: round(c.Score)})
			}
		}
	}
	return v
}

func (a *assessment) flagged() bool { return !a.vetoed && a.score >= a.threshold }

func round(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
