package stream

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/score"
)

// checkCandidate compares CandidateMessage's value with json.Marshal's,
// and the hand encoder's with both when it takes c.
func checkCandidate(t *testing.T, c *Candidate) {
	t.Helper()
	want, wantErr := json.Marshal(c)
	msg, err := CandidateMessage(c)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("CandidateMessage error %v, json.Marshal error %v", err, wantErr)
	}
	if err != nil {
		if !strings.Contains(err.Error(), wantErr.Error()) {
			t.Errorf("CandidateMessage error %q does not carry json.Marshal's %q", err, wantErr)
		}
		return
	}
	if !bytes.Equal(msg.Value, want) {
		t.Fatalf("CandidateMessage differs from json.Marshal:\n got %s\nwant %s", msg.Value, want)
	}
	if string(msg.Key) != c.ListingID {
		t.Errorf("key %q, want %q", msg.Key, c.ListingID)
	}
	// A reused buffer: what it holds stays, its spare bytes (here from a
	// record built in it before) are overwritten.
	stale := []byte("kept")
	for range 2 {
		var m kafka.Message
		stale, m, err = AppendCandidateMessage(stale[:4], c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Value, want) || string(m.Key) != c.ListingID || string(stale) != "kept"+c.ListingID+string(want) {
			t.Fatalf("AppendCandidateMessage onto a used buffer: key %q value %s, buffer %s; want key %q value %s", m.Key, m.Value, stale, c.ListingID, want)
		}
	}
	// The hand encoder must take every candidate json.Marshal takes, or the
	// fallback would hide it being skipped.
	got, ok := appendCandidate(nil, c)
	if !ok {
		t.Fatalf("appendCandidate declined a candidate json.Marshal encodes: %s", want)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("appendCandidate differs from json.Marshal:\n got %s\nwant %s", got, want)
	}
}

// TestCandidateMessageFixtures encodes every golden verdict of package
// score (the fixture and hold-out listings, image matches included) with
// its listing, as the matcher publishes them.
func TestCandidateMessageFixtures(t *testing.T) {
	fix := filepath.Join("..", "..", "fixtures")
	listings := map[string]*listing.Listing{}
	raw := map[string][]byte{}
	for _, name := range []string{filepath.Join(fix, "listings.jsonl"), filepath.Join(fix, "holdout", "listings.jsonl")} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
			l, err := listing.Decode(line)
			if err != nil {
				t.Fatal(err)
			}
			listings[l.ID], raw[l.ID] = l, line
		}
	}
	golden, err := os.ReadFile(filepath.Join("..", "score", "testdata", "verdicts.golden"))
	if err != nil {
		t.Fatal(err)
	}
	n, images := 0, 0
	for i, line := range bytes.Split(bytes.TrimSpace(golden), []byte("\n")) {
		var v score.Verdict
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatal(err)
		}
		l := listings[v.ListingID]
		if l == nil {
			t.Fatalf("verdict %d: no listing %s", i+1, v.ListingID)
		}
		c := &Candidate{Verdict: v, Listing: l, ContentHash: ContentHash(raw[l.ID]),
			ScoredAt: time.Date(2026, 11, 22, 20, 0, 0, i*1000, time.UTC), Retroactive: i%3 == 0}
		for j, ref := range l.Images {
			c.Images = append(c.Images, ImageHash{Ref: ref, Hash: fmt.Sprintf("%016x", j*i)})
		}
		images += len(c.Images)
		checkCandidate(t, c)
		n++
	}
	if n < 1000 || images == 0 {
		t.Fatalf("encoded %d candidates with %d images; the fixtures should give over 1,000 with images", n, images)
	}
}

var oddStrings = []string{
	"", "plain", `<script>alert("x")</script> & co`, "tab\there\nnewline\r\b\f", "\x00\x01\x1f\x7f",
	"bad \xff\xfe utf-8 \xc3", "line\u2028para\u2029sep", "emoji 👜 and accents é", "\ufffd", `back\slash "quote"`,
	"\u00a0nbsp\u200bzwsp", strings.Repeat("ab<", 50),
}

