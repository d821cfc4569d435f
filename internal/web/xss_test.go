package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casesearch"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/reporter"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// Payloads a seller can write into a listing. Each script sets a global
// that the browser check reads; each element is one the DOM check looks
// for.
const (
	xssTitle       = `<script>window.__xss="title"</script> Fullips lip plumper 1:1 replica`
	xssDescription = `"><img src=x onerror="window.__xss='description'"> Fullips AAA copy <svg onload="window.__xss='svg'"></svg>`
	xssSellerID    = `s"><script>window.__xss="seller"</script>`
	xssSellerName  = `<iframe src="javascript:window.__xss='iframe'"></iframe>`
	xssMarketplace = `shop<script>window.__xss="marketplace"</script>net`
	xssURL         = `javascript:window.__xss='url'//https://shopnet.example/1`
	xssListingID   = `mp-1<script>window.__xss="id"</script>`
	xssFormula     = `=HYPERLINK("http://evil.example","Fullips lip plumper replica")`
)

// rawMarkup is what must never appear in a page as written: each payload's
// markup, unescaped.
var rawMarkup = []string{`<script>window.__xss`, `<img src=x`, `<svg onload`, `<iframe src=`, `href="javascript:`, `src="javascript:`, `<xssq>`}

// hostileCandidates scores listings full of markup with the real engine,
// so that the evidence quotes them as the matcher would.
func hostileCandidates(t *testing.T) []*stream.Candidate {
	t.Helper()
	reg, err := brand.Parse([]byte("brands:\n  - id: fullips\n    name: Fullips\n    owner: Fullips Inc.\n    price_floor: {amount: 15, currency: USD}\n"), "brands.yaml")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := score.New(reg, score.Options{})
	if err != nil {
		t.Fatal(err)
	}
	listings := []*listing.Listing{
		{ID: xssListingID, Marketplace: xssMarketplace, URL: xssURL, Title: xssTitle, Description: xssDescription,
			Price: &price.Money{Amount: 3, Currency: "USD"}, Seller: listing.Seller{ID: xssSellerID, Name: xssSellerName},
			Images: []string{"javascript:alert(1)", `https://img.example/"><script>window.__xss="image"</script>.jpg`}},
		{ID: "mp-2", Marketplace: xssMarketplace, URL: "https://shopnet.example/2", Title: xssFormula,
			Price: &price.Money{Amount: 2, Currency: "USD"}, Seller: listing.Seller{ID: xssSellerID, Name: xssSellerName}},
	}
	var out []*stream.Candidate
	for _, l := range listings {
		v := eng.Score(l, nil)
		if !v.Flagged || v.BrandID != "fullips" {
			t.Fatalf("listing %q not flagged for fullips: %+v", l.ID, v)
		}
		raw, _ := json.Marshal(l)
		out = append(out, &stream.Candidate{Verdict: v, Listing: l, ContentHash: stream.ContentHash(raw), ScoredAt: time.Now().UTC()})
	}
	return out
}

