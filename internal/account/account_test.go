package account

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

const pw = "correct horse battery"

func TestUsers(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.AddUser(ctx, "root", Admin, pw, nil, "cli"); err != nil {
		t.Fatal(err)
	}
	owner, err := s.AddUser(ctx, "dana", Owner, pw, []string{"fullips", "dyson"}, "cli")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(owner.Brands, []string{"dyson", "fullips"}) || owner.Staff() || !owner.Owns("dyson") || owner.Owns("acme") {
		t.Errorf("owner %+v", owner)
	}
	for _, tc := range []struct {
		name, user string
		role       Role
		password   string
		brands     []string
		err        string
		invalid    bool // the input itself is wrong: ErrInvalid
	}{
		{"taken", "root", Analyst, pw, nil, "already exists", false},
		{"short password", "ana", Analyst, "hunter2", nil, "password too short: 7 characters, at least 12", true},
		{"long password", "ana", Analyst, strings.Repeat("x", 1025), nil, "password too long", true},
		{"analyst with brands", "ana", Analyst, pw, []string{"fullips"}, "owned by owner accounts only", true},
		{"bad brand", "bo", Owner, pw, []string{"Full Ips"}, `brand id "Full Ips"`, true},
		{"bad name", "a b", Analyst, pw, nil, `account name "a b"`, true},
		{"bad role", "cy", Role("root"), pw, nil, `unknown role "root"`, true},
		{"role not as ParseRole gives it", "cy", Role("Admin"), pw, nil, `unknown role "Admin"`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.AddUser(ctx, tc.user, tc.role, tc.password, tc.brands, "cli")
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
			if errors.Is(err, ErrInvalid) != tc.invalid {
				t.Errorf("errors.Is(%v, ErrInvalid) = %v, want %v", err, !tc.invalid, tc.invalid)
			}
		})
	}
	var stored string
	if err := s.db.QueryRow(`SELECT password_hash FROM users WHERE name = 'root'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Contains(stored, pw) {
		t.Errorf("stored hash %q", stored)
	}
	if u, err := s.Authenticate(ctx, "root", pw); err != nil || u.Role != Admin {
		t.Errorf("good login: %v %v", u, err)
	}
	for _, bad := range [][2]string{{"root", pw + "x"}, {"nobody", pw}, {"root", ""}} {
		if _, err := s.Authenticate(ctx, bad[0], bad[1]); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("login %s/%q: %v, want ErrBadCredentials", bad[0], bad[1], err)
		}
	}

	cookie, csrf, err := s.NewSession(ctx, owner.ID)
	if err != nil || cookie == "" || csrf == "" || cookie == csrf {
		t.Fatalf("session: %q %q %v", cookie, csrf, err)
	}
	tok, err := s.AddToken(ctx, "dana-script", "dana", "root")
	if err != nil || !strings.HasPrefix(tok, TokenPrefix) || len(tok) < 40 {
		t.Fatalf("token %q %v", tok, err)
	}
	dana, err := s.User(ctx, "dana")
	if err != nil {
		t.Fatal(err)
	}
	if id, err := s.Session(ctx, cookie); err != nil || !reflect.DeepEqual(id.User, dana) || id.CSRF != csrf || id.Token != "" {
		t.Fatalf("session identity %+v %v, want %+v with CSRF %q", id, err, dana, csrf)
	}
	if id, err := s.TokenIdentity(ctx, tok); err != nil || !reflect.DeepEqual(id.User, dana) || id.Token != "dana-script" || id.CSRF != "" {
		t.Fatalf("token identity %+v %v, want %+v", id, err, dana)
	}
	if err := s.SetDisabled(ctx, "dana", true, "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, cookie); !errors.Is(err, ErrNoSession) {
		t.Errorf("session of a disabled account: %v", err)
	}
	if _, err := s.TokenIdentity(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("token of a disabled account: %v", err)
	}
	if _, err := s.Authenticate(ctx, "dana", pw); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("login of a disabled account: %v", err)
	}
	if err := s.SetDisabled(ctx, "dana", false, "root"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenIdentity(ctx, tok); err != nil {
		t.Errorf("token after enabling: %v", err)
	}
	cookie, _, _ = s.NewSession(ctx, owner.ID)
	if err := s.SetPassword(ctx, "dana", "a new long passphrase", "dana"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, cookie); !errors.Is(err, ErrNoSession) {
		t.Errorf("session survived a password change: %v", err)
	}
	if _, err := s.Authenticate(ctx, "dana", "a new long passphrase"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if err := s.SetPassword(ctx, "nobody", pw, "root"); !errors.Is(err, ErrNoUser) {
		t.Errorf("passwd of a missing account: %v", err)
	}
	if err := s.Grant(ctx, "root", "fullips", "root"); !errors.Is(err, ErrInvalid) {
		t.Errorf("an admin granted a brand: %v, want ErrInvalid", err)
	}
	if err := s.Grant(ctx, "dana", "acme", "root"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ungrant(ctx, "dana", "fullips", "root"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ungrant(ctx, "dana", "fullips", "root"); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("a brand not owned ungranted: %v, want a refusal that is not ErrInvalid (the brand is missing, the input well formed)", err)
	}
	if u, _ := s.User(ctx, "dana"); !slices.Equal(u.Brands, []string{"acme", "dyson"}) {
		t.Errorf("brands after grant and ungrant: %v", u.Brands)
	}
	if o, _ := s.BrandOwners(ctx, "dyson"); !slices.Equal(o, []string{"dana"}) {
		t.Errorf("owners of dyson: %v", o)
	}
	if n, _ := s.CountAdmins(ctx); n != 1 {
		t.Errorf("%d admins", n)
	}

	var actions []string
	entries, err := s.Audit(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		actions = append(actions, e.Actor+" "+e.Action+" "+e.Subject)
	}
	want := []string{"root user_ungrant dana", "root user_grant dana", "dana user_passwd dana", "root user_enable dana", "root user_disable dana",
		"root token_add dana", "cli user_add dana", "cli user_add root"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit log\n got %q\nwant %q", actions, want)
	}
}

func TestTokens(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.AddUser(ctx, "ana", Analyst, pw, nil, "cli"); err != nil {
		t.Fatal(err)
	}
	tok, err := s.AddToken(ctx, "nightly", "ana", "cli")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddToken(ctx, "nightly", "ana", "cli"); !errors.Is(err, ErrExists) {
		t.Errorf("same name twice: %v", err)
	}
	if _, err := s.AddToken(ctx, "x", "nobody", "cli"); !errors.Is(err, ErrNoUser) {
		t.Errorf("token for a missing account: %v", err)
	}
	var n int
	if err := s.db.QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = ? OR token_hash LIKE ?`, tok, "%"+tok[len(TokenPrefix):]+"%").Scan(&n); err != nil || n != 0 {
		t.Errorf("the token is stored as it is (%d rows, %v)", n, err)
	}
	id, err := s.TokenIdentity(ctx, tok)
	if err != nil || id.User.Name != "ana" || id.Token != "nightly" || id.CSRF != "" {
		t.Fatalf("identity %+v %v", id, err)
	}
	for _, bad := range []string{"", "assay_", tok + "x", strings.TrimPrefix(tok, TokenPrefix)} {
		if _, err := s.TokenIdentity(ctx, bad); !errors.Is(err, ErrNoSession) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	if err := s.RevokeToken(ctx, "nightly", "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.TokenIdentity(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Errorf("revoked token: %v", err)
	}
	if err := s.RevokeToken(ctx, "weekly", "cli"); !errors.Is(err, ErrNoToken) {
		t.Errorf("revoking a missing token: %v", err)
	}
	list, err := s.Tokens(ctx)
	if err != nil || len(list) != 1 || list[0].Revoked.IsZero() || list[0].LastUsed.IsZero() || list[0].User != "ana" {
		t.Errorf("tokens %+v %v", list, err)
	}
}

