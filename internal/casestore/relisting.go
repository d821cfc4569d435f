package casestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"math/bits"
	"strconv"
	"strings"
	"unicode"

	"github.com/assay-dev/assay/internal/stream"
)

// RelistingDistance is the largest pHash distance at which two photos count
// as the same: the matcher's whole-image threshold, calibrated for ≤1% false
// matches on real photos.
const RelistingDistance = 18

// normTitle folds a title for comparison: lower case, letters and digits
// only, single spaces.
func normTitle(t string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(t) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// findRelisting looks for a confirmed case of the same brand that a new
// candidate repeats: the same seller with the same normalised title, or a
// photo within RelistingDistance of one of its photos. It returns 0 when
// there is none.
func findRelisting(ctx context.Context, tx *sql.Tx, c *stream.Candidate, norm string) (int64, string, error) {
	args := append([]any{c.BrandID, c.ListingID}, statusArgs(upheld)...)
	rows, err := tx.QueryContext(ctx, `SELECT id, seller_id, norm_title, images FROM cases
		WHERE brand_id = ? AND listing_id != ? AND status IN (`+placeholders(len(upheld))+`) ORDER BY id`, args...)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	mine := make([]uint64, 0, len(c.Images))
	for _, img := range c.Images {
		if h, err := strconv.ParseUint(img.Hash, 16, 64); err == nil {
			mine = append(mine, h)
		}
	}
	for rows.Next() {
		var id int64
		var seller, title, images string
		if err := rows.Scan(&id, &seller, &title, &images); err != nil {
			return 0, "", err
		}
		if norm != "" && seller == c.Listing.Seller.ID && title == norm {
			return id, "same seller, same title", nil
		}
		var theirs []stream.ImageHash
		if json.Unmarshal([]byte(images), &theirs) != nil {
			continue
		}
		for _, t := range theirs {
			h, err := strconv.ParseUint(t.Hash, 16, 64)
			if err != nil {
				continue
			}
			for _, m := range mine {
				if d := bits.OnesCount64(h ^ m); d <= RelistingDistance {
					return id, "same photo (distance " + strconv.Itoa(d) + ")", nil
				}
			}
		}
	}
	return 0, "", rows.Err()
}
