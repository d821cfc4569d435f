package imagehash

import (
	"fmt"
	"sync"
	"testing"
)

func TestIndexNearest(t *testing.T) {
	ix := NewIndex(10)
	add := func(brand, img string, h Hash, v string) {
		ix.Add(Ref{BrandID: brand, Image: img, RefHash: RefHash{Hash: h, Variant: v}})
	}
	add("acme", "a1.jpg", 0x0, "original")
	add("acme", "a1.jpg", 0xff, "mirrored")   // 8 bits from 0
	add("bolt", "b1.jpg", 0x7, "original")    // 3 bits from 0
	add("bolt", "b2.jpg", 0x3, "original")    // 2 bits from 0: bolt's best
	add("crux", "c1.jpg", 0xffff, "original") // 16 bits: beyond threshold
	add("dyne", "d1.jpg", 0x3, "crop4")       // ties bolt at 2

	tests := []struct {
		name  string
		query Hash
		want  []string // "brand/image/variant@distance", in order
	}{
		{"best per brand, sorted, ties by brand", 0x0,
			[]string{"acme/a1.jpg/original@0", "bolt/b2.jpg/original@2", "dyne/d1.jpg/crop4@2"}},
		{"nothing within threshold", 0xffffff0000000000, nil},
		{"mirrored variant wins", 0xff,
			[]string{"acme/a1.jpg/mirrored@0", "bolt/b1.jpg/original@5", "dyne/d1.jpg/crop4@6", "crux/c1.jpg/original@8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range ix.Nearest(tt.query) {
				got = append(got, fmt.Sprintf("%s/%s/%s@%d", m.BrandID, m.Image, m.Variant, m.Distance))
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("Nearest = %v, want %v", got, tt.want)
			}
		})
	}
	if ix.Len() != 6 {
		t.Errorf("Len = %d, want 6", ix.Len())
	}
}

// TestIndexPhotos registers the test photos as brands and checks each edited
// copy finds its own brand first.
func TestIndexPhotos(t *testing.T) {
	lim := DefaultLimits()
	ix := NewIndex(DefaultThreshold)
	photos := loadPhotos(t, "testdata")
	for _, p := range photos {
		refs, err := ReferenceHashes(p.data, lim)
		if err != nil {
			t.Fatal(err)
		}
		ix.AddImage(p.name, "testdata/"+p.name, refs)
	}
	for _, p := range photos {
		t.Run(p.name, func(t *testing.T) {
			h, err := Compute(encodeJPEG(t, mirrorImage(cropCentre(p.img, 0.05)), 70), lim)
			if err != nil {
				t.Fatal(err)
			}
			ms := ix.Nearest(h)
			if len(ms) == 0 || ms[0].BrandID != p.name {
				t.Fatalf("Nearest = %+v, want %s first", ms, p.name)
			}
		})
	}
}

func TestIndexConcurrent(t *testing.T) {
	ix := NewIndex(DefaultThreshold)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				ix.Add(Ref{BrandID: fmt.Sprint(g), RefHash: RefHash{Hash: Hash(i)}})
				ix.Nearest(Hash(i))
			}
		})
	}
	wg.Wait()
	if ix.Len() != 800 {
		t.Fatalf("Len = %d, want 800", ix.Len())
	}
}
