package imagehash

import "fmt"

// RefHash is one stored hash of a brand reference image.
type RefHash struct {
	Hash Hash
	// Variant names the edit the hash anticipates: "original", "mirrored",
	// "crop4", "crop8", "mirrored-crop4", "mirrored-crop8".
	Variant string
}

// variant is a reference edit: an optional mirror and a centred crop
// fraction per side.
type variant struct {
	name   string
	mirror bool
	crop   float64
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

// ReferenceHashes returns the hashes to store for one brand reference image:
// the plain hash (equal to Compute's) and the variants listed on RefHash, in
// that order. Crops are taken after trimming uniform borders, so they are
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
		src := p
		if v.mirror {
			src = mirrored
		}
		if v.crop > 0 {
			src = src.centreCrop(v.crop)
		}
		small := src.resize(hashSide, hashSide)
		// Only the original is gated: the variants of a detailed image are
		// detailed too, and refusing one of them would silently weaken
		// the reference.
		if v.name == "original" {
			if q := small.quality(); q < MinQuality {
				return nil, fmt.Errorf("%w: quality %d, need %d", ErrLowDetail, q, MinQuality)
			}
		}
		h, err := phash(small)
		if err != nil {
			return nil, fmt.Errorf("variant %s: %w", v.name, err)
		}
		out = append(out, RefHash{Hash: h, Variant: v.name})
	}
	return out, nil
}