func TestSessionExpires(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	u, err := s.AddUser(ctx, "ana", Analyst, pw, nil, "cli")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().UTC()
	s.now = func() time.Time { return start }
	cookie, _, err := s.NewSession(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return start.Add(SessionTTL - time.Second) }
	if _, err := s.Session(ctx, cookie); err != nil {
		t.Errorf("session before its end: %v", err)
	}
	s.now = func() time.Time { return start.Add(SessionTTL) }
	if _, err := s.Session(ctx, cookie); !errors.Is(err, ErrNoSession) {
		t.Errorf("expired session: %v", err)
	}
	if _, _, err := s.NewSession(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM sessions`).Scan(&n)
	if n != 1 {
		t.Errorf("%d sessions stored, want the expired one swept", n)
	}
	if err := s.EndSession(ctx, cookie); err != nil {
		t.Fatal(err)
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	l := &Limiter{MaxPerName: 3, MaxPerAddr: 5, Window: time.Minute, MaxEntries: 4, Now: func() time.Time { return now }}
	for range 3 {
		if _, ok := l.Allow("Ana", "10.0.0.1"); !ok {
			t.Fatal("refused before the limit")
		}
		l.Fail("Ana", "10.0.0.1")
	}
	if r, ok := l.Allow("ana", "10.0.0.9"); ok || r.Wait != time.Minute || !r.First {
		t.Errorf("4th try for the name (any case, other address): %+v %v, want refused for 1m, first", r, ok)
	}
	if r, ok := l.Allow("ana", "10.0.0.9"); ok || r.First {
		t.Errorf("5th try: %+v %v, want refused, not first", r, ok)
	}
	if _, ok := l.Allow("bo", "10.0.0.1"); !ok {
		t.Error("another name from the same address refused below the address limit")
	}
	l.Fail("bo", "10.0.0.1")
	l.Fail("cy", "10.0.0.1")
	if _, ok := l.Allow("dee", "10.0.0.1"); ok {
		t.Error("5 failures from one address did not limit it")
	}
	now = now.Add(30 * time.Second)
	if r, _ := l.Allow("ana", "10.0.0.2"); r.Wait != 30*time.Second {
		t.Errorf("wait %v, want 30s", r.Wait)
	}
	now = now.Add(30 * time.Second)
	if _, ok := l.Allow("ana", "10.0.0.1"); !ok {
		t.Error("still refused after the window")
	}
	l.Fail("eve", "10.0.0.3")
	l.Succeed("eve")
	if _, ok := l.Allow("eve", "10.0.0.4"); !ok {
		t.Error("refused after a success")
	}
	for i := range 50 {
		l.Fail("spray", "10.1.0."+string(rune('a'+i%26)))
	}
	if l.Len() > 4 {
		t.Errorf("%d entries kept, limit 4", l.Len())
	}
}

func TestVerifyPassword(t *testing.T) {
	h, err := hashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		hash, pw string
		ok       bool
		err      bool
	}{
		{h, pw, true, false},
		{h, pw + " ", false, false},
		{"$2a$10$abc", pw, false, true},
		{strings.Replace(h, "m=19456", "m=0", 1), pw, false, true},
		{"", pw, false, true},
	} {
		ok, err := verifyPassword(tc.hash, tc.pw)
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("verify(%.30q, %q) = %v, %v", tc.hash, tc.pw, ok, err)
		}
	}
	h2, _ := hashPassword(pw)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
}

// TestDecisionDetail: a decision's audit detail names the status, then the
// dismissal's kind and the reason only when given.
func TestDecisionDetail(t *testing.T) {
	for _, tc := range []struct{ to, why, reason, want string }{
		{"confirmed", "", "", "to confirmed"},
		{"confirmed", "", "logo copied", "to confirmed: logo copied"},
		{"dismissed", "authorized", "", "to dismissed (authorized)"},
		{"dismissed", "authorized", "reseller contract", "to dismissed (authorized): reseller contract"},
	} {
		if got := DecisionDetail(tc.to, tc.why, tc.reason); got != tc.want {
			t.Errorf("DecisionDetail(%q, %q, %q) = %q, want %q", tc.to, tc.why, tc.reason, got, tc.want)
		}
	}
}
