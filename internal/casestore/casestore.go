// Package casestore keeps the cases analysts work on in an embedded SQLite
// database (modernc.org/sqlite: pure Go, so the reporter builds without cgo
// on any machine): one case per flagged (listing, brand), the listing as it
// was when flagged, the status workflow and its audit trail. Schema changes
// are numbered migrations embedded in the binary. Consuming candidates from
// Kafka and serving the UI are left to the reporter.
package casestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/assay-dev/assay/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is an open case database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

// Open opens (creating if needed) the database at path and brings its
// schema up to date (package sqlitedb says how the file is opened).
func Open(ctx context.Context, dbPath string) (*Store, error) {
	return OpenWith(ctx, dbPath, sqlitedb.Options{})
}

// OpenWith is Open with the connection's options (how long it waits for
// another writer's lock) set.
func OpenWith(ctx context.Context, dbPath string, opts sqlitedb.Options) (*Store, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	db, err := sqlitedb.Open(ctx, dbPath, fsys, "schema_migrations", opts)
	if err != nil {
		return nil, fmt.Errorf("case database: %w", err)
	}
	return &Store{db: db}, nil
}

// IsBusy reports whether err is SQLite's "database is locked": another
// writer held the file longer than the busy timeout, and the same work may
// succeed when tried again.
func IsBusy(err error) bool { return sqlitedb.IsBusy(err) }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SchemaVersion is the newest migration applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return sqlitedb.Version(ctx, s.db, "schema_migrations")
}

// IntegrityCheck runs SQLite's integrity check.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var res string
	if err := s.db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return errors.New("integrity check: " + res)
	}
	return nil
}

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }
