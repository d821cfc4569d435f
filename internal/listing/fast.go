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
	if !s.byte('{') {
		return false
	}
	var seen uint16
	once := func(bit uint16) bool {
		if seen&bit != 0 {
			return false // a repeated field: json.Unmarshal merges, leave it to it
		}
		seen |= bit
		return true
	}
	if !s.byte('}') {
		for {
			key, ok := s.str()
			if !ok || !s.byte(':') {
				return false
			}
			switch key {
			case "id":
				ok = once(1<<0) && s.strInto(&l.ID)
			case "marketplace":
				ok = once(1<<1) && s.strInto(&l.Marketplace)
			case "url":
				ok = once(1<<2) && s.strInto(&l.URL)
			case "title":
				ok = once(1<<3) && s.strInto(&l.Title)
			case "description":
				ok = once(1<<4) && s.strInto(&l.Description)
			case "price":
				ok = once(1<<5) && s.price(l)
			case "seller":
				ok = once(1<<6) && s.seller(&l.Seller)
			case "images":
				ok = once(1<<7) && s.images(l)
			case "observed_at":
				ok = once(1<<8) && s.time(&l.ObservedAt)
			default:
				ok = false
			}
			if !ok {
				return false
			}
			if s.byte(',') {
				continue
			}
			if s.byte('}') {
				break
			}
			return false
		}
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
	if !s.byte('{') {
		return false
	}
	m := &price.Money{}
	var seen uint8
	if !s.byte('}') {
		for {
			key, ok := s.str()
			if !ok || !s.byte(':') {
				return false
			}
			switch {
			case key == "amount" && seen&1 == 0:
				seen |= 1
				m.Amount, ok = s.number()
			case key == "currency" && seen&2 == 0:
				seen |= 2
				m.Currency, ok = s.str()
			default:
				ok = false
			}
			if !ok {
				return false
			}
			if s.byte(',') {
				continue
			}
			if s.byte('}') {
				break
			}
			return false
		}
	}
	l.Price = m
	return true
}

func (s *scanner) seller(dst *Seller) bool {
	if !s.byte('{') {
		return false
	}
	var seen uint8
	if !s.byte('}') {
		for {
			key, ok := s.str()
			if !ok || !s.byte(':') {
				return false
			}
			switch {
			case key == "id" && seen&1 == 0:
				seen |= 1
				ok = s.strInto(&dst.ID)
			case key == "name" && seen&2 == 0:
				seen |= 2
				ok = s.strInto(&dst.Name)
			default:
				ok = false
			}
			if !ok {
				return false
			}
			if s.byte(',') {
				continue
			}
			if s.byte('}') {
				break
			}
			return false
		}
	}
	return true
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
