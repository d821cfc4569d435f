package imagehash

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// jpeg800 makes an 800x800 JPEG q85 by upscaling a real test photo: the size
// of a typical marketplace listing image.
func jpeg800(b *testing.B) []byte {
	b.Helper()
	p := loadPhotos(b, "testdata")[0]
	return encodeJPEG(b, scaleTo(p.img, 800, 800), 85)
}

func BenchmarkCompute800(b *testing.B) {
	data := jpeg800(b)
	lim := DefaultLimits()
	b.Logf("accelerated=%v", Accelerated())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Compute(data, lim); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

func BenchmarkCompute800Parallel(b *testing.B) {
	data := jpeg800(b)
	lim := DefaultLimits()
	b.SetBytes(int64(len(data)))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := Compute(data, lim); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

func BenchmarkReferenceHashes800(b *testing.B) {
	data := jpeg800(b)
	lim := DefaultLimits()
	for b.Loop() {
		if _, err := ReferenceHashes(data, lim); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNearest(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 6))
			ix := NewIndex(DefaultThreshold)
			for i := range n {
				ix.Add(Ref{BrandID: fmt.Sprint(i % 1000), RefHash: RefHash{Hash: Hash(r.Uint64())}})
			}
			q := Hash(r.Uint64())
			for b.Loop() {
				ix.Nearest(q)
			}
		})
	}
}
