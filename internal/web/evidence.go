package web

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/imagehash"
	"github.com/assay-dev/assay/internal/listing"
)

// ImageSource supplies the photos evidence rests on, by the reference a
// verdict gives (a listing's image URL or path, a brand's reference image).
// Package reporter's EvidenceImages fetches URLs under the image-fetch
// guards and reads paths from a directory.
type ImageSource interface {
	Image(ctx context.Context, ref string) ([]byte, error)
}

// highlight escapes text and marks every occurrence of the terms in it.
func highlight(text string, terms []string) template.HTML {
	type span struct{ lo, hi int }
	var spans []span
	for _, t := range terms {
		if t == "" {
			continue
		}
		for at := 0; ; {
			i := strings.Index(text[at:], t)
			if i < 0 {
				break
			}
			spans = append(spans, span{at + i, at + i + len(t)})
			at += i + len(t)
		}
	}
	slices.SortFunc(spans, func(a, b span) int { return a.lo - b.lo })
	var merged []span
	for _, sp := range spans {
		if n := len(merged); n > 0 && sp.lo <= merged[n-1].hi {
			merged[n-1].hi = max(merged[n-1].hi, sp.hi)
			continue
		}
		merged = append(merged, sp)
	}
	var b strings.Builder
	pos := 0
	for _, sp := range merged {
		b.WriteString(html.EscapeString(text[pos:sp.lo]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[sp.lo:sp.hi]))
		b.WriteString("</mark>")
		pos = sp.hi
	}
	b.WriteString(html.EscapeString(text[pos:]))
	return template.HTML(b.String())
}

// caseTerms gathers the terms every signal of a case rests on.
func caseTerms(c *casestore.Case) []string {
	var out []string
	for _, s := range c.Signals {
		for _, t := range s.Terms {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// latestListing is the newest version of the listing the case keeps.
func latestListing(snaps []json.RawMessage) *listing.Listing {
	if len(snaps) == 0 {
		return nil
	}
	var l listing.Listing
	if json.Unmarshal(snaps[len(snaps)-1], &l) != nil {
		return nil
	}
	return &l
}

// evidenceImage serves the listing photo or the reference photo of one of a
// case's image signals, re-encoded. Only photos a case names are served, so
// this is no open proxy.
func (s *Server) evidenceImage(w http.ResponseWriter, r *http.Request) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	n, err2 := strconv.Atoi(r.PathValue("n"))
	k, err3 := strconv.Atoi(r.PathValue("k"))
	if err1 != nil || err2 != nil || err3 != nil {
		s.fail(w, http.StatusNotFound, "no such photo")
		return
	}
	c, err := s.store.Get(r.Context(), id)
	if errors.Is(err, casestore.ErrNotFound) || (err == nil && (n < 0 || n >= len(c.Signals) || k < 0 || k >= len(c.Signals[n].Images))) {
		s.fail(w, http.StatusNotFound, "no such photo")
		return
	}
	if err != nil {
		s.internal(w, "get case", err)
		return
	}
	m := c.Signals[n].Images[k]
	var data []byte
	switch r.PathValue("which") {
	case "listing":
		data, err = s.photo(r.Context(), m.Listing)
	case "reference":
		data, err = s.photo(r.Context(), m.Reference)
	default:
		s.fail(w, http.StatusNotFound, "no such photo")
		return
	}
	if err != nil {
		s.log.Warn("evidence photo unavailable", "case", id, "err", err)
		s.fail(w, http.StatusNotFound, "the photo is not available: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	_, _ = w.Write(data)
}

// photo reads one photo: from the uploads for brands registered here (they
// were re-encoded when uploaded), and otherwise from the image source,
// decoded under the limits and re-encoded so nothing but pixels reaches the
// browser.
func (s *Server) photo(ctx context.Context, ref string) ([]byte, error) {
	if name, ok := strings.CutPrefix(ref, "uploads/"); ok {
		if data, err := s.readUpload(name); !errors.Is(err, errNotUpload) {
			return data, err
		}
	}
	if s.images == nil {
		return nil, errors.New("this server shows no evidence photos (reporter run --image-dir, --fetch-images)")
	}
	data, err := s.images.Image(ctx, ref)
	if err != nil {
		return nil, err
	}
	return imagehash.Reencode(data, imagehash.DefaultLimits())
}
