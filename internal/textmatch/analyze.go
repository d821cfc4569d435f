package textmatch

import (
	"sync"
	"unicode/utf8"
)

// analyze runs Fold's three layers over one field and returns its tokens.
// It is the hot path of every Find, so it has two ways through:
//
//   - analyzeASCII, for text that is all ASCII (most listings): layer 1
//     is then only lower-casing, so folded character i is byte i of the
//     text, and one loop per word splits, lower-cases and skeletonizes
//     it by table (asciiClass, visualASCII); a plain or key that is the
//     text's own substring is not copied;
//   - analyzeFolded, for anything else: layer 1 character by character
//     (foldChars), keeping each folded character's span and evasions.
//
// Both share the key layer's rules, and splitWords and joinSingles
// (generic over the folded character's type): the ASCII path leaves a
// text that joinSingles may join to analyzeASCIIWords, which lower-cases
// it into a byte buffer and splits that. TestAnalyzePathsAgree and
// FuzzAnalyzePaths check that the two give the same tokens for every
// ASCII text.
func analyze(s string, dst []token) []token {
	return analyzeWords(s, dst, nil)
}

// analyzeWords is analyze that also looks the words of an ASCII text up
// in words, when not nil, and notes what it found in their tokens (word,
// wf): the bytes it has just folded cost no second pass then. The rare
// texts analyzeASCII leaves to analyzeASCIIWords are not looked up here.
func analyzeWords(s string, dst []token, words *wordTable) []token {
	if len(s) > 1<<30 {
		s = s[:1<<30] // spans are int32
	}
	sc := analyzePool.Get().(*analyzeScratch)
	base := len(dst)
	dst, ok := sc.analyzeASCII(s, dst, words)
	if !ok {
		dst = sc.analyzeFolded(s, dst)
	}
	dst = sc.setTexts(s, dst, base)
	sc.release()
	return dst
}

// analyzeScratch is analyze's working memory, pooled: nothing returned
// points into it (a token's strings are substrings of the text analysed
// or of one string copied out of pb and kb).
type analyzeScratch struct {
	folds  runeFolds
	fr     []frune
	fc     []rune // fr's characters, for the word layer
	lb     []byte // the text lower-cased, for analyzeASCIIWords
	words  []span
	texts  []tokenText
	pb, kb []byte
}

// tokenText says where token tok's plain and key are while analyze
// builds them: the plain is s[p0:p1] of the text analysed when inText,
// else pb[p0:p1]; the key is kb[k0:k1], or the plain itself when k0 < 0.
type tokenText struct {
	tok, p0, p1, k0, k1 int32
	inText              bool
}

var analyzePool = sync.Pool{New: func() any {
	return &analyzeScratch{
		folds: make(runeFolds),
		fr:    make([]frune, 0, 256),
		fc:    make([]rune, 0, 256),
		lb:    make([]byte, 0, 1024),
		words: make([]span, 0, 256),
		texts: make([]tokenText, 0, 256),
		pb:    make([]byte, 0, 1024),
		kb:    make([]byte, 0, 1024),
	}
}}

// maxPooledScratch bounds the scratch buffers kept in the pool, in
// elements: a rare huge description does not pin its buffers.
const maxPooledScratch = 64 << 10

func (sc *analyzeScratch) release() {
	if cap(sc.fr) <= maxPooledScratch && cap(sc.fc) <= maxPooledScratch && cap(sc.lb) <= maxPooledScratch &&
		cap(sc.words) <= maxPooledScratch && cap(sc.texts) <= maxPooledScratch &&
		cap(sc.pb) <= maxPooledScratch && cap(sc.kb) <= maxPooledScratch {
		analyzePool.Put(sc)
	}
}

// analyzeFolded is analyze for any text, folding it character by character.
func (sc *analyzeScratch) analyzeFolded(s string, dst []token) []token {
	fr := sc.folds.foldChars(s, sc.fr[:0])
	fc := sc.fc[:0]
	for _, f := range fr {
		fc = append(fc, f.r)
	}
	words := joinSingles(fc, splitWords(fc, sc.words[:0]))
	sc.fr, sc.fc, sc.words = fr[:0], fc[:0], words[:0]
	if dst == nil {
		dst = make([]token, 0, len(words))
	}
	base := len(dst)
	pb, kb, texts := sc.pb[:0], sc.kb[:0], sc.texts[:0]
	for _, w := range words {
		p0 := len(pb)
		var tac tactic
		for _, f := range fr[w.lo:w.hi] {
			if w.joined && !isWordRune(f.r) && !isLeetSymbol(f.r) {
				continue
			}
			pb = utf8.AppendRune(pb, f.r)
			tac |= f.tac
		}
		if len(pb) == p0 {
			continue
		}
		tt := tokenText{tok: int32(len(dst) - base), p0: int32(p0), p1: int32(len(pb))}
		kb, tt.k0, tt.k1 = appendKey(kb, pb[p0:])
		texts = append(texts, tt)
		dst = append(dst, token{start: int(fr[w.lo].start), end: int(fr[w.hi-1].end), tac: tac | w.tac})
	}
	sc.pb, sc.kb, sc.texts = pb, kb, texts
	return dst
}

