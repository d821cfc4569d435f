package notice

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/score"
)

var update = flag.Bool("update", false, "update golden files")

func fullips() *brand.Brand {
	return &brand.Brand{
		ID: "fullips", Name: "Fullips", Owner: "Et Al Beauty LLC",
		Contact: &brand.Contact{Name: "Dana Reyes", Email: "ip@etal.example", Address: "1 Main St, Austin TX"},
		Marks:   []brand.Mark{{Number: "US 4123456", Office: "USPTO", Classes: []int{3}}},
	}
}

func confirmed(n int) []*casestore.Case {
	var out []*casestore.Case
	for i := 1; i <= n; i++ {
		out = append(out, &casestore.Case{
			ID: int64(i), ListingID: fmt.Sprintf("mp-%03d", i), BrandID: "fullips", Status: casestore.Confirmed,
			Marketplace: "shopnet", URL: fmt.Sprintf("https://shopnet.example/item/%03d", i), SellerID: "s-42",
			Title: `Fuⅼⅼips <script>alert(1)</script> plumper`,
			Signals: []score.Signal{
				{Kind: "text", Score: 0.75, Evidence: "title has 'Fuⅼⅼips' (confusable of Fullips)"},
				{Kind: "price", Score: 0.6, Evidence: "price 4.99 USD is 26% of the 19.00 USD floor"},
				{Kind: "seller", Score: 0.1, Evidence: "seller s-42 is not on Fullips's authorized list"},
			},
		})
	}
	return out
}

var now = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func TestGolden(t *testing.T) {
	ns, err := Build(fullips(), "shopnet", confirmed(2), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 {
		t.Fatalf("%d notices, want 1", len(ns))
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer, *Notice) error
	}{
		{"notice.csv", func(b *bytes.Buffer, n *Notice) error { return WriteCSV(b, n) }},
		{"notice.json", func(b *bytes.Buffer, n *Notice) error { return WriteJSON(b, n) }},
		{"notice.html", func(b *bytes.Buffer, n *Notice) error { return WriteHTML(b, n) }},
	} {
		t.Run(f.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := f.write(&buf, &ns[0]); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", f.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s (run with -update to accept):\n%s", f.name, golden, buf.String())
			}
			if f.name == "notice.html" && strings.Contains(buf.String(), "<script>") {
				t.Error("seller-written title not escaped")
			}
		})
	}
}

func TestSplit(t *testing.T) {
	for _, tc := range []struct{ n, cap, parts, last int }{{5, 2, 3, 1}, {300, 0, 1, 300}, {301, 0, 2, 1}, {50, 50, 1, 50}} {
		t.Run(fmt.Sprintf("%d by %d", tc.n, tc.cap), func(t *testing.T) {
			ns, err := Build(fullips(), "shopnet", confirmed(tc.n), Options{Cap: tc.cap, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			total := 0
			for i, n := range ns {
				total += len(n.Items)
				if n.Part != i+1 || n.Parts != tc.parts {
					t.Errorf("notice %d says part %d of %d", i, n.Part, n.Parts)
				}
			}
			if len(ns) != tc.parts || len(ns[len(ns)-1].Items) != tc.last || total != tc.n {
				t.Errorf("%d notices, last has %d, total %d", len(ns), len(ns[len(ns)-1].Items), total)
			}
		})
	}
}

func TestNotReady(t *testing.T) {
	noContact := fullips()
	noContact.Contact = nil
	dismissed := confirmed(1)
	dismissed[0].Status = casestore.Dismissed
	other := confirmed(1)
	other[0].Marketplace = "bazaarly"
	for _, tc := range []struct {
		name  string
		b     *brand.Brand
		cases []*casestore.Case
		want  string
	}{
		{"no contact", noContact, confirmed(1), "no contact"},
		{"not confirmed", fullips(), dismissed, "is dismissed, not confirmed"},
		{"other marketplace", fullips(), other, "is on bazaarly, not shopnet"},
		{"nothing", fullips(), nil, "no confirmed cases"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.b, "shopnet", tc.cases, Options{Now: now})
			if !errors.Is(err, ErrNotReady) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want ErrNotReady mentioning %q", err, tc.want)
			}
		})
	}
}
