package imagehash

import (
	"image"
)

const (
	// hashSide is the input size PerceptionHash expects; handing it exactly
	// 64x64 skips its slow nfnt/resize pass.
	hashSide = 64
	// minSide is the smallest content (after trimming) worth hashing.
	minSide = 8
	// borderTolerance is how far (in grey levels) a border line may stray
	// from the border colour and still count as padding. Calibrated on 66
	// photos: 6 keeps 98% of 10%-padded photos matching, while 12 let
	// repeated passes eat into smooth backgrounds (blurred or vignetted
	// photos) differently in a cropped copy, dropping crop recall.
	borderTolerance = 6
)

// MinQuality is the smallest detail score (see plane.quality: mean
// neighbour difference on the 64x64 image, in tenths of a grey level)
// accepted by Compute and ReferenceHashes.
//
// Below it the DCT coefficients sit so close to their median that JPEG noise
// flips bits at random. Calibrated on 66 real photographs (opencv-doc and
// scikit-image samples, calibrate_test.go): the lowest scores 16 (a
// motion-blurred clock), the next 28; none of their edited copies falls
// below 8. Flat and near-flat images (a colour with JPEG noise, a faint
// vignette) score 0-3.
const MinQuality = 8

// plane is an 8-bit greyscale image, possibly a view into a larger one.
type plane struct {
	pix    []uint8
	stride int
	w, h   int
}

func newPlane(w, h int) *plane {
	return &plane{pix: make([]uint8, w*h), stride: w, w: w, h: h}
}

func (p *plane) row(y int) []uint8 {
	return p.pix[y*p.stride : y*p.stride+p.w]
}

// sub returns a view of the rectangle (x, y, w, h); no pixels are copied.
func (p *plane) sub(x, y, w, h int) *plane {
	return &plane{pix: p.pix[y*p.stride+x:], stride: p.stride, w: w, h: h}
}

// centreCrop removes frac of the width and height from every side.
func (p *plane) centreCrop(frac float64) *plane {
	dx, dy := int(float64(p.w)*frac+0.5), int(float64(p.h)*frac+0.5)
	return p.sub(dx, dy, p.w-2*dx, p.h-2*dy)
}

func (p *plane) mirror() *plane {
	m := newPlane(p.w, p.h)
	for y := 0; y < p.h; y++ {
		src, dst := p.row(y), m.row(y)
		for x, v := range src {
			dst[p.w-1-x] = v
		}
	}
	return m
}

// gray wraps a compact plane as *image.Gray for goimagehash.
func (p *plane) gray() *image.Gray {
	return &image.Gray{Pix: p.pix, Stride: p.stride, Rect: image.Rect(0, 0, p.w, p.h)}
}

// trimBorders removes uniform lines (padding added around a product photo)
// from each side. A line is uniform when every pixel is within
// borderTolerance of the side's outermost line mean. Passes repeat while they
// remove something, because a pasted white border around a photo that has a
// grey frame of its own is two nested borders. The result may be smaller than
// minSide (or empty); the caller treats that as low detail.
func (p *plane) trimBorders() *plane {
	for range 4 {
		t := p.trimOnce()
		if t.w == p.w && t.h == p.h {
			return t
		}
		p = t
		if p.w == 0 || p.h == 0 {
			return p
		}
	}
	return p
}

func (p *plane) trimOnce() *plane {
	within := func(v uint8, ref int) bool {
		d := int(v) - ref
		return d <= borderTolerance && d >= -borderTolerance
	}
	rowUniform := func(y, ref int) bool {
		for _, v := range p.row(y) {
			if !within(v, ref) {
				return false
			}
		}
		return true
	}
	colUniform := func(x, y0, y1, ref int) bool {
		for y := y0; y < y1; y++ {
			if !within(p.pix[y*p.stride+x], ref) {
				return false
			}
		}
		return true
	}
	rowMean := func(y int) int {
		s := 0
		for _, v := range p.row(y) {
			s += int(v)
		}
		return s / p.w
	}
	colMean := func(x, y0, y1 int) int {
		s := 0
		for y := y0; y < y1; y++ {
			s += int(p.pix[y*p.stride+x])
		}
		return s / (y1 - y0)
	}

	top, bottom := 0, p.h
	ref := rowMean(0)
	for top < p.h && rowUniform(top, ref) {
		top++
	}
	if top == p.h {
		return p.sub(0, 0, 0, 0) // entirely uniform
	}
	ref = rowMean(p.h - 1)
	for bottom > top && rowUniform(bottom-1, ref) {
		bottom--
	}
	left, right := 0, p.w
	ref = colMean(0, top, bottom)
	for left < p.w && colUniform(left, top, bottom, ref) {
		left++
	}
	ref = colMean(p.w-1, top, bottom)
	for right > left && colUniform(right-1, top, bottom, ref) {
		right--
	}
	return p.sub(left, top, right-left, bottom-top)
}

