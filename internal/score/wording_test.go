package score

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/textmatch"
)

// secondHandReference is secondHand as it was first written:
// strings.ToLower, then a search for every word. secondHand must agree
// with it.
func secondHandReference(text string) bool {
	lower := strings.ToLower(text)
	for _, w := range secondHandWords {
		for i := strings.Index(lower, w); i >= 0; {
			end := i + len(w)
			if (i == 0 || !isLetter(lower[i-1])) && (end == len(lower) || !isLetter(lower[end])) && !(w == "used" && verbUseReference(lower[end:])) {
				return true
			}
			next := strings.Index(lower[i+1:], w)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' }

func verbUseReference(rest string) bool {
	next, _, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	switch strings.Trim(next, ",.;:!") {
	case "to", "for", "as", "with", "in", "by", "on", "daily", "every", "indoors", "outdoors", "at", "under", "when", "widely":
		return true
	}
	return false
}

var secondHandSeeds = []string{
	"Pre-owned Fullips lip plumper", "USED, for parts", "used for a week", "Używany, jak nowy", "ÜBER USED!",
	"Jacke GEBRAUCHT", "б/у", "Б/У телефон", "pre\u00adowned", "used\xffcase", "KUSED", "used", "",
	"worn once — like new", "Lightly Worn", strings.Repeat("brand new ", 200) + "USED",
	// Lowering non-ASCII text can make ASCII letters: U+0130 lowers to
	// "i", the Kelvin sign to "k".
	"D'OCCAS\u0130ON", "USED \u0130N the garden", "USED\u212a", "USED K", "used TO", "Used, Outdoors.", "used outdoorsy",
	"a used", "pre-owne", "worn a few time", "SECONDE MAIN", "second-hand", "usedused", "used\tfor", "x used", "kused used",
	// A word starting with no letter is no word after a letter.
	"AБ/У", "A Б/У",
}

// TestSecondHandPaths holds both paths of secondHand (ASCII text searched
// as it is, other text lowered by strings.ToLower first) to the
// reference, and checks the seeds reach both, and both answers.
func TestSecondHandPaths(t *testing.T) {
	reached := map[[2]bool]int{}
	for _, text := range secondHandSeeds {
		got, want := secondHand(text), secondHandReference(text)
		if got != want {
			t.Errorf("secondHand(%q) = %v, reference %v", text, got, want)
		}
		reached[[2]bool{isASCII(text), want}]++
	}
	if len(reached) != 4 {
		t.Fatalf("seeds reach (ASCII, second-hand) %v; want every combination", reached)
	}
}

func FuzzSecondHand(f *testing.F) {
	for _, s := range secondHandSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ascii := true
		for _, r := range []byte(text) {
			ascii = ascii && r < 0x80
		}
		if isASCII(text) != ascii {
			t.Errorf("isASCII(%q) = %v", text, !ascii)
		}
		if got, want := secondHand(text), secondHandReference(text); got != want {
			t.Errorf("secondHand(%q) = %v, reference %v", text, got, want)
		}
	})
}

// priceEvidenceReference is the price evidence as fmt worded it before
// priceSignal appended it by hand.
func priceEvidenceReference(p, conv, floor *price.Money, ratio, w float64, what string, counts bool) string {
	shown := p.String()
	if !strings.EqualFold(p.Currency, floor.Currency) {
		shown = fmt.Sprintf("%s (%s)", p, conv)
	}
	ev := fmt.Sprintf("price %s is %.0f%% of the %s floor for %s", shown, ratio*100, floor, what)
	if w == 0 {
		ev = fmt.Sprintf("price %s is at or above the %s floor for %s", shown, floor, what)
	}
	if !counts && w > 0 {
		ev += "; not weighed for an accessory or ordinary-word listing"
	}
	return ev
}

func checkPriceEvidence(t *testing.T, amount float64, cur string, floorAmount float64, counts bool) {
	rates := price.DefaultRates()
	b := &brand.Brand{ID: "b", Name: "Brand <&> \u2028", PriceFloor: &price.Money{Amount: floorAmount, Currency: "EUR"}}
	p := &price.Money{Amount: amount, Currency: cur}
	s := priceSignal(b, nil, p, rates, counts, true)
	conv, err := rates.Convert(*p, b.PriceFloor.Currency)
	if err != nil || floorAmount <= 0 {
		return // not a worded comparison
	}
	ratio := conv.Amount / floorAmount
	want := priceEvidenceReference(p, &conv, b.PriceFloor, ratio, priceWeight(ratio), b.Name, counts)
	if s.Evidence != want {
		t.Errorf("price %v %s against floor %v: evidence\n %q, want\n %q", amount, cur, floorAmount, s.Evidence, want)
	}
}

func TestPriceEvidenceWording(t *testing.T) {
	for _, amount := range []float64{0, math.Copysign(0, -1), 0.005, 1.005, 4.99, 19.995, 49.5, 99.99, 100, 1e7, 123456.785} {
		for _, cur := range []string{"EUR", "eur", "USD", "JPY", "KWD"} {
			for _, counts := range []bool{true, false} {
				checkPriceEvidence(t, amount, cur, 100, counts)
				checkPriceEvidence(t, amount, cur, 0.01, counts)
			}
		}
	}
}

func FuzzPriceEvidenceWording(f *testing.F) {
	f.Add(4.99, "USD", 100.0, true)
	f.Add(250.0, "EUR", 99.5, false)
	f.Fuzz(func(t *testing.T, amount float64, cur string, floor float64, counts bool) {
		checkPriceEvidence(t, amount, cur, floor, counts)
	})
}

// TestScoreManyBrands checks Score's bookkeeping against the plain rule it
// implements, for a listing naming more brands than its stack buffers hold
// and with tied scores: the best is the first brand found with the top
// score, its signals are its full assessment, and the others follow best
// first, ties in the order found.
func TestScoreManyBrands(t *testing.T) {
	names := []string{"Alvoria", "Brenquist", "Corvanta", "Dellumar", "Estravel", "Fonterri"}
	reg := &brand.Registry{}
	for i, n := range names {
		reg.Brands = append(reg.Brands, brand.Brand{ID: strings.ToLower(n), Name: n,
			PriceFloor: &price.Money{Amount: float64(50 + 50*(i%2)), Currency: "USD"}})
	}
	l := &listing.Listing{ID: "l1", Title: "Corvanta Alvoria bundle", Description: "with Brenquist, Fonterri, Dellumar and Estravel extras",
		Price: &price.Money{Amount: 45, Currency: "USD"}, Seller: listing.Seller{ID: "s1"}}
	for _, opts := range []Options{{}, {FlaggedEvidenceOnly: true}, {Threshold: 0.3}, {Threshold: 0.3, FlaggedEvidenceOnly: true}} {
		eng, err := New(reg, opts)
		if err != nil {
			t.Fatal(err)
		}
		v := eng.Score(l, nil)
		var ev evidence
		eng.gather(&ev, l, nil)
		ids := ev.appendBrandIDs(nil)
		if len(ids) != len(names) {
			t.Fatalf("listing names %d brands, want %d", len(ids), len(names))
		}
		type scored struct {
			id    string
			score float64
		}
		var all []scored
		best := -1
		for i, id := range ids {
			a := eng.assess(eng.brands[id], l, &ev, false, nil)
			all = append(all, scored{id, a.score})
			if best < 0 || a.score > all[best].score {
				best = i
			}
		}
		bestID := all[best].id
		sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
		var others []Candidate
		for _, a := range all {
			if a.id != bestID {
				others = append(others, Candidate{BrandID: a.id, Score: round(a.score)})
			}
		}
		full := eng.assess(eng.brands[bestID], l, &ev, true, nil)
		if v.BrandID != bestID || v.Score != round(full.score) || v.Flagged != full.flagged() {
			t.Errorf("%+v: verdict %s %v flagged=%v, want %s %v flagged=%v", opts, v.BrandID, v.Score, v.Flagged, bestID, round(full.score), full.flagged())
		}
		if !reflect.DeepEqual(v.Others, others) {
			t.Errorf("%+v: others %v, want %v", opts, v.Others, others)
		}
		want := full.signals
		if opts.FlaggedEvidenceOnly && !v.Flagged {
			want = eng.assess(eng.brands[bestID], l, &ev, false, nil).signals
		}
		if !reflect.DeepEqual(v.Signals, want) {
			t.Errorf("%+v: signals\n %+v, want\n %+v", opts, v.Signals, want)
		}
		ties := 0
		for i := 1; i < len(others); i++ {
			if others[i].Score == others[i-1].Score {
				ties++
			}
		}
		if ties == 0 || others[0].Score != v.Score {
			t.Errorf("%+v: best %v, others %v; the test means to cover ties, at the top too", opts, v.Score, others)
		}
	}
}

// codedEvidenceReference is codedEvidence as it was first written, with
// strings.Join: codedEvidence must agree with it.
func codedEvidenceReference(cs []textmatch.Coded, suffix string) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		if c.Surface != "" && !strings.EqualFold(c.Surface, c.Term) {
			parts = append(parts, "'"+c.Surface+"' ("+c.Term+")")
		} else {
			parts = append(parts, "'"+c.Term+"'")
		}
	}
	return "counterfeit coded language: " + strings.Join(parts, ", ") + suffix
}

