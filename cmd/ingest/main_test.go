package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/devbroker"
	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/progtest"
	"github.com/assay-dev/assay/internal/stream"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name, stdin    string
		args           []string
		status         int
		stdout, stderr string
	}{
		{"valid", `{"id":"a","title":"t","price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`, []string{"check"}, 0, "<stdin>: 1 valid, 0 invalid", ""},
		{"invalid line", "{\"id\":\"a\"}\n\n{bad\n", []string{"check", "-"}, 1, "<stdin>: 0 valid, 2 invalid", "<stdin>:3: invalid listing: malformed JSON"},
		{"fixtures", "", []string{"check", "../../fixtures/listings.jsonl"}, 0, "valid, 0 invalid", ""},
		{"missing file", "", []string{"check", "nope.jsonl"}, 2, "", "nope.jsonl"},
		{"no command", "", nil, 2, "", "Usage"},
		{"help", "", []string{"--help"}, 0, "ingest publish", ""},
		{"check help", "", []string{"check", "-h"}, 0, "", "Usage: ingest check"},
		{"unknown command", "", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw strings.Builder
			if got := run(t.Context(), tt.args, strings.NewReader(tt.stdin), &out, &errw); got != tt.status {
				t.Errorf("status %d, want %d (stderr %s)", got, tt.status, errw.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errw.String(), tt.stderr) {
				t.Errorf("stdout %q stderr %q, want %q and %q", out.String(), errw.String(), tt.stdout, tt.stderr)
			}
		})
	}
}

