package account

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Identity is who a request comes from: an account, and how it signed in.
type Identity struct {
	User *User
	// CSRF is the session's form token, which every state-changing form
	// must carry; empty for API tokens, which browsers do not send on
	// their own.
	CSRF string
	// Token names the API token used, if any.
	Token string
}

// NewSession starts a browser session for an account and returns the
// cookie's value and the session's CSRF token; only the cookie's digest
// is stored.
func (s *Store) NewSession(ctx context.Context, userID int64) (cookie, csrf string, err error) {
	cookie, err = secret("")
	if err != nil {
		return "", "", err
	}
	csrf, err = secret("")
	if err != nil {
		return "", "", err
	}
	now := s.now()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		digest(cookie), userID, csrf, now.Format(time.RFC3339Nano), now.Add(SessionTTL).Format(time.RFC3339Nano)); err != nil {
		return "", "", fmt.Errorf("start session: %w", err)
	}
	// Expired sessions are swept as new ones start, so the table stays
	// the size of the live ones.
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now.Format(time.RFC3339Nano)); err != nil {
		return "", "", err
	}
	return cookie, csrf, nil
}

// Session returns who a session cookie belongs to; ErrNoSession when it is
// unknown, expired or its account disabled.
func (s *Store) Session(ctx context.Context, cookie string) (*Identity, error) {
	if cookie == "" {
		return nil, ErrNoSession
	}
	var csrf, expires string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, s.csrf, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND NOT u.disabled`, digest(cookie)), &csrf, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if exp, _ := time.Parse(time.RFC3339Nano, expires); !s.now().Before(exp) {
		return nil, ErrNoSession
	}
	if err := s.fillBrands(ctx, u); err != nil {
		return nil, err
	}
	return &Identity{User: u, CSRF: csrf}, nil
}

// EndSession logs a session out.
func (s *Store) EndSession(ctx context.Context, cookie string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, digest(cookie))
	return err
}

// TokenPrefix starts every API token, so a leaked one is recognisable
// (and secret scanners can be taught it).
const TokenPrefix = "assay_"

// Token is an API token as listed; the secret itself is shown once, when
// made, and never stored.
type Token struct {
	Name     string    `json:"name"`
	User     string    `json:"user"`
	Created  time.Time `json:"created_at"`
	Revoked  time.Time `json:"revoked_at,omitzero"`
	LastUsed time.Time `json:"last_used_at,omitzero"`
}

// AddToken makes an API token for an account and returns its secret.
func (s *Store) AddToken(ctx context.Context, name, user, actor string) (string, error) {
	if err := checkName("token", name); err != nil {
		return "", err
	}
	tok, err := secret(TokenPrefix)
	if err != nil {
		return "", err
	}
	err = s.change(ctx, user, Entry{Actor: actor, Action: ActionTokenAdd, Detail: "token " + name}, func(tx *sql.Tx, id int64) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (name, user_id, token_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
			name, id, digest(tok), s.stamp())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("token %q: %w", name, ErrExists)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// RevokeToken revokes an API token by name; it is refused from then on.
func (s *Store) RevokeToken(ctx context.Context, name, actor string) error {
	var user string
	err := s.db.QueryRowContext(ctx, `SELECT u.name FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.name = ?`, name).Scan(&user)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("token %q: %w", name, ErrNoToken)
	}
	if err != nil {
		return err
	}
	return s.change(ctx, user, Entry{Actor: actor, Action: ActionTokenRevoke, Detail: "token " + name}, func(tx *sql.Tx, _ int64) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at = ''`, s.stamp(), name)
		return err
	})
}

// Tokens lists the API tokens, revoked ones too.
func (s *Store) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT t.name, u.name, t.created_at, t.revoked_at, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var created, revoked, used string
		if err := rows.Scan(&t.Name, &t.User, &created, &revoked, &used); err != nil {
			return nil, err
		}
		t.Created, _ = time.Parse(time.RFC3339Nano, created)
		t.Revoked, _ = time.Parse(time.RFC3339Nano, revoked)
		t.LastUsed, _ = time.Parse(time.RFC3339Nano, used)
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenIdentity returns who an API token belongs to; ErrNoSession when it
// is unknown, revoked or its account disabled.
func (s *Store) TokenIdentity(ctx context.Context, tok string) (*Identity, error) {
	if !strings.HasPrefix(tok, TokenPrefix) {
		return nil, ErrNoSession
	}
	var name, used string
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+`, t.name, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at = '' AND NOT u.disabled`, digest(tok)), &name, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	// Last use is written at most once a minute, so scripts polling the
	// API do not turn every read into a write.
	if last, _ := time.Parse(time.RFC3339Nano, used); s.now().Sub(last) > time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE name = ?`, s.stamp(), name); err != nil {
			return nil, err
		}
	}
	if err := s.fillBrands(ctx, u); err != nil {
		return nil, err
	}
	return &Identity{User: u, Token: name}, nil
}

// SameSecret compares a secret a client sent with the one expected, in
// constant time; an empty secret never matches.
func SameSecret(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
