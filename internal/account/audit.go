package account

import (
	"context"
	"database/sql"
	"time"
)

// Audited actions.
const (
	ActionLogin         = "login"
	ActionLoginFailed   = "login_failed"
	ActionLoginLimited  = "login_limited"
	ActionLogout        = "logout"
	ActionUserAdd       = "user_add"
	ActionUserPasswd    = "user_passwd"
	ActionUserDisable   = "user_disable"
	ActionUserEnable    = "user_enable"
	ActionUserGrant     = "user_grant"
	ActionUserUngrant   = "user_ungrant"
	ActionTokenAdd      = "token_add"
	ActionTokenRevoke   = "token_revoke"
	ActionDecision      = "decision"
	ActionNoticeBuild   = "notice_build"
	ActionNoticeSubmit  = "notice_submit"
	ActionNoticeOutcome = "notice_outcome"
	ActionBrandRegister = "brand_register"
)

// DecisionDetail is the detail of a decision's entry, the same from the UI,
// the API and the command line: "to STATUS (why): reason", the parts
// after the status only when given.
func DecisionDetail(to, why, reason string) string {
	detail := "to " + to
	if why != "" {
		detail += " (" + why + ")"
	}
	if reason != "" {
		detail += ": " + reason
	}
	return detail
}

// Entry is one line of the audit log.
type Entry struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail"`
	// Addr is the client's address, for what came over HTTP.
	Addr string `json:"addr,omitempty"`
}

type execer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

func (s *Store) audit(ctx context.Context, x execer, e Entry) error {
	_, err := x.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, subject, detail, addr) VALUES (?, ?, ?, ?, ?, ?)`,
		s.stamp(), e.Actor, e.Action, e.Subject, e.Detail, e.Addr)
	return err
}

// Record adds an entry to the audit log (its time is now).
func (s *Store) Record(ctx context.Context, e Entry) error { return s.audit(ctx, s.db, e) }

// Audit returns the newest entries of the audit log, newest first; limit
// <= 0 means 1000.
func (s *Store) Audit(ctx context.Context, limit int) ([]Entry, error) {
	if limit <= 0 {
		limit = 1000
	}
	rows, err := s.db.QueryContext(ctx, `SELECT at, actor, action, subject, detail, addr FROM audit_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at string
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.Addr); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, e)
	}
	return out, rows.Err()
}
