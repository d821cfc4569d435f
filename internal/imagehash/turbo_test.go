//go:build cgo && turbojpeg

package imagehash

import (
	"testing"
)

// TestTurboMatchesPureGo compares the libjpeg-turbo scaled decode with the
// image/jpeg path on real photos and their edited copies, at the sizes that
// select each scale (1/2, 1/4, 1/8). Research measured 0-2 bits of pHash
// drift between decoders; a reference hashed by one build must still match a
// listing hashed by the other.
func TestTurboMatchesPureGo(t *testing.T) {
	if !Accelerated() {
		t.Fatal("built with turbojpeg but Accelerated() is false")
	}
	lim := DefaultLimits()
	var total, n, worst int
	for _, p := range loadPhotos(t, "testdata") {
		b := p.img.Bounds()
		inputs := map[string][]byte{
			"as is":  p.data,
			"x2":     encodeJPEG(t, scaleTo(p.img, 2*b.Dx(), 2*b.Dy()), 85),
			"x4":     encodeJPEG(t, scaleTo(p.img, 4*b.Dx(), 4*b.Dy()), 85),
			"rotate": encodeJPEG(t, rotate(p.img, 5), 85),
		}
		for name, data := range inputs {
			t.Run(p.name+"/"+name, func(t *testing.T) {
				fast, err := compute(data, lim, true)
				if err != nil {
					t.Fatal(err)
				}
				slow, err := compute(data, lim, false)
				if err != nil {
					t.Fatal(err)
				}
				d := Distance(fast, slow)
				total += d
				n++
				worst = max(worst, d)
				if d > 6 {
					t.Errorf("turbo and pure-Go hashes differ by %d bits", d)
				}
			})
		}
	}
	mean := float64(total) / float64(n)
	t.Logf("turbo vs pure Go: mean %.2f bits, worst %d, over %d images", mean, worst, n)
	if mean > 2 {
		t.Errorf("mean drift %.2f bits, want <= 2", mean)
	}
}

// TestTurboUsed guards against the accelerated build silently falling back to
// image/jpeg for ordinary files.
func TestTurboUsed(t *testing.T) {
	for _, p := range loadPhotos(t, "testdata") {
		b := p.img.Bounds()
		if _, err := decodeJPEGTurbo(p.data, b.Dx(), b.Dy()); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	}
}
