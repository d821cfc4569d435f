package fixturegen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
)

// writeFakePhotos puts a small synthetic image at every path of Photos, so
// the tests need neither the network nor the Debian packages.
func writeFakePhotos(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for i, p := range Photos {
		img := image.NewRGBA(image.Rect(0, 0, 96+i, 64+i%7))
		for y := 0; y < img.Rect.Dy(); y++ {
			for x := 0; x < img.Rect.Dx(); x++ {
				img.SetRGBA(x, y, color.RGBA{uint8(x * (i + 3)), uint8(y * (i + 5)), uint8((x + y) * i), 255})
			}
		}
		path := filepath.Join(root, filepath.FromSlash(p.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		var err error
		if strings.HasSuffix(p.Path, ".png") {
			err = png.Encode(&buf, img)
		} else {
			err = jpeg.Encode(&buf, img, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestDeterministic(t *testing.T) {
	photos := writeFakePhotos(t)
	var trees [2]map[string][]byte
	for i := range trees {
		out := t.TempDir()
		if _, err := Run(Config{PhotosDir: photos, OutDir: out, Seed: 7, Scale: 10}); err != nil {
			t.Fatal(err)
		}
		trees[i] = readTree(t, out)
	}
	if len(trees[0]) != len(trees[1]) {
		t.Fatalf("runs wrote %d and %d files", len(trees[0]), len(trees[1]))
	}
	for name, data := range trees[0] {
		if !bytes.Equal(data, trees[1][name]) {
			t.Errorf("%s differs between two runs with the same seed", name)
		}
	}
	if len(trees[0]) < 5 {
		t.Errorf("only %d files written", len(trees[0]))
	}
}

func TestFullPlan(t *testing.T) {
	out := t.TempDir()
	sum, err := Run(Config{PhotosDir: writeFakePhotos(t), OutDir: out, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkFixtures(t, out)
	if sum.Positives+sum.Negatives < 640 {
		t.Errorf("%d listings, want at least 640", sum.Positives+sum.Negatives)
	}
}

// TestCommittedFixtures holds the committed fixtures (built from the real
// photos) to the same rules.
func TestCommittedFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures")
	if _, err := os.Stat(filepath.Join(dir, LabelsFile)); err != nil {
		t.Skip("no committed fixtures")
	}
	checkFixtures(t, dir)
}

func TestObfuscateHidesPlainName(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for tac := range nameTactics {
		for i := range brandSpecs {
			b := &brandSpecs[i]
			if !eligible(tac, b) {
				continue
			}
			for k := 0; k < 30; k++ {
				got := Obfuscate(tac, b.Name, rng)
				if strings.Contains(strings.ToLower(got), strings.ToLower(b.Name)) {
					t.Errorf("%s(%q) = %q still contains the name", tac, b.Name, got)
				}
			}
		}
	}
}

var codedTerms = regexp.MustCompile(`(?i)(\breplica\b|\b1:1\b|\bAAA\b|mirror quality|super copy|high copy|\breps?\b|\bdupe\b|inspired by|same factory)`)

func readJSONL(t *testing.T, path string) [][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, listing.MaxLineBytes)
	for sc.Scan() {
		lines = append(lines, append([]byte(nil), sc.Bytes()...))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// checkFixtures checks the files in dir against the contract and against
// what the labels claim.
func checkFixtures(t *testing.T, dir string) {
	t.Helper()
	checkOfficialPhotos(t, dir)
	var reg brand.Registry
	data, err := os.ReadFile(filepath.Join(dir, BrandsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, &reg); err != nil {
		t.Fatalf("brands.yaml: %v", err)
	}
	brands := map[string]*brand.Brand{}
	for i := range reg.Brands {
		b := &reg.Brands[i]
		brands[b.ID] = b
		for _, ref := range b.ReferenceImages {
			if _, err := os.Stat(filepath.Join(dir, ref)); err != nil {
				t.Errorf("brand %s: reference image: %v", b.ID, err)
			}
		}
	}
	if len(reg.Brands) != 12 {
		t.Errorf("%d brands, want 12", len(reg.Brands))
	}
	specs := map[string]*brandSpec{}
	for i := range brandSpecs {
		specs[brandSpecs[i].ID] = &brandSpecs[i]
	}

	listings := map[string]*listing.Listing{}
	for i, line := range readJSONL(t, filepath.Join(dir, ListingsFile)) {
		var raw map[string]any
		if err := json.Unmarshal(line, &raw); err != nil {
			t.Fatalf("listing line %d: %v", i+1, err)
		}
		l, err := listing.Decode(line)
		if err != nil {
			t.Fatalf("listing line %d: %v", i+1, err)
		}
		if l.ID == "" || l.Title == "" || l.Price == nil || l.Seller.ID == "" {
			t.Fatalf("listing line %d lacks a required field", i+1)
		}
		if listings[l.ID] != nil {
			t.Fatalf("duplicate listing id %s", l.ID)
		}
		listings[l.ID] = l
		for _, img := range l.Images {
			if _, err := os.Stat(filepath.Join(dir, img)); err != nil {
				t.Errorf("listing %s: %v", l.ID, err)
			}
		}
	}

	rates := price.DefaultRates()
	usd := func(m *price.Money) float64 { return m.Amount * rates[m.Currency] }
	tactics := map[Tactic]int{}
	transforms := map[Transform]int{}
	classes := map[NegativeClass]int{}
	texts := map[string]string{}
	labels := readJSONL(t, filepath.Join(dir, LabelsFile))
	if len(labels) != len(listings) {
		t.Errorf("%d labels for %d listings", len(labels), len(listings))
	}
	for i, line := range labels {
		var lab Label
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&lab); err != nil {
			t.Fatalf("label line %d: %v", i+1, err)
		}
		l := listings[lab.ListingID]
		if l == nil {
			t.Errorf("label line %d: no listing %q", i+1, lab.ListingID)
			continue
		}
		key := l.Title + "\x00" + l.Description
		if other, ok := texts[key]; ok {
			t.Errorf("listings %s and %s have the same text", other, l.ID)
		}
		texts[key] = l.ID
		text := l.Title + " " + l.Description
		lower := strings.ToLower(text)
		hasCoded := codedTerms.MatchString(text)
		spec := specs[lab.BrandID]
		if lab.BrandID != "" && spec == nil {
			t.Errorf("%s: unknown brand %q", l.ID, lab.BrandID)
			continue
		}

		if !lab.Counterfeit {
			classes[lab.NegativeClass]++
			if len(lab.Tactics) != 0 {
				t.Errorf("%s: negative with tactics %v", l.ID, lab.Tactics)
			}
			if hasCoded != (lab.NegativeClass == CodedOOC) {
				t.Errorf("%s (%s): coded words present = %v: %q", l.ID, lab.NegativeClass, hasCoded, text)
			}
			switch lab.NegativeClass {
			case Authorized:
				if !brands[lab.BrandID].Authorized(l.Seller.ID) {
					t.Errorf("%s: authorized listing by %s", l.ID, l.Seller.ID)
				}
			case Reseller:
				if brands[lab.BrandID].Authorized(l.Seller.ID) {
					t.Errorf("%s: reseller is authorized", l.ID)
				}
				for _, f := range floorsOf(brands[lab.BrandID]) {
					if usd(l.Price) < usd(f) {
						t.Errorf("%s: reseller price %v below floor %v", l.ID, l.Price, f)
					}
				}
			case Unrelated:
				for _, s := range brandSpecs {
					for _, w := range append([]string{s.Name, s.TacticAlias}, s.Aliases...) {
						if w != "" && strings.Contains(lower, strings.ToLower(w)) {
							t.Errorf("%s: unrelated listing mentions %q", l.ID, w)
						}
					}
				}
			case "":
				t.Errorf("%s: negative without a class", l.ID)
			}
			continue
		}

		// Positives.
		if spec == nil {
			t.Errorf("%s: counterfeit without a brand", l.ID)
			continue
		}
		if brands[lab.BrandID].Authorized(l.Seller.ID) {
			t.Errorf("%s: counterfeit listed by an authorized seller", l.ID)
		}
		for _, tac := range lab.Tactics {
			tactics[tac]++
		}
		if lab.ImageTransform != "" {
			transforms[lab.ImageTransform]++
			if len(l.Images) == 0 {
				t.Errorf("%s: image transform without an image", l.ID)
			}
		}
		primary := lab.Tactics[0]
		labelled := map[Tactic]bool{}
		for _, tac := range lab.Tactics {
			labelled[tac] = true
		}
		if hasCoded != labelled[CodedLanguage] {
			t.Errorf("%s: coded words present = %v, labels %v: %q", l.ID, hasCoded, lab.Tactics, text)
		}
		minF, maxF := 1e18, 0.0
		for _, f := range floorsOf(brands[lab.BrandID]) {
			minF, maxF = min(minF, usd(f)), max(maxF, usd(f))
		}
		if labelled[LowPrice] && usd(l.Price) >= 0.4*minF {
			t.Errorf("%s: labelled low-price at %v", l.ID, l.Price)
		}
		if !labelled[LowPrice] && usd(l.Price) < 0.5*maxF {
			t.Errorf("%s: not labelled low-price at %v", l.ID, l.Price)
		}
		cues := len(lab.Tactics) - 1
		if primary == CodedLanguage || primary == LowPrice {
			cues++
		}
		if lab.ImageTransform != "" {
			cues++
		}
		if cues < 1 {
			t.Errorf("%s: no cue besides %s", l.ID, primary)
		}
		name := strings.ToLower(spec.Name)
		var lines []string
		for _, ln := range spec.Lines {
			if ln != "" {
				lines = append(lines, strings.ToLower(ln))
			}
		}
		containsAny := func(s string, ws []string) bool {
			for _, w := range ws {
				if w != "" && strings.Contains(s, w) {
					return true
				}
			}
			return false
		}
		alias := strings.ToLower(spec.TacticAlias)
		switch {
		case nameTactics[primary], primary == ImageOnly:
			if containsAny(lower, append([]string{name, alias}, lines...)) {
				t.Errorf("%s (%s): names the brand plainly: %q", l.ID, primary, text)
			}
		case primary == Alias:
			if containsAny(lower, append([]string{name}, lines...)) || !strings.Contains(lower, alias) {
				t.Errorf("%s (alias): %q", l.ID, text)
			}
		case primary == ProductName:
			if containsAny(lower, []string{name, alias}) || !containsAny(lower, lines) {
				t.Errorf("%s (product-name): %q", l.ID, text)
			}
		case primary == DescOnly:
			if strings.Contains(strings.ToLower(l.Title), name) || !strings.Contains(strings.ToLower(l.Description), name) {
				t.Errorf("%s (description-only): %q", l.ID, text)
			}
		default:
			if !strings.Contains(lower, name) {
				t.Errorf("%s (%s): plain brand name missing: %q", l.ID, primary, text)
			}
		}
		if primary == ImageOnly && lab.ImageTransform == "" {
			t.Errorf("%s: image-only without a copied reference image", l.ID)
		}
	}
	for _, row := range positivePlan {
		if tactics[row.Tactic] < MinPerTactic {
			t.Errorf("tactic %s: %d listings, want at least %d", row.Tactic, tactics[row.Tactic], MinPerTactic)
		}
	}
	for _, tr := range Transforms {
		if transforms[tr] < MinPerTransform {
			t.Errorf("transform %s: %d listings, want at least %d", tr, transforms[tr], MinPerTransform)
		}
	}
	for _, row := range negativePlan {
		if classes[row.Class] < MinPerClass {
			t.Errorf("class %s: %d listings, want at least %d", row.Class, classes[row.Class], MinPerClass)
		}
	}
}

func floorsOf(b *brand.Brand) []*price.Money {
	fs := []*price.Money{b.PriceFloor}
	for _, p := range b.Products {
		if p.PriceFloor != nil {
			fs = append(fs, p.PriceFloor)
		}
	}
	return fs
}

// checkOfficialPhotos makes sure only counterfeits and authorized sellers
// carry a byte-for-byte copy of a brand's reference photo: an innocent
// listing with the official photo would be labelled against its evidence.
func checkOfficialPhotos(t *testing.T, dir string) {
	t.Helper()
	refs := map[[32]byte]string{}
	matches, _ := filepath.Glob(filepath.Join(dir, ImagesDir, "ref-*.jpg"))
	for _, f := range matches {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		refs[sha256.Sum256(data)] = filepath.Base(f)
	}
	type label struct {
		ID            string `json:"listing_id"`
		Counterfeit   bool   `json:"counterfeit"`
		NegativeClass string `json:"negative_class"`
	}
	labels := map[string]label{}
	for _, line := range readJSONL(t, filepath.Join(dir, LabelsFile)) {
		var l label
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		labels[l.ID] = l
	}
	for _, line := range readJSONL(t, filepath.Join(dir, ListingsFile)) {
		var l listing.Listing
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		lab := labels[l.ID]
		if lab.Counterfeit || lab.NegativeClass == "authorized" {
			continue
		}
		for _, img := range l.Images {
			data, err := os.ReadFile(filepath.Join(dir, img))
			if err != nil {
				t.Fatal(err)
			}
			if ref, ok := refs[sha256.Sum256(data)]; ok {
				t.Errorf("%s (%s) uses reference photo %s as %s", l.ID, lab.NegativeClass, ref, img)
			}
		}
	}
}
