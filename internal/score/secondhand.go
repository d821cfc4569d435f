package score

import (
	"math/bits"
	"strings"
)

// secondHandWords mark a used item. Counterfeiters sell "new" goods, so
// these words rarely appear on fakes. At most 64, each three bytes or
// longer (see wordBytes).
var secondHandWords = []string{
	"pre-owned", "preowned", "pre owned", "preloved", "pre-loved", "second hand", "second-hand", "secondhand", "used",
	"worn once", "worn twice", "worn a few times", "gently worn", "lightly worn", "worn one season",
	"gebraucht", "usato", "usata", "usado", "usada", "d'occasion", "seconde main", "tweedehands", "begagnad", "brugt", "używany", "б/у",
}

// secondHandAt[j][c] has bit k set when byte j of secondHandWords[k] is
// c, in either ASCII case: a word can start at i only if its bit is set in
// all three for text[i:i+3], which few places pass. The tables are never
// written after they are built.
var secondHandAt = wordBytes(secondHandWords)

// wordBytes indexes words (lower case) by their first three bytes,
// upper- and lower-case ASCII alike.
func wordBytes(words []string) *[3][256]uint64 {
	if len(words) > 64 {
		panic("score: more second-hand words than bits in a word")
	}
	var t [3][256]uint64
	for k, w := range words {
		if len(w) < len(t) {
			panic("score: second-hand word " + w + " is shorter than three bytes")
		}
		for j := range t {
			c := w[j]
			t[j][c] |= 1 << k
			if 'a' <= c && c <= 'z' {
				t[j][c-'a'+'A'] |= 1 << k
			}
		}
	}
	return &t
}

// secondHand reports whether text says the item is used: whether one of
// secondHandWords appears in strings.ToLower(text) as a whole word (no
// ASCII letter either side), "used" not as a verb. ASCII text (most
// listings) is searched as it is, its letters folded as they are read;
// other text is lowered by strings.ToLower first, since lowering may
// change it in ways byte folding does not (U+0130 becomes "i", for one).
// secondHandReference in the tests is the plain rule.
func secondHand(text string) bool {
	if !isASCII(text) {
		// Lowered text has no upper-case ASCII, so folding it again as
		// secondHandFolded does changes nothing.
		text = strings.ToLower(text)
	}
	return secondHandFolded(text)
}

// isASCII reports whether s has no byte above 0x7f, eight bytes at a time.
func isASCII(s string) bool {
	var high uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		high |= uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
	}
	for ; i < len(s); i++ {
		high |= uint64(s[i])
	}
	return high&0x8080808080808080 == 0
}

// secondHandFolded is secondHand of text whose only upper-case letters
// are ASCII: it goes over text once and, where no letter comes before,
// tries only the words beginning with the three bytes there.
func secondHandFolded(text string) bool {
	for i := 0; i < len(text); {
		// No letter comes before text[i].
		c := text[i]
		var set uint64
		if i+2 < len(text) {
			set = secondHandAt[0][c] & secondHandAt[1][text[i+1]] & secondHandAt[2][text[i+2]]
		}
		for ; set != 0; set &= set - 1 {
			w := secondHandWords[bits.TrailingZeros64(set)]
			end := i + len(w)
			if end <= len(text) && equalFold(text[i:end], w) &&
				(end == len(text) || !isASCIILetter(text[end])) && !(w == "used" && verbUse(text[end:])) {
				return true
			}
		}
		i++
		if isASCIILetter(c) {
			for i < len(text) && isASCIILetter(text[i]) {
				i++
			}
			i++ // no letter, but a letter comes before it
		}
	}
	return false
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// equalFold reports s equal to lower (lower-case, any bytes) once s's
// ASCII letters are lowered.
func equalFold(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// verbUse reports "used" as a verb ("can be used for", "used daily")
// rather than the condition of the item, from the word after it, in
// either ASCII case.
func verbUse(rest string) bool {
	next, _, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	next = strings.Trim(next, ",.;:!")
	var buf [8]byte // the longest verb word, "outdoors", fits
	if len(next) > len(buf) {
		return false
	}
	for i := 0; i < len(next); i++ {
		c := next[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(next)]) {
	case "to", "for", "as", "with", "in", "by", "on", "daily", "every", "indoors", "outdoors", "at", "under", "when", "widely":
		return true
	}
	return false
}
