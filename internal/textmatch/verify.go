package textmatch

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// match is a verified term occurrence: tokens [lo, hi) of a field.
type match struct {
	term    int
	field   int
	lo, hi  int
	tac     tactic
	quality int // lower is surer
	// trim is 1 + the index of the field's trim matched (a spaced run
	// read without its first or last letter), or 0.
	trim int
}

const (
	qPlain    = iota // same spelling once characters are folded
	qSkeleton        // same visual skeleton (leet, doubled letters...)
	qJoined          // words run together or split apart
	qFuzzy           // one letter dropped or two swapped
)

// verify appends every occurrence of term id in toks, checked by exact
// rules on word boundaries: bleve and the deletion dictionary only propose.
// prints holds keyPrint of each token's key: a token whose print is
// neither the term's first key's nor its joined key's can only match by
// one edit or as the second word of a multi-word term, so most are passed
// over without comparing strings.
func (ix *Index) verify(dst []match, id, fi int, f *field, prints []uint32) []match {
	t := &ix.terms[id]
	toks := f.toks
	n := len(t.keys)
	fuzzy := t.fuzzy && f.fuzzy != nil
	for i, p := range prints {
		if p != t.print0 && p != t.printJoined && !(fuzzy && f.fuzzy[i]) &&
			(t.fuzzyWords == 0 || i+1 >= len(prints) || prints[i+1] != t.print1) {
			continue
		}
		// The term's words in sequence.
		if i+n <= len(toks) && toks[i].key == t.keys[0] && ix.sameWords(toks[i:i+n], t) {
			dst = append(dst, ix.grade(id, fi, f, i, i+n, 0))
			continue
		}
		if toks[i].key == t.joined {
			// A multi-word term run together: "louisvuitton".
			if n >= 2 && (!t.wordDigit || toks[i].plain == t.word) {
				dst = append(dst, ix.grade(id, fi, f, i, i+1, tJoined))
			}
			continue
		}
		// One edit, for long names that are not ordinary words.
		if t.fuzzy && f.fuzzy != nil && f.fuzzy[i] {
			if e := oneEdit(toks[i].key, t.joined, false); e != 0 {
				dst = append(dst, ix.grade(id, fi, f, i, i+1, e))
				continue
			}
		}
		// One edit in one word of a multi-word name, the others exact:
		// "Mison Verel", "Maison Verl".
		if t.fuzzyWords != 0 && i+n <= len(toks) && (toks[i].key == t.keys[0] || toks[i+1].key == t.keys[1]) {
			if e := ix.oneWordEdit(toks[i:i+n], t); e != 0 {
				dst = append(dst, ix.grade(id, fi, f, i, i+n, e))
			}
		}
	}
	// A spaced run with a stray letter at one end: "a K A L T R I X".
	for k, tr := range f.trims {
		if tr.key == t.joined && (!t.wordDigit || tr.plain == t.word) {
			m := ix.gradePlain(id, fi, tr.plain, ix.ownTactics(id, toks[tr.tok].tac, f.text[tr.start:tr.end]), tr.tok, tr.tok+1, 0)
			m.trim, m.quality = k+1, qJoined
			dst = append(dst, m)
		}
	}
	// The term split into two or three pieces: "Ful lips".
	for _, sp := range f.splits {
		if sp.key == t.joined && sp.hi-sp.lo != n && ix.plausibleSplit(toks[sp.lo:sp.hi]) {
			dst = append(dst, ix.grade(id, fi, f, sp.lo, sp.hi, tSpaced))
		}
	}
	return dst
}

// keyPrint is a cheap fingerprint of a key: keys with different prints
// differ.
func keyPrint(k string) uint32 {
	if k == "" {
		return 0
	}
	return uint32(len(k)) | uint32(k[0])<<8 | uint32(k[len(k)/2])<<16 | uint32(k[len(k)-1])<<24
}

// keyPrints appends keyPrint of each token's key to dst.
func keyPrints(dst []uint32, toks []token) []uint32 {
	for _, t := range toks {
		dst = append(dst, keyPrint(t.key))
	}
	return dst
}