// hostileServer sends the candidates through Kafka and the reporter's
// intake into a real case store, and serves the UI over it, to an
// analyst: a client with their API token, and their name.
func hostileServer(t *testing.T) (*httptest.Server, *http.Client, string) {
	t.Helper()
	ctx := context.Background()
	brokers := kafkatest.Start(t).Cluster()
	cands := hostileCandidates(t)
	var msgs []kafka.Message
	for _, c := range cands {
		data, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, kafka.Message{Key: []byte(c.ListingID), Value: data})
	}
	w := brokers.NewWriter(stream.DefaultTopics().Candidates)
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	w.Close()

	store, err := casestore.Open(ctx, filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	in, err := reporter.NewIntake(store, reporter.Options{Kafka: brokers, Registerer: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- in.Run(runCtx) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		cases, err := store.List(ctx, casestore.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) == len(cands) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d cases stored, want %d", len(cases), len(cands))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	ix, err := casesearch.Open(filepath.Join(t.TempDir(), "cases.search"), store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	accts := newAccounts(t)
	s, err := New(store, Options{Teacher: &recordTeacher{}, Search: ix, Directory: testDirectory{}, Accounts: accts})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	// An analyst reads and decides.
	client, name := clientAs(t, accts, account.Analyst)
	return srv, client, name
}

// apiPost posts a JSON body to the API and decodes the answer.
func apiPost(t *testing.T, client *http.Client, u string, body any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(body)
	resp, err := client.Post(u, "application/json", strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode >= 300 {
		t.Fatalf("POST %s: %d %v %v", u, resp.StatusCode, out, err)
	}
	return out
}

// checkHostilePages confirms the cases and checks the notices page, which
// then lists them as ready to send; it issues their notice and checks
// every page that shows what the sellers wrote. It returns the notice's id.
func checkHostilePages(t *testing.T, srv *httptest.Server, client *http.Client, check func(t *testing.T, page string)) string {
	t.Helper()
	for _, id := range []int{1, 2} {
		apiPost(t, client, fmt.Sprintf("%s/api/v1/cases/%d/status", srv.URL, id), map[string]string{"status": "confirmed", "reason": "copied"})
	}
	// The ready list offers a notice for the marketplace, named in its
	// form, which is gone once the notice is built.
	resp, err := client.Get(srv.URL + "/notices")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `<input type="hidden" name="marketplace" value="shop&lt;script&gt;`) {
		t.Fatalf("the notices page lists no confirmed cases ready on %q:\n%s", xssMarketplace, body)
	}
	t.Run("/notices (ready)", func(t *testing.T) { check(t, "/notices") })
	out := apiPost(t, client, srv.URL+"/api/v1/notices", map[string]string{"brand": "fullips", "marketplace": xssMarketplace})
	ids, _ := out["notices"].([]any)
	if len(ids) != 1 {
		t.Fatalf("notices %v", out)
	}
	nid := url.PathEscape(ids[0].(string))
	seller := url.PathEscape(xssSellerID)
	for _, p := range []string{
		"/cases", "/cases?status=in_notice", "/cases/1", "/cases/2", "/sellers/" + seller, "/brands/fullips",
		"/notices", "/notices/" + nid, "/notices/" + nid + "/file?format=html",
		// Reflected: the filters, the search box and messages echo the query.
		"/cases?seller=" + url.QueryEscape(xssSellerID) + "&marketplace=" + url.QueryEscape(xssMarketplace),
		"/cases?q=" + url.QueryEscape("<xssq>Fullips</xssq>"),
		"/cases?done=" + url.QueryEscape(`<img src=x onerror="window.__xss='done'">`),
		"/notices/" + nid + "?done=" + url.QueryEscape(`<script>window.__xss="done"</script>`),
	} {
		t.Run(p, func(t *testing.T) { check(t, p) })
	}
	return nid
}

// TestHostileListingsEscaped: listings whose every field carries markup go
// through Kafka and the reporter into cases and a notice; every page that
// shows them holds none of it unescaped, and the JSON and CSV notices keep
// the text intact but inert.
func TestHostileListingsEscaped(t *testing.T) {
	srv, client, _ := hostileServer(t)
	nid := checkHostilePages(t, srv, client, func(t *testing.T, p string) {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'none'") {
			t.Errorf("CSP %q", csp)
		}
		page := string(body)
		for _, m := range rawMarkup {
			if i := strings.Index(page, m); i >= 0 {
				t.Errorf("page carries %q unescaped: ...%s...", m, page[max(0, i-80):min(len(page), i+80)])
			}
		}
		if strings.Contains(strings.ToLower(page), "javascript:") && !strings.Contains(page, "javascript:window.__xss=&#39;url&#39;") &&
			!strings.Contains(page, "javascript:window.__xss=&#39;iframe&#39;") && !strings.Contains(page, "javascript:alert(1)") {
			t.Errorf("page has a javascript: reference that is not an escaped payload")
		}
	})
	// The notice the marketplace receives: the title as data, never as a
	// formula or markup.
	resp, err := client.Get(srv.URL + "/notices/" + nid + "/file?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]bool{}
	for _, r := range rows[1:] {
		titles[r[9]] = true
	}
	if !titles["'"+xssFormula] || !titles[xssTitle] {
		t.Errorf("CSV titles %v, want the formula made inert and the markup kept as text", titles)
	}
	resp, err = client.Get(srv.URL + "/notices/" + nid + "/file?format=json")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" || strings.Contains(string(js), "<script") {
		t.Errorf("JSON notice %q, markup unescaped: %v", ct, strings.Contains(string(js), "<script"))
	}
}

// scriptBrowser starts headless Chromium with JavaScript on: an injected
// script would run, where the UI tests' browser runs none.
func scriptBrowser(t *testing.T) context.Context {
	return startChromium(t, true, 90*time.Second)
}

// injectedElements counts what the payloads would add to the DOM if
// rendered as markup: scripts, frames, event handlers, javascript: links.
const injectedElements = `document.querySelectorAll('script, iframe, xssq, [onerror], [onload], img[src="x"], a[href^="javascript:" i], img[src^="javascript:" i], iframe[src^="javascript:" i]').length`

// TestHostileListingsInBrowser opens every page that shows the hostile
// listings in Chromium with JavaScript on: no injected script ran, no
// injected element is in the DOM, and the payloads are on the page as
// text (or the search box's value), so the check is not passing on pages
// that left them out.
func TestHostileListingsInBrowser(t *testing.T) {
	srv, client, name := hostileServer(t)
	ctx := scriptBrowser(t)
	if err := chromedp.Run(ctx, signIn(srv.URL+"/cases", name, testPassword), chromedp.WaitVisible(`table`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	// Chromium itself runs scripts here: a page of this server's origin
	// without the CSP would run this one.
	checkHostilePages(t, srv, client, func(t *testing.T, p string) {
		var ran any
		var injected int
		var text string
		err := chromedp.Run(ctx,
			chromedp.Navigate(srv.URL+p),
			chromedp.WaitReady("body", chromedp.ByQuery),
			chromedp.Evaluate(`window.__xss === undefined ? null : String(window.__xss)`, &ran),
			chromedp.Evaluate(injectedElements, &injected),
			// The search box shows its query as its value, not as text.
			chromedp.Evaluate(`document.body.innerText + '\n' + (document.querySelector('input[name="q"]')?.value ?? '')`, &text),
		)
		if err != nil {
			t.Fatal(err)
		}
		if ran != nil {
			t.Errorf("injected script ran: window.__xss = %v", ran)
		}
		if injected != 0 {
			t.Errorf("%d injected elements in the DOM", injected)
		}
		if !strings.Contains(text, "<script>window.__xss=") && !strings.Contains(text, `<img src=x onerror=`) && !strings.Contains(text, "<xssq>") {
			t.Errorf("no payload shown as text; the page:\n%.1500s", text)
		}
	})
}
