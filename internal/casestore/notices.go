package casestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Outcome is what became of one listing of a takedown notice.
type Outcome string

// Outcomes of a notice's listings. Pending is built but not yet sent; the
// others are the marketplace's and the seller's answers, and each one past
// Submitted moves the case to the status of the same name.
const (
	Pending               Outcome = "pending"
	Submitted             Outcome = "submitted"
	OutcomeRemoved        Outcome = "removed"
	OutcomeRejected       Outcome = "rejected"
	OutcomeCounterNoticed Outcome = "counter_noticed"
	OutcomeReinstated     Outcome = "reinstated"
)

// Outcomes lists the outcomes that can be entered, in workflow order.
var Outcomes = []Outcome{Submitted, OutcomeRemoved, OutcomeRejected, OutcomeCounterNoticed, OutcomeReinstated}

// outcomeStatus is the case status an outcome puts its case in.
var outcomeStatus = map[Outcome]Status{
	OutcomeRemoved: Removed, OutcomeRejected: Rejected, OutcomeCounterNoticed: CounterNoticed, OutcomeReinstated: Reinstated,
}

// ParseOutcome checks an outcome name.
func ParseOutcome(s string) (Outcome, error) {
	o := Outcome(s)
	if !slices.Contains(Outcomes, o) {
		names := make([]string, len(Outcomes))
		for i, o := range Outcomes {
			names[i] = string(o)
		}
		return "", fmt.Errorf("unknown outcome %q (known: %s)", s, strings.Join(names, ", "))
	}
	return o, nil
}

// ErrNoticeNotFound marks a notice, or a listing of one, that does not exist.
var ErrNoticeNotFound = errors.New("notice not found")

// Notice is a takedown notice as recorded when it was built.
type Notice struct {
	ID          string    `json:"id"`
	BrandID     string    `json:"brand_id"`
	Marketplace string    `json:"marketplace"`
	Part        int       `json:"part"`
	Parts       int       `json:"parts"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
	// SubmittedAt is zero until the notice is marked sent.
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	// Body is the notice as built (package notice's JSON).
	Body json.RawMessage `json:"body"`
	// Items are filled in by Notice, not by Notices.
	Items []NoticeItem `json:"items"`
	// Outcomes counts the listings by outcome.
	Outcomes map[Outcome]int `json:"outcomes"`
}

// NoticeItem is one listing of a notice and what became of it.
type NoticeItem struct {
	NoticeID   string    `json:"notice_id"`
	CaseID     int64     `json:"case_id"`
	ListingID  string    `json:"listing_id"`
	URL        string    `json:"url"`
	Title      string    `json:"title"`
	SellerID   string    `json:"seller_id"`
	CaseStatus Status    `json:"case_status"`
	Outcome    Outcome   `json:"outcome"`
	Reason     string    `json:"reason"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// AddNotice records a notice built from the given cases and moves each of
// them to in_notice, all in one transaction: if one case may not move (it
// was dismissed meanwhile, say), nothing is recorded and the error names it.
func (s *Store) AddNotice(ctx context.Context, n *Notice, caseIDs []int64) error {
	if strings.TrimSpace(n.CreatedBy) == "" {
		return errors.New("a notice needs the name of who sends it")
	}
	if len(caseIDs) == 0 {
		return fmt.Errorf("notice %s lists no cases", n.ID)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := now()
	if _, err := tx.ExecContext(ctx, `INSERT INTO notices (id, brand_id, marketplace, part, parts, created_at, created_by, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.BrandID, n.Marketplace, n.Part, n.Parts, at, n.CreatedBy, string(n.Body)); err != nil {
		return fmt.Errorf("record notice %s: %w", n.ID, err)
	}
	for _, id := range caseIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notice_items (notice_id, case_id, updated_at) VALUES (?, ?, ?)`, n.ID, id, at); err != nil {
			return fmt.Errorf("record notice %s, case %d: %w", n.ID, id, err)
		}
		if err := move(ctx, tx, id, InNotice, n.CreatedBy, "notice "+n.ID); err != nil {
			return err
		}
	}
	return tx.Commit()
}

const noticeColumns = `n.id, n.brand_id, n.marketplace, n.part, n.parts, n.created_at, n.created_by, n.submitted_at, n.body`

func scanNotice(row interface{ Scan(...any) error }) (*Notice, error) {
	var n Notice
	var created, submitted, body string
	if err := row.Scan(&n.ID, &n.BrandID, &n.Marketplace, &n.Part, &n.Parts, &created, &n.CreatedBy, &submitted, &body); err != nil {
		return nil, err
	}
	n.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	n.SubmittedAt, _ = time.Parse(time.RFC3339Nano, submitted)
	n.Body = json.RawMessage(body)
	n.Outcomes = map[Outcome]int{}
	return &n, nil
}

// Notices lists the notices of a brand ("" for every brand of the scope),
// newest first, with their outcome counts.
func (s *Store) Notices(ctx context.Context, brandID string, sc Scope) ([]*Notice, error) {
	cond, scArgs := sc.where("n.brand_id")
	rows, err := s.db.QueryContext(ctx, `SELECT `+noticeColumns+` FROM notices n WHERE (? = '' OR n.brand_id = ?) AND `+cond+` ORDER BY n.created_at DESC, n.id`,
		append([]any{brandID, brandID}, scArgs...)...)
	if err != nil {
		return nil, err
	}
	var out []*Notice
	byID := map[string]*Notice{}
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, n)
		byID[n.ID] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	counts, err := s.db.QueryContext(ctx, `SELECT i.notice_id, i.outcome, count(*) FROM notice_items i JOIN notices n ON n.id = i.notice_id
		WHERE (? = '' OR n.brand_id = ?) AND `+cond+` GROUP BY i.notice_id, i.outcome`, append([]any{brandID, brandID}, scArgs...)...)
	if err != nil {
		return nil, err
	}
	defer counts.Close()
	for counts.Next() {
		var id string
		var o Outcome
		var k int
		if err := counts.Scan(&id, &o, &k); err != nil {
			return nil, err
		}
		if n := byID[id]; n != nil {
			n.Outcomes[o] = k
		}
	}
	return out, counts.Err()
}

