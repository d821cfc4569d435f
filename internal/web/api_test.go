package web

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
)

// call makes one API request and decodes the JSON answer.
func call(t *testing.T, c *http.Client, method, u, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("%s %s: content type %q", method, u, ct)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, u, err)
	}
	return resp.StatusCode, out
}

// TestAPINotices walks a takedown through the JSON API: decisions, a
// notice split at its cap, per-listing outcomes that move the cases, and
// every kind of bad request answered with a 4xx and a reason.
func TestAPINotices(t *testing.T) {
	srv, store := newTestServer(t, &recordTeacher{})
	api := srv.URL + "/api/v1"
	ana := srv.as(t, account.Analyst)
	steps := []struct {
		name, method, path, body string
		code                     int
		errHas                   string
	}{
		{"list cases", "GET", "/cases?brand=fullips", "", 200, ""},
		{"bad sort", "GET", "/cases?sort=price", "", 400, "sort must be one of"},
		{"bad limit", "GET", "/cases?limit=0", "", 400, "limit"},
		{"bad date", "GET", "/cases?from=yesterday", "", 400, `from "yesterday" is not a date`},
		{"unknown case", "GET", "/cases/99", "", 404, "case 99 does not exist"},
		{"case id not a number", "GET", "/cases/x", "", 404, "not a number"},
		{"unknown route", "GET", "/casez", "", 404, "no API route"},
		{"decision in another's name", "POST", "/cases/1/status", `{"status":"confirmed","actor":"bo"}`, 400, `actor "bo" is not the signed-in account "analyst"`},
		{"misspelt field", "POST", "/cases/1/status", `{"status":"confirmed","actr":"ana"}`, 400, `unknown field "actr"`},
		{"not JSON", "POST", "/cases/1/status", `status=confirmed`, 400, "not the expected JSON"},
		{"unknown status", "POST", "/cases/1/status", `{"status":"gone","actor":"analyst"}`, 400, "unknown status"},
		{"illegal move", "POST", "/cases/1/status", `{"status":"removed","actor":"analyst"}`, 409, "allowed from new: confirmed, dismissed"},
		{"confirm 1", "POST", "/cases/1/status", `{"status":"confirmed","actor":"analyst","reason":"logo"}`, 200, ""},
		{"confirm 2", "POST", "/cases/2/status", `{"status":"confirmed"}`, 200, ""},
		{"notice in another's name", "POST", "/notices", `{"brand":"fullips","marketplace":"shopnet","actor":"bo"}`, 400, "is not the signed-in account"},
		{"notice for an unregistered brand", "POST", "/notices", `{"brand":"acme","marketplace":"shopnet","actor":"analyst"}`, 400, `brand "acme" is not registered`},
		{"notice with nothing confirmed there", "POST", "/notices", `{"brand":"fullips","marketplace":"elsewhere","actor":"analyst"}`, 409, "no confirmed cases"},
		{"notice, cap 1", "POST", "/notices", `{"brand":"fullips","marketplace":"shopnet","actor":"analyst","cap":1}`, 201, ""},
		{"again: nothing left to send", "POST", "/notices", `{"brand":"fullips","marketplace":"shopnet","actor":"analyst"}`, 409, "no confirmed cases"},
	}
	var noticeIDs []any
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out := call(t, ana, st.method, api+st.path, st.body)
			if code != st.code {
				t.Fatalf("status %d, want %d: %v", code, st.code, out)
			}
			if msg, _ := out["error"].(string); !strings.Contains(msg, st.errHas) || (st.errHas == "") != (msg == "") {
				t.Errorf("error %q, want one containing %q", msg, st.errHas)
			}
			if st.name == "notice, cap 1" {
				noticeIDs, _ = out["notices"].([]any)
			}
		})
	}
	for q, want := range map[string]int{"to=2000-01-01": 0, "from=" + time.Now().UTC().Format(time.DateOnly): 3, "from=2000-01-01&to=2999-12-31&brand=fullips": 2} {
		_, out := call(t, ana, "GET", api+"/cases?"+q, "")
		if got := len(out["cases"].([]any)); got != want {
			t.Errorf("cases?%s: %d, want %d", q, got, want)
		}
	}
	if len(noticeIDs) != 2 {
		t.Fatalf("notices %v: want two, split at the cap of 1", noticeIDs)
	}
	first := url.PathEscape(noticeIDs[0].(string))
	code, out := call(t, ana, "GET", api+"/notices/"+first, "")
	if code != 200 {
		t.Fatalf("get notice: %d %v", code, out)
	}
	items := out["notice"].(map[string]any)["items"].([]any)
	caseID := int64(items[0].(map[string]any)["case_id"].(float64))
	c, _ := store.Get(t.Context(), caseID)
	if c.Status != casestore.InNotice {
		t.Fatalf("case %d is %s after the notice", caseID, c.Status)
	}
	cid := func(id int64) string { return strconv.FormatInt(id, 10) }
	outcomes := []struct {
		name, path, body string
		code             int
		status           casestore.Status
	}{
		{"outcome in another's name", "/notices/" + first + "/items/" + cid(caseID), `{"outcome":"removed","actor":"bo"}`, 400, casestore.InNotice},
		{"rejected needs a reason", "/notices/" + first + "/items/" + cid(caseID), `{"outcome":"rejected","actor":"analyst"}`, 400, casestore.InNotice},
		{"unknown outcome", "/notices/" + first + "/items/" + cid(caseID), `{"outcome":"lost","actor":"analyst"}`, 400, casestore.InNotice},
		{"case not in this notice", "/notices/" + first + "/items/3", `{"outcome":"removed","actor":"analyst"}`, 404, casestore.InNotice},
		{"unknown notice", "/notices/nope/items/" + cid(caseID), `{"outcome":"removed","actor":"analyst"}`, 404, casestore.InNotice},
		{"removed", "/notices/" + first + "/items/" + cid(caseID), `{"outcome":"removed","actor":"analyst","reason":"ticket 4411"}`, 200, casestore.Removed},
		{"removed cannot be rejected", "/notices/" + first + "/items/" + cid(caseID), `{"outcome":"rejected","actor":"analyst","reason":"x"}`, 409, casestore.Removed},
		{"late counter-notice", "/notices/" + first + "/items/" + cid(caseID), `{"outcome":"counter_noticed","actor":"analyst","reason":"seller claims a licence"}`, 200, casestore.CounterNoticed},
	}
	for _, st := range outcomes {
		t.Run(st.name, func(t *testing.T) {
			code, out := call(t, ana, "POST", api+st.path, st.body)
			if code != st.code {
				t.Fatalf("status %d, want %d: %v", code, st.code, out)
			}
			if c, _ := store.Get(t.Context(), caseID); c.Status != st.status {
				t.Errorf("case %d is %s, want %s", caseID, c.Status, st.status)
			}
		})
	}
	_, out = call(t, ana, "GET", api+"/notices?brand=fullips", "")
	if ns := out["notices"].([]any); len(ns) != 2 {
		t.Errorf("notices listed: %v", ns)
	}
	_, out = call(t, ana, "GET", api+"/cases/"+cid(caseID), "")
	if ns := out["notices"].([]any); len(ns) != 1 || ns[0].(map[string]any)["outcome"] != "counter_noticed" {
		t.Errorf("the case's notices: %v", out["notices"])
	}

	// The pages show the same, and the downloads carry the listing.
	for path, want := range map[string]string{
		"/notices":                                "Sent and drafted",
		"/notices/" + first:                       "counter_noticed",
		"/notices/" + first + "/file?format=csv":  "https://shopnet.example/",
		"/notices/" + first + "/file?format=html": "penalty of perjury",
		"/cases/" + cid(caseID):                   "Takedown notices",
	} {
		resp, err := ana.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, lacks %q", path, resp.StatusCode, want)
		}
	}
	if resp, _ := ana.Get(srv.URL + "/notices/" + first + "/file?format=xml"); resp.StatusCode != 400 {
		t.Errorf("format=xml: %d, want 400", resp.StatusCode)
	}
	resp, err := ana.PostForm(srv.URL+"/notices/"+first+"/outcome", url.Values{"case": {cid(caseID)}, "outcome": {"reinstated"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if c, _ := store.Get(t.Context(), caseID); resp.StatusCode != http.StatusSeeOther || c.Status != casestore.Reinstated {
		t.Errorf("outcome form: %d, case %s; want 303 and reinstated", resp.StatusCode, c.Status)
	}
	// Decisions and notices are audited under the account that made them.
	got := auditActions(t, srv.accounts)
	for _, want := range []string{"analyst decision case 1", "analyst decision case 2", "analyst notice_build notice " + noticeIDs[0].(string),
		"analyst notice_build notice " + noticeIDs[1].(string), "analyst notice_outcome notice " + noticeIDs[0].(string)} {
		if !slices.Contains(got, want) {
			t.Errorf("audit log lacks %q: %q", want, got)
		}
	}
}

// TestAPIDecideAnswersTheCase: an API decision answers with the case as
// moved, whether or not a teacher needed it read back.
func TestAPIDecideAnswersTheCase(t *testing.T) {
	for name, teacher := range map[string]Teacher{"without a teacher": nil, "with one": &recordTeacher{}} {
		t.Run(name, func(t *testing.T) {
			srv, _ := newTestServer(t, teacher)
			code, out := call(t, srv.as(t, account.Analyst), "POST", srv.URL+"/api/v1/cases/2/status", `{"status":"dismissed","reason":"genuine"}`)
			c, _ := out["case"].(map[string]any)
			if code != 200 || c["id"] != 2.0 || c["status"] != "dismissed" {
				t.Errorf("%d %v, want case 2 dismissed", code, out)
			}
		})
	}
}
