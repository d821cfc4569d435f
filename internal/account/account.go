// Package account holds who may use the reporter's UI and API: accounts
// with a role (admin, analyst, brand owner) and the brands an owner owns,
// argon2id password hashes, browser sessions, API tokens, the audit log of
// logins, decisions, notices and account changes, and a login rate limiter.
// Its tables live in the reporter's case database, migrated by their own
// numbered SQL files. What each role may do on which route is package
// web's; this package only says who someone is.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/assay-dev/assay/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Role is what an account may do.
type Role string

// Roles.
const (
	// Admin may do everything, including reading the audit log.
	Admin Role = "admin"
	// Analyst sees every brand, decides cases and builds notices.
	Analyst Role = "analyst"
	// Owner sees only the brands they own: their cases, notices and
	// statistics; they may register and edit their brands.
	Owner Role = "owner"
)

// Roles lists every role.
var Roles = []Role{Admin, Analyst, Owner}

// ParseRole reads a role's name.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if err := r.check(); err != nil {
		return "", err
	}
	return r, nil
}

// check refuses a role that is none of Roles.
func (r Role) check() error {
	if !slices.Contains(Roles, r) {
		return invalid("unknown role %q (known: admin, analyst, owner)", r)
	}
	return nil
}

// Errors.
var (
	// ErrNoUser: no account of that name.
	ErrNoUser = errors.New("no such account")
	// ErrExists: the name is taken.
	ErrExists = errors.New("already exists")
	// ErrBadCredentials covers a wrong name, a wrong password and a disabled
	// account alike, so a login answer tells an attacker nothing.
	ErrBadCredentials = errors.New("wrong name or password")
	// ErrNoSession: the session or token is unknown, expired, revoked or its
	// account disabled.
	ErrNoSession = errors.New("not signed in")
	// ErrNoToken: no API token of that name.
	ErrNoToken = errors.New("no such API token")
	// ErrInvalid: the input itself is wrong (a malformed name or brand id,
	// an unknown role, a password too short or too long, brands for an
	// account that cannot own any), as the message says; the same input
	// will never do.
	ErrInvalid = errors.New("invalid input")
)

// invalidError is a refusal of bad input: its message says what was
// wrong, and it is ErrInvalid.
type invalidError string

func (e invalidError) Error() string        { return string(e) }
func (e invalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(format string, args ...any) error {
	return invalidError(fmt.Sprintf(format, args...))
}

// User is an account.
type User struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	Role     Role      `json:"role"`
	Brands   []string  `json:"brands"`
	Disabled bool      `json:"disabled"`
	Created  time.Time `json:"created_at"`
}

// Staff reports whether the account sees every brand (admins and
// analysts).
func (u *User) Staff() bool { return u.Role == Admin || u.Role == Analyst }

// Owns reports whether the account owns a brand.
func (u *User) Owns(brandID string) bool { return slices.Contains(u.Brands, brandID) }

// Store is the account tables of an open case database. It is safe for
// concurrent use.
type Store struct {
	db    *sql.DB
	now   func() time.Time
	dummy struct {
		once sync.Once
		hash string
	}
}

// SessionTTL is how long a browser session lasts after login.
const SessionTTL = 12 * time.Hour

// Open opens the account tables in the SQLite database at dbPath (the
// reporter's case database), creating and migrating them as needed. Their
// migrations are counted in account_migrations, apart from the case
// store's, so the two sets number independently.
func Open(ctx context.Context, dbPath string) (*Store, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	db, err := sqlitedb.Open(ctx, dbPath, fsys, "account_migrations", sqlitedb.Options{})
	if err != nil {
		return nil, fmt.Errorf("account tables: %w", err)
	}
	return &Store{db: db, now: func() time.Time { return time.Now().UTC() }}, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

func (s *Store) stamp() string { return s.now().Format(time.RFC3339Nano) }

var (
	nameRE  = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._@-]{0,63}$`)
	brandRE = regexp.MustCompile(`^[a-z0-9-]+$`)
)

func checkName(what, name string) error {
	if !nameRE.MatchString(name) {
		return invalid("%s name %q: letters, digits, '.', '_', '@', '-', starting with a letter or digit, at most 64", what, name)
	}
	return nil
}

func checkBrands(role Role, brands []string) error {
	if role != Owner && len(brands) > 0 {
		return invalid("brands are owned by owner accounts only; a %s sees every brand", role)
	}
	for _, b := range brands {
		if !brandRE.MatchString(b) {
			return invalid("brand id %q must match [a-z0-9-]+", b)
		}
	}
	return nil
}

// AddUser creates an account; actor is who did it, for the audit log.
func (s *Store) AddUser(ctx context.Context, name string, role Role, password string, brands []string, actor string) (*User, error) {
	if err := checkName("account", name); err != nil {
		return nil, err
	}
	if err := role.check(); err != nil {
		return nil, err
	}
	if err := checkBrands(role, brands); err != nil {
		return nil, err
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	at := s.stamp()
	res, err := tx.ExecContext(ctx, `INSERT INTO users (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		name, string(role), hash, at, at)
	if err != nil {
		return nil, fmt.Errorf("add account %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("account %q: %w", name, ErrExists)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	for _, b := range brands {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO user_brands (user_id, brand_id) VALUES (?, ?)`, id, b); err != nil {
			return nil, err
		}
	}
	detail := "role " + string(role)
	if len(brands) > 0 {
		detail += ", brands " + strings.Join(brands, ",")
	}
	if err := s.audit(ctx, tx, Entry{Actor: actor, Action: ActionUserAdd, Subject: name, Detail: detail}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return s.User(ctx, name)
}

// userID finds an account's id within a transaction.
func userID(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE name = ?`, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("account %q: %w", name, ErrNoUser)
	}
	return id, err
}

// change runs one account change and its audit entry in a transaction.
func (s *Store) change(ctx context.Context, name string, e Entry, f func(tx *sql.Tx, id int64) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	id, err := userID(ctx, tx, name)
	if err != nil {
		return err
	}
	if err := f(tx, id); err != nil {
		return err
	}
	e.Subject = name
	if err := s.audit(ctx, tx, e); err != nil {
		return err
	}
	return tx.Commit()
}

// SetPassword changes an account's password and ends its sessions.
func (s *Store) SetPassword(ctx context.Context, name, password, actor string) error {
	if err := checkPassword(password); err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.change(ctx, name, Entry{Actor: actor, Action: ActionUserPasswd}, func(tx *sql.Tx, id int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, s.stamp(), id); err != nil {
			return err
		}
		return endSessions(ctx, tx, id)
	})
}

// SetDisabled disables an account, ending its sessions and refusing its
// API tokens, or enables it again.
func (s *Store) SetDisabled(ctx context.Context, name string, disabled bool, actor string) error {
	action := ActionUserEnable
	if disabled {
		action = ActionUserDisable
	}
	return s.change(ctx, name, Entry{Actor: actor, Action: action}, func(tx *sql.Tx, id int64) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?`, disabled, s.stamp(), id); err != nil {
			return err
		}
		return endSessions(ctx, tx, id)
	})
}

