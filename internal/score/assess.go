package score

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
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
	// listing is kept for the checks only some brands need.
	listing *listing.Listing
	// secondHand caches whether the seller says the item is used: 0 not
	// checked yet, 1 no, 2 yes. Only a low price needs it.
	secondHand int
}

type imageEvidence struct {
	img     Image
	matches []imagehash.Match
}

// gather fills ev, which the caller keeps (on its stack), for l.
func (e *Engine) gather(ev *evidence, l *listing.Listing, imgs []Image) {
	*ev = evidence{listing: l}
	if len(imgs) > 0 {
		ev.images = make([]imageEvidence, 0, len(imgs))
	}
	pictured := false
	for _, img := range imgs {
		ie := imageEvidence{img: img}
		if img.Err == nil {
			ie.matches = e.images.NearestAll(img.Hashes)
			pictured = pictured || len(ie.matches) > 0
		}
		ev.images = append(ev.images, ie)
	}
	// Coded language without a brand named or pictured only shows in the
	// evidence of an unattributed verdict, which lean scoring drops.
	ev.mentions, ev.coded = e.text.FindWithCoded(l.Title, l.Description, pictured || !e.opts.FlaggedEvidenceOnly)
}

func (ev *evidence) isSecondHand() bool {
	if ev.secondHand == 0 {
		ev.secondHand = 1
		if secondHand(ev.listing.Title) || secondHand(ev.listing.Description) {
			ev.secondHand = 2
		}
	}
	return ev.secondHand == 2
}

// appendBrandIDs appends every brand the text or the images point at, in a
// stable order.
func (ev *evidence) appendBrandIDs(ids []string) []string {
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

// appendImageErrors says which images could not be used; without
// withEvidence the signals are kept (they count as the verdict's signals)
// but not worded.
func (ev *evidence) appendImageErrors(out []Signal, withEvidence bool) []Signal {
	for i, ie := range ev.images {
		if ie.img.Err != nil {
			s := Signal{Kind: KindImage}
			if withEvidence {
				s.Evidence = fmt.Sprintf("image %d (%s) not used: %v", i+1, ie.img.Ref, ie.img.Err)
			}
			out = append(out, s)
		}
	}
	return out
}

// appendUnattributed appends what a verdict without any brand still reports.
func (ev *evidence) appendUnattributed(out []Signal) []Signal {
	if len(ev.coded) > 0 {
		out = append(out, Signal{Kind: KindCoded, Evidence: codedEvidence(ev.coded, "; no registered brand named or pictured")})
	}
	return ev.appendImageErrors(out, true)
}

// maxSignals is the most signals an assessment holds: text, image, coded,
// price and seller.
const maxSignals = 5

// assessment is one listing weighed against one brand.
type assessment struct {
	brand     *brand.Brand
	signals   []Signal
	score     float64
	threshold float64
	vetoed    bool
}

// assess weighs l against b, appending its signals to buf (of capacity
// maxSignals, so that they stay where the caller keeps them). Without
// withEvidence the signals carry their scores only, no evidence text: for
// brands whose signals are discarded.
func (e *Engine) assess(b *brand.Brand, l *listing.Listing, ev *evidence, withEvidence bool, buf []Signal) assessment {
	a := assessment{brand: b, threshold: e.opts.Threshold, signals: buf}
	if b.Threshold > 0 {
		a.threshold = b.Threshold
	}
	text, named, product, guarded := textSignal(b, ev.mentions, withEvidence)
	img, pictured := imageSignal(b, ev.images, withEvidence)
	if named {
		a.signals = append(a.signals, text)
	}
	if pictured {
		a.signals = append(a.signals, img)
	}
	if len(ev.coded) > 0 {
		w := wCoded
		if len(ev.coded) > 1 { // codedIn keeps one entry per term
			w = wCodedMany
		}
		s := Signal{Kind: KindCoded, Score: w}
		if withEvidence {
			s.Evidence, s.Terms = codedEvidence(ev.coded, ""), codedTerms(ev.coded)
		}
		a.signals = append(a.signals, s)
	} else {
		// Said, not just omitted: the analyst sees it was looked for.
		s := Signal{Kind: KindCoded}
		if withEvidence {
			s.Evidence = "no counterfeit coded language (replica, 1:1, AAA, dupe, ...)"
		}
		a.signals = append(a.signals, s)
	}
	// An accessory or an ordinary word is cheap for honest reasons; its price
	// says nothing about the brand unless something else ties it there.
	priceCounts := !guarded || pictured || len(ev.coded) > 0
	ps := priceSignal(b, product, l.Price, e.opts.Rates, priceCounts, withEvidence)
	if ps.Score > 0 && len(ev.coded) == 0 && ev.isSecondHand() {
		// Second-hand goods sell below the new price for honest reasons.
		ps.Score /= 2
		if withEvidence {
			ps.Evidence += "; halved: the listing says the item is second-hand"
		}
	}
	a.signals = append(a.signals, ps)
	taught, why := e.opts.Feedback.vetoes(b.ID, l)
	switch {
	case taught:
		// An analyst already decided this seller or listing is innocent.
		a.vetoed = true
		s := Signal{Kind: KindSeller}
		if withEvidence {
			s.Evidence = why
		}
		a.signals = append(a.signals, s)
	case b.Authorized(l.Seller.ID):
		a.vetoed = true
		s := Signal{Kind: KindSeller}
		if withEvidence {
			s.Evidence = "seller " + l.Seller.ID + " is an authorized seller of " + b.Name + ": not a counterfeit"
		}
		a.signals = append(a.signals, s)
	default:
		s := Signal{Kind: KindSeller, Score: wSellerUnknown}
		if withEvidence {
			s.Evidence = "seller " + sellerLabel(l.Seller) + " is not on " + b.Name + "'s authorized list"
		}
		a.signals = append(a.signals, s)
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
		return s.ID + " (" + s.Name + ")"
	}
	return s.ID
}

// textSignal weighs the brand's strongest mention; named is false when no
// mention is of b. It also returns the product named, if any, and whether
// every mention was a guarded use.
func textSignal(b *brand.Brand, mentions []textmatch.Mention, withEvidence bool) (s Signal, named bool, product *brand.Product, guarded bool) {
	var best *textmatch.Mention
	var bestW float64
	guarded = true
	nominative := false
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
		return Signal{}, false, nil, false
	}
	evasive := isEvasive(best)
	// A listing that names the brand both directly and as "compatible with"
	// is an accessory listing; only a disguised spelling overrides that.
	if nominative && !evasive {
		guarded = true
	}
	if !withEvidence {
		if guarded {
			bestW = wGuarded
		}
		return Signal{Kind: KindText, Score: bestW}, true, product, guarded
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
	// Gathered on the stack, then copied once at their number.
	var termBuf [4]string
	terms := termBuf[:0]
	for i := range mentions {
		if m := &mentions[i]; m.BrandID == b.ID && m.Surface != "" && !slices.Contains(terms, m.Surface) {
			terms = append(terms, m.Surface)
		}
	}
	return Signal{Kind: KindText, Score: bestW, Evidence: ev, Terms: cloneTerms(terms)}, true, product, guarded
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
