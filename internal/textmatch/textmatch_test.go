package textmatch

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assay-dev/assay/internal/brand"
)

var update = flag.Bool("update", false, "update golden files")

func loadBrands(t testing.TB) []brand.Brand {
	t.Helper()
	var bs []brand.Brand
	readJSON(t, "brands.json", &bs)
	return bs
}

func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func newTestIndex(t testing.TB) *Index {
	t.Helper()
	ix, err := NewIndex(loadBrands(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

type wantMention struct {
	Brand      string   `json:"brand"`
	Term       string   `json:"term"`
	Tactics    []string `json:"tactics"`
	Plain      bool     `json:"plain"`
	Nominative *bool    `json:"nominative"`
	Ambiguous  *bool    `json:"ambiguous"`
	// BrandOmitted and Referential are checked when given.
	BrandOmitted *bool `json:"brand_omitted"`
	Referential  *bool `json:"referential"`
}

// TestFind checks testdata/cases.json: each case lists every mention
// expected (extra or missing mentions fail), with the tactics that must be
// among those reported and the guard flags where given.
func TestFind(t *testing.T) {
	ix := newTestIndex(t)
	var cases []struct {
		Name        string        `json:"name"`
		Title       string        `json:"title"`
		Description string        `json:"description"`
		Want        []wantMention `json:"want"`
	}
	readJSON(t, "cases.json", &cases)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got := ix.Find(c.Title, c.Description)
			defer func() {
				if t.Failed() {
					for _, m := range got {
						t.Logf("got %s %+v", m.Evidence(), m)
					}
				}
			}()
			if len(got) != len(c.Want) {
				t.Fatalf("got %d mentions, want %d", len(got), len(c.Want))
			}
			used := make([]bool, len(got))
			for _, w := range c.Want {
				found := false
				for i, m := range got {
					if !used[i] && fits(m, w) {
						used[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("no mention fits %+v", w)
				}
			}
		})
	}
}

func fits(m Mention, w wantMention) bool {
	if m.BrandID != w.Brand || w.Term != "" && m.Term != w.Term {
		return false
	}
	if w.Plain && len(m.Tactics) > 0 {
		return false
	}
	for _, tac := range w.Tactics {
		if !slices.Contains(m.Tactics, tac) {
			return false
		}
	}
	if w.Nominative != nil && *w.Nominative != m.Nominative {
		return false
	}
	if w.Ambiguous != nil && *w.Ambiguous != m.Ambiguous {
		return false
	}
	if w.BrandOmitted != nil && *w.BrandOmitted != m.BrandOmitted {
		return false
	}
	if w.Referential != nil && *w.Referential != m.Referential {
		return false
	}
	return true
}

func TestCodedLanguage(t *testing.T) {
	var cases []struct {
		Name        string   `json:"name"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		Want        []string `json:"want"`
	}
	readJSON(t, "coded.json", &cases)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got := CodedLanguage(c.Title, c.Description)
			var terms []string
			for _, g := range got {
				terms = append(terms, g.Term)
				text := c.Title
				if g.Field == "description" {
					text = c.Description
				}
				if !strings.Contains(text, g.Surface) || g.Surface == "" {
					t.Errorf("surface %q not in %s", g.Surface, g.Field)
				}
			}
			if len(c.Want) == 0 && got != nil {
				t.Errorf("got %+v, want nil", got)
			}
			if !slices.Equal(terms, c.Want) && !(len(terms) == 0 && len(c.Want) == 0) {
				t.Errorf("got %q (%+v), want %q", terms, got, c.Want)
			}
		})
	}
}

// TestCodedKeys keeps the skeleton constants of coded.go in step with
// skeleton().
func TestCodedKeys(t *testing.T) {
	for word, key := range map[string]string{
		"replica": kReplica, "replicas": kReplicas, "rep": kRep, "reps": kReps, "dupe": kDupe, "dupes": kDupes,
		"fake": kFake, "fakes": kFakes, "knockoff": kKnockoff, "knockoffs": kKnockoffs, "knock": kKnock, "off": kOff,
		"copy": kCopy, "mirror": kMirror, "quality": kQuality, "grade": kGrade, "super": kSuper, "high": kHigh,
		"top": kTop, "clone": kClone, "inspired": kInspired, "by": kBy, "same": kSame, "factory": kFactory,
		"unbranded": kUnbranded, "style": kStyle, "oem": kOEM, "imitation": kImitation, "imitations": kImitations,
		"unofficial": kUnofficial, "replika": kReplika, "réplique": kReplique, "répliques": kRepliques,
		"kopia": kKopia, "copia": kCopia, "kopie": kKopie, "Fälschung": kFalschung, "podróbka": kPodrobka,
		"contrefaçon": kContrefacon, "réplica": kReplica,
	} {
		if got := Fold(word); got != key {
			t.Errorf("Fold(%q) = %q, constant says %q", word, got, key)
		}
	}
}

// TestCyrillicCoded keeps the Cyrillic keys of coded.go in step with the
// fold, in lower case, capitals and title case, and with a Latin look-alike
// mixed in.
func TestCyrillicCoded(t *testing.T) {
	for word, key := range map[string]string{
		"реплика": cReplica, "РЕПЛИКА": cReplica, "Реплика": cReplica, "реплики": cReplicy,
		"копия": cCopy, "КОПИЯ": cCopy, "Копия": cCopy, "кoпия": cCopy, "копии": cCopies,
		"подделка": cFake, "ПОДДЕЛКА": cFake, "люкс": cLux, "ЛЮКС": cLuxCaps, "Люкс": cLux,
		"не": cNot, "НЕ": cNot, "Не": cNot, "нет": cNo, "Нет": cNo,
	} {
		toks := analyze(word, nil)
		if len(toks) != 1 {
			t.Fatalf("%q: %d tokens", word, len(toks))
		}
		if got := cyrKey(toks[0].plain); got != key {
			t.Errorf("cyrKey(%q) = %q, constant says %q", word, got, key)
		}
	}
}

// foldLines reads testdata/fold.txt, a line per evasion.
func foldLines(t testing.TB) []string {
	t.Helper()
	in, err := os.ReadFile(filepath.Join("testdata", "fold.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(in), "\n"), "\n")
}

// TestFoldGolden folds each line of testdata/fold.txt; -update rewrites
// testdata/fold.golden.
func TestFoldGolden(t *testing.T) {
	var out strings.Builder
	for _, line := range foldLines(t) {
		out.WriteString(Fold(line))
		out.WriteByte('\n')
	}
	golden := filepath.Join("testdata", "fold.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != string(want) {
		t.Errorf("Fold output differs from %s:\n%s", golden, out.String())
	}
}

func TestFoldLayers(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Fullips", "fulps"},
		{"Fu11ips", "fulps"},
		{"Fuⅼⅼips", "fulps"},
		{"F u l l i p s", "fulps"},
		{"G.U.C.C.I", "gucl"},
		{"Ｆｕｌｌｉｐｓ", "fulps"},
		{"N1ke", "nlke"},
		{"Nike", "nlke"},
		{"Ful\u200blips", "fulps"},
		{"corner", "comer"},
		{"vvord", "vord"},
		{"word", "vord"},
		{"Ovvra", "ovra"},
		{"VVolford Wolford", "volford volford"},
		{"$50 1:1", "50 1 1"},
	} {
		t.Run(c.in, func(t *testing.T) {
			if got := Fold(c.in); got != c.want {
				t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestVisualASCII(t *testing.T) {
	for r := rune(0); r < 128; r++ {
		want := leetLetter(r)
		switch r {
		case 'i':
			want = 'l'
		case 'w':
			want = 'v'
		}
		if got := visual(r); got != want {
			t.Errorf("visual(%q) = %q, want %q", r, got, want)
		}
	}
}

func TestEvidence(t *testing.T) {
	ix := newTestIndex(t)
	for _, c := range []struct{ title, desc, want string }{
		{"Fuⅼⅼips", "", "title has 'Fuⅼⅼips' (confusable of Fullips)"},
		{"F u l l i p s", "", "title has 'F u l l i p s' (spaced letters of Fullips)"},
		{"Lip tool", "Fullips Lip Plumper", "description has 'Fullips Lip Plumper' (product name)"},
		{"Fullips", "", "title has 'Fullips' (brand name)"},
		{"Coach bus station", "", "title has 'Coach' (brand name) [ambiguous: ordinary word, no brand context]"},
		{"Coach bus charter", "", "title has 'Coach' (brand name) [ambiguous: ordinary word, no brand context] [referential: a book/ticket/print about the name]"},
		{"Filter for Dyson", "", "title has 'Dyson' (brand name) [compatibility use]"},
		{"2026 New SkyPulse Q7 in stock", "", "title has 'SkyPulse Q7' (product name Kestrova SkyPulse Q7, brand omitted)"},
		{"SkyPu1se Q7", "", "title has 'SkyPu1se Q7' (leetspeak of Kestrova SkyPulse Q7, product name, brand omitted)"},
		{"Buy a D Y S O N hair dryer", "", "title has 'D Y S O N' (spaced letters of Dyson)"},
		{"N I K E s trainers", "", "title has 'N I K E' (spaced letters of Nike)"},
		{"Women's G U C C I belt", "", "title has 'G U C C I' (spaced letters of Gucci)"},
		{"Freeman Dyson essays collection, hardcover", "", "title has 'Dyson' (brand name) [referential: a book/ticket/print about the name]"},
	} {
		t.Run(c.want, func(t *testing.T) {
			ms := ix.Find(c.title, c.desc)
			if len(ms) != 1 {
				t.Fatalf("got %d mentions: %+v", len(ms), ms)
			}
			if got := ms[0].Evidence(); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// TestBleveAgreesWithFold checks that every term is found by bleve under the
// keys Find computes for it, i.e. the registered analyzer and analyze agree.
func TestBleveAgreesWithFold(t *testing.T) {
	ix := newTestIndex(t)
	for id, tm := range ix.terms {
		anchorField := fieldFolded
		if len(tm.keys) > 1 {
			anchorField = fieldPairs
		}
		for _, c := range []candidate{{field: anchorField, key: tm.anchor}, {field: fieldJoined, key: tm.joined}} {
			ids, err := ix.lookup([]candidate{c})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(ids, id) {
				t.Errorf("term %q: bleve %s:%q gave %v", tm.text, c.field, c.key, ids)
			}
		}
	}
}

func TestNewIndexTwice(t *testing.T) {
	// Registration with bleve is global; a second index must still work.
	a, b := newTestIndex(t), newTestIndex(t)
	if len(a.Find("Dyson", "")) != 1 || len(b.Find("Dyson", "")) != 1 {
		t.Fatal("second index does not find Dyson")
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Fuⅼⅼips", "G.U.C.C.I", "F u l l i p s", "N1ke", "\xff\xfe", "a\u0301\u200b", "1:1 AAA+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Fold(s)
		if !utf8.ValidString(out) {
			t.Errorf("Fold(%q) = %q: invalid UTF-8", s, out)
		}
	})
}

func FuzzFind(f *testing.F) {
	ix := newTestIndex(f)
	for _, s := range []string{"Fuⅼⅼips lip plumper", "compatible with Dyson V11", "Coach bus", "G.U.C.C.I 1:1 AAA", "NorthPeak",
		"Women's K a l t r i x", "a D Y S O N", "Mison Verel", "SkyPulse Q7 biography", "1:1 AAA replica, no brand"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, title, desc string) {
		checkCandidates(t, ix, title, desc) // the prefilters drop nothing
		found, coded := ix.Find(title, desc), CodedLanguage(title, desc)
		// FindWithCoded is the two in one pass; coded language only with a
		// mention unless always.
		for _, always := range []bool{true, false} {
			ms, cs := ix.FindWithCoded(title, desc, always)
			wantCoded := coded
			if !always && len(found) == 0 {
				wantCoded = nil
			}
			if !reflect.DeepEqual(ms, found) || !reflect.DeepEqual(cs, wantCoded) {
				t.Errorf("FindWithCoded(always=%v) = %+v, %+v; Find and CodedLanguage give %+v, %+v", always, ms, cs, found, wantCoded)
			}
		}
		for _, m := range found {
			text := title
			if m.Field == "description" {
				text = desc
			}
			if text[m.Start:m.End] != m.Surface {
				t.Errorf("surface %q is not text[%d:%d]", m.Surface, m.Start, m.End)
			}
			_ = m.Evidence()
		}
		for _, c := range coded {
			if c.Surface == "" {
				t.Errorf("empty surface for %+v", c)
			}
		}
	})
}

// TestResidualTerms checks testdata/residuals.json: which product names
// minus the brand's words become terms ("none"), and whether they stand
// alone ("distinctive") or need brand context ("common").
func TestResidualTerms(t *testing.T) {
	var cases []struct {
		Name     string   `json:"name"`
		Aliases  []string `json:"aliases"`
		Product  string   `json:"product"`
		Keywords []string `json:"keywords"`
		Want     string   `json:"want"`
	}
	readJSON(t, "residuals.json", &cases)
	for _, c := range cases {
		t.Run(c.Product, func(t *testing.T) {
			ix, err := NewIndex([]brand.Brand{{ID: "b", Name: c.Name, Aliases: c.Aliases,
				Products: []brand.Product{{Name: c.Product}}, Keywords: c.Keywords}})
			if err != nil {
				t.Fatal(err)
			}
			defer ix.Close()
			got := "none"
			for _, tm := range ix.terms {
				if tm.residual {
					got = "distinctive"
					if tm.common {
						got = "common"
					}
				}
			}
			if got != c.Want {
				t.Errorf("got %s, want %s", got, c.Want)
			}
		})
	}
}
