package textmatch

import (
	"sort"
	"strconv"

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
}

type split struct {
	lo, hi int
	key    string
}

// candidate is a key to look up in one bleve field.
type candidate struct {
	field, key string
}

func newField(name, text string) field {
	return field{name: name, text: text, toks: analyze(text, nil)}
}

// Find reports the brand terms mentioned in a listing's title and
// description, verified on word boundaries, with the evasions used.
func (ix *Index) Find(title, description string) []Mention {
	fields := [2]field{newField("title", title), newField("description", description)}
	return ix.find(fields[:], nil)
}

// FindWithCoded is Find and CodedLanguage in one pass over the text, for
// callers that want both (it saves folding the listing twice).
func (ix *Index) FindWithCoded(title, description string) ([]Mention, []Coded) {
	fields := [2]field{newField("title", title), newField("description", description)}
	coded := codedIn(fields[:])
	if coded == nil {
		coded = []Coded{}
	}
	ms := ix.find(fields[:], coded)
	if len(coded) == 0 {
		coded = nil
	}
	return ms, coded
}

// find is Find over analysed fields; coded is the listing's coded
// language if already known, or nil.
func (ix *Index) find(fields []field, coded []Coded) []Mention {
	cands := ix.candidates(fields)
	if len(cands) == 0 {
		return nil
	}
	termIDs, err := ix.lookup(cands)
	if err != nil || len(termIDs) == 0 {
		// A failed in-memory search has no cause a caller could act on
		// and Find has no error to return; report nothing rather than
		// guess.
		return nil
	}
	var found []match
	for _, id := range termIDs {
		for fi := range fields {
			found = ix.verify(found, id, fi, &fields[fi])
		}
	}
	found = resolve(found, ix.terms)
	if len(found) == 0 {
		return nil
	}
	return ix.mentions(found, fields, coded)
}

// candidates lists the keys of a listing that some term is indexed under,
// and notes split and fuzzy-eligible words for verify. The maps only say
// "some term has this key"; which terms, bleve says.
func (ix *Index) candidates(fields []field) []candidate {
	var out []candidate
	add := func(f, k string) {
		for _, c := range out {
			if c.field == f && c.key == k {
				return
			}
		}
		out = append(out, candidate{f, k})
	}
	var buf, kb []byte
	for fi := range fields {
		f := &fields[fi]
		toks := f.toks
		for i, t := range toks {
			if _, ok := ix.anchors[t.key]; ok {
				add(fieldFolded, t.key)
			}
			if i+1 < len(toks) {
				buf = append(append(append(buf[:0], t.key...), ' '), toks[i+1].key...)
				if _, ok := ix.pairs[string(buf)]; ok {
					add(fieldPairs, string(buf))
				}
			}
			if _, ok := ix.joins[t.key]; ok {
				add(fieldJoined, t.key)
			}
			// Words split apart: "Ful lips", "North Pe ak". The last
			// letter may merge with the next word's ("ful"+"lips").
			n := len(t.plain)
			if _, ok := ix.joinPrefixes[t.key[:max(1, len(t.key)-1)]]; !ok || len(t.key) == 0 {
				n = 1 << 30
			}
			for k := i + 1; k < len(toks) && k <= i+2; k++ {
				n += len(toks[k].plain)
				if n > ix.joinMax+4 {
					break
				}
				if n < ix.joinMin || n < minFuzzyLetters {
					continue
				}
				buf = buf[:0]
				for _, tk := range toks[i : k+1] {
					buf = append(buf, tk.plain...)
				}
				kb = skeleton(kb[:0], buf)
				if _, ok := ix.joins[string(kb)]; ok {
					add(fieldJoined, string(kb))
					f.splits = append(f.splits, split{i, k + 1, string(kb)})
				}
			}
			if ix.fuzzyEligible(t) {
				found := false
				for _, k := range ix.deletes[t.key] { // letter dropped
					add(fieldJoined, k)
					found = true
				}
				forDeletes(t.key, func(d string) { // letters swapped
					for _, k := range ix.deletes[d] {
						if k != t.key {
							add(fieldJoined, k)
							found = true
						}
					}
				})
				if found {
					if f.fuzzy == nil {
						f.fuzzy = make([]bool, len(toks))
					}
					f.fuzzy[i] = true
				}
			}
		}
	}
	return out
}

func (ix *Index) fuzzyEligible(t token) bool {
	if len(t.key) < minFuzzyLetters-1 || len(t.key) > ix.joinMax+1 {
		return false
	}
	if _, ok := ix.joins[t.key]; ok {
		return false // an exact hit needs no fuzzy one
	}
	return !ix.isWord(t.plain)
}

// lookup asks bleve for the terms indexed under any candidate key, in one
// disjunction per listing.
func (ix *Index) lookup(cands []candidate) ([]int, error) {
	qs := make([]query.Query, 0, len(cands))
	for _, c := range cands {
		q := bleve.NewTermQuery(c.key)
		q.SetField(c.field)
		qs = append(qs, q)
	}
	// Size bounds bleve's per-search allocation; a key rarely names more
	// than a few terms.
	size := min(maxCandidateTerms, 8*len(cands)+8)
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), size, 0, false)
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
