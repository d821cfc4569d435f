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

// BenchmarkCompute800 measures what the matcher calls per listing image:
// ComputeAll (whole-image and region hashes).
func BenchmarkCompute800(b *testing.B) {
	data := jpeg800(b)
	lim := DefaultLimits()
	b.Logf("accelerated=%v", Accelerated())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ComputeAll(data, lim); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "images/s")
}

// BenchmarkComputeWhole800 measures Compute alone (whole-image hash).
func BenchmarkComputeWhole800(b *testing.B) {
	data := jpeg800(b)
	lim := DefaultLimits()
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
			if _, err := ComputeAll(data, lim); err != nil {
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

func BenchmarkReferenceHashesAll800(b *testing.B) {
	data := jpeg800(b)
	lim := DefaultLimits()
	for b.Loop() {
		if _, err := ReferenceHashesAll(data, lim); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNearestAll queries whole and region hashes against n references
// spread over the kinds as ReferenceHashesAll spreads them (22 per image).
func BenchmarkNearestAll(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			r := rand.New(rand.NewPCG(5, 6))
			ix := NewIndexThresholds(DefaultThresholds())
			kinds := []struct{ variant, region string }{
				{"original", ""}, {"mirrored", ""}, {"crop4", ""}, {"crop8", ""}, {"mirrored-crop4", ""}, {"mirrored-crop8", ""},
				{"crop-tl", ""}, {"crop-tr", ""}, {"crop-bl", ""}, {"crop-br", ""},
				{"mirrored-crop-tl", ""}, {"mirrored-crop-tr", ""}, {"mirrored-crop-bl", ""}, {"mirrored-crop-br", ""},
			}
			for _, reg := range []string{RegionTop, RegionBottom, RegionLeft, RegionRight} {
				kinds = append(kinds, struct{ variant, region string }{"original", reg}, struct{ variant, region string }{"mirrored", reg})
			}
			for i := range n {
				k := kinds[i%len(kinds)]
				ix.Add(Ref{BrandID: fmt.Sprint(i / len(kinds) % 1000), RefHash: RefHash{Hash: Hash(r.Uint64()), Variant: k.variant, Region: k.region}})
			}
			q := Hashes{Whole: Hash(r.Uint64())}
			for _, reg := range []string{RegionTop, RegionBottom, RegionLeft, RegionRight} {
				q.Regions = append(q.Regions, RegionHash{Region: reg, Hash: Hash(r.Uint64())})
			}
			for b.Loop() {
				ix.NearestAll(q)
			}
		})
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
