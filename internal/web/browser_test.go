package web

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
)

// chromium finds the browser; CI installs Debian's chromium.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on PATH; .ci/run installs Debian's chromium")
	}
	t.Skip("no Chromium on PATH (apt-get install chromium)")
	return ""
}

// newBrowser starts headless Chromium with JavaScript off, stopped when the
// test ends.
func newBrowser(t *testing.T) context.Context {
	return startChromium(t, false, 60*time.Second)
}

// startChromium starts headless Chromium, with JavaScript on or off, for
// at most timeout; it is stopped when the test ends.
func startChromium(t *testing.T, scripts bool, timeout time.Duration) context.Context {
	bin := chromium(t)
	// Not t.TempDir: Chromium's helpers may still be writing to its profile
	// as the test ends, and a leftover profile is no failure.
	dir, err := os.MkdirTemp("", "assay-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	if !scripts {
		opts = append(opts, chromedp.Flag("blink-settings", "scriptEnabled=false"))
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	return ctx
}

// signIn fills in the login form the server sends an anonymous browser to.
func signIn(start, name, password string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(start),
		chromedp.WaitVisible(`form.login`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="name"]`, name, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="password"]`, password, chromedp.ByQuery),
		chromedp.Click(`form.login button`, chromedp.ByQuery),
	}
}

// TestBrowserDecision drives the UI in headless Chromium as an analyst
// would, with JavaScript off: sign in through the form (the Secure,
// HttpOnly session cookie must be kept by the browser on plain
// http://127.0.0.1), open the queue, open a case, confirm it, read the
// audit trail, and sign out; no request leaves the server (the CSP would
// block it and the page has no script).
func TestBrowserDecision(t *testing.T) {
	srv, _ := newTestServer(t, &recordTeacher{})
	addUser(t, srv.accounts, "ana", account.Analyst)
	ctx := newBrowser(t)

	var queue, trail, after string
	var cookies []*network.Cookie
	err := chromedp.Run(ctx,
		signIn(srv.URL+"/cases", "ana", testPassword),
		chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Text(`main`, &queue, chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			cookies, err = storage.GetCookies().Do(ctx)
			return err
		}),
		chromedp.Click(`a[href="/cases/1"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name="reason"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="reason"]`, "logo copied from the official photo", chromedp.ByQuery),
		chromedp.Click(`button[value="confirmed"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`button[value="in_notice"]`, chromedp.ByQuery),
		chromedp.Text(`main`, &trail, chromedp.ByQuery),
		chromedp.Click(`form.logout button`, chromedp.ByQuery),
		chromedp.WaitVisible(`form.login`, chromedp.ByQuery),
		chromedp.Navigate(srv.URL+"/cases"),
		chromedp.WaitVisible(`form.login`, chromedp.ByQuery),
		chromedp.Location(&after),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(cookies) != 1 || cookies[0].Name != sessionCookie || !cookies[0].HTTPOnly || !cookies[0].Secure || cookies[0].SameSite != network.CookieSameSiteLax {
		t.Errorf("the browser keeps %+v, want one HttpOnly, Secure, SameSite=Lax session cookie", cookies)
	}
	if !strings.HasSuffix(after, "/login?next=%2Fcases") {
		t.Errorf("after signing out the queue goes to %s, want the login form", after)
	}
	if !strings.Contains(queue, `<script>alert("x")</script> Fullips 1:1`) {
		t.Errorf("the seller's title is not shown as text:\n%s", queue)
	}
	for _, want := range []string{"confirmed", "ana", "new → confirmed", "logo copied from the official photo"} {
		if !strings.Contains(trail, want) {
			t.Errorf("case page after the decision lacks %q:\n%s", want, trail)
		}
	}
}

// TestBrowserNotice sends a takedown notice from the UI and enters what the
// marketplace answered for one listing, as a brand's analyst would.
func TestBrowserNotice(t *testing.T) {
	srv, store := newTestServer(t, &recordTeacher{})
	for _, id := range []int64{1, 2} {
		if err := store.Move(t.Context(), id, casestore.Confirmed, "ana", ""); err != nil {
			t.Fatal(err)
		}
	}
	addUser(t, srv.accounts, "ana", account.Analyst)
	ctx := newBrowser(t)
	var notices, after string
	err := chromedp.Run(ctx,
		signIn(srv.URL+"/notices", "ana", testPassword),
		chromedp.WaitVisible(`form[action="/notices"]`, chromedp.ByQuery),
		chromedp.Text(`main`, &notices, chromedp.ByQuery),
		chromedp.Click(`form[action="/notices"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`tr#case-1`, chromedp.ByQuery),
		chromedp.SendKeys(`tr#case-1 select[name="outcome"]`, "removed", chromedp.ByQuery),
		chromedp.SendKeys(`tr#case-1 input[name="reason"]`, "ticket 4411", chromedp.ByQuery),
		chromedp.Click(`tr#case-1 button`, chromedp.ByQuery),
		chromedp.WaitVisible(`tr#case-1 span.status.removed`, chromedp.ByQuery),
		chromedp.Text(`main`, &after, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notices, "fullips") || !strings.Contains(notices, "shopnet") {
		t.Errorf("notices page does not offer fullips on shopnet:\n%s", notices)
	}
	for _, want := range []string{"ticket 4411", "Dana Reyes", "USPTO 5123456", "submitted"} {
		if !strings.Contains(after, want) {
			t.Errorf("notice page after the outcome lacks %q:\n%s", want, after)
		}
	}
	if c, _ := store.Get(t.Context(), 1); c.Status != casestore.Removed {
		t.Errorf("case 1 is %s, want removed", c.Status)
	}
	if c, _ := store.Get(t.Context(), 2); c.Status != casestore.InNotice {
		t.Errorf("case 2 is %s, want in_notice", c.Status)
	}
}

// TestBrowserOwner: a brand owner signs in and sees their brand's cases in
// the queue and nothing of the other brand, no decision buttons, and is
// refused the other brand's case.
func TestBrowserOwner(t *testing.T) {
	m := newMatrixServer(t, Options{})
	addUser(t, m.accounts, "dana", account.Owner, brandA)
	ctx := newBrowser(t)
	var queue, header, other string
	var buttons int
	err := chromedp.Run(ctx,
		signIn(m.URL+"/cases", "dana", testPassword),
		chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Text(`main`, &queue, chromedp.ByQuery),
		chromedp.Text(`header`, &header, chromedp.ByQuery),
		chromedp.ActionFunc(func(ctx context.Context) error {
			var nodes []*cdp.Node
			if err := chromedp.Nodes(`form[action="/cases/bulk"]`, &nodes, chromedp.ByQuery, chromedp.AtLeast(0)).Do(ctx); err != nil {
				return err
			}
			buttons = len(nodes)
			return nil
		}),
		chromedp.Navigate(m.URL+"/cases/2"),
		chromedp.Text(`body`, &other, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(queue, "ALPHA Fuⅼⅼips gloss") || !strings.Contains(queue, "ALPHA Fuⅼⅼips plumper") || strings.Contains(queue, "BRAVO") {
		t.Errorf("owner's queue:\n%s", queue)
	}
	if !strings.Contains(header, "dana · owner") || strings.Contains(header, "Audit log") {
		t.Errorf("header: %s", header)
	}
	if buttons != 0 {
		t.Error("an owner is offered bulk decisions")
	}
	if strings.Contains(other, "BRAVO") || !strings.Contains(other, "not found") {
		t.Errorf("the other brand's case:\n%s", other)
	}
}
