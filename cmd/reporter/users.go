package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"

	"github.com/assay-dev/assay/internal/account"
)

const usersUsage = `Usage:
  reporter users add NAME --role admin|analyst|owner [--brand ID ...] [--random-password] [--db FILE]
  reporter users passwd NAME [--random-password] [--db FILE]
  reporter users disable NAME | enable NAME [--db FILE]
  reporter users grant NAME BRAND | ungrant NAME BRAND [--db FILE]
  reporter users list [--db FILE]

Accounts of the analyst UI and API, kept in the case database (--db, as
given to reporter run). Roles: admin (everything, the audit log), analyst
(every brand: decides cases, builds notices), owner (only the brands it
owns, read-only, and registering or editing them). The password is read
from standard input (its first line), or asked for twice on a terminal; at
least 12 characters. --random-password makes one and prints it once.
There is no default account: the first admin is made with users add.
`

const tokensUsage = `Usage:
  reporter tokens add NAME --user ACCOUNT [--db FILE]
  reporter tokens revoke NAME [--db FILE]
  reporter tokens list [--db FILE]

API tokens for scripts: send one as "Authorization: Bearer TOKEN". A token
acts as its account, with its role and brands; it is printed once, when
made, and only its SHA-256 is stored. Revoked tokens, and tokens of
disabled accounts, are refused.
`

// cliActor names who ran a command, for the audit log.
func cliActor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}

// parseInterleaved parses flags given before, between or after the
// positional arguments ("users add ana --role admin") and returns the
// positional ones.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// brandList is a repeatable --brand flag that also takes commas.
type brandList []string

func (b *brandList) String() string { return strings.Join(*b, ",") }
func (b *brandList) Set(v string) error {
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*b = append(*b, id)
		}
	}
	return nil
}

// readPassword reads a new password: asked for twice without echo on a
// terminal, else the first line of stdin; or made at random and printed.
func readPassword(stdin io.Reader, stdout, stderr io.Writer, random bool) (string, error) {
	if random {
		b := make([]byte, 18)
		if _, err := rand.Read(b); err != nil {
			return "", err
		}
		pw := base64.RawURLEncoding.EncodeToString(b)
		fmt.Fprintf(stdout, "password: %s\n", pw)
		return pw, nil
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "New password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password on standard input (pipe one in, or use --random-password)")
	}
	return pw, nil
}

// users manages accounts.
func users(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), usersUsage+"\nFlags:\n"); fs.PrintDefaults() }
	db := fs.String("db", "assay-cases.db", "case database `FILE` (as reporter run's --db)")
	role := fs.String("role", "", "for add: admin, analyst or owner")
	var brands brandList
	fs.Var(&brands, "brand", "for add: a brand `ID` an owner owns (repeat, or commas)")
	random := fs.Bool("random-password", false, "make a random password and print it once, instead of reading one")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	want := map[string]int{"add": 2, "passwd": 2, "disable": 2, "enable": 2, "grant": 3, "ungrant": 3, "list": 1}
	if len(pos) == 0 || want[pos[0]] != len(pos) {
		fs.Usage()
		return 2
	}
	if pos[0] == "add" && *role == "" {
		fmt.Fprintln(stderr, "reporter users add: --role is required (admin, analyst or owner)")
		return 2
	}
	var r account.Role
	if *role != "" {
		if r, err = account.ParseRole(*role); err != nil {
			fmt.Fprintf(stderr, "reporter users: --role: %v\n", err)
			return 2
		}
	}
	accts, err := openAccounts(ctx, *db, pos[0] == "add", "reporter users", stderr)
	if err != nil {
		fmt.Fprintf(stderr, "reporter users: %v\n", err)
		return 1
	}
	defer accts.Close()
	who := cliActor()
	switch pos[0] {
	case "list":
		list, err := accts.Users(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "reporter users list: %v\n", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tBRANDS\tSTATE\tCREATED")
		for _, u := range list {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.Role, strings.Join(u.Brands, ","), state, u.Created.Format("2006-01-02 15:04"))
		}
		tw.Flush()
		return 0
	case "add", "passwd":
		pw, err := readPassword(stdin, stdout, stderr, *random)
		if err != nil {
			fmt.Fprintf(stderr, "reporter users %s: %v\n", pos[0], err)
			return 2
		}
		if pos[0] == "add" {
			_, err = accts.AddUser(ctx, pos[1], r, pw, brands, who)
		} else {
			err = accts.SetPassword(ctx, pos[1], pw, who)
		}
		if err != nil {
			fmt.Fprintf(stderr, "reporter users %s: %v\n", pos[0], err)
			return userErrStatus(err)
		}
		if pos[0] == "add" {
			fmt.Fprintf(stdout, "account %s (%s) added\n", pos[1], r)
		} else {
			fmt.Fprintf(stdout, "password of %s changed; its sessions are ended\n", pos[1])
		}
	case "disable", "enable":
		if err := accts.SetDisabled(ctx, pos[1], pos[0] == "disable", who); err != nil {
			fmt.Fprintf(stderr, "reporter users %s: %v\n", pos[0], err)
			return userErrStatus(err)
		}
		fmt.Fprintf(stdout, "account %s %sd\n", pos[1], pos[0])
	case "grant", "ungrant":
		f := accts.Grant
		if pos[0] == "ungrant" {
			f = accts.Ungrant
		}
		if err := f(ctx, pos[1], pos[2], who); err != nil {
			fmt.Fprintf(stderr, "reporter users %s: %v\n", pos[0], err)
			return userErrStatus(err)
		}
		fmt.Fprintf(stdout, "account %s: %s brand %s\n", pos[1], pos[0], pos[2])
	}
	return 0
}

