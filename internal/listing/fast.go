package listing

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/assay-dev/assay/internal/price"
)

// decodeFast parses the usual shape of a listing event straight into l,
// without reflection: the contract's own field names spelt exactly, each
// once, no nulls, nothing else. It returns false for anything else — an
// unknown or differently cased field, an escape in a field name or a
// timestamp, invalid UTF-8 in a string without escapes, a malformed or
// out-of-range number, a bad timestamp, trailing data — and the caller
// then decodes with encoding/json, which has the last word on acceptance
// and words the errors. On true, l holds what json.Unmarshal would have
// produced, its price (if any) in *m.
//
// The event is copied into one string and every field is a piece of it:
// one allocation instead of one per field. A field kept alone keeps the
// whole event alive, which costs nothing where listings live no longer
// than their event (scoring one, publishing its candidate). A string
// value with escapes (json.Marshal writes & < > as \u0026 \u003c \u003e)
// is unquoted by encoding/json on its own, so that it reads exactly as in
// a whole event, at the cost of a string of its own.
func decodeFast(data []byte, l *Listing, m *price.Money) bool {
	s := scanner{b: data, src: string(data)}
	var seen uint16
	once := func(bit uint16) bool {
		if seen&bit != 0 {
			return false // a repeated field: json.Unmarshal merges, leave it to it
		}
		seen |= bit
		return true
	}
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return once(1<<0) && s.strInto(&l.ID)
		case "marketplace":
			return once(1<<1) && s.strInto(&l.Marketplace)
		case "url":
			return once(1<<2) && s.strInto(&l.URL)
		case "title":
			return once(1<<3) && s.strInto(&l.Title)
		case "description":
			return once(1<<4) && s.strInto(&l.Description)
		case "price":
			return once(1<<5) && s.price(l, m)
		case "seller":
			return once(1<<6) && s.seller(&l.Seller)
		case "images":
			return once(1<<7) && s.images(l)
		case "observed_at":
			return once(1<<8) && s.time(&l.ObservedAt)
		}
		return false
	})
	if !ok {
		return false
	}
	s.ws()
	return s.i == len(s.b)
}

type scanner struct {
	b []byte
	// src is b as a string: strings are cut from it, not copied out of b.
	src string
	i   int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// byte consumes c after optional whitespace.
func (s *scanner) byte(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// rawStr returns the next string's contents, without the quotes, when it
// has no escapes or control characters and is valid UTF-8.
func (s *scanner) rawStr() ([]byte, bool) {
	start, end, escaped, ok := s.span()
	return s.b[start:end], ok && !escaped
}

// span is rawStr's work: where the next string's contents start and end,
// and whether they have escapes. A string without escapes must be valid
// UTF-8; one with escapes is left to encoding/json (a backslash only
// means the byte after it does not end the string). Control characters
// end either. It looks at eight bytes at a time, with a few arithmetic
// operations instead of eight comparisons, and leaves UTF-8 validation to
// strings with a non-ASCII byte (spanReference is the byte-by-byte rule
// it must agree with).
func (s *scanner) span() (start, end int, escaped, ok bool) {
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return 0, 0, false, false
	}
	start = s.i + 1
	b := s.b
	var high uint64 // the high bits of the words looked at: any non-ASCII byte
	j := start
	for {
		for j+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[j:])
			high |= x
			if m := stop(x); m != 0 {
				// The lowest flagged byte is exact; flags above it may
				// not be, so that byte is looked at on its own below.
				j += bits.TrailingZeros64(m) / 8
				break
			}
			j += 8
		}
		if j >= len(b) {
			return 0, 0, false, false
		}
		switch c := b[j]; {
		case c == '"':
			// high may have seen bytes past the end: then the check is
			// merely unneeded.
			if !escaped && high&highs != 0 && !utf8.Valid(b[start:j]) {
				return 0, 0, false, false
			}
			s.i = j + 1
			return start, j, escaped, true
		case c == '\\':
			escaped = true
			j++ // the escaped byte, whatever it is, is looked at by encoding/json
		case c < 0x20:
			return 0, 0, false, false
		case c >= utf8.RuneSelf:
			high |= highs
		}
		j++
	}
}

// Bytes of a 64-bit word, each set to the same value.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// stop sets the high bit of every byte of x (eight bytes of a string's
// contents) a string scan must stop at: a quote, a backslash or a control
// character. A set bit is exact for the lowest such byte; above it,
// borrows may set false ones.
func stop(x uint64) uint64 {
	const quote, backslash = '"' * ones, '\\' * ones
	less := func(x uint64, n byte) uint64 { return (x - uint64(n)*ones) &^ x & highs } // bytes below n (n <= 128)
	return less(x, 0x20) | less(x^quote, 1) | less(x^backslash, 1)
}

func (s *scanner) str() (string, bool) {
	start, end, escaped, ok := s.span()
	if !ok || !escaped {
		return s.src[start:end], ok
	}
	var v string
	if json.Unmarshal(s.b[start-1:end+1], &v) != nil {
		return "", false
	}
	return v, true
}

func (s *scanner) strInto(dst *string) bool {
	v, ok := s.str()
	*dst = v
	return ok
}

