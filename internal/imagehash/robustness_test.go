package imagehash

import (
	"testing"
)

// hashedPhoto is a test photo's reference hashes and the hashes of its
// edited copies, through both APIs: Compute/ReferenceHashes/Nearest (whole
// image only) and ComputeAll/ReferenceHashesAll/NearestAll.
type hashedPhoto struct {
	name       string
	refs       []RefHash
	refsAll    []RefHash
	queries    map[string]Hash   // by transform name; "plain" is the photo itself
	queriesAll map[string]Hashes // same keys
}

func hashTestPhotos(t *testing.T) []hashedPhoto {
	t.Helper()
	return hashPhotos(t, loadPhotos(t, "testdata"), true)
}

// hashPhotos hashes photos and their edited copies. With strict, a photo
// that an edit makes unhashable fails the test (on real photos that is a
// failure of the detail gate's calibration); otherwise it is skipped.
func hashPhotos(t *testing.T, photos []photo, strict bool) []hashedPhoto {
	t.Helper()
	lim := DefaultLimits()
	fail := t.Fatalf
	if !strict {
		fail = t.Logf
	}
	var out []hashedPhoto
	for _, p := range photos {
		refs, err := ReferenceHashes(p.data, lim)
		if err != nil {
			fail("%s: reference hashes: %v", p.name, err)
			continue
		}
		refsAll, err := ReferenceHashesAll(p.data, lim)
		if err != nil {
			t.Fatalf("%s: ReferenceHashesAll: %v (ReferenceHashes accepted it)", p.name, err)
		}
		hp := hashedPhoto{name: p.name, refs: refs, refsAll: refsAll,
			queries: map[string]Hash{}, queriesAll: map[string]Hashes{}}
		inputs := map[string][]byte{"plain": p.data}
		for _, tr := range listingTransforms() {
			inputs[tr.name] = encodeJPEG(t, tr.apply(p.img), tr.quality)
		}
		for name, data := range inputs {
			h, err := Compute(data, lim)
			if err != nil {
				fail("%s %s: %v", p.name, name, err)
				continue
			}
			hs, err := ComputeAll(data, lim)
			if err != nil || hs.Whole != h {
				t.Fatalf("%s %s: ComputeAll = %v, %v; Compute %v", p.name, name, hs, err, h)
			}
			hp.queries[name] = h
			hp.queriesAll[name] = hs
		}
		out = append(out, hp)
	}
	return out
}

// photoIndexes returns indexes holding every photo as its own brand: the
// legacy one (ReferenceHashes, DefaultThreshold) and the full one
// (ReferenceHashesAll, DefaultThresholds).
func photoIndexes(photos []hashedPhoto) (legacy, all *Index) {
	legacy, all = NewIndex(DefaultThreshold), NewIndexThresholds(DefaultThresholds())
	for _, p := range photos {
		legacy.AddImage(p.name, p.name, p.refs)
		all.AddImage(p.name, p.name, p.refsAll)
	}
	return legacy, all
}

func matchOf(ms []Match, brand string) (Match, bool) {
	for _, m := range ms {
		if m.BrandID == brand {
			return m, true
		}
	}
	return Match{}, false
}

// TestRobustness checks that edited copies of each photo still match its
// reference hashes. Floors follow calibrate_test.go (66 photos): with
// whole-image hashes only (Nearest), lossless-looking edits, mirror and
// crops within the stored variants match all; 10% padding ~98%; a 5 degree
// rotation (85%), banners over 15-20% of the image (83-88%) and one-sided
// crops (67-76%) are the weak spots of a 64-bit pHash. NearestAll's region
// hashes and one-sided crop variants bring banners and those crops to 100%
// on the 66 photos; the floors leave room for one miss among the 12 here.
func TestRobustness(t *testing.T) {
	photos := hashTestPhotos(t)
	legacy, all := photoIndexes(photos)
	floorsAll := map[string]float64{
		"resize50": 1, "jpeg40": 1, "bright20": 1, "mirror": 1, "crop5": 1,
		"crop10": 0.9, "pad10": 0.9, "rotate5": 0.75,
		"banner": 0.9, "banner20": 0.9, "bannertop15": 0.9, "bannertop20": 0.9,
		"croptl10": 0.9, "cropbr10": 0.9,
	}
	floorsLegacy := map[string]float64{
		"resize50": 1, "jpeg40": 1, "bright20": 1, "mirror": 1, "crop5": 1,
		"crop10": 0.9, "pad10": 0.9, "rotate5": 0.75, "banner": 0.75,
	}
	for _, tr := range listingTransforms() {
		t.Run(tr.name, func(t *testing.T) {
			floor, ok := floorsAll[tr.name]
			if !ok {
				t.Fatalf("no recall floor for %s", tr.name)
			}
			hitsLegacy, hitsAll := 0, 0
			kinds := map[string]int{}
			for _, p := range photos {
				if _, ok := matchOf(legacy.Nearest(p.queries[tr.name]), p.name); ok {
					hitsLegacy++
				}
				if m, ok := matchOf(all.NearestAll(p.queriesAll[tr.name]), p.name); ok {
					hitsAll++
					kinds[m.Region+"/"+m.Variant]++
				} else {
					t.Logf("%s: no match; nearest whole-image distance %d", p.name, minRefDistance(p.queries[tr.name], p.refs))
				}
			}
			rl, ra := float64(hitsLegacy)/float64(len(photos)), float64(hitsAll)/float64(len(photos))
			t.Logf("recall Nearest %.0f%% (%d/%d), NearestAll %.0f%% (%d/%d); matched by %v",
				100*rl, hitsLegacy, len(photos), 100*ra, hitsAll, len(photos), kinds)
			if ra < floor-1e-9 {
				t.Errorf("NearestAll recall %.2f below floor %.2f", ra, floor)
			}
			if f, ok := floorsLegacy[tr.name]; ok && rl < f-1e-9 {
				t.Errorf("Nearest recall %.2f below floor %.2f", rl, f)
			}
		})
	}
}

// TestFalseMatches queries every photo and each of its edited copies against
// every other photo's references, through Nearest and through NearestAll
// (every whole-image, one-sided crop and region comparison counts): at most
// 1% of these unrelated pairs may match.
func TestFalseMatches(t *testing.T) {
	photos := hashTestPhotos(t)
	legacy, all := photoIndexes(photos)
	pairs, fmLegacy, fmAll := 0, 0, 0
	for _, a := range photos {
		for name := range a.queries {
			pairs += len(photos) - 1
			for _, m := range legacy.Nearest(a.queries[name]) {
				if m.BrandID != a.name {
					fmLegacy++
					t.Logf("false match (Nearest): %s (%s) ~ %s at %d", a.name, name, m.BrandID, m.Distance)
				}
			}
			for _, m := range all.NearestAll(a.queriesAll[name]) {
				if m.BrandID != a.name {
					fmAll++
					t.Logf("false match (NearestAll): %s (%s) ~ %s %s/%s at %d of %d",
						a.name, name, m.BrandID, m.Variant, m.Region, m.Distance, m.Threshold)
				}
			}
		}
	}
	for _, r := range []struct {
		api string
		n   int
	}{{"Nearest", fmLegacy}, {"NearestAll", fmAll}} {
		rate := float64(r.n) / float64(pairs)
		t.Logf("%s: false matches %d of %d unrelated pairs (%.2f%%)", r.api, r.n, pairs, 100*rate)
		if rate > 0.01 {
			t.Errorf("%s: false-match rate %.2f%% above 1%%", r.api, 100*rate)
		}
	}
}
