package prometheus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/progtest"
)

// TestAlertsEndToEnd runs the real programs (devbroker, matcher, reporter,
// ingest serve) and Debian's Prometheus with the shipped rules file,
// scraping every second; a burst of counterfeits of one brand must put
// InfringementSpike in pending or firing for that brand and no other. On
// the way, promtool checks a real scrape of every program.
func TestAlertsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts five programs; skipped with -short")
	}
	prom := tool(t, "prometheus")
	promtool := tool(t, "promtool")
	root := progtest.Root(t)
	bin := progtest.Build(t, "./cmd/devbroker", "./cmd/matcher", "./cmd/reporter", "./cmd/ingest")
	dir := t.TempDir()

	broker := progtest.Start(t, filepath.Join(bin, "devbroker"), "--port", "0", "--ops-listen", "127.0.0.1:0")
	brokerAddr := broker.WaitLine(t, regexp.MustCompile(`listening on (\S+)`))
	devOps := broker.WaitLine(t, regexp.MustCompile(`ops on http://(\S+)`))

	progtest.Run(t, filepath.Join(bin, "ingest"), "brands", "--brokers", brokerAddr, filepath.Join(root, "fixtures", "brands.yaml"))

	addrs := progtest.FreeAddrs(t, 4)
	matcherAddr, reporterAddr, ingestAddr, promAddr := addrs[0], addrs[1], addrs[2], addrs[3]
	progtest.Start(t, filepath.Join(bin, "matcher"), "run", "--brokers", brokerAddr, "--listen", matcherAddr,
		"--image-dir", filepath.Join(root, "fixtures"), "--lag-interval", "1s", "--group", "e2e-matcher")
	progtest.Start(t, filepath.Join(bin, "reporter"), "run", "--brokers", brokerAddr, "--listen", reporterAddr,
		"--db", filepath.Join(dir, "cases.db"), "--metrics-cache", "1s", "--group", "e2e-reporter")
	progtest.Start(t, filepath.Join(bin, "ingest"), "serve", "--brokers", brokerAddr, "--listen", ingestAddr)
	targets := map[string]string{
		"assay-devbroker": devOps, "assay-matcher": matcherAddr, "assay-reporter": reporterAddr, "assay-ingest": ingestAddr,
	}
	for _, addr := range targets {
		waitOK(t, "http://"+addr+"/readyz", 60*time.Second)
	}

	rules, err := filepath.Abs("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - %s\nscrape_configs:\n", rules)
	for job, addr := range targets {
		cfg += fmt.Sprintf("  - job_name: %s\n    static_configs:\n      - targets: ['%s']\n", job, addr)
	}
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	progtest.Start(t, prom, "--config.file", cfgFile, "--storage.tsdb.path", filepath.Join(dir, "tsdb"),
		"--web.listen-address", promAddr, "--log.level", "warn")
	api := "http://" + promAddr
	waitOK(t, api+"/-/ready", 60*time.Second)

	// Every brand's flag counter scraped at 0 before the burst, so that
	// the burst is an increase, as it is in production.
	brands := brandIDs(t)
	waitFor(t, 60*time.Second, "all targets up and every brand's flag series scraped", func() bool {
		up := query(t, api, `sum(up{job=~"assay-.*"})`)
		n := query(t, api, `count(assay_matcher_listings_flagged_total == 0)`)
		return len(up) == 1 && up[0].value() == float64(len(targets)) && len(n) == 1 && n[0].value() == float64(len(brands))
	})

	const target = "north-peak"
	body, sent := burst(t, target, "coach")
	resp, err := http.Post("http://"+ingestAddr+"/v1/listings", "application/x-ndjson", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || !strings.Contains(string(answer), fmt.Sprintf(`"accepted":%d`, sent)) {
		t.Fatalf("ingest answered %d %s, want 202 with %d accepted", resp.StatusCode, answer, sent)
	}

	var spike []alert
	waitFor(t, 90*time.Second, "InfringementSpike for "+target, func() bool {
		spike = alerts(t, api, "InfringementSpike")
		return len(spike) > 0
	})
	// Let the other brands' flags land and be evaluated too.
	waitFor(t, 30*time.Second, "the burst scored", func() bool {
		v := query(t, api, `sum(assay_matcher_listings_scored_total)`)
		return len(v) == 1 && v[0].value() >= float64(sent)
	})
	time.Sleep(3 * time.Second)
	spike = alerts(t, api, "InfringementSpike")
	for _, a := range spike {
		if a.Labels["brand"] != target {
			t.Errorf("InfringementSpike also for %s (%s): %s", a.Labels["brand"], a.State, a.Annotations["summary"])
		}
	}
	if len(spike) != 1 || spike[0].Labels["brand"] != target || (spike[0].State != "pending" && spike[0].State != "firing") {
		t.Fatalf("InfringementSpike alerts: %+v, want one for %s", spike, target)
	}
	t.Logf("%s %s: %s", spike[0].Labels["brand"], spike[0].State, spike[0].Annotations["summary"])
	if v := query(t, api, `sum(assay_ingest_listings_accepted_total)`); len(v) != 1 || v[0].value() != float64(sent) {
		t.Errorf("Prometheus has assay_ingest_listings_accepted_total %v, want %d", v, sent)
	}

	// Lint a real scrape of every program, now that flags, cases and
	// histograms have values.
	for job, addr := range targets {
		t.Run("promtool check metrics "+job, func(t *testing.T) {
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = bytes.NewReader(get(t, "http://"+addr+"/metrics"))
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("promtool check metrics on %s: %v\n%s", job, err, out)
			}
		})
	}
}

