package textmatch

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/assay-dev/assay/internal/brand"
)

var realBrands = []struct{ name, product1, product2 string }{
	{"Rolex", "Submariner", "Datejust 41"}, {"Chanel", "Classic Flap", "Boy Bag"}, {"Prada", "Re-Edition 2005", "Galleria"},
	{"Adidas", "Ultraboost", "Samba OG"}, {"Puma", "Suede Classic", "Speedcat"}, {"Samsung", "Galaxy S24", "Galaxy Buds"},
	{"Sony", "WH-1000XM5", "PlayStation 5"}, {"Bose", "QuietComfort", "SoundLink Flex"}, {"Canon", "EOS R6", "PowerShot"},
	{"Lego", "Millennium Falcon", "Technic"}, {"Oakley", "Holbrook", "Radar EV"}, {"Pandora", "Moments Bracelet", "Charm"},
	{"Hermes", "Birkin", "Kelly"}, {"Burberry", "Trench Coat", "Check Scarf"}, {"Versace", "Eros", "Medusa"},
	{"Balenciaga", "Triple S", "Le Cagole"}, {"Moncler", "Maya", "Grenoble"},
}

var listingWords = strings.Fields(`new used genuine authentic women men unisex kids black white red blue green pink
grey brown beige large small medium mini size fit slim classic vintage retro modern luxury designer style fashion
leather canvas cotton wool silk denim suede nylon stainless steel gold silver plated crossbody shoulder tote
backpack wallet purse belt scarf hat cap jacket coat hoodie sweater shirt dress skirt jeans shorts boots sneakers
shoes sandals trainers watch bracelet necklace earrings ring sunglasses glasses phone case charger cable headphones
earbuds speaker camera lens vacuum filter dryer brush bottle mug kitchen home garden toy gift box free shipping fast
quality premium original sale discount bundle lot pair set pack edition limited rare collectible warranty tested
working condition excellent good fair minor wear scratches boxed tags attached clean smoke pet free`)

var descWords = strings.Fields(`this item is in great condition and comes from a smoke free home please see photos
for details the colour may vary slightly due to lighting measurements are approximate we ship within one business
day all sales final returns accepted within thirty days contact me with any questions thanks for looking check out
my other listings bundle and save perfect gift for birthday or holiday soft comfortable durable lightweight easy to
clean adjustable strap zip closure inner pocket fits most`)

// benchRegistry builds 1,000 brands: the 13 test brands, 17 more real
// ones and 970 invented names, deterministically.
func benchRegistry(t testing.TB) []brand.Brand {
	bs := loadBrands(t)
	for _, r := range realBrands {
		bs = append(bs, brand.Brand{ID: strings.ToLower(r.name), Name: r.name,
			Products: []brand.Product{{Name: r.product1}, {Name: r.product2}}, Keywords: []string{"bag", "watch"}})
	}
	words, err := loadWords()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	onsets := []string{"b", "br", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "st", "t", "v", "z", "th", "ch", "tr"}
	vowels := []string{"a", "e", "i", "o", "u", "ia", "ou", "ae"}
	codas := []string{"", "n", "r", "l", "s", "x", "nd", "rk", "m"}
	syl := func() string {
		return onsets[rng.IntN(len(onsets))] + vowels[rng.IntN(len(vowels))] + codas[rng.IntN(len(codas))]
	}
	seen := make(map[string]bool)
	for _, b := range bs {
		seen[strings.ToLower(b.Name)] = true
	}
	for len(bs) < 1000 {
		name := syl() + syl()
		if rng.IntN(3) == 0 {
			name += syl()
		}
		if _, ok := words[name]; ok || seen[name] || len(name) < 4 {
			continue
		}
		seen[name] = true
		disp := strings.ToUpper(name[:1]) + name[1:]
		if rng.IntN(8) == 0 { // some two-word names
			disp += " " + strings.ToUpper(listingWords[rng.IntN(len(listingWords))][:1]) + syl()
		}
		bs = append(bs, brand.Brand{
			ID:   name,
			Name: disp,
			Products: []brand.Product{
				{Name: disp + " " + capitalize(listingWords[rng.IntN(len(listingWords))])},
				{Name: capitalize(syl()+syl()) + " " + fmt.Sprint(rng.IntN(900)+100)},
			},
			Keywords: []string{listingWords[rng.IntN(len(listingWords))]},
		})
	}
	return bs
}

type listing struct{ title, desc string }

