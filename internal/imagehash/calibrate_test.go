package imagehash

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestCalibrate prints the measurements DefaultThreshold and MinQuality were
// chosen from. It needs a directory of unrelated JPEG photographs (the
// committed testdata is too small for a 1% false-match estimate):
//
//	ASSAY_CALIBRATION_DIR=/path/to/photos go test -run Calibrate -v ./internal/imagehash/
func TestCalibrate(t *testing.T) {
	dir := os.Getenv("ASSAY_CALIBRATION_DIR")
	if dir == "" {
		t.Skip("set ASSAY_CALIBRATION_DIR to a directory of unrelated JPEG photos")
	}
	photos := loadPhotos(t, dir)
	trs := listingTransforms()
	lim := DefaultLimits()

	type entry struct {
		refs    []RefHash
		queries map[string]Hash // by transform; "plain" is the photo itself
	}
	var es []entry
	var qual []string
	for _, p := range photos {
		pl, err := decodeGray(p.data, lim, Accelerated())
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		q := pl.trimBorders().resize(hashSide, hashSide).quality()
		qual = append(qual, fmt.Sprintf("%s=%d", p.name, q))
		refs, err := ReferenceHashes(p.data, lim)
		if err != nil {
			t.Logf("%s: reference: %v", p.name, err)
			continue
		}
		e := entry{refs: refs, queries: map[string]Hash{}}
		h, err := Compute(p.data, lim)
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		e.queries["plain"] = h
		for _, tr := range trs {
			h, err := Compute(encodeJPEG(t, tr.apply(p.img), tr.quality), lim)
			if err != nil {
				t.Logf("%s %s: %v", p.name, tr.name, err)
				continue
			}
			e.queries[tr.name] = h
		}
		es = append(es, e)
	}
	t.Logf("quality: %s", strings.Join(qual, " "))

	for th := 12; th <= 24; th++ {
		var fm, pairs, fmPlain, pairsPlain, fmOrig int
		for i, a := range es {
			for j, b := range es {
				if i == j {
					continue
				}
				for name, h := range a.queries {
					pairs++
					if minRefDistance(h, b.refs) <= th {
						fm++
					}
					if name == "plain" {
						pairsPlain++
						if minRefDistance(h, b.refs) <= th {
							fmPlain++
						}
						if Distance(h, b.refs[0].Hash) <= th {
							fmOrig++
						}
					}
				}
			}
		}
		line := fmt.Sprintf("T=%d false: all queries %.2f%% plain-vs-variants %.2f%% plain-vs-original %.2f%% | recall:",
			th, 100*float64(fm)/float64(pairs), 100*float64(fmPlain)/float64(pairsPlain), 100*float64(fmOrig)/float64(pairsPlain))
		for _, tr := range trs {
			ok, n := 0, 0
			for _, e := range es {
				if h, found := e.queries[tr.name]; found {
					n++
					if minRefDistance(h, e.refs) <= th {
						ok++
					}
				}
			}
			line += fmt.Sprintf(" %s %.0f", tr.name, 100*float64(ok)/float64(max(n, 1)))
		}
		t.Log(line)
	}
}
