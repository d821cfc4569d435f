package imagehash

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"testing"
)

// FuzzReencode feeds arbitrary bytes to Reencode, which every uploaded
// reference photo goes through before it is stored and served. Whatever
// the input: no panic; a refusal is one of the package's errors; an
// accepted input comes back as a bare JPEG (start and end markers, nothing
// after) of the decoded image's dimensions, that Reencode accepts again
// unchanged in size. (The pixel cap needs no check here: sniff and full
// refuse anything over it, and the output is the decoded size.)
func FuzzReencode(f *testing.F) {
	seeds := imageSeeds(f, 3, 48, 36)
	for _, seed := range seeds {
		f.Add(seed)
	}
	f.Add(append(append([]byte{}, seeds[0]...), "<script>alert(1)</script>"...)) // a JPEG with a trailing payload
	f.Add(pngHeader(60000, 60000))
	f.Add(jpegHeader(60000, 60000))
	f.Add(gifHeader(1, 1))
	f.Add(smallFrameGIF(f)) // a legal GIF whose only frame is smaller than its canvas
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := Reencode(data, lim)
		if err != nil {
			if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("refused with %v, not one of the package's errors", err)
			}
			if out != nil {
				t.Fatal("bytes and an error")
			}
			return
		}
		form, _, err := sniff(data, lim)
		if err != nil {
			t.Fatalf("Reencode accepted what sniff refuses: %v", err)
		}
		// The decoded image, not the header, gives the size: a GIF's first
		// frame may be smaller than the canvas its header declares.
		decoded, err := form.full(data, lim)
		if err != nil {
			t.Fatalf("Reencode accepted what full refuses: %v", err)
		}
		in := decoded.Bounds()
		if !bytes.HasPrefix(out, []byte{0xff, 0xd8}) || !bytes.HasSuffix(out, []byte{0xff, 0xd9}) {
			t.Fatalf("output is not a bare JPEG: % x ... % x", out[:min(4, len(out))], out[max(0, len(out)-4):])
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("output header: %v", err)
		}
		if cfg.Width != in.Dx() || cfg.Height != in.Dy() {
			t.Fatalf("output %dx%d, decoded input %dx%d", cfg.Width, cfg.Height, in.Dx(), in.Dy())
		}
		if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
		again, err := Reencode(out, lim)
		if err != nil {
			t.Fatalf("output refused on a second pass: %v", err)
		}
		if c, _ := jpeg.DecodeConfig(bytes.NewReader(again)); c.Width != cfg.Width || c.Height != cfg.Height {
			t.Fatalf("second pass %dx%d, first %dx%d", c.Width, c.Height, cfg.Width, cfg.Height)
		}
	})
}

// smallFrameGIF returns a GIF with a 10x10 canvas and one 5x5 frame at (2,2):
// gif.Decode returns the frame, so its bounds, not the canvas the header
// declares, are the size Reencode keeps.
func smallFrameGIF(f *testing.F) []byte {
	frame := image.NewPaletted(image.Rect(2, 2, 7, 7), color.Palette{color.Black, color.White})
	for i := range frame.Pix {
		frame.Pix[i] = uint8(i % 2)
	}
	var buf bytes.Buffer
	g := &gif.GIF{Image: []*image.Paletted{frame}, Delay: []int{0}, Config: image.Config{ColorModel: frame.Palette, Width: 10, Height: 10}}
	if err := gif.EncodeAll(&buf, g); err != nil {
		f.Fatal(err)
	}
	return buf.Bytes()
}
