package casestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// Case is one flagged (listing, brand) pair.
type Case struct {
	ID          int64          `json:"id"`
	ListingID   string         `json:"listing_id"`
	BrandID     string         `json:"brand_id"`
	Status      Status         `json:"status"`
	Score       float64        `json:"score"`
	Signals     []score.Signal `json:"signals"`
	ContentHash string         `json:"content_hash"`
	Marketplace string         `json:"marketplace"`
	URL         string         `json:"url"`
	Title       string         `json:"title"`
	SellerID    string         `json:"seller_id"`
	SellerName  string         `json:"seller_name"`
	FirstSeen   time.Time      `json:"first_seen"`
	LastSeen    time.Time      `json:"last_seen"`
	Retroactive bool           `json:"retroactive"`
	// Images are the listing photos' whole-image hashes (hex).
	Images []stream.ImageHash `json:"images"`
	// RelistingOf is the confirmed case this listing repeats, or 0.
	RelistingOf int64 `json:"relisting_of,omitempty"`
}

// Event is one entry of a case's audit trail.
type Event struct {
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	FromStatus Status    `json:"from_status"`
	ToStatus   Status    `json:"to_status"`
	Reason     string    `json:"reason"`
}

// Result says what storing a candidate did.
type Result int

// Outcomes of Put.
const (
	Created   Result = iota // a new case
	Rescored                // a known case seen again with a new version or score
	Duplicate               // the same candidate again (at-least-once delivery)
)

// Put stores candidates in one transaction: a new (listing, brand) opens a
// case, a known one is updated (score, signals, last seen) and never
// duplicated, and each distinct version of the listing is kept as evidence.
// When Put returns nil every candidate is durably stored.
func (s *Store) Put(ctx context.Context, cands []*stream.Candidate) ([]Result, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	out := make([]Result, 0, len(cands))
	for _, c := range cands {
		r, err := put(ctx, tx, c)
		if err != nil {
			return nil, fmt.Errorf("store candidate %s/%s: %w", c.ListingID, c.BrandID, err)
		}
		out = append(out, r)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

func put(ctx context.Context, tx *sql.Tx, c *stream.Candidate) (Result, error) {
	if c.ListingID == "" || c.BrandID == "" || c.Listing == nil {
		return 0, errors.New("candidate lacks listing_id, brand_id or the listing snapshot")
	}
	signals, err := json.Marshal(c.Signals)
	if err != nil {
		return 0, err
	}
	listing, err := json.Marshal(c.Listing)
	if err != nil {
		return 0, err
	}
	verdict, err := json.Marshal(c.Verdict)
	if err != nil {
		return 0, err
	}
	images, err := json.Marshal(c.Images)
	if err != nil {
		return 0, err
	}
	if c.Images == nil {
		images = []byte("[]")
	}
	contacts, err := json.Marshal(contactKeys(c.Listing.Seller.Contact))
	if err != nil {
		return 0, err
	}
	seen := c.ScoredAt.UTC().Format(time.RFC3339Nano)
	if c.ScoredAt.IsZero() {
		seen = now()
	}
	var id int64
	var hash string
	var score float64
	err = tx.QueryRowContext(ctx, `SELECT id, content_hash, score FROM cases WHERE listing_id = ? AND brand_id = ?`, c.ListingID, c.BrandID).Scan(&id, &hash, &score)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		l := c.Listing
		res, err := tx.ExecContext(ctx, `INSERT INTO cases
			(listing_id, brand_id, status, score, signals, content_hash, marketplace, url, title, seller_id, seller_name, first_seen, last_seen, retroactive, updated_at, images, seller_contacts)
			VALUES (?, ?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ListingID, c.BrandID, c.Score, string(signals), c.ContentHash, l.Marketplace, l.URL, l.Title, l.Seller.ID, l.Seller.Name, seen, seen, c.Retroactive, now(), string(images), string(contacts))
		if err != nil {
			return 0, err
		}
		if id, err = res.LastInsertId(); err != nil {
			return 0, err
		}
		if err := snapshot(ctx, tx, id, c.ContentHash, listing, verdict, seen); err != nil {
			return 0, err
		}
		if err := event(ctx, tx, id, "matcher", "flagged", "", New, fmt.Sprintf("score %.2f", c.Score)); err != nil {
			return 0, err
		}
		norm := normTitle(l.Title)
		of, why, err := findRelisting(ctx, tx, c, norm)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET norm_title = ?, relisting_of = nullif(?, 0) WHERE id = ?`, norm, of, id); err != nil {
			return 0, err
		}
		if of != 0 {
			if err := event(ctx, tx, id, "matcher", "relisting", "", "", fmt.Sprintf("re-listing of confirmed case %d: %s", of, why)); err != nil {
				return 0, err
			}
		}
		return Created, nil
	case err != nil:
		return 0, err
	}
	if hash == c.ContentHash && score == c.Score {
		_, err := tx.ExecContext(ctx, `UPDATE cases SET last_seen = max(last_seen, ?) WHERE id = ?`, seen, id)
		return Duplicate, err
	}
	l := c.Listing
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET score = ?, signals = ?, content_hash = ?, title = ?, url = ?, seller_name = ?,
		last_seen = max(last_seen, ?), updated_at = ?, images = ?, seller_contacts = ? WHERE id = ?`,
		c.Score, string(signals), c.ContentHash, l.Title, l.URL, l.Seller.Name, seen, now(), string(images), string(contacts), id); err != nil {
		return 0, err
	}
	if err := snapshot(ctx, tx, id, c.ContentHash, listing, verdict, seen); err != nil {
		return 0, err
	}
	return Rescored, event(ctx, tx, id, "matcher", "rescored", "", "", fmt.Sprintf("score %.2f -> %.2f", score, c.Score))
}

func snapshot(ctx context.Context, tx *sql.Tx, id int64, hash string, listing, verdict []byte, seen string) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO case_snapshots (case_id, content_hash, listing, verdict, seen_at) VALUES (?, ?, ?, ?, ?)`,
		id, hash, string(listing), string(verdict), seen)
	return err
}

