package textmatch

import (
	"sort"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// field is one analysed listing field.
type field struct {
	name string
	text string
	toks []token
	// fuzzy[i] says token i may be a one-edit misspelling of a term.
	fuzzy []bool
	// splits are runs of two or three tokens whose joined skeleton is a
	// term's joined key ("Ful lips", "North Pe ak").
	splits []split
	// trims are spaced runs read without their first or last letter.
	trims []trim
}

type split struct {
	lo, hi int
	key    string
}

// trim is spaced run tok read without one end letter, whose key is some
// term's joined key: a stray letter joins the run when a word ends or
// starts with one ("K A L T R I X s", "a G U C C I").
type trim struct {
	tok        int
	plain, key string
	start, end int // byte span of the letters kept
}

// candidate is a key to look up in one bleve field, with the terms its
// postings list under it (see postingsFromBleve).
type candidate struct {
	field, key string
	ids        []int32
}

func newField(name, text string) field {
	return field{name: name, text: text, toks: analyze(text, nil)}
}

// tokenPool holds the token slices of analysed fields between calls. No
// result points into them: Mentions and Coded quote the field text and
// the registry, never a token.
var tokenPool = sync.Pool{New: func() any { return new([2][]token) }}

// analyzeFields analyses title and description into pooled token slices,
// looking their words up in words (see analyzeWords); releaseFields
// returns them.
func analyzeFields(title, description string, words *wordTable) (*[2][]token, [2]field) {
	tb := tokenPool.Get().(*[2][]token)
	return tb, [2]field{
		{name: "title", text: title, toks: analyzeWords(title, tb[0][:0], words)},
		{name: "description", text: description, toks: analyzeWords(description, tb[1][:0], words)},
	}
}

func releaseFields(tb *[2][]token, fields *[2]field) {
	for i := range fields {
		toks := fields[i].toks
		if cap(toks) > maxPooledScratch {
			return
		}
		clear(toks) // drop the strings for the collector
		tb[i] = toks[:0]
	}
	tokenPool.Put(tb)
}

// Find reports the brand terms mentioned in a listing's title and
// description, verified on word boundaries, with the evasions used.
func (ix *Index) Find(title, description string) []Mention {
	tb, fields := analyzeFields(title, description, &ix.words)
	defer releaseFields(tb, &fields)
	return ix.find(fields[:])
}

// FindWithCoded is Find and CodedLanguage in one pass over the text, for
// callers that want both (it saves folding the listing twice). Coded
// language is looked for only when a brand is mentioned, unless always:
// a caller that keeps only verdicts naming a brand has no use for it
// otherwise, and most listings name none.
func (ix *Index) FindWithCoded(title, description string, always bool) ([]Mention, []Coded) {
	tb, fields := analyzeFields(title, description, &ix.words)
	defer releaseFields(tb, &fields)
	ms := ix.find(fields[:])
	if len(ms) == 0 && !always {
		return nil, nil
	}
	return ms, codedIn(fields[:])
}

// find is Find over analysed fields.
func (ix *Index) find(fields []field) []Mention {
	sc := findPool.Get().(*findScratch)
	defer sc.release(fields)
	cands := ix.candidates(sc, fields)
	if len(cands) == 0 {
		return nil
	}
	termIDs, err := ix.candidateTerms(sc.ids[:0], cands)
	if err != nil || len(termIDs) == 0 {
		// A failed in-memory search has no cause a caller could act on
		// and Find has no error to return; report nothing rather than
		// guess.
		return nil
	}
	sc.ids = termIDs
	for len(sc.prints) < len(fields) {
		sc.prints = append(sc.prints, nil)
	}
	for fi := range fields {
		sc.prints[fi] = keyPrints(sc.prints[fi][:0], fields[fi].toks)
	}
	found := sc.found[:0]
	for _, id := range termIDs {
		for fi := range fields {
			found = ix.verify(found, id, fi, &fields[fi], sc.prints[fi])
		}
	}
	sc.found = found
	found = dropShadowed(found, ix.terms)
	found = resolve(found, ix.terms)
	if len(found) == 0 {
		return nil
	}
	return ix.mentions(found, fields)
}

// findScratch is one find call's working memory, pooled: candidate keys,
// token flags, split notes, candidate terms and matches. None of it
// outlives the call; Mentions copy what they report.
type findScratch struct {
	cands  []candidate
	flags  []vocabFlag
	splits []split
	ws     []string
	ids    []int
	prints [][]uint32 // per field, for verify
	found  []match
	buf    []byte
	kb     []byte
	db     []byte
}

var findPool = sync.Pool{New: func() any { return new(findScratch) }}

// release returns sc to the pool, detaching the fields' split notes that
// live in it; a scratch grown by a huge listing is left to the collector.
func (sc *findScratch) release(fields []field) {
	for i := range fields {
		fields[i].splits = nil
	}
	if cap(sc.cands) > maxPooledScratch || cap(sc.flags) > maxPooledScratch || cap(sc.splits) > maxPooledScratch ||
		cap(sc.ws) > maxPooledScratch || cap(sc.ids) > maxPooledScratch || cap(sc.found) > maxPooledScratch {
		return
	}
	for _, p := range sc.prints {
		if cap(p) > maxPooledScratch {
			return
		}
	}
	clear(sc.cands) // keys of the index, but drop them with it
	sc.cands, sc.splits, sc.found = sc.cands[:0], sc.splits[:0], sc.found[:0]
	findPool.Put(sc)
}

// add notes candidate key k of bleve field f once.
func (sc *findScratch) add(f, k string, ids []int32) {
	for _, c := range sc.cands {
		if c.field == f && c.key == k {
			return
		}
	}
	sc.cands = append(sc.cands, candidate{field: f, key: k, ids: ids})
}

// candidates lists the keys of a listing that some term is indexed under,
// with their postings, and notes split and fuzzy-eligible words for
// verify. The maps only say "some term has this key"; which terms, bleve
// says. The keys it makes up (words joined, letters deleted) go past a
// keyFilter before a map; refCandidates in the tests is the same search
// without filters, and TestCandidatesAgree and FuzzFind hold the two
// together.
func (ix *Index) candidates(sc *findScratch, fields []field) []candidate {
	sc.cands = sc.cands[:0]
	sc.splits = sc.splits[:0]
	buf, kb, db := sc.buf[:0], sc.kb[:0], sc.db[:0]
	for fi := range fields {
		f := &fields[fi]
		toks := f.toks
		fl := ix.tokenFlags(sc.flags[:0], toks)
		sc.flags = fl
		splits0 := len(sc.splits)
		for i, t := range toks {
			if fl[i]&vAnchor != 0 {
				sc.add(fieldFolded, t.key, ix.foldedPost[t.key].ids)
			}
			if i+1 < len(toks) && fl[i]&vPairFirst != 0 && fl[i+1]&vPairSecond != 0 {
				buf = append(append(append(buf[:0], t.key...), ' '), toks[i+1].key...)
				if p, ok := ix.pairs[string(buf)]; ok {
					sc.add(fieldPairs, p.key, p.ids)
				}
			}
			if fl[i]&vJoin != 0 {
				sc.add(fieldJoined, t.key, ix.joinedPost[t.key].ids)
			}
			// Words split apart: "Ful lips", "North Pe ak". The last
			// letter may merge with the next word's ("ful"+"lips").
			if i+1 < len(toks) && len(t.key) > 0 && fl[i]&vSplitStart != 0 &&
				(fl[i]&vKeyPrefix != 0 || !joinStartsWithKey(t, toks[i+1])) {
				n := len(t.plain)
				for k := i + 1; k < len(toks) && k <= i+2; k++ {
					n += len(toks[k].plain)
					if n > ix.joinMax+4 {
						break
					}
					if n < ix.joinMin || n < minFuzzyLetters {
						continue
					}
					// Most runs are in no joined key: the filter says so
					// from the keys' ends, before the key is built.
					sig, ok := joinedSig(toks[i : k+1])
					if ok && !ix.joinFilter.has(sig) {
						continue
					}
					kb, buf = joinedKey(kb, buf, toks[i:k+1])
					if !ok && !ix.joinFilter.has(keySigOf(kb)) {
						continue
					}
					if p, ok := ix.joinedPost[string(kb)]; ok {
						sc.add(fieldJoined, p.key, p.ids)
						sc.splits = append(sc.splits, split{i, k + 1, p.key})
					}
				}
			}
			if t.tac&(tSpaced|tDotted) != 0 && len(t.plain) >= 4 && fl[i]&vJoin == 0 {
				ix.trimRun(sc, f, i)
			}
			if fl[i]&vWord != 0 {
				continue // the fuzzy lookups below are for words that are not English
			}
			// One word of a multi-word name misspelt: the corrected word
			// with a neighbour may be the name's anchor pair. Only a
			// neighbour that can be one end of an anchor pair can make one.
			left := i > 0 && fl[i-1]&vPairFirst != 0
			right := i+1 < len(toks) && fl[i+1]&vPairSecond != 0
			if (left || right) && (i > 0 && fl[i-1]&vMultiWord != 0 || i+1 < len(toks) && fl[i+1]&vMultiWord != 0) && ix.wordFuzzyEligible(t) {
				var ws []string
				if fl[i]&vFuzzyWord != 0 {
					ws = ix.wordNear[t.key] // the word spelt right: worked out by NewIndex
				} else {
					ws, db = oneEditFrom(ix.wordDelFilter, ix.wordDeletes, sc.ws[:0], db, t.key)
					sc.ws = ws
				}
				for _, w := range ws {
					if left {
						buf = append(append(append(buf[:0], toks[i-1].key...), ' '), w...)
						if p, ok := ix.pairs[string(buf)]; ok {
							sc.add(fieldPairs, p.key, p.ids)
						}
					}
					if right {
						buf = append(append(append(buf[:0], w...), ' '), toks[i+1].key...)
						if p, ok := ix.pairs[string(buf)]; ok {
							sc.add(fieldPairs, p.key, p.ids)
						}
					}
				}
			}
			if len(t.key) >= minFuzzyLetters-1 && len(t.key) <= ix.joinMax+1 && fl[i]&vJoin == 0 {
				// A letter dropped, or two swapped.
				var ks []string
				ks, db = oneEditFrom(ix.delFilter, ix.deletes, sc.ws[:0], db, t.key)
				sc.ws = ks
				for _, k := range ks {
					sc.add(fieldJoined, k, ix.joinedPost[k].ids)
				}
				if len(ks) > 0 {
					if f.fuzzy == nil {
						f.fuzzy = make([]bool, len(toks))
					}
					f.fuzzy[i] = true
				}
			}
		}
		if len(sc.splits) > splits0 {
			f.splits = sc.splits[splits0:len(sc.splits):len(sc.splits)]
		}
	}
	sc.buf, sc.kb, sc.db = buf, kb, db
	return sc.cands
}

// joinedKey returns the skeleton of toks' plains run together in kb,
// made from their keys where it can be: skeleton reads left to right,
// looking ahead one letter only for "rn" and back only at the letter it
// kept last, so the skeleton of two words is the first's key then the
// second's, less its first letter when the first key ends with it. Not
// when an "r" ending one word meets an "n" starting the next, or a word
// has no letters (skeleton keeps those as written): then the plains are
// joined in buf and skeletonized. TestJoinedKey and FuzzJoinedKey hold
// the two ways together.
func joinedKey(kb, buf []byte, toks []token) ([]byte, []byte) {
	for j, tk := range toks {
		if !hasLetter(tk.plain) || j > 0 && rnJoin(toks[j-1].plain, tk.plain) {
			buf = buf[:0]
			for _, tk := range toks {
				buf = append(buf, tk.plain...)
			}
			return skeleton(kb[:0], buf), buf
		}
	}
	kb = kb[:0]
	for _, tk := range toks {
		k := tk.key
		if len(kb) > 0 {
			// The collapse of doubled letters across the join.
			last, _ := utf8.DecodeLastRune(kb)
			if first, size := utf8.DecodeRuneInString(k); first == last {
				k = k[size:]
			}
		}
		kb = append(kb, k...)
	}
	return kb, buf
}

// joinedSig is keySigOf(joinedKey(toks)) worked out from the ends of the
// keys, without building the joined key: its length, first two and last
// two bytes. ok is false where joinedKey would not join the keys (a word
// without a letter, an "r" meeting an "n") or a key starts with a
// character outside ASCII (the doubled-letter collapse compares
// characters); checkJoinedKey holds it to joinedKey.
func joinedSig(toks []token) (sig uint32, ok bool) {
	var a, b, y, z byte // first two and last two bytes so far
	n := 0
	for j, tk := range toks {
		k := tk.key
		if len(k) == 0 || k[0] >= utf8.RuneSelf || !hasLetter(tk.plain) || j > 0 && rnJoin(toks[j-1].plain, tk.plain) {
			return 0, false
		}
		if n > 0 && k[0] == z {
			k = k[1:] // the collapse of doubled letters across the join
		}
		switch m := len(k); {
		case m == 0:
			continue
		case n == 0:
			a = k[0]
			if m > 1 {
				b = k[1]
			}
		case n == 1:
			b = k[0]
		}
		if m := len(k); m > 1 {
			y, z = k[m-2], k[m-1]
		} else {
			y, z = z, k[0]
		}
		n += len(k)
	}
	return keySig(n, a, b, y, z), true
}

// joinStartsWithKey reports whether the skeleton of t's plain followed by
// next's (and any more) begins with t's key: when t has a letter (else its
// key is its plain as written, which the join may fold) and no "r" ending t
// meets an "n" starting next (the join reads them as "m"). A joined key
// that begins so needs t's key among joinPrefixes or the joined keys
// (vKeyPrefix). FuzzJoinedKey checks it against skeleton.
func joinStartsWithKey(t, next token) bool {
	return hasLetter(t.plain) && !rnJoin(t.plain, next.plain)
}

// rnJoin reports an "r" ending a and an "n" starting b, which skeleton
// reads as one "m" when they are run together.
func rnJoin(a, b string) bool {
	return visual(rune(a[len(a)-1])) == 'r' && visual(rune(b[0])) == 'n'
}

// isJoinPrefix reports whether key is in joinPrefixes.
func (ix *Index) isJoinPrefix(key string) bool {
	if !ix.prefixFilter.has(keySigOf(key)) {
		return false
	}
	_, ok := ix.joinPrefixes[key]
	return ok
}

// tokenFlags appends what the vocabulary knows about each token's key to
// fl. One lookup per token, of the word list for English words (which
// carries their keys' flags; analyzeWords has looked most up already),
// else of the vocabulary, behind filters; vWord marks an English word.
func (ix *Index) tokenFlags(fl []vocabFlag, toks []token) []vocabFlag {
	for i, t := range toks {
		switch {
		case t.word == wordYes:
			fl = append(fl, t.wf|vWord)
			continue
		case t.word == wordUnknown && ix.mayBeWord(t.plain):
			if w, ok := ix.words.lookup(t.plain); ok {
				fl = append(fl, w|vWord)
				continue
			}
		}
		var w vocabFlag
		if ix.vocabFilter.has(keySigOf(t.key)) {
			w = ix.vocab[t.key]
		}
		if i+1 < len(toks) {
			// joinPrefixes holds every prefix of its prefixes: a key in it
			// needs no second lookup for vSplitStart.
			if ix.isJoinPrefix(t.key) {
				w |= vSplitStart | vKeyPrefix
			} else if len(t.key) > 1 && ix.isJoinPrefix(t.key[:len(t.key)-1]) {
				w |= vSplitStart
			}
			if w&vJoin != 0 {
				w |= vKeyPrefix
			}
		}
		fl = append(fl, w)
	}
	return fl
}

// wordFuzzyEligible reports whether t may be one word of a multi-word
// name with one edit, English words aside: no digits, long enough.
func (ix *Index) wordFuzzyEligible(t token) bool {
	return len(ix.wordDeletes) > 0 && len(t.key) >= minWordFuzzyLetters-1 && len(t.key) <= ix.joinMax+1 && !hasDigit(t.plain)
}

// trimRun notes spaced run toks[i] read without its first or last letter
// when that is some term's joined key. Only the whole run's letters are
// known here, so the kept letters' byte span is found by folding the run's
// text again; that happens only on a hit.
func (ix *Index) trimRun(sc *findScratch, f *field, i int) {
	t := f.toks[i]
	_, first := utf8.DecodeRuneInString(t.plain)
	_, last := utf8.DecodeLastRuneInString(t.plain)
	for side, p := range [2]string{t.plain[first:], t.plain[:len(t.plain)-last]} {
		post, ok := ix.joinedPost[skeletonString(p)]
		if !ok {
			continue
		}
		k := post.key
		var kept []frune
		for _, r := range foldChars(f.text[t.start:t.end], nil) {
			if isWordRune(r.r) {
				kept = append(kept, r)
			}
		}
		if len(kept) < 3 {
			continue
		}
		start, end := t.start, t.end
		if side == 0 {
			start = t.start + int(kept[1].start)
		} else {
			end = t.start + int(kept[len(kept)-2].end)
		}
		sc.add(fieldJoined, k, post.ids)
		f.trims = append(f.trims, trim{tok: i, plain: p, key: k, start: start, end: end})
	}
}

// dropShadowed removes matches that a longer one of the same brand makes
// redundant before resolve ranks by sureness: a product name's residual
// inside the full name ("K4ltrix AeroBeat X2" is the product, brand
// included), and a trimmed spaced run that some term matched whole.
func dropShadowed(ms []match, terms []term) []match {
	out := ms[:0]
	for i, m := range ms {
		shadowed := false
		for j, o := range ms {
			if i == j || o.field != m.field || o.trim != 0 {
				continue
			}
			switch {
			case terms[m.term].residual && !terms[o.term].residual && terms[o.term].brand == terms[m.term].brand &&
				o.lo <= m.lo && m.hi <= o.hi:
				shadowed = true
			case m.trim != 0 && o.lo <= m.lo && m.hi <= o.hi:
				shadowed = true
			}
		}
		if !shadowed {
			out = append(out, m)
		}
	}
	return out
}

// searchSize is the size of lookup's search for n candidate keys. It
// bounds bleve's per-search allocation; a key rarely names more than a few
// terms.
func searchSize(n int) int { return min(maxCandidateTerms, 8*n+8) }

// lookup asks bleve for the terms indexed under any candidate key, in one
// disjunction per listing.
func (ix *Index) lookup(cands []candidate) ([]int, error) {
	qs := make([]query.Query, 0, len(cands))
	for _, c := range cands {
		q := bleve.NewTermQuery(c.key)
		q.SetField(c.field)
		qs = append(qs, q)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), searchSize(len(cands)), 0, false)
	req.Score = bleve.ScoreNone
	res, err := ix.bleve.Search(req)
	if err != nil {
		return nil, err
	}
	ids := make([]int, 0, len(res.Hits))
	for _, h := range res.Hits {
		id, err := strconv.Atoi(h.ID)
		if err != nil || id < 0 || id >= len(ix.terms) {
			continue
		}
		ids = append(ids, id)
	}
	sort.Ints(ids)
	return ids, nil
}
