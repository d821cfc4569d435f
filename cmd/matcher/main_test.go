package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const brands = "../../fixtures/brands.yaml"

func TestRun(t *testing.T) {
	mixed, err := os.ReadFile("testdata/mixed.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	fixtureListings, err := os.ReadFile("../../fixtures/listings.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stdin  string
		status int
		// verdicts is the listing ids expected on stdout, in order.
		verdicts []string
		stderr   []string
	}{
		{name: "flagged only", args: []string{"scan", "--brands", brands, "testdata/mixed.jsonl"}, status: exitRejected,
			verdicts: []string{"m-1", "m-5"},
			stderr:   []string{"testdata/mixed.jsonl:2: invalid listing: malformed JSON", "testdata/mixed.jsonl:4: invalid listing: field price: amount -4 is negative", "3 listings scanned"}},
		{name: "all from stdin", args: []string{"scan", "--brands", brands, "--all"}, stdin: string(mixed), status: exitRejected,
			verdicts: []string{"m-1", "m-3", "m-5"}, stderr: []string{"<stdin>:2:", "<stdin>:4:"}},
		{name: "clean input", args: []string{"scan", "-q", "--brands", brands, "--all", "-"}, stdin: `{"id":"x","title":"Garden hose","price":{"amount":19,"currency":"USD"},"seller":{"id":"s"}}`,
			status: exitOK, verdicts: []string{"x"}},
		{name: "bad registry", args: []string{"scan", "--brands", "testdata/bad-brands.yaml", "testdata/mixed.jsonl"}, status: exitUsage,
			stderr: []string{"bad-brands.yaml", "brand fullips: reference_images[0]: nope.jpg: file not found", "brand fullips: id: duplicate"}},
		{name: "no registry flag", args: []string{"scan", "testdata/mixed.jsonl"}, status: exitUsage, stderr: []string{"--brands is required"}},
		{name: "missing listings file", args: []string{"scan", "--brands", brands, "nope.jsonl"}, status: exitUsage, stderr: []string{"nope.jsonl"}},
		{name: "bad rates", args: []string{"scan", "--brands", brands, "--rates", "testdata/bad-rates.json", "testdata/mixed.jsonl"}, status: exitUsage,
			stderr: []string{"bad-rates.json: rate for EUR is 0"}},
		{name: "unknown flag", args: []string{"scan", "--bogus"}, status: exitUsage, stderr: []string{"flag provided but not defined: -bogus"}},
		{name: "unknown command", args: []string{"scna"}, status: exitUsage, stderr: []string{`unknown command "scna"`}},
		{name: "help", args: []string{"--help"}, status: exitOK},
		{name: "scan help", args: []string{"scan", "--help"}, status: exitOK, stderr: []string{"--brands", "--all"}},
		{name: "eval", args: []string{"eval", "--brands", brands, "--labels", "../../fixtures/labels.jsonl", "../../fixtures/listings.jsonl"}, status: exitOK},
		{name: "eval without labels", args: []string{"eval", "--brands", brands, "x.jsonl"}, status: exitUsage, stderr: []string{"--labels"}},
		// On stdin, relative image paths are read from the working
		// directory, where the fixtures' photos are not: said, not silent.
		{name: "images not found", args: []string{"scan", "--brands", brands, "-"}, stdin: string(fixtureListings), status: exitOK,
			stderr: []string{"282 flagged", "listing images could not be read, and their listings were scored without them (e.g. ", "/images/img-", "file not found"}},
		{name: "image dir", args: []string{"scan", "--brands", brands, "--image-dir", "../../fixtures", "-"}, stdin: string(fixtureListings), status: exitOK,
			stderr: []string{"322 flagged"}},
		{name: "negative session timeout", args: []string{"run", "--listen", "", "--session-timeout=-1s"}, status: exitUsage, stderr: []string{"session timeout -1s is negative"}},
		// Each of these would have run and flagged nothing, or panicked.
		{name: "threshold NaN", args: []string{"run", "--listen", "", "--threshold", "NaN"}, status: exitUsage, stderr: []string{"threshold NaN is outside 0..1"}},
		{name: "threshold above 1", args: []string{"run", "--listen", "", "--threshold", "1.5"}, status: exitUsage, stderr: []string{"threshold 1.5 is outside 0..1"}},
		{name: "scan threshold NaN", args: []string{"scan", "--brands", brands, "--threshold", "NaN", "testdata/mixed.jsonl"}, status: exitUsage, stderr: []string{"threshold NaN is outside 0..1"}},
		{name: "no listings topic", args: []string{"run", "--listen", "", "--topic-listings", ""}, status: exitUsage, stderr: []string{"the listings topic has no name"}},
		{name: "one topic twice", args: []string{"run", "--listen", "", "--topic-candidates", "listings"}, status: exitUsage, stderr: []string{`the listings and candidates topics are both named "listings"`}},
		{name: "negative shutdown timeout", args: []string{"run", "--listen", "", "--shutdown-timeout=-1s"}, status: exitUsage, stderr: []string{"shutdown timeout -1s is negative"}},
		{name: "empty group", args: []string{"run", "--listen", "", "--group", ""}, status: exitUsage, stderr: []string{"--group is empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			status := run(tt.args, strings.NewReader(tt.stdin), &stdout, &stderr)
			if status != tt.status {
				t.Errorf("exit status %d, want %d\nstderr:\n%s", status, tt.status, stderr.String())
			}
			for _, w := range tt.stderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr does not mention %q:\n%s", w, stderr.String())
				}
			}
			if tt.verdicts == nil || tt.args[0] != "scan" {
				return
			}
			var ids []string
			sc := bufio.NewScanner(strings.NewReader(stdout.String()))
			for sc.Scan() {
				var v struct {
					ListingID string `json:"listing_id"`
				}
				if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
					t.Fatalf("stdout line %q: %v", sc.Text(), err)
				}
				ids = append(ids, v.ListingID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.verdicts, ",") {
				t.Errorf("verdicts for %v, want %v", ids, tt.verdicts)
			}
		})
	}
}
