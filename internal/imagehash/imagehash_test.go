package imagehash

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/image/webp"
)

func TestHashStringRoundTrip(t *testing.T) {
	tests := []struct {
		h    Hash
		want string
	}{
		{0, "0000000000000000"},
		{0xdeadbeef, "00000000deadbeef"},
		{^Hash(0), "ffffffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.h.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			back, err := ParseHash(tt.want)
			if err != nil || back != tt.h {
				t.Fatalf("ParseHash(%q) = %v, %v", tt.want, back, err)
			}
		})
	}
	for _, bad := range []string{"", "123", "zzzzzzzzzzzzzzzz", "00000000000000000"} {
		if _, err := ParseHash(bad); err == nil {
			t.Errorf("ParseHash(%q) succeeded", bad)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b Hash
		want int
	}{
		{0, 0, 0},
		{0, ^Hash(0), 64},
		{0b1011, 0b0001, 2},
	}
	for _, tt := range tests {
		t.Run(tt.a.String()+"-"+tt.b.String(), func(t *testing.T) {
			if got := Distance(tt.a, tt.b); got != tt.want {
				t.Fatalf("Distance = %d, want %d", got, tt.want)
			}
		})
	}
}

// pngHeader returns a PNG signature and an IHDR chunk declaring w x h RGBA
// pixels with a valid CRC, and no image data: enough for DecodeConfig.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 17)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 6 // 8-bit RGBA
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(ihdr)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(ihdr))
	return b.Bytes()
}

