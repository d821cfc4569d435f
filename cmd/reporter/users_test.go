package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/account"
)

// TestUsersAndTokens walks the account commands: the first admin from a
// piped password, refusals that name what was wrong, an owner with brands,
// password changes, disabling, tokens shown once and revoked, and the
// audit log listing it all.
func TestUsersAndTokens(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cases.db")
	var token, danaPassword string
	tests := []struct {
		args           []string
		stdin          string
		status         int
		stdout, stderr string
	}{
		{[]string{"users", "list", "--db", db}, "", 1, "", "no case database at " + db + " (check --db)"},
		{[]string{"audit", "--db", db}, "", 1, "", "no case database at"},
		{[]string{"tokens", "list", "--db", db}, "", 1, "", "no case database at"},
		{[]string{"users", "add", "root", "--role", "admin", "--db", db}, "correct horse battery\n", 0, "account root (admin) added", "does not exist yet: creating it"},
		{[]string{"users", "list", "--db", db}, "", 0, "NAME", ""},
		{[]string{"users", "add", "root", "--role", "admin", "--db", db}, "correct horse battery\n", 1, "", `account "root": already exists`},
		{[]string{"users", "add", "ana", "--role", "analyst", "--db", db}, "short\n", 2, "", "password too short: 5 characters, at least 12"},
		{[]string{"users", "add", "ana", "--role", "analyst", "--db", db}, "", 2, "", "no password on standard input"},
		{[]string{"users", "add", "ana", "--db", db}, "correct horse battery\n", 2, "", "--role is required"},
		{[]string{"users", "add", "ana", "--role", "boss", "--db", db}, "correct horse battery\n", 2, "", `unknown role "boss"`},
		{[]string{"users", "add", "ana", "--role", "analyst", "--brand", "fullips", "--db", db}, "correct horse battery\n", 2, "", "owned by owner accounts only"},
		{[]string{"users", "add", "dana", "--role", "owner", "--brand", "fullips,dyson", "--random-password", "--db", db}, "", 0, "password: ", ""},
		{[]string{"users", "add", "--db", db}, "", 2, "", "Usage"},
		{[]string{"users", "passwd", "nobody", "--db", db}, "correct horse battery\n", 1, "", `account "nobody": no such account`},
		{[]string{"users", "passwd", "root", "--db", db}, "another long password\n", 0, "sessions are ended", ""},
		{[]string{"users", "grant", "root", "acme", "--db", db}, "", 2, "", "owned by owner accounts only"},
		{[]string{"users", "ungrant", "dana", "dyson", "--db", db}, "", 0, "ungrant brand dyson", ""},
		{[]string{"users", "ungrant", "dana", "dyson", "--db", db}, "", 1, "", `account "dana" does not own brand "dyson"`},
		{[]string{"users", "disable", "dana", "--db", db}, "", 0, "account dana disabled", ""},
		{[]string{"users", "list", "--db", db}, "", 0, "dana  owner  fullips  disabled", ""},
		{[]string{"tokens", "add", "nightly", "--db", db}, "", 2, "", "--user is required"},
		{[]string{"tokens", "add", "nightly", "--user", "nobody", "--db", db}, "", 1, "", "no such account"},
		{[]string{"tokens", "add", "nightly", "--user", "root", "--db", db}, "", 0, account.TokenPrefix, "shown this once"},
		{[]string{"tokens", "list", "--db", db}, "", 0, "nightly  root", ""},
		{[]string{"tokens", "revoke", "weekly", "--db", db}, "", 1, "", `token "weekly": no such API token`},
		{[]string{"tokens", "revoke", "nightly", "--db", db}, "", 0, "token nightly revoked", ""},
		{[]string{"audit", "--db", db}, "", 0, "token_revoke", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:min(3, len(tt.args))], " "), func(t *testing.T) {
			var out, errw strings.Builder
			if got := run(tt.args, strings.NewReader(tt.stdin), &out, &errw); got != tt.status {
				t.Errorf("status %d, want %d (stderr %s)", got, tt.status, errw.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errw.String(), tt.stderr) {
				t.Errorf("stdout %q stderr %q, want %q and %q", out.String(), errw.String(), tt.stdout, tt.stderr)
			}
			if tt.args[0] == "tokens" && tt.args[1] == "add" && tt.status == 0 {
				token = strings.TrimSpace(out.String())
			}
			if m := regexp.MustCompile(`(?m)^password: (\S+)$`).FindStringSubmatch(out.String()); m != nil && tt.args[2] == "dana" {
				danaPassword = m[1]
			}
		})
	}
	accts, err := account.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer accts.Close()
	ctx := context.Background()
	if _, err := accts.Authenticate(ctx, "root", "another long password"); err != nil {
		t.Errorf("root cannot log in with the changed password: %v", err)
	}
	if danaPassword == "" {
		t.Fatal("users add --random-password printed no password")
	}
	if _, err := accts.Authenticate(ctx, "dana", danaPassword); err == nil {
		t.Error("a disabled account logged in with its own password")
	}
	if !regexp.MustCompile(`^assay_[A-Za-z0-9_-]{43}$`).MatchString(token) {
		t.Errorf("token %q", token)
	}
	if _, err := accts.TokenIdentity(ctx, token); err == nil {
		t.Error("the revoked token is accepted")
	}
	entries, _ := accts.Audit(ctx, 0)
	var got []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Actor, "cli") {
			t.Errorf("audit entry by %q, want the command line", e.Actor)
		}
		got = append(got, e.Action)
	}
	if want := "token_revoke token_add user_disable user_ungrant user_passwd user_add user_add"; strings.Join(got, " ") != want {
		t.Errorf("audit log %q, want %q", got, want)
	}
}
