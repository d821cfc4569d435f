package textmatch

import (
	"reflect"
	"strings"
	"sync"
	"testing"
	"unsafe"
)

// analyzePaths runs both of analyze's paths over s on fresh scratch:
// the ASCII path's tokens (ok false when it declined s) and the general
// path's.
func analyzePaths(s string) (ascii []token, ok bool, folded []token) {
	sc := new(analyzeScratch)
	ascii, ok = sc.analyzeASCII(s, nil, nil)
	ascii = sc.setTexts(s, ascii, 0)
	folded = sc.analyzeFolded(s, nil)
	folded = sc.setTexts(s, folded, 0)
	return ascii, ok, folded
}

// checkPaths fails t unless analyze's two paths agree on s: the ASCII path
// takes every ASCII text and gives the general path's tokens, declines
// any other text, and analyze gives the general path's tokens either way;
// and unless layer 1 folds alike with and without remembering characters.
func checkPaths(t *testing.T, s string) {
	t.Helper()
	ascii, ok, folded := analyzePaths(s)
	if ok != isASCII(s) {
		t.Fatalf("%q: ASCII path took it = %v, text is ASCII = %v", s, ok, isASCII(s))
	}
	if ok && !reflect.DeepEqual(ascii, folded) {
		t.Errorf("%q: ASCII path gives\n  %+v\ngeneral path gives\n  %+v", s, ascii, folded)
	}
	// Into a slice with tokens already in it, as analyzeFields does.
	pre := []token{{plain: "x", key: "x", start: 0, end: 1}}
	if got := analyze(s, pre); !reflect.DeepEqual(got[1:], folded) || !reflect.DeepEqual(got[:1], pre[:1]) {
		t.Errorf("%q: analyze after a token gives %+v, general path %+v", s, got, folded)
	}
	for _, tk := range folded {
		checkSkeleton(t, []byte(tk.plain))
	}
	// Remembered characters fold as they did: once to fill m, once from it.
	m, want := make(runeFolds), foldChars(s, nil)
	for range 2 {
		if got := m.foldChars(s, nil); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: folded with remembered characters %+v, without %+v", s, got, want)
		}
	}
}

// checkSkeleton fails t unless skeleton's ASCII loop agrees with the rune
// loop, which also takes ASCII, and says rightly whether the skeleton is
// the word itself.
func checkSkeleton(t *testing.T, plain []byte) {
	t.Helper()
	got, same := appendSkeleton([]byte("k:"), plain)
	if want := skeletonRunes([]byte("k:"), plain); string(got) != string(want) {
		t.Errorf("skeleton(%q) = %q, rune loop gives %q", plain, got, want)
	}
	if same != (string(got[2:]) == string(plain)) {
		t.Errorf("skeleton(%q) = %q, said to be the same: %v", plain, got[2:], same)
	}
}

// TestAnalyzePathsAgree runs both paths over every evasion: fold.txt's
// lines (their ASCII forms too, which the ASCII path takes) and the ASCII
// ones the word layer handles, one by one and in combination.
func TestAnalyzePathsAgree(t *testing.T) {
	cases := []string{
		"", " ", "...", "a", "A", "ab", "a b", "a b c", "A B C D", "I'm",
		"N1ke Dys0n Gu$$i", "FU||IPS fu!!ips", "$50 $$$ @home a@b", "1$0 5|5 7!", "|||", "gu$$i$", "$gucci",
		"F u l l i p s", "F  u  l", "F    u l l", "G.U.C.C.I", "G. U. C. C. I", "G-U-C-C-I", "G*U*C*C*I",
		"G_U_C_C_I", "G/U/C/C/I", "g~u~c~c~i", "g+u+c+c+i", "G\tU\tC\tC\tI", "1 2 3 4", "a 1 2 3", "a b 1 2",
		"Women's K a l t r i x", "don't a b c", "x's a b c", "a's b c d", "'a b c",
		"Fullllips corner vvord VVolford Ovvra Wolford rnrn RN Rn r n", "barn burn", "rN barN tuRNip", "ii II i1l|",
		"1:1 AAA+ $50", "Size S M L XL", "LouisVuitton Louis Vuitton", "100% Authentic!!!", "K4LTR1X AeroBeat X2",
		"a\x00b \x7f \x01a b c", "end with spacer a b c.", "mixed UPPER lower MiXeD", "e-mail x-ray T-shirt",
	}
	for _, line := range foldLines(t) {
		cases = append(cases, line, Fold(line), asciiOnly(line))
	}
	n := len(cases)
	for i := 0; i < n; i++ {
		cases = append(cases, cases[i]+" "+cases[(i*7+3)%n], "a b "+cases[i]+" c d")
	}
	for _, s := range cases {
		checkPaths(t, s)
	}
}

