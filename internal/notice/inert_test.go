package notice

import (
	"bytes"
	"encoding/csv"
	"testing"
)

// TestCSVCellsInert writes seller-written cells that a spreadsheet would
// run as formulas: each is read back as text, prefixed with an apostrophe;
// ordinary cells are written as they are.
func TestCSVCellsInert(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example","click")`, `'=HYPERLINK("http://evil.example","click")`},
		{"+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"Fullips lip plumper", "Fullips lip plumper"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n := &Notice{ID: "N-1", Part: 1, Parts: 1, Marketplace: "shopnet", Items: []Item{{CaseID: 1, ListingID: tt.in, URL: "https://x.example/1", Title: tt.in, SellerID: tt.in}}}
			var buf bytes.Buffer
			if err := WriteCSV(&buf, n); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, col := range []int{7, 9, 10} {
				if got := rows[1][col]; got != tt.want {
					t.Errorf("column %s = %q, want %q", rows[0][col], got, tt.want)
				}
			}
		})
	}
}
