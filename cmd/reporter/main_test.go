package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/devbroker"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

func TestSummary(t *testing.T) {
	in := `{"listing_id":"a","flagged":true,"brand_id":"fullips","score":0.9,"signals":[{"kind":"text","score":0.75,"evidence":"x"}]}
{"listing_id":"b","flagged":true,"brand_id":"fullips","score":0.7,"signals":[{"kind":"price","score":0.6,"evidence":"x"}]}
{"listing_id":"c","flagged":false,"brand_id":"dyson","score":0.2,"signals":[]}
not a verdict
{"listing_id":"d","flagged":true,"brand_id":"dyson","score":0.95,"signals":[{"kind":"image","score":0.85,"evidence":"x"}]}
`
	var out, errw strings.Builder
	if got := run([]string{"summary"}, strings.NewReader(in), &out, &errw); got != 1 {
		t.Errorf("status %d, want 1 for the unreadable line", got)
	}
	if !strings.Contains(errw.String(), "<stdin>:4: not a verdict") {
		t.Errorf("stderr %q", errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "fullips") || !strings.Contains(lines[1], "2") || !strings.Contains(lines[1], "0.80") || !strings.HasPrefix(lines[2], "dyson") {
		t.Errorf("summary:\n%s", out.String())
	}
}

// oneCase makes a case database holding one new fullips case (case 1) and
// returns its path.
func oneCase(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "cases.db")
	store, err := casestore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	c := &stream.Candidate{
		Verdict: score.Verdict{ListingID: "mp-7", Flagged: true, BrandID: "fullips", Score: 0.93},
		Listing: &listing.Listing{ID: "mp-7", Title: "Fuⅼⅼips gloss", Seller: listing.Seller{ID: "s-42"}}, ContentHash: "h",
	}
	if _, err := store.Put(context.Background(), []*stream.Candidate{c}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	return db
}

func TestCasesAndMove(t *testing.T) {
	db := oneCase(t)
	tests := []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{[]string{"cases", "--db", db}, 0, "mp-7", ""},
		{[]string{"cases", "--db", db, "--status", "bogus"}, 2, "", "unknown status"},
		{[]string{"move", "--db", db, "--actor", "ana", "1", "removed"}, 1, "", "not allowed: from new to removed"},
		{[]string{"move", "--db", db, "--actor", "ana", "--reason", "logo copied", "1", "confirmed"}, 0, "case 1 is now confirmed", ""},
		{[]string{"move", "--db", db, "1", "confirmed"}, 2, "", "Usage"},
		{[]string{"move", "--db", db, "--actor", "ana", "9", "confirmed"}, 1, "", "case not found"},
		{[]string{"move", "--db", db, "--actor", "ana", "--why", "authorized", "1", "in_notice"}, 2, "", "applies to dismissals only"},
		{[]string{"cases", "--db", db, "--status", "confirmed"}, 0, "confirmed", ""},
		{[]string{"audit", "--db", db}, 0, "to confirmed: logo copied (cli:", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errw strings.Builder
			if got := run(tt.args, strings.NewReader(""), &out, &errw); got != tt.status {
				t.Errorf("status %d, want %d (stderr %s)", got, tt.status, errw.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errw.String(), tt.stderr) {
				t.Errorf("stdout %q stderr %q, want %q and %q", out.String(), errw.String(), tt.stdout, tt.stderr)
			}
		})
	}
}

