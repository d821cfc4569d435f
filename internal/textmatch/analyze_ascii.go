package textmatch

import (
	"encoding/binary"
	"slices"
)

// analyzeASCIIWords is analyzeASCII in steps, for a text with three
// one-character words in a row, which joinSingles may join: it
// lower-cases the text into sc.lb, splits and joins its words there
// (splitWords, joinSingles) and makes each word's plain and key
// (appendKey). Such texts are rare (about one field in eighty), so it
// shares the general path's word layer rather than repeating
// analyzeASCII's loop. It does not look its words up in the word list:
// its tokens say wordUnknown, and tokenFlags looks them up itself.
func (sc *analyzeScratch) analyzeASCIIWords(s string, dst []token) ([]token, bool) {
	lb := slices.Grow(sc.lb[:0], len(s))[:len(s)]
	sc.lb = lb[:0]
	var upper byte // 2 if some letter was upper case
	for i := 0; i < len(s); i++ {
		cls := asciiClass[s[i]]
		if cls&8 != 0 {
			return dst, false
		}
		upper |= cls & 2
		lb[i] = s[i] + cls&2<<4 // 'a'-'A' for capitals
	}
	words := joinSingles(lb, splitWords(lb, sc.words[:0]))
	sc.words = words[:0]
	if dst == nil {
		dst = make([]token, 0, len(words))
	}
	// Every word makes a token here. Tokens and texts are written in
	// place: a struct built and then appended costs a stall.
	base := len(dst)
	dst = slices.Grow(dst, len(words))[:base+len(words)]
	texts := slices.Grow(sc.texts[:0], len(words))
	pb, kb := sc.pb[:0], sc.kb[:0]
	for i, w := range words {
		t := &dst[base+i]
		*t = token{start: w.lo, end: w.hi, tac: w.tac}
		texts = texts[:len(texts)+1]
		tt := &texts[len(texts)-1]
		tt.tok = int32(i)
		var plain []byte
		switch {
		case w.joined:
			// Single characters and their spacers: keep the characters.
			p0 := len(pb)
			for _, c := range lb[w.lo:w.hi] {
				if isWordRune(rune(c)) || isLeetSymbol(rune(c)) {
					pb = append(pb, c)
				}
			}
			plain, tt.p0, tt.p1, tt.inText = pb[p0:], int32(p0), int32(len(pb)), false
		case upper == 0 || string(lb[w.lo:w.hi]) == s[w.lo:w.hi]:
			// Already lower case: the text's own substring will do.
			plain, tt.p0, tt.p1, tt.inText = lb[w.lo:w.hi], int32(w.lo), int32(w.hi), true
		default:
			p0 := len(pb)
			pb = append(pb, lb[w.lo:w.hi]...)
			plain, tt.p0, tt.p1, tt.inText = pb[p0:], int32(p0), int32(len(pb)), false
		}
		kb, tt.k0, tt.k1 = appendKey(kb, plain)
		if tt.inText && tt.k0 < 0 {
			// Both strings known now: setTexts need not see it.
			t.plain = s[w.lo:w.hi]
			t.key = t.plain
			texts = texts[:len(texts)-1]
		}
	}
	sc.pb, sc.kb, sc.texts = pb, kb, texts
	return dst, true
}

