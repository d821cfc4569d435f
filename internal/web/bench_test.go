package web

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/account"
	"github.com/assay-dev/assay/internal/casestore"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
	"github.com/assay-dev/assay/internal/score"
	"github.com/assay-dev/assay/internal/stream"
)

// BenchmarkPages times the pages an analyst opens most, over a database of
// 20,000 cases of 10 brands and 2,000 sellers (make bench-ui).
func BenchmarkPages(b *testing.B) {
	store, err := casestore.Open(context.Background(), filepath.Join(b.TempDir(), "cases.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	const n = 20_000
	for start := 0; start < n; start += 1000 {
		var cands []*stream.Candidate
		for i := start; i < start+1000; i++ {
			id := fmt.Sprintf("mp-%06d", i)
			cands = append(cands, &stream.Candidate{
				Verdict: score.Verdict{ListingID: id, Flagged: true, BrandID: fmt.Sprintf("brand-%d", i%10), Score: 0.7 + float64(i%30)/100,
					Signals: []score.Signal{{Kind: "text", Score: 0.75, Evidence: "title has 'Fuⅼⅼips'", Terms: []string{"Fuⅼⅼips"}}}},
				Listing: &listing.Listing{ID: id, Title: "Fuⅼⅼips lip plumper replica " + id, Marketplace: "shopnet", URL: "https://shopnet.example/" + id,
					Price: &price.Money{Amount: 3, Currency: "USD"}, Seller: listing.Seller{ID: fmt.Sprintf("s-%d", i%2000)}},
				ContentHash: "h" + id, ScoredAt: time.Now().Add(-time.Duration(i) * time.Minute),
				Images: []stream.ImageHash{{Ref: "https://img.example/" + id, Hash: fmt.Sprintf("p:%016x", i%5000)}},
			})
		}
		if _, err := store.Put(context.Background(), cands); err != nil {
			b.Fatal(err)
		}
	}
	for i := int64(1); i <= n; i += 3 {
		if err := store.Move(context.Background(), i, casestore.Confirmed, "ana", ""); err != nil {
			b.Fatal(err)
		}
	}
	accts := newAccounts(b)
	s, err := New(store, Options{Accounts: accts})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	client, _ := clientAs(b, accts, account.Analyst)
	for _, page := range []string{"/cases", "/cases?brand=brand-3&status=new&sort=age", "/cases/777", "/sellers/s-77", "/brands/brand-3", "/api/v1/cases?limit=100"} {
		b.Run(page, func(b *testing.B) {
			for b.Loop() {
				resp, err := client.Get(srv.URL + page)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", page, resp.StatusCode)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}
