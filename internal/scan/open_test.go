package scan

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// TestOpen: a gzip-compressed input, file or stdin, reads decompressed, a
// plain one as it is; a directory is refused when opened, not at the
// first read; stdin is not read before the first Read.
func TestOpen(t *testing.T) {
	dir := t.TempDir()
	const text = "{\"id\":\"a\"}\n{\"id\":\"b\"}\n"
	var zipped bytes.Buffer
	zw := gzip.NewWriter(&zipped)
	zw.Write([]byte(text))
	zw.Close()
	plain, gz := filepath.Join(dir, "l.jsonl"), filepath.Join(dir, "l.jsonl.gz")
	if err := os.WriteFile(plain, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(gz, zipped.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		paths []string
		stdin io.Reader
		want  string // each source's text, joined by |; or the error
	}{
		{"plain and gzip files", []string{plain, gz}, nil, text + "|" + text},
		{"gzip on stdin", []string{"-"}, bytes.NewReader(zipped.Bytes()), text},
		{"short stdin", nil, strings.NewReader("x"), "x"},
		{"empty stdin", nil, strings.NewReader(""), ""},
		{"directory", []string{plain, dir}, nil, "open input: " + dir + " is a directory, not a file"},
		{"stdin failing at once", nil, iotest.ErrReader(errors.New("disk on fire")), "disk on fire"},
		{"truncated gzip", []string{"-"}, bytes.NewReader(zipped.Bytes()[:zipped.Len()-6]), "gzip: unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sources, closeAll, err := Open(tt.paths, tt.stdin)
			if strings.HasPrefix(tt.want, "open input: ") != (err != nil) {
				t.Fatalf("Open: %v, want %q", err, tt.want) // said at Open, or not
			}
			if err != nil {
				if err.Error() != tt.want {
					t.Fatalf("Open: %v, want %q", err, tt.want)
				}
				return
			}
			defer closeAll()
			var got []string
			for _, s := range sources {
				b, err := io.ReadAll(s.R)
				if err != nil {
					got = append(got, err.Error())
					continue
				}
				got = append(got, string(b))
			}
			if g := strings.Join(got, "|"); !strings.Contains(g, tt.want) || (tt.want == "" && g != "") {
				t.Errorf("read %q, want %q", g, tt.want)
			}
		})
	}
	var stdin countingReader
	if _, closeAll, err := Open(nil, &stdin); err != nil {
		t.Fatal(err)
	} else {
		closeAll()
	}
	if stdin.reads != 0 {
		t.Errorf("Open read stdin %d times before its first Read", stdin.reads)
	}
}

type countingReader struct{ reads int }

func (r *countingReader) Read([]byte) (int, error) { r.reads++; return 0, io.EOF }
