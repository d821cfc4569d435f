package imagehash

import (
	"fmt"
	"strings"
)

// RefHash is one stored hash of a brand reference image.
type RefHash struct {
	Hash Hash
	// Variant names the edit the hash anticipates: "original", "mirrored",
	// "crop4", "crop8", "mirrored-crop4", "mirrored-crop8"; from
	// ReferenceHashesAll also the one-sided crops "crop-tl", "crop-tr",
	// "crop-bl", "crop-br" and their "mirrored-" forms.
	Variant string
	// Region is the part of the (variant) image hashed: RegionWhole ("")
	// or one of RegionTop, RegionBottom, RegionLeft, RegionRight. Region
	// hashes are compared only with the same region of a listing image
	// (Index.NearestAll).
	Region string
}

// variant is a reference edit: an optional mirror and a centred crop
// fraction per side, or a one-sided crop (fractions off the top, left,
// bottom, right).
type variant struct {
	name   string
	mirror bool
	crop   float64
	sides  [4]float64 // top, left, bottom, right
}

// apply returns the variant of p (trimmed) and of its mirror.
func (v variant) apply(p, mirrored *plane) *plane {
	src := p
	if v.mirror {
		src = mirrored
	}
	if v.crop > 0 {
		src = src.centreCrop(v.crop)
	}
	if v.sides != [4]float64{} {
		t := int(v.sides[0]*float64(src.h) + 0.5)
		l := int(v.sides[1]*float64(src.w) + 0.5)
		b := int(v.sides[2]*float64(src.h) + 0.5)
		r := int(v.sides[3]*float64(src.w) + 0.5)
		src = src.sub(l, t, src.w-l-r, src.h-t-b)
	}
	return src
}

// isOneSidedCrop reports whether variant names a one-sided crop variant,
// matched at Thresholds.Crop.
func isOneSidedCrop(variant string) bool {
	v, _ := strings.CutPrefix(variant, "mirrored-")
	return strings.HasPrefix(v, "crop-")
}

// sideCrop is the fraction one-sided crop variants take off two adjacent
// sides. On the 66 calibration photos a listing cropped 10% off the top and
// left matches at 100% (76% without), 5% at 100% (whole-image variants
// already cover it), 15% at 71% (20% without).
const sideCrop = 0.10

// cornerVariants returns the one-sided crop variants ReferenceHashesAll adds:
// a listing that cut a strip off the top and left of a photo (to remove a
// logo or watermark, or to reframe) keeps the bottom-right of it, which no
// centred crop aligns with (research: 27-77% recall).
func cornerVariants() []variant {
	c := sideCrop
	var out []variant
	for _, m := range []bool{false, true} {
		prefix := ""
		if m {
			prefix = "mirrored-"
		}
		out = append(out,
			variant{name: prefix + "crop-tl", mirror: m, sides: [4]float64{c, c, 0, 0}},
			variant{name: prefix + "crop-tr", mirror: m, sides: [4]float64{c, 0, 0, c}},
			variant{name: prefix + "crop-bl", mirror: m, sides: [4]float64{0, c, c, 0}},
			variant{name: prefix + "crop-br", mirror: m, sides: [4]float64{0, 0, c, c}},
		)
	}
	return out
}

// referenceVariants returns the edits counterfeit listings commonly apply that a
// single pHash does not survive (research: mirror 0% recall, 10% centred crop
// 58%, padding 40%). Storing the mirrored hash makes mirrors match; crops of
// 4% and 8% per side cover listing crops of ~2-12% (the crop between two
// stored steps is within a few bits of one of them). Padding is handled by
// trimming in Compute, not by variants. Six variants multiply the chance of
// a false match per reference, which DefaultThreshold accounts for.
func referenceVariants() [6]variant {
	return [...]variant{
		{name: "original"},
		{name: "mirrored", mirror: true},
		{name: "crop4", crop: 0.04},
		{name: "crop8", crop: 0.08},
		{name: "mirrored-crop4", mirror: true, crop: 0.04},
		{name: "mirrored-crop8", mirror: true, crop: 0.08},
	}
}

// ReferenceHashes returns the whole-image hashes to store for one brand
// reference image for Index.Nearest: the plain hash (equal to Compute's) and
// the variants "mirrored", "crop4", "crop8", "mirrored-crop4",
// "mirrored-crop8", in that order. Crops are taken after trimming uniform borders, so they are
// crops of the content, as a listing's would be.
func ReferenceHashes(data []byte, lim Limits) ([]RefHash, error) {
	p, err := decodeGray(data, lim, Accelerated())
	if err != nil {
		return nil, err
	}
	return referenceHashes(p)
}

func referenceHashes(p *plane) ([]RefHash, error) {
	p = p.trimBorders()
	if p.w < minSide || p.h < minSide {
		return nil, fmt.Errorf("%w: %dx%d pixels left after trimming borders", ErrLowDetail, p.w, p.h)
	}
	mirrored := p.mirror()
	out := make([]RefHash, 0, len(referenceVariants()))
	for _, v := range referenceVariants() {
		small := v.apply(p, mirrored).resize(hashSide, hashSide)
		// Only the original is gated: the variants of a detailed image are
		// detailed too, and refusing one of them would silently weaken
		// the reference.
		if v.name == "original" {
			if q := small.quality(); q < MinQuality {
				return nil, fmt.Errorf("%w: quality %d, need %d", ErrLowDetail, q, MinQuality)
			}
		}
		out = append(out, RefHash{Hash: phashFast(small), Variant: v.name})
	}
	return out, nil
}

// ReferenceHashesAll returns everything to store for one brand reference
// image for Index.NearestAll: ReferenceHashes' whole-image variants, the
// one-sided crop variants, then the region hashes (RefHash.Region) of the
// image and of its mirror. Index.Nearest ignores region hashes, but does
// compare whole-image ones, so register ReferenceHashesAll's output only in
// an index queried with NearestAll, whose thresholds account for them.
func ReferenceHashesAll(data []byte, lim Limits) ([]RefHash, error) {
	p, err := decodeGray(data, lim, Accelerated())
	if err != nil {
		return nil, err
	}
	return referenceHashesAll(p)
}

func referenceHashesAll(p *plane) ([]RefHash, error) {
	out, err := referenceHashes(p)
	if err != nil {
		return nil, err
	}
	t := p.trimBorders()
	mirrored := t.mirror()
	for _, v := range cornerVariants() {
		small := v.apply(t, mirrored).resize(hashSide, hashSide)
		out = append(out, RefHash{Hash: phashFast(small), Variant: v.name})
	}
	for _, v := range []struct {
		name string
		p    *plane
	}{{"original", p}, {"mirrored", p.mirror()}} {
		for _, r := range regionHashes(v.p, nil) {
			out = append(out, RefHash{Hash: r.Hash, Variant: v.name, Region: r.Region})
		}
	}
	return out, nil
}
