package score

import (
	"errors"
	"fmt"
	"strconv"
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
	// Worded by appending, not with fmt, as this runs for every flagged
	// listing: "price %s is %.0f%% of the %s floor for %s", or "price %s
	// is at or above the %s floor for %s", the price shown as "%s (%s)" of
	// p and conv when in another currency. priceEvidenceReference in the
	// tests words it with fmt, and the two must agree.
	var buf [192]byte
	ev := append(buf[:0], "price "...)
	ev = p.Append(ev)
	if !strings.EqualFold(p.Currency, floor.Currency) {
		ev = append(ev, " ("...)
		ev = conv.Append(ev)
		ev = append(ev, ')')
	}
	if w == 0 {
		ev = append(ev, " is at or above the "...)
	} else {
		ev = append(ev, " is "...)
		ev = strconv.AppendFloat(ev, ratio*100, 'f', 0, 64)
		ev = append(ev, "% of the "...)
	}
	ev = floor.Append(ev)
	ev = append(ev, " floor for "...)
	ev = append(ev, what...)
	if !counts && w > 0 {
		ev = append(ev, "; not weighed for an accessory or ordinary-word listing"...)
		w = 0
	}
	return Signal{Kind: KindPrice, Score: w, Evidence: string(ev)}
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
