package fixturegen

import (
	"math/rand/v2"
	"strings"
	"unicode"
)

// Look-alike letters from the Cyrillic and Greek blocks.
var confusables = map[rune][]rune{
	'a': {'а'}, 'c': {'с'}, 'd': {'ԁ'}, 'e': {'е'}, 'h': {'һ'}, 'i': {'і'}, 'j': {'ј'},
	'l': {'ӏ'}, 'o': {'о', 'ο'}, 'p': {'р'}, 's': {'ѕ'}, 'u': {'υ'}, 'v': {'ν'},
	'x': {'х'}, 'y': {'у'},
	'A': {'А', 'Α'}, 'B': {'В', 'Β'}, 'C': {'С'}, 'E': {'Е', 'Ε'}, 'H': {'Н', 'Η'},
	'I': {'І', 'Ι'}, 'K': {'К', 'Κ'}, 'M': {'М', 'Μ'}, 'N': {'Ν'}, 'O': {'О', 'Ο'},
	'P': {'Р', 'Ρ'}, 'S': {'Ѕ'}, 'T': {'Т', 'Τ'}, 'X': {'Х', 'Χ'}, 'Y': {'Υ', 'Ү'},
	'Z': {'Ζ'},
}

// Accented letters that decompose (NFD) to the plain letter plus marks.
var accented = map[rune][]rune{
	'a': []rune("àáâäå"), 'e': []rune("éèêë"), 'i': []rune("íìîï"), 'o': []rune("óòôöõ"),
	'u': []rune("úùûü"), 'y': []rune("ýÿ"), 'c': []rune("ç"), 'n': []rune("ñ"),
	's': []rune("š"), 'z': []rune("ž"),
	'A': []rune("ÀÁÂÄ"), 'E': []rune("ÉÈÊË"), 'I': []rune("ÍÎÏ"), 'O': []rune("ÓÔÖ"),
	'U': []rune("ÚÛÜ"), 'Y': []rune("Ý"), 'C': []rune("Ç"), 'N': []rune("Ñ"),
	'S': []rune("Š"), 'Z': []rune("Ž"),
}

var leet = map[rune][]string{
	'o': {"0"}, 'l': {"1"}, 'i': {"1", "!"}, 'e': {"3"}, 'a': {"@", "4"}, 's': {"$", "5"}, 't': {"7"},
}

var zeroWidth = []rune{'\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF'}

