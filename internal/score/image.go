package score

import (
	"fmt"
	"strings"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
)

// imageSignal weighs the best match of any listing image against the brand's
// reference images. Closer copies weigh more: at the threshold a match is
// only a hint, because with many references some unrelated photo will come
// that close.
func imageSignal(b *brand.Brand, images []imageEvidence) *Signal {
	bestI := -1
	var best imagehash.Match
	frac := 2.0
	for i, ie := range images {
		for _, m := range ie.matches {
			if m.BrandID != b.ID {
				continue
			}
			// Whole-image, crop-variant and region matches have thresholds
			// of their own; distance over threshold compares them.
			if f := float64(m.Distance) / float64(max(m.Threshold, 1)); f < frac {
				frac, bestI, best = f, i, m
			}
		}
	}
	if bestI < 0 {
		return nil
	}
	w := wImageNear - (wImageNear-wImageFar)*frac
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
	return &Signal{Kind: KindImage, Score: w, Evidence: fmt.Sprintf(
		"image %d (%s) matches reference %s%s at distance %d of 64 (threshold %d)",
		bestI+1, images[bestI].img.Ref, best.Image, how, best.Distance, best.Threshold),
		Image: &ImageMatch{Listing: images[bestI].img.Ref, Reference: best.Image, Distance: best.Distance, Threshold: best.Threshold,
			Variant: best.Variant, Region: best.Region}}
}
