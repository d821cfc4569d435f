package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/assay-dev/assay/internal/listing"
)

// FuzzBody feeds arbitrary POST /v1/listings bodies to the splitting and
// decoding the handler does before anything is published. A JSON body is
// split into items exactly when it is a valid JSON array, into the
// elements encoding/json sees; an NDJSON body into its non-blank lines;
// every item becomes a valid listing or a rejection with a reason, and
// nothing panics.
func FuzzBody(f *testing.F) {
	good := `{"id":"a","title":"Fullips","price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`
	f.Add([]byte("[" + good + "," + good + "]"))
	f.Add([]byte(good + "\n\n" + good + "\r\n{bad\n"))
	f.Add([]byte(`[{"id":"a"}, 1, "x", null, [], {"id":"\u0000<script>"}]`))
	f.Add([]byte(`[` + good + `] trailing`))
	f.Add([]byte(`{"id":"a"}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		trimmed := bytes.TrimSpace(body)
		items, err := splitArray(trimmed)
		var want []json.RawMessage
		isArray := json.Unmarshal(trimmed, &want) == nil && len(trimmed) > 0 && trimmed[0] == '['
		if (err == nil) != isArray {
			t.Fatalf("splitArray err %v, but encoding/json says array=%v", err, isArray)
		}
		if err == nil {
			if len(items) != len(want) {
				t.Fatalf("%d items, encoding/json sees %d", len(items), len(want))
			}
			for i := range items {
				var a, b bytes.Buffer
				if json.Compact(&a, items[i]) != nil || json.Compact(&b, want[i]) != nil || a.String() != b.String() {
					t.Fatalf("item %d is %q, encoding/json's %q", i, items[i], want[i])
				}
			}
			checkEvents(t, items)
		}
		lines := splitLines(body)
		n := 0
		for line := range bytes.Lines(body) {
			if len(bytes.TrimSpace(line)) > 0 {
				n++
			}
		}
		if len(lines) != n {
			t.Fatalf("%d lines, want %d", len(lines), n)
		}
		for _, l := range lines {
			if bytes.ContainsAny(l, "\n") {
				t.Fatalf("line %q holds a line break", l)
			}
		}
		checkEvents(t, lines)
	})
}

func checkEvents(t *testing.T, items [][]byte) {
	t.Helper()
	for i, raw := range items {
		e := DecodeEvent(raw, "fuzz")
		switch {
		case e.Valid():
			if _, err := listing.Decode(raw); err != nil {
				t.Fatalf("item %d valid, but listing.Decode says %v", i, err)
			}
		case e.Err == nil || !errors.Is(e.Err, listing.ErrInvalid) || RejectReason(e.Err) == ReasonOther:
			t.Fatalf("item %d: neither valid nor rejected with a reason: %v", i, e.Err)
		}
	}
}
