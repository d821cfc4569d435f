// Package schema embeds the JSON Schema files that document Assay's data
// contracts (listing, brand registry, verdict, evaluation label) and
// validates documents against them, so tests keep the code and its
// documentation in step. It is not used at run time: the decoders in
// internal/listing and internal/brand give users friendlier messages.
package schema

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed *.schema.json
var files embed.FS

// Names of the schemas.
const (
	Listing  = "listing.schema.json"
	Registry = "brand-registry.schema.json"
	Verdict  = "verdict.schema.json"
	Label    = "label.schema.json"
	// Candidate is a record of the candidates topic.
	Candidate = "candidate.schema.json"
	// BrandRecord is a record of the brands topic.
	BrandRecord = "brand-record.schema.json"
)

const base = "https://assay.dev/schema/"

// Validator validates documents against the embedded schemas.
type Validator struct {
	schemas map[string]*jsonschema.Schema
}

// New compiles every embedded schema.
func New() (*Validator, error) {
	c := jsonschema.NewCompiler()
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		data, err := files.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("parse schema %s: %w", e.Name(), err)
		}
		if err := c.AddResource(base+e.Name(), doc); err != nil {
			return nil, fmt.Errorf("add schema %s: %w", e.Name(), err)
		}
	}
	v := &Validator{schemas: map[string]*jsonschema.Schema{}}
	for _, name := range []string{Listing, Registry, Verdict, Label, Candidate, BrandRecord} {
		s, err := c.Compile(base + name)
		if err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", name, err)
		}
		v.schemas[name] = s
	}
	return v, nil
}

// Validate checks a JSON document against the named schema.
func (v *Validator) Validate(name string, jsonDoc []byte) error {
	s, ok := v.schemas[name]
	if !ok {
		return fmt.Errorf("no schema %q", name)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(jsonDoc))
	if err != nil {
		return fmt.Errorf("parse document: %w", err)
	}
	return s.Validate(doc)
}

// ValidateValue marshals v to JSON first; use it for YAML decoded into maps.
func (v *Validator) ValidateValue(name string, value any) error {
	data, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("marshal document: %w", err)
	}
	return v.Validate(name, data)
}