// resize area-averages (box filter with fractional coverage) to w x h. Area
// averaging is what both decode paths approximate (libjpeg's 1/8 scaling is
// an exact 8x8 block mean), which keeps their hashes within a bit or two.
func (p *plane) resize(w, h int) *plane {
	xw := areaWeights(p.w, w)
	yw := areaWeights(p.h, h)
	// Horizontal pass into float rows, then vertical pass.
	tmp := make([]float32, p.h*w)
	for y := 0; y < p.h; y++ {
		src := p.row(y)
		out := tmp[y*w : (y+1)*w]
		for i := range out {
			first, ws := xw.of(i)
			var s float32
			for k, c := range ws {
				s += float32(src[first+k]) * c
			}
			out[i] = s
		}
	}
	dst := newPlane(w, h)
	acc := make([]float32, w)
	for j := 0; j < h; j++ {
		clear(acc)
		first, ws := yw.of(j)
		for k, c := range ws {
			row := tmp[(first+k)*w : (first+k+1)*w]
			for i, v := range row {
				acc[i] += v * c
			}
		}
		out := dst.row(j)
		for i, v := range acc {
			out[i] = clamp8(v + 0.5)
		}
	}
	return dst
}

// weights are, for each output sample i, the source samples it covers
// (first[i] onwards, consecutive) and their normalised overlaps, stored flat
// with a fixed stride.
type weights struct {
	first  []int32
	count  []int32
	w      []float32
	stride int
}

func (ws *weights) of(i int) (int, []float32) {
	o := i * ws.stride
	return int(ws.first[i]), ws.w[o : o+int(ws.count[i])]
}

// areaWeights returns, for each of dst output samples, the source samples it
// covers and their normalised overlap.
func areaWeights(src, dst int) *weights {
	scale := float64(src) / float64(dst)
	stride := int(scale) + 2
	ws := &weights{
		first:  make([]int32, dst),
		count:  make([]int32, dst),
		w:      make([]float32, dst*stride),
		stride: stride,
	}
	for i := range dst {
		lo, hi := float64(i)*scale, float64(i+1)*scale
		n := 0
		for j := int(lo); j < src && float64(j) < hi; j++ {
			ov := min(hi, float64(j+1)) - max(lo, float64(j))
			if ov > 0 {
				if n == 0 {
					ws.first[i] = int32(j)
				}
				ws.w[i*stride+n] = float32(ov / scale)
				n++
			}
		}
		ws.count[i] = int32(n)
	}
	return ws
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v)
}

// quality measures detail as the mean absolute difference between
// neighbouring pixels of the 64x64 image, in tenths of a grey level. It is
// PDQ's gradient-sum quality without PDQ's scaling and cap at 100, which on
// our plain area-averaged input saturated for nearly every photograph and so
// could not separate "detailed" from "barely detailed". pHash bits are stable
// when DCT coefficients stand clear of their median; on near-flat images they
// are decided by JPEG noise, and this measure tracks that.
func (p *plane) quality() int {
	sum, n := 0, 0
	for y := 0; y < p.h; y++ {
		r := p.row(y)
		for x := 0; x+1 < p.w; x++ {
			sum += absDiff(r[x], r[x+1])
		}
		n += p.w - 1
		if y+1 < p.h {
			for x, v := range p.row(y + 1) {
				sum += absDiff(r[x], v)
			}
			n += p.w
		}
	}
	if n == 0 {
		return 0
	}
	return sum * 10 / n
}

func absDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}
