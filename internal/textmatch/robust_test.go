package textmatch

import (
	"strings"
	"testing"
	"unicode"
)

// evasions rewrite a brand name the way sellers do.
var evasions = []struct {
	tactic string
	apply  func(string) string
}{
	{"confusable", func(s string) string {
		return strings.Map(func(r rune) rune {
			if c, ok := map[rune]rune{'a': 'а', 'o': 'о', 'e': 'е', 'c': 'с', 'p': 'р', 'i': 'і', 'y': 'у', 'x': 'х', 'A': 'Α', 'N': 'Ν', 'O': 'Ο'}[r]; ok {
				return c
			}
			return r
		}, s)
	}},
	{"zero-width", func(s string) string { return s[:len(s)/2] + "\u200b" + s[len(s)/2:] }},
	{"soft-hyphen", func(s string) string { return s[:len(s)/2] + "\u00ad" + s[len(s)/2:] }},
	{"full-width", func(s string) string {
		return strings.Map(func(r rune) rune {
			if r > ' ' && r < 0x7f {
				return r + 0xFEE0
			}
			return r
		}, s)
	}},
	{"styled", func(s string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case 'A' <= r && r <= 'Z':
				return 0x1D400 + r - 'A'
			case 'a' <= r && r <= 'z':
				return 0x1D41A + r - 'a'
			}
			return r
		}, s)
	}},
	{"accent", func(s string) string {
		return strings.NewReplacer("a", "á", "e", "é", "o", "ö", "u", "ü").Replace(s)
	}},
	{"leet", func(s string) string {
		return strings.NewReplacer("o", "0", "e", "3", "a", "4", "i", "1", "s", "5").Replace(s)
	}},
	{"spaced", func(s string) string { return strings.Join(strings.Split(strings.ReplaceAll(s, " ", ""), ""), " ") }},
	{"dotted", func(s string) string { return strings.Join(strings.Split(strings.ReplaceAll(s, " ", ""), ""), ".") }},
	{"doubled", func(s string) string {
		i := len(s) / 2
		for i < len(s) && !unicode.IsLetter(rune(s[i])) {
			i++
		}
		return s[:i+1] + s[i:]
	}},
}

// TestRobustness applies each evasion to every test brand name and counts
// how often Find reports the brand (top-1: the first mention in the title).
func TestRobustness(t *testing.T) {
	ix := newTestIndex(t)
	bs := loadBrands(t)
	for _, ev := range evasions {
		t.Run(ev.tactic, func(t *testing.T) {
			hit := 0
			for _, b := range bs {
				title := ev.apply(b.Name) + " brand new in box"
				ms := ix.Find(title, "")
				if len(ms) > 0 && ms[0].BrandID == b.ID {
					hit++
				} else {
					t.Logf("missed %q (%s)", title, b.ID)
				}
			}
			rate := float64(hit) / float64(len(bs))
			t.Logf("%s: %d/%d = %.2f", ev.tactic, hit, len(bs), rate)
			if rate < 0.92 {
				t.Errorf("%s: top-1 %.2f", ev.tactic, rate)
			}
		})
	}
}
