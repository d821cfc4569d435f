package casestore

import (
	"context"
	"database/sql"
	"fmt"
)

// Tallies is the whole case database in figures, for the reporter's
// Prometheus metrics. Everything is derived from the tables at the time of
// the call, so the figures survive restarts and include changes made by any
// process (the UI, reporter move, reporter notice). The counts taken from
// the append-only audit trail and from notices never decrease.
type Tallies struct {
	// Brands has every brand with at least one case.
	Brands map[string]*BrandTally
	// DecisionSeconds holds, per decided case, the time from its first flag
	// to its first decision (new to confirmed or dismissed).
	DecisionSeconds []float64
	// TakedownSeconds holds, per removed case, the time from its first
	// flag to its first move to removed.
	TakedownSeconds []float64
	// RepeatInfringers counts the sellers with at least strikes upheld
	// cases, as SellerReport.RepeatOffender decides for one seller.
	RepeatInfringers int
}

// BrandTally is one brand's figures. Every map has every key, zero or not,
// so that a series does not vanish when its count drops to zero.
type BrandTally struct {
	// Cases counts the cases in each status.
	Cases map[Status]int
	// Decisions counts the audited moves from new to Confirmed and to
	// Dismissed; a case reopened and decided again counts twice.
	Decisions map[Status]int
	// Notices counts the takedown notices recorded.
	Notices int
	// Outcomes counts the listings of submitted notices (Submitted) and
	// the audited moves into removed, rejected, counter_noticed and
	// reinstated (whether entered as a notice outcome or by reporter move).
	Outcomes map[Outcome]int
	// Relistings counts the cases recorded as re-listing a confirmed case.
	Relistings int
}

// Acceptance is the share of the brand's decided cases that analysts
// upheld (whatever happened to them after), and false while none is decided.
func (b *BrandTally) Acceptance() (float64, bool) { return acceptance(b.Cases) }

// acceptance is the share of upheld cases among the decided ones of counts
// (cases by status), and false while none is decided.
func acceptance(counts map[Status]int) (float64, bool) {
	up := 0
	for _, st := range upheld {
		up += counts[st]
	}
	decided := up + counts[Dismissed]
	if decided == 0 {
		return 0, false
	}
	return float64(up) / float64(decided), true
}

// Ping checks that the database can be read, for readiness probes.
func (s *Store) Ping(ctx context.Context) error {
	if _, err := s.SchemaVersion(ctx); err != nil {
		return fmt.Errorf("read case database: %w", err)
	}
	return nil
}

