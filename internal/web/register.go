package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/stream"
)

// BrandPublisher puts a brand on the brands topic (package reporter's).
type BrandPublisher interface {
	PublishBrand(ctx context.Context, rec *stream.BrandRecord) error
}

// Limits of the registration form.
const (
	maxUploadBytes = 64 << 20
	maxImages      = 8
)

// uploadTooLarge answers a registration form over maxUploadBytes.
func uploadTooLarge() string {
	return fmt.Sprintf("the form is larger than %d MiB: send at most %d photos of at most %d MiB each, fewer at a time",
		maxUploadBytes>>20, maxImages, imagehash.DefaultLimits().MaxBytes>>20)
}

var formFields = []string{"id", "name", "owner", "contact_name", "contact_email", "aliases", "floor", "currency", "products", "sellers", "marks", "keywords", "threshold"}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "register", map[string]any{"Title": "Register a brand", "F": map[string]string{"currency": "USD"}, "Done": r.URL.Query().Get("done")})
}

// register validates the form (which the guard has read under the
// route's upload cap), re-encodes and hashes the photos, stores them, and
// publishes the brand. Problems re-render the form with every message and
// the input kept (400); nothing is published then.
func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	if s.brands == nil {
		s.fail(w, http.StatusServiceUnavailable, "brand registration is not configured on this reporter")
		return
	}
	f := map[string]string{}
	for _, k := range formFields {
		f[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	b, errs := brandFromForm(f)
	isNew, err := s.mayRegister(r, b.ID)
	switch {
	case errors.Is(err, errOthersBrand):
		s.showRegister(w, r, http.StatusForbidden, f, []string{err.Error()})
		return
	case err != nil:
		s.internal(w, "check brand ownership", err)
		return
	}
	if err := (&brand.Registry{Brands: []brand.Brand{b}}).Validate("form"); err != nil {
		for _, e := range strings.Split(err.Error(), "\n") {
			errs = append(errs, strings.TrimPrefix(e, "form: invalid registry: "))
		}
	}
	files := r.MultipartForm.File["images"]
	if len(files) > maxImages {
		errs = append(errs, fmt.Sprintf("at most %d photos", maxImages))
	}
	rec := &stream.BrandRecord{PublishedAt: time.Now().UTC()}
	s.keptReferences(b.ID, r.PostForm["keep"], &b, rec)
	type upload struct {
		name string
		data []byte
	}
	var uploads []upload
	for _, fh := range files {
		if len(errs) > 0 {
			break
		}
		data, err := readPart(fh.Open)
		if err == nil {
			data, err = imagehash.Reencode(data, imagehash.DefaultLimits())
		}
		var hs []imagehash.RefHash
		if err == nil {
			hs, err = imagehash.ReferenceHashesAll(data, imagehash.DefaultLimits())
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("photo %q: %v", fh.Filename, err))
			continue
		}
		sum := sha256.Sum256(data)
		name := "uploads/" + hex.EncodeToString(sum[:12]) + ".jpg"
		b.ReferenceImages = append(b.ReferenceImages, name)
		rec.ReferenceHashes = append(rec.ReferenceHashes, stream.RefHashes(name, hs)...)
		uploads = append(uploads, upload{name, data})
	}
	if len(errs) > 0 {
		s.showRegister(w, r, http.StatusBadRequest, f, errs)
		return
	}
	for _, u := range uploads {
		if err := os.WriteFile(filepath.Join(s.uploads, filepath.Base(u.name)), u.data, 0o644); err != nil {
			s.internal(w, "store photo", err)
			return
		}
	}
	if u := identity(r).User; u.Role == account.Owner && !u.Owns(b.ID) {
		// The owner who registers a new brand owns it, from before it is
		// published: once the brands topic has it, only its owners may
		// send it again, and a publish that fails (or lands unacknowledged)
		// must leave the retry to this owner.
		if err := s.accounts.Grant(r.Context(), u.Name, b.ID, u.Name); err != nil {
			s.internal(w, "grant the registered brand", err)
			return
		}
	}
	rec.Brand = b
	if err := s.brands.PublishBrand(r.Context(), rec); err != nil {
		s.log.Error("publish brand", "brand", b.ID, "err", err)
		s.showRegister(w, r, http.StatusServiceUnavailable, f, []string{"the brand could not be published (Kafka unavailable?); send the form again: " + err.Error()})
		return
	}
	detail := "edited"
	if isNew {
		detail = "registered"
	}
	s.audit(r, account.ActionBrandRegister, "brand "+b.ID, detail)
	http.Redirect(w, r, "/brands/new?done="+b.ID, http.StatusSeeOther)
}

// showRegister re-renders the posted registration form with what was
// wrong, the input and the photos it kept ticked.
func (s *Server) showRegister(w http.ResponseWriter, r *http.Request, code int, f map[string]string, errs []string) {
	w.WriteHeader(code)
	s.render(w, r, "register", map[string]any{"Title": "Register a brand", "F": f, "Errors": errs,
		"Editing": r.PostForm.Get("editing"), "Existing": r.PostForm["keep"]})
}

