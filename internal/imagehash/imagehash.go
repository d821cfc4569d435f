// Package imagehash computes 64-bit perceptual hashes (pHash) of listing
// images and compares them with hashes of brand reference images.
//
// It covers decoding untrusted image bytes under size limits, normalising
// them (greyscale, uniform borders trimmed, 64x64), hashing, generating
// reference variants that undo common counterfeit edits (mirroring, centred
// crops) and a small in-memory nearest-neighbour index. It deliberately
// leaves fetching images, storing hashes and deciding what a match means for
// a listing to its callers: a hash match is evidence, not a verdict.
package imagehash

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strconv"
)

// Sentinel errors, checked with errors.Is. Returned errors wrap them with
// details.
var (
	// ErrTooLarge means the data or the pixel count declared by the image
	// header exceeds the Limits. Nothing is decoded in that case.
	ErrTooLarge = errors.New("image too large")
	// ErrUnsupported means the data is not a JPEG, PNG, GIF or WebP image.
	ErrUnsupported = errors.New("unsupported image format")
	// ErrCorrupt means the data claims a supported format but cannot be
	// decoded (truncated, damaged).
	ErrCorrupt = errors.New("corrupt image")
	// ErrLowDetail means the image is (nearly) flat: its hash would be
	// decided by noise and match unrelated images, so none is returned.
	ErrLowDetail = errors.New("image has too little detail to hash")
)

// Hash is a 64-bit perceptual hash: the bits goimagehash.PerceptionHash
// gives for the normalised 64x64 image (computed by phashFast, which
// reproduces them exactly at a tenth of the cost).
type Hash uint64

// Distance returns the number of differing bits between a and b (0..64).
func Distance(a, b Hash) int {
	return bits.OnesCount64(uint64(a ^ b))
}

// String returns the hash as 16 lower-case hex digits.
func (h Hash) String() string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[h&0xf]
		h >>= 4
	}
	return string(b[:])
}

// ParseHash parses the 16 hex digits produced by Hash.String.
func ParseHash(s string) (Hash, error) {
	if len(s) != 16 {
		return 0, fmt.Errorf("parse hash %q: want 16 hex digits", s)
	}
	v, err := strconv.ParseUint(s, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("parse hash %q: %w", s, err)
	}
	return Hash(v), nil
}

// Limits bound the resources spent on one untrusted image.
type Limits struct {
	// MaxBytes is the largest accepted encoded size.
	MaxBytes int64
	// MaxPixels is the largest accepted width*height declared by the header.
	MaxPixels int
}

// DefaultLimits returns 20 MiB and 40 megapixels: above any product photo a
// marketplace serves, below what would let one image exhaust memory
// (40 MP decodes to at most 160 MB of RGBA).
func DefaultLimits() Limits {
	return Limits{MaxBytes: 20 << 20, MaxPixels: 40_000_000}
}

// withDefaults fills zero or negative fields, so that Limits{} is safe.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	return l
}

// Compute hashes one JPEG, PNG, GIF (first frame) or WebP image.
//
// The header is checked against lim before any pixel is decoded. The image is
// decoded to a reduced greyscale plane, uniform borders (padding) are trimmed,
// it is area-downscaled to 64x64 and hashed with goimagehash.PerceptionHash.
// Near-flat images are refused with ErrLowDetail. Zero fields of lim take
// their DefaultLimits values.
func Compute(data []byte, lim Limits) (Hash, error) {
	return compute(data, lim, Accelerated())
}

func compute(data []byte, lim Limits, fast bool) (Hash, error) {
	p, err := decodeGray(data, lim, fast)
	if err != nil {
		return 0, err
	}
	small, err := normalise(p)
	if err != nil {
		return 0, err
	}
	return phashFast(small), nil
}

// normalise trims padding, downscales to 64x64 and applies the detail gate.
func normalise(p *plane) (*plane, error) {
	return normaliseTrimmed(p.trimBorders())
}

// Read reads image data from r, refusing more than lim.MaxBytes before
// anything is decoded.
func Read(r io.Reader, lim Limits) ([]byte, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, lim.MaxBytes)
	}
	return data, nil
}

// ReadFile reads an image file under the same cap.
func ReadFile(path string, lim Limits) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(f, lim)
}