// analyzeASCII is analyze for a text of ASCII characters only; it returns
// false, having appended nothing, at the first other byte. Layer 1 folds
// ASCII by lower-casing alone and drops nothing, so folded character i is
// byte i of the text, its span is [i, i+1) and it carries no evasion.
//
// One loop per word finds its end, lower-cases it and builds its skeleton
// (splitWords, lower-casing and appendSkeleton at once: words are short
// and of every length, and each loop costs a mispredicted branch at its
// end), and copies only what differs from the text: most words are their
// own plain, many their own key. Each word is looked up in wt, when not
// nil (lookupWord), while its bytes are at hand. A text with three
// one-character words in a row, which joinSingles may join, goes to
// analyzeASCIIWords.
func (sc *analyzeScratch) analyzeASCII(s string, dst []token, wt *wordTable) ([]token, bool) {
	n := len(s)
	base := len(dst)
	// Room for the words at once (growing a token slice a word at a time
	// costs several copies): they are five letters and a space, or so.
	dst = slices.Grow(dst, n/5+1)
	// Plains and keys together are never longer than the text; pb has
	// room for a word's sixteen bytes to be loaded whole wherever it ends.
	pb := slices.Grow(sc.pb[:0], n+16)[:n+16]
	kb := slices.Grow(sc.kb[:0], n)[:n]
	texts := sc.texts[:0]
	pj, kj := 0, 0
	run := 0     // one-character words in a row
	leetEnd := 0 // s[:leetEnd]'s leet symbols that are inside a word end here
	for i := 0; i < n; {
		if cls := asciiClass[s[i]]; cls&1 == 0 {
			if cls&8 != 0 {
				clear(dst[base:]) // the tokens so far: drop the text for the collector
				return dst[:base], false
			}
			i++
			continue
		}
		lo, pj0, kj0 := i, pj, kj
		var acc, diff, prev byte
		for ; i < n; i++ {
			c := s[i]
			k := asciiClass[c]
			if k&1 == 0 {
				// A run of leet symbols between word characters is part of
				// the word ("gu$$i"): a word character that is no letter.
				if k&4 == 0 {
					break
				}
				if i >= leetEnd {
					e := i
					for e < n && asciiClass[s[e]]&4 != 0 {
						e++
					}
					if e == n || asciiClass[s[e]]&1 == 0 {
						break
					}
					leetEnd = e
				}
				k = 1 | 32
			}
			acc |= k
			l := c + k&2<<4
			pb[pj] = l
			pj++
			v := visualASCII[l]
			// Only r and n are their visual classes r and n.
			if l == 'r' && i+1 < n && s[i+1]|0x20 == 'n' {
				v = 'm'
				i++
				pb[pj] = 'n'
				pj++
				acc |= asciiClass[s[i]]
			}
			diff |= v ^ l
			kb[kj] = v
			if v != prev {
				kj++
			}
			prev = v
		}
		if i-lo == 1 {
			if run++; run >= 3 {
				clear(dst[base:]) // as at a byte outside ASCII
				return sc.analyzeASCIIWords(s, dst[:base])
			}
		} else {
			run = 0
		}
		tok := token{start: lo, end: i}
		if wt != nil {
			tok.word, tok.wf = lookupWord(wt, pb[pj0:pj+16], pj-pj0, acc)
		}
		lowered := acc&2 != 0
		// A word without a letter is its own skeleton.
		keyed := acc&16 != 0 && (diff != 0 || kj-kj0 != i-lo)
		if !lowered {
			pj = pj0
		}
		if !keyed {
			kj = kj0
		}
		dst = append(dst, tok)
		if !lowered && !keyed {
			t := &dst[len(dst)-1]
			t.plain = s[lo:i]
			t.key = t.plain
			continue
		}
		tt := tokenText{tok: int32(len(dst) - 1 - base), p0: int32(lo), p1: int32(i), inText: true, k0: -1, k1: -1}
		if lowered {
			tt.p0, tt.p1, tt.inText = int32(pj0), int32(pj), false
		}
		if keyed {
			tt.k0, tt.k1 = int32(kj0), int32(kj)
		}
		texts = append(texts, tt)
	}
	sc.pb, sc.kb, sc.texts = pb[:pj], kb[:kj], texts
	return dst, true
}

// lookupWord looks up in wt the plain of n bytes at the start of b,
// whose classes OR'd are acc; b runs sixteen bytes past it, so that its
// first sixteen bytes are loaded whole and masked to its length, with no
// loop. The word list is made of a-z only: a plain with a digit or a leet
// symbol (which analyzeASCII classes as a digit) is no word, which
// TestWordTable checks.
func lookupWord(wt *wordTable, b []byte, n int, acc byte) (wordLookup, vocabFlag) {
	if acc&(16|32) != 16 {
		return wordNo, 0
	}
	h0 := binary.LittleEndian.Uint64(b[0:8]) & lowBytes(n)
	h1 := binary.LittleEndian.Uint64(b[8:16]) & lowBytes(n-8)
	if sl := findWord(wt, h0, h1, b[:n]); sl != nil {
		return wordYes, sl.flag
	}
	return wordNo, 0
}

// lowBytes is a mask of the low k bytes of a uint64, k clamped to 0..8.
func lowBytes(k int) uint64 {
	return ^uint64(0) >> (64 - 8*min(max(k, 0), 8))
}

// asciiClass classes the bytes for the ASCII path, as bits: 1 a word
// character (a-z, 0-9, and A-Z), 2 a capital (whose lower case is 2<<4
// on), 4 a leet symbol that may sit inside a word (isLeetSymbol), 8 a
// byte outside ASCII, 16 a letter, 32 a digit (and a leet symbol inside a
// word, to analyzeASCII). TestASCIIClass checks it.
const asciiClass = "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x21\x21\x21\x21\x21\x21\x21\x21\x21\x21\x00\x00\x00\x00\x00\x00" +
	"\x04\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x13\x00\x00\x00\x00\x00\x00\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x11\x00\x04\x00\x00\x00" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08" +
	"\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08"