// waitFor is progtest.WaitFor for conditions with nothing more to say.
func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	progtest.WaitFor(t, d, what, func() (bool, string) { return ok(), "not yet" })
}

func waitOK(t *testing.T, u string, d time.Duration) {
	t.Helper()
	waitFor(t, d, u, func() bool {
		resp, err := http.Get(u)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

func get(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", u, resp.StatusCode, err)
	}
	return b
}

type sample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

// value is the sample's value; Prometheus sends it as a string, and
// anything else reads as NaN, which equals nothing a test compares with.
func (s sample) value() float64 {
	v, _ := s.Value[1].(string)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// query runs an instant query through Prometheus's HTTP API.
func query(t *testing.T, api, q string) []sample {
	t.Helper()
	var r struct {
		Status string `json:"status"`
		Data   struct {
			Result []sample `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(get(t, api+"/api/v1/query?query="+url.QueryEscape(q)), &r); err != nil || r.Status != "success" {
		t.Fatalf("query %s: %v %s", q, err, r.Status)
	}
	return r.Data.Result
}

type alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`
}

// alerts returns the active (pending or firing) alerts of one name.
func alerts(t *testing.T, api, name string) []alert {
	t.Helper()
	var r struct {
		Data struct {
			Alerts []alert `json:"alerts"`
		} `json:"data"`
	}
	if err := json.Unmarshal(get(t, api+"/api/v1/alerts"), &r); err != nil {
		t.Fatal(err)
	}
	var out []alert
	for _, a := range r.Data.Alerts {
		if a.Labels["alertname"] == name {
			out = append(out, a)
		}
	}
	return out
}

// brandIDs lists the fixture brands.
func brandIDs(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(progtest.Root(t), "fixtures", "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`(?m)^\s+- id: (\S+)`).FindAllSubmatch(data, -1) {
		ids = append(ids, string(m[1]))
	}
	return ids
}

// burst builds an NDJSON body: every fixture counterfeit of target twice
// (under new ids), five of other, and thirty innocent listings. It returns
// the body and the number of listings in it.
func burst(t *testing.T, target, other string) ([]byte, int) {
	t.Helper()
	labels := map[string]string{} // listing id -> brand of a counterfeit
	for _, line := range lines(t, "labels.jsonl") {
		var l struct {
			ID          string `json:"listing_id"`
			Counterfeit bool   `json:"counterfeit"`
			Brand       string `json:"brand_id"`
		}
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		if l.Counterfeit {
			labels[l.ID] = l.Brand
		}
	}
	var buf bytes.Buffer
	n, others, innocent := 0, 0, 0
	add := func(l map[string]any, id string) {
		l["id"] = id
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(append(b, '\n'))
		n++
	}
	for _, line := range lines(t, "listings.jsonl") {
		var l map[string]any
		if err := json.Unmarshal(line, &l); err != nil {
			t.Fatal(err)
		}
		id, _ := l["id"].(string)
		switch b, fake := labels[id]; {
		case fake && b == target:
			add(l, "e2e-a-"+id)
			add(l, "e2e-b-"+id)
		case fake && b == other && others < 5:
			add(l, "e2e-"+id)
			others++
		case !fake && innocent < 30:
			add(l, "e2e-"+id)
			innocent++
		}
	}
	return buf.Bytes(), n
}

func lines(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(progtest.Root(t), "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(data), []byte("\n"))
}
