package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
)

// FuzzRegisterForm posts arbitrary registration forms: raw multipart
// bodies (the parser), and well-formed forms with an arbitrary photo,
// file name and field text (the photo pipeline and the page that shows
// problems). Whatever the input: a 303, 400 or 413, never a 500 or a
// panic; a brand is published exactly when the answer is 303, and then
// every photo it names is stored as a bare JPEG; a refused form stores
// nothing; no answer carries markup from the input.
func FuzzRegisterForm(f *testing.F) {
	photo, err := os.ReadFile(filepath.Join("..", "imagehash", "testdata", "baboon.jpg"))
	if err != nil {
		f.Fatal(err)
	}
	small := transparentPNG(f)
	f.Add(false, []byte(nil), "ref.jpg", "nordwind", small)
	f.Add(false, []byte(nil), `"><script>alert(1)</script>.jpg`, `<script>alert(1)</script>`, small)
	f.Add(false, []byte(nil), "ref.jpg", "nordwind", pngDeclaring(60000, 60000))
	f.Add(false, []byte(nil), "ref.jpg", "Nord Wind <img src=x onerror=alert(1)>", jpegDeclaring(1, 1))
	f.Add(false, []byte(nil), "ref.jpg", "nordwind", photo[:len(photo)/8])
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.SetBoundary("B")
	_ = mw.WriteField("id", "x")
	_ = mw.WriteField("name", "<b>X</b>")
	fw, _ := mw.CreateFormFile("images", "a.jpg")
	_, _ = fw.Write(small)
	_ = mw.Close()
	f.Add(true, body.Bytes(), "", "", []byte(nil))
	f.Add(true, []byte("--B\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.jpg\"\r\n\r\n<html>\r\n--B--\r\n"), "", "", []byte(nil))

	store, err := casestore.Open(context.Background(), filepath.Join(f.TempDir(), "cases.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	// One server for every input (parsing its templates dominates a
	// fresh one's cost); each input starts with no record published and
	// an empty uploads directory.
	pub := &recordPublisher{}
	uploads := f.TempDir()
	accts := newAccounts(f)
	s, err := New(store, Options{Brands: pub, Uploads: uploads, Accounts: accts})
	if err != nil {
		f.Fatal(err)
	}
	token := tokenFor(f, accts, "admin", account.Admin)
	f.Fuzz(func(t *testing.T, raw bool, rawBody []byte, filename, text string, image []byte) {
		pub.got = nil
		if entries, _ := os.ReadDir(uploads); len(entries) > 0 {
			for _, e := range entries {
				_ = os.Remove(filepath.Join(uploads, e.Name()))
			}
		}
		var req *http.Request
		if raw {
			req = httptest.NewRequest(http.MethodPost, "/brands", bytes.NewReader(rawBody))
			req.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		} else {
			fields := formFromBrand(new(nordwind()))
			fields["name"], fields["aliases"], fields["products"] = text, text, text
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for k, v := range fields {
				_ = mw.WriteField(k, v)
			}
			fw, err := mw.CreateFormFile("images", filename)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = fw.Write(image)
			_ = mw.Close()
			req = httptest.NewRequest(http.MethodPost, "/brands", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusSeeOther, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d: %.500s", rec.Code, rec.Body)
		}
		// An HTML answer carries no markup from the input; a plain-text one
		// (a form that could not be read) may quote it, but no browser
		// may sniff it into HTML.
		switch ct := rec.Header().Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/html"):
			page := strings.ToLower(rec.Body.String())
			for _, markup := range []string{"<script", "<img", "<svg", "<iframe", "<b>"} {
				if strings.Contains(page, markup) {
					t.Fatalf("answer carries %q from the input: %.2000s", markup, rec.Body)
				}
			}
		case strings.HasPrefix(ct, "text/plain"):
			if rec.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Fatal("plain-text answer without nosniff")
			}
		case rec.Code != http.StatusSeeOther:
			t.Fatalf("answer of type %q", ct)
		}
		entries, _ := os.ReadDir(uploads)
		if rec.Code != http.StatusSeeOther {
			if len(pub.got) != 0 || len(entries) != 0 {
				t.Fatalf("refused with %d, yet %d published and %d files stored", rec.Code, len(pub.got), len(entries))
			}
			return
		}
		if len(pub.got) != 1 {
			t.Fatalf("303 with %d records published", len(pub.got))
		}
		if len(entries) != len(pub.got[0].Brand.ReferenceImages) {
			t.Fatalf("%d files stored for %d reference images", len(entries), len(pub.got[0].Brand.ReferenceImages))
		}
		for _, ref := range pub.got[0].Brand.ReferenceImages {
			data, err := os.ReadFile(filepath.Join(uploads, filepath.Base(ref)))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte{0xff, 0xd8}) || !bytes.HasSuffix(data, []byte{0xff, 0xd9}) {
				t.Fatalf("stored %s is not a bare JPEG", ref)
			}
		}
	})
}
