package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/assay-dev/assay/internal/listing"
)

// MaxCSVRecordBytes caps one CSV record (a row, which a quoted field may
// spread over several lines), like a JSON Lines line.
const MaxCSVRecordBytes = listing.MaxLineBytes

// csvSplitter cuts a CSV stream into the raw bytes of its records, each
// capped, before encoding/csv parses any of them. encoding/csv has no cap:
// one huge cell, or one stray quote that opens a field never closed, would
// make it read the rest of the file into memory as a single record, and
// lose every row after it. Here such a record costs only itself: it is
// reported too long with its first line number, and reading goes on from
// the line after its first, so rows a runaway quote swallowed are read
// again as rows. Only once: a record over the cap that starts in bytes
// being read again is skipped whole, so hostile input cannot make the
// splitter read each line many times over.
//
// Record boundaries follow RFC 4180 as encoding/csv (strict quotes, the
// mapping's delimiter) reads them: a line break ends the record unless it is inside a
// field that began with a quote; "" inside such a field is a quote.
type csvSplitter struct {
	br      *bufio.Reader
	comma   byte // the cell delimiter
	max     int
	line    int    // lines consumed so far
	pending []byte // bytes to read again before br, after a record over max
	rec     []byte // the record being read; reused
	// first is the length of the first line of the record next last
	// returned when its other lines may be read again (again), else -1;
	// start is the line that record began on.
	first, start int
}

func newCSVSplitter(r io.Reader, maxBytes int, comma byte) *csvSplitter {
	return &csvSplitter{br: bufio.NewReaderSize(r, 64<<10), max: maxBytes, comma: comma}
}

// chunk returns the next piece of input, up to and including a line break
// when eol is true. The piece is valid until the next call.
func (s *csvSplitter) chunk() (piece []byte, eol bool, err error) {
	if len(s.pending) > 0 {
		if i := bytes.IndexByte(s.pending, '\n'); i >= 0 {
			piece, s.pending = s.pending[:i+1], s.pending[i+1:]
			return piece, true, nil
		}
		piece, s.pending = s.pending, nil
		return piece, false, nil
	}
	piece, err = s.br.ReadSlice('\n')
	switch {
	case err == nil:
		return piece, true, nil
	case errors.Is(err, bufio.ErrBufferFull):
		return piece, false, nil
	case errors.Is(err, io.EOF):
		if len(piece) > 0 {
			return piece, false, nil
		}
		return nil, false, io.EOF
	}
	return nil, false, err
}

// next returns the raw bytes of the next record with the line it starts on
// (1-based), or io.EOF. A record over max comes back with tooLong set and
// only its first listing.TooLongPrefix bytes. The bytes are valid until the
// next call.
func (s *csvSplitter) next() (raw []byte, line int, tooLong bool, err error) {
	s.rec = s.rec[:0]
	s.first = -1
	start := s.line + 1
	reread := len(s.pending) == 0 // may this record's lines be read again?
	var (
		inQuotes   bool
		fieldStart = true
		firstLine  = -1 // length of the record's first line, once read
	)
	for {
		piece, eol, err := s.chunk()
		if errors.Is(err, io.EOF) {
			if len(s.rec) == 0 {
				return nil, start, false, io.EOF
			}
			s.line++ // a last line without a line break
			s.remember(start, firstLine, reread)
			return s.rec, start, false, nil
		}
		if err != nil {
			return nil, start, false, fmt.Errorf("read line %d: %w", s.line+1, err)
		}
		for i := 0; i < len(piece); i++ {
			c := piece[i]
			switch {
			case inQuotes:
				if c == '"' {
					if i+1 < len(piece) && piece[i+1] == '"' {
						i++
					} else {
						inQuotes = false
					}
				}
			case c == s.comma:
				fieldStart = true
			case c == '"' && fieldStart:
				inQuotes, fieldStart = true, false
			case c != '\r' && c != '\n':
				fieldStart = false
			}
		}
		s.rec = append(s.rec, piece...)
		if eol {
			s.line++
			if firstLine < 0 {
				firstLine = len(s.rec)
			}
		}
		if len(s.rec) > s.max+2 { // +2: the line break
			if !reread {
				firstLine = -1
			}
			return s.overLong(start, firstLine, eol)
		}
		if eol && !inQuotes {
			s.remember(start, firstLine, reread)
			return s.rec, start, false, nil
		}
	}
}

func (s *csvSplitter) remember(start, firstLine int, reread bool) {
	s.first, s.start = -1, start
	if reread && firstLine >= 0 && firstLine < len(s.rec) {
		s.first = firstLine
	}
}

// again is for a record next returned last that encoding/csv could not
// parse and that spans several lines: most likely a stray quote opened a
// field that swallowed the rows after it (to the end of the input, or to
// the next quote). It returns the record's first line alone, to be
// reported, and has next read the lines after it again as rows. It
// returns false for a record of one line, or one that began in bytes
// already being read again (each byte is read again at most once).
func (s *csvSplitter) again() ([]byte, bool) {
	if s.first < 0 {
		return nil, false
	}
	first := s.rec[:s.first]
	s.pending = bytes.Clone(s.rec[s.first:])
	s.line = s.start
	s.first = -1
	return first, true
}

// overLong ends a record that passed max; lineEnded says whether the last
// chunk read ended a line. With firstLine known (not -1), what was read
// after the record's first line is read again; otherwise the record is
// skipped to the end of the line reading stopped in.
func (s *csvSplitter) overLong(start, firstLine int, lineEnded bool) ([]byte, int, bool, error) {
	prefix := s.rec[:min(len(s.rec), listing.TooLongPrefix)]
	if firstLine >= 0 {
		// firstLine is known only for a record that began with nothing
		// pending, and chunk adds nothing to pending: it is empty here.
		// The clone is needed, as s.rec is reused by the next record.
		s.pending = bytes.Clone(s.rec[firstLine:])
		s.line = start
		return prefix, start, true, nil
	}
	if lineEnded {
		return prefix, start, true, nil
	}
	for {
		_, eol, err := s.chunk()
		if errors.Is(err, io.EOF) {
			s.line++
			return prefix, start, true, nil
		}
		if err != nil {
			return nil, start, false, fmt.Errorf("read line %d: %w", s.line+1, err)
		}
		if eol {
			s.line++
			return prefix, start, true, nil
		}
	}
}
