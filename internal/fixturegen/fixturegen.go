// Package fixturegen writes Assay's labelled evaluation fixtures: a brand
// registry (brands.yaml), marketplace listings (listings.jsonl), one label
// per listing (labels.jsonl) and the images they point to, built from real
// photographs in two Debian packages.
//
// Output is a pure function of the seed, the plan tables (plan.go), the
// content tables (brands.go, text.go) and the photos: running twice with
// the same inputs on the same platform gives byte-identical files. What is
// counterfeit, and why, is decided by the tables, not by any matcher; the
// package imports nothing from the matching code.
package fixturegen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/price"
)

// Config says where photos come from, where fixtures go and how many.
type Config struct {
	PhotosDir string // root of the dpkg -x extraction (see fixtures/fetch-photos.sh)
	OutDir    string // fixtures directory; images go to OutDir/images
	Seed      uint64
	// Scale is the percentage of the plan's counts to generate (1-100);
	// 0 means 100. Smaller values are for quick tests.
	Scale int
	// MaxSide bounds the longer side of every photo in pixels; 0 means 640.
	MaxSide int
}

// Label is one line of labels.jsonl.
type Label struct {
	ListingID      string        `json:"listing_id"`
	Counterfeit    bool          `json:"counterfeit"`
	BrandID        string        `json:"brand_id"`
	Tactics        []Tactic      `json:"tactics"`
	ImageTransform Transform     `json:"image_transform"`
	NegativeClass  NegativeClass `json:"negative_class"`
}

// Summary counts what Run wrote.
type Summary struct {
	Positives, Negatives int
	Tactics              map[Tactic]int        // listings carrying each tactic
	Primary              map[Tactic]int        // listings by primary tactic
	Transforms           map[Transform]int     // positives by image transform
	Classes              map[NegativeClass]int // negatives by class
	Images               int                   // image files written
	ImageBytes           int64
}

// Files written into OutDir.
const (
	BrandsFile   = "brands.yaml"
	ListingsFile = "listings.jsonl"
	LabelsFile   = "labels.jsonl"
	ImagesDir    = "images"
)

type record struct {
	l   listing.Listing
	lab Label
}

type generator struct {
	cfg        Config
	rng        *rand.Rand
	rates      price.Rates
	store      *imageStore
	posSellers []listing.Seller
	negSellers []listing.Seller
	stockKeys  []string
	recs       []record
	seen       map[string]bool
	tCycle     int            // next transform for a positive with a photo
	refCycle   map[string]int // next reference photo per brand
}

// Run generates the fixtures described by cfg.
func Run(cfg Config) (*Summary, error) {
	if cfg.OutDir == "" {
		return nil, errors.New("no output directory")
	}
	if cfg.Scale == 0 {
		cfg.Scale = 100
	}
	if cfg.Scale < 1 || cfg.Scale > 100 {
		return nil, fmt.Errorf("scale %d is outside 1-100", cfg.Scale)
	}
	if cfg.MaxSide == 0 {
		cfg.MaxSide = 640
	}
	g := &generator{
		cfg:      cfg,
		rng:      rand.New(rand.NewPCG(cfg.Seed, 0x5eed_a55a)),
		rates:    price.DefaultRates(),
		seen:     map[string]bool{},
		refCycle: map[string]int{},
	}
	store, err := newImageStore(cfg, brandSpecs)
	if err != nil {
		return nil, err
	}
	g.store = store
	g.stockKeys = store.stockKeys
	g.makeSellers()

	if err := g.positives(); err != nil {
		return nil, err
	}
	if err := g.negatives(); err != nil {
		return nil, err
	}
	g.rng.Shuffle(len(g.recs), func(i, j int) { g.recs[i], g.recs[j] = g.recs[j], g.recs[i] })
	for i := range g.recs {
		r := &g.recs[i]
		num := fmt.Sprintf("%06d", i+1)
		r.l.ID = "mp-" + num
		r.l.URL = fmt.Sprintf("https://%s.example/item/%s", r.l.Marketplace, num)
		r.lab.ListingID = r.l.ID
	}
	if err := g.write(); err != nil {
		return nil, err
	}
	return g.summary(), nil
}

func (g *generator) scaled(n int) int {
	return max(1, (n*g.cfg.Scale+99)/100)
}

// ---- positives ----

