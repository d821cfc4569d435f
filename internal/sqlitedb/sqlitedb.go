// Package sqlitedb opens the reporter's SQLite database file as every store
// in it needs it, and brings a store's tables up to date from its embedded,
// numbered migrations. The stores sharing the file (package casestore's
// cases, package account's accounts) each open their own connection and
// count their migrations in a table of their own, so each numbers its
// migrations independently; what the tables hold is theirs.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Options say how a store's connection waits for others; the zero value is
// what the reporter uses.
type Options struct {
	// BusyTimeout is how long a statement waits for another connection's
	// write lock before failing as busy (IsBusy); 0 means 10 s. Tests that
	// hold the lock on purpose set it shorter.
	BusyTimeout time.Duration
}

func (o *Options) validate() error {
	if o.BusyTimeout < 0 {
		return fmt.Errorf("busy timeout %s is negative", o.BusyTimeout)
	}
	if o.BusyTimeout == 0 {
		o.BusyTimeout = 10 * time.Second
	}
	return nil
}

// Open opens (creating if needed) the database at dbPath and applies the
// migrations in fsys ("NNNN_name.sql" files, in number order, each in its
// own transaction) that versionTable does not list yet.
//
// WAL lets the UI read while cases are written; synchronous=FULL makes a
// commit survive a power cut, which is what lets the reporter commit its
// Kafka offsets right after storing. Transactions take the write lock when
// they begin (_txlock=immediate): with several connections writing one
// file, a transaction that began by reading and writes after another
// connection wrote gets "database is locked" at once, where one that waits
// for the lock gets the busy timeout. One connection per store keeps the
// pragmas in force for every statement, and SQLite has one writer at a
// time anyway.
func Open(ctx context.Context, dbPath string, fsys fs.FS, versionTable string, opts Options) (*sql.DB, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("open %s: %w", dbPath, err)
	}
	dsn := "file:" + dbPath + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(ON)" +
		"&_pragma=busy_timeout(" + strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10) + ")&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dbPath, err)
	}
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db, fsys, versionTable); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", dbPath, err)
	}
	return db, nil
}

func migrate(ctx context.Context, db *sql.DB, fsys fs.FS, versionTable string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+versionTable+` (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return err
	}
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return err
	}
	slices.Sort(files)
	for _, f := range files {
		version, err := strconv.Atoi(strings.SplitN(path.Base(f), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", f)
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+versionTable+` WHERE version = ?`, version).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return err
		}
		if err := apply(ctx, db, string(body), versionTable, version); err != nil {
			return fmt.Errorf("migration %s: %w", f, err)
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, body, versionTable string, version int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+versionTable+` (version, applied_at) VALUES (?, ?)`, version, time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return err
	}
	return tx.Commit()
}

// Version is the newest migration versionTable lists.
func Version(ctx context.Context, db *sql.DB, versionTable string) (int, error) {
	var v sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT max(version) FROM `+versionTable).Scan(&v)
	return int(v.Int64), err
}

// IsBusy reports whether err is SQLite's "database is locked": another
// connection held the write lock for longer than the busy timeout. The
// same work may succeed when tried again.
func IsBusy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff // the primary code of an extended one
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}
