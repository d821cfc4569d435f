package main_test

// This file is black-box: it runs the built programs and kcat (Debian's
// librdkafka client) against a broker, and uses no package of the pipeline
// but the test broker and the documented schemas.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/docs/schema"
	"github.com/assay-dev/assay/internal/kafkatest"
	"github.com/assay-dev/assay/internal/progtest"
	"gopkg.in/yaml.v3"
)

// TestKcatInterop uses kcat as an independent producer and consumer: the
// fixture listings, produced by kcat keyed by listing id, are scored by a
// running matcher, and the candidates kcat reads back hold to the
// documented contract. The flagged set must be the batch scanner's on the
// same files (images read from the fixtures on both sides), verdict for
// verdict, and each candidate must carry the exact bytes kcat produced.
func TestKcatInterop(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker, the matcher and kcat; skipped with -short")
	}
	kcat := kafkatest.Kcat(t)
	v, err := schema.New()
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Abs(filepath.Join(progtest.Root(t), "fixtures"))
	if err != nil {
		t.Fatal(err)
	}
	brandsFile := filepath.Join(fixtures, "brands.yaml")
	listingsFile := filepath.Join(fixtures, "listings.jsonl")

	bin := progtest.Build(t, "./cmd/ingest", "./cmd/matcher")
	ingest, matcher := filepath.Join(bin, "ingest"), filepath.Join(bin, "matcher")

	// What the batch scanner flags on the same files is what the pipeline
	// must flag.
	want := batchVerdicts(t, matcher, brandsFile, listingsFile)
	if len(want) == 0 {
		t.Fatal("matcher scan flagged no fixture listing: nothing to compare the pipeline with")
	}

	broker := kafkatest.Start(t)
	brokers := strings.Join(broker.Addrs, ",")
	k := kcatTool{path: kcat, brokers: brokers}

	if out, err := exec.Command(ingest, "brands", "--brokers", brokers, brandsFile).CombinedOutput(); err != nil {
		t.Fatalf("ingest brands: %v\n%s", err, out)
	}
	listen := progtest.FreeAddrs(t, 1)[0]
	progtest.Start(t, matcher, "run", "--brokers", brokers, "--listen", listen, "--image-dir", fixtures,
		"--group", "kcat-interop", "--lag-interval", "1s")
	nBrands := float64(countBrands(t, brandsFile))
	progtest.WaitFor(t, 90*time.Second, "the matcher ready with the fixture brands", func() (bool, string) {
		if code := httpStatus("http://" + listen + "/readyz"); code != http.StatusOK {
			return false, fmt.Sprintf("/readyz answers %d", code)
		}
		m, _ := progtest.Scrape(listen) // not up yet: no metrics
		n, ok := m["assay_matcher_registry_brands"]
		return ok && n == nBrands, fmt.Sprintf("assay_matcher_registry_brands %v", n)
	})

	// kcat produces every fixture line as it is, keyed by the listing's id.
	produced := map[string][]byte{} // listing id -> the bytes produced
	var input bytes.Buffer
	for i, line := range fileLines(t, listingsFile) {
		var l struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(line, &l); err != nil || l.ID == "" {
			t.Fatalf("listings.jsonl:%d: no listing id (%v)", i+1, err)
		}
		if bytes.ContainsAny(line, "\t") {
			t.Fatalf("listings.jsonl:%d: a tab, kcat's key delimiter here", i+1)
		}
		if _, dup := produced[l.ID]; dup {
			t.Fatalf("listings.jsonl:%d: listing %s twice", i+1, l.ID)
		}
		produced[l.ID] = line
		input.WriteString(l.ID + "\t")
		input.Write(line)
		input.WriteByte('\n')
	}
	k.produce(t, "listings", &input)

	// Read the candidates with kcat until every expected listing has one
	// and the matcher's group has committed every listing kcat produced.
	// The matcher commits a listing only once its candidate is
	// acknowledged, so a read begun after that holds every candidate there
	// will be; if the expected ones are still not all there a few seconds
	// later, the checks below say which are missing.
	var recs []kcatRecord
	var idle time.Time // when the group was first seen with nothing left to score
	progtest.WaitFor(t, 120*time.Second, "the candidates of every flagged listing", func() (bool, string) {
		m, _ := progtest.Scrape(listen)
		end, lag := m["assay_matcher_listings_end_offset"], m["assay_matcher_consumer_lag_messages"]
		caughtUp := end == float64(len(produced)) && lag == 0 && m["assay_matcher_retroscan_running"] == 0
		recs = k.consume(t, "candidates")
		ids := map[string]bool{}
		for _, r := range recs {
			if r.Key != nil {
				ids[*r.Key] = true
			}
		}
		if caughtUp && idle.IsZero() {
			idle = time.Now()
		}
		done := caughtUp && (len(ids) >= len(want) || time.Since(idle) > 5*time.Second)
		return done, fmt.Sprintf("%d of %d listing ids on candidates (%d records); listings end offsets %v, lag %v",
			len(ids), len(want), len(recs), end, lag)
	})

	seen := map[string]map[string]any{} // listing id -> its first candidate
	retro := 0
	// Report the first few problems in full and count the rest, so that
	// a pipeline that gets every verdict wrong fails readably.
	problems := 0
	problem := func(format string, args ...any) {
		t.Helper()
		if problems++; problems <= 10 {
			t.Errorf(format, args...)
		}
	}
	for _, r := range recs {
		where := fmt.Sprintf("candidates/%d@%d", r.Partition, r.Offset)
		if r.Key == nil || r.Payload == nil {
			problem("%s: a record without a key or a value (key %s): want a listing id and a candidate", where, jsonText(r.Key))
			continue
		}
		key, value := *r.Key, []byte(*r.Payload)
		if err := v.Validate(schema.Candidate, value); err != nil {
			problem("%s: does not hold to %s: %v\n%s", where, schema.Candidate, err, value)
		}
		var c map[string]any
		if err := json.Unmarshal(value, &c); err != nil {
			problem("%s: %v", where, err)
			continue
		}
		if c["retroactive"] == true {
			retro++
		}
		id, _ := c["listing_id"].(string)
		if key != id {
			problem("%s: key %q, listing_id %q: the key must be the listing id", where, key, id)
		}
		line, ok := produced[id]
		if !ok {
			problem("%s: a candidate for %q, which kcat did not produce", where, id)
			continue
		}
		sum := sha256.Sum256(line)
		if h := hex.EncodeToString(sum[:16]); c["content_hash"] != h {
			problem("%s: content_hash %v, want %s (SHA-256 of the bytes kcat produced)", where, c["content_hash"], h)
		}
		var sent map[string]any
		if err := json.Unmarshal(line, &sent); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c["listing"], sent) {
			problem("%s: listing %v, want the listing kcat produced: %s", where, c["listing"], line)
		}
		// Every fixture photo is a readable file: each must be hashed.
		var refs, hashed []any
		if l, ok := sent["images"].([]any); ok {
			refs = l
		}
		if hs, ok := c["images"].([]any); ok {
			for _, h := range hs {
				if h, ok := h.(map[string]any); ok {
					hashed = append(hashed, h["ref"])
				}
			}
		}
		if !reflect.DeepEqual(hashed, refs) {
			problem("%s: photos hashed %s, want the listing's %s", where, jsonText(hashed), jsonText(refs))
		}
		if first, dup := seen[id]; dup {
			// At-least-once: a repeat must be the same verdict on the same
			// bytes, so that consumers can drop it.
			if d := diff(verdictOf(c), verdictOf(first)); d != "" || first["content_hash"] != c["content_hash"] {
				problem("%s: a repeated candidate for %s differs from the first: %s", where, id, d)
			}
			continue
		}
		seen[id] = c
		w, ok := want[id]
		if !ok {
			problem("%s: %s flagged (brand %v, score %v), which matcher scan does not flag", where, id, c["brand_id"], c["score"])
			continue
		}
		if d := diff(verdictOf(c), w); d != "" {
			problem("%s: the verdict for %s differs from matcher scan's: %s", where, id, d)
		}
	}
	if problems > 10 {
		t.Errorf("... and %d problems more", problems-10)
	}
	var missing []string
	for id := range want {
		if seen[id] == nil {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("%d listings flagged by matcher scan have no candidate: %v", len(missing), missing)
	}
	if rejected := k.consume(t, "listings.rejected"); len(rejected) > 0 {
		t.Errorf("%d of kcat's listings rejected, first: %+v", len(rejected), rejected[0])
	}
	t.Logf("kcat produced %d listings; kcat read %d candidates (%d marked retroactive) for %d flagged listings; matcher scan flags %d",
		len(produced), len(recs), retro, len(seen), len(want))
}

// verdictOf is a candidate without what the topic adds to the verdict
// contract, to compare with matcher scan's verdict.
func verdictOf(c map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range c {
		switch k {
		case "listing", "content_hash", "scored_at", "retroactive", "images":
		default:
			out[k] = v
		}
	}
	return out
}

// batchVerdicts runs matcher scan on the listings and returns the flagged
// verdicts by listing id.
func batchVerdicts(t *testing.T, matcher, brands, listings string) map[string]map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(matcher, "scan", "-q", "--brands", brands, listings)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("matcher scan: %v\n%s", err, stderr.String())
	}
	out := map[string]map[string]any{}
	for _, line := range bytes.Split(bytes.TrimSpace(stdout.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var vd map[string]any
		if err := json.Unmarshal(line, &vd); err != nil {
			t.Fatalf("matcher scan wrote %q: %v", line, err)
		}
		id, _ := vd["listing_id"].(string)
		if vd["flagged"] != true || id == "" || out[id] != nil {
			t.Fatalf("matcher scan wrote %s: want one flagged verdict per listing", line)
		}
		out[id] = vd
	}
	return out
}

// kcatTool runs kcat against the test broker. kfake listens on 127.0.0.1
// only, so librdkafka is kept to IPv4.
type kcatTool struct{ path, brokers string }

