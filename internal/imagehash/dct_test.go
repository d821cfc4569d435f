package imagehash

import (
	"fmt"
	"testing"

	"github.com/corona10/goimagehash"
)

// phash runs goimagehash itself on a 64x64 plane: the reference phashFast
// must reproduce.
func phash(small *plane) (Hash, error) {
	h, err := goimagehash.PerceptionHash(small.gray())
	if err != nil {
		return 0, fmt.Errorf("perception hash: %w", err)
	}
	return Hash(h.GetHash()), nil
}

// TestPhashFastMatchesGoimagehash checks phashFast against
// goimagehash.PerceptionHash bit for bit on the 64x64 planes of real photos,
// their edited copies and their region crops: stored hashes must not change
// meaning.
func TestPhashFastMatchesGoimagehash(t *testing.T) {
	lim := DefaultLimits()
	n := 0
	for _, p := range loadPhotos(t, "testdata") {
		inputs := map[string][]byte{"plain": p.data}
		for _, tr := range listingTransforms() {
			inputs[tr.name] = encodeJPEG(t, tr.apply(p.img), tr.quality)
		}
		for name, data := range inputs {
			pl, err := decodeGray(data, lim, false)
			if err != nil {
				t.Fatal(err)
			}
			pl = pl.trimBorders()
			srcs := []*plane{pl, pl.mirror()}
			for _, r := range regions() {
				srcs = append(srcs, r.of(pl))
			}
			for i, src := range srcs {
				small := src.resize(hashSide, hashSide)
				want, err := phash(small)
				if err != nil {
					t.Fatal(err)
				}
				n++
				if got := phashFast(small); got != want {
					t.Errorf("%s %s #%d: phashFast %v, goimagehash %v (%d bits)", p.name, name, i, got, want, Distance(got, want))
				}
			}
		}
	}
	t.Logf("%d planes compared", n)
}

func BenchmarkPhash(b *testing.B) {
	pl, err := decodeGray(loadPhotos(b, "testdata")[0].data, DefaultLimits(), false)
	if err != nil {
		b.Fatal(err)
	}
	small := pl.resize(hashSide, hashSide)
	b.Run("goimagehash", func(b *testing.B) {
		for b.Loop() {
			if _, err := phash(small); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			phashFast(small)
		}
	})
	b.Run("resize", func(b *testing.B) {
		for b.Loop() {
			pl.resize(hashSide, hashSide)
		}
	})
}
