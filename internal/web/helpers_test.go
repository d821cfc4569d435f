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

// tokenFor makes the account name of the role (owning brands, for an
// owner) and returns an API token of it, for tests that call the server's
// ServeHTTP directly.
func tokenFor(t testing.TB, accts *account.Store, name string, role account.Role, brands ...string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := accts.AddUser(ctx, name, role, "test password 1234", brands, "test"); err != nil {
		t.Fatal(err)
	}
	tok, err := accts.AddToken(ctx, name+"-token", name, "test")
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
	ctx := context.Background()
	u, err := accts.AddUser(ctx, name, role, "test password 1234", brands, "test")
	if err != nil {
		t.Fatal(err)
	}
	cookie, csrf, err = accts.NewSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return cookie, csrf
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