// oneWordEdit reports the edit that turns the term into toks when exactly
// one word differs by one dropped letter or one swap, that word is long
// enough and has no digits, and what the seller wrote there is not itself
// an English word; otherwise 0.
func (ix *Index) oneWordEdit(toks []token, t *term) tactic {
	var e tactic
	for j, tk := range toks {
		if tk.key == t.keys[j] && digitsMatch(tk.plain, t.plains[j]) {
			continue
		}
		if e != 0 || t.fuzzyWords&(1<<j) == 0 || hasDigit(tk.plain) {
			return 0
		}
		// The edit before the word list: it rules out more, for less.
		if e = oneEdit(tk.key, t.keys[j], true); e == 0 || ix.isWord(tk.plain) {
			return 0
		}
	}
	return e
}

// sameWords reports whether toks spell the term word for word. Words with
// digits (model numbers) must match exactly: their skeletons collide
// ("V1" and "V11" both fold to "vl"). The skeleton makes w and v one class
// (so "VVolford" and "Ovvra" match); an English word that differs from
// the term's word only that way ("wine" for a brand "Vine") is that word,
// not a spoof.
func (ix *Index) sameWords(toks []token, t *term) bool {
	for j, tk := range toks {
		if tk.key != t.keys[j] || !digitsMatch(tk.plain, t.plains[j]) {
			return false
		}
		if tk.plain != t.plains[j] && strings.Count(tk.plain, "w") != strings.Count(t.plains[j], "w") && ix.isWord(tk.plain) {
			return false
		}
	}
	return true
}

func digitsMatch(listing, registered string) bool {
	if !hasDigit(registered) {
		return true
	}
	return listing == registered
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return true
		}
	}
	return false
}

// plausibleSplit rejects pieces that are all ordinary words ("sun day" is
// not an evasion of a brand "Sunday") and pieces far apart.
func (ix *Index) plausibleSplit(toks []token) bool {
	allWords := true
	for i, t := range toks {
		if i > 0 && t.start-toks[i-1].end > 3 {
			return false
		}
		if len(t.plain) < 2 || !ix.isWord(t.plain) {
			allWords = false
		}
	}
	return !allWords
}

// oneEdit reports how got differs from want by one dropped letter or two
// swapped neighbours, or 0. Substitutions are not accepted: they turn too
// many ordinary words into brands. The dropped letter may be the first or
// last only when ends is set: a whole name without its first or last
// letter is too often a word of some language ("tavle", Danish for board,
// of a brand "Tavlen"), and sellers keep the ends that make a name
// readable. One word of a multi-word name ("Brisa Calde") may lose an end
// letter: the other words, matched exactly, say which name it is.
func oneEdit(got, want string, ends bool) tactic {
	switch {
	case len(got) == len(want)-1:
		i := 0
		for i < len(got) && got[i] == want[i] {
			i++
		}
		// Keys have no doubled letters, so the dropped one is want[i].
		if (ends || i > 0 && i < len(want)-1) && got[i:] == want[i+1:] {
			return tDropped
		}
	case len(got) == len(want):
		i := 0
		for i < len(got) && got[i] == want[i] {
			i++
		}
		if i+1 < len(got) && got[i] == want[i+1] && got[i+1] == want[i] && got[i+2:] == want[i+2:] {
			return tTransposed
		}
	}
	return 0
}

// grade works out which evasions turned the term into toks[lo:hi] and how
// sure the match is.
func (ix *Index) grade(id, fi int, f *field, lo, hi int, extra tactic) match {
	toks := f.toks
	got, tac := toks[lo].plain, toks[lo].tac
	if hi-lo > 1 {
		var buf [64]byte
		b := buf[:0]
		for _, tk := range toks[lo:hi] {
			b = append(b, tk.plain...)
			tac |= tk.tac
		}
		got = string(b)
	}
	tac = ix.ownTactics(id, tac, f.text[toks[lo].start:toks[hi-1].end])
	return ix.gradePlain(id, fi, got, tac, lo, hi, extra)
}