// endSessions ends an account's browser sessions: they were begun under
// the password or standing the account had before this change.
func endSessions(ctx context.Context, tx *sql.Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
	return err
}

// Grant makes an owner account the owner of a brand.
func (s *Store) Grant(ctx context.Context, name, brandID, actor string) error {
	return s.change(ctx, name, Entry{Actor: actor, Action: ActionUserGrant, Detail: "brand " + brandID}, func(tx *sql.Tx, id int64) error {
		var role Role
		if err := tx.QueryRowContext(ctx, `SELECT role FROM users WHERE id = ?`, id).Scan(&role); err != nil {
			return err
		}
		if err := checkBrands(role, []string{brandID}); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO user_brands (user_id, brand_id) VALUES (?, ?)`, id, brandID)
		return err
	})
}

// Ungrant takes a brand from an owner account.
func (s *Store) Ungrant(ctx context.Context, name, brandID, actor string) error {
	return s.change(ctx, name, Entry{Actor: actor, Action: ActionUserUngrant, Detail: "brand " + brandID}, func(tx *sql.Tx, id int64) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_brands WHERE user_id = ? AND brand_id = ?`, id, brandID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("account %q does not own brand %q", name, brandID)
		}
		return nil
	})
}

// BrandOwners lists the accounts owning a brand.
func (s *Store) BrandOwners(ctx context.Context, brandID string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.name FROM user_brands b JOIN users u ON u.id = b.user_id WHERE b.brand_id = ? ORDER BY u.name`, brandID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// userColumns are the columns scanUser reads, of the users table as the
// query names it: users u.
const userColumns = `u.id, u.name, u.role, u.disabled, u.created_at`

// scanUser reads a row that starts with userColumns, and the columns
// after them into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*User, error) {
	var u User
	var created string
	if err := row.Scan(append([]any{&u.ID, &u.Name, &u.Role, &u.Disabled, &created}, extra...)...); err != nil {
		return nil, err
	}
	u.Created, _ = time.Parse(time.RFC3339Nano, created)
	return &u, nil
}

// fillBrands reads the brands of accounts.
func (s *Store) fillBrands(ctx context.Context, users ...*User) error {
	for _, u := range users {
		rows, err := s.db.QueryContext(ctx, `SELECT brand_id FROM user_brands WHERE user_id = ? ORDER BY brand_id`, u.ID)
		if err != nil {
			return err
		}
		u.Brands = []string{}
		for rows.Next() {
			var b string
			if err := rows.Scan(&b); err != nil {
				rows.Close()
				return err
			}
			u.Brands = append(u.Brands, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// User returns an account by name.
func (s *Store) User(ctx context.Context, name string) (*User, error) {
	u, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u WHERE u.name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("account %q: %w", name, ErrNoUser)
	}
	if err != nil {
		return nil, err
	}
	return u, s.fillBrands(ctx, u)
}

// Users lists every account by name.
func (s *Store) Users(ctx context.Context) ([]*User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users u ORDER BY u.name`)
	if err != nil {
		return nil, err
	}
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, s.fillBrands(ctx, out...)
}

// CountAdmins counts the enabled admin accounts (none means nobody can
// manage the reporter from the UI yet: the operator must add one).
func (s *Store) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&n)
	return n, err
}

// Authenticate checks a name and password. A wrong name, a wrong password
// and a disabled account all return ErrBadCredentials after the same
// amount of hashing, so the answer and its timing say nothing of which.
func (s *Store) Authenticate(ctx context.Context, name, password string) (*User, error) {
	var id int64
	var hash string
	var disabled bool
	err := s.db.QueryRowContext(ctx, `SELECT id, password_hash, disabled FROM users WHERE name = ?`, name).Scan(&id, &hash, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		s.dummy.once.Do(func() { s.dummy.hash, _ = hashPassword("not anybody's password") })
		_, _ = verifyPassword(s.dummy.hash, password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := verifyPassword(hash, password)
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", name, err)
	}
	if !ok || disabled {
		return nil, ErrBadCredentials
	}
	return s.User(ctx, name)
}

// secret makes a high-entropy random secret (256 bits) with a prefix that
// says what it is.
func secret(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// digest is how secrets are kept at rest: a plain SHA-256 suffices for
// 256-bit random values, which no dictionary guesses.
func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
