package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casesearch"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// recordTeacher remembers what it was told, and fails when asked to.
type recordTeacher struct {
	told []string
	fail bool
}

func (r *recordTeacher) Teach(_ context.Context, c *casestore.Case, to casestore.Status, why, actor, _ string) error {
	if r.fail {
		return errors.New("kafka down")
	}
	r.told = append(r.told, fmt.Sprintf("%d %s %s %s", c.ID, to, why, actor))
	return nil
}

// testServer is the UI over a test's case database, with its accounts.
type testServer struct {
	*httptest.Server
	accounts *account.Store
}

// as returns a client signed in as a new account of the role.
func (ts *testServer) as(t testing.TB, role account.Role, brands ...string) *http.Client {
	c, _ := clientAs(t, ts.accounts, role, brands...)
	return c
}

func newTestServer(t *testing.T, teacher Teacher) (*testServer, *casestore.Store) {
	t.Helper()
	store, err := casestore.Open(context.Background(), filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var cands []*stream.Candidate
	for i, title := range []string{"Fuⅼⅼips lip plumper replica", `<script>alert("x")</script> Fullips 1:1`, "Dyson V11 super copy"} {
		brand := "fullips"
		if i == 2 {
			brand = "dyson"
		}
		id := "mp-" + string(rune('a'+i))
		cands = append(cands, &stream.Candidate{
			Verdict: score.Verdict{ListingID: id, Flagged: true, BrandID: brand, Score: 0.7 + float64(i)/10,
				Signals: []score.Signal{{Kind: "text", Score: 0.75, Evidence: "title has '<b>Fuⅼⅼips</b>' (confusable of Fullips)"}}},
			Listing: &listing.Listing{ID: id, Title: title, Marketplace: "shopnet", URL: "https://shopnet.example/" + id,
				Price: &price.Money{Amount: 3, Currency: "USD"}, Seller: listing.Seller{ID: "s-42", Name: "Cheap 88"}},
			ContentHash: "h" + id, ScoredAt: time.Now(),
		})
	}
	if _, err := store.Put(context.Background(), cands); err != nil {
		t.Fatal(err)
	}
	ix, err := casesearch.Open(filepath.Join(t.TempDir(), "cases.search"), store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	accts := newAccounts(t)
	s, err := New(store, Options{Teacher: teacher, Search: ix, Directory: testDirectory{}, Accounts: accts})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return &testServer{srv, accts}, store
}

// testDirectory stands for the brands topic's registry: one brand with
// what a notice needs.
type testDirectory struct{}

func (testDirectory) Brand(id string) (*stream.BrandRecord, bool) {
	if id != "fullips" {
		return nil, false
	}
	return &stream.BrandRecord{Brand: brand.Brand{ID: "fullips", Name: "Fullips", Owner: "Fullips Inc.",
		Contact: &brand.Contact{Name: "Dana Reyes", Email: "ip@fullips.example"},
		Marks:   []brand.Mark{{Office: "USPTO", Number: "5123456", Classes: []int{3}}}}}, true
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func TestPages(t *testing.T) {
	teacher := &recordTeacher{}
	srv, store := newTestServer(t, teacher)
	relist := func() {
		c := &stream.Candidate{
			Verdict:     score.Verdict{ListingID: "mp-z", Flagged: true, BrandID: "fullips", Score: 0.8, Signals: []score.Signal{}},
			Listing:     &listing.Listing{ID: "mp-z", Title: "FUⅬⅬIPS lip plumper, replica!", Marketplace: "shopnet", Seller: listing.Seller{ID: "s-42"}},
			ContentHash: "hz", ScoredAt: time.Now(),
		}
		if _, err := store.Put(context.Background(), []*stream.Candidate{c}); err != nil {
			t.Fatal(err)
		}
	}
	client := srv.as(t, account.Analyst)
	tests := []struct {
		name, method, path string
		form               url.Values
		code               int
		want, notWant      []string
		before             func()
		// location, if set, must be in the redirect's target.
		location string
	}{
		{name: "root", method: "GET", path: "/", code: 302},
		{name: "queue", method: "GET", path: "/cases", code: 200,
			want:    []string{"Fuⅼⅼips lip plumper replica", "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", "Dyson V11", "(3 cases)"},
			notWant: []string{"<script>"}},
		{name: "filter brand", method: "GET", path: "/cases?brand=dyson", code: 200, want: []string{"Dyson V11", "(1 cases)"}, notWant: []string{"lip plumper"}},
		{name: "sort by age", method: "GET", path: "/cases?sort=age", code: 200},
		{name: "search", method: "GET", path: "/cases?q=V11", code: 200, want: []string{"Dyson V11", "(1 cases)"}, notWant: []string{"lip plumper"}},
		{name: "search no hits", method: "GET", path: "/cases?q=zebra", code: 200, want: []string{"No cases match", "(0 cases)"}},
		{name: "bad sort", method: "GET", path: "/cases?sort=price", code: 400, want: []string{"sort must be one of"}},
		{name: "bad status", method: "GET", path: "/cases?status=closed", code: 400, want: []string{"unknown status"}},
		{name: "case", method: "GET", path: "/cases/2", code: 200,
			want:    []string{"Evidence", "&lt;b&gt;Fuⅼⅼips&lt;/b&gt;", `value="confirmed"`, `value="dismissed"`, "Audit trail", "flagged", "Listing as flagged (1 version)"},
			notWant: []string{"<script>", "<b>Fu"}},
		{name: "missing case", method: "GET", path: "/cases/99", code: 404},
		{name: "not a case id", method: "GET", path: "/cases/abc", code: 404},
		{name: "illegal move", method: "POST", path: "/cases/1/status", form: url.Values{"status": {"removed"}}, code: 409, want: []string{"not allowed: from new to removed"}},
		{name: "unknown status", method: "POST", path: "/cases/1/status", form: url.Values{"status": {"zap"}}, code: 400},
		{name: "confirm", method: "POST", path: "/cases/1/status", form: url.Values{"status": {"confirmed"}, "reason": {"logo copied"}}, code: 303},
		{name: "after confirm", method: "GET", path: "/cases/1", code: 200, want: []string{"analyst", "new → confirmed", "logo copied", `value="in_notice"`}},
		{name: "relisting after confirm", method: "GET", path: "/cases/4", code: 200, before: relist, want: []string{"repeats confirmed case #1", "re-listing of confirmed case 1: same seller, same title"}},
		{name: "queue marks relisting", method: "GET", path: "/cases?seller=s-42", code: 200, want: []string{"re-listing of #1"}},
		{name: "decide missing case", method: "POST", path: "/cases/77/status", form: url.Values{"status": {"confirmed"}}, code: 404},
		{name: "stylesheet", method: "GET", path: "/static/style.css", code: 200, want: []string{"--accent"}},
		{name: "wrong method", method: "DELETE", path: "/cases/1", code: 405},
		{name: "seller page", method: "GET", path: "/sellers/s-42", code: 200, want: []string{"Seller s-42", "mp-a", "repeat infringer at 3"}, notWant: []string{"<script>"}},
		{name: "unknown seller", method: "GET", path: "/sellers/nobody", code: 404},
		{name: "brand page", method: "GET", path: "/brands/fullips", code: 200, want: []string{"Brand fullips", "<svg", "Acceptance rate", "/sellers/s-42"}},
		{name: "unknown brand", method: "GET", path: "/brands/nope", code: 404},
		{name: "bulk wrong status", method: "POST", path: "/cases/bulk", form: url.Values{"status": {"removed"}, "id": {"3"}}, code: 400},
		{name: "bulk nothing selected", method: "POST", path: "/cases/bulk", form: url.Values{"status": {"dismissed"}}, code: 400},
		{name: "bulk dismiss", method: "POST", path: "/cases/bulk", form: url.Values{"status": {"dismissed"}, "id": {"3", "99", "x"}}, code: 303, location: "1 cases dismissed; 2 could not move"},
		{name: "bulk result", method: "GET", path: "/cases?done=1+cases+dismissed%3B+2+could+not+move", code: 200, want: []string{"1 cases dismissed; 2 could not move"}},
		{name: "bad dismissal reason", method: "POST", path: "/cases/2/status", form: url.Values{"status": {"dismissed"}, "why": {"bored"}}, code: 400, want: []string{"unknown dismissal reason"}},
		{name: "dismiss as authorized", method: "POST", path: "/cases/2/status", form: url.Values{"status": {"dismissed"}, "why": {"authorized"}}, code: 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.before != nil {
				tt.before()
			}
			var body io.Reader
			if tt.form != nil {
				body = strings.NewReader(tt.form.Encode())
			}
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.code, b)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if tt.location != "" {
				if loc, _ := url.QueryUnescape(resp.Header.Get("Location")); !strings.Contains(loc, tt.location) {
					t.Errorf("redirected to %q, want it to carry %q", loc, tt.location)
				}
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(string(b), w) {
					t.Errorf("page contains %q", w)
				}
			}
		})
	}
	if got := strings.Join(teacher.told, "; "); got != "1 confirmed  analyst; 3 dismissed  analyst; 2 dismissed authorized analyst" {
		t.Errorf("teacher told %q", got)
	}
}

// TestTeachFails: when the matchers cannot be told, the analyst sees that
// the decision is saved but not taught — not a 500.
func TestTeachFails(t *testing.T) {
	srv, _ := newTestServer(t, &recordTeacher{fail: true})
	resp, err := srv.as(t, account.Analyst).PostForm(srv.URL+"/cases/1/status", url.Values{"status": {"confirmed"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "decision is saved, but the matchers could not be told") {
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
}
