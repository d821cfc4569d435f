package schema

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestFixturesMatchSchemas holds the bundled fixtures to the documented
// contracts, line by line.
func TestFixturesMatchSchemas(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	fixtures := filepath.Join("..", "..", "fixtures")
	for _, tc := range []struct{ file, schema string }{
		{"listings.jsonl", Listing},
		{"labels.jsonl", Label},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(fixtures, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
				if err := v.Validate(tc.schema, []byte(line)); err != nil {
					t.Errorf("%s:%d: %v", tc.file, i+1, err)
				}
			}
		})
	}
	t.Run("brands.yaml", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(fixtures, "brands.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		if err := v.ValidateValue(Registry, doc); err != nil {
			t.Errorf("brands.yaml: %v", err)
		}
	})
}

// TestSchemasReject makes sure the schemas are not vacuous.
func TestSchemasReject(t *testing.T) {
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, schema, doc string }{
		{"listing without price", Listing, `{"id":"a","title":"t","seller":{"id":"s"}}`},
		{"negative price", Listing, `{"id":"a","title":"t","price":{"amount":-1,"currency":"USD"},"seller":{"id":"s"}}`},
		{"brand id with capitals", Registry, `{"brands":[{"id":"Fullips","name":"Fullips"}]}`},
		{"misspelt brand field", Registry, `{"brands":[{"id":"fullips","name":"Fullips","price_flor":{}}]}`},
		{"verdict without signals", Verdict, `{"listing_id":"a","flagged":true,"brand_id":"b","score":0.9}`},
		{"unknown signal kind", Verdict, `{"listing_id":"a","flagged":true,"brand_id":"b","score":0.9,"signals":[{"kind":"vibes","score":1,"evidence":""}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := v.Validate(tt.schema, []byte(tt.doc)); err == nil {
				t.Errorf("%s accepted %s", tt.schema, tt.doc)
			}
		})
	}
}
