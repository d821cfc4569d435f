package score

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/textmatch"
)

// Weights of the individual cues. Each is the probability-like strength of
// one cue on its own; cues combine as a noisy-OR, so independent cues
// reinforce each other and no single weak cue reaches DefaultThreshold.
const (
	wTitleMention  = 0.5  // the brand's name, plainly, in the title
	wDescMention   = 0.35 // only in the description
	wEvasive       = 0.75 // a disguised spelling: honest sellers do not disguise names
	wJoined        = 0.6  // a multi-word name run together: often camel case, sometimes evasion
	wGuarded       = 0.1  // accessory ("for Dyson") or an ordinary word ("coach bus")
	wCoded         = 0.6  // one coded term ("replica", "1:1", "AAA")
	wCodedMany     = 0.7  // two or more
	wSellerUnknown = 0.1  // not on the brand's authorized list
	wImageNear     = 0.85 // a listing photo equal to a reference photo
	wImageFar      = 0.3  // at the match threshold
)

// evidence is what is known about a listing before any brand is considered.
type evidence struct {
	mentions []textmatch.Mention
	coded    []textmatch.Coded
	images   []imageEvidence
	// secondHand is set when the seller says the item is used.
	secondHand bool
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

type imageEvidence struct {
	img     Image
	matches []imagehash.Match
}

func (e *Engine) gather(l *listing.Listing, imgs []Image) *evidence {
	ev := &evidence{secondHand: secondHand(l.Title) || secondHand(l.Description)}
	ev.mentions, ev.coded = e.text.FindWithCoded(l.Title, l.Description)
	for _, img := range imgs {
		ie := imageEvidence{img: img}
		if img.Err == nil {
			ie.matches = e.images.NearestAll(img.Hashes)
		}
		ev.images = append(ev.images, ie)
	}
	return ev
}

// brandIDs lists every brand the text or the images point at, in a stable
// order.
func (ev *evidence) brandIDs() []string {
	var ids []string
	for _, m := range ev.mentions {
		if !slices.Contains(ids, m.BrandID) {
			ids = append(ids, m.BrandID)
		}
	}
	for _, ie := range ev.images {
		for _, m := range ie.matches {
			if !slices.Contains(ids, m.BrandID) {
				ids = append(ids, m.BrandID)
			}
		}
	}
	return ids
}

func (ev *evidence) imageErrors() []Signal {
	var out []Signal
	for i, ie := range ev.images {
		if ie.img.Err != nil {
			out = append(out, Signal{Kind: KindImage, Evidence: fmt.Sprintf("image %d (%s) not used: %v", i+1, ie.img.Ref, ie.img.Err)})
		}
	}
	return out
}

// unattributed is what a verdict without any brand still reports.
func (ev *evidence) unattributed() []Signal {
	var out []Signal
	if len(ev.coded) > 0 {
		out = append(out, Signal{Kind: KindCoded, Evidence: codedEvidence(ev.coded) + "; no registered brand named or pictured"})
	}
	return append(out, ev.imageErrors()...)
}

// assessment is one listing weighed against one brand.
type assessment struct {
	brand     *brand.Brand
	signals   []Signal
	score     float64
	threshold float64
	vetoed    bool
}

func (e *Engine) assess(b *brand.Brand, l *listing.Listing, ev *evidence) *assessment {
	a := &assessment{brand: b, threshold: e.opts.Threshold}
	if b.Threshold > 0 {
		a.threshold = b.Threshold
	}
	text, product, guarded := textSignal(b, ev.mentions)
	img := imageSignal(b, ev.images)
	if text != nil {
		a.signals = append(a.signals, *text)
	}
	if img != nil {
		a.signals = append(a.signals, *img)
	}
	if len(ev.coded) > 0 {
		w := wCoded
		if distinctTerms(ev.coded) > 1 {
			w = wCodedMany
		}
		a.signals = append(a.signals, Signal{Kind: KindCoded, Score: w, Evidence: codedEvidence(ev.coded)})
	}
	// An accessory or an ordinary word is cheap for honest reasons; its price
	// says nothing about the brand unless something else ties it there.
	priceCounts := !guarded || img != nil || len(ev.coded) > 0
	ps := priceSignal(b, product, l.Price, e.opts.Rates, priceCounts)
	if ps.Score > 0 && ev.secondHand && len(ev.coded) == 0 {
		// Second-hand goods sell below the new price for honest reasons.
		ps.Score /= 2
		ps.Evidence += "; halved: the listing says the item is second-hand"
	}
	a.signals = append(a.signals, ps)
	if b.Authorized(l.Seller.ID) {
		a.vetoed = true
		a.signals = append(a.signals, Signal{Kind: KindSeller, Evidence: fmt.Sprintf("seller %s is an authorized seller of %s: not a counterfeit", l.Seller.ID, b.Name)})
	} else {
		a.signals = append(a.signals, Signal{Kind: KindSeller, Score: wSellerUnknown, Evidence: fmt.Sprintf("seller %s is not on %s's authorized list", sellerLabel(l.Seller), b.Name)})
	}
	keep := 1.0
	for _, s := range a.signals {
		keep *= 1 - s.Score
	}
	a.score = 1 - keep
	if a.vetoed {
		a.score = 0
	}
	return a
}

func sellerLabel(s listing.Seller) string {
	if s.Name != "" {
		return fmt.Sprintf("%s (%s)", s.ID, s.Name)
	}
	return s.ID
}

// textSignal weighs the brand's strongest mention. It also returns the
// product named, if any, and whether every mention was a guarded use.
func textSignal(b *brand.Brand, mentions []textmatch.Mention) (*Signal, *brand.Product, bool) {
	var best *textmatch.Mention
	var bestW float64
	guarded := true
	nominative := false
	var product *brand.Product
	for i := range mentions {
		m := &mentions[i]
		if m.BrandID != b.ID {
			continue
		}
		if m.TermKind == "product" && product == nil {
			product = findProduct(b, m.Term)
		}
		if m.Nominative {
			nominative = true
		}
		w := mentionWeight(m)
		if !isGuarded(m) {
			guarded = false
		}
		if best == nil || w > bestW {
			best, bestW = m, w
		}
	}
	if best == nil {
		return nil, nil, false
	}
	evasive := isEvasive(best)
	// A listing that names the brand both directly and as "compatible with"
	// is an accessory listing; only a disguised spelling overrides that.
	if nominative && !evasive {
		guarded = true
	}
	ev := visible(best.Evidence())
	if guarded {
		bestW = wGuarded
		switch {
		case nominative:
			ev += "; accessory or compatibility use, not a claim to be the brand"
		case best.Referential:
			ev += "; the name is the subject of the listing, not a claim to be the brand"
		default:
			ev += "; an ordinary word here, with nothing tying it to the brand"
		}
	}
	return &Signal{Kind: KindText, Score: bestW, Evidence: ev}, product, guarded
}

// isGuarded reports a mention that, by itself, is no claim to be the brand:
// an accessory's compatibility note, an ordinary word, or a book or ticket
// about the name.
func isGuarded(m *textmatch.Mention) bool {
	return m.Nominative || m.Ambiguous || m.Referential
}

func mentionWeight(m *textmatch.Mention) float64 {
	if isGuarded(m) {
		return wGuarded
	}
	base := wTitleMention
	if m.Field != "title" {
		base = wDescMention
	}
	switch {
	case isEvasive(m):
		return math.Max(base, wEvasive)
	case slices.Contains(m.Tactics, "joined"):
		return math.Max(base, wJoined)
	}
	return base
}

func isEvasive(m *textmatch.Mention) bool {
	for _, t := range m.Tactics {
		if t != "joined" {
			return true
		}
	}
	return false
}

func findProduct(b *brand.Brand, term string) *brand.Product {
	for i := range b.Products {
		if strings.EqualFold(b.Products[i].Name, term) {
			return &b.Products[i]
		}
	}
	return nil
}

func distinctTerms(cs []textmatch.Coded) int {
	seen := make(map[string]bool, len(cs))
	for _, c := range cs {
		seen[c.Term] = true
	}
	return len(seen)
}

func codedEvidence(cs []textmatch.Coded) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		if c.Surface != "" && !strings.EqualFold(c.Surface, c.Term) {
			parts = append(parts, fmt.Sprintf("'%s' (%s)", c.Surface, c.Term))
		} else {
			parts = append(parts, fmt.Sprintf("'%s'", c.Term))
		}
	}
	return "counterfeit coded language: " + strings.Join(parts, ", ")
}

