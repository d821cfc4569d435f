package listing

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/assay-dev/assay/internal/price"
)

// TestDecodeFastAgreesWithJSON checks that whenever the hand-rolled parser
// accepts an event it yields exactly what encoding/json does.
func TestDecodeFastAgreesWithJSON(t *testing.T) {
	lines := []string{
		`{}`,
		`{"id":"a","title":"t","price":{"amount":1,"currency":"USD"},"seller":{"id":"s"}}`,
		` { "id" : "a" , "title" : "Ünïcødé ✓" , "price" : { "currency" : "EUR" , "amount" : -0.5e+2 } , "seller" : { "name" : "N" , "id" : "s" } , "images" : [ ] } `,
		`{"id":"a","images":["x","y"],"observed_at":"2026-11-14T20:21:00Z"}`,
		`{"id":"a","images":[],"price":{}}`,
		`{"id":"a","observed_at":"yesterday"}`,
		`{"id":"a","ID":"b"}`,
		`{"id":"a","id":"b"}`,
		`{"id":"a","price":{"amount":1},"price":{"currency":"USD"}}`,
		`{"id":"a\"b"}`,
		`{"id":"a\u0041"}`,
		"{\"id\":\"a\xffb\"}",
		"{\"title\":\"a\xffb\",\"description\":\"\xe2\x82\"}",
		`{"id":"a","extra":1}`,
		`{"id":null}`,
		`{"price":{"amount":01}}`,
		`{"price":{"amount":1.}}`,
		`{"price":{"amount":1e400}}`,
		`{"price":{"amount":"1"}}`,
		`{"id":"a"} x`,
		`{"id":"a",}`,
		`{"id":"a"`,
		`{"images":["a",]}`,
		`{"seller":{"id":"s","id":"t"}}`,
		`{"seller":{"id":"s","contact":{"email":"a@b","email":"c@d"}}}`,
		`{"seller":{"id":"s","contact":{"email":"a@b"},"contact":{"phone":"1"}}}`,
		`{"seller":{"id":"s","contact":{"Email":"a@b"}}}`,
		`{"seller":{"id":"s","contact":{"email":"a@b","fax":"1"}}}`,
		`{"seller":{"id":"s","contact":null}}`,
		`{"seller":{"id":"s","contact":{"phone":"+1 555\u00a00100"}}}`,
		// Escapes in a string value are encoding/json's to read, in field
		// names and timestamps the whole event is.
		`{"title":"\ud800 lone, \ud83d\ude00 paired"}`,
		"{\"title\":\"a\xffb\\u0041\"}",
		`{"title":"\x"}`,
		`{"title":"\u00"}`,
		`{"title":"a\\"}`,
		`{"title":"a\\\"}`,
		"{\"title\":\"\\\x01\"}",
		`{"title":"\/\b\f\n\r\t\"\\"}`,
		`{"\u0069d":"a"}`,
		`{"observed_at":"2026-11-14T20:21:00\u005a"}`,
		`{"seller":{"id":"s\u0026t","name":"\u003cb\u003e"}}`,
		`{"images":["a\u0026b"],"price":{"amount":1,"currency":"US\u0044"}}`,
	}
	// Seller contacts are on the matcher's hot path: these must not fall
	// back to encoding/json.
	mustFast := []string{
		`{"id":"a","title":"t","price":{"amount":1,"currency":"USD"},"seller":{"id":"s","name":"N","contact":{"email":"x@example.com","phone":"+1 555 0100"}}}`,
		` {"id":"a","seller":{ "contact" : { "phone" : "+44 20 7946 0000" } , "id" : "s" } } `,
		`{"id":"a","seller":{"id":"s","contact":{}}}`,
		// json.Marshal's escapes, as cmd/ingest writes them.
		`{"id":"a","title":"Black \u0026 Decker \u003cdrill\u003e","price":{"amount":1,"currency":"USD"},"seller":{"id":"s","name":"A\u0026B"}}`,
	}
	lines = append(lines, mustFast...)
	for _, line := range mustFast {
		var l Listing
		if !decodeFast([]byte(line), &l, new(price.Money)) {
			t.Errorf("%s: fast path refused it", line)
		}
	}
	for _, name := range []string{
		filepath.Join("testdata", "mixed.jsonl"),
		filepath.Join("..", "..", "fixtures", "listings.jsonl"),
		filepath.Join("..", "..", "fixtures", "holdout", "listings.jsonl"),
	} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 4<<20)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	fast := 0
	for _, line := range lines {
		var got Listing
		if !decodeFast([]byte(line), &got, new(price.Money)) {
			continue
		}
		fast++
		var want Listing
		if err := json.Unmarshal([]byte(line), &want); err != nil {
			t.Errorf("%s: fast path accepted what encoding/json rejects: %v", line, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\nfast %+v\njson %+v", line, got, want)
		}
	}
	if fast < len(lines)/2 {
		t.Errorf("fast path took only %d of %d events", fast, len(lines))
	}
}

