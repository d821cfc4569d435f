package textmatch

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// Fold applies layered evasion folding and returns the folded words joined
// by single spaces. The layers, in order:
//
//  1. per character: NFKC (full-width, math bold, ligatures), drop format
//     characters (Cf: zero-width space/joiner, BOM, soft hyphen), lowercase,
//     TR39 confusable skeleton for non-ASCII letters (Cyrillic/Greek
//     look-alikes), strip accents;
//  2. words: split on anything but letters and digits (leet symbols inside a
//     word stay), and join runs of three or more single characters
//     ("g u c c i", "G.U.C.C.I") into one word;
//  3. per word, a visual skeleton for leetspeak: digits and symbols to
//     letters (0→o 1→l 3→e 4→a 5→s 7→t 8→b @→a $→s |→l !→l), rn→m, w→v
//     and i→l unified, then doubled letters collapsed. w and v are one
//     class so that "w", "vv" (a w spoofed with two v's) and a doubled v
//     ("Ovvra" for Ovra) all fold alike: reading vv as w would hide the
//     doubled letter, and keeping w apart would miss "VVolford".
//
// The TR39 skeleton runs on non-ASCII characters only: applied to ASCII it
// rewrites ordinary spelling ("m" becomes "rn"), and alone it would keep
// zero-width characters, miss full-width letters and turn "N1ke" into "nlke"
// while leaving "Nike" as "nike" — hence the layers.
func Fold(s string) string {
	toks := analyze(s, nil)
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t.key)
	}
	return b.String()
}

// frune is one folded character with the byte span of the original text it
// came from, so matches can quote what the seller actually wrote.
type frune struct {
	r          rune
	start, end int32
	tac        tactic
}

// token is one folded word of a field.
type token struct {
	plain      string // characters folded (layer 1), no leet or skeleton
	key        string // visual skeleton of plain (layer 3)
	start, end int    // byte span in the original text
	tac        tactic // evasions seen in its characters and spacing
	// word says whether plain is in the English word list, when analyze
	// was given it and looked (ASCII words only), with its flag wf: then
	// tokenFlags need not look again.
	word wordLookup
	wf   vocabFlag
}

// wordLookup is what analyze found of a token in the English word list.
type wordLookup uint8

const (
	wordUnknown wordLookup = iota // not looked up
	wordNo
	wordYes
)

// foldChars is layer 1: it folds s character by character.
func foldChars(s string, buf []frune) []frune {
	return runeFolds(nil).foldChars(s, buf)
}

// runeFolds remembers foldRune's answers, which depend on the character
// alone: folding a non-ASCII character costs normalisations and
// allocations, and listings reuse the same few (full-width letters,
// zero-width spaces, Cyrillic look-alikes). A nil runeFolds remembers
// nothing.
type runeFolds map[rune]runeFold

type runeFold struct {
	out string
	tac tactic
}

// maxRuneFolds bounds a runeFolds: a text of many scripts does not grow
// it without end.
const maxRuneFolds = 4096

func (m runeFolds) fold(r rune) (string, tactic) {
	if m == nil {
		return foldRune(r)
	}
	if f, ok := m[r]; ok {
		return f.out, f.tac
	}
	out, tac := foldRune(r)
	if len(m) >= maxRuneFolds {
		clear(m)
	}
	m[r] = runeFold{out, tac}
	return out, tac
}

// foldChars is foldChars remembering characters in m.
func (m runeFolds) foldChars(s string, buf []frune) []frune {
	var pending tactic // from dropped characters, owed to the next kept one
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			// ASCII fast path: lowercase is all layer 1 does to it.
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			buf = append(buf, frune{rune(c), int32(i), int32(i + 1), pending})
			pending = 0
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		out, tac := m.fold(r)
		if out == "" {
			// An invisible or combining character belongs to the word it
			// sits in: widen the previous character to cover it.
			if n := len(buf); n > 0 && int(buf[n-1].end) == i && isWordRune(buf[n-1].r) {
				buf[n-1].end = int32(i + size)
				buf[n-1].tac |= tac
			} else {
				pending |= tac
			}
		} else {
			for _, o := range out {
				buf = append(buf, frune{o, int32(i), int32(i + size), tac | pending})
				pending = 0
			}
		}
		i += size
	}
	return buf
}

