// Package notice builds takedown notices from confirmed cases: one brand,
// one marketplace, split at the marketplace's cap on listings per complaint,
// with the contents notice-and-takedown law and marketplace programmes ask
// for (rights owner and contact, the mark, each listing's URL and id with a
// one-line reason, the good-faith and accuracy statements, a signature). It
// writes them as CSV, JSON and a printable HTML page. Choosing the cases and
// recording that they went out are the reporter's.
package notice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/score"
)

// DefaultCap is the most listings one complaint takes on the largest
// marketplaces (Alibaba IPP: 300; Amazon's form takes 50 — set Cap).
const DefaultCap = 300

// The statements a notice must carry (DMCA §512(c)(3), EU DSA Art. 16).
const (
	GoodFaith = "I have a good faith belief that use of the trademark(s) described above in the manner complained of is not authorized by the trademark owner, its agent, or the law."
	Accuracy  = "The information in this notice is accurate, and under penalty of perjury, I am the owner, or an agent authorized to act on behalf of the owner, of the trademark(s) that are allegedly infringed."
)

// Options configures notices.
type Options struct {
	// Cap is the most listings per notice; 0 means DefaultCap.
	Cap int
	// Signer signs the notice (defaults to the brand's contact name).
	Signer string
	Now    time.Time
}

// Item is one listing in a notice.
type Item struct {
	CaseID    int64  `json:"case_id"`
	ListingID string `json:"listing_id"`
	URL       string `json:"url"`
	Title     string `json:"title"`
	SellerID  string `json:"seller_id"`
	// Reason is a one-line description of the infringement drawn from the
	// case's strongest evidence.
	Reason string `json:"reason"`
}

// Notice is one complaint to one marketplace.
type Notice struct {
	ID          string        `json:"id"`
	Part        int           `json:"part"`
	Parts       int           `json:"parts"`
	Marketplace string        `json:"marketplace"`
	BrandID     string        `json:"brand_id"`
	BrandName   string        `json:"brand_name"`
	RightsOwner string        `json:"rights_owner"`
	Contact     brand.Contact `json:"contact"`
	Marks       []brand.Mark  `json:"marks"`
	Items       []Item        `json:"items"`
	GoodFaith   string        `json:"good_faith_statement"`
	Accuracy    string        `json:"accuracy_statement"`
	Signature   string        `json:"signature"`
	Date        string        `json:"date"`
}

// ErrNotReady marks cases or brands a notice cannot be built from.
var ErrNotReady = errors.New("cannot build notice")

// Build makes the notices for confirmed cases of one brand on one
// marketplace, in order, split at the cap.
func Build(b *brand.Brand, marketplace string, cases []*casestore.Case, opts Options) ([]Notice, error) {
	if opts.Cap <= 0 {
		opts.Cap = DefaultCap
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	var problems []string
	if b.Owner == "" {
		problems = append(problems, fmt.Sprintf("brand %s has no owner", b.ID))
	}
	if b.Contact == nil || b.Contact.Name == "" || b.Contact.Email == "" {
		problems = append(problems, fmt.Sprintf("brand %s has no contact name and email", b.ID))
	}
	if len(b.Marks) == 0 {
		problems = append(problems, fmt.Sprintf("brand %s has no registered mark", b.ID))
	}
	var items []Item
	for _, c := range cases {
		switch {
		case c.BrandID != b.ID:
			problems = append(problems, fmt.Sprintf("case %d is for brand %s, not %s", c.ID, c.BrandID, b.ID))
		case c.Marketplace != marketplace:
			problems = append(problems, fmt.Sprintf("case %d is on %s, not %s", c.ID, c.Marketplace, marketplace))
		case c.Status != casestore.Confirmed:
			problems = append(problems, fmt.Sprintf("case %d is %s, not confirmed", c.ID, c.Status))
		case c.URL == "":
			problems = append(problems, fmt.Sprintf("case %d has no listing URL", c.ID))
		default:
			items = append(items, Item{CaseID: c.ID, ListingID: c.ListingID, URL: c.URL, Title: c.Title, SellerID: c.SellerID, Reason: reason(b, c.Signals)})
		}
	}
	if len(items) == 0 && len(problems) == 0 {
		problems = append(problems, fmt.Sprintf("no confirmed cases of %s on %s", b.ID, marketplace))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotReady, strings.Join(problems, "; "))
	}
	signer := opts.Signer
	if signer == "" {
		signer = b.Contact.Name
	}
	parts := (len(items) + opts.Cap - 1) / opts.Cap
	date := opts.Now.UTC().Format("2006-01-02")
	var out []Notice
	for p := range parts {
		chunk := items[p*opts.Cap : min((p+1)*opts.Cap, len(items))]
		out = append(out, Notice{
			ID:   fmt.Sprintf("%s-%s-%s-%d", b.ID, marketplace, opts.Now.UTC().Format("20060102T150405"), p+1),
			Part: p + 1, Parts: parts, Marketplace: marketplace,
			BrandID: b.ID, BrandName: b.Name, RightsOwner: b.Owner, Contact: *b.Contact, Marks: b.Marks,
			Items: chunk, GoodFaith: GoodFaith, Accuracy: Accuracy,
			Signature: "/" + signer + "/", Date: date,
		})
	}
	return out, nil
}

// reason turns the strongest signals into one line for the marketplace.
func reason(b *brand.Brand, signals []score.Signal) string {
	var parts []string
	for _, s := range signals {
		if s.Score <= 0 || s.Kind == score.KindSeller {
			continue
		}
		parts = append(parts, s.Evidence)
		if len(parts) == 2 {
			break
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("counterfeit %s goods", b.Name)
	}
	return fmt.Sprintf("counterfeit %s goods: %s", b.Name, strings.Join(parts, "; "))
}

// Prepare builds the notices for the confirmed cases of one brand on one
// marketplace in the store, oldest case first, without recording them.
func Prepare(ctx context.Context, store *casestore.Store, b *brand.Brand, marketplace string, opts Options) ([]Notice, error) {
	cases, err := store.List(ctx, casestore.Filter{BrandID: b.ID, Status: casestore.Confirmed, Marketplace: marketplace, Sort: "age"})
	if err != nil {
		return nil, err
	}
	return Build(b, marketplace, cases, opts)
}

// Issue prepares the notices and records them in the store, which moves
// their cases to in_notice; actor is who sends them.
func Issue(ctx context.Context, store *casestore.Store, b *brand.Brand, marketplace, actor string, opts Options) ([]Notice, error) {
	notices, err := Prepare(ctx, store, b, marketplace, opts)
	if err != nil {
		return nil, err
	}
	for i := range notices {
		n := &notices[i]
		body, err := json.Marshal(n)
		if err != nil {
			return nil, fmt.Errorf("encode notice %s: %w", n.ID, err)
		}
		ids := make([]int64, len(n.Items))
		for j, it := range n.Items {
			ids[j] = it.CaseID
		}
		rec := &casestore.Notice{ID: n.ID, BrandID: n.BrandID, Marketplace: n.Marketplace, Part: n.Part, Parts: n.Parts, CreatedBy: actor, Body: body}
		if err := store.AddNotice(ctx, rec, ids); err != nil {
			return notices[:i], err
		}
	}
	return notices, nil
}

// Decode reads a notice recorded by Issue.
func Decode(body []byte) (*Notice, error) {
	var n Notice
	if err := json.Unmarshal(body, &n); err != nil {
		return nil, fmt.Errorf("decode notice: %w", err)
	}
	return &n, nil
}