var oddFloats = []float64{0, math.Copysign(0, -1), 0.1 + 0.2, 1e-6, 9.99e-7, 1e-7, 1.5e-9, 1e20, 1e21, 1.5e300, 5e-324,
	math.MaxFloat64, -2.5e-8, 0.7, 0.898, 1e-100}

// TestCandidateMessageOdd covers what the fixtures do not: every odd
// string in every string field, exponent-form numbers, nil and empty
// slices, missing price, contact and listing, times in other zones, and
// what encoding/json refuses.
func TestCandidateMessageOdd(t *testing.T) {
	zone := time.FixedZone("", -(3*3600 + 30*60))
	for i, s := range oddStrings {
		f := oddFloats[i%len(oddFloats)]
		l := &listing.Listing{ID: s, Marketplace: s, URL: s, Title: s, Description: s,
			Price:  &price.Money{Amount: f, Currency: s},
			Seller: listing.Seller{ID: s, Name: s, Contact: &listing.Contact{Email: s, Phone: s}},
			Images: []string{s, s + "2"}, ObservedAt: time.Date(2026, 1, 2, 3, 4, 5, i, zone)}
		v := score.Verdict{ListingID: s, Flagged: i%2 == 0, BrandID: s, BrandName: s, Score: f, Threshold: -f,
			Signals: []score.Signal{
				{Kind: s, Score: f, Evidence: s, Terms: []string{s, s}},
				{Kind: s, Images: []score.ImageMatch{{Listing: s, Reference: s, Distance: -i, Threshold: i, Variant: s, Region: s}}},
				{Terms: []string{}, Images: []score.ImageMatch{}},
			},
			Others: []score.Candidate{{BrandID: s, Score: f}, {}}}
		checkCandidate(t, &Candidate{Verdict: v, Listing: l, ContentHash: s, ScoredAt: time.Unix(int64(i), 7).In(zone),
			Retroactive: true, Images: []ImageHash{{Ref: s, Hash: s}, {}}})
	}
	for _, f := range oddFloats {
		checkCandidate(t, &Candidate{Verdict: score.Verdict{Score: f, Others: []score.Candidate{{Score: -f}}}})
	}
	for _, c := range []*Candidate{
		{},
		{Verdict: score.Verdict{Signals: []score.Signal{}, Others: []score.Candidate{}}, Images: []ImageHash{}},
		{Listing: &listing.Listing{}},
		{Listing: &listing.Listing{Seller: listing.Seller{Contact: &listing.Contact{}}, Images: []string{}}},
		{Listing: &listing.Listing{Seller: listing.Seller{Contact: &listing.Contact{Phone: "1"}}}},
		{Listing: &listing.Listing{Seller: listing.Seller{Contact: &listing.Contact{Email: "a@b"}}}},
		// Refused by encoding/json: the message must carry its error.
		{Verdict: score.Verdict{Score: math.NaN()}},
		{Verdict: score.Verdict{Signals: []score.Signal{{Score: math.Inf(1)}}}},
		{Listing: &listing.Listing{Price: &price.Money{Amount: math.Inf(-1)}}},
		{ScoredAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Listing: &listing.Listing{ObservedAt: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{ScoredAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 25*3600))},
	} {
		checkCandidate(t, c)
	}
}

// TestCandidateStringBytes holds the string encoding to encoding/json's
// for every single byte and a few runes around the escaped ones.
func TestCandidateStringBytes(t *testing.T) {
	// At every offset of an eight-byte word, after plain and escaped
	// bytes, so that each lane of appendString's word-at-a-time scan and
	// each borrow between lanes is met.
	for c := range 256 {
		for pre := range 17 {
			for _, filler := range []string{"a", "<", "é", "\x01"} {
				id := strings.Repeat(filler, pre) + string([]byte{byte(c)}) + strings.Repeat("b", 9)
				checkCandidate(t, &Candidate{Verdict: score.Verdict{ListingID: id}})
			}
		}
	}
	for _, r := range []rune{0x7f, 0x80, 0x7ff, 0x800, 0x2027, 0x2028, 0x2029, 0x202a, 0xfffd, 0xfeff, 0x10ffff} {
		checkCandidate(t, &Candidate{Verdict: score.Verdict{ListingID: "a" + string(r) + "b"}})
	}
}

