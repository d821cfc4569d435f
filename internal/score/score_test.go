package score

import (
	"bytes"
	"encoding/json"
	"errors"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-dev/assay/docs/schema"
	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
)

func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	reg, err := brand.LoadFile(filepath.Join("testdata", "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := New(reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// hashOf hashes a test image, optionally mirrored first, as a listing photo.
func hashOf(t *testing.T, name string, mirror bool) Image {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "images", name))
	if err != nil {
		t.Fatal(err)
	}
	if mirror {
		src, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		b := src.Bounds()
		dst := image.NewRGBA(b)
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				dst.Set(b.Max.X-1-(x-b.Min.X), y, src.At(x, y))
			}
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 80}); err != nil {
			t.Fatal(err)
		}
		data = buf.Bytes()
	}
	h, err := imagehash.ComputeAll(data, imagehash.DefaultLimits())
	return Image{Ref: name, Hashes: h, Err: err}
}

func usd(a float64) *price.Money { return &price.Money{Amount: a, Currency: "USD"} }

func TestScore(t *testing.T) {
	eng := newTestEngine(t)
	tests := []struct {
		name    string
		l       listing.Listing
		images  []Image
		flagged bool
		brand   string
		// evidence fragments that must appear among the signals
		evidence []string
	}{
		{
			name:     "confusable name and low price",
			l:        listing.Listing{Title: "Fuⅼⅼips lip plumper gloss", Price: usd(4.99)},
			flagged:  true,
			brand:    "fullips",
			evidence: []string{"confusable", "of the 19.00 USD floor for Fullips Lip Plumper"},
		},
		{
			name:     "zero-width characters are shown",
			l:        listing.Listing{Title: "Full\u200bips lip gloss", Price: usd(14)},
			flagged:  true,
			brand:    "fullips",
			evidence: []string{"'Full<U+200B>ips'"},
		},
		{
			name:     "plain name with coded language",
			l:        listing.Listing{Title: "Fullips lip plumper 1:1 mirror quality", Price: usd(18)},
			flagged:  true,
			brand:    "fullips",
			evidence: []string{"coded language"},
		},
		{
			name:     "plain name at full price from a reseller",
			l:        listing.Listing{Title: "Fullips Lip Plumper, sealed", Price: usd(24)},
			flagged:  false,
			brand:    "fullips",
			evidence: []string{"at or above", "no counterfeit coded language"},
		},
		{
			name:     "second-hand at half price",
			l:        listing.Listing{Title: "Fullips Lip Plumper, used twice", Price: usd(7.5)},
			flagged:  false,
			brand:    "fullips",
			evidence: []string{"halved: the listing says the item is second-hand"},
		},
		{
			name:     "authorized seller on sale",
			l:        listing.Listing{Title: "Fullips Lip Plumper - 60% off today", Price: usd(7.6), Seller: listing.Seller{ID: "etal-official"}},
			flagged:  false,
			brand:    "fullips",
			evidence: []string{"authorized seller"},
		},
		{
			name:     "accessory",
			l:        listing.Listing{Title: "Replacement filter compatible with Dyson V11 vacuum", Price: usd(12)},
			flagged:  false,
			brand:    "dyson",
			evidence: []string{"not weighed"},
		},
		{
			name:    "ordinary word",
			l:       listing.Listing{Title: "Coach tickets London to Bristol, open return", Price: usd(22)},
			flagged: false,
			brand:   "coach",
		},
		{
			name:     "unknown currency skips the price signal",
			l:        listing.Listing{Title: "Fullips lip plumper", Price: &price.Money{Amount: 3, Currency: "XTS"}},
			flagged:  false,
			brand:    "fullips",
			evidence: []string{"no exchange rate"},
		},
		{
			name:     "mirrored official photo, generic title, low price",
			l:        listing.Listing{Title: "lip plumper gloss big lips", Price: usd(3)},
			images:   []Image{hashOf(t, "ref-fullips.jpg", true)},
			flagged:  true,
			brand:    "fullips",
			evidence: []string{"matches reference images/ref-fullips.jpg"},
		},
		{
			name:     "unreadable image still scores the rest",
			l:        listing.Listing{Title: "Fuⅼⅼips lip plumper", Price: usd(4)},
			images:   []Image{hashOf(t, "broken.jpg", false), hashOf(t, "unrelated.jpg", false)},
			flagged:  true,
			brand:    "fullips",
			evidence: []string{"image 1 (broken.jpg) not used"},
		},
		{
			name:    "no brand at all",
			l:       listing.Listing{Title: "AAA batteries, 24 pack", Price: usd(9)},
			images:  []Image{hashOf(t, "unrelated.jpg", false)},
			flagged: false,
			brand:   "",
		},
	}
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.l.ID = "t-1"
			if tt.l.Seller.ID == "" {
				tt.l.Seller.ID = "s-42"
			}
			got := eng.Score(&tt.l, tt.images)
			data, _ := json.Marshal(got)
			if got.Flagged != tt.flagged || got.BrandID != tt.brand {
				t.Fatalf("flagged=%v brand=%q, want flagged=%v brand=%q\n%s", got.Flagged, got.BrandID, tt.flagged, tt.brand, data)
			}
			var all strings.Builder
			for _, s := range got.Signals {
				all.WriteString(s.Evidence + "\n")
			}
			for _, e := range tt.evidence {
				if !strings.Contains(all.String(), e) {
					t.Errorf("no signal mentions %q:\n%s", e, all.String())
				}
			}
			if err := v.Validate(schema.Verdict, data); err != nil {
				t.Errorf("verdict breaks the schema: %v\n%s", err, data)
			}
		})
	}
}