// visibleReference is visible without its ASCII prefix skipped.
func visibleReference(s string) string {
	if !strings.ContainsFunc(s, isInvisible) {
		return s
	}
	return spellInvisible(s)
}

var visibleSeeds = []string{
	"", "title has 'Fullips' (brand name)", "title has 'Ful\u200blips'", "\u00adFullips", "Fullips\u200d", "Crème\u200b brûlée",
	"Ful\xffl\u2060ips", "\xe2\x80", "é", strings.Repeat("a", 300) + "\u200b",
}

func TestVisible(t *testing.T) {
	for _, s := range visibleSeeds {
		if got, want := visible(s), visibleReference(s); got != want {
			t.Errorf("visible(%q) = %q, reference %q", s, got, want)
		}
	}
	if got := visible("a\u200bb"); got != "a<U+200B>b" {
		t.Errorf("visible spelled a zero-width space as %q", got)
	}
}

func FuzzVisible(f *testing.F) {
	for _, s := range visibleSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := visible(s), visibleReference(s); got != want {
			t.Errorf("visible(%q) = %q, reference %q", s, got, want)
		}
	})
}

// codedCases are coded terms as textmatch reports them: the seller's
// surface, if any, and the term it stands for.
var codedCases = [][]textmatch.Coded{
	nil,
	{{Term: "replica", Surface: "replica"}},
	{{Term: "replica", Surface: "REPLICA"}},
	{{Term: "1:1", Surface: "1to1"}, {Term: "aaa", Surface: ""}, {Term: "dupe", Surface: "Dupe"}},
	{{Term: "mirror quality", Surface: strings.Repeat("m\u0130rror ", 40)}, {Term: "ü", Surface: "Ü"}},
}