// imageSignal weighs the best match of any listing image against the brand's
// reference images. Closer copies weigh more: at the threshold a match is
// only a hint, because with many references some unrelated photo will come
// that close.
func imageSignal(b *brand.Brand, images []imageEvidence) *Signal {
	bestI := -1
	var best imagehash.Match
	frac := 2.0
	for i, ie := range images {
		for _, m := range ie.matches {
			if m.BrandID != b.ID {
				continue
			}
			// Whole-image, crop-variant and region matches have thresholds
			// of their own; distance over threshold compares them.
			if f := float64(m.Distance) / float64(max(m.Threshold, 1)); f < frac {
				frac, bestI, best = f, i, m
			}
		}
	}
	if bestI < 0 {
		return nil
	}
	w := wImageNear - (wImageNear-wImageFar)*frac
	how := ""
	switch {
	case best.Region != "":
		how = fmt.Sprintf(" (%s region", best.Region)
		if strings.HasPrefix(best.Variant, "mirror") {
			how += ", mirrored"
		}
		how += ": the rest of the photo was edited, e.g. a banner)"
	case best.Variant != "" && best.Variant != "original":
		how = " (" + best.Variant + " variant)"
	}
	return &Signal{Kind: KindImage, Score: w, Evidence: fmt.Sprintf(
		"image %d (%s) matches reference %s%s at distance %d of 64 (threshold %d)",
		bestI+1, images[bestI].img.Ref, best.Image, how, best.Distance, best.Threshold)}
}