// charTactics are the evasions layer 1 reads off single characters that a
// registered name may itself contain ("Nørdvik", "Café Lumé").
const charTactics = tConfusable | tAccent

// ownTactics takes from tac the character evasions that only the term's
// own letters caused: a name written with the letters it is registered
// with ("Nørdvik", "Café Lumé") is no look-alike or accent evasion, and
// one written without its accents ("Nordvik") folds plain already. A
// letter the registered name lacks ("Nördvik", a Cyrillic і) still counts.
// surface is what the seller wrote for the term.
func (ix *Index) ownTactics(id int, tac tactic, surface string) tactic {
	own := ix.terms[id].own
	if own == "" || tac&charTactics == 0 {
		return tac
	}
	var kept tactic
	for _, r := range norm.NFC.String(surface) {
		if r < utf8.RuneSelf || strings.ContainsRune(own, unicode.ToLower(r)) {
			continue
		}
		_, t := foldRune(r)
		kept |= t & charTactics
	}
	return tac&^charTactics | kept
}

// gradePlain is grade for text g, with tactics tac, standing for toks[lo:hi].
// The term's own spelling (t.word) and its leet-free and collapsed forms
// are NewIndex's; g written exactly so adds no tactic.
func (ix *Index) gradePlain(id, fi int, g string, tac tactic, lo, hi int, extra tactic) match {
	t := &ix.terms[id]
	tac |= extra
	if g != t.word {
		if countLeet(g) > t.leetN {
			tac |= tLeet
		}
		if extra&(tDropped|tTransposed) == 0 {
			a, b := leetOnly(g), t.leet
			if a != b && strings.ReplaceAll(a, "vv", "w") == t.leetVV {
				tac |= tConfusable // "VVolford": a w spoofed by two v's, nothing doubled
			} else if a != b {
				ca, cb := collapse(a), t.leetColl
				if ca != cb {
					tac |= tConfusable // ASCII look-alikes: l/I, rn/m, vv/w
				}
				switch da, db := len(a)-len(ca), len(b)-len(cb); {
				case da > db:
					tac |= tDoubled
				case da < db:
					tac |= tDropped
				}
			}
		}
	}
	q := qSkeleton
	switch {
	case extra&(tDropped|tTransposed) != 0:
		q = qFuzzy
	case extra&(tJoined|tSpaced) != 0:
		q = qJoined
	case tac == 0:
		q = qPlain
	}
	return match{term: id, field: fi, lo: lo, hi: hi, tac: tac, quality: q}
}

func countLeet(s string) int {
	n := 0
	for _, r := range s {
		if leetLetter(r) != r {
			n++
		}
	}
	return n
}

// resolve drops matches that a better one covers: within a brand the
// longest term wins ("Fullips Lip Plumper" over "Fullips"); between brands
// a surer match wins over a looser one on the same words.
func resolve(ms []match, terms []term) []match {
	slices.SortStableFunc(ms, func(a, b match) int {
		if a.quality != b.quality {
			return cmp.Compare(a.quality, b.quality)
		}
		if a.hi-a.lo != b.hi-b.lo {
			return cmp.Compare(b.hi-b.lo, a.hi-a.lo)
		}
		return cmp.Compare(a.term, b.term)
	})
	// Kept in place: a match is written at or before where it was read.
	kept := ms[:0]
	for _, m := range ms {
		ok := true
		for _, k := range kept {
			if k.field != m.field || k.hi <= m.lo || m.hi <= k.lo {
				continue
			}
			if terms[k.term].brand == terms[m.term].brand || k.quality < m.quality {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, m)
		}
	}
	// No two kept matches share field, start and term (they would
	// overlap, and one term is one brand), so this order is total.
	slices.SortFunc(kept, func(a, b match) int {
		if a.field != b.field {
			return cmp.Compare(a.field, b.field)
		}
		if a.lo != b.lo {
			return cmp.Compare(a.lo, b.lo)
		}
		return cmp.Compare(a.term, b.term)
	})
	return kept
}
