package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// apiPosts are the API's POST routes, each with a well-formed body.
var apiPosts = []struct{ path, body string }{
	{"/api/v1/cases/1/status", `{"status":"confirmed","actor":"ana","reason":"logo"}`},
	{"/api/v1/notices", `{"brand":"fullips","marketplace":"shopnet","actor":"ana"}`},
	{"/api/v1/notices/N-1/submit", `{"actor":"ana"}`},
	{"/api/v1/notices/N-1/items/1", `{"outcome":"removed","actor":"ana"}`},
}

// apiServer is a UI over a real case store holding two cases, and the API
// token of analyst ana.
func apiServer(tb testing.TB) (*Server, string) {
	tb.Helper()
	store, err := casestore.Open(context.Background(), filepath.Join(tb.TempDir(), "cases.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	var cands []*stream.Candidate
	for _, id := range []string{"mp-a", "mp-b"} {
		cands = append(cands, &stream.Candidate{
			Verdict: score.Verdict{ListingID: id, Flagged: true, BrandID: "fullips", Score: 0.8, Signals: []score.Signal{{Kind: "text", Score: 0.75, Evidence: "x"}}},
			Listing: &listing.Listing{ID: id, Title: "Fullips copy", Marketplace: "shopnet", URL: "https://shopnet.example/" + id,
				Price: &price.Money{Amount: 3, Currency: "USD"}, Seller: listing.Seller{ID: "s-1"}},
			ContentHash: "h" + id, ScoredAt: time.Now(),
		})
	}
	if _, err := store.Put(context.Background(), cands); err != nil {
		tb.Fatal(err)
	}
	accts := newAccounts(tb)
	s, err := New(store, Options{Teacher: &recordTeacher{}, Directory: testDirectory{}, Accounts: accts})
	if err != nil {
		tb.Fatal(err)
	}
	return s, tokenFor(tb, accts, "ana", account.Analyst)
}

// apiRequest is a POST of body to path as the holder of token.
func apiRequest(path, token, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// checkAPIAnswer holds an API answer to the contract: JSON, never a 500,
// an error message on every 4xx, 413 for a body over the cap.
func checkAPIAnswer(t *testing.T, rec *httptest.ResponseRecorder, body []byte) map[string]any {
	t.Helper()
	switch rec.Code {
	case http.StatusOK, http.StatusCreated, http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusRequestEntityTooLarge:
	default:
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, rec.Body)
	}
	if rec.Code >= 400 {
		if msg, _ := out["error"].(string); msg == "" {
			t.Fatalf("%d without an error message: %s", rec.Code, rec.Body)
		}
	}
	// A body over the cap is never taken; when the part within the cap
	// could not show it was bad, it is refused as too large.
	if len(body) > maxAPIBody && rec.Code != http.StatusRequestEntityTooLarge && (rec.Code != http.StatusBadRequest || json.Valid(body)) {
		t.Fatalf("a %d-byte body got %d, want 413: %.300s", len(body), rec.Code, rec.Body)
	}
	return out
}

// TestAPIBodyTooLarge posts a body over the cap to every POST route: 413
// naming the limit, and the case is not moved.
func TestAPIBodyTooLarge(t *testing.T) {
	s, token := apiServer(t)
	for _, p := range apiPosts {
		t.Run(p.path, func(t *testing.T) {
			// A well-formed object whose reason field alone is over the cap.
			body := `{"actor":"ana","reason":"` + strings.Repeat("r", maxAPIBody) + `"}`
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, apiRequest(p.path, token, body))
			out := checkAPIAnswer(t, rec, []byte(body))
			if msg := out["error"].(string); !strings.Contains(msg, "over 65536 bytes") {
				t.Errorf("error %q does not name the limit", msg)
			}
		})
	}
	c, err := s.store.Get(context.Background(), 1)
	if err != nil || c.Status != casestore.New {
		t.Errorf("case 1 is %v (%v), want still new", c.Status, err)
	}
}

// FuzzAPIBody posts arbitrary bodies to the API's POST routes of a server
// over a real case store: every answer is JSON with a 2xx or 4xx status,
// never a 500 or a panic, and a body over the cap is a 413.
func FuzzAPIBody(f *testing.F) {
	for i, p := range apiPosts {
		f.Add(uint8(i), []byte(p.body))
	}
	f.Add(uint8(0), []byte(`{"status":"confirmed","actor":"ana","extra":1}`))
	f.Add(uint8(0), []byte(`{"status":"dismissed","actor":"ana","why":"authorized"}{}`))
	f.Add(uint8(1), []byte(`{"brand":"fullips","marketplace":"shopnet","actor":"ana","cap":-1}`))
	f.Add(uint8(3), []byte(`{"outcome":"rejected","reason":"\u0000<script>","actor":"ana"}`))
	f.Add(uint8(2), []byte(`[`+strings.Repeat(`"x",`, maxAPIBody/4)+`"x"]`))
	f.Add(uint8(2), []byte(`{"actor":"ana"}`+strings.Repeat(" ", maxAPIBody)))
	s, token := apiServer(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		p := apiPosts[int(route)%len(apiPosts)]
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, apiRequest(p.path, token, string(body)))
		checkAPIAnswer(t, rec, body)
	})
}

// TestFormTooLarge posts a form one byte over its route's cap to every
// form route, from an API token and from a browser session with its CSRF
// token in the form: 413 naming the route's own limit, never a 400 that
// hides why, and the case is not moved. A browser's form is held to the
// same cap as a script's.
func TestFormTooLarge(t *testing.T) {
	s, token := apiServer(t)
	cookie, csrf := sessionFor(t, s.accounts, "olga", account.Analyst)
	for _, route := range []struct {
		path  string
		limit int
	}{
		{"/cases/1/status", maxFormBytes}, {"/cases/bulk", maxBulkForm}, {"/notices", maxFormBytes},
		{"/notices/N-1/submit", maxFormBytes}, {"/notices/N-1/outcome", maxFormBytes}, {"/logout", maxFormBytes}, {"/login", maxLoginForm},
	} {
		for _, caller := range []string{"token", "session"} {
			t.Run(route.path+" "+caller, func(t *testing.T) {
				body := "status=confirmed&id=1&csrf=" + csrf + "&reason="
				body += strings.Repeat("r", route.limit+1-len(body))
				req := httptest.NewRequest(http.MethodPost, route.path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				if caller == "token" {
					req.Header.Set("Authorization", "Bearer "+token)
				} else {
					req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
				}
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if want := fmt.Sprintf("than the %d bytes accepted here", route.limit); rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), want) {
					t.Errorf("status %d, want 413 saying %q: %.200s", rec.Code, want, rec.Body)
				}
			})
		}
	}
	c, err := s.store.Get(context.Background(), 1)
	if err != nil || c.Status != casestore.New {
		t.Errorf("case 1 is %v (%v), want still new", c.Status, err)
	}
	if _, err := s.accounts.Session(context.Background(), cookie); err != nil {
		t.Errorf("the session was ended by a logout form over its cap: %v", err)
	}
}
