//go:build cgo && turbojpeg

package imagehash

/*
#cgo LDFLAGS: -lturbojpeg
#include <turbojpeg.h>

// decode_gray parses the header, checks it declares w x h (as image/jpeg's
// DecodeConfig read it, which the limits were checked against) and decodes
// to 8-bit luma at dw x dh: TurboJPEG picks the scaling factor that fits,
// which is exactly 1/d for dw = ceil(w/d). One call, so Go crosses into C
// once per image. Returns 0 on success, -1 on any error or libjpeg warning
// (a warning means damaged data; the caller lets image/jpeg decide).
static int decode_gray(const unsigned char *buf, unsigned long size,
		int w, int h, unsigned char *dst, int dw, int dh) {
	tjhandle hd = tjInitDecompress();
	if (hd == NULL) {
		return -1;
	}
	int jw, jh, subsamp, cs;
	int rc = tjDecompressHeader3(hd, buf, size, &jw, &jh, &subsamp, &cs);
	if (rc == 0 && (jw != w || jh != h)) {
		rc = -1;
	}
	if (rc == 0) {
		rc = tjDecompress2(hd, buf, size, dst, dw, dw, dh, TJPF_GRAY, 0);
	}
	tjDestroy(hd);
	return rc;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// Accelerated reports whether JPEG decoding uses libjpeg-turbo's scaled
// greyscale decode (build with cgo and -tags turbojpeg). Without it JPEGs are
// decoded by image/jpeg, about 7x slower per image.
func Accelerated() bool { return true }

// decodeJPEGTurbo decodes data at 1/8, 1/4 or 1/2 scale straight to luma:
// libjpeg-turbo then runs a reduced IDCT (at 1/8 just the DC term), skips
// chroma entirely and never materialises the full-size image. The scale is
// the one reduce would use, so both paths produce the same plane geometry.
func decodeJPEGTurbo(data []byte, w, h int) (*plane, error) {
	if len(data) == 0 || w <= 0 || h <= 0 {
		return nil, errors.New("turbojpeg: nothing to decode")
	}
	d := scaleDenom(w, h)
	p := newPlane((w+d-1)/d, (h+d-1)/d)
	rc := C.decode_gray((*C.uchar)(unsafe.Pointer(&data[0])), C.ulong(len(data)),
		C.int(w), C.int(h), (*C.uchar)(unsafe.Pointer(&p.pix[0])), C.int(p.w), C.int(p.h))
	if rc != 0 {
		return nil, errors.New("turbojpeg: decode failed")
	}
	return p, nil
}
