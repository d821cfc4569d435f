// Command fixturegen writes Assay's labelled evaluation fixtures (brand
// registry, listings, labels and images) from real photographs extracted
// from two Debian packages. See fixtures/README.md.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/assay-dev/assay/internal/fixturegen"
)

func main() { os.Exit(run()) }

func run() int {
	fs := flag.NewFlagSet("fixturegen", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: fixturegen -photos DIR [-out DIR] [-seed N] [-scale PCT] [-max-side PX]

Writes labelled evaluation fixtures for the Assay matcher into the output
directory: brands.yaml (registry), listings.jsonl, labels.jsonl and
images/*.jpg. Image files named img-*.jpg and ref-*.jpg in the images
directory are replaced. The same seed and photos give byte-identical output.

DIR is the root of the extracted Debian packages opencv-doc and
python3-skimage; fixtures/fetch-photos.sh downloads and extracts them and
prints that directory.

Flags:
`)
		fs.PrintDefaults()
	}
	photos := fs.String("photos", "", "root `directory` of the extracted opencv-doc and python3-skimage packages (required)")
	out := fs.String("out", "fixtures", "output `directory`")
	seed := fs.Uint64("seed", 1, "random seed")
	scale := fs.Int("scale", 100, "percentage (1-100) of the planned listing counts to write")
	maxSide := fs.Int("max-side", 640, "longest side of written images in `pixels`")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *photos == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "fixturegen:", err)
		return 1
	}
	sum, err := fixturegen.Run(fixturegen.Config{
		PhotosDir: *photos, OutDir: *out, Seed: *seed, Scale: *scale, MaxSide: *maxSide,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "fixturegen:", err)
		return 1
	}
	fmt.Print(sum)
	return 0
}
