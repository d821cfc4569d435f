package casestore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/stream"
)

// TestConcurrentWriters stores cases while another connection to the same
// file (as the reporter's account tables have: sessions, token use, the
// audit log) keeps writing and reading in autocommit statements: every Put
// succeeds, none gets "database is locked". Put's transaction reads (is
// the case known?) before it writes; a transaction begun as a reader and
// upgraded to a writer after the other connection wrote gets SQLITE_BUSY
// at once, without waiting for the busy timeout; the store's transactions
// take the write lock when they begin (_txlock=immediate), so they wait
// instead.
func TestConcurrentWriters(t *testing.T) {
	s, path := openTest(t)
	ctx := context.Background()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	if _, err := other.Exec(`CREATE TABLE IF NOT EXISTS other_writer (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var otherErr error
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
			if _, err := other.Exec(`INSERT INTO other_writer (n) VALUES (?)`, i); err != nil {
				otherErr = err
				return
			}
			// The cases are read between writes, as the UI does.
			var n int
			if err := other.QueryRow(`SELECT count(*) FROM cases`).Scan(&n); err != nil {
				otherErr = err
				return
			}
		}
	})
	deadline := time.Now().Add(2 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		var batch []*stream.Candidate
		for j := range 20 {
			batch = append(batch, cand(fmt.Sprintf("mp-%d-%d", i, j), "fullips", "h", 0.9))
		}
		if _, err := s.Put(ctx, batch); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	close(stop)
	wg.Wait()
	if otherErr != nil {
		t.Fatalf("the other writer: %v", otherErr)
	}
}
