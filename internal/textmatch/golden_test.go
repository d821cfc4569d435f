package textmatch

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestFindGolden runs FindWithCoded over many texts against the 1,000-brand
// benchmark registry and compares every mention and coded term with
// testdata/find.golden (-update rewrites it): the benchmark's listings,
// the fixture and hold-out listings, TestFind's cases and fold.txt's
// lines. Its purpose is to let the text path be made faster without
// changing what it finds.
func TestFindGolden(t *testing.T) {
	ix, _ := benchIndex(t)
	texts := append(benchListings(ix.brandsAsGiven(), 1500), corpusTexts(t)...)

	var out bytes.Buffer
	for _, l := range texts {
		ms, coded := ix.FindWithCoded(l.title, l.desc, true)
		line, err := json.Marshal(struct {
			M []Mention `json:"m,omitempty"`
			C []Coded   `json:"c,omitempty"`
		}{ms, coded})
		if err != nil {
			t.Fatal(err)
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	golden := filepath.Join("testdata", "find.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	got, wl := bytes.Split(out.Bytes(), []byte("\n")), bytes.Split(want, []byte("\n"))
	if len(got) != len(wl) {
		t.Fatalf("%d results, want %d", len(got), len(wl))
	}
	for i := range wl {
		if !bytes.Equal(got[i], wl[i]) {
			t.Errorf("text %d %q | %q:\n got %s\nwant %s", i+1, texts[i].title, texts[i].desc, got[i], wl[i])
		}
	}
}

// fixtureListings reads the fixture and hold-out listings' texts.
func fixtureListings(t testing.TB) []listing {
	var out []listing
	for _, set := range []string{"listings.jsonl", "holdout/listings.jsonl"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", filepath.FromSlash(set)))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			var l struct{ Title, Description string }
			if err := json.Unmarshal(line, &l); err != nil {
				t.Fatal(err)
			}
			out = append(out, listing{l.Title, l.Description})
		}
	}
	return out
}