// foldRune folds one non-ASCII character and says which evasion it was.
func foldRune(r rune) (string, tactic) {
	switch {
	case r == 0xAD:
		return "", tSoftHyphen
	case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Variation_Selector, r),
		r == 0x034F, r == 0x115F, r == 0x1160, r == 0x3164, r == 0xFFA0:
		// Cf plus the invisible fillers and selectors sellers use as
		// zero-width padding.
		return "", tZeroWidth
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r):
		return "", tAccent
	}
	var tac tactic
	s := string(r)
	if n := norm.NFKC.String(s); n != s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			tac |= tFullWidth
		case r >= 0x1D400 && r <= 0x1D7FF, r >= 0x2460 && r <= 0x24FF,
			r >= 0x1F130 && r <= 0x1F189, r >= 0xFB00 && r <= 0xFB06:
			tac |= tStyled
		default:
			if isASCII(n) {
				tac |= tConfusable
			}
		}
		s = n
	}
	// Skeleton before lowercasing: capital Greek Nu looks like N, its
	// lowercase like v.
	if isASCII(s) {
		return strings.ToLower(s), tac
	}
	var b strings.Builder
	for _, c := range s {
		switch {
		case c < utf8.RuneSelf:
			b.WriteRune(unicode.ToLower(c))
		case unicode.Is(unicode.Mn, c):
			tac |= tAccent
		default:
			if base := stripMarks(norm.NFD.String(string(c))); isASCII(base) {
				if base != string(c) {
					tac |= tAccent
				}
				b.WriteString(strings.ToLower(base))
				continue
			}
			sk := stripMarks(confusables.Skeleton(string(c)))
			if sk == string(c) || sk == "" {
				// No look-alike in this case: try the other case.
				sk = stripMarks(confusables.Skeleton(strings.ToLower(string(c))))
			}
			if sk != strings.ToLower(string(c)) && sk != string(c) && sk != "" {
				tac |= tConfusable
				b.WriteString(strings.ToLower(sk))
			} else {
				b.WriteString(strings.ToLower(string(c)))
			}
		}
	}
	return b.String(), tac
}

func stripMarks(s string) string {
	if isASCII(s) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return asciiWord[r] == '1'
	}
	return isWordRuneSlow(r)
}

// asciiWord marks a-z and 0-9 with '1', indexed by byte: cheaper than
// the comparisons, so isWordRune inlines. A constant, like visualASCII;
// TestASCIIWord checks it. Bytes from 128 on are '0' (they are no ASCII
// word characters), so it is right for any byte.
const asciiWord = "00000000000000000000000000000000000000000000000011111111110000000000000000000000000000000000000001111111111111111111111111100000" +
	"00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

// isWordRuneSlow is isWordRune for non-ASCII, kept apart so that
// isWordRune inlines.
func isWordRuneSlow(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isLetterRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z'
	}
	return unicode.IsLetter(r)
}

// isLeetSymbol reports symbols that stand for letters inside a word.
func isLeetSymbol(r rune) bool {
	return r == '@' || r == '$' || r == '|' || r == '!'
}

// isSpacer reports characters sellers put between single letters to break
// up a name: "G U C C I", "G.U.C.C.I", "G-U-C-C-I", "G*U*C*C*I".
func isSpacer(r rune) bool {
	switch r {
	case ' ', '\t', '.', '-', '_', '*', '/', '\u00b7', '\u2022', '\u30fb', '~', '+':
		return true
	}
	return false
}

// leetLetter maps a digit or symbol written for a letter to that letter.
func leetLetter(r rune) rune {
	switch r {
	case '0':
		return 'o'
	case '1', '|', '!':
		return 'l'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	case '8':
		return 'b'
	}
	return r
}

