package imagehash

import (
	"bytes"
	"image/gif"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCompute feeds arbitrary bytes to Compute and ReferenceHashes: any
// input may be refused, none may panic or hang. Minimising the 14 KB WebP
// seed takes minutes with the default settings, so run it as
//
//	go test -run xxx -fuzz FuzzCompute -fuzzminimizetime 3s ./internal/imagehash/
func FuzzCompute(f *testing.F) {
	// Seeds are the test photos shrunk to thumbnails, in each format: the
	// mutator makes little progress on 50-120 KB inputs, and a thumbnail
	// exercises the same decoder and hashing paths.
	for _, seed := range imageSeeds(f, 0, 96, 72) {
		f.Add(seed)
	}
	f.Add(pngHeader(50000, 50000))
	f.Add(jpegHeader(640, 480))
	f.Add(gifHeader(10, 10))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	// A tighter pixel limit keeps each iteration fast; the code paths are
	// the same.
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 4 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := Compute(data, lim)
		refs, rerr := ReferenceHashes(data, lim)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("Compute err %v, ReferenceHashes err %v", err, rerr)
		}
		if err == nil && refs[0].Hash != h {
			t.Fatalf("original variant %v != Compute %v", refs[0].Hash, h)
		}
		hs, aerr := ComputeAll(data, lim)
		all, rerr := ReferenceHashesAll(data, lim)
		if (err == nil) != (aerr == nil) || (err == nil) != (rerr == nil) {
			t.Fatalf("Compute err %v, ComputeAll err %v, ReferenceHashesAll err %v", err, aerr, rerr)
		}
		if err == nil && (hs.Whole != h || all[0].Hash != h) {
			t.Fatalf("ComputeAll %v, ReferenceHashesAll %v, Compute %v", hs.Whole, all[0].Hash, h)
		}
	})
}

// imageSeeds is n test photos (all of them when n <= 0) shrunk to w×h, each
// encoded as JPEG, PNG or GIF in turn, then the WebP test photo: small
// seeds for the fuzz targets.
func imageSeeds(f *testing.F, n, w, h int) [][]byte {
	var out [][]byte
	photos := loadPhotos(f, "testdata")
	if n > 0 {
		photos = photos[:n]
	}
	for i, p := range photos {
		small := scaleTo(p.img, w, h)
		var buf bytes.Buffer
		switch i % 3 {
		case 0:
			buf.Write(encodeJPEG(f, small, 50))
		case 1:
			if err := png.Encode(&buf, small); err != nil {
				f.Fatal(err)
			}
		case 2:
			if err := gif.Encode(&buf, small, &gif.Options{NumColors: 16}); err != nil {
				f.Fatal(err)
			}
		}
		out = append(out, buf.Bytes())
	}
	webp, err := os.ReadFile(filepath.Join("testdata", "formats", "rose.webp"))
	if err != nil {
		f.Fatal(err)
	}
	return append(out, webp)
}
