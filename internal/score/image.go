package score

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
)

// imageSignal weighs the best match of any listing image against the brand's
// reference images. Closer copies weigh more: at the threshold a match is
// only a hint, because with many references some unrelated photo will come
// that close. Without withEvidence only the score is worked out: the
// closest match alone sets it, so nothing else needs collecting or wording.
// pictured is false when no listing image matches b.
func imageSignal(b *brand.Brand, images []imageEvidence, withEvidence bool) (s Signal, pictured bool) {
	if !withEvidence {
		return imageScore(b, images)
	}
	// Each listing image's closest match to the brand; distance over
	// threshold compares whole-image, crop-variant and region matches,
	// which have thresholds of their own.
	type pick struct {
		i    int
		m    imagehash.Match
		frac float64
	}
	var picks []pick
	for i, ie := range images {
		p := pick{i: -1, frac: 2}
		for _, m := range ie.matches {
			if m.BrandID != b.ID {
				continue
			}
			if f := matchFrac(m); f < p.frac {
				p = pick{i, m, f}
			}
		}
		if p.i >= 0 {
			picks = append(picks, p)
		}
	}
	if len(picks) == 0 {
		return Signal{}, false
	}
	slices.SortStableFunc(picks, func(a, b pick) int { return cmp.Compare(a.frac, b.frac) })
	best, bestI := picks[0].m, picks[0].i
	w := imageWeight(picks[0].frac)
	how := ""
	switch {
	case best.Region != "":
		how = fmt.Sprintf(" (%s region", best.Region)
		if strings.HasPrefix(best.Variant, "mirror") {
			how += ", mirrored"
		}
		how += ": the rest of the photo was edited, e.g. a banner)"
	case best.Variant != "" && best.Variant != "original":
		how = " (" + best.Variant + " variant)"
	}
	ev := fmt.Sprintf("image %d (%s) matches reference %s%s at distance %d of 64 (threshold %d)",
		bestI+1, images[bestI].img.Ref, best.Image, how, best.Distance, best.Threshold)
	if len(picks) > 1 {
		ev += fmt.Sprintf("; %d more of the listing's photos match", len(picks)-1)
	}
	s = Signal{Kind: KindImage, Score: w, Evidence: ev}
	for _, p := range picks {
		s.Images = append(s.Images, ImageMatch{Listing: images[p.i].img.Ref, Reference: p.m.Image, Distance: p.m.Distance,
			Threshold: p.m.Threshold, Variant: p.m.Variant, Region: p.m.Region})
	}
	return s, true
}

// imageScore is imageSignal's score alone: the weight of the brand's closest
// match over all the listing's images; pictured is false when none matches.
func imageScore(b *brand.Brand, images []imageEvidence) (s Signal, pictured bool) {
	best := 2.0
	found := false
	for _, ie := range images {
		for _, m := range ie.matches {
			if m.BrandID != b.ID {
				continue
			}
			if f := matchFrac(m); f < best {
				best, found = f, true
			}
		}
	}
	if !found {
		return Signal{}, false
	}
	return Signal{Kind: KindImage, Score: imageWeight(best)}, true
}

// matchFrac is how far a match is, as a fraction of its own threshold: it
// compares whole-image, crop-variant and region matches, whose thresholds
// differ.
func matchFrac(m imagehash.Match) float64 {
	return float64(m.Distance) / float64(max(m.Threshold, 1))
}

// imageWeight weighs a match at frac of its threshold: an equal photo weighs
// wImageNear, one at the threshold wImageFar.
func imageWeight(frac float64) float64 { return wImageNear - (wImageNear-wImageFar)*frac }
