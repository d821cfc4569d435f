package fixturegen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	_ "image/png" // the skimage and some opencv photos are PNG
	"os"
	"path/filepath"

	xdraw "golang.org/x/image/draw"
)

// Photo is one real photograph taken from a Debian package.
type Photo struct {
	Key  string // short name used in the tables below
	Path string // path inside the dpkg -x extraction root
}

const (
	opencvData = "usr/share/doc/opencv-doc/examples/data/"
	opencvEx   = "usr/share/doc/opencv-doc/examples/"
	skimage    = "usr/lib/python3/dist-packages/skimage/data/"
)

// Photos is the fixed selection of 38 colour photographs. Near-duplicates
// (aero3, leuvenB, right.jpg, graf3, the left01..14 chessboards, the second
// Suzanne render, motorcycle_right), flat logos, synthetic patterns and
// photos of identifiable people (messi5, astronaut) are left out on
// purpose. Brands take their reference images from this table (see
// brands.go); every photo no brand uses is a "stock" photo, the listing's
// own picture for negatives and some positives.
var Photos = []Photo{
	{"aero1", opencvData + "aero1.jpg"},
	{"aloe", opencvData + "aloeL.jpg"},
	{"apple", opencvData + "apple.jpg"},
	{"baboon", opencvData + "baboon.jpg"},
	{"board", opencvData + "board.jpg"},
	{"building", opencvData + "building.jpg"},
	{"butterfly", opencvData + "butterfly.jpg"},
	{"notebook", opencvData + "ela_original.jpg"},
	{"fruits", opencvData + "fruits.jpg"},
	{"palace", opencvData + "home.jpg"},
	{"boxes", opencvData + "left.jpg"},
	{"street", opencvData + "leuvenA.jpg"},
	{"car", opencvData + "licenseplate_motion.jpg"},
	{"orange", opencvData + "orange.jpg"},
	{"squirrel", opencvData + "squirrel_cls.jpg"},
	{"starry", opencvData + "starry_night.jpg"},
	{"desk", opencvData + "stuff.jpg"},
	{"dog", opencvData + "chicky_512.png"},
	{"graffiti", opencvData + "graf1.png"},
	{"toys", opencvData + "rubberwhale1.png"},
	{"sweets", opencvData + "smarties.png"},
	{"sudoku", opencvData + "sudoku.png"},
	{"plant", opencvEx + "alphamat/input_images/plant.jpg"},
	{"sign-parking", opencvEx + "text/scenetext01.jpg"},
	{"sign-centre", opencvEx + "text/scenetext03.jpg"},
	{"generator", opencvEx + "text/scenetext05.jpg"},
	{"pub", opencvEx + "text/scenetext02.jpg"},
	{"barrier", opencvEx + "text/scenetext06.jpg"},
	{"robin", opencvEx + "hfs/data/000.jpg"},
	{"lake", opencvEx + "hfs/data/001.jpg"},
	{"tree", opencvEx + "hfs/data/002.jpg"},
	{"cat", skimage + "chelsea.png"},
	{"coffee", skimage + "coffee.png"},
	{"tissue", skimage + "ihc.png"},
	{"motorcycle", skimage + "motorcycle_left.png"},
	{"rocket", skimage + "rocket.jpg"},
	{"retina", skimage + "retina.jpg"},
	{"galaxies", skimage + "hubble_deep_field.jpg"},
}

// loadPhoto decodes the photo under root, flattens any alpha onto white and
// scales it down so that its longer side is at most maxSide pixels.
func loadPhoto(root string, p Photo, maxSide int) (*image.RGBA, error) {
	f, err := os.Open(filepath.Join(root, filepath.FromSlash(p.Path)))
	if err != nil {
		return nil, fmt.Errorf("photo %s: %w", p.Key, err)
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("photo %s: decode %s: %w", p.Key, p.Path, err)
	}
	b := src.Bounds()
	flat := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(flat, flat.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	draw.Draw(flat, flat.Bounds(), src, b.Min, draw.Over)
	w, h := b.Dx(), b.Dy()
	if w <= maxSide && h <= maxSide {
		return flat, nil
	}
	if w >= h {
		h = max(1, h*maxSide/w)
		w = maxSide
	} else {
		w = max(1, w*maxSide/h)
		h = maxSide
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(dst, dst.Bounds(), flat, flat.Bounds(), xdraw.Src, nil)
	return dst, nil
}

// encodeJPEG returns img as a baseline JPEG of the given quality.
func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
