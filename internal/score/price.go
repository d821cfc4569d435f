package score

import (
	"errors"
	"fmt"
	"strings"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/price"
)

// priceSignal compares the listing price with the product's floor when a
// product was named, else the brand's, else its lowest product floor.
// Without withEvidence only the score is worked out.
func priceSignal(b *brand.Brand, product *brand.Product, p *price.Money, rates price.Rates, counts, withEvidence bool) Signal {
	floor, what := floorFor(b, product)
	// why is the evidence of a price that cannot be weighed; it is only
	// worded when wanted.
	why := func(format string, args ...any) Signal {
		s := Signal{Kind: KindPrice}
		if withEvidence {
			s.Evidence = fmt.Sprintf(format, args...)
		}
		return s
	}
	if floor == nil {
		return why("no price floor registered for %s", b.Name)
	}
	if p == nil {
		return why("listing has no price")
	}
	conv, err := rates.Convert(*p, floor.Currency)
	if errors.Is(err, price.ErrUnknownCurrency) {
		return why("price %s: no exchange rate to %s, signal skipped", p, floor.Currency)
	}
	if err != nil || floor.Amount <= 0 {
		return why("price %s not comparable with floor %s", p, floor)
	}
	ratio := conv.Amount / floor.Amount
	w := priceWeight(ratio)
	if !withEvidence {
		if !counts {
			w = 0
		}
		return Signal{Kind: KindPrice, Score: w}
	}
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
		w = 0
	}
	return Signal{Kind: KindPrice, Score: w, Evidence: ev}
}

// priceWeight is the price cue's weight for a price at ratio of its floor.
func priceWeight(ratio float64) float64 {
	switch {
	case ratio < 0.4:
		return 0.6
	case ratio < 0.6:
		return 0.45
	case ratio < 0.8:
		return 0.25
	case ratio < 1:
		return 0.1
	}
	return 0
}

func floorFor(b *brand.Brand, product *brand.Product) (*price.Money, string) {
	if product != nil && product.PriceFloor != nil {
		return product.PriceFloor, product.Name
	}
	if b.PriceFloor != nil {
		return b.PriceFloor, b.Name
	}
	var low *brand.Product
	for i := range b.Products {
		p := &b.Products[i]
		if p.PriceFloor != nil && (low == nil || p.PriceFloor.Amount < low.PriceFloor.Amount) {
			low = p
		}
	}
	if low != nil {
		return low.PriceFloor, low.Name
	}
	return nil, ""
}

// secondHandWords mark a used item. Counterfeiters sell "new" goods, so
// these words rarely appear on fakes.
var secondHandWords = []string{
	"pre-owned", "preowned", "pre owned", "preloved", "pre-loved", "second hand", "second-hand", "secondhand", "used",
	"worn once", "worn twice", "worn a few times", "gently worn", "lightly worn", "worn one season",
	"gebraucht", "usato", "usata", "usado", "usada", "d'occasion", "seconde main", "tweedehands", "begagnad", "brugt", "używany", "б/у",
}

func secondHand(text string) bool {
	lower := strings.ToLower(text)
	for _, w := range secondHandWords {
		for i := strings.Index(lower, w); i >= 0; {
			end := i + len(w)
			if (i == 0 || !isLetter(lower[i-1])) && (end == len(lower) || !isLetter(lower[end])) && !(w == "used" && verbUse(lower[end:])) {
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

// verbUse reports "used" as a verb ("can be used for", "used daily")
// rather than the condition of the item, from the word after it.
func verbUse(rest string) bool {
	next, _, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	switch strings.Trim(next, ",.;:!") {
	case "to", "for", "as", "with", "in", "by", "on", "daily", "every", "indoors", "outdoors", "at", "under", "when", "widely":
		return true
	}
	return false
}