// errOthersBrand refuses an owner a brand another account registered or
// owns.
var errOthersBrand = errors.New("registered by another account")

// mayRegister says whether the signed-in account may publish the brand
// with this id (errOthersBrand if not), and whether it is new. Admins may
// publish any brand; an owner their own brands and new ones nobody has
// registered or owns. Analysts never reach here (the route's policy).
func (s *Server) mayRegister(r *http.Request, id string) (isNew bool, err error) {
	registered := false
	if s.directory != nil {
		_, registered = s.directory.Brand(id)
	}
	u := identity(r).User
	if u.Role == account.Admin || u.Owns(id) || id == "" {
		return !registered, nil
	}
	owners, err := s.accounts.BrandOwners(r.Context(), id)
	if err != nil {
		return false, err
	}
	if registered || len(owners) > 0 {
		return false, fmt.Errorf("brand %q is %w: you may edit only the brands you own (%s)", id, errOthersBrand, strings.Join(u.Brands, ", "))
	}
	return true, nil
}

func readPart(open func() (multipart.File, error)) ([]byte, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return imagehash.Read(f, imagehash.DefaultLimits())
}

// brandFromForm turns the form into a brand, reporting lines it cannot
// read; Registry.Validate checks the rest.
func brandFromForm(f map[string]string) (brand.Brand, []string) {
	var errs []string
	b := brand.Brand{ID: f["id"], Name: f["name"], Owner: f["owner"],
		Aliases: list(f["aliases"]), AuthorizedSellers: list(f["sellers"]), Keywords: list(f["keywords"])}
	if f["contact_name"] != "" || f["contact_email"] != "" {
		b.Contact = &brand.Contact{Name: f["contact_name"], Email: f["contact_email"]}
	}
	if f["floor"] != "" {
		m, err := money(f["floor"], f["currency"])
		if err != nil {
			errs = append(errs, "price floor: "+err.Error())
		}
		b.PriceFloor = m
	}
	if f["threshold"] != "" {
		th, err := strconv.ParseFloat(f["threshold"], 64)
		if err != nil || th <= 0 || th >= 1 {
			errs = append(errs, fmt.Sprintf("threshold %q must be a number between 0 and 1 (empty for the default)", f["threshold"]))
		}
		b.Threshold = th
	}
	for i, line := range lines(f["products"]) {
		parts := fields(line)
		p := brand.Product{Name: parts[0]}
		if len(parts) >= 2 {
			cur := ""
			if len(parts) >= 3 {
				cur = parts[2]
			}
			m, err := money(parts[1], cur)
			if err != nil {
				errs = append(errs, fmt.Sprintf("products line %d: %v", i+1, err))
			}
			p.PriceFloor = m
		}
		b.Products = append(b.Products, p)
	}
	for i, line := range lines(f["marks"]) {
		parts := fields(line)
		m := brand.Mark{Number: parts[0]}
		if len(parts) >= 2 {
			m.Office = parts[1]
		}
		if len(parts) >= 3 {
			for _, c := range list(parts[2]) {
				n, err := strconv.Atoi(c)
				if err != nil {
					errs = append(errs, fmt.Sprintf("marks line %d: class %q is not a number", i+1, c))
					continue
				}
				m.Classes = append(m.Classes, n)
			}
		}
		b.Marks = append(b.Marks, m)
	}
	return b, errs
}

func money(amount, currency string) (*price.Money, error) {
	a, err := strconv.ParseFloat(strings.TrimSpace(amount), 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not an amount", amount)
	}
	m := &price.Money{Amount: a, Currency: strings.ToUpper(strings.TrimSpace(currency))}
	if m.Currency == "" {
		m.Currency = "USD"
	}
	return m, nil
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func fields(line string) []string {
	parts := strings.Split(line, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// errNotUpload marks a name that cannot be a stored upload.
var errNotUpload = errors.New("not an uploaded photo")

// readUpload reads a stored reference photo by its file name; only names
// this server gives uploads are accepted.
func (s *Server) readUpload(name string) ([]byte, error) {
	if s.uploads == "" || !filepath.IsLocal(name) || strings.ContainsAny(name, `/\`) || !strings.HasSuffix(name, ".jpg") {
		return nil, errNotUpload
	}
	return os.ReadFile(filepath.Join(s.uploads, name))
}

// uploadFile serves a stored reference photo (re-encoded, so safe to show).
func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	data, err := s.readUpload(r.PathValue("name"))
	if errors.Is(err, errNotUpload) || errors.Is(err, os.ErrNotExist) {
		s.fail(w, http.StatusNotFound, "no such photo")
		return
	}
	if err != nil {
		s.internal(w, "read photo", err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	_, _ = w.Write(data)
}
