package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestOpen: two stores migrate one file, each counting its migrations in
// its own table; opening again applies nothing twice; a new migration is
// applied once; a misnamed or failing migration is refused by name.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	cases := fstest.MapFS{
		"0001_cases.sql": {Data: []byte(`CREATE TABLE cases (id INTEGER PRIMARY KEY);`)},
		"0002_more.sql":  {Data: []byte(`ALTER TABLE cases ADD COLUMN brand TEXT;`)},
	}
	accounts := fstest.MapFS{"0001_users.sql": {Data: []byte(`CREATE TABLE users (id INTEGER PRIMARY KEY);`)}}
	for round := range 2 {
		for _, st := range []struct {
			fsys  fstest.MapFS
			table string
			want  int
		}{{cases, "schema_migrations", 2}, {accounts, "account_migrations", 1}} {
			db, err := Open(ctx, path, st.fsys, st.table, Options{})
			if err != nil {
				t.Fatalf("round %d, %s: %v", round, st.table, err)
			}
			if v, err := Version(ctx, db, st.table); err != nil || v != st.want {
				t.Errorf("round %d, %s: version %d, %v; want %d", round, st.table, v, err, st.want)
			}
			db.Close()
		}
	}
	accounts["0002_sessions.sql"] = &fstest.MapFile{Data: []byte(`CREATE TABLE sessions (id INTEGER PRIMARY KEY);`)}
	db, err := Open(ctx, path, accounts, "account_migrations", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := Version(ctx, db, "account_migrations"); v != 2 {
		t.Errorf("after a new migration: version %d, want 2", v)
	}
	db.Close()
	for name, body := range map[string]string{"users.sql": "SELECT 1;", "0003_bad.sql": "CREATE TABLE users (id INTEGER);"} {
		_, err := Open(ctx, path, fstest.MapFS{name: {Data: []byte(body)}}, "account_migrations", Options{})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("migration %s: %v, want an error naming it", name, err)
		}
	}
}

// TestIsBusy: a write refused because another connection holds the lock
// is busy, however wrapped; other errors are not.
func TestIsBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := Open(ctx, path, fstest.MapFS{"0001_t.sql": {Data: []byte(`CREATE TABLE t (n INTEGER);`)}}, "m", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holder, err := db.BeginTx(ctx, nil) // takes the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.Exec(`INSERT INTO t (n) VALUES (1)`)
	if err == nil {
		t.Fatal("a second writer got the lock")
	}
	if !IsBusy(err) || !IsBusy(fmt.Errorf("store: %w", err)) {
		t.Errorf("IsBusy(%v) = false", err)
	}
	_, syntax := other.Exec(`INSERT INTO`)
	if IsBusy(syntax) || IsBusy(errors.New("database is locked")) || IsBusy(nil) {
		t.Error("IsBusy true for an error that is not a lock")
	}
}

// TestBusyTimeout: the connection waits as long as Options says, 10 s when
// it says nothing; a negative wait is refused.
func TestBusyTimeout(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "timeout.db")
	fsys := fstest.MapFS{"0001_t.sql": {Data: []byte(`CREATE TABLE t (n INTEGER);`)}}
	for _, tc := range []struct {
		opts Options
		want int
	}{{Options{}, 10000}, {Options{BusyTimeout: 500 * time.Millisecond}, 500}} {
		db, err := Open(ctx, path, fsys, "m", tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		var ms int
		if err := db.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&ms); err != nil || ms != tc.want {
			t.Errorf("%+v: busy_timeout %d ms, %v; want %d", tc.opts, ms, err, tc.want)
		}
		db.Close()
	}
	if _, err := Open(ctx, path, fsys, "m", Options{BusyTimeout: -time.Second}); err == nil || !strings.Contains(err.Error(), "busy timeout") {
		t.Errorf("negative busy timeout: %v, want an error naming it", err)
	}
}
