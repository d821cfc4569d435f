package score

import (
	"fmt"

	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
)

// Feedback is what analysts' decisions taught the engine: sellers dismissed
// as authorized and listings dismissed as not infringing stop being flagged
// for that brand; photos of confirmed counterfeits become references, so
// the same photos are caught wherever they reappear. The streaming matcher
// fills it from the feedback topic.
type Feedback struct {
	// AuthorizedSellers maps brand id → seller id → why (for the evidence).
	AuthorizedSellers map[string]map[string]string
	// NotInfringing maps brand id → listing id → why.
	NotInfringing map[string]map[string]string
	// CounterfeitImages are whole-image hashes of confirmed counterfeits.
	CounterfeitImages []CounterfeitImage
}

// CounterfeitImage is a photo of a confirmed counterfeit.
type CounterfeitImage struct {
	BrandID string
	Hash    imagehash.Hash
	// Source names where it came from, e.g. "case 12 (mp-000123)".
	Source string
}

// vetoes reports whether feedback clears listing l of brand b, and why.
func (f *Feedback) vetoes(brandID string, l *listing.Listing) (bool, string) {
	if f == nil {
		return false, ""
	}
	if why, ok := f.AuthorizedSellers[brandID][l.Seller.ID]; ok {
		return true, fmt.Sprintf("seller %s was marked authorized for this brand by an analyst (%s): not flagged", l.Seller.ID, why)
	}
	if why, ok := f.NotInfringing[brandID][l.ID]; ok {
		return true, fmt.Sprintf("listing %s was dismissed as not infringing by an analyst (%s): not flagged", l.ID, why)
	}
	return false, ""
}