func TestNewRejectsBadReference(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ref.jpg"), []byte("\xff\xd8\xff\xe0 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := &brand.Registry{Dir: dir, Brands: []brand.Brand{{ID: "acme", Name: "Acme", ReferenceImages: []string{"ref.jpg"}}}}
	_, err := New(reg, Options{})
	if err == nil || !strings.Contains(err.Error(), "brand acme: reference_images[0]: ref.jpg") {
		t.Fatalf("New error = %v, want one naming the brand, field and file", err)
	}
}

func TestSecondHand(t *testing.T) {
	for text, want := range map[string]bool{
		"Pre-owned Fullips lip plumper": true,
		"used twice, like new":          true,
		"USED":                          true,
		"barely used.":                  true,
		"unused, sealed":                false,
		"refused delivery":              false,
		"brand new in box":              false,
		"second hand shop find":         true,
		"Jacke, gebraucht, wie neu":     true,
		"can be worn as a scarf":        false,
		"worn once to a wedding":        true,
		"can be used as a gift":         false,
		"used daily by professionals":   false,
		"Used Fullips plumper":          true,
	} {
		if got := secondHand(text); got != want {
			t.Errorf("secondHand(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestFeedback(t *testing.T) {
	reg, err := brand.LoadFile(filepath.Join("testdata", "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	other := hashOf(t, "unrelated.jpg", false)
	fb := &Feedback{
		AuthorizedSellers: map[string]map[string]string{"fullips": {"s-99": "case 3 by ana"}},
		NotInfringing:     map[string]map[string]string{"fullips": {"mp-7": "case 4 by ana"}},
		CounterfeitImages: []CounterfeitImage{{BrandID: "fullips", Hash: other.Hashes.Whole, Source: "case 5 (mp-5)"}},
	}
	eng, err := New(reg, Options{Feedback: fb})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		l        listing.Listing
		images   []Image
		flagged  bool
		evidence string
	}{
		{"seller taught authorized", listing.Listing{ID: "mp-1", Title: "Fuⅼⅼips lip plumper", Price: usd(3), Seller: listing.Seller{ID: "s-99"}}, nil, false, "marked authorized for this brand by an analyst (case 3 by ana)"},
		{"same text, other seller", listing.Listing{ID: "mp-2", Title: "Fuⅼⅼips lip plumper", Price: usd(3), Seller: listing.Seller{ID: "s-1"}}, nil, true, "confusable"},
		{"listing dismissed", listing.Listing{ID: "mp-7", Title: "Fuⅼⅼips lip plumper", Price: usd(3), Seller: listing.Seller{ID: "s-1"}}, nil, false, "dismissed as not infringing"},
		{"confirmed photo reappears", listing.Listing{ID: "mp-8", Title: "lip gloss set", Price: usd(3), Seller: listing.Seller{ID: "s-2"}}, []Image{other}, true, "known counterfeit photo from case 5 (mp-5)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := eng.Score(&tt.l, tt.images)
			if v.Flagged != tt.flagged || v.BrandID != "fullips" {
				t.Fatalf("flagged %v brand %q, want %v fullips: %+v", v.Flagged, v.BrandID, tt.flagged, v.Signals)
			}
			found := false
			for _, s := range v.Signals {
				found = found || strings.Contains(s.Evidence, tt.evidence)
			}
			if !found {
				t.Errorf("no signal says %q: %+v", tt.evidence, v.Signals)
			}
		})
	}
}

// fixtureImages hashes a fixture listing's photos, as the matcher would,
// memoising by path since many listings share photos. Every other listing
// with photos also gets one that could not be fetched, so that verdicts
// carry image errors too.
func fixtureImages(t *testing.T, memo map[string]Image, l *listing.Listing, n int) []Image {
	t.Helper()
	var out []Image
	for _, ref := range l.Images {
		img, ok := memo[ref]
		if !ok {
			data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", filepath.FromSlash(ref)))
			if err != nil {
				t.Fatal(err)
			}
			h, err := imagehash.ComputeAll(data, imagehash.DefaultLimits())
			img = Image{Ref: ref, Hashes: h, Err: err}
			memo[ref] = img
		}
		out = append(out, img)
	}
	if len(out) > 0 && n%2 == 1 {
		out = append(out, Image{Ref: "images/gone.jpg", Err: errors.New("fetch: 404 Not Found")})
	}
	return out
}

// TestFlaggedEvidenceOnly checks that leaving unflagged verdicts' evidence
// out changes nothing else: over the fixtures, with their photos hashed,
// flagged verdicts are the same, and unflagged ones keep their brand, score
// and signal scores.
func TestFlaggedEvidenceOnly(t *testing.T) {
	reg, err := brand.LoadFile(filepath.Join("..", "..", "fixtures", "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	full, err := New(reg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lean, err := New(reg, Options{FlaggedEvidenceOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "listings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var flagged, named, leanImages, leanImageErrs int
	memo := map[string]Image{}
	for n, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		l, err := listing.Decode(line)
		if err != nil {
			t.Fatal(err)
		}
		imgs := fixtureImages(t, memo, l, n)
		want, got := full.Score(l, imgs), lean.Score(l, imgs)
		if want.Flagged {
			flagged++
			w, _ := json.Marshal(want)
			g, _ := json.Marshal(got)
			if !bytes.Equal(w, g) {
				t.Errorf("%s: flagged verdict differs:\n got %s\nwant %s", l.ID, g, w)
			}
			continue
		}
		if want.BrandID != "" {
			named++
		}
		if got.Flagged || got.BrandID != want.BrandID || got.Score != want.Score || len(got.Others) != len(want.Others) {
			t.Errorf("%s: lean verdict %+v, want brand %q score %v", l.ID, got, want.BrandID, want.Score)
			continue
		}
		kept := want.Signals
		if want.BrandID == "" {
			kept = nil // an unattributed verdict's signals are evidence only
		}
		if len(got.Signals) != len(kept) {
			t.Errorf("%s: %d signals, want %d", l.ID, len(got.Signals), len(kept))
			continue
		}
		for i, s := range got.Signals {
			if s.Kind != kept[i].Kind || s.Score != kept[i].Score || s.Evidence != "" || s.Terms != nil || s.Images != nil {
				t.Errorf("%s: signal %d is %+v, want %s %v without evidence", l.ID, i, s, kept[i].Kind, kept[i].Score)
			}
			if s.Kind == KindImage && s.Score > 0 {
				leanImages++
			}
			if s.Kind == KindImage && s.Score == 0 {
				leanImageErrs++
			}
		}
	}
	if flagged == 0 || named == 0 || leanImages == 0 || leanImageErrs == 0 {
		t.Fatalf("fixtures gave %d flagged and %d named-but-unflagged verdicts, %d unflagged image matches and %d unflagged image errors; the test needs all",
			flagged, named, leanImages, leanImageErrs)
	}
}
