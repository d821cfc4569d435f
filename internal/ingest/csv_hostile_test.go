package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/listing"
)

const hostileHeader = "item_id,item_title,price,currency,seller_id\n"

func hostileMapping(t testing.TB) *Mapping {
	t.Helper()
	m, err := ParseMapping([]byte("id: item_id\ntitle: item_title\nprice.amount: price\nprice.currency: currency\nseller.id: seller_id\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestPublishCSVOverLong publishes, through Kafka, an export with a cell
// over the record cap and a stray quote that opens a field never closed:
// each costs its own row, rejected with its line number and first bytes,
// and every good row around them is published.
func TestPublishCSVOverLong(t *testing.T) {
	brokers := startKafka(t)
	p, _ := newTestPublisher(t, brokers)
	huge := strings.Repeat("h", MaxCSVRecordBytes+10)
	in := hostileHeader +
		"a,Good one,1,USD,s\n" + // line 2
		"huge," + huge + ",1,USD,s\n" + // line 3: one cell over the cap
		"b,Good two,2,USD,s\n" + // line 4
		"d,\"multi\nline\",4,USD,s\n" + // lines 5-6: a quoted line break is fine
		"quote,\"never closed,3,USD,s\n" + // line 7: the quote would swallow the rest
		"c,Good three,3,USD,s\n" + // line 8
		strings.Repeat("e,Filler,5,USD,s\n", MaxCSVRecordBytes/16) // lines 9-: enough rows for the open quote to run over the cap
	var rejects []string
	res, err := p.PublishCSV(t.Context(), "x.csv", strings.NewReader(in), hostileMapping(t), FeedOptions{
		OnReject: func(src string, reason error) { rejects = append(rejects, src+": "+reason.Error()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	fillers := MaxCSVRecordBytes / 16
	if want := (Result{Published: 4 + fillers, Rejected: 2}); res != want {
		t.Errorf("result %+v, want %+v; rejects %.300q", res, want, rejects)
	}
	want := []string{
		fmt.Sprintf("x.csv:3: invalid listing: CSV row longer than %d bytes", MaxCSVRecordBytes),
		fmt.Sprintf("x.csv:7: invalid listing: CSV row longer than %d bytes", MaxCSVRecordBytes),
	}
	if !slices.Equal(rejects, want) {
		t.Errorf("rejects\n%.500q\nwant\n%q", rejects, want)
	}
	rejected := byKey(readTopic(t, brokers, "listings.rejected"))
	if m := rejected["x.csv:3"]; len(m.Value) != listing.TooLongPrefix || !strings.HasPrefix(string(m.Value), "huge,hhh") {
		t.Errorf("rejected x.csv:3 is %d bytes %.20q, want the first %d", len(m.Value), m.Value, listing.TooLongPrefix)
	}
	published := byKey(readTopic(t, brokers, "listings"))
	for _, id := range []string{"a", "b", "c", "d"} {
		if _, ok := published[id]; !ok {
			t.Errorf("listing %s not published", id)
		}
	}
	for _, id := range []string{"huge", "quote"} {
		if _, ok := published[id]; ok {
			t.Errorf("listing %s published", id)
		}
	}
}

// csvEvents reads every event of in, or the error that stopped it.
func csvEvents(t testing.TB, in string, maxRecord int) ([]Event, error) {
	t.Helper()
	cr, err := newCSVReader("x.csv", strings.NewReader(in), hostileMapping(t), maxRecord)
	if err != nil {
		return nil, err
	}
	var out []Event
	for {
		e, err := cr.next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

// TestCSVSplitter checks the record boundaries and line numbers with a
// small cap, without Kafka.
func TestCSVSplitter(t *testing.T) {
	tests := []struct {
		name string
		rows string
		want []string // per event: SOURCE ok|too long|malformed
	}{
		{"plain", "a,t,1,USD,s\nb,t,1,USD,s\n", []string{"x.csv:2 ok", "x.csv:3 ok"}},
		{"crlf and no final newline", "a,t,1,USD,s\r\nb,t,1,USD,s", []string{"x.csv:2 ok", "x.csv:3 ok"}},
		{"blank lines", "\na,t,1,USD,s\n\n\nb,t,1,USD,s\n", []string{"x.csv:3 ok", "x.csv:6 ok"}},
		{"quoted comma, quote and line break", "a,\"t, \"\"x\"\"\ny\",1,USD,s\nb,t,1,USD,s\n", []string{"x.csv:2 ok", "x.csv:4 ok"}},
		{"bare quote", "a,t\"x,1,USD,s\nb,t,1,USD,s\n", []string{"x.csv:2 malformed", "x.csv:3 ok"}},
		{"text after closing quote", "a,\"t\"x,1,USD,s\nb,t,1,USD,s\n", []string{"x.csv:2 malformed", "x.csv:3 ok"}},
		{"long line", "a," + strings.Repeat("t", 200) + ",1,USD,s\nb,t,1,USD,s\n", []string{"x.csv:2 too long", "x.csv:3 ok"}},
		{"long last line", "b,t,1,USD,s\na," + strings.Repeat("t", 200), []string{"x.csv:2 ok", "x.csv:3 too long"}},
		{"open quote runs over", "a,\"t,1,USD,s\n" + strings.Repeat("b,t,1,USD,s\n", 20), append([]string{"x.csv:2 too long"}, lines(3, 22)...)},
		// A stray quote that swallows rows without reaching the cap costs
		// its own line alone: the rows after it are read again.
		{"open quote to the end", "a,\"t,1,USD,s\nb,t,1,USD,s\n", []string{"x.csv:2 malformed", "x.csv:3 ok"}},
		{"open quote closed by a later one", "a,\"t,1,USD,s\nb,t,1,USD,s\nc,\"x\",1,USD,s\nd,t,1,USD,s\n",
			[]string{"x.csv:2 malformed", "x.csv:3 ok", "x.csv:4 ok", "x.csv:5 ok"}},
		{"open quote to the end, no final newline", "a,\"t,1,USD,s\nb,t,1,USD,s", []string{"x.csv:2 malformed", "x.csv:3 ok"}},
		{"two open quotes", "a,\"t,1,USD,s\nb,t,1,USD,s\nc,\"t,1,USD,s\nd,t,1,USD,s\n",
			[]string{"x.csv:2 malformed", "x.csv:3 ok", "x.csv:4 malformed"}},
		{"two runaways", "a,\"t,1,USD,s\n" + strings.Repeat("b,t,1,USD,s\n", 12) + "a,\"t,1,USD,s\n" + strings.Repeat("b,t,1,USD,s\n", 12),
			slices.Concat([]string{"x.csv:2 too long"}, lines(3, 14), []string{"x.csv:15 too long"}, lines(16, 27))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events, err := csvEvents(t, hostileHeader+tt.rows, 128)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range events {
				state := "ok"
				switch {
				case e.Err != nil && strings.Contains(e.Err.Error(), "longer than 128 bytes"):
					state = "too long"
				case e.Err != nil && strings.Contains(e.Err.Error(), "malformed CSV"):
					state = "malformed"
				case e.Err != nil:
					state = e.Err.Error()
				}
				got = append(got, e.Source+" "+state)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("events\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestCSVDelimiter reads an export cut by semicolons, as spreadsheets in
// many locales write them: a quoted cell may hold the delimiter, a comma
// (here no delimiter) or a line break, and records end where encoding/csv
// ends them with the same delimiter.
func TestCSVDelimiter(t *testing.T) {
	m, err := ParseMapping([]byte("id: item_id\ntitle: item_title\nprice.amount: price\nprice.currency: currency\nseller.id: seller_id\ndelimiter: \";\"\n"), "m.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := "item_id;item_title;price;currency;seller_id\n" +
		"a;\"Tote; leather\";12,50;EUR;s\n" + // 12,50 is one cell here, and no number
		"b;\"Two\nlines, one cell\";12;EUR;s\n" +
		"c;Plain;3;USD;s\n"
	cr, err := newCSVReader("x.csv", strings.NewReader(in), m, 1<<10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		e, err := cr.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if e.Err != nil {
			got = append(got, e.Source+" "+e.Err.Error())
			continue
		}
		got = append(got, fmt.Sprintf("%s %s %q %v", e.Source, e.Listing.ID, e.Listing.Title, e.Listing.Price))
	}
	want := []string{
		`x.csv:2 invalid listing: field price.amount: column "price": "12,50" is not a number (written with a decimal comma? add decimal_comma: true to the mapping)`,
		`x.csv:3 b "Two\nlines, one cell" 12.00 EUR`,
		`x.csv:5 c "Plain" 3.00 USD`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("events\n%q\nwant\n%q", got, want)
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in           string
		decimalComma bool
		want         float64
		err          bool
	}{
		{"12.50", false, 12.5, false},
		{" 1234 ", false, 1234, false},
		{"12,50", false, 0, true},
		{"12,50", true, 12.5, false},
		{"1.234,50", true, 1234.5, false},
		{"1234", true, 1234, false},
		{"twelve", true, 0, true},
		// With decimal_comma, a dot only groups thousands: a price written
		// the other way is refused, not read as another amount.
		{"1.99", true, 0, true},
		{"12.5", true, 0, true},
		{"1,234.50", true, 0, true},
		{"1.2.3,4", true, 0, true},
		{"12.345.678,9", true, 12345678.9, false},
		{"1234,", true, 0, true},
		{"NaN", false, 0, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.in, tt.decimalComma), func(t *testing.T) {
			got, err := parseAmount(tt.in, tt.decimalComma)
			if (err != nil) != tt.err || got != tt.want {
				t.Errorf("parseAmount(%q, %v) = %v, %v; want %v, error %v", tt.in, tt.decimalComma, got, err, tt.want, tt.err)
			}
		})
	}
}

func lines(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("x.csv:%d ok", i))
	}
	return out
}

// FuzzCSV feeds arbitrary exports to the CSV reader with a small record
// cap. Whatever the bytes: no panic; events come in line order; a rejected
// row says why and an accepted one is a listing the contract accepts; no
// event's bytes exceed the cap. And where encoding/csv reads the whole
// file without error and no record passes the cap, the reader yields
// exactly encoding/csv's records.
func FuzzCSV(f *testing.F) {
	f.Add("a,Good,1,USD,s\nb,\"quoted, \"\"x\"\"\",2,EUR,t\n")
	f.Add("a,\"multi\nline\",1,USD,s\r\n\r\nb,t,1,USD,s")
	f.Add("a,\"open,1,USD,s\nb,t,1,USD,s\n")
	f.Add("a,t\"x,1,USD,s\n")
	f.Add("a," + strings.Repeat("x", 300) + ",1,USD,s\nb,t,1,USD,s\n")
	f.Add(strings.Repeat("a,\"t,1,USD,s\n", 30))
	f.Add("\ufeffa,t,1,USD,s\n")
	f.Add(" 0\n") // a reject whose bytes encoding/csv would write quoted
	const maxRecord = 256
	f.Fuzz(func(t *testing.T, rows string) {
		in := hostileHeader + rows
		events, err := csvEvents(t, in, maxRecord)
		if err != nil {
			t.Fatalf("read error on an in-memory input: %v", err)
		}
		last := 1
		for _, e := range events {
			n := 0
			if _, err := fmt.Sscanf(strings.TrimPrefix(e.Source, "x.csv:"), "%d", &n); err != nil || n <= last {
				t.Fatalf("event source %q after line %d", e.Source, last)
			}
			last = n
			// A reject carries the row's bytes (capped); an accepted row carries its
			// listing's JSON, which may be longer than the row.
			if tooLong := RejectReason(e.Err) == string(ReasonTooLarge); (tooLong && len(e.Raw) > listing.TooLongPrefix) || (!tooLong && e.Err != nil && len(e.Raw) > maxRecord+2) {
				t.Fatalf("%s: %d raw bytes, over the %d cap (%v)", e.Source, len(e.Raw), maxRecord, e.Err)
			}
			if e.Err != nil {
				if !errors.Is(e.Err, listing.ErrInvalid) || RejectReason(e.Err) == "" {
					t.Fatalf("%s: rejected with %v, not an invalid-listing reason", e.Source, e.Err)
				}
				continue
			}
			if e.Listing == nil {
				t.Fatalf("%s: neither a listing nor an error", e.Source)
			}
			if _, err := listing.Decode(e.Raw); err != nil {
				t.Fatalf("%s: accepted event does not decode: %v", e.Source, err)
			}
		}
		if n := strings.Count(in, "\n") + 1; last > n {
			t.Fatalf("line %d in a %d-line input", last, n)
		}
		// Differential: encoding/csv on the whole input.
		r := csv.NewReader(strings.NewReader(in))
		r.FieldsPerRecord = -1
		all, err := r.ReadAll()
		if err != nil || len(all) == 0 {
			return
		}
		for _, rec := range all {
			if len(strings.Join(rec, ",,")) > maxRecord/2 {
				return // might be over the cap once quoted
			}
		}
		if len(events) != len(all)-1 {
			t.Fatalf("%d events, encoding/csv reads %d rows", len(events), len(all)-1)
		}
		for i, e := range events {
			if e.Err != nil {
				// A reject keeps the row's own bytes; as a line of a file they read back as the same row.
				rr := csv.NewReader(bytes.NewReader(append(slices.Clip(e.Raw), "\r\n"...)))
				rr.FieldsPerRecord = -1
				got, err := rr.ReadAll()
				if err != nil || len(got) != 1 || !slices.Equal(got[0], all[i+1]) {
					t.Fatalf("event %d (%s) raw %q reads as %q (%v), encoding/csv's row %q", i, e.Source, e.Raw, got, err, all[i+1])
				}
			}
			if e.Err == nil && e.Listing.ID != strings.TrimSpace(all[i+1][0]) {
				t.Fatalf("event %d (%s) id %q, encoding/csv's row %q", i, e.Source, e.Listing.ID, all[i+1])
			}
		}
	})
}
