package textmatch

import "strings"

// tactic is a set of evasions seen in a stretch of text.
type tactic uint16

const (
	tConfusable tactic = 1 << iota
	tZeroWidth
	tSoftHyphen
	tFullWidth
	tStyled
	tAccent
	tLeet
	tSpaced
	tDotted
	tDoubled
	tDropped
	tTransposed
	tJoined
)

// tacticInfo names each tactic for Mention.Tactics and describes it for
// Evidence, in bit order.
func tacticInfo(t tactic) (name, phrase string) {
	switch t {
	case tConfusable:
		return "confusable", "confusable"
	case tZeroWidth:
		return "zero-width", "zero-width characters in"
	case tSoftHyphen:
		return "soft-hyphen", "soft hyphens in"
	case tFullWidth:
		return "full-width", "full-width form"
	case tStyled:
		return "styled", "styled letters (math/circled/ligature)"
	case tAccent:
		return "accent", "accented form"
	case tLeet:
		return "leet", "leetspeak"
	case tSpaced:
		return "spaced", "spaced letters"
	case tDotted:
		return "dotted", "dotted letters"
	case tDoubled:
		return "doubled", "doubled letters"
	case tDropped:
		return "dropped", "dropped letter"
	case tTransposed:
		return "transposed", "transposed letters"
	case tJoined:
		return "joined", "run-together form"
	}
	return "", ""
}

func (t tactic) names() []string {
	var out []string
	for b := tactic(1); b != 0 && b <= tJoined; b <<= 1 {
		if t&b != 0 {
			n, _ := tacticInfo(b)
			out = append(out, n)
		}
	}
	return out
}

// Mention is one brand term found in a listing.
type Mention struct {
	BrandID string
	// Brand is the brand's display name, for evidence.
	Brand string
	// Term is the registered term matched, as written in the registry.
	Term string
	// TermKind is "name", "alias" or "product".
	TermKind string
	// Field is "title" or "description".
	Field string
	// Surface is the text exactly as the seller wrote it.
	Surface string
	// Tactics lists the evasions detected in Surface: "confusable",
	// "zero-width", "soft-hyphen", "full-width", "styled", "accent", "leet",
	// "spaced", "dotted", "doubled", "dropped", "transposed", "joined".
	// Empty means a plain spelling.
	Tactics []string
	// Nominative marks accessory or compatibility use ("filter compatible
	// with Dyson V11", "band for Fossil Gen 6").
	Nominative bool
	// Ambiguous marks a term made of ordinary English words ("coach") with
	// no context for the brand close to it: none of its other terms, and
	// none of its keywords or product-name words in the title (for a title
	// mention), within 6 words in the same field, or at the start of the
	// description. Counterfeit coded language is not context: "replica"
	// says nothing about which brand an ordinary word names.
	Ambiguous bool
	// BrandOmitted marks a product name written without the brand's own
	// words ("AeroBeat X2" for "Kaltrix AeroBeat X2"); Term is still the
	// full registered product name.
	BrandOmitted bool
	// Referential marks a plain mention in a listing whose title says it
	// is a book, print, ticket, tour, course or similar about the name
	// ("Freeman Dyson essays, hardcover") and has none of the brand's own
	// product words: the name is the subject, not a claim to be the brand.
	Referential bool
	// Start and End are Surface's byte offsets in the field.
	Start, End int
}

// Evidence is one line an analyst reads in seconds, for example
// "title has 'Fuⅼⅼips' (confusable of Fullips)". Written piece by piece:
// scoring asks for it on every flagged listing.
func (m Mention) Evidence() string {
	var b strings.Builder
	b.Grow(64 + len(m.Field) + len(m.Surface) + 2*len(m.Term) + len(m.Brand))
	b.WriteString(m.Field)
	b.WriteString(" has '")
	b.WriteString(m.Surface)
	b.WriteString("' (")
	phrases := 0
	for _, name := range m.Tactics {
		for t := tactic(1); t <= tJoined; t <<= 1 {
			if n, p := tacticInfo(t); n == name {
				if phrases > 0 {
					b.WriteString(" + ")
				}
				b.WriteString(strings.TrimSuffix(p, " in"))
				phrases++
			}
		}
	}
	termNamesBrand := func() bool { return strings.Contains(strings.ToLower(m.Term), strings.ToLower(m.Brand)) }
	write := func(ss ...string) {
		for _, s := range ss {
			b.WriteString(s)
		}
	}
	if phrases > 0 {
		b.WriteString(" of ")
		switch {
		case m.TermKind == "alias":
			write(m.Term, ", alias of ", m.Brand)
		case m.BrandOmitted:
			write(m.Term, ", product name, brand omitted")
		case m.TermKind == "product" && termNamesBrand():
			write(m.Term, ", product name")
		case m.TermKind == "product":
			write(m.Term, ", product name of ", m.Brand)
		default:
			b.WriteString(m.Term)
		}
	} else {
		switch {
		case m.TermKind == "name":
			b.WriteString("brand name")
		case m.TermKind == "alias":
			write("alias of ", m.Brand)
		case m.BrandOmitted:
			write("product name ", m.Term, ", brand omitted")
		case m.TermKind == "product" && termNamesBrand():
			b.WriteString("product name")
		default:
			write("product name of ", m.Brand)
		}
	}
	b.WriteByte(')')
	if m.Nominative {
		b.WriteString(" [compatibility use]")
	}
	if m.Ambiguous {
		b.WriteString(" [ambiguous: ordinary word, no brand context]")
	}
	if m.Referential {
		b.WriteString(" [referential: a book/ticket/print about the name]")
	}
	return b.String()
}
