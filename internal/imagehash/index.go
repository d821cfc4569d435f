package imagehash

import (
	"cmp"
	"slices"
	"sync"
)

// DefaultThreshold is the largest pHash distance (of 64 bits) an index built
// with it treats as a match.
//
// Research found pHash 20-21 gives <=1% false matches between plain hashes,
// but each reference here stores six variants and a query matches if any is
// near, which multiplies the chances. Measured on 66 unrelated photos (4,290
// ordered pairs, each photo's plain and nine edited copies queried against
// every other photo's six variants, calibrate_test.go):
//
//	threshold      16     18     20     22
//	false matches  0.10%  0.44%  2.2%   7.6%
//	rotate 5 deg   71%    85%    91%    95%  recall
//	banner 15%     82%    83%    91%    92%  recall
//
// 18 is the largest value under 1%. Median-thresholded pHashes almost always
// have exactly 32 bits set, so distances are even and 19 behaves as 18.
const DefaultThreshold = 18

// DefaultCropThreshold is the largest distance at which a listing's whole
// image matches a reference's one-sided crop variants ("crop-tl", ...;
// ReferenceHashesAll), and DefaultRegionThreshold the largest at which a
// listing region matches the same region of a reference (Index.NearestAll).
//
// Both are stricter than DefaultThreshold because they add comparisons per
// unrelated pair: 8 one-sided crops and 4 regions x 2 (plain, mirrored).
// Measured on the same 66 photos as DefaultThreshold, each queried plain and
// under 22 edits (listingTransforms and extraTransforms) against every other
// photo's ReferenceHashesAll, 98,670 unrelated pairs (calibrate_test.go):
//
//	whole 18 only (Nearest)             0.49% false matches
//	+ crop 12                           0.49%
//	+ crop 12 + region 12 (NearestAll)  0.50%
//	+ crop 12 + region 14 / 16          0.53% / 0.65%
//	+ crop 16 + region 16               0.73%
//
// The nearest unrelated region or one-sided crop lies at 12 bits in only 1-2
// of those pairs, while the edits they target land at 0-10: banners of
// 15-20% top or bottom and a 15% side bar go from 59-88% recall to 100%,
// one-sided 10% crops from 67-76% to 100%. 12 keeps that with the least
// added risk; rotation gains a little (85% -> 88%).
const (
	DefaultCropThreshold   = 12
	DefaultRegionThreshold = 12
)

// Thresholds are an index's match thresholds per kind of comparison.
type Thresholds struct {
	// Whole applies between whole-image hashes and the reference variants
	// of ReferenceHashes (original, mirrored, centred crops).
	Whole int
	// Crop applies between whole-image hashes and one-sided crop variants.
	Crop int
	// Region applies between a region hash and the same reference region.
	Region int
}

// DefaultThresholds returns DefaultThreshold, DefaultCropThreshold and
// DefaultRegionThreshold.
func DefaultThresholds() Thresholds {
	return Thresholds{Whole: DefaultThreshold, Crop: DefaultCropThreshold, Region: DefaultRegionThreshold}
}

// Ref is one reference hash registered for a brand.
type Ref struct {
	BrandID string
	// Image is the reference image's path or URL, as registered.
	Image string
	RefHash
}

// Match is a reference within the threshold of a queried hash. Its Region
// (promoted from RefHash) is the region compared: the listing's region and
// the reference's are the same kind, "" for the whole image.
type Match struct {
	Ref
	Distance int
	// Threshold is the threshold the comparison was held to (Thresholds'
	// Whole, Crop or Region); Distance/Threshold is comparable across
	// kinds, Distance alone is not.
	Threshold int
}

// closer reports whether a is a better match than b: smaller
// Distance/Threshold, then whole-image before region, then smaller
// Distance.
func closer(a, b Match) int {
	return cmp.Or(
		cmp.Compare(a.Distance*b.Threshold, b.Distance*a.Threshold),
		cmp.Compare(regionRank(a.Region), regionRank(b.Region)),
		cmp.Compare(a.Distance, b.Distance))
}

func regionRank(r string) int {
	if r == RegionWhole {
		return 0
	}
	return 1
}

// bucket holds the references of one region kind ("" for whole images).
type bucket struct {
	hashes []Hash  // parallel to refs, kept apart so the scan stays in cache
	limits []uint8 // threshold per reference
	refs   []Ref
}

