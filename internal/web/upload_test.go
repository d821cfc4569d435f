package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
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

// uploadServer is a registration server with a brand already registered,
// so that both registering and editing can be tested.
type uploadServer struct {
	*httptest.Server
	admin    *http.Client // an admin with an API token
	pub      *recordPublisher
	uploads  string
	accounts *account.Store
}

func newUploadServer(t *testing.T) *uploadServer {
	t.Helper()
	store, err := casestore.Open(context.Background(), filepath.Join(t.TempDir(), "cases.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	u := &uploadServer{pub: &recordPublisher{}, uploads: t.TempDir(), accounts: newAccounts(t)}
	s, err := New(store, Options{Brands: u.pub, Uploads: u.uploads, Directory: mapDirectory{"nordwind": {Brand: nordwind()}}, Accounts: u.accounts})
	if err != nil {
		t.Fatal(err)
	}
	u.Server = httptest.NewServer(s)
	t.Cleanup(u.Close)
	u.admin, _ = clientAs(t, u.accounts, account.Admin)
	return u
}

// uploadForm is the registration form of nordwind with the given photos;
// editing posts it as an edit of the registered brand.
func uploadForm(t *testing.T, editing bool, images map[string][]byte) (*bytes.Buffer, string) {
	t.Helper()
	f := formFromBrand(new(nordwind()))
	if editing {
		f["editing"] = "nordwind"
	}
	return multipartBody(t, f, images)
}

// post posts a registration form as client.
func (u *uploadServer) post(t *testing.T, client *http.Client, body io.Reader, ctype string) (*http.Response, string) {
	t.Helper()
	resp, err := client.Post(u.URL+"/brands", ctype, body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// jpegSegment is a JPEG marker segment with its length.
func jpegSegment(marker byte, payload []byte) []byte {
	seg := []byte{0xff, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// polyglot is a real JPEG that is also HTML: script in a comment segment
// and in an Exif segment, and an HTML document after the end-of-image
// marker, which decoders ignore and a sniffing browser would render.
func polyglot(t testing.TB) []byte {
	t.Helper()
	photo, err := os.ReadFile(filepath.Join("..", "imagehash", "testdata", "baboon.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.Write(photo[:2]) // SOI
	b.Write(jpegSegment(0xfe, []byte(`<html><script>alert("comment")</script>`)))
	b.Write(jpegSegment(0xe1, []byte("Exif\x00\x00GPSLatitude 59.91 <svg onload=alert(1)>")))
	b.Write(photo[2:])
	b.WriteString(`<!DOCTYPE html><html><body><script>alert("trailing")</script></body></html>`)
	return b.Bytes()
}

// pngDeclaring is a small PNG whose header declares w x h pixels and whose
// data is a few bytes: it would need gigabytes if decoded.
func pngDeclaring(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		binary.Write(&b, binary.BigEndian, uint32(len(data)))
		body := append([]byte(typ), data...)
		b.Write(body)
		binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})
	chunk("IEND", nil)
	return b.Bytes()
}

// jpegDeclaring is a JPEG whose frame header declares w x h pixels, with
// no image data after it.
func jpegDeclaring(w, h uint16) []byte {
	sof := []byte{8, 0, 0, 0, 0, 1, 1, 0x11, 0}
	binary.BigEndian.PutUint16(sof[1:], h)
	binary.BigEndian.PutUint16(sof[3:], w)
	b := append([]byte{0xff, 0xd8}, jpegSegment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))...)
	return append(append(b, jpegSegment(0xc0, sof)...), 0xff, 0xd9)
}

// transparentPNG is a cut-out product photo: a textured square on a fully
// transparent background whose hidden colour is black.
func transparentPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 200, 160))
	for y := 40; y < 120; y++ {
		for x := 50; x < 150; x++ {
			v := uint8((x/10 + y/10) % 2 * 200)
			img.SetNRGBA(x, y, color.NRGBA{R: v, G: uint8(x * y), B: uint8(3 * y), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestUploadReencoded registers and edits a brand with hostile photos and
// reads back what is stored and served: only the re-encoded JPEG, none of
// the bytes the upload carried besides its pixels.
func TestUploadReencoded(t *testing.T) {
	payloads := []string{"<script", "<html", "alert(", "GPSLatitude", "Exif", "<svg"}
	tests := []struct {
		name  string
		photo func(testing.TB) []byte
		w, h  int
	}{
		{"jpeg html polyglot", polyglot, 512, 512},
		{"transparent png", transparentPNG, 200, 160},
	}
	for _, tt := range tests {
		for _, editing := range []bool{false, true} {
			name := tt.name + map[bool]string{false: " registered", true: " edited"}[editing]
			t.Run(name, func(t *testing.T) {
				srv := newUploadServer(t)
				upload := tt.photo(t)
				body, ctype := uploadForm(t, editing, map[string][]byte{"ref.jpg": upload})
				resp, page := srv.post(t, srv.admin, body, ctype)
				if resp.StatusCode != http.StatusSeeOther || len(srv.pub.got) != 1 {
					t.Fatalf("status %d, %d published: %s", resp.StatusCode, len(srv.pub.got), page)
				}
				refs := srv.pub.got[0].Brand.ReferenceImages
				if len(refs) != 1 {
					t.Fatalf("reference images %v", refs)
				}
				resp, err := srv.admin.Get(srv.URL + "/" + refs[0])
				if err != nil {
					t.Fatal(err)
				}
				served, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/jpeg" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
					t.Fatalf("served %d %q nosniff=%q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("X-Content-Type-Options"))
				}
				stored, err := os.ReadFile(filepath.Join(srv.uploads, filepath.Base(refs[0])))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(stored, served) {
					t.Error("served bytes differ from the stored file")
				}
				entries, _ := os.ReadDir(srv.uploads)
				if len(entries) != 1 {
					t.Errorf("%d files in the uploads directory, want 1", len(entries))
				}
				if bytes.Equal(stored, upload) {
					t.Fatal("the upload was stored as it came")
				}
				for _, p := range payloads {
					if bytes.Contains(stored, []byte(p)) {
						t.Errorf("stored photo still carries %q", p)
					}
				}
				// A JPEG from SOI to EOI and nothing after.
				if !bytes.HasPrefix(stored, []byte{0xff, 0xd8}) || !bytes.HasSuffix(stored, []byte{0xff, 0xd9}) {
					t.Errorf("stored photo is not a bare JPEG: starts % x, ends % x", stored[:4], stored[len(stored)-4:])
				}
				if ct := http.DetectContentType(stored); ct != "image/jpeg" {
					t.Errorf("stored photo sniffs as %s", ct)
				}
				img, err := jpeg.Decode(bytes.NewReader(stored))
				if err != nil {
					t.Fatal(err)
				}
				if b := img.Bounds(); b.Dx() != tt.w || b.Dy() != tt.h {
					t.Errorf("stored photo is %v, want %dx%d", b, tt.w, tt.h)
				}
				if tt.name == "transparent png" {
					// The transparent corner is white, as the hashes see it.
					if r, g, b, _ := img.At(5, 5).RGBA(); r>>8 < 245 || g>>8 < 245 || b>>8 < 245 {
						t.Errorf("transparent background stored as (%d,%d,%d), want white", r>>8, g>>8, b>>8)
					}
				}
			})
		}
	}
}

// TestUploadRefused sends photos and forms over the caps: each is refused
// with a message naming what was too big and the limit, nothing is
// published or stored, and nothing is decoded to find out.
func TestUploadRefused(t *testing.T) {
	tests := []struct {
		name  string
		photo []byte
		code  int
		want  []string
	}{
		{"png declaring 60000x60000", pngDeclaring(60000, 60000), 400, []string{"photo &#34;ref.jpg&#34;", "60000x60000 exceeds 40000000 pixels"}},
		{"jpeg declaring 60000x60000", jpegDeclaring(60000, 60000), 400, []string{"60000x60000 exceeds 40000000 pixels"}},
		{"photo over 20 MiB", append(polyglot(t), make([]byte, 20<<20)...), 400, []string{"larger than 20971520 bytes"}},
		{"html named .jpg", []byte("<html><script>alert(1)</script></html>"), 400, []string{"unsupported image format"}},
	}
	for _, tt := range tests {
		for _, editing := range []bool{false, true} {
			t.Run(tt.name+map[bool]string{false: " registered", true: " edited"}[editing], func(t *testing.T) {
				srv := newUploadServer(t)
				body, ctype := uploadForm(t, editing, map[string][]byte{"ref.jpg": tt.photo})
				resp, page := srv.post(t, srv.admin, body, ctype)
				if resp.StatusCode != tt.code {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.code, page)
				}
				for _, w := range tt.want {
					if !strings.Contains(page, w) {
						t.Errorf("answer lacks %q:\n%.2000s", w, page)
					}
				}
				if len(srv.pub.got) != 0 {
					t.Errorf("%d records published", len(srv.pub.got))
				}
				if entries, _ := os.ReadDir(srv.uploads); len(entries) != 0 {
					t.Errorf("%d files stored", len(entries))
				}
			})
		}
	}
}

// TestUploadFormTooLarge streams a form over the 64 MiB cap, from an API
// token and from a browser session with its CSRF token in the form: 413
// with the limit named, not a 400 or 500, and nothing published.
func TestUploadFormTooLarge(t *testing.T) {
	for _, caller := range []string{"token", "session"} {
		t.Run(caller, func(t *testing.T) {
			srv := newUploadServer(t)
			client, fields := srv.admin, formFromBrand(new(nordwind()))
			if caller == "session" {
				client, fields["csrf"] = sessionClient(t, srv.accounts, "ada", account.Admin)
			}
			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			go func() {
				for k, v := range fields {
					mw.WriteField(k, v)
				}
				chunk := make([]byte, 1<<20)
				for range 5 {
					fw, err := mw.CreateFormFile("images", "big.jpg")
					if err != nil {
						pw.CloseWithError(err)
						return
					}
					for range 14 {
						if _, err := fw.Write(chunk); err != nil {
							pw.CloseWithError(err)
							return
						}
					}
				}
				pw.CloseWithError(mw.Close())
			}()
			resp, page := srv.post(t, client, pr, mw.FormDataContentType())
			pr.CloseWithError(io.ErrClosedPipe)
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413: %s", resp.StatusCode, page)
			}
			if !strings.Contains(page, "larger than 64 MiB: send at most 8 photos") {
				t.Errorf("answer %q does not name the limit and what to send", page)
			}
			if len(srv.pub.got) != 0 {
				t.Errorf("%d records published", len(srv.pub.got))
			}
			if entries, _ := os.ReadDir(srv.uploads); len(entries) != 0 {
				t.Errorf("%d files stored", len(entries))
			}
		})
	}
}

// TestRegisterFromBrowser: a browser session's multipart registration
// carries its CSRF token in the form, which the guard reads under the
// upload cap: with the token it is published, without it refused.
func TestRegisterFromBrowser(t *testing.T) {
	srv := newUploadServer(t)
	client, csrf := sessionClient(t, srv.accounts, "ada", account.Admin)
	for _, tc := range []struct {
		name string
		csrf string
		code int
	}{{"without the CSRF token", "", http.StatusForbidden}, {"with it", csrf, http.StatusSeeOther}} {
		f := formFromBrand(new(nordwind()))
		f["editing"], f["csrf"] = "nordwind", tc.csrf
		body, ctype := multipartBody(t, f, nil)
		if resp, page := srv.post(t, client, body, ctype); resp.StatusCode != tc.code {
			t.Errorf("%s: %d, want %d: %.300s", tc.name, resp.StatusCode, tc.code, page)
		}
	}
	if len(srv.pub.got) != 1 {
		t.Errorf("%d records published, want 1", len(srv.pub.got))
	}
}
