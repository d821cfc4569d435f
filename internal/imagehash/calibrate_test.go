package imagehash

import (
	"fmt"
	"image"
	"image/color"
	"os"
	"strings"
	"testing"

	"golang.org/x/image/draw"
)

// TestCalibrate prints the measurements DefaultThreshold,
// DefaultCropThreshold, DefaultRegionThreshold and MinQuality were chosen
// from. It needs a directory of unrelated JPEG photographs (the committed
// testdata is too small for a 1% false-match estimate):
//
//	ASSAY_CALIBRATION_DIR=/path/to/photos go test -tags turbojpeg -run Calibrate -v ./internal/imagehash/
//
// Every photo, plain and under every edit (listingTransforms plus the
// informational extraTransforms), is queried against every other photo's
// ReferenceHashesAll. A pair is a false match when any comparison is within
// its threshold: whole image vs the six ReferenceHashes variants (Whole),
// whole image vs the eight one-sided crops (Crop), or a region vs the same
// region of the reference or its mirror (Region). Crop or Region -1 leaves
// that kind out, so "Crop -1 Region -1" is Nearest with ReferenceHashes.
func TestCalibrate(t *testing.T) {
	dir := os.Getenv("ASSAY_CALIBRATION_DIR")
	if dir == "" {
		t.Skip("set ASSAY_CALIBRATION_DIR to a directory of unrelated JPEG photos")
	}
	photos := loadPhotos(t, dir)
	trs := append(listingTransforms(), extraTransforms()...)
	lim := DefaultLimits()

	var qual []string
	for _, p := range photos {
		pl, err := decodeGray(p.data, lim, Accelerated())
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		q := pl.trimBorders().resize(hashSide, hashSide).quality()
		qual = append(qual, fmt.Sprintf("%s=%d", p.name, q))
	}
	t.Logf("quality: %s", strings.Join(qual, " "))

	type entry struct {
		name    string
		refs    []RefHash
		queries map[string]Hashes
	}
	var es []entry
	for _, p := range photos {
		refs, err := ReferenceHashesAll(p.data, lim)
		if err != nil {
			t.Logf("%s: reference: %v", p.name, err)
			continue
		}
		e := entry{name: p.name, refs: refs, queries: map[string]Hashes{}}
		h, err := ComputeAll(p.data, lim)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		e.queries["plain"] = h
		for _, tr := range trs {
			h, err := ComputeAll(encodeJPEG(t, tr.apply(p.img), tr.quality), lim)
			if err != nil {
				t.Logf("%s %s: %v", p.name, tr.name, err)
				continue
			}
			e.queries[tr.name] = h
		}
		es = append(es, e)
	}

	var unrelated []kindDistances
	own := map[string][]kindDistances{}
	for i, a := range es {
		for j, b := range es {
			for name, h := range a.queries {
				d := nearestByKind(h, b.refs)
				if i == j {
					own[name] = append(own[name], d)
				} else {
					unrelated = append(unrelated, d)
				}
			}
		}
	}
	t.Logf("%d photos, %d unrelated (query, reference) pairs", len(es), len(unrelated))
	for k, kind := range []string{"whole", "crop", "region"} {
		var hist [26]int
		for _, d := range unrelated {
			if d[k] < len(hist) {
				hist[d[k]]++
			}
		}
		t.Logf("unrelated pairs by nearest %s distance 0..25: %v", kind, hist)
	}
	names := []string{"plain"}
	for _, tr := range trs {
		names = append(names, tr.name)
	}
	for _, th := range []Thresholds{
		{16, -1, -1}, {18, -1, -1}, {20, -1, -1},
		{18, 10, -1}, {18, 12, -1}, {18, 14, -1}, {18, 16, -1},
		{18, 12, 8}, {18, 12, 10}, {18, 12, 12}, {18, 12, 14}, {18, 12, 16},
		{18, 14, 14}, {18, 16, 16},
	} {
		fm := 0
		for _, d := range unrelated {
			if d.match(th) {
				fm++
			}
		}
		line := fmt.Sprintf("Whole %d Crop %d Region %d: false %.2f%% | recall:", th.Whole, th.Crop, th.Region,
			100*float64(fm)/float64(len(unrelated)))
		for _, n := range names {
			ok := 0
			for _, d := range own[n] {
				if d.match(th) {
					ok++
				}
			}
			line += fmt.Sprintf(" %s %.0f", n, 100*float64(ok)/float64(max(len(own[n]), 1)))
		}
		t.Log(line)
	}
	th := DefaultThresholds()
	for _, e := range es {
		for _, n := range names {
			if h, ok := e.queries[n]; ok {
				if d := nearestByKind(h, e.refs); !d.match(th) {
					t.Logf("miss at defaults: %s %s, nearest whole/crop/region %v", e.name, n, d)
				}
			}
		}
	}
}

// kindDistances are the nearest distances from a listing's hashes to one
// reference image's, per kind of comparison: whole image vs ReferenceHashes
// variants, whole image vs one-sided crops, region vs same region.
type kindDistances [3]int

func (d kindDistances) match(th Thresholds) bool {
	return d[0] <= th.Whole || d[1] <= th.Crop || d[2] <= th.Region
}

func nearestByKind(q Hashes, refs []RefHash) kindDistances {
	d := kindDistances{65, 65, 65}
	for _, r := range refs {
		switch {
		case r.Region == RegionWhole && !isOneSidedCrop(r.Variant):
			d[0] = min(d[0], Distance(q.Whole, r.Hash))
		case r.Region == RegionWhole:
			d[1] = min(d[1], Distance(q.Whole, r.Hash))
		default:
			for _, rh := range q.Regions {
				if rh.Region == r.Region {
					d[2] = min(d[2], Distance(rh.Hash, r.Hash))
				}
			}
		}
	}
	return d
}

// extraTransforms are edits measured by TestCalibrate only, to show where
// the design stops working: a side bar, a banner beyond the regions' reach,
// banners combined with other edits, one-sided crops of other sizes.
func extraTransforms() []transform {
	return []transform{
		{"x-sidebar15", 85, func(m image.Image) image.Image {
			r := toRGBA(m)
			w, h := r.Bounds().Dx(), r.Bounds().Dy()
			draw.Draw(r, image.Rect(0, 0, w*15/100, h), image.NewUniform(color.RGBA{20, 20, 200, 255}), image.Point{}, draw.Src)
			return r
		}},
		{"x-banner25", 85, func(m image.Image) image.Image { return banner(m, false, 25) }},
		{"x-mirror-banner20", 85, func(m image.Image) image.Image { return mirrorImage(banner(m, false, 20)) }},
		{"x-banner20-resize60-q70", 70, func(m image.Image) image.Image {
			return scaleTo(banner(m, false, 20), m.Bounds().Dx()*6/10, m.Bounds().Dy()*6/10)
		}},
		{"x-croptl5", 85, func(m image.Image) image.Image { return cropSides(m, 0.05, 0.05, 0, 0) }},
		{"x-croptl15", 85, func(m image.Image) image.Image { return cropSides(m, 0.15, 0.15, 0, 0) }},
		{"x-croptop10", 85, func(m image.Image) image.Image { return cropSides(m, 0.10, 0, 0, 0) }},
		{"x-cropright10", 85, func(m image.Image) image.Image { return cropSides(m, 0, 0, 0, 0.10) }},
	}
}
