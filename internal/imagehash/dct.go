package imagehash

import "math"

// dctBasis[k][n] = cos(pi*(2n+1)*k / 128): the first 8 rows of the
// unnormalised 64-point DCT-II that goimagehash's DCT1DFast64 computes.
var dctBasis = func() (b [8][hashSide]float64) {
	for k := range b {
		for n := range b[k] {
			b[k][n] = math.Cos(math.Pi * float64((2*n+1)*k) / (2 * hashSide))
		}
	}
	return b
}()

// grayLevel is goimagehash's pixel2Gray for a grey pixel of value v (its
// weights sum to 1 only up to float rounding, so v itself would differ in
// the last bits).
var grayLevel = func() (t [256]float64) {
	for v := range t {
		r, g, b := uint32(v)*0x101, uint32(v)*0x101, uint32(v)*0x101
		t[v] = 0.299*float64(r/257) + 0.587*float64(g/257) + 0.114*float64(b/256)
	}
	return t
}()

// phashFast computes the same 64 bits as goimagehash.PerceptionHash on a
// 64x64 plane, without the parts that cost: goimagehash reads the pixels
// through image.Image.At and runs the full 64x64 DCT (4,096 coefficients),
// then keeps only the 8x8 low-frequency corner. Here only those 64
// coefficients are computed, directly from the DCT-II sum. The transform is
// the same unnormalised DCT-II (a uniform scale would not change the
// median-threshold bits anyway), so results differ from goimagehash's only
// by float rounding: a bit can flip only when a coefficient ties the median
// to ~1e-12, which TestPhashFastMatchesGoimagehash checks does not happen on
// real photos. Takes ~25 us instead of ~250 us, which is what makes hashing
// several regions per listing image affordable.
func phashFast(p *plane) Hash {
	// Row pass: 8 coefficients of each of the 64 rows.
	var rows [hashSide][8]float64
	for y := 0; y < hashSide; y++ {
		r := p.row(y)[:hashSide]
		var px [hashSide]float64
		for x, v := range r {
			px[x] = grayLevel[v]
		}
		for k := range 8 {
			b := &dctBasis[k]
			var s float64
			for n := range hashSide {
				s += px[n] * b[n]
			}
			rows[y][k] = s
		}
	}
	// Column pass over the 8 kept columns.
	var coef [64]float64 // row-major 8x8: coef[8*ky+kx]
	for kx := range 8 {
		for ky := range 8 {
			b := &dctBasis[ky]
			var s float64
			for n := range hashSide {
				s += rows[n][kx] * b[n]
			}
			coef[8*ky+kx] = s
		}
	}
	median := goimagehashMedian(coef)
	var h Hash
	for i, c := range coef {
		if c > median {
			h |= 1 << (63 - i)
		}
	}
	return h
}

// goimagehashMedian reproduces goimagehash's etcs.MedianOfPixelsFast64
// exactly, quirk included: after quickselect puts the 33rd smallest value at
// index 32 it averages that with whatever value sits at index 31, which is
// below it but not always the 32nd smallest. The threshold is therefore not
// always the true median, and the bits must follow the same rule to stay
// identical to goimagehash's.
func goimagehashMedian(v [64]float64) float64 {
	const k = 32
	lo, hi := 0, len(v)-1
	for lo < hi {
		pivot := lo/2 + hi/2
		pv := v[pivot]
		store := lo
		v[pivot], v[hi] = v[hi], v[pivot]
		for i := lo; i < hi; i++ {
			if v[i] < pv {
				v[store], v[i] = v[i], v[store]
				store++
			}
		}
		v[hi], v[store] = v[store], v[hi]
		if k <= store {
			hi = store
		} else {
			lo = store + 1
		}
	}
	return v[k-1]/2 + v[k]/2
}
