package score

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestVerdictsGolden scores the fixture and hold-out listings, with the
// fixtures' photos hashed, and compares every verdict, evidence included,
// with testdata/verdicts.golden (-update rewrites it). Its purpose is to
// let the scoring path be made faster without changing one verdict.
// libjpeg-turbo's scaled decode gives slightly different image hashes from
// image/jpeg's, so each decode path has its own file.
func TestVerdictsGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes the fixtures' photos")
	}
	fix := filepath.Join("..", "..", "fixtures")
	var out bytes.Buffer
	memo := map[string]Image{}
	for _, set := range []string{".", "holdout"} {
		reg, err := brand.LoadFile(filepath.Join(fix, set, "brands.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		for _, opts := range []Options{{}, {FlaggedEvidenceOnly: true}} {
			eng, err := New(reg, opts)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(fix, set, "listings.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			for n, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
				l, err := listing.Decode(line)
				if err != nil {
					t.Fatal(err)
				}
				var imgs []Image
				if set == "." {
					imgs = fixtureImages(t, memo, l, n)
				}
				v, err := json.Marshal(eng.Score(l, imgs))
				if err != nil {
					t.Fatal(err)
				}
				out.Write(v)
				out.WriteByte('\n')
			}
		}
	}
	golden := filepath.Join("testdata", "verdicts.golden")
	if imagehash.Accelerated() {
		golden = filepath.Join("testdata", "verdicts-turbojpeg.golden")
	}
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	got := bytes.Split(out.Bytes(), []byte("\n"))
	for i, w := range bytes.Split(want, []byte("\n")) {
		if i >= len(got) {
			t.Fatalf("%d verdicts, want %d", len(got), len(bytes.Split(want, []byte("\n"))))
		}
		if !bytes.Equal(got[i], w) {
			t.Errorf("verdict %d differs:\n got %s\nwant %s", i+1, got[i], w)
		}
	}
}