// Obfuscate writes name the way a listing using tactic t would. Tactics that
// do not change the name return it unchanged.
func Obfuscate(t Tactic, name string, rng *rand.Rand) string {
	r := []rune(name)
	switch t {
	case Confusable:
		return replaceSome(r, rng, 1+rng.IntN(2), func(c rune) []string { return runeStrings(confusables[c]) })
	case Accents:
		return replaceSome(r, rng, 1+rng.IntN(2), func(c rune) []string { return runeStrings(accented[c]) })
	case Leetspeak:
		return replaceSome(r, rng, 1+rng.IntN(2), func(c rune) []string { return leet[unicode.ToLower(c)] })
	case ZeroWidth:
		return insertInside(r, rng, 1+rng.IntN(2), func() rune { return zeroWidth[rng.IntN(len(zeroWidth))] })
	case SoftHyphen:
		return insertInside(r, rng, 1+rng.IntN(2), func() rune { return '\u00AD' })
	case FullWidth:
		if rng.IntN(3) == 0 {
			return mapLetters(r, func(c rune) rune {
				switch {
				case c >= 'A' && c <= 'Z':
					return 0x1D400 + (c - 'A') // MATHEMATICAL BOLD CAPITAL A
				case c >= 'a' && c <= 'z':
					return 0x1D41A + (c - 'a')
				}
				return c
			})
		}
		return mapLetters(r, func(c rune) rune {
			if c >= '!' && c <= '~' {
				return c - '!' + 0xFF01 // FULLWIDTH EXCLAMATION MARK onwards
			}
			return c
		})
	case DoubledLetter:
		out := append([]rune(nil), r...)
		n := 1 + rng.IntN(2)
		for k := 0; k < n; k++ {
			// Only inner letters: doubling the first or last letter
			// ("Coachh") would leave the plain name in the text.
			var pos []int
			for _, w := range wordSpans(out) {
				for i := w[0] + 1; i < w[1]-1; i++ {
					pos = append(pos, i)
				}
			}
			i := pos[rng.IntN(len(pos))]
			extra := 1
			if i+1 < len(out) && out[i+1] == out[i] {
				extra = 2 // "ll" becomes "llll", as in Fullllips
			}
			out = append(out[:i+1], append([]rune(strings.Repeat(string(out[i]), extra)), out[i+1:]...)...)
		}
		return string(out)
	case DroppedLetter:
		// Drop one inner letter of a word of five or more letters.
		var cand []int
		for _, w := range wordSpans(r) {
			if w[1]-w[0] >= 5 {
				for i := w[0] + 1; i < w[1]-1; i++ {
					cand = append(cand, i)
				}
			}
		}
		i := cand[rng.IntN(len(cand))]
		return string(append(append([]rune(nil), r[:i]...), r[i+1:]...))
	case Spaced:
		if rng.IntN(3) == 0 {
			r = []rune(strings.ToUpper(name))
		}
		var words []string
		for _, w := range wordSpans(r) {
			words = append(words, strings.Join(strings.Split(string(r[w[0]:w[1]]), ""), " "))
		}
		return strings.Join(words, "   ")
	case Dotted:
		if rng.IntN(3) != 0 {
			r = []rune(strings.ToUpper(name))
		}
		var words []string
		for _, w := range wordSpans(r) {
			words = append(words, strings.Join(strings.Split(string(r[w[0]:w[1]]), ""), "."))
		}
		return strings.Join(words, ". ")
	case RunTogether:
		joined := strings.ReplaceAll(name, " ", "")
		switch rng.IntN(3) {
		case 0:
			return strings.ToLower(joined)
		case 1:
			return strings.ToUpper(joined)
		}
		return joined
	}
	return name
}

func runeStrings(rs []rune) []string {
	out := make([]string, len(rs))
	for i, c := range rs {
		out[i] = string(c)
	}
	return out
}

// replaceSome replaces up to n letters that have a substitute.
func replaceSome(r []rune, rng *rand.Rand, n int, subs func(rune) []string) string {
	var cand []int
	for i, c := range r {
		if len(subs(c)) > 0 {
			cand = append(cand, i)
		}
	}
	rng.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	if n > len(cand) {
		n = len(cand)
	}
	out := make([]string, len(r))
	for i, c := range r {
		out[i] = string(c)
	}
	for _, i := range cand[:n] {
		s := subs(r[i])
		out[i] = s[rng.IntN(len(s))]
	}
	return strings.Join(out, "")
}

// insertInside inserts n invisible runes between two letters of one word.
func insertInside(r []rune, rng *rand.Rand, n int, pick func() rune) string {
	out := append([]rune(nil), r...)
	for k := 0; k < n; k++ {
		var cand []int
		for i := 1; i < len(out); i++ {
			if unicode.IsLetter(out[i-1]) && unicode.IsLetter(out[i]) {
				cand = append(cand, i)
			}
		}
		i := cand[rng.IntN(len(cand))]
		out = append(out[:i], append([]rune{pick()}, out[i:]...)...)
	}
	return string(out)
}

func mapLetters(r []rune, f func(rune) rune) string {
	out := make([]rune, len(r))
	for i, c := range r {
		out[i] = f(c)
	}
	return string(out)
}

// wordSpans returns [start, end) of each run of non-space runes.
func wordSpans(r []rune) [][2]int {
	var spans [][2]int
	start := -1
	for i, c := range r {
		if c == ' ' {
			if start >= 0 {
				spans = append(spans, [2]int{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		spans = append(spans, [2]int{start, len(r)})
	}
	return spans
}
