package score

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/assay-dev/assay/internal/textmatch"
)

// codedEvidence words the coded terms found: "counterfeit coded language:
// 'replica', '1to1' (1:1)", then suffix. It is appended into one buffer,
// as it is worded for every flagged listing with coded language;
// codedEvidenceReference in the tests is the plain wording it must agree
// with.
func codedEvidence(cs []textmatch.Coded, suffix string) string {
	var buf [192]byte
	b := append(buf[:0], "counterfeit coded language: "...)
	for i, c := range cs {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '\'')
		if c.Surface != "" && !strings.EqualFold(c.Surface, c.Term) {
			b = append(b, c.Surface...)
			b = append(b, "' ("...)
			b = append(b, c.Term...)
			b = append(b, ')')
		} else {
			b = append(b, c.Term...)
			b = append(b, '\'')
		}
	}
	b = append(b, suffix...)
	return string(b)
}

// codedTerms are the coded words as the seller wrote them.
func codedTerms(cs []textmatch.Coded) []string {
	var buf [4]string
	out := buf[:0]
	for _, c := range cs {
		if c.Surface != "" && !slices.Contains(out, c.Surface) {
			out = append(out, c.Surface)
		}
	}
	return cloneTerms(out)
}

// cloneTerms copies terms gathered in a buffer on the stack into one
// allocation of their own; no terms are nil, as a signal without any has.
func cloneTerms(terms []string) []string {
	if len(terms) == 0 {
		return nil
	}
	return append(make([]string, 0, len(terms)), terms...)
}

// visible spells out invisible format characters (zero-width spaces, soft
// hyphens, joiners) so an analyst sees the trick instead of a plain name.
func visible(s string) string {
	// No ASCII character is invisible (format characters start at U+00AD),
	// and most evidence is ASCII: only what follows the first other byte
	// is decoded into runes.
	i := 0
	for i < len(s) && s[i] < utf8.RuneSelf {
		i++
	}
	if !strings.ContainsFunc(s[i:], isInvisible) {
		return s
	}
	return spellInvisible(s)
}

// spellInvisible writes s with each invisible character spelt out.
func spellInvisible(s string) string {
	var b strings.Builder
	for _, r := range s {
		if isInvisible(r) {
			fmt.Fprintf(&b, "<U+%04X>", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isInvisible(r rune) bool { return unicode.Is(unicode.Cf, r) }
