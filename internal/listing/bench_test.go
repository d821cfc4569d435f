package listing

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkDecode decodes the fixture listings, the matcher's usual
// events, one after another.
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "listings.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
	size := 0
	for _, line := range lines {
		size += len(line)
	}
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Decode(lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeEscaped decodes the fixture listings that have an escape
// as cmd/ingest publishes them: written by json.Marshal, which escapes
// & < > in strings.
func BenchmarkDecodeEscaped(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "listings.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	var lines [][]byte
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		l, err := Decode(line)
		if err != nil {
			b.Fatal(err)
		}
		m, err := json.Marshal(l)
		if err != nil {
			b.Fatal(err)
		}
		if bytes.IndexByte(m, '\\') >= 0 {
			lines = append(lines, m)
		}
	}
	if len(lines) == 0 {
		b.Fatal("no fixture listing has an escape once marshaled")
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := Decode(lines[i%len(lines)]); err != nil {
			b.Fatal(err)
		}
	}
}
