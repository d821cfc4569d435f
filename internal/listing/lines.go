package listing

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// TooLongPrefix is how much of a line over MaxLineBytes is kept: enough for
// a dead-letter record to show what the line was.
const TooLongPrefix = 4 << 10

var utf8BOM = []byte("\ufeff")

// LineReader splits a JSON Lines stream into numbered lines (LF or CR LF,
// with or without a final newline; a byte-order mark at the start is
// dropped). A line longer than MaxLineBytes is
// consumed to its end and reported as too long with only its first
// TooLongPrefix bytes, so one bad line costs only itself.
type LineReader struct {
	br   *bufio.Reader
	line int
	buf  []byte
}

// NewLineReader reads lines from r.
func NewLineReader(r io.Reader) *LineReader {
	return &LineReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// Next returns the next line without its line ending and its 1-based
// number, or io.EOF at the end. The line is valid until the next call.
func (r *LineReader) Next() (line []byte, n int, tooLong bool, err error) {
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice('\n')
		if !tooLong {
			if len(r.buf)+len(chunk) > MaxLineBytes+2 { // +2: the line ending
				tooLong = true
				r.buf = r.buf[:min(len(r.buf), TooLongPrefix)]
			} else {
				r.buf = append(r.buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(r.buf) == 0 && !tooLong {
				return nil, r.line, false, io.EOF
			}
		case err != nil:
			return nil, r.line, false, fmt.Errorf("read line %d: %w", r.line+1, err)
		}
		r.line++
		line := bytes.TrimRight(r.buf, "\r\n")
		if r.line == 1 {
			// A byte-order mark, as editors on Windows write, is no part
			// of the first listing.
			line = bytes.TrimPrefix(line, utf8BOM)
		}
		return line, r.line, tooLong, nil
	}
}