// asciiOnly drops s's non-ASCII bytes.
func asciiOnly(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] < 0x80 {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// FuzzAnalyzePaths checks the two paths over arbitrary text and over its
// ASCII bytes alone (most fuzzed strings have a non-ASCII byte somewhere,
// which the ASCII path declines).
func FuzzAnalyzePaths(f *testing.F) {
	for _, s := range []string{"G.U.C.C.I", "F u l l i p s", "N1ke Gu$$i fu||ips", "Women's K a l t r i x",
		"rnrn VVolford", "Fuⅼⅼips", "Ful\u200blips", "1:1 AAA+ $50", "a\x80b c d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkPaths(t, s)
		checkPaths(t, asciiOnly(s))
		checkSkeleton(t, []byte(s))
	})
}

// BenchmarkAnalyze measures analyzeFields alone, per listing: over the
// 1,000-brand benchmark's listings (mostly ASCII) and over the fixture
// listings (about one field in eight with an evasion outside ASCII).
func BenchmarkAnalyze(b *testing.B) {
	words, err := loadWords()
	if err != nil {
		b.Fatal(err)
	}
	wt := newWordTable(words) // Find's analysis looks words up as it folds
	for _, c := range []struct {
		name string
		ls   []listing
	}{
		{"bench", benchListings(benchRegistry(b), 5000)},
		{"fixtures", fixtureListings(b)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				l := c.ls[i%len(c.ls)]
				tb, fields := analyzeFields(l.title, l.desc, &wt)
				releaseFields(tb, &fields)
			}
		})
	}
}

// TestAnalyzeConcurrent analyses texts from several goroutines at once:
// each must get the tokens it gets alone, so pooled scratch (and the
// characters it remembers) is never shared. Run it with -race.
func TestAnalyzeConcurrent(t *testing.T) {
	texts := []string{"Fuⅼⅼips", "Ｆｕｌｌｉｐｓ", "Соасh", "G.U.C.C.I", "N1ke Dys0n Gu$$i", "Ful\u200blips", "Café Pâtagonia", "plain words here"}
	want := make([][]token, len(texts))
	for i, s := range texts {
		want[i] = analyze(s, nil)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for n := range 200 {
				i := (g + n) % len(texts)
				if got := analyze(texts[i], nil); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("%q: %+v, alone %+v", texts[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestReleaseFieldsDropsText analyses texts into pooled token slices and
// releases them: no slot of either slice, up to its capacity, may still
// hold a token, whose strings would keep the listing's text alive in the
// pool. Tokens written and then given up (a text the ASCII path leaves to
// analyzeASCIIWords or to the general path) are the ones at risk.
func TestReleaseFieldsDropsText(t *testing.T) {
	for _, s := range []string{
		"foo bar a b c", "a b c", "a b c é", "foo a b c d x y z", "foo bar é", "FOO Bar a b c d",
		"x y z foo bar baz qux", "foo bar baz qux a b c é", "a b c d e f g h i j",
	} {
		// The text on the heap, as a listing's is, and not a constant.
		text := strings.Clone(s)
		tb, fields := analyzeFields(text, text, nil)
		releaseFields(tb, &fields)
		for f, toks := range tb {
			for i, tk := range toks[:cap(toks)] {
				if tk != (token{}) {
					t.Errorf("%q: field %d slot %d of %d still holds %+v after release (into the text: %v)",
						s, f, i, cap(toks), tk, pointsInto(tk.plain, text) || pointsInto(tk.key, text))
				}
			}
		}
	}
}

// pointsInto reports whether sub's bytes are inside s's.
func pointsInto(sub, s string) bool {
	if sub == "" || s == "" {
		return false
	}
	p, lo := uintptr(unsafe.Pointer(unsafe.StringData(sub))), uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return lo <= p && p < lo+uintptr(len(s))
}
