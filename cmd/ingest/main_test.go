package main

import (
	"strings"
	"testing"
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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errw strings.Builder
			if got := run(tt.args, strings.NewReader(tt.stdin), &out, &errw); got != tt.status {
				t.Errorf("status %d, want %d (stderr %s)", got, tt.status, errw.String())
			}
			if !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errw.String(), tt.stderr) {
				t.Errorf("stdout %q stderr %q, want %q and %q", out.String(), errw.String(), tt.stdout, tt.stderr)
			}
		})
	}
}
