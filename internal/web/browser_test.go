package web

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
		chromedp.Flag("blink-settings", "scriptEnabled=false"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelBrowser()
		cancelAlloc()
	})
	return ctx
}

// TestBrowserDecision drives the UI in headless Chromium as an analyst
// would, with JavaScript off: open the queue, open a case, confirm it, and
// read the audit trail; no request leaves the server (the CSP would block
// it and the page has no script).
func TestBrowserDecision(t *testing.T) {
	srv, _ := newTestServer(t, &recordTeacher{})
	ctx := newBrowser(t)

	var queue, trail string
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/cases"),
		chromedp.WaitVisible(`table`, chromedp.ByQuery),
		chromedp.Text(`main`, &queue, chromedp.ByQuery),
		chromedp.Click(`a[href="/cases/1"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`input[name="actor"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name="actor"]`, "ana", chromedp.ByQuery),
		chromedp.SendKeys(`input[name="reason"]`, "logo copied from the official photo", chromedp.ByQuery),
		chromedp.Click(`button[value="confirmed"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`button[value="in_notice"]`, chromedp.ByQuery),
		chromedp.Text(`main`, &trail, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
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
	ctx := newBrowser(t)
	var notices, after string
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/notices"),
		chromedp.WaitVisible(`form[action="/notices"]`, chromedp.ByQuery),
		chromedp.Text(`main`, &notices, chromedp.ByQuery),
		chromedp.SendKeys(`form[action="/notices"] input[name="actor"]`, "ana", chromedp.ByQuery),
		chromedp.Click(`form[action="/notices"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`tr#case-1`, chromedp.ByQuery),
		chromedp.SendKeys(`tr#case-1 select[name="outcome"]`, "removed", chromedp.ByQuery),
		chromedp.SendKeys(`tr#case-1 input[name="reason"]`, "ticket 4411", chromedp.ByQuery),
		chromedp.SendKeys(`tr#case-1 input[name="actor"]`, "ana", chromedp.ByQuery),
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
