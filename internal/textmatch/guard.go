package textmatch

// Guards that qualify a verified match: compatibility (nominative) use,
// ordinary words with no brand context, and names that are the subject of
// a book, print, ticket or tour rather than a claim to be the brand.

// contextWindow is how many words either side of a mention its brand
// context may be, in the same field.
const contextWindow = 6

// mentions turns verified matches into Mentions, deciding Nominative,
// Ambiguous and Referential. known is the listing's coded language if the
// caller has it; coded language is no longer context for an ordinary word
// (a replica T. rex tooth is no Fossil), so it is unused.
func (ix *Index) mentions(ms []match, fields []field, known []Coded) []Mention {
	_ = known
	out := make([]Mention, 0, len(ms))
	for i, m := range ms {
		t := &ix.terms[m.term]
		f := &fields[m.field]
		start, end := f.toks[m.lo].start, f.toks[m.hi-1].end
		if m.trim != 0 {
			start, end = f.trims[m.trim-1].start, f.trims[m.trim-1].end
		}
		mn := Mention{
			BrandID:      ix.brands[t.brand].id,
			Brand:        ix.brands[t.brand].name,
			Term:         t.text,
			TermKind:     t.kind,
			Field:        f.name,
			Surface:      f.text[start:end],
			Tactics:      m.tac.names(),
			Nominative:   nominative(f.toks, m, ms),
			BrandOmitted: t.residual,
			Start:        start,
			End:          end,
		}
		if t.common && !ix.hasContext(i, ms, fields) {
			mn.Ambiguous = true
			if t.kind == "product" {
				// A product name of ordinary words ("Suede Classic")
				// with nothing else of its brand is just those words.
				continue
			}
		}
		mn.Referential = m.tac == 0 && ix.referential(m, ms, fields)
		out = append(out, mn)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// hasContext reports whether something close to match i points at its
// brand: another of its terms anywhere, or one of its context words in
// the title (for a title mention), within contextWindow words in the same
// field, or among the description's first contextWindow words for a title
// mention (a description opens by saying what the item is). A context word
// far off in the description ("one small bag" under "Coach tickets") says
// nothing about what the name means.
func (ix *Index) hasContext(i int, ms []match, fields []field) bool {
	m := ms[i]
	t := &ix.terms[m.term]
	for j, o := range ms {
		if j != i && ix.terms[o.term].brand == t.brand && o.term != m.term {
			return true
		}
	}
	ctx := ix.brands[t.brand].context
	// A product name of ordinary words written without its brand ("wool
	// scarf") next to a category word ("coat") is still just words: it
	// needs a context word that is itself distinctive ("Tarnbeck").
	strict := t.residual
	inCtx := func(fi, lo, hi int) bool {
		toks := fields[fi].toks
		for k := max(lo, 0); k < min(hi, len(toks)); k++ {
			if _, ok := ctx[toks[k].key]; !ok || sameTermAt(ms, m.term, fi, k) {
				continue
			}
			if !strict || !ix.isWord(toks[k].plain) && !isShopWord(toks[k].plain) && hasLetter(toks[k].plain) {
				return true
			}
		}
		return false
	}
	if fields[m.field].name == "title" {
		if inCtx(m.field, 0, len(fields[m.field].toks)) {
			return true
		}
		for fi := range fields {
			if fields[fi].name == "description" && inCtx(fi, 0, contextWindow) {
				return true
			}
		}
		return false
	}
	return inCtx(m.field, m.lo-contextWindow, m.hi+contextWindow)
}

// sameTermAt reports whether token k of field fi is inside a match of
// term id: the term written again ("Grant Chronograph" in title and
// description) is the same mention, not independent context.
func sameTermAt(ms []match, id, fi, k int) bool {
	for _, o := range ms {
		if o.term == id && o.field == fi && o.lo <= k && k < o.hi {
			return true
		}
	}
	return false
}

// referential reports a listing whose title says it is media or a service
// about a name — a book, biography, print, poster, ticket, tour, course —
// with none of the brand's own context words or other terms in the title:
// "Werner von Siemens: Inventor and Entrepreneur, biography, hardcover",
// "Dyson sphere sci-fi art print". Only plain spellings get here: nobody
// disguises the subject of a biography.
func (ix *Index) referential(m match, ms []match, fields []field) bool {
	ti := -1
	for fi := range fields {
		if fields[fi].name == "title" {
			ti = fi
		}
	}
	if ti < 0 {
		return false
	}
	brand := ix.terms[m.term].brand
	for _, o := range ms {
		if o.field == ti && ix.terms[o.term].brand == brand && o.term != m.term {
			return false
		}
	}
	toks := fields[ti].toks
	ctx := ix.brands[brand].context
	head := false
	for k, tk := range toks {
		if m.field == ti && k >= m.lo && k < m.hi {
			continue
		}
		if _, ok := ctx[tk.key]; ok {
			return false
		}
		next := ""
		if k+1 < len(toks) {
			next = toks[k+1].plain
		}
		if !head && isMediaHead(tk.plain, next) {
			head = true
		}
	}
	return head
}

// isMediaHead reports a word (with the next one) that makes a listing a
// book, print, ticket, tour or lesson rather than goods of a brand.
func isMediaHead(w, next string) bool {
	switch w {
	case "book", "books", "biography", "biographies", "autobiography", "memoir", "hardcover", "hardback",
		"paperback", "novel", "novels", "essays", "guidebook", "magazine", "magazines", "dvd", "dvds",
		"poster", "posters", "ticket", "tickets", "tour", "tours", "charter", "lessons", "course",
		"courses", "walk", "walks":
		return true
	case "art", "canvas":
		return next == "print" || next == "prints"
	case "coach":
		return next == "hire"
	}
	return false
}

// nominative reports accessory or compatibility use of match m: "for X",
// "fits X", "compatible with X", "works with X", "for use with X", "X
// compatible". Looking back it steps over model numbers, "and"/"or" and
// other brand mentions, so "for Dyson V10 and Shark" covers both brands.
func nominative(toks []token, m match, ms []match) bool {
	for j, steps := m.lo-1, 0; j >= 0 && steps < 6; j, steps = j-1, steps+1 {
		switch p := toks[j].plain; p {
		case "for", "fits", "fit", "fitting":
			return true
		case "with":
			if j > 0 {
				switch toks[j-1].plain {
				case "compatible", "compatibility", "works", "work", "working", "use", "used", "usable":
					return true
				}
			}
			return false
		case "and", "or", "und", "plus":
			continue
		default:
			if hasDigit(p) || inOtherMatch(j, m, ms) {
				continue
			}
			return false
		}
	}
	for j, steps := m.hi, 0; j < len(toks) && steps < 3; j, steps = j+1, steps+1 {
		switch p := toks[j].plain; {
		case p == "compatible" || p == "compatibility":
			return true
		case hasDigit(p):
			continue
		default:
			return false
		}
	}
	return false
}

func inOtherMatch(j int, m match, ms []match) bool {
	for _, o := range ms {
		if o.field == m.field && o.lo <= j && j < o.hi && (o.lo != m.lo || o.term != m.term) {
			return true
		}
	}
	return false
}

func hasLetter(s string) bool {
	for _, r := range s {
		if isLetterRune(r) {
			return true
		}
	}
	return false
}
