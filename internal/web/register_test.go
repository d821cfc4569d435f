package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/stream"
)

type recordPublisher struct {
	got  []*stream.BrandRecord
	fail bool
}

func (p *recordPublisher) PublishBrand(_ context.Context, rec *stream.BrandRecord) error {
	if p.fail {
		return errors.New("kafka down")
	}
	p.got = append(p.got, rec)
	return nil
}

func multipartBody(t *testing.T, fields map[string]string, images map[string][]byte) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range images {
		fw, err := mw.CreateFormFile("images", name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

func TestRegister(t *testing.T) {
	photo, err := os.ReadFile(filepath.Join("..", "imagehash", "testdata", "baboon.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]string{
		"id": "nordwind", "name": "Nordwind", "owner": "Nordwind AS", "contact_name": "Ida", "contact_email": "ip@nordwind.example",
		"aliases": "Nord Wind, NW", "floor": "49", "currency": "eur", "products": "Nordwind Parka | 199 | EUR\nNordwind Vest",
		"sellers": "nordwind-official", "marks": "EU 0123 | EUIPO | 25, 18", "keywords": "jacket, parka",
	}
	tests := []struct {
		name      string
		fields    map[string]string
		images    map[string][]byte
		failPub   bool
		code      int
		want      []string
		published bool
	}{
		{name: "publishes", fields: good, images: map[string][]byte{"ref.jpg": photo}, code: 303, published: true},
		{name: "invalid fields", fields: map[string]string{"id": "Nord Wind", "name": "", "products": "Parka | cheap | EUR", "marks": "EU 1 | EUIPO | x"}, code: 400,
			want: []string{"must match [a-z0-9-]&#43;", "name: missing", "products line 1: &#34;cheap&#34; is not an amount", "class &#34;x&#34; is not a number"}},
		{name: "not an image", fields: good, images: map[string][]byte{"evil.jpg": []byte("<?php ?>")}, code: 400, want: []string{"photo &#34;evil.jpg&#34;", "unsupported image format"}},
		{name: "kafka down", fields: good, images: map[string][]byte{"ref.jpg": photo}, failPub: true, code: 503, want: []string{"could not be published"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, err := casestore.Open(context.Background(), filepath.Join(t.TempDir(), "cases.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			pub := &recordPublisher{fail: tt.failPub}
			uploads := t.TempDir()
			accts := newAccounts(t)
			s, err := New(store, Options{Brands: pub, Uploads: uploads, Accounts: accts})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			body, ctype := multipartBody(t, tt.fields, tt.images)
			client, _ := clientAs(t, accts, account.Admin)
			resp, err := client.Post(srv.URL+"/brands", ctype, body)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.code, b)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(b), w) {
					t.Errorf("page lacks %q:\n%s", w, b)
				}
			}
			if tt.published != (len(pub.got) == 1) {
				t.Fatalf("published %d records", len(pub.got))
			}
			if !tt.published {
				return
			}
			rec := pub.got[0]
			br := rec.Brand
			if br.ID != "nordwind" || len(br.Aliases) != 2 || br.PriceFloor.Currency != "EUR" || len(br.Products) != 2 ||
				br.Products[0].PriceFloor.Amount != 199 || br.Marks[0].Classes[1] != 18 || br.Contact.Email != "ip@nordwind.example" ||
				len(br.ReferenceImages) != 1 || len(rec.ReferenceHashes) < 10 {
				t.Fatalf("record %+v", rec)
			}
			resp, err = client.Get(srv.URL + "/" + br.ReferenceImages[0])
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" {
				t.Errorf("stored photo: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			for _, bad := range []string{"/uploads/..%2Fcases.db", "/uploads/nope.jpg", "/uploads/x.png"} {
				resp, err := client.Get(srv.URL + bad)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 404 {
					t.Errorf("%s: %d, want 404", bad, resp.StatusCode)
				}
			}
		})
	}
}

// ackLostTopic is a brands topic whose first publish lands but is not
// acknowledged (a request that timed out after the write): the brand is
// on the topic, and so in the directory, while the reporter hears of a
// failure.
type ackLostTopic struct {
	mu     sync.Mutex
	brands map[string]*stream.BrandRecord
	lost   bool
}

func (p *ackLostTopic) PublishBrand(_ context.Context, rec *stream.BrandRecord) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.brands[rec.Brand.ID] = rec
	if !p.lost {
		p.lost = true
		return errors.New("kafka: request timed out")
	}
	return nil
}

func (p *ackLostTopic) Brand(id string) (*stream.BrandRecord, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rec, ok := p.brands[id]
	return rec, ok
}

// TestOwnerRetriesFailedPublish: an owner's new brand whose publish
// failed, though it landed on the topic, is still theirs to send again:
// they own it from before it is published, so the retry is not refused
// as another account's brand.
func TestOwnerRetriesFailedPublish(t *testing.T) {
	store, err := casestore.Open(context.Background(), filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	topic := &ackLostTopic{brands: map[string]*stream.BrandRecord{}}
	accts := newAccounts(t)
	s, err := New(store, Options{Brands: topic, Directory: topic, Uploads: t.TempDir(), Accounts: accts})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	owner, name := clientAs(t, accts, account.Owner, brandA)
	for i, want := range []int{http.StatusServiceUnavailable, http.StatusSeeOther} {
		body, ctype := multipartBody(t, map[string]string{"id": "acme", "name": "Acme", "owner": "Acme Ltd", "keywords": "anvil"}, nil)
		resp, err := owner.Post(srv.URL+"/brands", ctype, body)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Fatalf("attempt %d: %d, want %d: %.300s", i+1, resp.StatusCode, want, page)
		}
	}
	if u, _ := accts.User(context.Background(), name); !slices.Contains(u.Brands, "acme") {
		t.Errorf("the owner's brands are %v, want acme among them", u.Brands)
	}
}
