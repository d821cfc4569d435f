package imagehash

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// transform is an edit a counterfeit listing applies to a brand's photo.
type transform struct {
	name    string
	quality int // JPEG quality of the edited listing image
	apply   func(image.Image) image.Image
}

// listingTransforms returns the edits the robustness tests replay.
func listingTransforms() []transform {
	return []transform{
		{"resize50", 85, func(m image.Image) image.Image {
			b := m.Bounds()
			return scaleTo(m, b.Dx()/2, b.Dy()/2)
		}},
		{"jpeg40", 40, func(m image.Image) image.Image { return m }},
		{"bright20", 85, brighten},
		{"mirror", 85, mirrorImage},
		{"crop5", 85, func(m image.Image) image.Image { return cropCentre(m, 0.05) }},
		{"crop10", 85, func(m image.Image) image.Image { return cropCentre(m, 0.10) }},
		{"pad10", 85, padWhite},
		{"rotate5", 85, func(m image.Image) image.Image { return rotate(m, 5) }},
		{"banner", 85, func(m image.Image) image.Image { return banner(m, false, 15) }},
		{"banner20", 85, func(m image.Image) image.Image { return banner(m, false, 20) }},
		{"bannertop15", 85, func(m image.Image) image.Image { return banner(m, true, 15) }},
		{"bannertop20", 85, func(m image.Image) image.Image { return banner(m, true, 20) }},
		{"croptl10", 85, func(m image.Image) image.Image { return cropSides(m, 0.10, 0.10, 0, 0) }},
		{"cropbr10", 85, func(m image.Image) image.Image { return cropSides(m, 0, 0, 0.10, 0.10) }},
	}
}

func toRGBA(m image.Image) *image.RGBA {
	b := m.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), m, b.Min, draw.Src)
	return out
}

func scaleTo(m image.Image, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.BiLinear.Scale(out, out.Bounds(), m, m.Bounds(), draw.Src, nil)
	return out
}

func brighten(m image.Image) image.Image {
	out := toRGBA(m)
	for i, v := range out.Pix {
		if i%4 != 3 {
			out.Pix[i] = uint8(min(float64(v)*1.2, 255))
		}
	}
	return out
}

func mirrorImage(m image.Image) image.Image {
	in := toRGBA(m)
	w, h := in.Bounds().Dx(), in.Bounds().Dy()
	out := image.NewRGBA(in.Bounds())
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.SetRGBA(w-1-x, y, in.RGBAAt(x, y))
		}
	}
	return out
}

func cropCentre(m image.Image, frac float64) image.Image {
	in := toRGBA(m)
	w, h := in.Bounds().Dx(), in.Bounds().Dy()
	dx, dy := int(float64(w)*frac), int(float64(h)*frac)
	return in.SubImage(image.Rect(dx, dy, w-dx, h-dy))
}

// cropSides cuts the given fractions off the top, left, bottom and right.
func cropSides(m image.Image, top, left, bottom, right float64) image.Image {
	in := toRGBA(m)
	w, h := float64(in.Bounds().Dx()), float64(in.Bounds().Dy())
	return in.SubImage(image.Rect(int(w*left), int(h*top), int(w*(1-right)), int(h*(1-bottom))))
}

func padWhite(m image.Image) image.Image {
	b := m.Bounds()
	dx, dy := b.Dx()/10, b.Dy()/10
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()+2*dx, b.Dy()+2*dy))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	draw.Draw(out, image.Rect(dx, dy, dx+b.Dx(), dy+b.Dy()), m, b.Min, draw.Src)
	return out
}

// rotate turns m by deg degrees about its centre on a canvas of the same size,
// filling the uncovered corners white, with bilinear sampling.
func rotate(m image.Image, deg float64) image.Image {
	in := toRGBA(m)
	w, h := in.Bounds().Dx(), in.Bounds().Dy()
	out := image.NewRGBA(in.Bounds())
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w-1)/2, float64(h-1)/2
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)-cx, float64(y)-cy
			sx, sy := c*fx+s*fy+cx, -s*fx+c*fy+cy
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 < 0 || y0 < 0 || x0+1 >= w || y0+1 >= h {
				out.SetRGBA(x, y, color.RGBA{255, 255, 255, 255})
				continue
			}
			ax, ay := sx-float64(x0), sy-float64(y0)
			var px [4]float64
			for k := 0; k < 4; k++ {
				p00 := float64(in.Pix[in.PixOffset(x0, y0)+k])
				p10 := float64(in.Pix[in.PixOffset(x0+1, y0)+k])
				p01 := float64(in.Pix[in.PixOffset(x0, y0+1)+k])
				p11 := float64(in.Pix[in.PixOffset(x0+1, y0+1)+k])
				px[k] = (p00*(1-ax)+p10*ax)*(1-ay) + (p01*(1-ax)+p11*ax)*ay
			}
			out.SetRGBA(x, y, color.RGBA{uint8(px[0] + 0.5), uint8(px[1] + 0.5), uint8(px[2] + 0.5), 255})
		}
	}
	return out
}

// banner covers the bottom (or top) pct% of the height with a coloured strip
// carrying sales text, the usual "SALE -70%" overlay of a reseller.
func banner(m image.Image, top bool, pct int) image.Image {
	out := toRGBA(m)
	w, h := out.Bounds().Dx(), out.Bounds().Dy()
	strip := image.Rect(0, h-h*pct/100, w, h)
	if top {
		strip = image.Rect(0, 0, w, h*pct/100)
	}
	draw.Draw(out, strip, image.NewUniform(color.RGBA{200, 20, 40, 255}), image.Point{}, draw.Src)
	// basicfont is 7x13 px: draw the text at 1x, then it is at least legible
	// texture across the strip as real overlays are.
	d := font.Drawer{Dst: out, Src: image.White, Face: basicfont.Face7x13}
	for y := strip.Min.Y + 14; y < strip.Max.Y; y += 16 {
		d.Dot = fixed.P(4, y)
		d.DrawString("ORIGINAL QUALITY - SALE -70% - FREE SHIPPING - BEST PRICE")
	}
	return out
}

func encodeJPEG(tb testing.TB, m image.Image, q int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: q}); err != nil {
		tb.Fatalf("encode jpeg: %v", err)
	}
	return buf.Bytes()
}

// photo is a test photograph, decoded once.
type photo struct {
	name string
	data []byte
	img  image.Image
}

func loadPhotos(tb testing.TB, dir string) []photo {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(files)
	var out []photo
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		out = append(out, photo{name: filepath.Base(f), data: data, img: img})
	}
	if len(out) == 0 {
		tb.Fatalf("no photos in %s", dir)
	}
	return out
}

// minRefDistance is the distance from h to the nearest of refs.
func minRefDistance(h Hash, refs []RefHash) int {
	best := 65
	for _, r := range refs {
		best = min(best, Distance(h, r.Hash))
	}
	return best
}