func (k kcatTool) command(ctx context.Context, args ...string) *exec.Cmd {
	args = append([]string{"-b", k.brokers, "-X", "broker.address.family=v4"}, args...)
	return exec.CommandContext(ctx, k.path, args...)
}

// produce sends KEY<TAB>VALUE lines, one message each, and waits for every
// acknowledgement from all in-sync replicas.
func (k kcatTool) produce(t *testing.T, topic string, lines io.Reader) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := k.command(ctx, "-P", "-t", topic, "-K", `\t`, "-X", "acks=all")
	cmd.Stdin = lines
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("kcat -P -t %s: %v\n%s", topic, err, out)
	}
}

// kcatRecord is a record as kcat -J prints it.
type kcatRecord struct {
	Partition int     `json:"partition"`
	Offset    int64   `json:"offset"`
	Key       *string `json:"key"`
	Payload   *string `json:"payload"`
}

// consume reads a topic from the beginning to its current end.
func (k kcatTool) consume(t *testing.T, topic string) []kcatRecord {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := k.command(ctx, "-C", "-t", topic, "-o", "beginning", "-e", "-J", "-q")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kcat -C -t %s: %v\n%s", topic, err, stderr.String())
	}
	var recs []kcatRecord
	for _, line := range bytes.Split(stdout.Bytes(), []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var r kcatRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("kcat -C -t %s printed %q: %v", topic, line, err)
		}
		recs = append(recs, r)
	}
	return recs
}

func httpStatus(u string) int {
	resp, err := http.Get(u)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// countBrands counts the brands of a registry file.
func countBrands(t *testing.T, file string) int {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		Brands []struct {
			ID string `yaml:"id"`
		} `yaml:"brands"`
	}
	if err := yaml.Unmarshal(data, &reg); err != nil || len(reg.Brands) == 0 {
		t.Fatalf("%s: no brands (%v)", file, err)
	}
	return len(reg.Brands)
}

func fileLines(t *testing.T, file string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimSpace(data), []byte("\n"))
}

// diff names the fields in which got and want differ, with both values;
// empty when they are equal.
func diff(got, want map[string]any) string {
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		if !reflect.DeepEqual(got[k], want[k]) {
			out = append(out, fmt.Sprintf("\n  %s: got %s, want %s", k, jsonText(got[k]), jsonText(want[k])))
		}
	}
	return strings.Join(out, "")
}

func jsonText(v any) string {
	if v == nil {
		return "nothing"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
