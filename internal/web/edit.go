package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/stream"
)

// editForm shows the registration form filled in with a registered brand
// as the brands topic has it now, its reference photos kept unless
// unticked.
func (s *Server) editForm(w http.ResponseWriter, r *http.Request) {
	if s.directory == nil {
		s.fail(w, http.StatusNotFound, "editing brands needs the brands topic: this server was started without it")
		return
	}
	rec, ok := s.directory.Brand(r.PathValue("id"))
	if !ok {
		s.fail(w, http.StatusNotFound, fmt.Sprintf("brand %q is not registered", r.PathValue("id")))
		return
	}
	s.render(w, r, "register", map[string]any{"Title": "Edit brand " + rec.Brand.ID, "F": formFromBrand(&rec.Brand),
		"Editing": rec.Brand.ID, "Existing": rec.Brand.ReferenceImages})
}

// formFromBrand is brandFromForm's inverse.
func formFromBrand(b *brand.Brand) map[string]string {
	f := map[string]string{"id": b.ID, "name": b.Name, "owner": b.Owner, "currency": "USD",
		"aliases": strings.Join(b.Aliases, ", "), "sellers": strings.Join(b.AuthorizedSellers, ", "), "keywords": strings.Join(b.Keywords, ", ")}
	if b.Contact != nil {
		f["contact_name"], f["contact_email"] = b.Contact.Name, b.Contact.Email
	}
	if b.PriceFloor != nil {
		f["floor"], f["currency"] = amount(b.PriceFloor), b.PriceFloor.Currency
	}
	if b.Threshold != 0 {
		f["threshold"] = strconv.FormatFloat(b.Threshold, 'f', -1, 64)
	}
	var products, marks []string
	for _, p := range b.Products {
		line := p.Name
		if p.PriceFloor != nil {
			line += " | " + amount(p.PriceFloor) + " | " + p.PriceFloor.Currency
		}
		products = append(products, line)
	}
	for _, m := range b.Marks {
		classes := make([]string, len(m.Classes))
		for i, c := range m.Classes {
			classes[i] = strconv.Itoa(c)
		}
		marks = append(marks, strings.TrimRight(m.Number+" | "+m.Office+" | "+strings.Join(classes, ", "), " |"))
	}
	f["products"], f["marks"] = strings.Join(products, "\n"), strings.Join(marks, "\n")
	return f
}

func amount(m *price.Money) string { return strconv.FormatFloat(m.Amount, 'f', -1, 64) }

// keptReferences carries over the reference photos an edit keeps, with
// their hashes, from the brand as the topic has it; names the brand does
// not have are ignored, so a form cannot claim photos it never uploaded.
func (s *Server) keptReferences(id string, keep []string, b *brand.Brand, rec *stream.BrandRecord) {
	if s.directory == nil || len(keep) == 0 {
		return
	}
	cur, ok := s.directory.Brand(id)
	if !ok {
		return
	}
	for _, name := range cur.Brand.ReferenceImages {
		if !slices.Contains(keep, name) {
			continue
		}
		b.ReferenceImages = append(b.ReferenceImages, name)
		for _, h := range cur.ReferenceHashes {
			if h.Image == name {
				rec.ReferenceHashes = append(rec.ReferenceHashes, h)
			}
		}
	}
}
