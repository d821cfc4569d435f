package web

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casesearch"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/fetch"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/notice"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

var update = flag.Bool("update", false, "update golden files")

// Two brands with different owners: fullips (A) and dyson (B). Every case,
// notice and photo of A carries the marker ALPHA or mp-a, of B BRAVO or
// mp-b, so a page leaking the other brand is caught by its text.
const (
	brandA, brandB = "fullips", "dyson"
)

var markers = map[string][]string{brandA: {"ALPHA", "mp-a"}, brandB: {"BRAVO", "mp-b"}}

// matrixServer is the UI over cases, notices and photos of both brands.
type matrixServer struct {
	*httptest.Server
	web      *Server
	accounts *account.Store
	store    *casestore.Store
	notices  map[string]string // brand -> notice id
}

func newMatrixServer(t *testing.T, opts Options) *matrixServer {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := casestore.Open(ctx, filepath.Join(dir, "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	photo := func(ref string) score.Signal {
		return score.Signal{Kind: score.KindImage, Score: 0.8, Evidence: "image matches",
			Images: []score.ImageMatch{{Listing: "images/img-0083.jpg", Reference: ref, Distance: 4, Threshold: 18}}}
	}
	var cands []*stream.Candidate
	for _, c := range []struct{ id, brand, seller, title string }{
		{"mp-a1", brandA, "s-a", "ALPHA Fuⅼⅼips gloss"},
		{"mp-b1", brandB, "s-b", "BRAVO Dysonn vacuum"},
		{"mp-a2", brandA, "s-both", "ALPHA Fuⅼⅼips plumper"},
		{"mp-b2", brandB, "s-both", "BRAVO Dysonn fan"},
	} {
		cands = append(cands, &stream.Candidate{
			Verdict: score.Verdict{ListingID: c.id, Flagged: true, BrandID: c.brand, Score: 0.9, Signals: []score.Signal{photo("images/ref-" + c.brand + "-1.jpg")}},
			Listing: &listing.Listing{ID: c.id, Title: c.title, Marketplace: "shopnet", URL: "https://shopnet.example/" + c.id,
				Seller: listing.Seller{ID: c.seller, Contact: &listing.Contact{Email: "same@example.com"}}},
			ContentHash: "h" + c.id, ScoredAt: time.Now(), Images: []stream.ImageHash{{Ref: "x", Hash: "p:00000000000000aa"}},
		})
	}
	if _, err := store.Put(ctx, cands); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 4; id++ {
		if err := store.Move(ctx, id, casestore.Confirmed, "ana", ""); err != nil {
			t.Fatal(err)
		}
	}
	uploads := filepath.Join(dir, "uploads")
	if err := os.Mkdir(uploads, 0o755); err != nil {
		t.Fatal(err)
	}
	jpg, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "images", "ref-dyson-1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	directory := mapDirectory{}
	ms := &matrixServer{store: store, notices: map[string]string{}}
	for _, b := range []string{brandA, brandB} {
		name := "photo-" + b + ".jpg"
		if err := os.WriteFile(filepath.Join(uploads, name), jpg, 0o644); err != nil {
			t.Fatal(err)
		}
		br := brand.Brand{ID: b, Name: b, Owner: b + " Inc.", Contact: &brand.Contact{Name: "IP desk", Email: "ip@" + b + ".example"},
			Marks: []brand.Mark{{Office: "USPTO", Number: "1"}}, ReferenceImages: []string{"uploads/" + name}}
		directory[b] = &stream.BrandRecord{Brand: br}
		ns, err := notice.Issue(ctx, store, &br, "shopnet", "ana", notice.Options{})
		if err != nil {
			t.Fatal(err)
		}
		ms.notices[b] = ns[0].ID
	}
	ix, err := casesearch.Open(filepath.Join(dir, "cases.search"), store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	ms.accounts, err = account.Open(ctx, filepath.Join(dir, "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ms.accounts.Close() })
	opts.Accounts, opts.Directory, opts.Uploads, opts.Search, opts.Brands = ms.accounts, directory, uploads, ix, &recordPublisher{}
	opts.Images = fetch.Photos{Dir: filepath.Join("..", "..", "fixtures"), Limits: imagehash.DefaultLimits()}
	ms.web, err = New(store, opts)
	if err != nil {
		t.Fatal(err)
	}
	ms.Server = httptest.NewServer(ms.web)
	t.Cleanup(ms.Close)
	return ms
}

// Who may call each route, written out here independently of the
// policies in the code: a route the server has and this table lacks fails
// the test, so a new route cannot go unchecked.
const (
	anyone      = "anyone"
	signedInAll = "every account"
	ownBrand    = "staff, owner of the object's brand"
	staffRoutes = "staff"
	adminRoute  = "admin"
	managers    = "admin, owners"
	managersOwn = "admin, owner of the object's brand"
)

type matrixRoute struct {
	who string
	// path gives the concrete path for an object of the brand.
	path func(m *matrixServer, b string) string
	// code is what an allowed GET answers (200 if 0).
	code int
}

func fixed(p string) func(*matrixServer, string) string {
	return func(*matrixServer, string) string { return p }
}
func caseOf(format string) func(*matrixServer, string) string {
	return func(_ *matrixServer, b string) string {
		id := map[string]int{brandA: 1, brandB: 2}[b]
		return fmt.Sprintf(format, id)
	}
}
func noticeOf(format string) func(*matrixServer, string) string {
	return func(m *matrixServer, b string) string { return fmt.Sprintf(format, url.PathEscape(m.notices[b])) }
}
func brandOf(format string) func(*matrixServer, string) string {
	return func(_ *matrixServer, b string) string { return fmt.Sprintf(format, b) }
}
func sellerOf(format string) func(*matrixServer, string) string {
	return func(_ *matrixServer, b string) string {
		return fmt.Sprintf(format, map[string]string{brandA: "s-a", brandB: "s-b"}[b])
	}
}

var matrixRoutes = map[string]matrixRoute{
	"GET /static/":            {who: anyone, path: fixed("/static/style.css")},
	"GET /{$}":                {who: anyone, path: fixed("/"), code: http.StatusFound},
	"GET /login":              {who: anyone, path: fixed("/login")},
	"POST /login":             {who: anyone, path: fixed("/login")},
	"POST /logout":            {who: signedInAll, path: fixed("/logout")},
	"GET /audit":              {who: adminRoute, path: fixed("/audit")},
	"GET /cases":              {who: signedInAll, path: fixed("/cases")},
	"GET /cases/{id}":         {who: ownBrand, path: caseOf("/cases/%d")},
	"POST /cases/{id}/status": {who: staffRoutes, path: caseOf("/cases/%d/status")},
	"GET /cases/{id}/evidence/{n}/{k}/{which}": {who: ownBrand, path: caseOf("/cases/%d/evidence/0/0/listing")},
	"POST /cases/bulk":                         {who: staffRoutes, path: fixed("/cases/bulk")},
	"GET /sellers/{id}":                        {who: ownBrand, path: sellerOf("/sellers/%s")},
	"GET /brands/{id}":                         {who: ownBrand, path: brandOf("/brands/%s")},
	"GET /brands/new":                          {who: managers, path: fixed("/brands/new")},
	"GET /brands/{id}/edit":                    {who: managersOwn, path: brandOf("/brands/%s/edit")},
	"POST /brands":                             {who: managers, path: fixed("/brands")},
	"GET /uploads/{name}":                      {who: ownBrand, path: brandOf("/uploads/photo-%s.jpg")},
	"GET /notices":                             {who: signedInAll, path: fixed("/notices")},
	"POST /notices":                            {who: staffRoutes, path: fixed("/notices")},
	"GET /notices/{id}":                        {who: ownBrand, path: noticeOf("/notices/%s")},
	"GET /notices/{id}/file":                   {who: ownBrand, path: noticeOf("/notices/%s/file?format=csv")},
	"POST /notices/{id}/submit":                {who: staffRoutes, path: noticeOf("/notices/%s/submit")},
	"POST /notices/{id}/outcome":               {who: staffRoutes, path: noticeOf("/notices/%s/outcome")},
	"GET /api/v1/cases":                        {who: signedInAll, path: fixed("/api/v1/cases")},
	"GET /api/v1/cases/{id}":                   {who: ownBrand, path: caseOf("/api/v1/cases/%d")},
	"POST /api/v1/cases/{id}/status":           {who: staffRoutes, path: caseOf("/api/v1/cases/%d/status")},
	"GET /api/v1/sellers/{id}":                 {who: ownBrand, path: sellerOf("/api/v1/sellers/%s")},
	"GET /api/v1/brands/{id}":                  {who: ownBrand, path: brandOf("/api/v1/brands/%s")},
	"GET /api/v1/notices":                      {who: signedInAll, path: fixed("/api/v1/notices")},
	"POST /api/v1/notices":                     {who: staffRoutes, path: fixed("/api/v1/notices")},
	"GET /api/v1/notices/{id}":                 {who: ownBrand, path: noticeOf("/api/v1/notices/%s")},
	"POST /api/v1/notices/{id}/submit":         {who: staffRoutes, path: noticeOf("/api/v1/notices/%s/submit")},
	"POST /api/v1/notices/{id}/items/{case}":   {who: staffRoutes, path: noticeOf("/api/v1/notices/%s/items/1")},
	"/api/":                                    {who: signedInAll, path: fixed("/api/v1/nothing"), code: http.StatusNotFound},
}

// matrixRoles are the callers: no credentials, each role, an owner of each
// brand, and credentials that no longer hold.
var matrixRoles = []string{"anonymous", "admin", "analyst", "owner-a", "owner-b", "disabled", "revoked"}

// allowed is the expectation: may role call the route on brand b's object?
func allowed(who, role, b string) bool {
	owner := map[string]string{"owner-a": brandA, "owner-b": brandB}[role]
	switch who {
	case anyone:
		return true
	case signedInAll:
		return role == "admin" || role == "analyst" || owner != ""
	case ownBrand:
		return role == "admin" || role == "analyst" || owner == b
	case staffRoutes:
		return role == "admin" || role == "analyst"
	case adminRoute:
		return role == "admin"
	case managers:
		return role == "admin" || owner != ""
	case managersOwn:
		return role == "admin" || owner == b
	}
	panic("unknown class " + who)
}

// credentials make a request as a role: by a fresh session cookie (with
// its CSRF token on state changes) or by an API token.
type credentials struct {
	cookie, csrf, token string
}

func (m *matrixServer) credentials(t *testing.T, viaToken bool) map[string]func() credentials {
	t.Helper()
	ctx := context.Background()
	users := map[string]*account.User{}
	tokens := map[string]string{}
	for _, u := range []struct {
		name   string
		role   account.Role
		brands []string
	}{{"admin", account.Admin, nil}, {"analyst", account.Analyst, nil}, {"owner-a", account.Owner, []string{brandA}},
		{"owner-b", account.Owner, []string{brandB}}, {"disabled", account.Analyst, nil}, {"revoked", account.Analyst, nil}} {
		if existing, err := m.accounts.User(ctx, u.name); err == nil {
			users[u.name] = existing
		} else {
			nu, err := m.accounts.AddUser(ctx, u.name, u.role, "matrix password 1234", u.brands, "test")
			if err != nil {
				t.Fatal(err)
			}
			users[u.name] = nu
		}
		tok, err := m.accounts.AddToken(ctx, fmt.Sprintf("%s-%v", u.name, viaToken), u.name, "test")
		if err != nil {
			t.Fatal(err)
		}
		tokens[u.name] = tok
	}
	session := func(name string) credentials {
		cookie, csrf, err := m.accounts.NewSession(ctx, users[name].ID)
		if err != nil {
			t.Fatal(err)
		}
		return credentials{cookie: cookie, csrf: csrf}
	}
	// Credentials that held once: the disabled account's, made before it
	// was disabled; a revoked token and a logged-out session.
	var disabledSession, revokedSession credentials
	if !viaToken {
		disabledSession, revokedSession = session("disabled"), session("revoked")
		if err := m.accounts.EndSession(ctx, revokedSession.cookie); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.accounts.SetDisabled(ctx, "disabled", true, "test"); err != nil {
		t.Fatal(err)
	}
	if err := m.accounts.RevokeToken(ctx, fmt.Sprintf("revoked-%v", viaToken), "test"); err != nil {
		t.Fatal(err)
	}
	out := map[string]func() credentials{"anonymous": func() credentials { return credentials{} }}
	for name := range users {
		switch {
		case viaToken:
			tok := tokens[name]
			out[name] = func() credentials { return credentials{token: tok} }
		case name == "disabled":
			out[name] = func() credentials { return disabledSession }
		case name == "revoked":
			out[name] = func() credentials { return revokedSession }
		default:
			out[name] = func() credentials { return session(name) }
		}
	}
	return out
}

// do makes one request as the credentials say; a state change carries an
// empty form (or JSON body), so an allowed one gets as far as checking it.
func (m *matrixServer) do(t *testing.T, method, path string, c credentials) (int, string, string) {
	t.Helper()
	var body io.Reader
	form := url.Values{}
	if c.csrf != "" {
		form.Set("csrf", c.csrf)
	}
	if method == http.MethodPost {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, m.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-CSRF-Token", c.csrf)
		}
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := (&http.Client{CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// TestAccessMatrix walks every route the server registers as every role,
// on an object of each brand, by session cookie and by API token, and
// checks who gets in: allowed GETs answer 200, allowed POSTs get past the
// access checks to the handler's own validation of their empty bodies,
// nobody signed in is sent to /login (pages) or answered 401 (API), a
// signed-in account without the right gets 403 (role) or 404 (another
// brand's object). No answer to an owner carries the other brand's cases.
// The observed matrix is testdata/access_matrix.md (-update rewrites it).
func TestAccessMatrix(t *testing.T) {
	m := newMatrixServer(t, Options{})
	routes := m.web.Routes()
	var patterns []string
	for _, r := range routes {
		patterns = append(patterns, r.Pattern)
		if _, ok := matrixRoutes[r.Pattern]; !ok {
			t.Errorf("route %q (%s) is not in the access matrix test: add who may call it to matrixRoutes", r.Pattern, r.Access)
		}
	}
	for p := range matrixRoutes {
		if !slices.Contains(patterns, p) {
			t.Errorf("matrixRoutes has %q, which the server no longer registers", p)
		}
	}
	observed := map[bool][][]string{}
	for _, viaToken := range []bool{false, true} {
		creds := m.credentials(t, viaToken)
		for _, r := range routes {
			mr, ok := matrixRoutes[r.Pattern]
			if !ok {
				continue
			}
			method, _, found := strings.Cut(r.Pattern, " ")
			if !found {
				method = http.MethodGet
			}
			row := []string{"`" + r.Pattern + "`", r.Access}
			for _, role := range matrixRoles {
				var cell []string
				for _, b := range []string{brandA, brandB} {
					path := mr.path(m, b)
					code, loc, body := m.do(t, method, path, creds[role]())
					cell = append(cell, fmt.Sprint(code))
					where := fmt.Sprintf("%s %s as %s (token %v)", method, path, role, viaToken)
					checkAnswer(t, where, mr, method, path, role, b, code, loc, body)
				}
				if cell[0] == cell[1] {
					cell = cell[:1]
				}
				row = append(row, strings.Join(cell, "/"))
			}
			observed[viaToken] = append(observed[viaToken], row)
		}
	}
	if !slices.EqualFunc(observed[false], observed[true], slices.Equal) {
		t.Errorf("sessions and API tokens are answered differently:\n%v\n%v", observed[false], observed[true])
	}
	var b strings.Builder
	b.WriteString("| route | policy | " + strings.Join(matrixRoles, " | ") + " |\n|---|---|" + strings.Repeat("---|", len(matrixRoles)) + "\n")
	for _, row := range observed[false] {
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	golden := filepath.Join("testdata", "access_matrix.md")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != b.String() {
		t.Errorf("the access matrix changed (go test -run TestAccessMatrix -update, and review the diff):\n%s", b.String())
	}
}

func checkAnswer(t *testing.T, where string, mr matrixRoute, method, path, role, b string, code int, loc, body string) {
	t.Helper()
	api := strings.HasPrefix(path, "/api/")
	signedOut := role == "anonymous" || role == "disabled" || role == "revoked"
	switch {
	case code >= 500:
		t.Errorf("%s: %d: %.200s", where, code, body)
	case allowed(mr.who, role, b) && method == http.MethodGet:
		if want := max(mr.code, http.StatusOK); code != want {
			t.Errorf("%s: %d, want %d (allowed): %.200s", where, code, want, body)
		}
	case allowed(mr.who, role, b):
		if code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusNotFound {
			t.Errorf("%s: %d, want it allowed through to the handler: %.200s", where, code, body)
		}
	case signedOut && !api && method == http.MethodGet:
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("%s: %d to %q, want 303 to /login", where, code, loc)
		}
	case signedOut:
		if code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401: %.200s", where, code, body)
		}
	default:
		if code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("%s: %d, want 403 or 404: %.200s", where, code, body)
		}
	}
	if owner := map[string]string{"owner-a": brandA, "owner-b": brandB}[role]; owner != "" {
		other := map[string]string{brandA: brandB, brandB: brandA}[owner]
		for _, mk := range markers[other] {
			if strings.Contains(body, mk) {
				t.Errorf("%s: the answer shows %s's %q", where, other, mk)
			}
		}
	}
}

// TestOwnerLists: the lists an owner reads (queue, search, filters, a
// seller selling both brands, notices, the API) hold their brand's cases
// and nothing of the other's, while an analyst sees both.
func TestOwnerLists(t *testing.T) {
	m := newMatrixServer(t, Options{})
	ownerA, _ := clientAs(t, m.accounts, account.Owner, brandA)
	ana, _ := clientAs(t, m.accounts, account.Analyst)
	for _, path := range []string{"/cases", "/cases?q=Dysonn", "/cases?q=ALPHA", "/cases?brand=dyson", "/cases?seller=s-both", "/sellers/s-both",
		"/notices", "/notices?brand=dyson", "/api/v1/cases", "/api/v1/cases?brand=dyson", "/api/v1/cases?q=BRAVO", "/api/v1/sellers/s-both", "/api/v1/notices", "/api/v1/notices?brand=dyson"} {
		t.Run(path, func(t *testing.T) {
			for _, c := range []struct {
				name     string
				client   *http.Client
				want     []string
				mustLack []string
			}{
				{"owner of fullips", ownerA, nil, markers[brandB]},
				{"analyst", ana, append(markers[brandA], markers[brandB]...), nil},
			} {
				resp, err := c.client.Get(m.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Fatalf("%s: %d %s", c.name, resp.StatusCode, body)
				}
				for _, mk := range c.mustLack {
					if strings.Contains(string(body), mk) {
						t.Errorf("%s sees %q", c.name, mk)
					}
				}
				wantAll := path == "/cases" || path == "/api/v1/cases" || path == "/sellers/s-both" || path == "/api/v1/sellers/s-both"
				for _, mk := range c.want {
					if wantAll && !strings.Contains(string(body), mk) {
						t.Errorf("%s does not see %q", c.name, mk)
					}
				}
				if c.name == "owner of fullips" && wantAll && !strings.Contains(string(body), "ALPHA") {
					t.Errorf("the owner does not see their own cases")
				}
			}
		})
	}
}

// TestStaticAsksNobody: static files and the front page's redirect are
// served without looking the caller up, so they cost no account queries:
// with the account tables gone they still answer a signed-in browser,
// while a page that needs the account fails.
func TestStaticAsksNobody(t *testing.T) {
	m := newMatrixServer(t, Options{})
	u, err := m.accounts.AddUser(context.Background(), "ana", account.Analyst, "matrix password 1234", nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	cookie, _, err := m.accounts.NewSession(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	m.accounts.Close()
	for path, want := range map[string]int{"/static/style.css": http.StatusOK, "/": http.StatusFound, "/cases": http.StatusInternalServerError} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
		rec := httptest.NewRecorder()
		m.web.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("GET %s: %d, want %d: %.200s", path, rec.Code, want, rec.Body)
		}
	}
}