// Notice returns one notice with its listings.
func (s *Store) Notice(ctx context.Context, id string) (*Notice, error) {
	n, err := scanNotice(s.db.QueryRowContext(ctx, `SELECT `+noticeColumns+` FROM notices n WHERE n.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("notice %q: %w", id, ErrNoticeNotFound)
	}
	if err != nil {
		return nil, err
	}
	if n.Items, err = s.noticeItems(ctx, `i.notice_id = ?`, id); err != nil {
		return nil, err
	}
	for _, it := range n.Items {
		n.Outcomes[it.Outcome]++
	}
	return n, nil
}

// NoticeBrand returns the brand a notice is for, for access checks.
func (s *Store) NoticeBrand(ctx context.Context, id string) (string, error) {
	var b string
	err := s.db.QueryRowContext(ctx, `SELECT brand_id FROM notices WHERE id = ?`, id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("notice %q: %w", id, ErrNoticeNotFound)
	}
	return b, err
}

// CaseNotices lists the notices a case was sent in, with its outcome in
// each.
func (s *Store) CaseNotices(ctx context.Context, caseID int64) ([]NoticeItem, error) {
	return s.noticeItems(ctx, `i.case_id = ?`, caseID)
}

func (s *Store) noticeItems(ctx context.Context, where string, arg any) ([]NoticeItem, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT i.notice_id, i.case_id, c.listing_id, c.url, c.title, c.seller_id, c.status, i.outcome, i.reason, i.updated_at
		FROM notice_items i JOIN cases c ON c.id = i.case_id WHERE `+where+` ORDER BY i.notice_id, i.case_id`, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []NoticeItem
	for rows.Next() {
		var it NoticeItem
		var at string
		if err := rows.Scan(&it.NoticeID, &it.CaseID, &it.ListingID, &it.URL, &it.Title, &it.SellerID, &it.CaseStatus, &it.Outcome, &it.Reason, &at); err != nil {
			return nil, err
		}
		it.UpdatedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, it)
	}
	return out, rows.Err()
}

// SubmitNotice marks a notice sent: its pending listings become submitted.
// Marking it again changes nothing.
func (s *Store) SubmitNotice(ctx context.Context, id, actor string) error {
	if strings.TrimSpace(actor) == "" {
		return errors.New("marking a notice sent needs an actor")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := submit(ctx, tx, id, actor); err != nil {
		return err
	}
	return tx.Commit()
}

func submit(ctx context.Context, tx *sql.Tx, id, actor string) error {
	var submitted string
	if err := tx.QueryRowContext(ctx, `SELECT submitted_at FROM notices WHERE id = ?`, id).Scan(&submitted); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("notice %q: %w", id, ErrNoticeNotFound)
		}
		return err
	}
	if submitted != "" {
		return nil
	}
	at := now()
	if _, err := tx.ExecContext(ctx, `UPDATE notices SET submitted_at = ? WHERE id = ?`, at, id); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT case_id FROM notice_items WHERE notice_id = ? AND outcome = ?`, id, string(Pending))
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, c)
	}
	rows.Close()
	if _, err := tx.ExecContext(ctx, `UPDATE notice_items SET outcome = ?, updated_at = ? WHERE notice_id = ? AND outcome = ?`, string(Submitted), at, id, string(Pending)); err != nil {
		return err
	}
	for _, c := range ids {
		if err := event(ctx, tx, c, actor, "notice", InNotice, InNotice, "notice "+id+" submitted"); err != nil {
			return err
		}
	}
	return nil
}

// SetOutcome records what became of one listing of a notice and moves its
// case to match (removed, rejected, counter_noticed, reinstated), under the
// case workflow's rules. An outcome for a notice not yet marked sent marks
// it sent first.
func (s *Store) SetOutcome(ctx context.Context, noticeID string, caseID int64, o Outcome, actor, reason string) error {
	if strings.TrimSpace(actor) == "" {
		return errors.New("an outcome needs an actor")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var cur Outcome
	err = tx.QueryRowContext(ctx, `SELECT outcome FROM notice_items WHERE notice_id = ? AND case_id = ?`, noticeID, caseID).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("notice %q has no case %d: %w", noticeID, caseID, ErrNoticeNotFound)
	}
	if err != nil {
		return err
	}
	if err := submit(ctx, tx, noticeID, actor); err != nil {
		return err
	}
	if o == Submitted {
		return tx.Commit() // marking the notice sent was all there was to do
	}
	why := "notice " + noticeID
	if reason != "" {
		why += ": " + reason
	}
	if err := move(ctx, tx, caseID, outcomeStatus[o], actor, why); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE notice_items SET outcome = ?, reason = ?, updated_at = ? WHERE notice_id = ? AND case_id = ?`,
		string(o), reason, now(), noticeID, caseID); err != nil {
		return err
	}
	return tx.Commit()
}

// ReadyGroup counts the confirmed cases of one brand on one marketplace:
// what one notice (or one split into parts) can be built from.
type ReadyGroup struct {
	BrandID     string `json:"brand_id"`
	Marketplace string `json:"marketplace"`
	Confirmed   int    `json:"confirmed"`
}

// Ready lists the confirmed cases of the scope's brands not yet in a
// notice, by brand and marketplace.
func (s *Store) Ready(ctx context.Context, sc Scope) ([]ReadyGroup, error) {
	cond, args := sc.where("brand_id")
	rows, err := s.db.QueryContext(ctx, `SELECT brand_id, marketplace, count(*) FROM cases WHERE status = ? AND `+cond+` GROUP BY brand_id, marketplace ORDER BY brand_id, marketplace`,
		append([]any{string(Confirmed)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReadyGroup
	for rows.Next() {
		var g ReadyGroup
		if err := rows.Scan(&g.BrandID, &g.Marketplace, &g.Confirmed); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}
