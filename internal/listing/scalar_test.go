package listing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// numberReference is scanner.number before its exact path: the JSON
// number grammar, then strconv.ParseFloat, as encoding/json reads a
// float64.
func numberReference(b []byte) (v float64, next int, ok bool) {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
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
		return 0, 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			return 0, 0, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			return 0, 0, false
		}
	}
	v, err := strconv.ParseFloat(string(b[start:i]), 64)
	return v, i, err == nil
}

func checkNumber(t *testing.T, lit string) {
	t.Helper()
	s := scanner{b: []byte(lit), src: lit}
	got, ok := s.number()
	want, next, wantOK := numberReference([]byte(lit))
	if ok != wantOK || ok && (math.Float64bits(got) != math.Float64bits(want) || s.i != next) {
		t.Errorf("number(%q) = %v (%x), %v, next %d; ParseFloat gives %v (%x), %v, next %d",
			lit, got, math.Float64bits(got), ok, s.i, want, math.Float64bits(want), wantOK, next)
	}
}

// TestNumberAgreesWithParseFloat holds scanner.number, exact path and
// strconv's, to the grammar and strconv.ParseFloat.
func TestNumberAgreesWithParseFloat(t *testing.T) {
	for _, lit := range []string{
		"0", "-0", "-0.0", "0.000", "13.99", "17", "1.005", "0.1", "0.3", "123456.785", "999999999999999", "9999999999999999",
		"999999999999.999", "0.000000000000001", "0.0000000000000001", "9007199254740993", "1e2", "1.5E-3", "-2.5e+10",
		"1e400", "01", "1.", ".5", "-", "+1", "12,", "3.14}", "-13.99 ", " 0", "\t\n 13.99",
	} {
		checkNumber(t, lit)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 200_000 {
		whole, frac := r.Uint64N(1_000_000_000), r.IntN(9)
		lit := strconv.FormatUint(whole, 10)
		if frac > 0 {
			lit += fmt.Sprintf(".%0*d", frac, r.Uint64N(uint64(math.Pow10(frac))))
		}
		if r.IntN(4) == 0 {
			lit = "-" + lit
		}
		checkNumber(t, lit)
	}
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"13.99", "-0", "1e2", "999999999999999.9", "0.0000000000000001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		checkNumber(t, lit)
	})
}

func checkUTCSeconds(t *testing.T, ts string) (fast bool) {
	t.Helper()
	got, ok := utcSeconds([]byte(ts))
	var want time.Time
	err := want.UnmarshalJSON([]byte(strconv.Quote(ts)))
	if ok && (err != nil || !reflect.DeepEqual(got, want)) {
		t.Errorf("utcSeconds(%q) = %v, UnmarshalJSON gives %v, %v", ts, got, want, err)
	}
	return ok
}

// TestTimeAgreesWithUnmarshalJSON holds utcSeconds to time.Time's own
// UnmarshalJSON, and checks the usual form takes it.
func TestTimeAgreesWithUnmarshalJSON(t *testing.T) {
	for ts, fast := range map[string]bool{
		"2026-11-14T20:21:00Z": true, "2024-02-29T23:59:59Z": true, "2000-02-29T00:00:00Z": true, "0000-01-01T00:00:00Z": true,
		"9999-12-31T23:59:59Z": true, "2026-04-30T12:00:00Z": true,
		"2023-02-29T00:00:00Z": false, "1900-02-29T00:00:00Z": false, "2026-04-31T00:00:00Z": false, "2026-13-01T00:00:00Z": false,
		"2026-00-01T00:00:00Z": false, "2026-01-00T00:00:00Z": false, "2026-01-01T24:00:00Z": false, "2026-01-01T23:60:00Z": false,
		"2026-01-01T23:59:60Z": false, "2026-01-01T00:00:00z": false, "2026-01-01t00:00:00Z": false, "2026-01-01T00:00:00.5Z": false,
		"2026-01-01T00:00:00+01:00": false, "2026-1-01T00:00:00Z": false, "2026-01-01T0a:00:00Z": false, "-026-01-01T00:00:00Z": false,
		"2026-01-01 00:00:00Z": false,
	} {
		if got := checkUTCSeconds(t, ts); got != fast {
			t.Errorf("utcSeconds(%q) took it: %v, want %v", ts, got, fast)
		}
	}
	// Every day of a leap and a common year, at every hour.
	for _, year := range []int{2024, 2026} {
		for d := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == year; d = d.Add(time.Hour + time.Minute + time.Second) {
			if !checkUTCSeconds(t, d.Format("2006-01-02T15:04:05Z")) {
				t.Errorf("utcSeconds refused %s", d.Format(time.RFC3339))
			}
		}
	}
}

func FuzzUTCSeconds(f *testing.F) {
	f.Add("2026-11-14T20:21:00Z")
	f.Add("2024-02-29T23:59:59Z")
	f.Fuzz(func(t *testing.T, ts string) {
		checkUTCSeconds(t, ts)
	})
}