func FuzzCandidateMessage(f *testing.F) {
	f.Add("mp-1", "Title <b>", 0.75, 12.5, int64(1700000000123456789), true)
	f.Add("\xff\u2028", "", 1e-7, 1e21, int64(-62135596800), false)
	f.Fuzz(func(t *testing.T, a, b string, x, y float64, nanos int64, flag bool) {
		l := &listing.Listing{ID: a, Title: b, Description: a + b, Price: &price.Money{Amount: y, Currency: b},
			Seller: listing.Seller{ID: b, Name: a}, ObservedAt: time.Unix(0, nanos).UTC()}
		if flag {
			l.Seller.Contact = &listing.Contact{Email: a}
			l.Images = []string{b}
		}
		v := score.Verdict{ListingID: a, Flagged: flag, BrandID: b, Score: x, Threshold: y,
			Signals: []score.Signal{{Kind: a, Score: x, Evidence: b, Terms: []string{a}}}}
		checkCandidate(t, &Candidate{Verdict: v, Listing: l, ContentHash: b, ScoredAt: time.Unix(0, nanos), Retroactive: flag})
	})
}

// TestCandidateFields fails when a type appendCandidate encodes gains,
// loses or changes a field: appendCandidate must then be updated with it
// (and this list), or it would silently leave the field out.
func TestCandidateFields(t *testing.T) {
	want := map[reflect.Type]string{
		reflect.TypeFor[Candidate]():        `Verdict score.Verdict ""; Listing *listing.Listing "listing"; ContentHash string "content_hash"; ScoredAt time.Time "scored_at"; Retroactive bool "retroactive,omitempty"; Images []stream.ImageHash "images,omitempty"`,
		reflect.TypeFor[score.Verdict]():    `ListingID string "listing_id"; Flagged bool "flagged"; BrandID string "brand_id"; BrandName string "brand_name,omitempty"; Score float64 "score"; Threshold float64 "threshold"; Signals []score.Signal "signals"; Others []score.Candidate "other_brands,omitempty"`,
		reflect.TypeFor[score.Signal]():     `Kind string "kind"; Score float64 "score"; Evidence string "evidence"; Terms []string "terms,omitempty"; Images []score.ImageMatch "images,omitempty"`,
		reflect.TypeFor[score.ImageMatch](): `Listing string "listing"; Reference string "reference"; Distance int "distance"; Threshold int "threshold"; Variant string "variant,omitempty"; Region string "region,omitempty"`,
		reflect.TypeFor[score.Candidate]():  `BrandID string "brand_id"; Score float64 "score"`,
		reflect.TypeFor[ImageHash]():        `Ref string "ref"; Hash string "hash"`,
		reflect.TypeFor[listing.Listing]():  `ID string "id"; Marketplace string "marketplace,omitempty"; URL string "url,omitempty"; Title string "title"; Description string "description,omitempty"; Price *price.Money "price"; Seller listing.Seller "seller"; Images []string "images,omitempty"; ObservedAt time.Time "observed_at,omitzero"`,
		reflect.TypeFor[listing.Seller]():   `ID string "id"; Name string "name,omitempty"; Contact *listing.Contact "contact,omitempty"`,
		reflect.TypeFor[listing.Contact]():  `Email string "email,omitempty"; Phone string "phone,omitempty"`,
		reflect.TypeFor[price.Money]():      `Amount float64 "amount"; Currency string "currency"`,
	}
	marshaler := reflect.TypeFor[json.Marshaler]()
	text := reflect.TypeFor[interface{ MarshalText() ([]byte, error) }]()
	for typ, w := range want {
		var fields []string
		for i := range typ.NumField() {
			f := typ.Field(i)
			fields = append(fields, fmt.Sprintf("%s %s %q", f.Name, f.Type, f.Tag.Get("json")))
		}
		if got := strings.Join(fields, "; "); got != w {
			t.Errorf("%s fields changed; update appendCandidate and this test:\n got %s\nwant %s", typ, got, w)
		}
		for _, tt := range []reflect.Type{typ, reflect.PointerTo(typ)} {
			if tt.Implements(marshaler) || tt.Implements(text) {
				t.Errorf("%s now marshals itself; appendCandidate does not know how", tt)
			}
		}
	}
}