func TestValidIDMatchesPattern(t *testing.T) {
	re := regexp.MustCompile(`^[\x21-\x7e]+$`)
	for _, id := range []string{"", "a", "mp-000001", "a b", "a\tb", "~!", "\x7f", "é", "a\xffb", "\x20", "\x21", "abc\n"} {
		if got, want := validID(id), re.MatchString(id); got != want {
			t.Errorf("validID(%q) = %v, regexp says %v", id, got, want)
		}
	}
}

// spanReference is scanner.span byte by byte: the rule its word-at-a-time
// scan must agree with.
func spanReference(b []byte, i int) (start, end int, escaped, ok bool) {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	if i >= len(b) || b[i] != '"' {
		return 0, 0, false, false
	}
	start = i + 1
	for j := start; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return start, j, escaped, escaped || utf8.Valid(b[start:j])
		case c == '\\':
			escaped = true
			j++
		case c < 0x20:
			return 0, 0, false, false
		}
	}
	return 0, 0, false, false
}

func checkSpan(t *testing.T, b []byte) {
	t.Helper()
	s := scanner{b: b}
	start, end, escaped, ok := s.span()
	wantStart, wantEnd, wantEscaped, wantOK := spanReference(b, 0)
	if ok != wantOK || ok && (start != wantStart || end != wantEnd || escaped != wantEscaped || s.i != end+1) {
		t.Errorf("span(%q) = %d, %d, %v, %v (next %d), want %d, %d, %v, %v", b, start, end, escaped, ok, s.i, wantStart, wantEnd, wantEscaped, wantOK)
	}
}

func TestSpan(t *testing.T) {
	// Every special byte at every offset of a word, before and after
	// plain ASCII and multi-byte UTF-8, so each lane and each carry is hit.
	specials := []string{`"`, `\`, `\"`, `\\`, `\u0026`, "\\\x01", "\\\xff", "\x00", "\x1f", "\x7f", " ", "\x80", "é", "\xff", "\u2028", "!", "#", "[", "]"}
	for _, sp := range specials {
		for pre := range 20 {
			for _, filler := range []string{"a", "é", "~"} {
				body := strings.Repeat(filler, pre) + sp + strings.Repeat("b", 9)
				checkSpan(t, []byte(`"`+body+`"`))
				checkSpan(t, []byte(`"`+body))
				checkSpan(t, []byte(` "`+body+`" , "x"`))
			}
		}
	}
}

func FuzzSpan(f *testing.F) {
	f.Add([]byte(`"plain ascii title of a listing"`))
	f.Add([]byte(`"Ünïcødé ✓ and more text after it"`))
	f.Add([]byte("\"a\\\"b\""))
	f.Add([]byte("\"ab\x01cdefghij\""))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkSpan(t, b)
		checkSpan(t, append([]byte(`"`), b...))
	})
}

// TestDecodeOwnsItsStrings overwrites each event after decoding it: a
// listing must not share memory with the caller's buffer, which readers
// reuse (LineReader's lines, kafka-go's message values). Fixture lines
// take the fast path, an escaped one too, with its own string for the
// escaped field; one with a field unknown to the contract takes
// encoding/json's.
func TestDecodeOwnsItsStrings(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "listings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))[:50]
	lines = append(lines, []byte(`{"id":"esc-1","marketplace":"m","url":"https://m.example/1","title":"A \u0026 B","price":{"amount":5,"currency":"USD"},"seller":{"id":"s"},"observed_at":"2026-11-14T20:21:00Z"}`),
		[]byte(`{"id":"json-1","marketplace":"m","title":"A \u0026 B","price":{"amount":5,"currency":"USD"},"seller":{"id":"s"},"rating":5}`))
	for _, line := range lines {
		buf := bytes.Clone(line)
		l, err := Decode(buf)
		if err != nil {
			t.Fatalf("decode %s: %v", line, err)
		}
		want, err := Decode(bytes.Clone(line))
		if err != nil {
			t.Fatal(err)
		}
		for i := range buf {
			buf[i] = 'X'
		}
		if !reflect.DeepEqual(l, want) {
			t.Fatalf("listing changed when its event's buffer was overwritten:\n got %+v\nwant %+v", l, want)
		}
	}
}
