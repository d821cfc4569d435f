// Package eval measures the matcher on labelled listings: precision, recall
// and F1 overall, recall per evasion tactic and per image transform, and the
// false-flag rate per class of negative. It owns the label format; scoring is
// package score's and reading listings package scan's.
package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Label is the ground truth for one listing.
type Label struct {
	ListingID   string `json:"listing_id"`
	Counterfeit bool   `json:"counterfeit"`
	// BrandID is the brand infringed (positives) or the brand the text
	// mentions innocently (negatives, may be empty).
	BrandID string `json:"brand_id"`
	// Tactics are the evasions and cues a positive uses ("confusable",
	// "coded-language", "low-price", ...).
	Tactics []string `json:"tactics,omitempty"`
	// ImageTransform names how a positive's photo was derived from a
	// reference photo ("mirror", "crop-centre", ...), if it was.
	ImageTransform string `json:"image_transform,omitempty"`
	// NegativeClass names why a negative is innocent ("common-word",
	// "accessory", "authorized", ...).
	NegativeClass string `json:"negative_class,omitempty"`
}

// ReadLabelsFile reads labels as JSON Lines, one per listing.
func ReadLabelsFile(path string) (map[string]Label, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open labels: %w", err)
	}
	defer f.Close()
	labels := make(map[string]Label)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var l Label
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if l.ListingID == "" {
			return nil, fmt.Errorf("%s:%d: listing_id is missing", path, n)
		}
		if _, dup := labels[l.ListingID]; dup {
			return nil, fmt.Errorf("%s:%d: listing %s labelled twice", path, n, l.ListingID)
		}
		labels[l.ListingID] = l
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read labels %s: %w", path, err)
	}
	return labels, nil
}