// appendKey appends plain's skeleton to kb, unless it is plain itself
// (k0 < 0), which saves copying it.
func appendKey(kb, plain []byte) (_ []byte, k0, k1 int32) {
	n := len(kb)
	kb, same := appendSkeleton(kb, plain)
	if same {
		return kb[:n], -1, -1
	}
	return kb, int32(n), int32(len(kb))
}

// setTexts gives the tokens of sc.texts, dst[base:]'s, their plains and
// keys. The ones that are not substrings of s share one string, one
// allocation, since this is the hot path: plains first, then keys.
func (sc *analyzeScratch) setTexts(s string, dst []token, base int) []token {
	np := int32(len(sc.pb))
	pb := append(sc.pb, sc.kb...)
	all := string(pb)
	for _, tt := range sc.texts {
		t := &dst[base+int(tt.tok)]
		if tt.inText {
			t.plain = s[tt.p0:tt.p1]
		} else {
			t.plain = all[tt.p0:tt.p1]
		}
		if tt.k0 < 0 {
			t.key = t.plain
		} else {
			t.key = all[np+tt.k0 : np+tt.k1]
		}
	}
	sc.pb, sc.kb, sc.texts = pb[:0], sc.kb[:0], sc.texts[:0]
	return dst
}

// span is a word: a range of folded characters.
type span struct {
	lo, hi int
	tac    tactic
	joined bool // made of single characters joined together
}

// char is a folded character: a byte on analyze's ASCII path, a rune on
// the other. The word layer reads it as a rune.
type char interface{ ~byte | ~rune }

// splitWords is layer 2's word split over folded characters. Leet symbols
// count as letters only when a run of them sits between letters or digits
// ("fu||ips", "gu$$i").
func splitWords[C char](fc []C, words []span) []span {
	for i := 0; i < len(fc); {
		if !isWordRune(rune(fc[i])) {
			i++
			continue
		}
		j := i
		for j < len(fc) {
			if isWordRune(rune(fc[j])) {
				j++
				continue
			}
			k := j
			for k < len(fc) && isLeetSymbol(rune(fc[k])) {
				k++
			}
			if k > j && k < len(fc) && isWordRune(rune(fc[k])) {
				j = k
				continue
			}
			break
		}
		words = append(words, span{lo: i, hi: j})
		i = j
	}
	return words
}

// joinSingles joins runs of three or more one-character words separated by
// short spacer runs into one word marked spaced or dotted.
func joinSingles[C char](fc []C, words []span) []span {
	out := words[:0] // in place: out never overtakes i
	for i := 0; i < len(words); {
		j := i + 1
		var tac tactic
		if words[i].hi-words[i].lo == 1 && !possessive(fc, words, i) {
			for j < len(words) && words[j].hi-words[j].lo == 1 {
				gap := fc[words[j-1].hi:words[j].lo]
				if len(gap) == 0 || len(gap) > 3 {
					break
				}
				ok := true
				for _, g := range gap {
					if !isSpacer(rune(g)) {
						ok = false
						break
					}
					if g == ' ' || g == '\t' {
						tac |= tSpaced
					} else {
						tac |= tDotted
					}
				}
				if !ok {
					break
				}
				j++
			}
		}
		letters := 0
		for k := i; k < j && j-i >= 3; k++ {
			if isLetterRune(rune(fc[words[k].lo])) {
				letters++
			}
		}
		if j-i >= 3 && letters*2 >= j-i {
			if tac&tDotted != 0 {
				tac = tDotted // "G. U. C. C. I" is dotted, not both
			}
			out = append(out, span{lo: words[i].lo, hi: words[j-1].hi, tac: tac, joined: true})
			i = j
			continue
		}
		out = append(out, words[i])
		i++
	}
	return out
}

// possessive reports a one-letter word hanging off the previous word by an
// apostrophe ("Women's", "don't"): it ends that word, so it must not start
// a run of spaced letters ("Women's K a l t r i x" is not "skaltrix").
// Layer 1 folds the typographic apostrophes to '.
func possessive[C char](fc []C, words []span, i int) bool {
	if i == 0 {
		return false
	}
	a := words[i].lo - 1
	return a >= 1 && fc[a] == '\'' && words[i-1].hi == a && words[i-1].hi-words[i-1].lo > 1
}