// jpegHeader returns SOI, a JFIF APP0 (without it image/jpeg reads on past
// SOF looking for an Adobe marker) and a baseline SOF0 declaring w x h.
func jpegHeader(w, h uint16) []byte {
	b := []byte{0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
	return append(b, 0xff, 0xc0, 0, 17, 8, byte(h>>8), byte(h), byte(w>>8), byte(w), 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1)
}

// gifHeader returns a GIF89a logical screen descriptor declaring w x h.
func gifHeader(w, h uint16) []byte {
	b := []byte("GIF89a")
	b = binary.LittleEndian.AppendUint16(b, w)
	b = binary.LittleEndian.AppendUint16(b, h)
	return append(b, 0, 0, 0)
}

func encodePNG(t *testing.T, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func flatImage(c color.Gray, noise int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, 300, 200))
	r := rand.New(rand.NewPCG(1, 2))
	for i := range m.Pix {
		m.Pix[i] = c.Y
		if noise > 0 {
			m.Pix[i] = uint8(int(c.Y) + r.IntN(2*noise+1) - noise)
		}
	}
	return m
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestComputeBadInput(t *testing.T) {
	photo := readTestdata(t, "baboon.jpg")
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	tests := []struct {
		name string
		data []byte
		lim  Limits
		want error
	}{
		{"empty", nil, DefaultLimits(), ErrUnsupported},
		{"random bytes", random, DefaultLimits(), ErrUnsupported},
		{"bmp", []byte("BM\x36\x00\x00\x00\x00\x00\x00\x00"), DefaultLimits(), ErrUnsupported},
		{"truncated jpeg", photo[:len(photo)/2], DefaultLimits(), ErrCorrupt},
		{"jpeg header only", photo[:200], DefaultLimits(), ErrCorrupt},
		{"png header only", pngHeader(100, 100), DefaultLimits(), ErrCorrupt},
		{"png claims 50000x50000", pngHeader(50000, 50000), DefaultLimits(), ErrTooLarge},
		{"jpeg claims 50000x50000", jpegHeader(50000, 50000), DefaultLimits(), ErrTooLarge},
		{"gif claims 50000x50000", gifHeader(50000, 50000), DefaultLimits(), ErrTooLarge},
		{"png claims 0x0", pngHeader(0, 0), DefaultLimits(), ErrCorrupt},
		{"over MaxBytes", photo, Limits{MaxBytes: 1000}, ErrTooLarge},
		{"over MaxPixels", photo, Limits{MaxPixels: 100 * 100}, ErrTooLarge},
		{"flat grey", encodePNG(t, flatImage(color.Gray{Y: 200}, 0)), DefaultLimits(), ErrLowDetail},
		{"flat white jpeg", encodeJPEG(t, flatImage(color.Gray{Y: 255}, 0), 85), DefaultLimits(), ErrLowDetail},
		{"near flat with noise", encodeJPEG(t, flatImage(color.Gray{Y: 120}, 2), 85), DefaultLimits(), ErrLowDetail},
		{"tiny", encodePNG(t, image.NewGray(image.Rect(0, 0, 3, 3))), DefaultLimits(), ErrLowDetail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Compute(tt.data, tt.lim)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Compute error = %v, want %v", err, tt.want)
			}
			// A refused header must not lead to allocating its pixels
			// (50000x50000 would be gigabytes).
			if errors.Is(tt.want, ErrTooLarge) {
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
					t.Errorf("allocated %d bytes before refusing", alloc)
				}
			}
			if _, err := ReferenceHashes(tt.data, tt.lim); !errors.Is(err, tt.want) {
				t.Fatalf("ReferenceHashes error = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestFormatsAgree hashes one photo delivered as WebP, PNG, GIF and JPEG: the
// format must not change what a listing matches.
func TestFormatsAgree(t *testing.T) {
	src := readTestdata(t, "formats/rose.webp")
	img, err := webp.Decode(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Compute(src, DefaultLimits())
	if err != nil {
		t.Fatalf("webp: %v", err)
	}
	var gifBuf bytes.Buffer
	if err := gif.Encode(&gifBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		max  int
	}{
		{"png", encodePNG(t, img), 2},
		{"jpeg", encodeJPEG(t, img, 85), 4},
		{"gif", gifBuf.Bytes(), 8}, // 256-colour dithering adds noise
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.data, DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if d := Distance(got, want); d > tt.max {
				t.Fatalf("distance to webp hash %d, want <= %d", d, tt.max)
			}
		})
	}
}

func TestZeroLimitsUseDefaults(t *testing.T) {
	data := readTestdata(t, "chelsea.jpg")
	a, err := Compute(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compute(data, DefaultLimits())
	if err != nil || a != b {
		t.Fatalf("Compute with zero limits = %v, %v; with defaults %v", a, err, b)
	}
}

func TestReferenceHashesVariants(t *testing.T) {
	data := readTestdata(t, "fruits.jpg")
	refs, err := ReferenceHashes(data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"original", "mirrored", "crop4", "crop8", "mirrored-crop4", "mirrored-crop8"}
	if len(refs) != len(want) {
		t.Fatalf("got %d variants, want %d", len(refs), len(want))
	}
	plain, err := Compute(data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range want {
		t.Run(name, func(t *testing.T) {
			if refs[i].Variant != name {
				t.Fatalf("variant %d = %q, want %q", i, refs[i].Variant, name)
			}
		})
	}
	if refs[0].Hash != plain {
		t.Errorf("original variant %v differs from Compute %v", refs[0].Hash, plain)
	}
	if Distance(refs[0].Hash, refs[1].Hash) < 8 {
		t.Errorf("mirrored hash only %d bits from original: variant adds nothing", Distance(refs[0].Hash, refs[1].Hash))
	}
}

func TestReencode(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "baboon.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	// A JPEG with a payload appended after its end marker.
	withPayload := append(append([]byte{}, data...), []byte("<?php system($_GET['c']); ?>")...)
	out, err := Reencode(withPayload, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("<?php")) {
		t.Error("the payload survived re-encoding")
	}
	a, _ := Compute(data, DefaultLimits())
	b, err := Compute(out, DefaultLimits())
	if err != nil || Distance(a, b) > 4 {
		t.Errorf("re-encoded image hashes %v away (%v)", Distance(a, b), err)
	}
	if _, err := Reencode(pngHeader(50000, 50000), DefaultLimits()); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge header: %v", err)
	}
	if _, err := Reencode(data[:len(data)/3], DefaultLimits()); !errors.Is(err, ErrCorrupt) {
		t.Errorf("corrupt: %v", err)
	}
}