func TestNotice(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "cases.db")
	store, err := casestore.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for i, mp := range []string{"shopnet", "shopnet", "bazaarly"} {
		id := "mp-" + string(rune('a'+i))
		c := &stream.Candidate{
			Verdict: score.Verdict{ListingID: id, Flagged: true, BrandID: "fullips", Score: 0.9,
				Signals: []score.Signal{{Kind: "text", Score: 0.75, Evidence: "title has 'Fuⅼⅼips'"}}},
			Listing: &listing.Listing{ID: id, Title: "Fuⅼⅼips", Marketplace: mp, URL: "https://" + mp + ".example/" + id, Seller: listing.Seller{ID: "s"}}, ContentHash: id,
		}
		if _, err := store.Put(context.Background(), []*stream.Candidate{c}); err != nil {
			t.Fatal(err)
		}
		if err := store.Move(context.Background(), int64(i+1), casestore.Confirmed, "ana", ""); err != nil {
			t.Fatal(err)
		}
	}
	store.Close()
	brands := "../../fixtures/brands.yaml"
	out := filepath.Join(dir, "notices")
	tests := []struct {
		args           []string
		status         int
		stdout, stderr string
	}{
		{[]string{"notice", "--db", db, "--brands", brands, "--brand", "fullips", "--marketplace", "shopnet", "--out", out}, 2, "", "Usage"},
		{[]string{"notice", "--db", db, "--brands", brands, "--brand", "nope", "--marketplace", "shopnet", "--actor", "ana"}, 2, "", `brand "nope" is not in`},
		{[]string{"notice", "--db", db, "--brands", brands, "--brand", "fullips", "--marketplace", "shopnet", "--actor", "ana", "--format", "pdf"}, 2, "", "--format must be"},
		{[]string{"notice", "--db", db, "--brands", brands, "--brand", "fullips", "--marketplace", "shopnet", "--actor", "ana", "--cap", "1", "--format", "csv", "--out", out}, 0, "1 listings", ""},
		{[]string{"notice", "--db", db, "--brands", brands, "--brand", "fullips", "--marketplace", "shopnet", "--actor", "ana", "--out", out}, 1, "", "no confirmed cases of fullips on shopnet"},
		{[]string{"cases", "--db", db, "--status", "in_notice"}, 0, "mp-b", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:min(len(tt.args), 9)], " "), func(t *testing.T) {
			var o, e strings.Builder
			if got := run(tt.args, strings.NewReader(""), &o, &e); got != tt.status {
				t.Errorf("status %d, want %d (stderr %s)", got, tt.status, e.String())
			}
			if !strings.Contains(o.String(), tt.stdout) || !strings.Contains(e.String(), tt.stderr) {
				t.Errorf("stdout %q stderr %q, want %q and %q", o.String(), e.String(), tt.stdout, tt.stderr)
			}
		})
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.csv"))
	if len(files) != 2 {
		t.Errorf("%d CSV notices, want 2 (two shopnet cases, cap 1)", len(files))
	}
}

// TestRunServesOps: reporter run serves the operators' endpoints beside
// the analyst UI on --listen, and /metrics counts the case database.
func TestRunServesOps(t *testing.T) {
	b, err := devbroker.Start(devbroker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	db := oneCase(t)

	var out, errw strings.Builder
	if code := run([]string{"users", "add", "ana", "--role", "analyst", "--db", db}, strings.NewReader("a long test password\n"), &out, &errw); code != 0 {
		t.Fatalf("users add: %d %s", code, errw.String())
	}
	out.Reset()
	if code := run([]string{"tokens", "add", "ops-test", "--user", "ana", "--db", db}, nil, &out, &errw); code != 0 {
		t.Fatalf("tokens add: %d %s", code, errw.String())
	}
	token := strings.TrimSpace(out.String())

	ctx, cancel := context.WithCancel(context.Background())
	var logs progtest.Buffer
	done := make(chan int, 1)
	go func() {
		done <- runIntake(ctx, []string{"--db", db, "--brokers", strings.Join(b.Addrs(), ","), "--listen", "127.0.0.1:0", "--fetch-images=false"}, &logs)
	}()
	defer func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("reporter run exited %d: %s", code, logs.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("reporter run did not stop")
		}
	}()
	urlRE := regexp.MustCompile(`url=(http://[^ ]+)/cases`)
	var base string
	for deadline := time.Now().Add(15 * time.Second); base == ""; time.Sleep(20 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no UI address logged: %s", logs.String())
		}
	}
	tests := []struct {
		path   string
		token  string
		status int
		body   []string
	}{
		{"/healthz", "", 200, []string{"ok"}},
		{"/readyz", "", 200, []string{"ready"}},
		{"/metrics", "", 200, []string{`assay_reporter_cases{brand="fullips",status="new"} 1`, "assay_reporter_candidates_invalid_total 0",
			"assay_reporter_metrics_errors_total 0", "go_goroutines"}},
		{"/cases", token, 200, []string{"mp-7", "ana · analyst"}},
		{"/cases", "", 303, nil},
		{"/api/v1/cases", "", 401, []string{"sign in"}},
		{"/api/v1/cases", token, 200, []string{"mp-7"}},
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range tests {
		t.Run(tt.path+" "+strconv.FormatBool(tt.token != ""), func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, base+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			for _, want := range tt.body {
				if !strings.Contains(string(body), want) {
					t.Errorf("body lacks %q:\n%.2000s", want, body)
				}
			}
		})
	}
}
