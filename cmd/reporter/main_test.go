package main

import (
	"strings"
	"testing"
)

func TestSummary(t *testing.T) {
	in := `{"listing_id":"a","flagged":true,"brand_id":"fullips","score":0.9,"signals":[{"kind":"text","score":0.75,"evidence":"x"}]}
{"listing_id":"b","flagged":true,"brand_id":"fullips","score":0.7,"signals":[{"kind":"price","score":0.6,"evidence":"x"}]}
{"listing_id":"c","flagged":false,"brand_id":"dyson","score":0.2,"signals":[]}
not a verdict
{"listing_id":"d","flagged":true,"brand_id":"dyson","score":0.95,"signals":[{"kind":"image","score":0.85,"evidence":"x"}]}
`
	var out, errw strings.Builder
	if got := run([]string{"summary"}, strings.NewReader(in), &out, &errw); got != 1 {
		t.Errorf("status %d, want 1 for the unreadable line", got)
	}
	if !strings.Contains(errw.String(), "<stdin>:4: not a verdict") {
		t.Errorf("stderr %q", errw.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "fullips") || !strings.Contains(lines[1], "2") || !strings.Contains(lines[1], "0.80") || !strings.HasPrefix(lines[2], "dyson") {
		t.Errorf("summary:\n%s", out.String())
	}
}
