package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/account"
)

// post sends a form, with a session cookie if given, and extra headers.
func post(t *testing.T, u string, form url.Values, cookie string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	resp, err := (&http.Client{CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func auditActions(t *testing.T, a *account.Store) []string {
	t.Helper()
	entries, err := a.Audit(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Actor+" "+e.Action+" "+e.Subject)
	}
	slices.Reverse(out)
	return out
}

// TestLogin: a page sends an anonymous browser to the login form and back;
// a wrong password is refused and audited; the session cookie is HttpOnly,
// Secure and SameSite=Lax; signing out needs the form's CSRF token, ends
// the session and is audited.
func TestLogin(t *testing.T) {
	m := newMatrixServer(t, Options{})
	ctx := context.Background()
	addUser(t, m.accounts, "ana", account.Analyst)
	resp, err := (&http.Client{CheckRedirect: noRedirect}).Get(m.URL + "/cases?brand=fullips")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/login?next=%2Fcases%3Fbrand%3Dfullips" {
		t.Fatalf("anonymous queue: %d to %q", resp.StatusCode, loc)
	}
	resp, body := post(t, m.URL+"/login", url.Values{"name": {"ana"}, "password": {"not the password"}, "next": {"/cases?brand=fullips"}}, "", nil)
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong name or password") || len(resp.Cookies()) != 0 {
		t.Fatalf("wrong password: %d %v", resp.StatusCode, resp.Cookies())
	}
	resp, _ = post(t, m.URL+"/login", url.Values{"name": {"ana"}, "password": {testPassword}, "next": {"/cases?brand=fullips"}}, "", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases?brand=fullips" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var c *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == sessionCookie {
			c = k
		}
	}
	if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.MaxAge != int(account.SessionTTL.Seconds()) {
		t.Fatalf("session cookie %+v", c)
	}
	id, err := m.accounts.Session(ctx, c.Value)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, m.URL+"/cases", nil)
	req.AddCookie(c)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "ana · analyst") || !strings.Contains(string(page), `name="csrf" value="`+id.CSRF+`"`) {
		t.Fatalf("queue with the session: %d", resp.StatusCode)
	}
	if resp, _ := post(t, m.URL+"/logout", nil, c.Value, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d, want 403", resp.StatusCode)
	}
	resp, _ = post(t, m.URL+"/logout", url.Values{"csrf": {id.CSRF}}, c.Value, nil)
	if resp.StatusCode != http.StatusSeeOther || len(resp.Cookies()) != 1 || resp.Cookies()[0].MaxAge >= 0 {
		t.Fatalf("logout: %d %v", resp.StatusCode, resp.Cookies())
	}
	if _, err := m.accounts.Session(ctx, c.Value); err == nil {
		t.Error("the session lives on after logout")
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", `/\evil.example`, "/\t/evil.example", "/\n/evil.example"} {
		resp, _ := post(t, m.URL+"/login", url.Values{"name": {"ana"}, "password": {testPassword}, "next": {next}}, "", nil)
		if loc := resp.Header.Get("Location"); loc != "/cases" {
			t.Errorf("next=%q: sent to %q, want /cases", next, loc)
		}
	}
	got := auditActions(t, m.accounts)
	want := []string{"test user_add ana", "ana login_failed ana", "ana login ana", "ana logout ana"}
	if len(got) < 4 || !slices.Equal(got[:4], want) {
		t.Errorf("audit log %q, want it to start %q", got, want)
	}
}

// TestInsecureCookies: the operator's switch for plain HTTP to other hosts
// drops only the Secure flag.
func TestInsecureCookies(t *testing.T) {
	m := newMatrixServer(t, Options{InsecureCookies: true})
	addUser(t, m.accounts, "ana", account.Analyst)
	resp, _ := post(t, m.URL+"/login", url.Values{"name": {"ana"}, "password": {testPassword}}, "", nil)
	if cs := resp.Cookies(); len(cs) != 1 || cs[0].Secure || !cs[0].HttpOnly {
		t.Errorf("cookies %+v", cs)
	}
}

