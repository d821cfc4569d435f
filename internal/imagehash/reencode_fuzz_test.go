package imagehash

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"testing"
)

// FuzzReencode feeds arbitrary bytes to Reencode, which every uploaded
// reference photo goes through before it is stored and served. Whatever
// the input: no panic; a refusal is one of the package's errors; an
// accepted input comes back as a bare JPEG (start and end markers, nothing
// after) of the same dimensions, within the pixel cap, that Reencode
// accepts again unchanged in size.
func FuzzReencode(f *testing.F) {
	seeds := imageSeeds(f, 3, 48, 36)
	for _, seed := range seeds {
		f.Add(seed)
	}
	f.Add(append(append([]byte{}, seeds[0]...), "<script>alert(1)</script>"...)) // a JPEG with a trailing payload
	f.Add(pngHeader(60000, 60000))
	f.Add(jpegHeader(60000, 60000))
	f.Add(gifHeader(1, 1))
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
		_, in, err := sniff(data, lim)
		if err != nil {
			t.Fatalf("Reencode accepted what sniff refuses: %v", err)
		}
		if !bytes.HasPrefix(out, []byte{0xff, 0xd8}) || !bytes.HasSuffix(out, []byte{0xff, 0xd9}) {
			t.Fatalf("output is not a bare JPEG: % x ... % x", out[:min(4, len(out))], out[max(0, len(out)-4):])
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("output header: %v", err)
		}
		if cfg.Width != in.Width || cfg.Height != in.Height {
			t.Fatalf("output %dx%d, input %dx%d", cfg.Width, cfg.Height, in.Width, in.Height)
		}
		if cfg.Width*cfg.Height > lim.MaxPixels {
			t.Fatalf("output %dx%d over the %d-pixel cap", cfg.Width, cfg.Height, lim.MaxPixels)
		}
		img, err := jpeg.Decode(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("output does not decode: %v", err)
		}
		if img.Bounds() != image.Rect(0, 0, in.Width, in.Height) {
			t.Fatalf("output bounds %v", img.Bounds())
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
