// Package listing defines the marketplace listing event (the data contract
// shared by ingest, matcher and reporter) and decodes and validates it from
// JSON Lines. It does not fetch images or score anything.
package listing

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/price"
)

// Limits on a single event. They bound memory per listing and catch data
// that is plainly not a listing (a whole catalogue pasted into a title).
const (
	MaxLineBytes        = 1 << 20
	MaxTitleBytes       = 1 << 10
	MaxDescriptionBytes = 64 << 10
	MaxImages           = 32
	maxIDBytes          = 256
)

// Seller is the marketplace account offering the listing.
type Seller struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	// Contact is what the marketplace knows of how to reach the seller. It
	// is optional; when given, sellers that share an email or phone number
	// are shown as one network however many accounts they open.
	Contact *Contact `json:"contact,omitempty"`
}

// Contact is a seller's contact details.
type Contact struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Limits of a seller's contact details.
const (
	maxEmailBytes = 254 // RFC 5321's path limit
	maxPhoneBytes = 32
)

// Listing is one marketplace listing as observed at ObservedAt.
type Listing struct {
	ID          string       `json:"id"`
	Marketplace string       `json:"marketplace,omitempty"`
	URL         string       `json:"url,omitempty"`
	Title       string       `json:"title"`
	Description string       `json:"description,omitempty"`
	Price       *price.Money `json:"price"`
	Seller      Seller       `json:"seller"`
	// Images are http(s) URLs or, in batch mode, paths relative to the
	// listings file.
	Images     []string  `json:"images,omitempty"`
	ObservedAt time.Time `json:"observed_at,omitzero"`
}

// ErrInvalid marks an event that decoded but breaks the contract.
var ErrInvalid = errors.New("invalid listing")

// validID reports an id of printable ASCII without spaces (0x21-0x7e),
// as the regular expression ^[\x21-\x7e]+$ would, byte by byte.
func validID(id string) bool {
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return id != ""
}

// validate reports the first contract violation in l, naming the field.
// It does not check UTF-8: Decode's strings are always valid (see there).
func (l *Listing) validate() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	switch {
	case l.ID == "":
		return fail("field id is missing")
	case len(l.ID) > maxIDBytes || !validID(l.ID):
		return fail("field id %q must be 1-%d printable ASCII characters without spaces", truncate(l.ID, 40), maxIDBytes)
	case strings.TrimSpace(l.Title) == "":
		return fail("field title is missing or blank")
	case len(l.Title) > MaxTitleBytes:
		return fail("field title is %d bytes, above the %d limit", len(l.Title), MaxTitleBytes)
	case len(l.Description) > MaxDescriptionBytes:
		return fail("field description is %d bytes, above the %d limit", len(l.Description), MaxDescriptionBytes)
	case l.Price == nil:
		return fail("field price is missing")
	case l.Seller.ID == "":
		return fail("field seller.id is missing")
	case len(l.Images) > MaxImages:
		return fail("field images has %d entries, above the %d limit", len(l.Images), MaxImages)
	case l.Seller.Contact != nil && len(l.Seller.Contact.Email) > maxEmailBytes:
		return fail("field seller.contact.email is %d bytes, above the %d limit", len(l.Seller.Contact.Email), maxEmailBytes)
	case l.Seller.Contact != nil && l.Seller.Contact.Email != "" && !strings.Contains(l.Seller.Contact.Email, "@"):
		return fail("field seller.contact.email %q is not an email address", truncate(l.Seller.Contact.Email, 40))
	case l.Seller.Contact != nil && len(l.Seller.Contact.Phone) > maxPhoneBytes:
		return fail("field seller.contact.phone is %d bytes, above the %d limit", len(l.Seller.Contact.Phone), maxPhoneBytes)
	}
	if err := l.Price.Validate(); err != nil {
		return fail("field price: %v", err)
	}
	for i, img := range l.Images {
		if strings.TrimSpace(img) == "" {
			return fail("field images[%d] is empty", i)
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
