package yamldoc

import (
	"errors"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestPanicsBecomeErrors feeds inputs on which yaml.v3 panics (found by
// review of the CSV mapping file; brand's TestDecoderPanic has
// the registry's own) through both
// entry points, into a struct and into a map; a well-formed document
// still decodes.
func TestPanicsBecomeErrors(t *testing.T) {
	type doc struct {
		ID    string            `yaml:"id"`
		Other map[string]string `yaml:",inline"`
	}
	panicky := []string{
		"{0: &b {0}, <<, *b}",
		"0: &b {0}\n? <<\n? *b\n",
		"{id: &b {0}, <<, *b}",
	}
	for _, in := range panicky {
		t.Run(in, func(t *testing.T) {
			for _, v := range []any{new(doc), new(map[string]any)} {
				if err := Unmarshal([]byte(in), v); !errors.Is(err, ErrDecoder) {
					t.Errorf("Unmarshal into %T: err = %v, want ErrDecoder", v, err)
				}
				var n yaml.Node
				if err := yaml.Unmarshal([]byte(in), &n); err != nil {
					t.Fatalf("parse into a node: %v", err)
				}
				if err := Decode(&n, v); !errors.Is(err, ErrDecoder) {
					t.Errorf("Decode into %T: err = %v, want ErrDecoder", v, err)
				}
			}
		})
	}
	var d doc
	if err := Unmarshal([]byte("id: a\nx: y\n"), &d); err != nil || d.ID != "a" || d.Other["x"] != "y" {
		t.Errorf("well-formed document: %+v, %v", d, err)
	}
}
