package textmatch

import (
	"fmt"
	"strings"
	"testing"
)

// TestEvidenceAgrees holds Evidence to refEvidence, the fmt-based original,
// for every mention of the golden corpus and every kind, tactic and flag
// combination of a few mentions.
func TestEvidenceAgrees(t *testing.T) {
	ix := newTestIndex(t)
	var ms []Mention
	for _, l := range corpusTexts(t) {
		ms = append(ms, ix.Find(l.title, l.desc)...)
	}
	if len(ms) == 0 {
		t.Fatal("no mentions")
	}
	for _, kind := range []string{"name", "alias", "product"} {
		for _, term := range []string{"Kaltrix AeroBeat X2", "AeroBeat X2"} {
			for flags := range 16 {
				for _, tac := range []tactic{0, tLeet, tConfusable | tSpaced | tJoined, tZeroWidth | tSoftHyphen} {
					ms = append(ms, Mention{Brand: "Kaltrix", Term: term, TermKind: kind, Field: "title", Surface: "K4ltrix",
						Tactics: append(tac.names(), "unknown"), BrandOmitted: flags&1 != 0, Nominative: flags&2 != 0,
						Ambiguous: flags&4 != 0, Referential: flags&8 != 0})
				}
			}
		}
	}
	for _, m := range ms {
		if got, want := m.Evidence(), refEvidence(m); got != want {
			t.Errorf("Evidence() = %q, want %q", got, want)
		}
	}
}

// refEvidence is Evidence as first written, with fmt: one line an analyst reads in seconds, for example
// "title has 'Fuⅼⅼips' (confusable of Fullips)".
func refEvidence(m Mention) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s has '%s' (", m.Field, m.Surface)
	var phrases []string
	for _, name := range m.Tactics {
		for t := tactic(1); t <= tJoined; t <<= 1 {
			if n, p := tacticInfo(t); n == name {
				phrases = append(phrases, strings.TrimSuffix(p, " in"))
			}
		}
	}
	of := m.Term
	switch {
	case m.TermKind == "alias":
		of = fmt.Sprintf("%s, alias of %s", m.Term, m.Brand)
	case m.BrandOmitted:
		of = fmt.Sprintf("%s, product name, brand omitted", m.Term)
	case m.TermKind == "product":
		if strings.Contains(strings.ToLower(m.Term), strings.ToLower(m.Brand)) {
			of = fmt.Sprintf("%s, product name", m.Term)
		} else {
			of = fmt.Sprintf("%s, product name of %s", m.Term, m.Brand)
		}
	}
	switch {
	case len(phrases) > 0:
		fmt.Fprintf(&b, "%s of %s", strings.Join(phrases, " + "), of)
	case m.TermKind == "name":
		b.WriteString("brand name")
	case m.TermKind == "alias":
		fmt.Fprintf(&b, "alias of %s", m.Brand)
	case m.BrandOmitted:
		fmt.Fprintf(&b, "product name %s, brand omitted", m.Term)
	case m.TermKind == "product" && strings.Contains(strings.ToLower(m.Term), strings.ToLower(m.Brand)):
		b.WriteString("product name")
	default:
		fmt.Fprintf(&b, "product name of %s", m.Brand)
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
