package imagehash

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
)

// workingShortSide is the smallest short side the reduced plane keeps before
// trimming and the final 64x64 resize: twice the hash input, so trimming and
// reference crops still have sub-hash-pixel precision.
const workingShortSide = 128

// decodeGray checks lim against the header, then decodes data into a reduced
// greyscale plane. fast selects libjpeg-turbo for JPEG when it is compiled in;
// on any turbo failure the pure-Go decoder decides, so errors (and accepted
// inputs) do not depend on the build.
func decodeGray(data []byte, lim Limits, fast bool) (*plane, error) {
	f, cfg, err := sniff(data, lim)
	if err != nil {
		return nil, err
	}
	if f.isJPEG && fast {
		if p, err := decodeJPEGTurbo(data, cfg.Width, cfg.Height); err == nil {
			return p, nil
		}
	}
	img, err := f.full(data, lim)
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	return reduce(img, scaleDenom(b.Dx(), b.Dy())), nil
}

// format is one supported image format's decoders.
type format struct {
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
	isJPEG       bool
}

// sniff checks the size, picks the format from the magic bytes and reads
// the header, refusing more than MaxPixels before anything is decoded.
func sniff(data []byte, lim Limits) (format, image.Config, error) {
	lim = lim.withDefaults()
	var f format
	if int64(len(data)) > lim.MaxBytes {
		return f, image.Config{}, fmt.Errorf("%w: %d bytes exceeds %d", ErrTooLarge, len(data), lim.MaxBytes)
	}
	if len(data) == 0 {
		return f, image.Config{}, fmt.Errorf("%w: empty data", ErrUnsupported)
	}
	// The format is chosen from the magic bytes, not image.DecodeConfig's
	// registry, so that formats registered elsewhere in the program (BMP,
	// TIFF) are refused rather than half-supported.
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8")):
		f = format{jpeg.DecodeConfig, jpeg.Decode, true}
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		f = format{png.DecodeConfig, png.Decode, false}
	case bytes.HasPrefix(data, []byte("GIF87a")) || bytes.HasPrefix(data, []byte("GIF89a")):
		f = format{gif.DecodeConfig, gif.Decode, false}
	case len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP":
		f = format{webp.DecodeConfig, webp.Decode, false}
	default:
		return f, image.Config{}, fmt.Errorf("%w: unrecognised header % x", ErrUnsupported, data[:min(len(data), 8)])
	}
	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return f, cfg, fmt.Errorf("%w: read header: %w", ErrCorrupt, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return f, cfg, fmt.Errorf("%w: header declares %dx%d pixels", ErrCorrupt, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(lim.MaxPixels) {
		return f, cfg, fmt.Errorf("%w: %dx%d exceeds %d pixels", ErrTooLarge, cfg.Width, cfg.Height, lim.MaxPixels)
	}
	return f, cfg, nil
}

// full decodes the whole image, after sniff accepted it.
func (f format) full(data []byte, lim Limits) (image.Image, error) {
	lim = lim.withDefaults()
	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	b := img.Bounds()
	// Some decoders (GIF frames) may return bounds other than the header's;
	// re-check rather than trust the header alone.
	if b.Dx() <= 0 || b.Dy() <= 0 || int64(b.Dx())*int64(b.Dy()) > int64(lim.MaxPixels) {
		return nil, fmt.Errorf("%w: decoded bounds %v", ErrCorrupt, b)
	}
	return img, nil
}

// Reencode decodes an uploaded image under the limits and encodes it again
// as a JPEG, so that whatever else the upload carried (metadata, polyglot
// payloads, trailing data) is not stored or served. Transparency is
// composited over white, as hashing does: JPEG has no alpha, and encoding
// the raw colour would turn a cut-out product photo's background black.
func Reencode(data []byte, lim Limits) ([]byte, error) {
	f, _, err := sniff(data, lim)
	if err != nil {
		return nil, err
	}
	img, err := f.full(data, lim)
	if err != nil {
		return nil, err
	}
	if o, ok := img.(interface{ Opaque() bool }); !ok || !o.Opaque() {
		flat := image.NewRGBA(img.Bounds())
		draw.Draw(flat, flat.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(flat, flat.Bounds(), img, img.Bounds().Min, draw.Over)
		img = flat
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, img, &jpeg.Options{Quality: 90}); err != nil {
		return nil, fmt.Errorf("re-encode image: %w", err)
	}
	return out.Bytes(), nil
}

// scaleDenom picks the largest reduction 1/8, 1/4, 1/2 (the factors
// libjpeg's scaled IDCT offers) that keeps the short side at or above
// workingShortSide. Both decode paths use it so that they reduce alike.
func scaleDenom(w, h int) int {
	short := min(w, h)
	for _, d := range []int{8, 4, 2} {
		if (short+d-1)/d >= workingShortSide {
			return d
		}
	}
	return 1
}

// reduce converts img to luma (alpha composited over white, as listings show
// images on a light page) and box-averages d x d blocks, rounding the size up
// as libjpeg's scaled decode does. For *image.YCbCr it reads the Y plane
// directly: that is the same luma libjpeg's greyscale output gives.
func reduce(img image.Image, d int) *plane {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := (w+d-1)/d, (h+d-1)/d
	sums := make([]uint32, ow)
	out := newPlane(ow, oh)
	line := make([]uint8, w)
	var palLuma []uint8
	if m, ok := img.(*image.Paletted); ok {
		palLuma = make([]uint8, 256)
		for i, c := range m.Palette {
			palLuma[i] = lumaOver(c)
		}
	}
	for oy := 0; oy < oh; oy++ {
		clear(sums)
		y0, y1 := oy*d, min(oy*d+d, h)
		for y := y0; y < y1; y++ {
			row := lumaRow(img, b.Min.Y+y, line, palLuma)
			for x, v := range row {
				sums[x/d] += uint32(v)
			}
		}
		dst := out.row(oy)
		rows := uint32(y1 - y0)
		for ox := range dst {
			n := uint32(min(ox*d+d, w)-ox*d) * rows
			dst[ox] = uint8((sums[ox] + n/2) / n)
		}
	}
	return out
}

// lumaRow returns the luma of row y of img, either a slice of img itself
// (Y plane, Gray) or buf filled in.
func lumaRow(img image.Image, y int, buf []uint8, palLuma []uint8) []uint8 {
	b := img.Bounds()
	w := b.Dx()
	switch m := img.(type) {
	case *image.YCbCr:
		i := m.YOffset(b.Min.X, y)
		return m.Y[i : i+w]
	case *image.Gray:
		i := m.PixOffset(b.Min.X, y)
		return m.Pix[i : i+w]
	case *image.Paletted:
		i := m.PixOffset(b.Min.X, y)
		for x, c := range m.Pix[i : i+w] {
			buf[x] = palLuma[c]
		}
	case *image.RGBA:
		i := m.PixOffset(b.Min.X, y)
		px := m.Pix[i : i+4*w]
		for x := range buf[:w] {
			r, g, bl, a := uint32(px[4*x]), uint32(px[4*x+1]), uint32(px[4*x+2]), uint32(px[4*x+3])
			// Premultiplied: adding the white background's share is a plain sum.
			buf[x] = uint8(min((19595*r+38470*g+7471*bl+1<<15)>>16+(255-a), 255))
		}
	case *image.NRGBA:
		i := m.PixOffset(b.Min.X, y)
		px := m.Pix[i : i+4*w]
		for x := range buf[:w] {
			r, g, bl, a := uint32(px[4*x]), uint32(px[4*x+1]), uint32(px[4*x+2]), uint32(px[4*x+3])
			l := (19595*r + 38470*g + 7471*bl + 1<<15) >> 16
			buf[x] = uint8((l*a + 255*(255-a) + 127) / 255)
		}
	default:
		for x := range buf[:w] {
			buf[x] = lumaOver(img.At(b.Min.X+x, y))
		}
	}
	return buf[:w]
}

// lumaOver returns the BT.601 luma of c composited over white.
func lumaOver(c color.Color) uint8 {
	if c == nil {
		return 0
	}
	r, g, b, a := c.RGBA() // premultiplied, 16 bits
	l := (19595*r + 38470*g + 7471*b + 1<<15) >> 16
	l += 0xffff - a
	return uint8(min(l, 0xffff) >> 8)
}
