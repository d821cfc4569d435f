package web

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/fetch"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// TestEvidencePhotos: the case page shows the matched words marked and each
// matched photo beside its reference; the photos are served re-encoded, and
// only those a case names.
func TestEvidencePhotos(t *testing.T) {
	store, err := casestore.Open(context.Background(), filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	match := func(listingRef, ref string) score.Signal {
		return score.Signal{Kind: score.KindImage, Score: 0.8, Evidence: "image 1 matches",
			Images: []score.ImageMatch{{Listing: listingRef, Reference: ref, Distance: 4, Threshold: 18}, {Listing: "images/img-0084.jpg", Reference: ref, Distance: 9, Threshold: 18}}}
	}
	c := &stream.Candidate{
		Verdict: score.Verdict{ListingID: "mp-1", Flagged: true, BrandID: "fullips", Score: 0.9, Signals: []score.Signal{
			match("images/img-0083.jpg", "images/ref-fullips-1.jpg"),
			{Kind: score.KindText, Score: 0.75, Evidence: "title has 'Fuⅼⅼips'", Terms: []string{"Fuⅼⅼips"}},
			match("../../../etc/passwd", "images/ref-fullips-1.jpg"),
		}},
		Listing: &listing.Listing{ID: "mp-1", Title: "Fuⅼⅼips <b>plumper</b>", Description: "real Fuⅼⅼips, 1:1",
			Price: &price.Money{Amount: 3, Currency: "USD"}, Seller: listing.Seller{ID: "s-1"}, Images: []string{"images/img-0083.jpg"}},
		ContentHash: "h1", ScoredAt: time.Now(),
	}
	if _, err := store.Put(context.Background(), []*stream.Candidate{c}); err != nil {
		t.Fatal(err)
	}
	accts := newAccounts(t)
	s, err := New(store, Options{Accounts: accts, Images: fetch.Photos{Dir: filepath.Join("..", "..", "fixtures"), Limits: imagehash.DefaultLimits()}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	client, _ := clientAs(t, accts, account.Owner, "fullips")
	get := func(path string) (int, string, []byte) {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	code, _, page := get("/cases/1")
	if code != 200 {
		t.Fatalf("case page: %d", code)
	}
	for _, want := range []string{
		"<mark>Fuⅼⅼips</mark> &lt;b&gt;plumper&lt;/b&gt;", "real <mark>Fuⅼⅼips</mark>, 1:1",
		`src="/cases/1/evidence/0/0/listing"`, `src="/cases/1/evidence/0/0/reference"`, "4</span> of 64 bits apart",
		`src="/cases/1/evidence/0/1/listing"`, "9</span> of 64 bits apart",
	} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("case page lacks %q", want)
		}
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/cases/1/evidence/0/0/listing", 200},
		{"/cases/1/evidence/0/0/reference", 200},
		{"/cases/1/evidence/0/1/listing", 200},
		{"/cases/1/evidence/0/2/listing", 404},
		{"/cases/1/evidence/1/0/listing", 404}, // a text signal has no photo
		{"/cases/1/evidence/2/0/listing", 404}, // a path leaving the image directory
		{"/cases/1/evidence/9/0/listing", 404},
		{"/cases/1/evidence/0/0/elsewhere", 404},
		{"/cases/7/evidence/0/0/listing", 404},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/cases/"), func(t *testing.T) {
			code, ctype, body := get(tc.path)
			if code != tc.code {
				t.Fatalf("status %d, want %d: %s", code, tc.code, body)
			}
			if code == 200 {
				if ctype != "image/jpeg" {
					t.Errorf("content type %q", ctype)
				}
				if _, err := jpeg.Decode(bytes.NewReader(body)); err != nil {
					t.Errorf("served photo does not decode: %v", err)
				}
			}
		})
	}
}
