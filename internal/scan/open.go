package scan

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Open turns command-line arguments into sources: each path is opened, and
// "-" (or no path at all) stands for stdin, whose relative image paths
// resolve against the working directory. Close releases the files.
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
			sources = append(sources, Source{Name: "<stdin>", R: stdin, Dir: wd})
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("open input: %w", err)
		}
		files = append(files, f)
		sources = append(sources, Source{Name: p, R: f, Dir: filepath.Dir(p)})
	}
	return sources, closeAll, nil
}