// TestLoginRateLimit: failed logins for one name are limited with 429 and
// Retry-After, the right password included, until the window passes; the
// refusals are audited.
func TestLoginRateLimit(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	lim := &account.Limiter{MaxPerName: 3, MaxPerAddr: 100, Window: 10 * time.Minute, MaxEntries: 100, Now: func() time.Time { return now }}
	m := newMatrixServer(t, Options{Limiter: lim})
	addUser(t, m.accounts, "ana", account.Analyst)
	for i := range 3 {
		if resp, _ := post(t, m.URL+"/login", url.Values{"name": {"ana"}, "password": {"guess"}}, "", nil); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, resp.StatusCode)
		}
	}
	now = now.Add(4 * time.Minute)
	resp, body := post(t, m.URL+"/login", url.Values{"name": {"ana"}, "password": {testPassword}}, "", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "360" || !strings.Contains(body, "try again in 360 seconds") {
		t.Fatalf("4th try: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp, _ := post(t, m.URL+"/login", url.Values{"name": {"ana"}, "password": {"guess"}}, "", nil); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("5th try: %d, want 429", resp.StatusCode)
	}
	if resp, _ := post(t, m.URL+"/login", url.Values{"name": {"bo"}, "password": {"guess"}}, "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("another name: %d, want 401 (not limited)", resp.StatusCode)
	}
	now = now.Add(6 * time.Minute)
	if resp, _ := post(t, m.URL+"/login", url.Values{"name": {"ana"}, "password": {testPassword}}, "", nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after the window: %d, want 303", resp.StatusCode)
	}
	var limited int
	for _, a := range auditActions(t, m.accounts) {
		if a == "ana login_limited ana" {
			limited++
		}
	}
	if limited != 1 {
		t.Errorf("%d refusals audited, want 1 (the first of the window)", limited)
	}
}

// TestCSRF: a cookie-authenticated change needs the session's CSRF token
// (form field or header), and a request a browser marks cross-site is
// refused even with it; an API token needs none.
func TestCSRF(t *testing.T) {
	m, store := newTestServer(t, &recordTeacher{})
	ctx := context.Background()
	cookie, csrf := sessionFor(t, m.accounts, "ana", account.Analyst)
	decide := url.Values{"status": {"dismissed"}}
	withToken := url.Values{"status": {"dismissed"}, "csrf": {csrf}}
	for _, tc := range []struct {
		name    string
		path    string
		form    url.Values
		headers map[string]string
		code    int
	}{
		{"no token", "/cases/1/status", decide, nil, http.StatusForbidden},
		{"wrong token", "/cases/1/status", url.Values{"status": {"dismissed"}, "csrf": {"x" + csrf}}, nil, http.StatusForbidden},
		{"cross-site, with the token", "/cases/1/status", withToken, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin, with the token", "/cases/1/status", withToken, map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"API without the header", "/api/v1/cases/1/status", nil, map[string]string{"Content-Type": "application/json"}, http.StatusForbidden},
		{"same-origin form with the token", "/cases/1/status", withToken, map[string]string{"Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"token in the header", "/cases/3/status", decide, map[string]string{"X-CSRF-Token": csrf}, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := post(t, m.URL+tc.path, tc.form, cookie, tc.headers)
			if resp.StatusCode != tc.code {
				t.Errorf("%d, want %d: %s", resp.StatusCode, tc.code, body)
			}
		})
	}
	for id, want := range map[int64]string{1: "dismissed", 2: "new", 3: "dismissed"} {
		if c, _ := store.Get(ctx, id); string(c.Status) != want {
			t.Errorf("case %d is %s, want %s", id, c.Status, want)
		}
	}
	ana, _ := clientAs(t, m.accounts, account.Analyst)
	req, _ := http.NewRequest(http.MethodPost, m.URL+"/api/v1/cases/2/status", strings.NewReader(`{"status":"dismissed"}`))
	resp, err := ana.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("API token without CSRF token: %d, want 200", resp.StatusCode)
	}
}

// TestOwnerRegisters: an owner registers a new brand and owns it from then
// on, may not take over a brand registered by others, and the
// registrations are audited.
func TestOwnerRegisters(t *testing.T) {
	m := newMatrixServer(t, Options{})
	ownerA, nameA := clientAs(t, m.accounts, account.Owner, brandA)
	ownerB, _ := clientAs(t, m.accounts, account.Owner, brandB)
	admin, _ := clientAs(t, m.accounts, account.Admin)
	form := func(id string) map[string]string {
		return map[string]string{"id": id, "name": "Acme", "owner": "Acme Ltd", "keywords": "anvil"}
	}
	for _, tc := range []struct {
		name   string
		client *http.Client
		brand  string
		code   int
	}{
		{"owner edits their brand", ownerA, brandA, http.StatusSeeOther},
		{"owner takes a registered brand", ownerA, brandB, http.StatusForbidden},
		{"owner registers a new brand", ownerA, "acme", http.StatusSeeOther},
		{"another owner takes it", ownerB, "acme", http.StatusForbidden},
		{"admin edits any", admin, "acme", http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ctype := multipartBody(t, form(tc.brand), nil)
			resp, err := tc.client.Post(m.URL+"/brands", ctype, body)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("%d, want %d: %s", resp.StatusCode, tc.code, b)
			}
		})
	}
	if u, _ := m.accounts.User(context.Background(), nameA); !slices.Equal(u.Brands, []string{"acme", brandA}) {
		t.Errorf("owner's brands %v", u.Brands)
	}
	got := auditActions(t, m.accounts)
	for _, want := range []string{nameA + " brand_register brand fullips", nameA + " brand_register brand acme", nameA + " user_grant " + nameA} {
		if !slices.Contains(got, want) {
			t.Errorf("audit log lacks %q: %q", want, got)
		}
	}
}