// userErrStatus is 2 when the input itself was wrong, 1 when the database
// failed or the thing named is missing or taken.
func userErrStatus(err error) int {
	if errors.Is(err, account.ErrInvalid) {
		return 2
	}
	return 1
}

// tokens manages API tokens.
func tokens(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tokens", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), tokensUsage+"\nFlags:\n"); fs.PrintDefaults() }
	db := fs.String("db", "assay-cases.db", "case database `FILE` (as reporter run's --db)")
	owner := fs.String("user", "", "for add: the `ACCOUNT` the token acts as")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	want := map[string]int{"add": 2, "revoke": 2, "list": 1}
	if len(pos) == 0 || want[pos[0]] != len(pos) {
		fs.Usage()
		return 2
	}
	if pos[0] == "add" && *owner == "" {
		fmt.Fprintln(stderr, "reporter tokens add: --user is required: the account the token acts as")
		return 2
	}
	accts, err := openAccounts(ctx, *db, false, "reporter tokens", stderr)
	if err != nil {
		fmt.Fprintf(stderr, "reporter tokens: %v\n", err)
		return 1
	}
	defer accts.Close()
	switch pos[0] {
	case "add":
		tok, err := accts.AddToken(ctx, pos[1], *owner, cliActor())
		if err != nil {
			fmt.Fprintf(stderr, "reporter tokens add: %v\n", err)
			return userErrStatus(err)
		}
		fmt.Fprintf(stderr, "token %s for %s; it is shown this once:\n", pos[1], *owner)
		fmt.Fprintln(stdout, tok)
	case "revoke":
		if err := accts.RevokeToken(ctx, pos[1], cliActor()); err != nil {
			fmt.Fprintf(stderr, "reporter tokens revoke: %v\n", err)
			return userErrStatus(err)
		}
		fmt.Fprintf(stdout, "token %s revoked\n", pos[1])
	case "list":
		list, err := accts.Tokens(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "reporter tokens list: %v\n", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tACCOUNT\tCREATED\tLAST USED\tREVOKED")
		day := func(t interface {
			IsZero() bool
			Format(string) string
		}) string {
			if t.IsZero() {
				return "-"
			}
			return t.Format("2006-01-02 15:04")
		}
		for _, t := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.User, day(t.Created), day(t.LastUsed), day(t.Revoked))
		}
		tw.Flush()
	}
	return 0
}

// audit prints the audit log, newest first.
func audit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "assay-cases.db", "case database `FILE`")
	limit := fs.Int("limit", 100, "the newest `N` entries")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	accts, err := openAccounts(ctx, *db, false, "reporter audit", stderr)
	if err != nil {
		fmt.Fprintf(stderr, "reporter audit: %v\n", err)
		return 1
	}
	defer accts.Close()
	entries, err := accts.Audit(ctx, *limit)
	if err != nil {
		fmt.Fprintf(stderr, "reporter audit: %v\n", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WHEN\tWHO\tWHAT\tSUBJECT\tDETAIL\tFROM")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format("2006-01-02 15:04:05"), e.Actor, e.Action, e.Subject, e.Detail, e.Addr)
	}
	tw.Flush()
	return 0
}

// openAccounts opens the account tables of the case database db. Only
// users add may create the database, since the first admin comes before
// the reporter's first run, and it says so; anywhere else a missing file is
// a mistyped --db, which would otherwise open an empty database.
func openAccounts(ctx context.Context, db string, create bool, cmd string, stderr io.Writer) (*account.Store, error) {
	if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil, fmt.Errorf("no case database at %s (check --db)", db)
		}
		fmt.Fprintf(stderr, "%s: %s does not exist yet: creating it (give reporter run the same --db)\n", cmd, db)
	}
	return account.Open(ctx, db)
}

// auditCLI records in the audit log what a command did to the cases, as
// the UI does; actor is the name given with --actor, and the entry says
// who ran the command. A failure to record is reported, the action itself
// already done.
func auditCLI(ctx context.Context, db string, stderr io.Writer, entries ...account.Entry) {
	accts, err := account.Open(ctx, db)
	if err == nil {
		defer accts.Close()
		for _, e := range entries {
			e.Detail = strings.TrimSpace(e.Detail + " (" + cliActor() + ")")
			if err = accts.Record(ctx, e); err != nil {
				break
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "reporter: done, but not written to the audit log: %v\n", err)
	}
}
