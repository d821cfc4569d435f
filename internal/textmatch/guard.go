package textmatch

// Guards that qualify a verified match: compatibility (nominative) use and
// ordinary words with no brand context.

// mentions turns verified matches into Mentions, deciding Nominative and
// Ambiguous.
func (ix *Index) mentions(ms []match, fields []field, known []Coded) []Mention {
	out := make([]Mention, 0, len(ms))
	coded := -1 // unknown until needed: -1, 0 or 1
	if known != nil {
		coded = min(len(known), 1)
	}
	for i, m := range ms {
		t := &ix.terms[m.term]
		f := &fields[m.field]
		start, end := f.toks[m.lo].start, f.toks[m.hi-1].end
		mn := Mention{
			BrandID:    ix.brands[t.brand].id,
			Brand:      ix.brands[t.brand].name,
			Term:       t.text,
			TermKind:   t.kind,
			Field:      f.name,
			Surface:    f.text[start:end],
			Tactics:    m.tac.names(),
			Nominative: nominative(f.toks, m, ms),
			Start:      start,
			End:        end,
		}
		if t.common && !ix.hasContext(i, ms, fields) {
			if coded < 0 {
				coded = 0
				if len(codedIn(fields)) > 0 {
					coded = 1
				}
			}
			mn.Ambiguous = coded == 0
			if mn.Ambiguous && t.kind == "product" {
				// A product name of ordinary words ("Suede Classic")
				// with nothing else of its brand is just those words.
				continue
			}
		}
		out = append(out, mn)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// hasContext reports whether anything in the listing besides match i
// points at its brand: another of its terms, or one of its context words.
func (ix *Index) hasContext(i int, ms []match, fields []field) bool {
	m := ms[i]
	t := &ix.terms[m.term]
	for j, o := range ms {
		if j != i && ix.terms[o.term].brand == t.brand && o.term != m.term {
			return true
		}
	}
	ctx := ix.brands[t.brand].context
	for fi, f := range fields {
		for k, tk := range f.toks {
			if fi == m.field && k >= m.lo && k < m.hi {
				continue
			}
			if _, ok := ctx[tk.key]; ok {
				return true
			}
		}
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
