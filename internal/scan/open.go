package scan

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Open turns command-line arguments into sources: each path is opened, and
// "-" (or no path at all) stands for stdin, whose relative image paths
// resolve against the working directory. A gzip-compressed input is read
// decompressed. Close releases the files.
func Open(paths []string, stdin io.Reader) (sources []Source, closeAll func(), err error) {
	if len(paths) == 0 {
		paths = []string{"-"}
	}
	var files []*os.File
	closeAll = func() {
		for _, f := range files {
			f.Close()
		}
	}
	for _, p := range paths {
		if p == "-" {
			wd, _ := os.Getwd()
			sources = append(sources, Source{Name: "<stdin>", R: &gunzipper{r: stdin}, Dir: wd})
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("open input: %w", err)
		}
		files = append(files, f)
		// Found now, not after connecting to Kafka: reading a directory
		// fails only at the first read.
		if st, err := f.Stat(); err == nil && st.IsDir() {
			closeAll()
			return nil, nil, fmt.Errorf("open input: %s is a directory, not a file", p)
		}
		sources = append(sources, Source{Name: p, R: &gunzipper{r: f}, Dir: filepath.Dir(p)})
	}
	return sources, closeAll, nil
}

// gunzipper reads r, decompressed if it begins with gzip's magic bytes
// (an export saved as .jsonl.gz). It looks at the first Read, not when
// opened, so that opening stdin does not wait for input.
type gunzipper struct {
	r, in io.Reader
	err   error // a failure to start reading, returned by every Read
}

func (g *gunzipper) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.in == nil {
		br := bufio.NewReaderSize(g.r, 64<<10)
		head, err := br.Peek(2)
		switch {
		case len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b:
			zr, err := gzip.NewReader(br)
			if err != nil {
				g.err = fmt.Errorf("gzip: %w", err)
				return 0, g.err
			}
			g.in = zr
		case err != nil && !errors.Is(err, io.EOF):
			// bufio keeps no error Peek met: an input that fails at once
			// must not read as an empty one.
			g.err = err
			return 0, err
		default:
			g.in = br
		}
	}
	n, err := g.in.Read(p)
	if _, ok := g.in.(*gzip.Reader); ok && err != nil && !errors.Is(err, io.EOF) {
		return n, fmt.Errorf("gzip: %w", err)
	}
	return n, err
}