func (g *generator) positives() error {
	for ti, row := range positivePlan {
		var brands []*brandSpec
		for i := range brandSpecs {
			if eligible(row.Tactic, &brandSpecs[i]) {
				brands = append(brands, &brandSpecs[i])
			}
		}
		for k := 0; k < g.scaled(row.N); k++ {
			b := brands[(k+ti)%len(brands)]
			if err := g.positive(row.Tactic, b, cueSets(row.Tactic, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

func hasCue(cs []cue, c cue) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

func (g *generator) positive(t Tactic, b *brandSpec, cues []cue) error {
	coded, low, withImage := hasCue(cues, cueCoded), hasCue(cues, cueLow), hasCue(cues, cueImage)
	mp := g.marketplace()
	rec := record{
		l: listing.Listing{
			Marketplace: mp.Name,
			Seller:      g.posSellers[g.skewed(len(g.posSellers))],
			ObservedAt:  g.observedAt(),
		},
		lab: Label{Counterfeit: true, BrandID: b.ID, Tactics: []Tactic{t}},
	}
	if coded && t != CodedLanguage {
		rec.lab.Tactics = append(rec.lab.Tactics, CodedLanguage)
	}
	if low && t != LowPrice {
		rec.lab.Tactics = append(rec.lab.Tactics, LowPrice)
	}

	if withImage {
		n := g.refCycle[b.ID]
		g.refCycle[b.ID]++
		tr := Transforms[g.tCycle%len(Transforms)]
		g.tCycle++
		p, err := g.store.transformed(b, n%len(b.RefPhotos), tr)
		if err != nil {
			return err
		}
		rec.l.Images = []string{p}
		rec.lab.ImageTransform = tr
		if g.rng.IntN(7) == 0 {
			if err := g.addStock(&rec.l, nil); err != nil {
				return err
			}
		}
	} else if g.rng.IntN(5) < 2 {
		if err := g.addStock(&rec.l, nil); err != nil {
			return err
		}
	}
	var line string
	if t == ProductName {
		var lines []string
		for _, l := range b.Lines {
			if l != "" {
				lines = append(lines, l)
			}
		}
		line = lines[g.rng.IntN(len(lines))]
	}
	// titleName and descName return the brand as this listing writes it in
	// the title and in the description; "" means the text does not name it.
	titleName := func() string {
		switch {
		case nameTactics[t]:
			return Obfuscate(t, b.Name, g.rng)
		case t == Alias:
			return b.TacticAlias
		case t == ProductName:
			return line
		case t == DescOnly, t == ImageOnly:
			return ""
		}
		if g.rng.IntN(5) == 0 {
			return strings.ToUpper(b.Name)
		}
		return b.Name
	}
	descName := func() string {
		switch {
		case nameTactics[t]:
			if g.rng.IntN(2) == 0 {
				return Obfuscate(t, b.Name, g.rng)
			}
			return ""
		case t == DescOnly:
			return b.Name
		}
		return titleName()
	}

	for attempt := 0; ; attempt++ {
		if attempt == 50 {
			return fmt.Errorf("cannot write a unique %s listing for %s", t, b.ID)
		}
		vars := map[string]string{"N": titleName(), "X": pick(g.rng, b.Nouns), "E": pick(g.rng, cfExtras)}
		if t == ProductName {
			vars["X"] = "" // the product line already says what it is
		}
		if coded && g.rng.IntN(2) == 0 {
			vars["T"] = pick(g.rng, cfCodedTags)
		}
		titles := cfTitles
		if vars["N"] == "" {
			titles = cfGenericTitles
		}
		title := expand(pick(g.rng, titles), vars, g.rng)

		dvars := map[string]string{"N": descName(), "X": vars["X"]}
		var sents []string
		if dvars["N"] != "" {
			sents = append(sents, expand(pick(g.rng, cfAbout), dvars, g.rng))
		} else {
			sents = append(sents, expand(pick(g.rng, withoutPhotoTalk(cfAboutGeneric, len(rec.l.Images) > 0)), dvars, g.rng))
		}
		var rest []string
		if coded {
			var pool []string
			for _, s := range cfCoded {
				if dvars["N"] != "" || !strings.Contains(s, "{$N}") {
					pool = append(pool, s)
				}
			}
			rest = append(rest, expand(pick(g.rng, pool), dvars, g.rng))
		}
		if low && g.rng.IntN(2) == 0 {
			rest = append(rest, expand(pick(g.rng, cfLow), nil, g.rng))
		}
		desc := g.fillDescription(sents, rest, withoutPhotoTalk(cfNeutral, len(rec.l.Images) > 0), nil)
		if key := title + "\x00" + desc; !g.seen[key] {
			g.seen[key] = true
			rec.l.Title, rec.l.Description = title, desc
			break
		}
	}

	var usd float64
	if low {
		usd = g.minFloorUSD(b) * (0.12 + 0.20*g.rng.Float64())
	} else {
		usd = g.maxFloorUSD(b) * (0.58 + 0.37*g.rng.Float64())
	}
	rec.l.Price = &price.Money{Amount: g.niceDown(usd / g.rates[mp.Currency]), Currency: mp.Currency}

	g.recs = append(g.recs, rec)
	return nil
}

// withoutPhotoTalk drops sentences about the pictures from pool when the
// listing has none.
func withoutPhotoTalk(pool []string, hasImage bool) []string {
	if hasImage {
		return pool
	}
	var out []string
	for _, s := range pool {
		if !strings.Contains(s, "photo") && !strings.Contains(s, "icture") {
			out = append(out, s)
		}
	}
	return out
}

// fillDescription joins the leading sentences, the shuffled rest and
// filler sentences from pool until the text has 20 to 80 words.
func (g *generator) fillDescription(lead, rest, pool []string, vars map[string]string) string {
	g.rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	sents := append(append([]string(nil), lead...), rest...)
	used := map[int]bool{}
	for wc := wordCount(strings.Join(sents, " ")); wc < 20 || (wc < 50 && g.rng.IntN(3) == 0); wc = wordCount(strings.Join(sents, " ")) {
		if len(used) == len(pool) {
			break
		}
		i := g.rng.IntN(len(pool))
		if used[i] {
			continue
		}
		used[i] = true
		s := expand(pool[i], vars, g.rng)
		if wordCount(strings.Join(sents, " "))+wordCount(s) > 80 {
			break
		}
		sents = append(sents, s)
	}
	return strings.Join(sents, " ")
}

// ---- shared helpers ----

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// skewed returns an index in [0, n) biased towards small values, so a few
// sellers account for many listings.
func (g *generator) skewed(n int) int { return g.rng.IntN(g.rng.IntN(n) + 1) }

func (g *generator) marketplace() (m struct {
	Name, Currency string
	Weight         int
}) {
	total := 0
	for _, m := range marketplaces {
		total += m.Weight
	}
	r := g.rng.IntN(total)
	for _, m := range marketplaces {
		if r < m.Weight {
			return m
		}
		r -= m.Weight
	}
	return marketplaces[0]
}

var observedBase = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func (g *generator) observedAt() time.Time {
	return observedBase.Add(time.Duration(g.rng.IntN(30*24*60)) * time.Minute)
}

func (g *generator) toUSD(m *price.Money) float64 { return m.Amount * g.rates[m.Currency] }

func (g *generator) floorsUSD(b *brandSpec) []float64 {
	fs := []float64{g.toUSD(b.PriceFloor)}
	for _, p := range b.Products {
		if p.PriceFloor != nil {
			fs = append(fs, g.toUSD(p.PriceFloor))
		}
	}
	return fs
}

func (g *generator) minFloorUSD(b *brandSpec) float64 {
	m := math.Inf(1)
	for _, f := range g.floorsUSD(b) {
		m = math.Min(m, f)
	}
	return m
}

func (g *generator) maxFloorUSD(b *brandSpec) float64 {
	m := 0.0
	for _, f := range g.floorsUSD(b) {
		m = math.Max(m, f)
	}
	return m
}

// niceDown rounds v down to a shop-like price (x.99, x.50 or x.00).
func (g *generator) niceDown(v float64) float64 {
	if v < 2 {
		return math.Max(0.5, math.Floor(v*10)/10)
	}
	f := math.Floor(v)
	var c []float64
	for _, x := range []float64{f + 0.5, f, f - 0.01} {
		if x <= v && x > 0 {
			c = append(c, x)
		}
	}
	return math.Round(c[g.rng.IntN(len(c))]*100) / 100
}

// niceUp rounds v up to a shop-like price.
func (g *generator) niceUp(v float64) float64 {
	c := math.Ceil(v)
	return math.Round((c+[]float64{0, 0.5, 0.99}[g.rng.IntN(3)])*100) / 100
}

func (g *generator) addStock(l *listing.Listing, prefer []string) error {
	key := ""
	// A preferred photo that is some brand's reference would make an
	// innocent listing carry an official photo: keep to stock photos.
	prefer = slices.DeleteFunc(slices.Clone(prefer), func(k string) bool { return !slices.Contains(g.stockKeys, k) })
	if len(prefer) > 0 && g.rng.IntN(4) != 0 {
		key = pick(g.rng, prefer)
	} else {
		key = pick(g.rng, g.stockKeys)
	}
	p, err := g.store.stock(key)
	if err != nil {
		return err
	}
	l.Images = append(l.Images, p)
	return nil
}

func (g *generator) makeSellers() {
	var pos, neg []listing.Seller
	for i := 0; i < 36; i++ {
		name := fmt.Sprintf("%s %s %d", pick(g.rng, shopPrefixes), pick(g.rng, shopNouns), 8+g.rng.IntN(2020))
		if i%3 == 0 {
			name = strings.ReplaceAll(name, " ", "")
		}
		pos = append(pos, listing.Seller{Name: name})
	}
	for i := 0; i < 150; i++ {
		var name string
		switch i % 4 {
		case 0, 1:
			name = pick(g.rng, personNames) + pick(g.rng, personTails)
		case 2:
			name = pick(g.rng, businesses) + " " + pick(g.rng, businessKind)
		default:
			name = fmt.Sprintf("%s %s %d", pick(g.rng, shopPrefixes), pick(g.rng, shopNouns), 8+g.rng.IntN(2020))
		}
		neg = append(neg, listing.Seller{Name: name})
	}
	ids := g.rng.Perm(9000)
	for i := range pos {
		pos[i].ID = fmt.Sprintf("s-%d", 1000+ids[i])
	}
	for i := range neg {
		neg[i].ID = fmt.Sprintf("s-%d", 1000+ids[len(pos)+i])
	}
	g.posSellers, g.negSellers = pos, neg
}

// ---- output ----

func (g *generator) write() error {
	reg, err := registryYAML(brandSpecs)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(g.cfg.OutDir, BrandsFile), reg, 0o644); err != nil {
		return err
	}
	var lb, lab bytes.Buffer
	le, labe := json.NewEncoder(&lb), json.NewEncoder(&lab)
	le.SetEscapeHTML(false)
	labe.SetEscapeHTML(false)
	for _, r := range g.recs {
		if err := le.Encode(r.l); err != nil {
			return fmt.Errorf("encode listing %s: %w", r.l.ID, err)
		}
		if err := labe.Encode(r.lab); err != nil {
			return fmt.Errorf("encode label %s: %w", r.l.ID, err)
		}
	}
	if err := os.WriteFile(filepath.Join(g.cfg.OutDir, ListingsFile), lb.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(g.cfg.OutDir, LabelsFile), lab.Bytes(), 0o644)
}

func (g *generator) summary() *Summary {
	s := &Summary{
		Tactics: map[Tactic]int{}, Primary: map[Tactic]int{},
		Transforms: map[Transform]int{}, Classes: map[NegativeClass]int{},
		Images: g.store.files, ImageBytes: g.store.bytes,
	}
	for _, r := range g.recs {
		if !r.lab.Counterfeit {
			s.Negatives++
			s.Classes[r.lab.NegativeClass]++
			continue
		}
		s.Positives++
		s.Primary[r.lab.Tactics[0]]++
		for _, t := range r.lab.Tactics {
			s.Tactics[t]++
		}
		if r.lab.ImageTransform != "" {
			s.Transforms[r.lab.ImageTransform]++
		}
	}
	return s
}

// String renders the summary as an aligned report.
func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "listings %d (counterfeit %d, not %d), image files %d (%.1f MB)\n",
		s.Positives+s.Negatives, s.Positives, s.Negatives, s.Images, float64(s.ImageBytes)/1e6)
	b.WriteString("tactic            listings  primary\n")
	for _, row := range positivePlan {
		fmt.Fprintf(&b, "  %-16s %8d %8d\n", row.Tactic, s.Tactics[row.Tactic], s.Primary[row.Tactic])
	}
	b.WriteString("image transform (counterfeit listings)\n")
	for _, t := range Transforms {
		fmt.Fprintf(&b, "  %-16s %8d\n", t, s.Transforms[t])
	}
	b.WriteString("negative class\n")
	for _, row := range negativePlan {
		fmt.Fprintf(&b, "  %-22s %4d\n", row.Class, s.Classes[row.Class])
	}
	return b.String()
}

// ---- images ----

// imageStore writes each image file once and hands out its path relative
// to the fixtures directory. File names are opaque (img-NNNN.jpg) so that a
// matcher cannot read a label from them.
type imageStore struct {
	dir       string
	seed      uint64
	photos    map[string]*image.RGBA
	stockKeys []string
	paths     map[string]string
	refBytes  map[string][]byte
	files     int
	bytes     int64
}

func newImageStore(cfg Config, specs []brandSpec) (*imageStore, error) {
	s := &imageStore{
		dir: filepath.Join(cfg.OutDir, ImagesDir), seed: cfg.Seed,
		photos: map[string]*image.RGBA{}, paths: map[string]string{}, refBytes: map[string][]byte{},
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return nil, err
	}
	// Remove files of an earlier run so that none is left unreferenced.
	old, _ := filepath.Glob(filepath.Join(s.dir, "*.jpg"))
	for _, f := range old {
		if base := filepath.Base(f); strings.HasPrefix(base, "img-") || strings.HasPrefix(base, "ref-") {
			if err := os.Remove(f); err != nil {
				return nil, err
			}
		}
	}
	isRef := map[string]bool{}
	for _, b := range specs {
		for _, k := range b.RefPhotos {
			if isRef[k] {
				return nil, fmt.Errorf("photo %s is the reference of two brands", k)
			}
			isRef[k] = true
		}
	}
	for _, p := range Photos {
		img, err := loadPhoto(cfg.PhotosDir, p, cfg.MaxSide)
		if err != nil {
			return nil, err
		}
		s.photos[p.Key] = img
		if !isRef[p.Key] {
			s.stockKeys = append(s.stockKeys, p.Key)
		}
	}
	sort.Strings(s.stockKeys)
	for _, b := range specs {
		for i, k := range b.RefPhotos {
			if s.photos[k] == nil {
				return nil, fmt.Errorf("brand %s: unknown photo %s", b.ID, k)
			}
			data, err := encodeJPEG(s.photos[k], defaultQuality)
			if err != nil {
				return nil, err
			}
			if err := s.writeFile(refPath(b.ID, i+1), data); err != nil {
				return nil, err
			}
			s.refBytes[refPath(b.ID, i+1)] = data
		}
	}
	return s, nil
}

func (s *imageStore) writeFile(rel string, data []byte) error {
	if err := os.WriteFile(filepath.Join(s.dir, filepath.Base(rel)), data, 0o644); err != nil {
		return err
	}
	s.files++
	s.bytes += int64(len(data))
	return nil
}

func (s *imageStore) newPath(key string, data []byte) (string, error) {
	rel := fmt.Sprintf("%s/img-%04d.jpg", ImagesDir, len(s.paths)+1)
	if err := s.writeFile(rel, data); err != nil {
		return "", err
	}
	s.paths[key] = rel
	return rel, nil
}

// stock returns the path of an unedited stock photo.
func (s *imageStore) stock(key string) (string, error) {
	if p, ok := s.paths["stock:"+key]; ok {
		return p, nil
	}
	data, err := encodeJPEG(s.photos[key], defaultQuality)
	if err != nil {
		return "", err
	}
	return s.newPath("stock:"+key, data)
}

// transformed returns the path of brand b's n-th reference photo after t.
// Each (photo, transform) pair is one file, shared by every listing using
// it, as re-posted photos are in the field.
func (s *imageStore) transformed(b *brandSpec, n int, t Transform) (string, error) {
	key := fmt.Sprintf("%s:%s-%d", t, b.ID, n+1)
	if p, ok := s.paths[key]; ok {
		return p, nil
	}
	if t == Exact {
		return s.newPath(key, s.refBytes[refPath(b.ID, n+1)])
	}
	// Start from the published reference JPEG, as a counterfeiter would.
	ref, err := jpeg.Decode(bytes.NewReader(s.refBytes[refPath(b.ID, n+1)]))
	if err != nil {
		return "", fmt.Errorf("decode reference %s: %w", refPath(b.ID, n+1), err)
	}
	src := image.NewRGBA(ref.Bounds())
	draw.Draw(src, src.Bounds(), ref, ref.Bounds().Min, draw.Src)
	h := fnv.New64a()
	h.Write([]byte(key))
	rng := rand.New(rand.NewPCG(s.seed, h.Sum64()))
	img, q := ApplyTransform(t, src, rng)
	data, err := encodeJPEG(img, q)
	if err != nil {
		return "", err
	}
	return s.newPath(key, data)
}
