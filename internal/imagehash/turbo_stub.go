//go:build !(cgo && turbojpeg)

package imagehash

import "errors"

// Accelerated reports whether JPEG decoding uses libjpeg-turbo's scaled
// greyscale decode (build with cgo and -tags turbojpeg). Without it JPEGs are
// decoded by image/jpeg, about 7x slower per image.
func Accelerated() bool { return false }

// decodeJPEGTurbo is never called when Accelerated is false; it exists so
// decodeGray compiles the same way in both builds.
func decodeJPEGTurbo([]byte, int, int) (*plane, error) {
	return nil, errors.New("libjpeg-turbo not compiled in")
}