// priceSignal compares the listing price with the product's floor when a
// product was named, else the brand's, else its lowest product floor.
func priceSignal(b *brand.Brand, product *brand.Product, p *price.Money, rates price.Rates, counts bool) Signal {
	floor, what := floorFor(b, product)
	if floor == nil {
		return Signal{Kind: KindPrice, Evidence: fmt.Sprintf("no price floor registered for %s", b.Name)}
	}
	if p == nil {
		return Signal{Kind: KindPrice, Evidence: "listing has no price"}
	}
	conv, err := rates.Convert(*p, floor.Currency)
	if errors.Is(err, price.ErrUnknownCurrency) {
		return Signal{Kind: KindPrice, Evidence: fmt.Sprintf("price %s: no exchange rate to %s, signal skipped", p, floor.Currency)}
	}
	if err != nil || floor.Amount <= 0 {
		return Signal{Kind: KindPrice, Evidence: fmt.Sprintf("price %s not comparable with floor %s", p, floor)}
	}
	ratio := conv.Amount / floor.Amount
	shown := p.String()
	if !strings.EqualFold(p.Currency, floor.Currency) {
		shown = fmt.Sprintf("%s (%s)", p, conv)
	}
	w := 0.0
	switch {
	case ratio < 0.4:
		w = 0.6
	case ratio < 0.6:
		w = 0.45
	case ratio < 0.8:
		w = 0.25
	case ratio < 1:
		w = 0.1
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

// visible spells out invisible format characters (zero-width spaces, soft
// hyphens, joiners) so an analyst sees the trick instead of a plain name.
func visible(s string) string {
	if !strings.ContainsFunc(s, isInvisible) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isInvisible(r) {
			fmt.Fprintf(&b, "<U+%04X>", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isInvisible(r rune) bool { return unicode.Is(unicode.Cf, r) }