func startBroker(t *testing.T) string {
	t.Helper()
	b, err := devbroker.Start(devbroker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return strings.Join(b.Addrs(), ",")
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const good = `{"id":"a-1","title":"Leather tote","price":{"amount":120,"currency":"USD"},"seller":{"id":"s-1"}}`

// TestPublishCommands runs the Kafka commands against an embedded broker
// and checks exit statuses and what they print.
func TestPublishCommands(t *testing.T) {
	brokers := startBroker(t)
	dir := t.TempDir()
	goodFile := writeFile(t, dir, "good.jsonl", good+"\n")
	mixed := writeFile(t, dir, "mixed.jsonl", good+"\n{\"id\":\"x\"}\n")
	badMapping := writeFile(t, dir, "bad.yaml", "id: nope\ntitle: item_title\nprice.amount: price\nprice.currency: currency\nseller.id: seller_id\n")
	smallRegistry := writeFile(t, dir, "brands.yaml", "brands:\n  - id: coach\n    name: Coach\n")
	badRegistry := writeFile(t, dir, "broken.yaml", "brands:\n  - id: Not Valid\n")

	tests := []struct {
		name           string
		args           []string
		stdin          string
		status         int
		stdout, stderr string
	}{
		{"publish", []string{"publish", goodFile}, "", 0, "published 1, rejected 0", ""},
		{"publish stdin", []string{"publish"}, good + "\n" + good + "\n", 0, "published 2, rejected 0", ""},
		{"publish rejected", []string{"publish", mixed}, "", 1, "published 1, rejected 1", mixed + ":2: invalid listing: field title is missing"},
		{"publish several", []string{"publish", goodFile, "-"}, "{bad\n", 1, "<stdin>: 0 published, 1 rejected", "<stdin>:1: invalid listing: malformed JSON"},
		{"publish fixtures", []string{"publish", "../../fixtures/listings.jsonl"}, "", 0, "published 648, rejected 0", ""},
		{"publish missing file", []string{"publish", filepath.Join(dir, "nope.jsonl")}, "", 2, "", "nope.jsonl"},
		{"publish bad brokers", []string{"publish", "--brokers", "no-port", goodFile}, "", 2, "", "not host:port"},
		{"publish help", []string{"publish", "-h"}, "", 0, "", "-topic-listings"},
		{"publish bad flag", []string{"publish", "--nope"}, "", 2, "", "flag provided but not defined"},
		{"csv", []string{"csv", "--mapping", "../../internal/ingest/testdata/mapping.yaml", "../../internal/ingest/testdata/export.csv"}, "", 1,
			"published 3, rejected 3", `export.csv:4: invalid listing: field price.amount: column "price": "twelve" is not a number`},
		{"csv without mapping", []string{"csv", goodFile}, "", 2, "", "--mapping is required"},
		{"csv mapping misfit", []string{"csv", "--mapping", badMapping, "../../internal/ingest/testdata/export.csv"}, "", 2, "", `field id names column "nope", which is not in the header`},
		{"csv help", []string{"csv", "--help"}, "", 0, "", "images_separator"},
		{"brands", []string{"brands", "../../fixtures/brands.yaml"}, "", 0, "brands on brands: 12 added, 0 updated, 0 unchanged, 0 deleted", ""},
		{"brands again", []string{"brands", "../../fixtures/brands.yaml"}, "", 0, "0 added, 0 updated, 12 unchanged", ""},
		{"brands delete missing", []string{"brands", "--delete-missing", smallRegistry}, "", 0, "0 added, 1 updated, 0 unchanged, 11 deleted", ""},
		{"brands delete", []string{"brands", "--delete", "coach", "--delete", "ghost"}, "", 0, "absent    ghost (not on the topic: nothing deleted", ""},
		{"brands delete counts", []string{"brands", "--delete", "ghost"}, "", 0, "0 deleted, 1 not on the topic", ""},
		{"brands delete bad id", []string{"brands", "--delete", "BAD ID"}, "", 2, "", `--delete "BAD ID" is not a brand id`},
		{"brands missing file", []string{"brands", filepath.Join(dir, "nope.yaml")}, "", 2, "", "nope.yaml"},
		{"publish same topics", []string{"publish", "--topic-rejected", "listings", goodFile}, "", 2, "", `the listings and rejected topics are both named "listings"`},
		{"publish batch size", []string{"publish", "--batch-size", "0", goodFile}, "", 2, "", "--batch-size must be at least 1"},
		{"publish a directory", []string{"publish", dir}, "", 2, "", "is a directory"},
		{"publish an array", []string{"publish"}, "[\n" + good + "\n]\n", 2, "published 0, rejected 0", "the input is a JSON array"},
		{"brands invalid registry", []string{"brands", badRegistry}, "", 1, "", "must match"},
		{"brands file and delete", []string{"brands", "--delete", "x", smallRegistry}, "", 2, "", "not both"},
		{"brands no file", []string{"brands"}, "", 2, "", "give one registry file"},
		{"serve extra args", []string{"serve", "x"}, "", 2, "", "unexpected arguments"},
		{"serve help", []string{"serve", "-h"}, "", 0, "", "POST /v1/listings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{tt.args[0], "--brokers", brokers}, tt.args[1:]...)
			if strings.Contains(strings.Join(tt.args, " "), "--brokers") {
				args = tt.args
			}
			var out, errw strings.Builder
			if got := run(t.Context(), args, strings.NewReader(tt.stdin), &out, &errw); got != tt.status {
				t.Errorf("status %d, want %d\nstdout %s\nstderr %s", got, tt.status, out.String(), errw.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errw.String(), tt.stderr) {
				t.Errorf("stdout %q\nstderr %q\nwant %q and %q", out.String(), errw.String(), tt.stdout, tt.stderr)
			}
		})
	}
}

func TestKafkaUnreachable(t *testing.T) {
	var out, errw strings.Builder
	start := time.Now()
	got := run(t.Context(), []string{"publish", "--brokers", "127.0.0.1:1", "-"}, strings.NewReader(good), &out, &errw)
	if got != 2 || !strings.Contains(errw.String(), "127.0.0.1:1") {
		t.Errorf("status %d stderr %q, want 2 naming the broker", got, errw.String())
	}
	t.Logf("failed after %s", time.Since(start))
}

func TestServe(t *testing.T) {
	brokers := startBroker(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var out, errw progtest.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--brokers", brokers, "--listen", "127.0.0.1:0"}, strings.NewReader(""), &out, &errw)
	}()
	addr := regexp.MustCompile(`addr=(http://\S+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; {
		if m := addr.FindStringSubmatch(errw.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("server did not start: %s", errw.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := http.Post(base+"/v1/listings", "application/x-ndjson", strings.NewReader(good+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Errorf("status %d, want 202", resp.StatusCode)
	}
	for _, tt := range []struct {
		path   string
		status int
		want   []string
	}{
		{"/metrics", 200, []string{"assay_ingest_listings_accepted_total 1", `assay_ingest_listings_rejected_total{reason="field"} 0`, "go_goroutines", "process_cpu_seconds_total"}},
		{"/healthz", 200, []string{"ok"}},
		{"/readyz", 200, []string{"ready"}},
		{"/nope", 404, []string{`"error"`}},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(base + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d; body %s", resp.StatusCode, tt.status, body)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(body), w) {
					t.Errorf("body does not contain %q:\n%s", w, body)
				}
			}
		})
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(errw.String(), "published=1") {
			t.Errorf("exit %d, log %s", code, errw.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestLeastPrivilege runs ingest publish and ingest brands with the
// connection flags and environment an operator gives, as a principal that
// may describe, read and write topics and nothing more (no CREATE, no
// cluster operations), against topics an administrator made; what landed
// is read back as the administrator.
func TestLeastPrivilege(t *testing.T) {
	b := kafkatest.StartACL(t)
	b.CreateTopics(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	topics := stream.DefaultTopics()
	t.Setenv("KAFKA_SASL_PASSWORD", kafkatest.AppPassword)
	conn := []string{"--brokers", strings.Join(b.Admin.Brokers, ","), "--kafka-sasl-mechanism", "PLAIN", "--kafka-sasl-username", kafkatest.AppUser}
	mixed := writeFile(t, t.TempDir(), "mixed.jsonl", good+"\n{\"id\":\"x\"}\n")
	tests := []struct {
		name   string
		args   []string
		status int
		stdout string
	}{
		{"publish", []string{"publish", mixed}, 1, "published 1, rejected 1"},
		{"brands", []string{"brands", "../../fixtures/brands.yaml"}, 0, "12 added"},
		{"brands again", []string{"brands", "../../fixtures/brands.yaml"}, 0, "12 unchanged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{tt.args[0]}, conn...), tt.args[1:]...)
			var out strings.Builder
			errw := kafkatest.NewAuthzLog(t)
			got := run(ctx, args, strings.NewReader(""), &out, errw)
			if got != tt.status || !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("status %d, want %d and %q\nstdout %s\nstderr %s", got, tt.status, tt.stdout, out.String(), errw.String())
			}
			errw.Check("ingest " + tt.args[0])
		})
	}
	for topic, want := range map[string]int{topics.Listings: 1, topics.Rejected: 1, topics.Brands: 12} {
		msgs, _, err := stream.ReadTopic(ctx, b.Admin, topic)
		if err != nil || len(msgs) != want {
			t.Errorf("%s holds %d records (%v), want %d", topic, len(msgs), err, want)
		}
	}
}
