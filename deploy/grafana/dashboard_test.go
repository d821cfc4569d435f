// Package grafana holds the operators' Grafana dashboard and its check against Grafana's schema.
//
// assay.json is the dashboard. check.mjs type-checks it against the types
// Grafana generates from its dashboard schema (npm's @grafana/schema, pinned
// in package-lock.json), then checks ids, the grid, the data source variable
// and that every metric it queries is one the Go code exports. The tests
// here run check.mjs, and check in plain Go what needs no Node.js, so that
// a machine without it still catches the grossest mistakes.
package grafana

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const (
	dashboardFile = "assay.json"
	wantUID       = "assay-overview"
	wantTitle     = "Assay — counterfeit detection pipeline"
)

// unavailable skips the test with msg, except in CI, where .ci/run is meant
// to provide everything and a missing piece is a broken setup.
func unavailable(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// networkError matches what npm prints when the registry cannot be
// reached, as opposed to a lockfile or package that is wrong.
var networkError = regexp.MustCompile(`ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up`)

func TestDashboardSchema(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable(t, "node is not installed, so the dashboard is not checked against Grafana's schema (Debian: apt-get install nodejs npm); skipping")
	}
	if stale, why := staleModules(); stale {
		npm, err := exec.LookPath("npm")
		if err != nil {
			unavailable(t, "npm is not installed, and node_modules needs it ("+why+"); skipping")
		}
		// Generous: a cold npm cache fetches two packages of some megabytes.
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		out, err := cmd.CombinedOutput()
		if err != nil {
			if networkError.Match(out) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
				unavailable(t, "npm ci could not reach the npm registry, so the dashboard is not checked against Grafana's schema; skipping:\n"+head(out, 8))
			}
			t.Fatalf("npm ci in deploy/grafana (%s): %v\n%s", why, err, out)
		}
	}
	out, err := exec.CommandContext(t.Context(), node, "check.mjs", "--inputs").CombinedOutput()
	if err != nil {
		t.Fatalf("node check.mjs: %v\n%s", err, out)
	}
	// go test caches a pass by the files the test process itself read, and
	// node read these: read them here too, so that renaming a metric in
	// the Go code runs the check again.
	var report []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if f, ok := strings.CutPrefix(line, "input: "); ok {
			if _, err := os.ReadFile(f); err != nil {
				t.Fatalf("check.mjs read %s, but the test cannot: %v", f, err)
			}
			continue
		}
		report = append(report, line)
	}
	t.Log(strings.Join(report, "\n"))
}

// staleModules tells whether node_modules lacks a package of
// package-lock.json or holds another version of it, and why: then npm ci
// must run, lest check.mjs check against other types than the pinned ones.
func staleModules() (bool, string) {
	data, err := os.ReadFile("package-lock.json")
	if err != nil {
		return true, err.Error()
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		return true, "package-lock.json: " + err.Error()
	}
	for dir, want := range lock.Packages {
		if !strings.HasPrefix(dir, "node_modules/") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(filepath.FromSlash(dir), "package.json"))
		if err != nil {
			return true, dir + " is missing"
		}
		var got struct {
			Version string `json:"version"`
		}
		if err := json.Unmarshal(data, &got); err != nil || got.Version != want.Version {
			return true, dir + " is not version " + want.Version
		}
	}
	return false, ""
}

// TestQueriesParse has promtool parse every query, each as a recording
// rule: neither Grafana's schema nor check.mjs reads PromQL, and a
// misplaced parenthesis would otherwise show only as a panel's error.
func TestQueriesParse(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		unavailable(t, "promtool is not installed, so the dashboard's queries are not parsed (Debian: apt-get install prometheus); skipping")
	}
	d := readDashboard(t)
	// Variables stand for label regexes, and $__ ones for ranges.
	vars := regexp.MustCompile(`\$\{?(\w+)\}?`)
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	n := 0
	add := func(name, expr string) {
		expr = vars.ReplaceAllStringFunc(expr, func(v string) string {
			if strings.HasPrefix(strings.TrimLeft(v, "${"), "__") {
				return "5m"
			}
			return ".*"
		})
		quoted, _ := json.Marshal(expr) // a JSON string is a YAML string
		fmt.Fprintf(&rules, "      - record: %s\n        expr: %s\n", name, quoted)
		n++
	}
	for _, p := range allPanels(d.Panels) {
		for _, tg := range p.Targets {
			add(fmt.Sprintf("dashboard:panel_%d_%s", p.ID, tg.RefID), tg.Expr)
		}
	}
	for i, a := range d.Annotations.List {
		if a.Target.Expr != "" {
			add(fmt.Sprintf("dashboard:annotation_%d", i), a.Target.Expr)
		}
	}
	file := filepath.Join(t.TempDir(), "queries.yml")
	if err := os.WriteFile(file, []byte(rules.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), promtool, "check", "rules", file).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool check rules on the dashboard's %d queries (rule dashboard:panel_ID_REFID is that panel's query): %v\n%s", n, err, out)
	}
}

type dashboard struct {
	UID         string  `json:"uid"`
	Title       string  `json:"title"`
	Panels      []panel `json:"panels"`
	Annotations struct {
		List []struct {
			Target struct {
				Expr string `json:"expr"`
			} `json:"target"`
		} `json:"list"`
	} `json:"annotations"`
}

func readDashboard(t *testing.T) *dashboard {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s is not valid JSON: %v", dashboardFile, err)
	}
	return &d
}

// allPanels returns the panels with those nested in rows.
func allPanels(top []panel) []panel {
	var all []panel
	for _, p := range top {
		all = append(all, p)
		all = append(all, p.Panels...)
	}
	return all
}

type panel struct {
	ID          int      `json:"id"`
	Type        string   `json:"type"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Panels      []panel  `json:"panels"`
	Targets     []target `json:"targets"`
}

type target struct {
	RefID string `json:"refId"`
	Expr  string `json:"expr"`
}

// TestDashboardJSON needs no Node.js: it holds the dashboard to what an
// operator relies on, whatever Grafana's schema allows.
func TestDashboardJSON(t *testing.T) {
	d := readDashboard(t)
	if d.UID != wantUID {
		t.Errorf("%s: uid is %q, want %q (links and provisioning refer to it)", dashboardFile, d.UID, wantUID)
	}
	if d.Title != wantTitle {
		t.Errorf("%s: title is %q, want %q", dashboardFile, d.Title, wantTitle)
	}
	if len(d.Panels) == 0 {
		t.Fatalf("%s has no panels", dashboardFile)
	}
	for _, p := range allPanels(d.Panels) {
		where := fmt.Sprintf("%s: panel %d %q", dashboardFile, p.ID, p.Title)
		if strings.TrimSpace(p.Title) == "" {
			t.Errorf("%s has no title", where)
		}
		// Grafana's schema gives rows no description.
		if p.Type != "row" && strings.TrimSpace(p.Description) == "" {
			t.Errorf("%s has no description: say what it shows and what is normal", where)
		}
		switch p.Type {
		case "row", "alertlist", "text":
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("%s (%s) has no targets", where, p.Type)
		}
		for _, tg := range p.Targets {
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("%s: target %q has an empty expr", where, tg.RefID)
			}
		}
	}
}

// head returns npm's first lines, which name the error; the rest is its
// stack and the path of its log.
func head(out []byte, n int) string {
	lines := strings.SplitAfter(string(out), "\n")
	if len(lines) > n {
		lines = append(lines[:n], "...\n")
	}
	return strings.Join(lines, "")
}
