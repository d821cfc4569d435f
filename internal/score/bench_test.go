package score

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
)

var syllables = []string{"ka", "lo", "mi", "ran", "tel", "vo", "zen", "qui", "dor", "fa", "shi", "bex", "nor", "tri", "lu", "pex", "sa", "gor", "vin", "ya"}

var productWords = []string{"wireless", "leather", "serum", "jacket", "sneakers", "watch", "handbag", "headphones", "lipstick", "sunglasses", "perfume", "wallet", "charger", "blender", "backpack"}

var fillerWords = strings.Fields(`new original fast shipping high quality best price gift for her him women men
	size colour black white red blue large small premium soft durable lightweight waterproof portable classic
	modern vintage style fashion daily use travel home office sport outdoor kids adult set pack pcs free returns`)

// benchRegistry makes n invented brands, each with one alias, two products
// and price floors, deterministically.
func benchRegistry(n int) *brand.Registry {
	r := rand.New(rand.NewPCG(1, 2))
	reg := &brand.Registry{}
	seen := map[string]bool{}
	for len(reg.Brands) < n {
		name := ""
		for range 2 + r.IntN(2) {
			name += syllables[r.IntN(len(syllables))]
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		title := strings.ToUpper(name[:1]) + name[1:]
		floor := &price.Money{Amount: float64(20 + r.IntN(200)), Currency: "USD"}
		reg.Brands = append(reg.Brands, brand.Brand{
			ID: fmt.Sprintf("b%04d", len(reg.Brands)), Name: title,
			Aliases:    []string{title + " Labs"},
			Products:   []brand.Product{{Name: title + " " + productWords[r.IntN(len(productWords))]}, {Name: title + " Pro"}},
			PriceFloor: floor, AuthorizedSellers: []string{name + "-official"},
		})
	}
	return reg
}

// benchListings makes listings of ~80-character titles and ~60-word
// descriptions; 30% name a brand, half of those disguised.
func benchListings(reg *brand.Registry, n int) []*listing.Listing {
	r := rand.New(rand.NewPCG(3, 4))
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = fillerWords[r.IntN(len(fillerWords))]
		}
		return strings.Join(w, " ")
	}
	out := make([]*listing.Listing, n)
	for i := range out {
		title := words(6) + " " + productWords[r.IntN(len(productWords))] + " " + words(5)
		if r.IntN(10) < 3 {
			name := reg.Brands[r.IntN(len(reg.Brands))].Name
			if r.IntN(2) == 0 {
				name = strings.Join(strings.Split(name, ""), " ")
			}
			title = name + " " + title
		}
		out[i] = &listing.Listing{
			ID: fmt.Sprintf("l%d", i), Title: title, Description: words(60),
			Price:  &price.Money{Amount: float64(1 + r.IntN(300)), Currency: "USD"},
			Seller: listing.Seller{ID: fmt.Sprintf("s%d", r.IntN(500))},
		}
	}
	return out
}

// BenchmarkScoreText measures text-only scoring (no images) of realistic
// listings against 1,000 brands; run with -cpu 1,2 for per-core and total.
func BenchmarkScoreText(b *testing.B) {
	reg := benchRegistry(1000)
	eng, err := New(reg, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ls := benchListings(reg, 5000)
	// Make sure the work measured is real: about 30% of listings name a brand.
	named := 0
	for _, l := range ls {
		if eng.Score(l, nil).BrandID != "" {
			named++
		}
	}
	if frac := float64(named) / float64(len(ls)); frac < 0.25 || frac > 0.4 {
		b.Fatalf("%.0f%% of benchmark listings matched a brand, want about 30%%", frac*100)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			_ = eng.Score(ls[i%len(ls)], nil)
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
}

// BenchmarkSecondHand looks for second-hand words in the fixture listings'
// titles and descriptions, as isSecondHand does for a low price.
func BenchmarkSecondHand(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "listings.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		l, err := listing.Decode(line)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, l.Title, l.Description)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		_ = secondHand(texts[i%len(texts)])
	}
}
