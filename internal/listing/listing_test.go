package listing

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assay-dev/assay/internal/price"
)

var update = flag.Bool("update", false, "update golden files")

// TestReaderGolden reads a stream mixing good events with every kind of bad
// one and compares the outcome of each line with a golden file: good lines
// must survive their bad neighbours, bad ones must say what is wrong.
func TestReaderGolden(t *testing.T) {
	for _, name := range []string{"mixed"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", name+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var out strings.Builder
			r := NewReader(f)
			for {
				l, line, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				var le *LineError
				switch {
				case errors.As(err, &le):
					if !errors.Is(err, ErrInvalid) {
						t.Errorf("line %d: error %v is not ErrInvalid", line, err)
					}
					fmt.Fprintf(&out, "%d: rejected: %v\n", line, le.Err)
				case err != nil:
					t.Fatalf("stream error: %v", err)
				default:
					fmt.Fprintf(&out, "%d: ok %s %q %s seller=%s images=%d\n", line, l.ID, l.Title, l.Price, l.Seller.ID, len(l.Images))
				}
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != string(want) {
				t.Errorf("outcome differs from %s (run with -update to accept):\n got:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// TestDecodeInvalidUTF8 checks that invalid UTF-8 in a title or
// description, which validate does not look for, comes out of Decode as
// U+FFFD, whichever path read it.
func TestDecodeInvalidUTF8(t *testing.T) {
	const rest = `"price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`
	for _, tt := range []struct{ name, in, title, desc string }{
		{"title", "{\"id\":\"a\",\"title\":\"a\xffb\"," + rest, "a\ufffdb", ""},
		{"description", "{\"id\":\"a\",\"title\":\"t\",\"description\":\"\xe2\x82\"," + rest, "t", "\ufffd\ufffd"},
		{"with an escape", "{\"id\":\"a\",\"title\":\"\\u0041\xff\"," + rest, "A\ufffd", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Decode([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if l.Title != tt.title || l.Description != tt.desc {
				t.Errorf("title %q, description %q; want %q, %q", l.Title, l.Description, tt.title, tt.desc)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"missing id", `{"title":"x","price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`, "field id is missing"},
		{"wrong type", `{"id":"a","title":7,"price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`, "field title"},
		{"nan price", `{"id":"a","title":"t","price":{"amount":"NaN","currency":"USD"},"seller":{"id":"s"}}`, "field price.amount"},
		{"truncated", `{"id":"a","title":"t"`, "malformed JSON"},
		{"not an object", `"just a string"`, "expected a JSON object"},
		{"price without amount", `{"id":"a","title":"t","price":{"currency":"USD"},"seller":{"id":"s"}}`, "field price.amount is missing"},
		{"price amount null", `{"id":"a","title":"t","price":{"amount":null,"currency":"USD"},"seller":{"id":"s"}}`, "field price.amount is missing"},
		{"price not an object", `{"id":"a","title":"t","price":12,"seller":{"id":"s"}}`, "field price: expected an object, got JSON number"},
		{"absurd price", `{"id":"a","title":"t","price":{"amount":99999999999,"currency":"USD"},"seller":{"id":"s"}}`, "above the"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Decode(%s) error = %v, want one mentioning %q", tt.in, err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v is not ErrInvalid", err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "mixed.jsonl"))
	if err != nil {
		f.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if len(line) < 4096 {
			f.Add([]byte(line))
		}
	}
	f.Add([]byte(`{"id":"a","title":"t","price":{"amount":1,"currency":"USD"},"seller":{"id":"s","contact":{"email":"x@example.com","phone":"+1 555 0100"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := Decode(b)
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error %v is not ErrInvalid", err)
		}
		// validate does not check UTF-8: Decode must never yield invalid.
		if err == nil && (!utf8.ValidString(l.Title) || !utf8.ValidString(l.Description)) {
			t.Fatalf("Decode yielded invalid UTF-8: title %q, description %q", l.Title, l.Description)
		}
		// What the fast path accepts, encoding/json reads the same way.
		var got Listing
		if !decodeFast(b, &got, new(price.Money)) {
			return
		}
		var want Listing
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("fast path accepted what encoding/json rejects: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("fast path and encoding/json differ:\nfast %+v\njson %+v", got, want)
		}
	})
}

// TestReaderLongLine checks that an over-long line costs only itself.
func TestReaderLongLine(t *testing.T) {
	good := `{"id":"a","title":"t","price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`
	in := good + "\n" + strings.Repeat("x", MaxLineBytes+10) + "\n" + strings.Replace(good, `"a"`, `"b"`, 1)
	r := NewReader(strings.NewReader(in))
	var got []string
	for {
		l, line, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			got = append(got, fmt.Sprintf("%d:err", line))
			continue
		}
		got = append(got, fmt.Sprintf("%d:%s", line, l.ID))
	}
	if want := "1:a 2:err 3:b"; strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
}

// TestReaderNotJSONLines: an input that is something else as a whole
// stops at its first non-blank line, where one bad line among good ones
// is rejected alone and reading goes on.
func TestReaderNotJSONLines(t *testing.T) {
	good := `{"id":"a","title":"t","price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`
	tests := []struct {
		name, in string
		want     string // the error at the first line, or "" for none
	}{
		{"pretty array", "\n[\n  " + good + "\n]\n", "line 2: not JSON Lines (one listing, a JSON object, a line): the input is a JSON array"},
		{"one-line array", "[" + good + "]\n", "line 1: not JSON Lines (one listing, a JSON object, a line): the input is a JSON array"},
		{"binary", "\x7fELF\x02\x01\x00\x00junk\n" + good, "the input is binary"},
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "the input is binary"},
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "the input is a PDF document"},
		{"gzip read raw", "\x1f\x8b\x08\x00\x00\x09\x6e\x88\x00\xff", "the input is binary"},
		{"object with a stray byte", `{"id":"a\xff","title":"t"}` + "\n", ""},
		{"array after a good line", good + "\n[1]\n", ""},
		{"bad first line", "{oops\n" + good + "\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := NewReader(strings.NewReader(tt.in)).Next()
			if tt.want == "" {
				if errors.Is(err, ErrNotJSONLines) {
					t.Fatalf("error %v, want the input read line by line", err)
				}
				return
			}
			if !errors.Is(err, ErrNotJSONLines) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrNotJSONLines saying %q", err, tt.want)
			}
		})
	}
}

func TestLineReader(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"lf", "a\nb\n", []string{"a", "b"}},
		{"crlf and no final newline", "a\r\n\r\nb", []string{"a", "", "b"}},
		{"empty", "", nil},
		{"byte-order mark", "\ufeffa\n\ufeffb\n", []string{"a", "\ufeffb"}}, // only at the start of the stream
		{"byte-order mark alone", "\ufeff", []string{""}},
		{"too long", strings.Repeat("y", MaxLineBytes+10) + "\nz\n", []string{"LONG", "z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := NewLineReader(strings.NewReader(tt.in))
			var got []string
			for {
				line, n, tooLong, err := lr.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if n != len(got)+1 {
					t.Errorf("line number %d, want %d", n, len(got)+1)
				}
				if tooLong {
					if len(line) != TooLongPrefix {
						t.Errorf("kept %d bytes of a long line, want %d", len(line), TooLongPrefix)
					}
					line = []byte("LONG")
				}
				got = append(got, string(line))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lines %q, want %q", got, tt.want)
			}
		})
	}
}
