// Package yamldoc decodes the YAML documents operators write (the brand
// registry, CSV mapping files) with gopkg.in/yaml.v3, with the decoder's
// own runtime panics turned into errors: some inputs (a merge key naming
// a mapping keyed by a mapping) make yaml.v3 panic where it should fail,
// and a bad file must never stop a program. What a document means, and
// how its errors are worded, is left to the package that reads it.
package yamldoc

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// ErrDecoder marks an input the YAML decoder failed on by panicking.
var ErrDecoder = errors.New("the YAML decoder failed on this input")

// Decode is doc.Decode(v), with a panic in the decoder returned as an
// ErrDecoder error.
func Decode(doc *yaml.Node, v any) (err error) {
	defer recoverInto(&err)
	return doc.Decode(v)
}

// Unmarshal is yaml.Unmarshal(data, v), with a panic in the decoder
// returned as an ErrDecoder error.
func Unmarshal(data []byte, v any) (err error) {
	defer recoverInto(&err)
	return yaml.Unmarshal(data, v)
}

func recoverInto(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %v", ErrDecoder, r)
	}
}