// number parses a JSON number literal as encoding/json does for a float64.
func (s *scanner) number() (float64, bool) {
	s.ws()
	b, i := s.b, s.i
	start := i
	// A price such as 13.99 has few digits and no exponent: its digits
	// make an integer below 2^53, exact as a float64, and dividing it by
	// an exact power of ten is one correctly rounded operation, which is
	// what strconv.ParseFloat does for such a number too (its "exact"
	// path); TestNumberAgreesWithParseFloat holds the two together.
	var mant uint64
	nd, frac := 0, 0
	digits := func() bool {
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			mant = mant*10 + uint64(b[i]-'0')
			i++
		}
		nd += i - j
		return i > j
	}
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
		nd++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		digits()
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		before := nd
		if !digits() {
			return 0, false
		}
		frac = nd - before
	}
	exact := nd <= maxExactDigits
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		exact = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	if exact {
		v := float64(mant) / exactPow10[frac]
		if neg {
			v = -v
		}
		s.i = i
		return v, true
	}
	v, err := strconv.ParseFloat(s.src[start:i], 64)
	if err != nil {
		return 0, false
	}
	s.i = i
	return v, true
}

// maxExactDigits is the most digits whose integer is below 2^53 whatever
// they are (10^15 < 2^53); exactPow10 are the powers of ten up to it, each
// exact as a float64.
const maxExactDigits = 15

var exactPow10 = [maxExactDigits + 1]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

func (s *scanner) price(l *Listing, m *price.Money) bool {
	*m = price.Money{}
	var seen uint8
	ok := s.object(func(key []byte) bool {
		var ok bool
		switch {
		case string(key) == "amount" && seen&1 == 0:
			seen |= 1
			m.Amount, ok = s.number()
		case string(key) == "currency" && seen&2 == 0:
			seen |= 2
			m.Currency, ok = s.str()
		}
		return ok
	})
	// Without an amount, encoding/json's path says what is wrong.
	if ok = ok && seen&1 != 0; ok {
		l.Price = m
	}
	return ok
}

func (s *scanner) seller(dst *Seller) bool {
	var seen uint8
	return s.object(func(key []byte) bool {
		switch {
		case string(key) == "id" && seen&1 == 0:
			seen |= 1
			return s.strInto(&dst.ID)
		case string(key) == "name" && seen&2 == 0:
			seen |= 2
			return s.strInto(&dst.Name)
		case string(key) == "contact" && seen&4 == 0:
			seen |= 4
			return s.contact(dst)
		}
		return false
	})
}

func (s *scanner) contact(dst *Seller) bool {
	c := &Contact{}
	var seen uint8
	ok := s.object(func(key []byte) bool {
		switch {
		case string(key) == "email" && seen&1 == 0:
			seen |= 1
			return s.strInto(&c.Email)
		case string(key) == "phone" && seen&2 == 0:
			seen |= 2
			return s.strInto(&c.Phone)
		}
		return false
	})
	if ok {
		dst.Contact = c
	}
	return ok
}

// object parses a JSON object, calling field for each key with the scanner
// at its value; field reports whether it read the value. The key is a view
// of the input, not a copy: comparing string(key) does not allocate.
func (s *scanner) object(field func(key []byte) bool) bool {
	if !s.byte('{') {
		return false
	}
	if s.byte('}') {
		return true
	}
	for {
		key, ok := s.rawStr()
		if !ok || !s.byte(':') || !field(key) {
			return false
		}
		if !s.byte(',') {
			return s.byte('}')
		}
	}
}

func (s *scanner) images(l *Listing) bool {
	if !s.byte('[') {
		return false
	}
	imgs := []string{}
	if !s.byte(']') {
		for {
			v, ok := s.str()
			if !ok {
				return false
			}
			imgs = append(imgs, v)
			if s.byte(',') {
				continue
			}
			if s.byte(']') {
				break
			}
			return false
		}
	}
	l.Images = imgs
	return true
}

// time decodes a timestamp as encoding/json does, with time.Time's own
// UnmarshalJSON, except the usual whole-second UTC form, which it reads
// itself (TestTimeAgreesWithUnmarshalJSON holds the two together).
func (s *scanner) time(dst *time.Time) bool {
	s.ws()
	start := s.i
	raw, ok := s.rawStr()
	if !ok {
		return false
	}
	if t, ok := utcSeconds(raw); ok {
		*dst = t
		return true
	}
	var t time.Time
	if err := t.UnmarshalJSON(s.b[start:s.i]); err != nil {
		return false
	}
	*dst = t
	return true
}

// utcSeconds reads b when it is exactly of the form 2006-01-02T15:04:05Z
// and in range, as time.Time.UnmarshalJSON would; ok is false for
// anything else.
func utcSeconds(b []byte) (t time.Time, ok bool) {
	if len(b) != len("2006-01-02T15:04:05Z") || b[4] != '-' || b[7] != '-' || b[10] != 'T' ||
		b[13] != ':' || b[16] != ':' || b[19] != 'Z' {
		return time.Time{}, false
	}
	n := func(from, to int) int {
		v := 0
		for _, c := range b[from:to] {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := n(0, 4), n(5, 7), n(8, 10)
	hour, minute, sec := n(11, 13), n(14, 16), n(17, 19)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

func daysIn(m time.Month, year int) int {
	if m == time.February {
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	}
	return 31 - int(m-1)%7%2
}
