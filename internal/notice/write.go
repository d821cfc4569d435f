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
		row := []string{n.ID, fmt.Sprintf("%d/%d", n.Part, n.Parts), n.Marketplace, n.BrandName, n.RightsOwner, n.Contact.Email,
			strings.Join(marks, "; "), it.ListingID, it.URL, it.Title, it.SellerID, it.Reason}
		for i, cell := range row {
			row[i] = inertCell(cell)
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	return cw.Error()
}

// inertCell keeps a spreadsheet from reading a cell as a formula: titles
// and ids are written by sellers, and a marketplace's reviewer opens the
// file in a spreadsheet, where "=HYPERLINK(...)" or "@SUM(...)" would run.
// Such a cell gets a leading apostrophe, which spreadsheets show as text.
func inertCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
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
