package fetch

import (
	"errors"
	"testing"
)

func TestLRU(t *testing.T) {
	c := newLRU(2)
	a := result{err: errors.New("a")}
	c.add("a", a)
	c.add("b", result{})
	if _, ok := c.get("a"); !ok { // a is now the most recent
		t.Fatal("a missing")
	}
	c.add("c", result{})
	tests := []struct {
		key  string
		want bool
	}{
		{"a", true},
		{"b", false}, // least recently used when c came in
		{"c", true},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if _, ok := c.get(tt.key); ok != tt.want {
				t.Errorf("get(%s) ok = %v, want %v", tt.key, ok, tt.want)
			}
		})
	}
	c.add("a", result{reason: ReasonStatus})
	if r, _ := c.get("a"); r.reason != ReasonStatus || c.len() != 2 {
		t.Errorf("replacing a: got %+v, len %d", r, c.len())
	}
}