// Index holds reference hashes of many brands and finds, per brand, the
// nearest within a threshold. It is safe for concurrent use.
//
// Search is a linear scan: research measured 0.6 ms per query over a million
// 64-bit hashes, and multi-index hashing only pays off at radii far below the
// ~18 bits that real-world edits need.
type Index struct {
	th Thresholds

	mu      sync.RWMutex
	buckets map[string]*bucket // by region
	n       int
}

// NewIndex returns an empty index matching whole images at distances <=
// threshold; one-sided crop variants and regions match at
// DefaultCropThreshold and DefaultRegionThreshold, or threshold if that is
// stricter.
func NewIndex(threshold int) *Index {
	return NewIndexThresholds(Thresholds{
		Whole:  threshold,
		Crop:   min(threshold, DefaultCropThreshold),
		Region: min(threshold, DefaultRegionThreshold),
	})
}

// NewIndexThresholds returns an empty index with the given thresholds.
func NewIndexThresholds(th Thresholds) *Index {
	return &Index{th: th, buckets: make(map[string]*bucket)}
}

// Thresholds returns all the index's match thresholds.
func (ix *Index) Thresholds() Thresholds { return ix.th }

// limitFor is the threshold r is matched at.
func (ix *Index) limitFor(r RefHash) int {
	switch {
	case r.Region != "":
		return ix.th.Region
	case isOneSidedCrop(r.Variant):
		return ix.th.Crop
	}
	return ix.th.Whole
}

// Add registers one reference hash.
func (ix *Index) Add(r Ref) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.add(r)
}

func (ix *Index) add(r Ref) {
	b := ix.buckets[r.Region]
	if b == nil {
		b = &bucket{}
		ix.buckets[r.Region] = b
	}
	b.hashes = append(b.hashes, r.Hash)
	b.limits = append(b.limits, uint8(max(0, min(ix.limitFor(r.RefHash), 64))))
	b.refs = append(b.refs, r)
	ix.n++
}

// AddImage registers all hashes returned by ReferenceHashes or
// ReferenceHashesAll for one image.
func (ix *Index) AddImage(brandID, image string, hashes []RefHash) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, h := range hashes {
		ix.add(Ref{BrandID: brandID, Image: image, RefHash: h})
	}
}

// Len returns the number of reference hashes (not images or brands).
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.n
}

// Nearest returns the best match per brand of a whole-image hash (Compute)
// within the threshold, nearest first (ties by brand ID, then registration
// order). Nil if none matches. Region references are not consulted: use
// NearestAll with ComputeAll's hashes for them.
func (ix *Index) Nearest(h Hash) []Match {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var c collector
	c.scan(ix.buckets[RegionWhole], h)
	return c.sorted()
}

// NearestAll returns, per brand, the best match over the whole-image hash and
// each region hash of hs (each region compared only with the same region of
// the references), best first by Distance/Threshold (ties: whole image
// first, then brand ID). Nil if none matches.
func (ix *Index) NearestAll(hs Hashes) []Match {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var c collector
	c.scan(ix.buckets[RegionWhole], hs.Whole)
	for _, r := range hs.Regions {
		if r.Region != RegionWhole {
			c.scan(ix.buckets[r.Region], r.Hash)
		}
	}
	return c.sorted()
}

// collector keeps the best match per brand.
type collector struct {
	out     []Match
	byBrand map[string]int // brand -> position in out
}

func (c *collector) scan(b *bucket, h Hash) {
	if b == nil {
		return
	}
	for i, rh := range b.hashes {
		d := Distance(h, rh)
		lim := int(b.limits[i])
		if d > lim {
			continue
		}
		m := Match{Ref: b.refs[i], Distance: d, Threshold: lim}
		if j, ok := c.byBrand[m.BrandID]; ok {
			if closer(m, c.out[j]) < 0 {
				c.out[j] = m
			}
			continue
		}
		if c.byBrand == nil {
			c.byBrand = make(map[string]int)
		}
		c.byBrand[m.BrandID] = len(c.out)
		c.out = append(c.out, m)
	}
}

func (c *collector) sorted() []Match {
	slices.SortStableFunc(c.out, func(a, b Match) int {
		return cmp.Or(closer(a, b), cmp.Compare(a.BrandID, b.BrandID))
	})
	return c.out
}
