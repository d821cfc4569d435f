package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/stream"
)

// mapDirectory is a brand directory over fixed records.
type mapDirectory map[string]*stream.BrandRecord

func (d mapDirectory) Brand(id string) (*stream.BrandRecord, bool) { r, ok := d[id]; return r, ok }

func nordwind() brand.Brand {
	return brand.Brand{ID: "nordwind", Name: "Nordwind", Owner: "Nordwind AS",
		Contact: &brand.Contact{Name: "Ida", Email: "ip@nordwind.example"}, Aliases: []string{"Nord Wind", "NW"},
		PriceFloor:        &price.Money{Amount: 49.5, Currency: "EUR"},
		Products:          []brand.Product{{Name: "Nordwind Parka", PriceFloor: &price.Money{Amount: 199, Currency: "EUR"}}, {Name: "Nordwind Vest"}},
		AuthorizedSellers: []string{"nordwind-official"}, Keywords: []string{"jacket", "parka"},
		Marks:     []brand.Mark{{Number: "0123", Office: "EUIPO", Classes: []int{25, 18}}, {Number: "US 77", Office: "USPTO"}},
		Threshold: 0.65}
}

// TestFormRoundTrip: a brand put in the form and read back is the same
// brand, so an edit that changes nothing changes nothing.
func TestFormRoundTrip(t *testing.T) {
	for _, b := range []brand.Brand{nordwind(), {ID: "bare", Name: "Bare"}} {
		t.Run(b.ID, func(t *testing.T) {
			got, errs := brandFromForm(formFromBrand(&b))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if !reflect.DeepEqual(got, b) {
				t.Errorf("round trip\n got %+v\nwant %+v", got, b)
			}
		})
	}
}

// TestEditBrand: the edit form shows the brand as registered; saving keeps
// the ticked photos with their hashes, drops a photo the brand never had,
// and publishes the change.
func TestEditBrand(t *testing.T) {
	store, err := casestore.Open(context.Background(), filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	b := nordwind()
	b.ReferenceImages = []string{"uploads/aaa.jpg", "uploads/bbb.jpg"}
	dir := mapDirectory{"nordwind": {Brand: b, ReferenceHashes: []stream.ReferenceHash{
		{Image: "uploads/aaa.jpg", Hash: "p:00000000000000aa"}, {Image: "uploads/bbb.jpg", Hash: "p:00000000000000bb"}}}}
	pub := &recordPublisher{}
	accts := newAccounts(t)
	s, err := New(store, Options{Brands: pub, Uploads: t.TempDir(), Directory: dir, Accounts: accts})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	client, _ := clientAs(t, accts, account.Owner, "nordwind")

	resp, err := client.Get(srv.URL + "/brands/nordwind/edit")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`value="ip@nordwind.example"`, "Nordwind Parka | 199 | EUR", "0123 | EUIPO | 25, 18", `name="keep" value="uploads/bbb.jpg" checked`, "Publish changes"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("edit form lacks %q", want)
		}
	}
	if resp, _ := client.Get(srv.URL + "/brands/nobody/edit"); resp.StatusCode != 404 {
		t.Errorf("editing an unregistered brand: %d, want 404", resp.StatusCode)
	}

	f := formFromBrand(&b)
	f["name"] = "Nordwind Outdoor"
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range f {
		mw.WriteField(k, v)
	}
	mw.WriteField("editing", "nordwind")
	mw.WriteField("keep", "uploads/bbb.jpg")
	mw.WriteField("keep", "uploads/forged.jpg")
	mw.Close()
	resp, err = client.Post(srv.URL+"/brands", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || len(pub.got) != 1 {
		t.Fatalf("status %d, %d published", resp.StatusCode, len(pub.got))
	}
	rec := pub.got[0]
	if rec.Brand.Name != "Nordwind Outdoor" || strings.Join(rec.Brand.ReferenceImages, ",") != "uploads/bbb.jpg" {
		t.Errorf("published %q with photos %v", rec.Brand.Name, rec.Brand.ReferenceImages)
	}
	if len(rec.ReferenceHashes) != 1 || rec.ReferenceHashes[0].Hash != "p:00000000000000bb" {
		t.Errorf("hashes carried over: %+v", rec.ReferenceHashes)
	}
}
