package brand

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseTooLarge: a registry over MaxRegistryBytes is refused before it
// is parsed, by Parse and LoadFile alike, naming the file and the limit.
func TestParseTooLarge(t *testing.T) {
	data := []byte("brands:\n  - {id: a, name: A}\n" + strings.Repeat("#", MaxRegistryBytes))
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, perr := Parse(data, "big.yaml")
	_, lerr := LoadFile(path)
	for _, err := range []error{perr, lerr} {
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "big.yaml") || !strings.Contains(err.Error(), "larger than 67108864 bytes") {
			t.Errorf("err = %v, want ErrInvalid naming the file and the limit", err)
		}
	}
}

// TestThresholdNotANumber: YAML can spell NaN and infinity, which no
// comparison with 0..1 would catch; a NaN threshold would never flag and
// could not be published as JSON (found by FuzzParse).
func TestThresholdNotANumber(t *testing.T) {
	for _, v := range []string{".nan", ".NaN", ".inf", "-.inf"} {
		_, err := Parse([]byte("brands:\n  - {id: a, name: A, threshold: "+v+"}\n"), "t.yaml")
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "brand a: threshold") || !strings.Contains(err.Error(), "outside 0..1") {
			t.Errorf("threshold %s: err = %v, want it refused as outside 0..1", v, err)
		}
	}
}

// TestDecoderPanic: yaml.v3 panics with a runtime error on a merge key
// whose anchor is a mapping keyed by a mapping; Parse reports it as an
// invalid file instead (found by FuzzParse).
func TestDecoderPanic(t *testing.T) {
	_, err := Parse([]byte("0: &b {0}\nbrands:\n- {<<, *b}"), "t.yaml")
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "t.yaml") || !strings.Contains(err.Error(), "the YAML decoder failed") {
		t.Errorf("err = %v, want ErrInvalid naming the file and the decoder's failure", err)
	}
}

// FuzzParse feeds arbitrary YAML to Parse: it returns a valid registry or
// an ErrInvalid error naming the file, never panics or hangs (alias bombs
// included; a hang is left to go test's timeout), and a registry it
// accepts survives a round trip through JSON (which YAML reads too)
// unchanged.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"good.yaml", "good.json", "bad-fields.yaml", "duplicate-id.yaml", "unknown-field.yaml", "everything-wrong.yaml", "not-yaml.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	// A billion-laughs alias bomb, and merge keys.
	f.Add([]byte("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\nbrands: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"))
	f.Add([]byte("base: &b {name: X, owner: Y}\nbrands:\n  - {<<: *b, id: x}\n"))
	f.Add([]byte("brands:\n  - id: a\n    name: A\n    threshold: .nan\n    price_floor: {amount: 1e400, currency: usd}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reg, err := Parse(data, "f.yaml")
		if err != nil {
			if !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Fatalf("error %q is not an ErrInvalid naming the file", err)
			}
			if reg != nil {
				t.Fatal("a registry and an error")
			}
			return
		}
		if err := reg.Validate("again"); err != nil {
			t.Fatalf("accepted registry fails Validate: %v", err)
		}
		js, err := json.Marshal(reg)
		if err != nil {
			t.Fatalf("accepted registry does not encode: %v", err)
		}
		back, err := Parse(js, "round-trip")
		if err != nil {
			t.Fatalf("round trip refused: %v\n%s", err, js)
		}
		// Compared as JSON: an empty list and a missing one are the same
		// registry.
		again, err := json.Marshal(back)
		if err != nil || string(again) != string(js) {
			t.Fatalf("round trip changed the registry:\n%s\n%s", js, again)
		}
	})
}