func TestCodedEvidence(t *testing.T) {
	for _, cs := range codedCases {
		for _, suffix := range []string{"", "; no registered brand named or pictured"} {
			if got, want := codedEvidence(cs, suffix), codedEvidenceReference(cs, suffix); got != want {
				t.Errorf("codedEvidence(%+v, %q) =\n %q, reference\n %q", cs, suffix, got, want)
			}
		}
	}
}

func FuzzCodedEvidence(f *testing.F) {
	for _, cs := range codedCases {
		var a, b textmatch.Coded
		if len(cs) > 0 {
			a = cs[0]
		}
		if len(cs) > 1 {
			b = cs[1]
		}
		f.Add(a.Surface, a.Term, b.Surface, b.Term, uint8(len(cs)), "")
	}
	f.Fuzz(func(t *testing.T, s1, t1, s2, t2 string, n uint8, suffix string) {
		cs := []textmatch.Coded{{Surface: s1, Term: t1}, {Surface: s2, Term: t2}, {Surface: s1, Term: t2}}[:n%4]
		if got, want := codedEvidence(cs, suffix), codedEvidenceReference(cs, suffix); got != want {
			t.Errorf("codedEvidence(%+v, %q) =\n %q, reference\n %q", cs, suffix, got, want)
		}
	})
}
