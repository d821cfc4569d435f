package fixturegen

import (
	"fmt"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
)

// negatives writes the listings a careful analyst would not flag, class by
// class as negativePlan says.
func (g *generator) negatives() error {
	for _, row := range negativePlan {
		n := g.scaled(row.N)
		for k := 0; k < n; k++ {
			var err error
			switch row.Class {
			case CommonWord:
				err = g.fromItem(row.Class, commonWordItems[k%len(commonWordItems)], 2)
			case Substring:
				err = g.fromItem(row.Class, substringItems[k%len(substringItems)], 2)
			case Accessory:
				err = g.fromItem(row.Class, accessoryItems[k%len(accessoryItems)], 3)
			case CodedOOC:
				err = g.fromItem(row.Class, codedOOCItems[k%len(codedOOCItems)], 2)
			case Unrelated:
				err = g.fromItem(row.Class, unrelatedItems[k%len(unrelatedItems)], 2)
			case Authorized:
				err = g.authorized(&brandSpecs[k%len(brandSpecs)], k)
			case Reseller:
				err = g.reseller(&brandSpecs[(k+5)%len(brandSpecs)])
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *generator) newNegative(class NegativeClass, brandID string, seller listing.Seller) record {
	return record{
		l: listing.Listing{
			Marketplace: g.marketplace().Name,
			Seller:      seller,
			ObservedAt:  g.observedAt(),
		},
		lab: Label{BrandID: brandID, Tactics: []Tactic{}, NegativeClass: class},
	}
}

func currencyOf(marketplace string) string {
	for _, m := range marketplaces {
		if m.Name == marketplace {
			return m.Currency
		}
	}
	return "USD"
}

// uniqueText draws a title and description from the two functions until the
// pair has not been used before.
func (g *generator) uniqueText(what string, title, desc func() string) (string, string, error) {
	for attempt := 0; attempt < 60; attempt++ {
		t, d := title(), desc()
		if key := t + "\x00" + d; !g.seen[key] {
			g.seen[key] = true
			return t, d, nil
		}
	}
	return "", "", fmt.Errorf("cannot write a unique %s listing", what)
}

// fromItem writes one listing of a table-driven class. In photoOdds of
// four listings it has its own (stock) photo.
func (g *generator) fromItem(class NegativeClass, it negItem, photoOdds int) error {
	seller := g.negSellers[g.rng.IntN(len(g.negSellers))]
	if class == Unrelated && g.rng.IntN(5) == 0 {
		// Shops that sell fakes also sell ordinary goods.
		seller = g.posSellers[g.skewed(len(g.posSellers))]
	}
	rec := g.newNegative(class, it.Brand, seller)
	var err error
	rec.l.Title, rec.l.Description, err = g.uniqueText(string(class),
		func() string { return expand(pick(g.rng, it.Titles), nil, g.rng) },
		func() string {
			return g.fillDescription([]string{expand(pick(g.rng, it.Descs), nil, g.rng)}, nil, neutralShip, nil)
		})
	if err != nil {
		return err
	}
	cur := currencyOf(rec.l.Marketplace)
	usd := it.USD[0] + (it.USD[1]-it.USD[0])*g.rng.Float64()
	rec.l.Price = &price.Money{Amount: g.niceDown(usd / g.rates[cur]), Currency: cur}
	if g.rng.IntN(4) < photoOdds {
		if err := g.addStock(&rec.l, it.Photos); err != nil {
			return err
		}
	}
	g.recs = append(g.recs, rec)
	return nil
}

// productVars picks one of b's products and returns template variables for
// it: B brand, P product name, X noun.
func (g *generator) productVars(b *brandSpec) (map[string]string, int) {
	i := g.rng.IntN(len(b.Products))
	return map[string]string{"B": b.Name, "P": b.Products[i].Name, "X": b.ProductNouns[i]}, i
}

// authorized writes a listing by one of the brand's own sellers, with the
// official photo; one in three is on sale below the floor.
func (g *generator) authorized(b *brandSpec, k int) error {
	si := g.rng.IntN(len(b.AuthorizedSellers))
	seller := listing.Seller{ID: b.AuthorizedSellers[si], Name: b.SellerNames[si]}
	rec := g.newNegative(Authorized, b.ID, seller)
	onSale := k%3 == 1
	vars, pi := g.productVars(b)
	vars["S"] = seller.Name
	titles := authTitles
	if onSale {
		titles = authSaleTitles
	}
	var err error
	rec.l.Title, rec.l.Description, err = g.uniqueText("authorized",
		func() string { return expand(pick(g.rng, titles), vars, g.rng) },
		func() string {
			return g.fillDescription([]string{expand(authDescs[0], vars, g.rng)}, nil, authDescs[1:], vars)
		})
	if err != nil {
		return err
	}
	cur := currencyOf(rec.l.Marketplace)
	var usd float64
	if onSale {
		usd = g.minFloorUSD(b) * (0.6 + 0.3*g.rng.Float64())
		rec.l.Price = &price.Money{Amount: g.niceDown(usd / g.rates[cur]), Currency: cur}
	} else {
		usd = g.toUSD(b.Products[pi].PriceFloor) * (1.1 + 0.5*g.rng.Float64())
		rec.l.Price = &price.Money{Amount: g.niceUp(usd / g.rates[cur]), Currency: cur}
	}
	ref := k / len(brandSpecs) % len(b.RefPhotos)
	p, err := g.store.transformed(b, ref, Exact)
	if err != nil {
		return err
	}
	rec.l.Images = []string{p}
	rec.lab.ImageTransform = Exact
	if g.rng.IntN(5) == 0 {
		if err := g.addStock(&rec.l, nil); err != nil {
			return err
		}
	}
	g.recs = append(g.recs, rec)
	return nil
}

// reseller writes a genuine item resold by someone the brand did not
// authorize: plain name, price at or above every floor, own photo.
func (g *generator) reseller(b *brandSpec) error {
	rec := g.newNegative(Reseller, b.ID, g.negSellers[g.rng.IntN(len(g.negSellers))])
	vars, _ := g.productVars(b)
	var err error
	rec.l.Title, rec.l.Description, err = g.uniqueText("reseller",
		func() string { return expand(pick(g.rng, resellerTitles), vars, g.rng) },
		func() string {
			return g.fillDescription([]string{expand(resellerDescs[0], vars, g.rng)}, nil, resellerDescs[1:], vars)
		})
	if err != nil {
		return err
	}
	cur := currencyOf(rec.l.Marketplace)
	usd := g.maxFloorUSD(b) * (1.02 + 0.33*g.rng.Float64())
	rec.l.Price = &price.Money{Amount: g.niceUp(usd / g.rates[cur]), Currency: cur}
	if g.rng.IntN(5) != 0 {
		if err := g.addStock(&rec.l, nil); err != nil {
			return err
		}
	}
	g.recs = append(g.recs, rec)
	return nil
}
