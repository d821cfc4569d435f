package listing

import (
	"bytes"
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
