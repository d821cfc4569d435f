package web

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/assay-dev/assay/internal/account"
)

// newAccounts opens account tables for a test.
func newAccounts(t testing.TB) *account.Store {
	t.Helper()
	a, err := account.Open(context.Background(), filepath.Join(t.TempDir(), "accounts.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// bearer adds an API token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

var accountSeq atomic.Int64

// clientAs makes an account of the role (owning brands, for an owner) and
// returns a client signed in as it with an API token, which needs no CSRF
// token; it does not follow redirects. Its name is the role's, then a
// number: "analyst", "analyst-2", ...
func clientAs(t testing.TB, accts *account.Store, role account.Role, brands ...string) (*http.Client, string) {
	t.Helper()
	name := string(role)
	if _, err := accts.User(context.Background(), name); err == nil {
		name = fmt.Sprintf("%s-%d", role, accountSeq.Add(1))
	}
	tok := tokenFor(t, accts, name, role, brands...)
	return &http.Client{Transport: bearer{tok, http.DefaultTransport}, CheckRedirect: noRedirect}, name
}

// testPassword is every test account's password.
const testPassword = "test password 1234"

// addUser makes the account name of the role (owning brands, for an
// owner), whose password is testPassword.
func addUser(t testing.TB, accts *account.Store, name string, role account.Role, brands ...string) *account.User {
	t.Helper()
	u, err := accts.AddUser(context.Background(), name, role, testPassword, brands, "test")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// tokenFor makes the account name of the role (owning brands, for an
// owner) and returns an API token of it, for tests that call the server's
// ServeHTTP directly.
func tokenFor(t testing.TB, accts *account.Store, name string, role account.Role, brands ...string) string {
	t.Helper()
	addUser(t, accts, name, role, brands...)
	tok, err := accts.AddToken(context.Background(), name+"-token", name, "test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// sessionFor makes the account name of the role (owning brands, for an
// owner) and signs it in as a browser would: the session cookie's value
// and the session's CSRF token.
func sessionFor(t testing.TB, accts *account.Store, name string, role account.Role, brands ...string) (cookie, csrf string) {
	t.Helper()
	u := addUser(t, accts, name, role, brands...)
	cookie, csrf, err := accts.NewSession(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return cookie, csrf
}

// sessionClient is sessionFor's session as a client that carries its
// cookie and does not follow redirects, with the CSRF token its forms
// must carry.
func sessionClient(t testing.TB, accts *account.Store, name string, role account.Role, brands ...string) (*http.Client, string) {
	t.Helper()
	cookie, csrf := sessionFor(t, accts, name, role, brands...)
	return &http.Client{Transport: withCookie{cookie, http.DefaultTransport}, CheckRedirect: noRedirect}, csrf
}

// withCookie adds a session cookie to every request.
type withCookie struct {
	value string
	next  http.RoundTripper
}

func (c withCookie) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.value})
	return c.next.RoundTrip(r)
}
