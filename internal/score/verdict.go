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
	// Terms are the listing's words the signal rests on, exactly as the
	// seller wrote them, so a reviewer's screen can highlight them.
	Terms []string `json:"terms,omitempty"`
	// Images are the photo matches behind an image signal: each of the
	// listing's photos that matched, with the reference it came closest
	// to, best first.
	Images []ImageMatch `json:"images,omitempty"`
}

// ImageMatch is which listing photo matched which reference photo, and how
// closely.
type ImageMatch struct {
	// Listing is the listing's image as given (URL or path).
	Listing string `json:"listing"`
	// Reference is the brand's reference image it matched.
	Reference string `json:"reference"`
	// Distance and Threshold are in bits of the 64-bit perceptual hash.
	Distance  int `json:"distance"`
	Threshold int `json:"threshold"`
	// Variant and Region say which form of the reference matched: a
	// mirrored or cropped variant, or a region of it.
	Variant string `json:"variant,omitempty"`
	Region  string `json:"region,omitempty"`
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