// Tallies counts the case database in one read transaction, so the figures
// agree with one another; strikes upheld cases make a repeat infringer (0
// means DefaultStrikes). The audit trail has no index on its action and two
// queries scan it; at 20,000 cases the whole call takes about 65 ms
// (BenchmarkTallies), which is why the reporter caches its result.
func (s *Store) Tallies(ctx context.Context, strikes int) (*Tallies, error) {
	if strikes <= 0 {
		strikes = DefaultStrikes
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("tally cases: %w", err)
	}
	defer tx.Rollback() // read only: nothing to commit
	t := &Tallies{Brands: map[string]*BrandTally{}}
	for _, step := range []struct {
		what string
		run  func(context.Context, *sql.Tx, *Tallies) error
	}{
		{"cases", tallyCases},
		{"events", tallyEvents},
		{"durations", tallyDurations},
		{"notices", tallyNotices},
	} {
		if err := step.run(ctx, tx, t); err != nil {
			return nil, fmt.Errorf("tally %s: %w", step.what, err)
		}
	}
	err = tx.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM cases WHERE status IN (`+placeholders(len(upheld))+`)
		GROUP BY seller_id HAVING count(*) >= ?)`, append(statusArgs(upheld), strikes)...).Scan(&t.RepeatInfringers)
	if err != nil {
		return nil, fmt.Errorf("tally repeat infringers: %w", err)
	}
	return t, nil
}

// brand returns a brand's tally, adding it with every key at zero.
func (t *Tallies) brand(id string) *BrandTally {
	if b := t.Brands[id]; b != nil {
		return b
	}
	b := &BrandTally{Cases: map[Status]int{}, Decisions: map[Status]int{Confirmed: 0, Dismissed: 0}, Outcomes: map[Outcome]int{}}
	for _, st := range statusNames() {
		b.Cases[Status(st)] = 0
	}
	for _, o := range Outcomes {
		b.Outcomes[o] = 0
	}
	t.Brands[id] = b
	return b
}

// eachRow runs q and hands each row to scan.
func eachRow(ctx context.Context, tx *sql.Tx, q string, args []any, scan func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// tallyCases reads the index on (brand_id, status) alone.
func tallyCases(ctx context.Context, tx *sql.Tx, t *Tallies) error {
	return eachRow(ctx, tx, `SELECT brand_id, status, count(*) FROM cases GROUP BY brand_id, status`, nil, func(r *sql.Rows) error {
		var brand string
		var st Status
		var n int
		if err := r.Scan(&brand, &st, &n); err != nil {
			return err
		}
		t.brand(brand).Cases[st] = n
		return nil
	})
}

// tallyEvents counts from the audit trail decisions and takedown outcomes,
// which are status events (decisions leave new, outcomes enter the status
// their notice outcome puts a case in), and re-listings: Put records a
// relisting event exactly when it sets a case's relisting_of, and counting
// the events here rides on this one scan of the trail, where counting the
// column would read every case row.
func tallyEvents(ctx context.Context, tx *sql.Tx, t *Tallies) error {
	byStatus := map[Status]Outcome{}
	for o, st := range outcomeStatus {
		byStatus[st] = o
	}
	after := make([]Status, 0, len(byStatus))
	for st := range byStatus {
		after = append(after, st)
	}
	args := append([]any{string(New)}, statusArgs(after)...)
	return eachRow(ctx, tx, `SELECT c.brand_id, e.action, e.from_status, e.to_status, count(*) FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE (e.action = 'status' AND (e.from_status = ? OR e.to_status IN (`+placeholders(len(after))+`))) OR e.action = 'relisting'
		GROUP BY c.brand_id, e.action, e.from_status, e.to_status`, args, func(r *sql.Rows) error {
		var brand, action string
		var from, to Status
		var n int
		if err := r.Scan(&brand, &action, &from, &to, &n); err != nil {
			return err
		}
		b := t.brand(brand)
		switch o, ok := byStatus[to]; {
		case action == "relisting":
			b.Relistings += n
		case ok:
			b.Outcomes[o] += n
		case from == New && (to == Confirmed || to == Dismissed):
			b.Decisions[to] += n
		}
		return nil
	})
}

// tallyDurations measures, per case, from its first flag to its first
// decision and to its first removal. Times are compared as numbers: the
// RFC 3339 strings with trimmed fractions do not sort as text. A case
// whose first flag is later than the event (the matcher's clock ahead of
// the reporter's) has no meaningful duration and is left out, as the brand
// page's medians leave it out.
func tallyDurations(ctx context.Context, tx *sql.Tx, t *Tallies) error {
	return eachRow(ctx, tx, `SELECT
			min(CASE WHEN e.from_status = ? THEN unixepoch(e.at, 'subsec') END) - unixepoch(c.first_seen, 'subsec'),
			min(CASE WHEN e.to_status = ? THEN unixepoch(e.at, 'subsec') END) - unixepoch(c.first_seen, 'subsec')
		FROM case_events e JOIN cases c ON c.id = e.case_id
		WHERE e.action = 'status' AND (e.from_status = ? OR e.to_status = ?)
		GROUP BY e.case_id`, []any{string(New), string(Removed), string(New), string(Removed)}, func(r *sql.Rows) error {
		var decision, takedown sql.NullFloat64
		if err := r.Scan(&decision, &takedown); err != nil {
			return err
		}
		if decision.Valid && decision.Float64 >= 0 {
			t.DecisionSeconds = append(t.DecisionSeconds, decision.Float64)
		}
		if takedown.Valid && takedown.Float64 >= 0 {
			t.TakedownSeconds = append(t.TakedownSeconds, takedown.Float64)
		}
		return nil
	})
}

// tallyNotices counts notices and, as submitted outcomes, the listings of
// those marked sent. A notice's listings are fixed when it is recorded and
// its submitted_at is set once, so the count never decreases; counting the
// items whose outcome is no longer pending gives the same number (submit
// flips them all at once) but rests on a column that keeps changing.
func tallyNotices(ctx context.Context, tx *sql.Tx, t *Tallies) error {
	return eachRow(ctx, tx, `SELECT n.brand_id, count(*),
			coalesce(sum(CASE WHEN n.submitted_at != '' THEN (SELECT count(*) FROM notice_items i WHERE i.notice_id = n.id) END), 0)
		FROM notices n GROUP BY n.brand_id`, nil, func(r *sql.Rows) error {
		var brand string
		var notices, submitted int
		if err := r.Scan(&brand, &notices, &submitted); err != nil {
			return err
		}
		b := t.brand(brand)
		b.Notices = notices
		b.Outcomes[Submitted] = submitted
		return nil
	})
}