// benchListings makes n listings, 30% naming a brand, half of those with an
// evasion.
func benchListings(bs []brand.Brand, n int) []listing {
	rng := rand.New(rand.NewPCG(3, 4))
	evade := []func(string) string{
		func(s string) string { return strings.ReplaceAll(s, "o", "0") },
		func(s string) string { return strings.Join(strings.Split(s, ""), " ") },
		func(s string) string { return strings.ReplaceAll(s, "a", "а") }, // Cyrillic
		func(s string) string { return s[:len(s)/2] + "\u200b" + s[len(s)/2:] },
		func(s string) string { return s[:2] + s[1:] }, // doubled letter
		strings.ToUpper,
	}
	out := make([]listing, n)
	for i := range out {
		var title []string
		if rng.IntN(10) < 3 {
			b := bs[rng.IntN(len(bs))]
			name := b.Name
			if rng.IntN(2) == 0 {
				name = evade[rng.IntN(len(evade))](name)
			}
			title = append(title, name)
		}
		for l := 0; l < 80; {
			w := listingWords[rng.IntN(len(listingWords))]
			title = append(title, w)
			l += len(w) + 1
		}
		rng.Shuffle(len(title)-1, func(a, b int) { title[a+1], title[b+1] = title[b+1], title[a+1] })
		var desc []string
		for range 60 {
			desc = append(desc, descWords[rng.IntN(len(descWords))])
		}
		out[i] = listing{strings.Join(title, " "), strings.Join(desc, " ")}
	}
	return out
}

// BenchmarkFind1000Brands measures Find plus CodedLanguage per listing.
// Besides wall-clock listings/s it reports listings per CPU-second of the
// whole process (GC and bleve's goroutines included), which holds steady
// when other work shares the machine.
func BenchmarkFind1000Brands(b *testing.B) {
	benchListing(b, func(ix *Index, l listing) {
		ix.Find(l.title, l.desc)
		CodedLanguage(l.title, l.desc)
	})
}

// BenchmarkFindWithCoded1000Brands is the same work through FindWithCoded.
func BenchmarkFindWithCoded1000Brands(b *testing.B) {
	benchListing(b, func(ix *Index, l listing) { ix.FindWithCoded(l.title, l.desc, true) })
}

// BenchmarkFindWithCodedFixtures is the matcher's share of textmatch per
// listing: FindWithCoded without coded language unless a brand is named,
// over the fixture listings (most name a brand, one field in eight has an
// evasion outside ASCII) with the test registry.
func BenchmarkFindWithCodedFixtures(b *testing.B) {
	ix := newTestIndex(b)
	ls := fixtureListings(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l := ls[i%len(ls)]
		ix.FindWithCoded(l.title, l.desc, false)
	}
}

func benchListing(b *testing.B, f func(*Index, listing)) {
	ix, err := NewIndex(benchRegistry(b))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ls := benchListings(ix.brandsAsGiven(), 5000)
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	for i := 0; b.Loop(); i++ {
		f(ix, ls[i%len(ls)])
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "listings/s")
	b.ReportMetric(float64(b.N)/(cpuSeconds()-cpu0), "listings/cpu-s")
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// benchIndex indexes benchRegistry for a test, which it skips in -short
// mode; the index is closed when the test ends.
func benchIndex(t *testing.T) (*Index, []brand.Brand) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a 1,000-brand index")
	}
	bs := benchRegistry(t)
	ix, err := NewIndex(bs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix, bs
}

// TestBenchCorpus checks the benchmark's listings the way the research did:
// a brand-naming listing must report its brand, an unbranded one nothing.
func TestBenchCorpus(t *testing.T) {
	ix, bs := benchIndex(t)
	ls := benchListings(bs, 3000)
	var branded, hit, unbranded, falsePos int
	for _, l := range ls {
		ms := ix.Find(l.title, l.desc)
		isBranded := !startsWithListingWord(l.title)
		if isBranded {
			branded++
			for _, m := range ms {
				if m.Start == 0 && m.Field == "title" {
					hit++
					break
				}
			}
		} else {
			unbranded++
			if len(ms) > 0 {
				falsePos++
				t.Logf("false mention in %q: %s", l.title, ms[0].Evidence())
			}
		}
	}
	t.Logf("branded %d, found at title start %d (%.3f); unbranded %d, with mentions %d", branded, hit, float64(hit)/float64(branded), unbranded, falsePos)
	if float64(hit) < 0.95*float64(branded) || falsePos > 0 {
		t.Errorf("recall %.3f, false mentions %d", float64(hit)/float64(branded), falsePos)
	}
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func startsWithListingWord(title string) bool {
	first, _, _ := strings.Cut(title, " ")
	for _, w := range listingWords {
		if w == first {
			return true
		}
	}
	return false
}

// brandsAsGiven rebuilds brand.Brand values with the names indexed, for the
// corpus generator.
func (ix *Index) brandsAsGiven() []brand.Brand {
	out := make([]brand.Brand, len(ix.brands))
	for i, b := range ix.brands {
		out[i] = brand.Brand{ID: b.id, Name: b.name}
	}
	return out
}