func event(ctx context.Context, tx *sql.Tx, id int64, actor, action string, from, to Status, reason string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, now(), actor, action, string(from), string(to), reason)
	return err
}

// Move changes a case's status, refusing moves the workflow does not
// allow, and records who, when and why.
func (s *Store) Move(ctx context.Context, id int64, to Status, actor, reason string) error {
	if strings.TrimSpace(actor) == "" {
		return errors.New("a status change needs an actor")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := move(ctx, tx, id, to, actor, reason); err != nil {
		return err
	}
	return tx.Commit()
}

// move is Move inside a caller's transaction.
func move(ctx context.Context, tx *sql.Tx, id int64, to Status, actor, reason string) error {
	var from Status
	if err := tx.QueryRowContext(ctx, `SELECT status FROM cases WHERE id = ?`, id).Scan(&from); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("case %d: %w", id, ErrNotFound)
		}
		return err
	}
	if err := checkMove(id, from, to); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET status = ?, updated_at = ? WHERE id = ?`, string(to), now(), id); err != nil {
		return err
	}
	return event(ctx, tx, id, actor, "status", from, to, reason)
}

const caseColumns = `id, listing_id, brand_id, status, score, signals, content_hash, marketplace, url, title, seller_id, seller_name, first_seen, last_seen, retroactive, images, coalesce(relisting_of, 0)`

func scanCase(row interface{ Scan(...any) error }) (*Case, error) {
	var c Case
	var signals, first, last, images string
	if err := row.Scan(&c.ID, &c.ListingID, &c.BrandID, &c.Status, &c.Score, &signals, &c.ContentHash, &c.Marketplace, &c.URL, &c.Title,
		&c.SellerID, &c.SellerName, &first, &last, &c.Retroactive, &images, &c.RelistingOf); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(images), &c.Images); err != nil {
		return nil, fmt.Errorf("case %d images: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(signals), &c.Signals); err != nil {
		return nil, fmt.Errorf("case %d signals: %w", c.ID, err)
	}
	c.FirstSeen, _ = time.Parse(time.RFC3339Nano, first)
	c.LastSeen, _ = time.Parse(time.RFC3339Nano, last)
	return &c, nil
}

// UpdatedSince returns the cases changed at or after mark (an updated_at
// value; "" for all), and the mark to pass next time.
func (s *Store) UpdatedSince(ctx context.Context, mark string) ([]*Case, string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+caseColumns+`, updated_at FROM cases WHERE updated_at >= ? ORDER BY updated_at`, mark)
	if err != nil {
		return nil, mark, err
	}
	defer rows.Close()
	var out []*Case
	next := mark
	for rows.Next() {
		var at string
		c, err := scanCase(scanTail{rows, &at})
		if err != nil {
			return nil, mark, err
		}
		out = append(out, c)
		next = at
	}
	return out, next, rows.Err()
}

// scanTail scans a case row with extra trailing columns.
type scanTail struct {
	rows *sql.Rows
	tail *string
}

func (t scanTail) Scan(dest ...any) error { return t.rows.Scan(append(dest, t.tail)...) }

// Get returns one case.
func (s *Store) Get(ctx context.Context, id int64) (*Case, error) {
	c, err := scanCase(s.db.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	return c, err
}

// Filter selects cases; zero fields do not filter.
type Filter struct {
	BrandID     string
	Status      Status
	SellerID    string
	Marketplace string
	// Sort is "score" (highest first, the default), "age" (oldest first)
	// or "brand".
	Sort  string
	Limit int
	// IDs, when not nil, keeps only these cases (a search's hits).
	IDs []int64
	// From and To keep cases first flagged on or after, and on or before,
	// these days (YYYY-MM-DD, UTC).
	From, To string
	// Scope keeps the brands the reader may see (the zero Scope: all).
	Scope Scope
}

// SellerCounts returns how many cases a seller has and how many of them
// an analyst upheld: the seller's history in brief, for the case page.
// Only the scope's brands count.
func (s *Store) SellerCounts(ctx context.Context, sellerID string, sc Scope) (cases, upheldN int, err error) {
	cond, scArgs := sc.where("brand_id")
	err = s.db.QueryRowContext(ctx, `SELECT count(*), count(CASE WHEN status IN (`+placeholders(len(upheld))+`) THEN 1 END) FROM cases WHERE seller_id = ? AND `+cond,
		append(append(statusArgs(upheld), sellerID), scArgs...)...).Scan(&cases, &upheldN)
	return cases, upheldN, err
}

// List returns cases, highest score first.
func (s *Store) List(ctx context.Context, f Filter) ([]*Case, error) {
	cond, args := f.Scope.where("brand_id")
	q := `SELECT ` + caseColumns + ` FROM cases WHERE ` + cond
	if f.BrandID != "" {
		q += ` AND brand_id = ?`
		args = append(args, f.BrandID)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.SellerID != "" {
		q += ` AND seller_id = ?`
		args = append(args, f.SellerID)
	}
	if f.Marketplace != "" {
		q += ` AND marketplace = ?`
		args = append(args, f.Marketplace)
	}
	if f.From != "" {
		q += ` AND substr(first_seen, 1, 10) >= ?`
		args = append(args, f.From)
	}
	if f.To != "" {
		q += ` AND substr(first_seen, 1, 10) <= ?`
		args = append(args, f.To)
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		q += ` AND id IN (` + placeholders(len(f.IDs)) + `)`
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	switch f.Sort {
	case "age":
		q += ` ORDER BY first_seen, id`
	case "brand":
		q += ` ORDER BY brand_id, score DESC, id`
	default:
		q += ` ORDER BY score DESC, id`
	}
	if f.Limit > 0 {
		q += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// History returns a case's audit trail, oldest first.
func (s *Store) History(ctx context.Context, id int64) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT at, actor, action, from_status, to_status, reason FROM case_events WHERE case_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.FromStatus, &e.ToStatus, &e.Reason); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Brands returns the brand ids of the scope that have cases, for filters.
func (s *Store) Brands(ctx context.Context, sc Scope) ([]string, error) {
	cond, args := sc.where("brand_id")
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT brand_id FROM cases WHERE `+cond+` ORDER BY brand_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// CaseBrand returns the brand a case is about, for access checks.
func (s *Store) CaseBrand(ctx context.Context, id int64) (string, error) {
	var b string
	err := s.db.QueryRowContext(ctx, `SELECT brand_id FROM cases WHERE id = ?`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("case %d: %w", id, ErrNotFound)
	}
	return b, err
}

// Snapshots returns the distinct versions of a case's listing, oldest first.
func (s *Store) Snapshots(ctx context.Context, id int64) ([]json.RawMessage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT listing FROM case_snapshots WHERE case_id = ? ORDER BY seen_at`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []json.RawMessage
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		out = append(out, json.RawMessage(l))
	}
	return out, rows.Err()
}

// Counts returns the number of cases per status for a brand ("" for all).
func (s *Store) Counts(ctx context.Context, brandID string) (map[Status]int, error) {
	q := `SELECT status, count(*) FROM cases`
	var args []any
	if brandID != "" {
		q += ` WHERE brand_id = ?`
		args = append(args, brandID)
	}
	rows, err := s.db.QueryContext(ctx, q+` GROUP BY status`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[Status]int{}
	for rows.Next() {
		var st Status
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}
