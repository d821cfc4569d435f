// Package brand defines the brand registry (brands, their names, products,
// price floors, reference images, authorized sellers and marks) and loads and
// validates it from YAML or JSON. Matching against a registry is left to
// packages textmatch, imagehash and score.
package brand

import (
	"slices"

	"github.com/assay-dev/assay/internal/price"
)

// Registry is a validated set of brands.
type Registry struct {
	Brands []Brand `json:"brands" yaml:"brands"`
	// Dir is the directory relative reference image paths resolve against.
	Dir string `json:"-" yaml:"-"`
	// unknown holds unknown-field errors found while decoding, reported
	// together with every other problem.
	unknown error
}

// Brand is one registered brand.
type Brand struct {
	ID                string       `json:"id" yaml:"id"`
	Name              string       `json:"name" yaml:"name"`
	Owner             string       `json:"owner,omitempty" yaml:"owner,omitempty"`
	Aliases           []string     `json:"aliases,omitempty" yaml:"aliases,omitempty"`
	Products          []Product    `json:"products,omitempty" yaml:"products,omitempty"`
	PriceFloor        *price.Money `json:"price_floor,omitempty" yaml:"price_floor,omitempty"`
	ReferenceImages   []string     `json:"reference_images,omitempty" yaml:"reference_images,omitempty"`
	AuthorizedSellers []string     `json:"authorized_sellers,omitempty" yaml:"authorized_sellers,omitempty"`
	Marks             []Mark       `json:"marks,omitempty" yaml:"marks,omitempty"`
	// Contact is who takedown notices are sent on behalf of.
	Contact *Contact `json:"contact,omitempty" yaml:"contact,omitempty"`
	// Keywords are words for what the brand sells ("handbag", "watch"). They
	// give context to a brand name that is also an ordinary word.
	Keywords []string `json:"keywords,omitempty" yaml:"keywords,omitempty"`
	// Threshold overrides the default flagging threshold (0 = default).
	Threshold float64 `json:"threshold,omitempty" yaml:"threshold,omitempty"`
}

// Product is a named product line with an optional price floor of its own.
type Product struct {
	Name       string       `json:"name" yaml:"name"`
	PriceFloor *price.Money `json:"price_floor,omitempty" yaml:"price_floor,omitempty"`
}

// Contact is the rights owner's contact for notices.
type Contact struct {
	Name    string `json:"name" yaml:"name"`
	Email   string `json:"email" yaml:"email"`
	Address string `json:"address,omitempty" yaml:"address,omitempty"`
	Phone   string `json:"phone,omitempty" yaml:"phone,omitempty"`
}

// Mark is a trademark registration.
type Mark struct {
	Number  string `json:"number" yaml:"number"`
	Office  string `json:"office" yaml:"office"`
	Classes []int  `json:"classes,omitempty" yaml:"classes,omitempty"`
}

// Authorized reports whether sellerID is on the brand's authorized list.
func (b *Brand) Authorized(sellerID string) bool {
	return slices.Contains(b.AuthorizedSellers, sellerID)
}
