package textmatch

import "unicode"

// Guards that qualify a verified match: compatibility (nominative) use,
// ordinary words with no brand context, and names that are the subject of
// a book, print, ticket or tour rather than a claim to be the brand.

// contextWindow is how many words either side of a mention its brand
// context may be, in the same field.
const contextWindow = 6

// mentions turns verified matches into Mentions, deciding Nominative,
// Ambiguous and Referential. Coded language is not context for an ordinary
// word (a replica T. rex tooth is no Fossil), so it is not consulted.
func (ix *Index) mentions(ms []match, fields []field) []Mention {
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
		if t.common && (!ix.hasContext(i, ms, fields) || ix.lowerCaseWord(i, ms, fields)) {
			mn.Ambiguous = true
			if t.kind == "product" {
				// A product name of ordinary words ("Suede Classic")
				// with nothing else of its brand is just those words.
				continue
			}
		}
		mn.Referential = ix.referential(m, ms, fields)
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

// lowerCaseWord reports an ordinary-word term (i is a match of a common
// term) written all in lower case in a title that uses capitals
// elsewhere: "Sailor's knife, stainless, compass engraved on the handle"
// uses "compass" as the word, whatever context words stand near it; a
// brand there would be capitalised. A title all in lower or all in upper
// case says nothing about case. Another of the brand's terms still makes
// it the brand, and so does an evasive spelling (nobody disguises a word).
func (ix *Index) lowerCaseWord(i int, ms []match, fields []field) bool {
	m := ms[i]
	f := &fields[m.field]
	if f.name != "title" || m.tac != 0 || m.trim != 0 {
		return false
	}
	t := &ix.terms[m.term]
	for j, o := range ms {
		if j != i && ix.terms[o.term].brand == t.brand && o.term != m.term {
			return false
		}
	}
	start, end := f.toks[m.lo].start, f.toks[m.hi-1].end
	if hasUpper(f.text[start:end]) {
		return false
	}
	outsideUpper, lower := false, false
	for k, r := range f.text {
		switch {
		case k >= start && k < end:
		case unicode.IsUpper(r):
			outsideUpper = true
		case unicode.IsLower(r):
			lower = true
		}
	}
	return outsideUpper && lower
}

func hasUpper(s string) bool {
	for _, r := range s {
		if unicode.IsUpper(r) {
			return true
		}
	}
	return false
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

// referential reports a listing whose title says it is media, a service
// or a derivative about a name — a book, biography, print, poster, ticket,
// tour, course, repair or cleaning service, cookbook, manual — with none
// of the brand's own context words or other terms in the title: "Werner
// von Siemens: Inventor and Entrepreneur, biography, hardcover", "Dyson
// sphere sci-fi art print", "SkyPulse Q7 battery replacement, repair
// service". It holds for brand, alias and product-name mentions alike.
// Only plain spellings get here, and only in a title with no evasive
// spelling: nobody disguises the subject of a biography or a repair shop's
// customers' brands.
func (ix *Index) referential(m match, ms []match, fields []field) bool {
	if m.tac != 0 {
		return false
	}
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
	if m.field != ti {
		// The title decides what the listing is about: a description
		// mention is referential when the title's mention of the brand
		// is ("... repair service" above "not affiliated with Tavlen").
		for _, o := range ms {
			if o.field == ti && ix.terms[o.term].brand == brand {
				return ix.referential(o, ms, fields)
			}
		}
	}
	for _, o := range ms {
		if o.field != ti {
			continue
		}
		if o.tac != 0 || ix.terms[o.term].brand == brand && o.term != m.term {
			return false
		}
	}
	// A title with no media or service word is not referential, whatever
	// else it holds: looked for first, since few titles have one, before
	// the brand's context words and disguise, which rule it out.
	toks := fields[ti].toks
	inMatch := func(k int) bool { return m.field == ti && k >= m.lo && k < m.hi }
	head := false
	for k, tk := range toks {
		if inMatch(k) {
			continue
		}
		prev, next := "", ""
		if k > 0 {
			prev = toks[k-1].plain
		}
		if k+1 < len(toks) {
			next = toks[k+1].plain
		}
		if isMediaHead(tk.plain, next) || isServiceHead(prev, tk.plain, next) {
			head = true
			break
		}
	}
	if !head {
		return false
	}
	ctx := ix.brands[brand].context
	for k, tk := range toks {
		if inMatch(k) {
			continue
		}
		if _, ok := ctx[tk.key]; ok {
			return false
		}
		if tk.tac&(tZeroWidth|tSoftHyphen|tStyled) != 0 {
			return false // hidden characters or styled letters: disguise
		}
	}
	return true
}

// isServiceHead reports a word (with its neighbours) that makes a listing
// a service for, or a work about, goods of a brand rather than the goods:
// "repair service", "cleaning & restoration", "unofficial cookbook",
// "owner's manual (PDF)". Not when the listing only comes with it ("with
// user manual", "manual included", "repair kit", "self-cleaning") or the
// word describes the goods ("manual grinder").
func isServiceHead(prev, w, next string) bool {
	switch w {
	case "service", "services", "servicing", "repair", "repairs", "restoration", "refurbishment", "cleaning",
		"cookbook", "cookbooks", "recipes", "postcard", "postcards", "manual", "manuals", "guide", "guides",
		// The same in a few languages marketplaces list in: postcards
		// (da/no/sv/de/it/fr), cookbooks, repair.
		"postkort", "vykort", "postkarte", "postkarten", "ansichtskarte", "cartolina", "cartoline", "kochbuch",
		"reparatur", "reparation", "reparasjon", "reparacion", "riparazione":
	default:
		return false
	}
	switch prev {
	case "with", "w", "incl", "including", "includes", "plus", "free", "self", "easy", "original", "oem":
		return false
	}
	switch next {
	case "included", "incl", "inside", "kit", "kits", "tool", "tools", "set", "brush", "brushes", "cloth",
		"cloths", "spray", "pen", "mode", "function", "part", "parts", "pack":
		return false
	}
	if (w == "manual" || w == "guide") && hasLetter(next) {
		switch next {
		case "for", "to", "of", "pdf", "book", "booklet", "ebook", "edition", "paperback", "hardcover":
		default:
			return false // "manual grinder", "guide rail"
		}
	}
	return true
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
// compatible". Looking back it steps over model numbers, "and"/"or",
// determiners and possessives ("for your X", "fits all X") and other brand
// mentions, so "for Dyson V10 and Shark" covers both brands.
func nominative(toks []token, m match, ms []match) bool {
	for j, steps := m.lo-1, 0; j >= 0 && steps < 6; j, steps = j-1, steps+1 {
		switch p := toks[j].plain; p {
		case "for", "fits", "fit", "fitting":
			return true
		case "with":
			if j > 0 {
				switch toks[j-1].plain {
				case "compatible", "compatibility", "works", "work", "working", "use", "used", "usable",
					"affiliated", "affiliation", "associated": // "not affiliated with X"
					return true
				}
			}
			return false
		case "and", "or", "und", "plus",
			// "for your X", "fits all X models", "for most other X".
			"your", "my", "the", "a", "an", "any", "all", "most", "other", "his", "her", "their", "our":
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
