package listing

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/assay-dev/assay/internal/price"
)

// decodeFast parses the usual shape of a listing event straight into l,
// without reflection: the contract's own field names spelt exactly, each
// once, strings without escapes, no nulls, nothing else. It returns false
// for anything else — an unknown or differently cased field, an escape,
// invalid UTF-8, a malformed or out-of-range number, a bad timestamp,
// trailing data — and the caller then decodes with encoding/json, which
// has the last word on acceptance and words the errors. On true, l holds
// what json.Unmarshal would have produced.
func decodeFast(data []byte, l *Listing) bool {
	s := scanner{b: data}
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
			return once(1<<5) && s.price(l)
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
	i int
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
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return nil, false
	}
	start := s.i + 1
	for j := start; j < len(s.b); j++ {
		switch c := s.b[j]; {
		case c == '"':
			raw := s.b[start:j]
			if !utf8.Valid(raw) {
				return nil, false
			}
			s.i = j + 1
			return raw, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

func (s *scanner) str() (string, bool) {
	raw, ok := s.rawStr()
	if !ok {
		return "", false
	}
	return string(raw), true
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
	digits := func() bool {
		j := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		digits()
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(string(b[start:i]), 64)
	if err != nil {
		return 0, false
	}
	s.i = i
	return v, true
}

func (s *scanner) price(l *Listing) bool {
	m := &price.Money{}
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
	if ok {
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

// time decodes a timestamp with time.Time's own UnmarshalJSON, as
// encoding/json does.
func (s *scanner) time(dst *time.Time) bool {
	s.ws()
	start := s.i
	if _, ok := s.rawStr(); !ok {
		return false
	}
	var t time.Time
	if err := t.UnmarshalJSON(s.b[start:s.i]); err != nil {
		return false
	}
	*dst = t
	return true
}
