// Package score turns the evidence about one listing — brand mentions and
// coded language from package textmatch, image matches from package
// imagehash, its price and its seller — into a verdict: which brand it most
// likely infringes, a 0–1 score, and every signal with evidence an analyst can
// check. Reading listings, fetching images from the network and acting on
// verdicts are left to the callers.
package score

// Signal kinds.
const (
	KindText   = "text"
	KindCoded  = "coded"
	KindImage  = "image"
	KindPrice  = "price"
	KindSeller = "seller"
)

// Signal is one piece of evidence and how much it weighed (0 = noted only).
type Signal struct {
	Kind     string  `json:"kind"`
	Score    float64 `json:"score"`
	Evidence string  `json:"evidence"`
}

// Verdict is the outcome for one listing.
type Verdict struct {
	ListingID string `json:"listing_id"`
	Flagged   bool   `json:"flagged"`
	// BrandID is the best-scoring brand, or "" when nothing pointed at any.
	BrandID   string   `json:"brand_id"`
	BrandName string   `json:"brand_name,omitempty"`
	Score     float64  `json:"score"`
	Threshold float64  `json:"threshold"`
	Signals   []Signal `json:"signals"`
	// Others lists the other brands the listing was scored against, best
	// first, so an analyst sees when two brands competed.
	Others []Candidate `json:"other_brands,omitempty"`
}

// Candidate is a brand a listing was scored against, with the score it got.
type Candidate struct {
	BrandID string  `json:"brand_id"`
	Score   float64 `json:"score"`
}