// skeleton is layer 3: the visual skeleton of one folded word, appended to
// dst. Words without letters (prices, sizes) are kept as they are.
func skeleton(dst, plain []byte) []byte {
	dst, _ = appendSkeleton(dst, plain)
	return dst
}

// appendSkeleton is skeleton that also says whether the skeleton is plain
// itself, which analyze need not copy then.
func appendSkeleton(dst, plain []byte) (_ []byte, same bool) {
	// ASCII in one pass: the skeleton is built while looking for a letter
	// and dropped if there is none.
	n := len(dst)
	dst = slices.Grow(dst, len(plain))
	out := dst[n : n+len(plain)] // the skeleton is never longer
	j := 0
	hasLetter := false
	same = true
	prev := -1
	for i := 0; i < len(plain); i++ {
		c := plain[i]
		if c >= utf8.RuneSelf {
			dst = skeletonRunes(dst[:n], plain)
			return dst, string(dst[n:]) == string(plain)
		}
		if 'a' <= c && c <= 'z' {
			hasLetter = true
		}
		v := visualASCII[c]
		// Only r and n are their visual classes r and n.
		if c == 'r' && i+1 < len(plain) && plain[i+1] == 'n' {
			v = 'm'
			i++
		}
		if int(v) == prev {
			same = false
			continue
		}
		same = same && v == c
		prev = int(v)
		out[j] = v
		j++
	}
	if !hasLetter {
		return append(dst[:n], plain...), true
	}
	return dst[:n+j], same
}

// skeletonRunes is skeleton for a word with a non-ASCII character.
func skeletonRunes(dst, plain []byte) []byte {
	hasLetter := false
	for _, r := range string(plain) {
		if isLetterRune(r) {
			hasLetter = true
			break
		}
	}
	if !hasLetter {
		return append(dst, plain...)
	}
	var prev rune = -1
	for i := 0; i < len(plain); {
		r, size := rune(plain[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(plain[i:])
		}
		r = visual(r)
		i += size
		if r == 'r' && i < len(plain) && visual(rune(plain[i])) == 'n' {
			r = 'm'
			i++
		}
		if r == prev {
			continue
		}
		prev = r
		if r < utf8.RuneSelf {
			dst = append(dst, byte(r))
		} else {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}

// visual maps a rune to its visual class: leet digits and symbols to
// letters, i to l (I, l, 1 and | look alike) and w to v (vv spoofs w).
// Unifying before collapsing doubles keeps "Fu11ips", "Fulips" and
// "Fullips" together, and "VVolford", "Wolford" and "Vvolford" too.
func visual(r rune) rune {
	if r < utf8.RuneSelf {
		return rune(visualASCII[r])
	}
	return r
}

// visualASCII is visual for ASCII as a lookup string (a constant, so no
// package state): leetLetter plus i→l and w→v. TestVisualASCII checks it.
const visualASCII = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x20\x6c\x22\x23\x73\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f\x6f\x6c\x32\x65\x61\x73\x36\x74\x62\x39\x3a\x3b\x3c\x3d\x3e\x3f\x61\x41\x42\x43\x44\x45\x46\x47\x48\x49\x4a\x4b\x4c\x4d\x4e\x4f\x50\x51\x52\x53\x54\x55\x56\x57\x58\x59\x5a\x5b\x5c\x5d\x5e\x5f\x60\x61\x62\x63\x64\x65\x66\x67\x68\x6c\x6a\x6b\x6c\x6d\x6e\x6f\x70\x71\x72\x73\x74\x75\x76\x76\x78\x79\x7a\x7b\x6c\x7d\x7e\x7f"

// skeletonString is skeleton for strings, for code off the hot path.
func skeletonString(plain string) string {
	return string(skeleton(nil, []byte(plain)))
}

// leetOnly maps leet digits and symbols to letters, keeping everything else,
// so spelling differences can be told apart from leetspeak.
func leetOnly(s string) string {
	return strings.Map(leetLetter, s)
}

// collapse removes doubled letters.
func collapse(s string) string {
	var b strings.Builder
	var prev rune = -1
	for _, r := range s {
		if r != prev {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}
