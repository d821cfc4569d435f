package listing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assay-dev/assay/internal/price"
)

// LineError is a rejected line: its 1-based number and why.
type LineError struct {
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Decode parses one JSON object into a validated Listing. Unknown fields are
// accepted so that producers can add to the contract without breaking us.
func Decode(data []byte) (*Listing, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty event", ErrInvalid)
	}
	if data[0] != '{' {
		return nil, fmt.Errorf("%w: expected a JSON object, got %q", ErrInvalid, truncate(string(data), 20))
	}
	// The listing and its price take one allocation.
	ev := new(struct {
		l Listing
		m price.Money
	})
	l := &ev.l
	// The usual event shape is parsed by hand (decodeFast); anything else
	// goes to encoding/json. Unmarshal rather than a Decoder: it does not
	// copy the event into a buffer of its own, which showed in the
	// streaming matcher's profile.
	if !decodeFast(data, l, &ev.m) {
		*l = Listing{}
		if err := json.Unmarshal(data, l); err != nil {
			return nil, fmt.Errorf("%w: %s", ErrInvalid, describeJSONError(err))
		}
	}
	// Both paths yield valid UTF-8 only, so validate need not check it:
	// decodeFast accepts only strings that are, and encoding/json replaces
	// invalid bytes with U+FFFD ("invalid UTF-8 or invalid UTF-16 surrogate
	// pairs are not treated as an error. Instead, they are replaced by the
	// Unicode replacement character U+FFFD", json.Unmarshal's doc).
	// FuzzDecode holds Decode to it.
	if err := l.validate(); err != nil {
		return nil, err
	}
	return l, nil
}

func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tim *time.ParseError
	switch {
	case errors.As(err, &syn) && strings.Contains(syn.Error(), "after top-level value"):
		return "trailing data after the JSON object"
	case errors.As(err, &syn) && strings.Contains(syn.Error(), "unexpected end of JSON input"):
		return "malformed JSON: truncated object"
	case errors.As(err, &syn):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn)
	case errors.Is(err, price.ErrNoAmount):
		// Money's decoder does not know it is the listing's price.
		return "field price.amount is missing"
	case errors.As(err, &typ):
		return fmt.Sprintf("field %s: expected %s, got JSON %s", typ.Field, jsonKind(typ.Type), typ.Value)
	case errors.As(err, &tim):
		return fmt.Sprintf("field observed_at: %q is not an RFC 3339 timestamp", tim.Value)
	}
	return "malformed JSON: " + err.Error()
}

// jsonKind names what JSON a field of type t takes, in the contract's words
// rather than Go's ("a number", not "float64").
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Float32, reflect.Float64, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return t.String()
}

// ErrNotJSONLines marks an input that is plainly not JSON Lines as a
// whole, told by its first line: reading it line by line would only
// reject each of its lines in turn (a binary file, many thousands).
var ErrNotJSONLines = errors.New("not JSON Lines (one listing, a JSON object, a line)")

// CheckFirstLine returns an ErrNotJSONLines error when line, the first
// non-blank line of an input, shows the input as a whole is something
// else: a JSON array (pretty-printed, or on one line), or binary data.
func CheckFirstLine(line []byte) error {
	line = bytes.TrimSpace(line)
	switch {
	case len(line) > 0 && line[0] == '[':
		return fmt.Errorf("%w: the input is a JSON array; convert it with jq -c '.[]'", ErrNotJSONLines)
	case bytes.IndexByte(line, 0) >= 0:
		return fmt.Errorf("%w: the input is binary (a NUL byte on its first line)", ErrNotJSONLines)
	case bytes.HasPrefix(line, []byte("%PDF-")):
		return fmt.Errorf("%w: the input is a PDF document", ErrNotJSONLines)
	case len(line) > 0 && line[0] != '{' && (!utf8.Valid(line) || bytes.ContainsFunc(line, isControl)):
		// Not an object, and not text: an image, an archive. (A first
		// object with a stray byte in a string is still read, and its
		// bytes replaced: see Decode.)
		return fmt.Errorf("%w: the input is binary (its first line is not text)", ErrNotJSONLines)
	}
	return nil
}

// isControl reports a control character other than a tab.
func isControl(r rune) bool { return (r < 0x20 && r != '\t') || r == 0x7f }

// Reader yields listings from a JSON Lines stream, one per non-blank line.
// A bad line is returned as a *LineError and reading goes on with the next,
// including after a line longer than MaxLineBytes, which is skipped unread.
type Reader struct {
	lines   *LineReader
	checked bool // CheckFirstLine passed
}

// NewReader reads JSON Lines from r.
func NewReader(r io.Reader) *Reader {
	return &Reader{lines: NewLineReader(r)}
}

// Next returns the next listing and its line number. It returns io.EOF at the
// end, a *LineError for a line that was rejected (the caller may go on), and
// any other error when the stream itself failed or is not JSON Lines
// (CheckFirstLine).
func (r *Reader) Next() (*Listing, int, error) {
	for {
		line, n, tooLong, err := r.lines.Next()
		if err != nil {
			return nil, n, err
		}
		if tooLong {
			return nil, n, &LineError{Line: n, Err: fmt.Errorf("%w: line longer than %d bytes", ErrInvalid, MaxLineBytes)}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !r.checked {
			if err := CheckFirstLine(line); err != nil {
				return nil, n, fmt.Errorf("line %d: %w", n, err)
			}
			r.checked = true
		}
		l, derr := Decode(line)
		if derr != nil {
			return nil, n, &LineError{Line: n, Err: derr}
		}
		return l, n, nil
	}
}
