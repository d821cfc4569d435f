package casestore

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/stream"
)

// DefaultStrikes is how many confirmed cases make a repeat infringer (the
// three-strike rule marketplaces use).
const DefaultStrikes = 3

// upheld are the statuses of a case an analyst confirmed, whatever happened
// after.
var upheld = []Status{Confirmed, InNotice, Removed, Rejected, CounterNoticed, Reinstated}

func isUpheld(s Status) bool { return slices.Contains(upheld, s) }

// SellerReport is what the seller page shows.
type SellerReport struct {
	SellerID       string  `json:"seller_id"`
	Cases          []*Case `json:"cases"`
	Confirmed      int     `json:"confirmed"`
	RepeatOffender bool    `json:"repeat_offender"`
	// Network lists the other sellers linked to this one, transitively,
	// because their confirmed counterfeits share photos or their cases share
	// contact details; Links says why, one edge at a time.
	Network []string      `json:"network"`
	Links   []NetworkLink `json:"links"`
}

// Seller reports on one seller as the scope sees it: its cases, counts and
// network come from the scope's brands alone. strikes confirmed cases make
// a repeat infringer (0 means DefaultStrikes).
func (s *Store) Seller(ctx context.Context, sellerID string, strikes int, sc Scope) (*SellerReport, error) {
	if strikes <= 0 {
		strikes = DefaultStrikes
	}
	cases, err := s.List(ctx, Filter{SellerID: sellerID, Sort: "age", Scope: sc})
	if err != nil {
		return nil, err
	}
	r := &SellerReport{SellerID: sellerID, Cases: cases}
	for _, c := range cases {
		if isUpheld(c.Status) {
			r.Confirmed++
		}
	}
	r.RepeatOffender = r.Confirmed >= strikes
	r.Network, r.Links, err = s.network(ctx, sellerID, sc)
	return r, err
}

// NetworkLink is one reason two sellers are in one network.
type NetworkLink struct {
	A   string `json:"a"`
	B   string `json:"b"`
	Via string `json:"via"` // "photo 8f3c...", "email ...", "phone ..."
}

// contactKeys normalises a seller's contact details into the keys sellers
// are linked by: the email lower-cased, the phone number's digits (at least
// six, so that "n/a" or "000" link nobody).
func contactKeys(c *listing.Contact) []string {
	keys := []string{}
	if c == nil {
		return keys
	}
	if e := strings.ToLower(strings.TrimSpace(c.Email)); strings.Contains(e, "@") {
		keys = append(keys, "email "+e)
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, c.Phone)
	if len(digits) >= 6 && strings.Trim(digits, "0") != "" {
		keys = append(keys, "phone "+digits)
	}
	return keys
}

