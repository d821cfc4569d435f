package fixturegen

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	xdraw "golang.org/x/image/draw"
)

// Transform names an edit a counterfeiter applies to an official photo
// before reusing it. The names are the image_transform label values.
type Transform string

// The transform vocabulary.
const (
	Exact      Transform = "exact"       // the official photo as is
	Resize     Transform = "resize"      // scaled to 50%
	Recompress Transform = "recompress"  // re-encoded at JPEG quality 35
	Brightness Transform = "brightness"  // every channel +20%
	Mirror     Transform = "mirror"      // flipped left-right
	CropCentre Transform = "crop-centre" // 5-8% cut from each side
	Pad        Transform = "pad"         // a uniform border of 10% of the short side
	Rotate     Transform = "rotate"      // turned 3-5 degrees, corners filled
	Banner     Transform = "banner"      // a coloured bar with blocks over 15% of the height
)

// Transforms lists the vocabulary in the order positives cycle through it.
var Transforms = []Transform{Exact, Resize, Recompress, Brightness, Mirror, CropCentre, Pad, Rotate, Banner}

const (
	defaultQuality = 85
	lowQuality     = 35
)

var fillColours = []color.RGBA{
	{255, 255, 255, 255}, {240, 240, 240, 255}, {20, 20, 20, 255},
	{250, 228, 235, 255}, {222, 235, 250, 255}, {255, 246, 214, 255},
}

var bannerColours = []color.RGBA{
	{200, 16, 46, 255}, {18, 38, 92, 255}, {10, 10, 10, 255}, {240, 120, 0, 255}, {0, 120, 80, 255},
}

// ApplyTransform returns the transformed copy of src and the JPEG quality to
// save it with. Random parameters (crop margins, angle, colours) come from
// rng, so a fixed seed gives the same pixels.
func ApplyTransform(t Transform, src *image.RGBA, rng *rand.Rand) (*image.RGBA, int) {
	switch t {
	case Resize:
		b := src.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, max(1, b.Dx()/2), max(1, b.Dy()/2)))
		xdraw.CatmullRom.Scale(dst, dst.Bounds(), src, b, xdraw.Src, nil)
		return dst, defaultQuality
	case Recompress:
		return clone(src), lowQuality
	case Brightness:
		dst := clone(src)
		for i := 0; i < len(dst.Pix); i += 4 {
			for c := 0; c < 3; c++ {
				dst.Pix[i+c] = uint8(min(255, math.Round(float64(dst.Pix[i+c])*1.2)))
			}
		}
		return dst, defaultQuality
	case Mirror:
		b := src.Bounds()
		dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				dst.SetRGBA(b.Dx()-1-x, y, src.RGBAAt(b.Min.X+x, b.Min.Y+y))
			}
		}
		return dst, defaultQuality
	case CropCentre:
		b := src.Bounds()
		margin := func(n int) int { return int(math.Round(float64(n) * (0.05 + 0.03*rng.Float64()))) }
		l, r, tp, bt := margin(b.Dx()), margin(b.Dx()), margin(b.Dy()), margin(b.Dy())
		dst := image.NewRGBA(image.Rect(0, 0, b.Dx()-l-r, b.Dy()-tp-bt))
		for y := 0; y < dst.Rect.Dy(); y++ {
			for x := 0; x < dst.Rect.Dx(); x++ {
				dst.SetRGBA(x, y, src.RGBAAt(b.Min.X+l+x, b.Min.Y+tp+y))
			}
		}
		return dst, defaultQuality
	case Pad:
		b := src.Bounds()
		p := int(math.Round(0.10 * float64(min(b.Dx(), b.Dy()))))
		fill := fillColours[rng.IntN(len(fillColours))]
		dst := image.NewRGBA(image.Rect(0, 0, b.Dx()+2*p, b.Dy()+2*p))
		fillRect(dst, dst.Rect, fill)
		for y := 0; y < b.Dy(); y++ {
			for x := 0; x < b.Dx(); x++ {
				dst.SetRGBA(p+x, p+y, src.RGBAAt(b.Min.X+x, b.Min.Y+y))
			}
		}
		return dst, defaultQuality
	case Rotate:
		deg := 3 + 2*rng.Float64()
		if rng.IntN(2) == 0 {
			deg = -deg
		}
		return rotate(src, deg, fillColours[rng.IntN(2)]), defaultQuality
	case Banner:
		dst := clone(src)
		b := dst.Rect
		h := int(math.Round(0.15 * float64(b.Dy())))
		y0 := 0
		if rng.IntN(2) == 0 {
			y0 = b.Dy() - h
		}
		bar := image.Rect(0, y0, b.Dx(), y0+h)
		fillRect(dst, bar, bannerColours[rng.IntN(len(bannerColours))])
		// Three to six light blocks of varying width stand in for the words
		// of a "HOT SALE / FREE SHIPPING" overlay.
		n := 3 + rng.IntN(4)
		x := b.Dx() / 20
		bh := max(2, h/2)
		by := y0 + (h-bh)/2
		text := color.RGBA{255, 255, 255, 255}
		if rng.IntN(3) == 0 {
			text = color.RGBA{255, 221, 0, 255}
		}
		for i := 0; i < n && x < b.Dx()*19/20; i++ {
			w := b.Dx() / 16 * (1 + rng.IntN(3))
			fillRect(dst, image.Rect(x, by, min(x+w, b.Dx()*19/20), by+bh), text)
			x += w + b.Dx()/40
		}
		return dst, defaultQuality
	default: // Exact
		return clone(src), defaultQuality
	}
}

func clone(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		copy(dst.Pix[y*dst.Stride:y*dst.Stride+4*b.Dx()], src.Pix[src.PixOffset(b.Min.X, b.Min.Y+y):])
	}
	return dst
}

func fillRect(dst *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(dst.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			dst.SetRGBA(x, y, c)
		}
	}
}

// rotate turns src by deg degrees about its centre on a canvas of the same
// size, sampling bilinearly and filling uncovered corners with fill.
func rotate(src *image.RGBA, deg float64, fill color.RGBA) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	sin, cos := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			sx := cos*dx + sin*dy + cx
			sy := -sin*dx + cos*dy + cy
			if sx < 0 || sy < 0 || sx > float64(w-1) || sy > float64(h-1) {
				dst.SetRGBA(x, y, fill)
				continue
			}
			x0, y0 := int(sx), int(sy)
			x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
			fx, fy := sx-float64(x0), sy-float64(y0)
			var px [4]float64
			for c := 0; c < 4; c++ {
				at := func(xx, yy int) float64 { return float64(src.Pix[src.PixOffset(b.Min.X+xx, b.Min.Y+yy)+c]) }
				top := at(x0, y0)*(1-fx) + at(x1, y0)*fx
				bot := at(x0, y1)*(1-fx) + at(x1, y1)*fx
				px[c] = top*(1-fy) + bot*fy
			}
			dst.SetRGBA(x, y, color.RGBA{uint8(px[0] + 0.5), uint8(px[1] + 0.5), uint8(px[2] + 0.5), 255})
		}
	}
	return dst
}
