package notice

import (
	"embed"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
)

//go:embed notice.html
var htmlFS embed.FS

var page = template.Must(template.New("notice.html").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
	"classes": func(cs []int) string {
		s := make([]string, len(cs))
		for i, c := range cs {
			s[i] = strconv.Itoa(c)
		}
		return strings.Join(s, ", ")
	},
}).ParseFS(htmlFS, "notice.html"))

// Format is one way of writing a notice out.
type Format struct {
	Write       func(io.Writer, *Notice) error
	ContentType string
}

// FormatNamed returns the format called csv, json or html.
func FormatNamed(name string) (Format, bool) {
	switch name {
	case "csv":
		return Format{WriteCSV, "text/csv; charset=utf-8"}, true
	case "json":
		return Format{WriteJSON, "application/json"}, true
	case "html":
		return Format{WriteHTML, "text/html; charset=utf-8"}, true
	}
	return Format{}, false
}

// WriteCSV writes one row per listing, each row carrying the notice's
// identity so rows can be filed on their own.
func WriteCSV(w io.Writer, n *Notice) error {
	cw := csv.NewWriter(w)
	marks := make([]string, 0, len(n.Marks))
	for _, m := range n.Marks {
		marks = append(marks, strings.TrimSpace(m.Office+" "+m.Number))
	}
	_ = cw.Write([]string{"notice_id", "part", "marketplace", "brand", "rights_owner", "contact_email", "marks", "listing_id", "url", "title", "seller_id", "reason"})
	for _, it := range n.Items {
		_ = cw.Write([]string{n.ID, fmt.Sprintf("%d/%d", n.Part, n.Parts), n.Marketplace, n.BrandName, n.RightsOwner, n.Contact.Email,
			strings.Join(marks, "; "), it.ListingID, it.URL, it.Title, it.SellerID, it.Reason})
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the notice as one JSON document.
func WriteJSON(w io.Writer, n *Notice) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(n)
}

// WriteHTML writes a printable page, escaped throughout: titles are written
// by sellers.
func WriteHTML(w io.Writer, n *Notice) error {
	return page.Execute(w, n)
}