// network groups sellers, transitively (union-find), that share a photo
// among their confirmed counterfeits or any contact detail among their
// cases, and returns sellerID's group and the links inside it. Only
// confirmed cases count for photos: one merely flagged may be an innocent
// stock picture. Contact details identify whoever runs the accounts, so
// every case counts for them.
func (s *Store) network(ctx context.Context, sellerID string, sc Scope) ([]string, []NetworkLink, error) {
	cond, scArgs := sc.where("brand_id")
	// Photos are read from upheld cases only, and a case with neither an
	// upheld photo nor a contact is not read at all.
	isUpheld := `status IN (` + placeholders(len(upheld)) + `)`
	args := append(append(statusArgs(upheld), statusArgs(upheld)...), scArgs...)
	rows, err := s.db.QueryContext(ctx, `SELECT seller_id, CASE WHEN `+isUpheld+` THEN images ELSE '[]' END, seller_contacts
		FROM cases WHERE ((`+isUpheld+` AND images != '[]') OR seller_contacts != '[]') AND `+cond, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == "" || parent[x] == x {
			parent[x] = x
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	var links []NetworkLink
	byKey := map[string]string{}
	link := func(seller, key, via string) {
		other, ok := byKey[key]
		if !ok {
			byKey[key] = seller
			return
		}
		if other != seller && find(seller) != find(other) {
			parent[find(seller)] = find(other)
			links = append(links, NetworkLink{A: other, B: seller, Via: via})
		}
	}
	for rows.Next() {
		var seller, images, contacts string
		if err := rows.Scan(&seller, &images, &contacts); err != nil {
			return nil, nil, err
		}
		find(seller)
		var hs []stream.ImageHash
		if json.Unmarshal([]byte(images), &hs) == nil {
			for _, h := range hs {
				link(seller, "photo "+h.Hash, "shares photo "+h.Hash)
			}
		}
		var keys []string
		if json.Unmarshal([]byte(contacts), &keys) == nil {
			for _, k := range keys {
				link(seller, k, "same "+k)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if _, ok := parent[sellerID]; !ok {
		return nil, nil, nil
	}
	root := find(sellerID)
	var out []string
	for x := range parent {
		if x != sellerID && find(x) == root {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	links = slices.DeleteFunc(links, func(l NetworkLink) bool { return find(l.A) != root })
	return out, links, nil
}

// BrandReport is what the brand page shows.
type BrandReport struct {
	BrandID string `json:"brand_id"`
	// FlagsPerDay counts cases by the day they were first flagged, oldest
	// first, with no gaps.
	FlagsPerDay []DayCount     `json:"flags_per_day"`
	TopSellers  []SellerCount  `json:"top_sellers"`
	Counts      map[Status]int `json:"counts"`
	// AcceptanceRate is confirmed ÷ decided (confirmed or dismissed); -1
	// when nothing is decided yet.
	AcceptanceRate float64 `json:"acceptance_rate"`
	// MedianToDecision and MedianToTakedown run from first flagged to the
	// first decision and to removal; 0 when there is none.
	MedianToDecision time.Duration `json:"-"`
	MedianToTakedown time.Duration `json:"-"`
}

// DayCount is a count on one day (YYYY-MM-DD, UTC).
type DayCount struct {
	Day   string `json:"day"`
	Count int    `json:"count"`
}

// SellerCount is a seller's number of cases.
type SellerCount struct {
	SellerID string `json:"seller_id"`
	Cases    int    `json:"cases"`
}

// Brand reports on one brand.
func (s *Store) Brand(ctx context.Context, brandID string) (*BrandReport, error) {
	r := &BrandReport{BrandID: brandID, AcceptanceRate: -1}
	var err error
	if r.Counts, err = s.Counts(ctx, brandID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT substr(first_seen, 1, 10), count(*) FROM cases WHERE brand_id = ? GROUP BY 1 ORDER BY 1`, brandID)
	if err != nil {
		return nil, err
	}
	var days []DayCount
	for rows.Next() {
		var d DayCount
		if err := rows.Scan(&d.Day, &d.Count); err != nil {
			rows.Close()
			return nil, err
		}
		days = append(days, d)
	}
	rows.Close()
	r.FlagsPerDay = fillDays(days)
	rows, err = s.db.QueryContext(ctx, `SELECT seller_id, count(*) FROM cases WHERE brand_id = ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`, brandID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var sc SellerCount
		if err := rows.Scan(&sc.SellerID, &sc.Cases); err != nil {
			rows.Close()
			return nil, err
		}
		r.TopSellers = append(r.TopSellers, sc)
	}
	rows.Close()
	if rate, ok := acceptance(r.Counts); ok {
		r.AcceptanceRate = rate
	}
	r.MedianToDecision, err = s.medianSince(ctx, brandID, `from_status = 'new' AND to_status != ''`)
	if err != nil {
		return nil, err
	}
	r.MedianToTakedown, err = s.medianSince(ctx, brandID, `to_status = 'removed'`)
	return r, err
}

// medianSince is the median time from a case's first flag to its first
// event matching cond.
func (s *Store) medianSince(ctx context.Context, brandID, cond string) (time.Duration, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.first_seen, min(e.at) FROM cases c JOIN case_events e ON e.case_id = c.id
		WHERE c.brand_id = ? AND e.action = 'status' AND `+cond+` GROUP BY c.id`, brandID)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ds []time.Duration
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			return 0, err
		}
		f, err1 := time.Parse(time.RFC3339Nano, from)
		t, err2 := time.Parse(time.RFC3339Nano, to)
		if err1 == nil && err2 == nil && !t.Before(f) {
			ds = append(ds, t.Sub(f))
		}
	}
	if len(ds) == 0 {
		return 0, rows.Err()
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2], rows.Err()
}

// fillDays adds the days with no flags between the first and the last.
func fillDays(days []DayCount) []DayCount {
	if len(days) < 2 {
		return days
	}
	first, err1 := time.Parse("2006-01-02", days[0].Day)
	last, err2 := time.Parse("2006-01-02", days[len(days)-1].Day)
	if err1 != nil || err2 != nil || last.Sub(first) > 366*24*time.Hour {
		return days
	}
	have := map[string]int{}
	for _, d := range days {
		have[d.Day] = d.Count
	}
	var out []DayCount
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		k := d.Format("2006-01-02")
		out = append(out, DayCount{Day: k, Count: have[k]})
	}
	return out
}

func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return "?" + strings.Repeat(", ?", n-1)
}

func statusArgs(sts []Status) []any {
	out := make([]any, len(sts))
	for i, s := range sts {
		out[i] = string(s)
	}
	return out
}
