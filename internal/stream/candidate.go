package stream

import (
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
)

// appendCandidate appends c as json.Marshal encodes it, byte for byte,
// without reflection: the matcher encodes every flagged listing, and
// encoding/json's cost showed in its profile. ok is false for a candidate
// encoding/json would refuse (a NaN or infinite number, a time outside
// RFC 3339); the caller leaves those to encoding/json, which words the
// error. TestCandidateFields fails when a type it encodes gains a field.
func appendCandidate(b []byte, c *Candidate) (out []byte, ok bool) {
	var e encoder
	b = append(b, `{"listing_id":`...)
	b = appendString(b, c.ListingID)
	b = append(b, `,"flagged":`...)
	b = strconv.AppendBool(b, c.Flagged)
	b = append(b, `,"brand_id":`...)
	b = appendString(b, c.BrandID)
	if c.BrandName != "" {
		b = append(b, `,"brand_name":`...)
		b = appendString(b, c.BrandName)
	}
	b = append(b, `,"score":`...)
	b = e.float(b, c.Score)
	b = append(b, `,"threshold":`...)
	b = e.float(b, c.Threshold)
	b = append(b, `,"signals":`...)
	b = e.signals(b, c.Signals)
	if len(c.Others) > 0 {
		b = append(b, `,"other_brands":[`...)
		for i, o := range c.Others {
			b = comma(b, i)
			b = append(b, `{"brand_id":`...)
			b = appendString(b, o.BrandID)
			b = append(b, `,"score":`...)
			b = e.float(b, o.Score)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"listing":`...)
	b = e.listing(b, c.Listing)
	b = append(b, `,"content_hash":`...)
	b = appendString(b, c.ContentHash)
	b = append(b, `,"scored_at":`...)
	b = e.time(b, c.ScoredAt)
	if c.Retroactive {
		b = append(b, `,"retroactive":true`...)
	}
	if len(c.Images) > 0 {
		b = append(b, `,"images":[`...)
		for i, h := range c.Images {
			b = comma(b, i)
			b = append(b, `{"ref":`...)
			b = appendString(b, h.Ref)
			b = append(b, `,"hash":`...)
			b = appendString(b, h.Hash)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	return b, !e.bad
}

// candidateSize guesses the encoded size of c, so that the buffer is
// allocated once and not much larger: its strings, plus the names, quotes
// and numbers around them, plus a margin for escapes.
func candidateSize(c *Candidate) int {
	n := 224 + len(c.ListingID) + len(c.BrandID) + len(c.BrandName) + len(c.ContentHash) + 48*len(c.Others) + 32*len(c.Images)
	for _, s := range c.Signals {
		n += 72 + len(s.Evidence) + 160*len(s.Images)
		for _, t := range s.Terms {
			n += 16 + len(t)
		}
	}
	for _, h := range c.Images {
		n += len(h.Ref) + len(h.Hash)
	}
	if l := c.Listing; l != nil {
		n += 192 + len(l.ID) + len(l.Marketplace) + len(l.URL) + len(l.Title) + len(l.Description) + len(l.Seller.ID) + len(l.Seller.Name)
		if p := l.Price; p != nil {
			n += len(p.Currency)
		}
		if ct := l.Seller.Contact; ct != nil {
			n += 32 + len(ct.Email) + len(ct.Phone)
		}
		for _, img := range l.Images {
			n += 4 + len(img)
		}
	}
	return n + n/32
}

// encoder records a value encoding/json would refuse. The bytes are passed
// along, not kept in it: a slice stored through a pointer costs a write
// barrier on every append while the collector runs.
type encoder struct {
	bad bool
}

func comma(b []byte, i int) []byte {
	if i > 0 {
		b = append(b, ',')
	}
	return b
}

func (e *encoder) signals(b []byte, ss []score.Signal) []byte {
	if ss == nil {
		return append(b, `null`...)
	}
	b = append(b, '[')
	for i := range ss {
		s := &ss[i]
		b = comma(b, i)
		b = append(b, `{"kind":`...)
		b = appendString(b, s.Kind)
		b = append(b, `,"score":`...)
		b = e.float(b, s.Score)
		b = append(b, `,"evidence":`...)
		b = appendString(b, s.Evidence)
		if len(s.Terms) > 0 {
			b = append(b, `,"terms":`...)
			b = appendStrings(b, s.Terms)
		}
		if len(s.Images) > 0 {
			b = append(b, `,"images":[`...)
			for j, m := range s.Images {
				b = comma(b, j)
				b = append(b, `{"listing":`...)
				b = appendString(b, m.Listing)
				b = append(b, `,"reference":`...)
				b = appendString(b, m.Reference)
				b = append(b, `,"distance":`...)
				b = strconv.AppendInt(b, int64(m.Distance), 10)
				b = append(b, `,"threshold":`...)
				b = strconv.AppendInt(b, int64(m.Threshold), 10)
				if m.Variant != "" {
					b = append(b, `,"variant":`...)
					b = appendString(b, m.Variant)
				}
				if m.Region != "" {
					b = append(b, `,"region":`...)
					b = appendString(b, m.Region)
				}
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	return b
}

func (e *encoder) listing(b []byte, l *listing.Listing) []byte {
	if l == nil {
		return append(b, `null`...)
	}
	b = append(b, `{"id":`...)
	b = appendString(b, l.ID)
	if l.Marketplace != "" {
		b = append(b, `,"marketplace":`...)
		b = appendString(b, l.Marketplace)
	}
	if l.URL != "" {
		b = append(b, `,"url":`...)
		b = appendString(b, l.URL)
	}
	b = append(b, `,"title":`...)
	b = appendString(b, l.Title)
	if l.Description != "" {
		b = append(b, `,"description":`...)
		b = appendString(b, l.Description)
	}
	b = append(b, `,"price":`...)
	if p := l.Price; p == nil {
		b = append(b, `null`...)
	} else {
		b = append(b, `{"amount":`...)
		b = e.float(b, p.Amount)
		b = append(b, `,"currency":`...)
		b = appendString(b, p.Currency)
		b = append(b, '}')
	}
	b = append(b, `,"seller":{"id":`...)
	b = appendString(b, l.Seller.ID)
	if l.Seller.Name != "" {
		b = append(b, `,"name":`...)
		b = appendString(b, l.Seller.Name)
	}
	if c := l.Seller.Contact; c != nil {
		b = append(b, `,"contact":{`...)
		if c.Email != "" {
			b = append(b, `"email":`...)
			b = appendString(b, c.Email)
		}
		if c.Phone != "" {
			if c.Email != "" {
				b = append(b, ',')
			}
			b = append(b, `"phone":`...)
			b = appendString(b, c.Phone)
		}
		b = append(b, '}')
	}
	b = append(b, '}')
	if len(l.Images) > 0 {
		b = append(b, `,"images":`...)
		b = appendStrings(b, l.Images)
	}
	if !l.ObservedAt.IsZero() {
		b = append(b, `,"observed_at":`...)
		b = e.time(b, l.ObservedAt)
	}
	b = append(b, '}')
	return b
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		b = comma(b, i)
		b = appendString(b, s)
	}
	b = append(b, ']')
	return b
}

// time is time.Time's MarshalJSON: RFC 3339 with nanoseconds, quoted.
func (e *encoder) time(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		e.bad = true
		return b
	}
	return append(b, '"')
}

// float is encoding/json's float64 encoding: the shortest decimal that
// reads back the same, in exponent form below 1e-6 and from 1e21.
func (e *encoder) float(b []byte, f float64) []byte {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		e.bad = true
		return b
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 is written e-9.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendString is encoding/json's string encoding with HTML escaping: <, > and &
// as \u003c, \u003e and \u0026, control characters escaped, invalid UTF-8
// as \ufffd, and U+2028 and U+2029 escaped for JavaScript.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Plain ASCII, most of any listing, is passed over eight bytes
		// at a time.
		for i+8 <= len(s) {
			if m := special(load64(s, i)); m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// Bytes of a 64-bit word, each set to the same value.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special sets the high bit of every byte of x (eight bytes of a string)
// that appendString cannot copy as it is: a control character, a quote, a
// backslash, <, >, & or a non-ASCII byte. A set bit is exact for the lowest
// such byte; above it, borrows may set false ones.
func special(x uint64) uint64 {
	less := func(x uint64, n byte) uint64 { return (x - uint64(n)*ones) &^ x & highs } // bytes below n (n <= 128)
	is := func(c byte) uint64 { return less(x^(uint64(c)*ones), 1) }
	return less(x, 0x20) | is('"') | is('\\') | is('<') | is('>') | is('&') | x&highs
}

// load64 is s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
