package imagehash

import (
	"testing"
)

// hashedPhoto is a test photo's reference hashes and the hashes of its
// edited copies.
type hashedPhoto struct {
	name    string
	refs    []RefHash
	queries map[string]Hash // by transform name; "plain" is the photo itself
}

func hashTestPhotos(t *testing.T) []hashedPhoto {
	t.Helper()
	lim := DefaultLimits()
	var out []hashedPhoto
	for _, p := range loadPhotos(t, "testdata") {
		refs, err := ReferenceHashes(p.data, lim)
		if err != nil {
			t.Fatalf("%s: reference hashes: %v", p.name, err)
		}
		plain, err := Compute(p.data, lim)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		hp := hashedPhoto{name: p.name, refs: refs, queries: map[string]Hash{"plain": plain}}
		for _, tr := range listingTransforms() {
			h, err := Compute(encodeJPEG(t, tr.apply(p.img), tr.quality), lim)
			if err != nil {
				// A real photo that an edit makes unhashable is a failure
				// of the detail gate's calibration.
				t.Fatalf("%s %s: %v", p.name, tr.name, err)
			}
			hp.queries[tr.name] = h
		}
		out = append(out, hp)
	}
	return out
}

// TestRobustness checks that edited copies of each photo still match its
// reference hashes at DefaultThreshold. Floors follow what the research and
// calibrate_test.go (66 photos) measured: lossless-looking edits, mirror and
// crops within the stored variants match all; 10% padding ~98%; a 5 degree
// rotation (85%) and a banner over 15% of the image (83%) are the known weak
// spots of a 64-bit pHash.
func TestRobustness(t *testing.T) {
	photos := hashTestPhotos(t)
	floors := map[string]float64{
		"resize50": 1, "jpeg40": 1, "bright20": 1, "mirror": 1, "crop5": 1,
		"crop10": 0.9, "pad10": 0.9, "rotate5": 0.75, "banner": 0.75,
	}
	for _, tr := range listingTransforms() {
		t.Run(tr.name, func(t *testing.T) {
			floor, ok := floors[tr.name]
			if !ok {
				t.Fatalf("no recall floor for %s", tr.name)
			}
			hits, worst := 0, 0
			for _, p := range photos {
				d := minRefDistance(p.queries[tr.name], p.refs)
				worst = max(worst, d)
				if d <= DefaultThreshold {
					hits++
				} else {
					t.Logf("%s: distance %d", p.name, d)
				}
			}
			recall := float64(hits) / float64(len(photos))
			t.Logf("recall %.0f%% (%d/%d), worst distance %d, threshold %d",
				100*recall, hits, len(photos), worst, DefaultThreshold)
			if recall < floor-1e-9 {
				t.Errorf("recall %.2f below floor %.2f", recall, floor)
			}
		})
	}
}

// TestFalseMatches queries every photo and each of its edited copies against
// every other photo's reference variants: at DefaultThreshold at most 1% of
// these unrelated pairs may match.
func TestFalseMatches(t *testing.T) {
	photos := hashTestPhotos(t)
	pairs, false_ := 0, 0
	for i, a := range photos {
		for j, b := range photos {
			if i == j {
				continue
			}
			for name, h := range a.queries {
				pairs++
				if d := minRefDistance(h, b.refs); d <= DefaultThreshold {
					false_++
					t.Logf("false match: %s (%s) ~ %s at %d", a.name, name, b.name, d)
				}
			}
		}
	}
	rate := float64(false_) / float64(pairs)
	t.Logf("false matches %d of %d unrelated pairs (%.2f%%) at threshold %d", false_, pairs, 100*rate, DefaultThreshold)
	if rate > 0.01 {
		t.Errorf("false-match rate %.2f%% above 1%%", 100*rate)
	}
}
