package textmatch

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/whitespace"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/registry"
	"golang.org/x/text/unicode/norm"

	"github.com/assay-dev/assay/internal/brand"
)

// Names under which the folding is known to bleve.
const (
	foldCharFilter  = "assay_textmatch_fold"
	skelTokenFilter = "assay_textmatch_skeleton"
	foldedAnalyzer  = "assay_textmatch_folded"
	pairAnalyzer    = "assay_textmatch_pairs"
	pairTokenFilter = "assay_textmatch_pair"
	fieldFolded     = "folded" // term's words, visual skeleton
	fieldJoined     = "joined" // term's words run together, skeleton
	fieldPairs      = "pairs"  // term's adjacent words in twos, skeleton
	minFuzzyLetters = 5        // shorter names get no fuzzy matching
	// minWordFuzzyLetters bounds one word of a multi-word name that may
	// carry one edit when the others match exactly.
	minWordFuzzyLetters = 4
	maxCandidateTerms   = 500
)

//go:embed words.txt.gz
var wordsGz []byte

// registerOnce guards bleve's registry: it is a package-level map in bleve
// with no lock, and a custom analyzer can only name char and token filter
// types found there. Registration is therefore global whatever we do; the
// Once makes it happen once, race-free, on the first NewIndex rather than in
// an init() every importer pays for. The constructors are pure functions, so
// sharing them between indexes is harmless.
var registerOnce sync.Once

func registerAnalysis() error {
	var err error
	registerOnce.Do(func() {
		err = errors.Join(
			registry.RegisterCharFilter(foldCharFilter, func(map[string]interface{}, *registry.Cache) (analysis.CharFilter, error) {
				return foldFilter{}, nil
			}),
			registry.RegisterTokenFilter(skelTokenFilter, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
				return skelFilter{}, nil
			}),
		)
	})
	return err
}

// foldFilter is layers 1 and 2 of Fold as a bleve char filter: it emits
// the folded words separated by spaces for the whitespace tokenizer.
type foldFilter struct{}

func (foldFilter) Filter(in []byte) []byte {
	toks := analyze(string(in), nil)
	var out []byte
	for i, t := range toks {
		if i > 0 {
			out = append(out, ' ')
		}
		out = append(out, t.plain...)
	}
	return out
}

// skelFilter is layer 3 of Fold as a bleve token filter.
type skelFilter struct{}

func (skelFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = skeleton(nil, t.Term)
	}
	return in
}

// term is one registered brand term, folded.
type term struct {
	brand int    // index into Index.brands
	text  string // as written in the registry
	kind  string // "name", "alias", "product"
	// src is the text indexed in bleve: text, or for a residual the
	// product name's words without the brand's.
	src string
	// residual marks a product name minus the brand's words ("AeroBeat
	// X2" of "Kaltrix AeroBeat X2"): counterfeiters drop the brand and
	// keep the distinctive part.
	residual bool
	plains   []string
	keys     []string
	joined   string // skeleton of the words run together
	// anchor brings the term up as a candidate: its most telling key, or
	// for several words its most telling adjacent pair of keys ("max 90"),
	// so a common word of a product name ("classic") alone does not.
	anchor string
	fuzzy  bool // eligible for one-edit matching
	common bool // every word is an ordinary English word
	// fuzzyWords has bit j set when word j of a multi-word term may carry
	// one edit while the others match exactly ("Mison Verel"): four or
	// more letters, no digits.
	fuzzyWords uint64
	// own holds the non-ASCII letters of the registered text, lowercase
	// and composed ("ø" of "Nørdvik"): written as registered they are no
	// evasion.
	own string

	// What verify and gradePlain compare a listing's spelling with, worked
	// out once here rather than per match.
	word      string // plains run together
	wordDigit bool   // word has a digit: a run-together form must match it exactly
	leetN     int    // countLeet(word)
	leet      string // leetOnly(word)
	leetVV    string // leet with vv read as w
	leetColl  string // collapse(leet)
	// keyPrint of keys[0], keys[1] (if any) and joined, for verify.
	print0, print1, printJoined uint32
}

type brandInfo struct {
	id, name string
	// context holds keys of words that show the brand is meant: keywords,
	// words of product names and aliases, minus the name's own words.
	context map[string]struct{}
}

// Index finds brand mentions in listing text. It is safe for concurrent use.
type Index struct {
	bleve  bleve.Index
	brands []brandInfo
	terms  []term
	// words holds the ordinary English words, lowercase, each with
	// what the vocabulary knows about its key (its skeleton) and
	// vSplitStart: a listing word that is one costs Find one lookup.
	words wordTable

	// Vocabulary prefilters in front of bleve: a listing key that is in
	// none of these cannot bring up a candidate. vocab flags each key
	// once (anchor, joined key, word of a multi-word term, first or
	// second key of an anchor pair), so a listing token costs one lookup.
	vocab map[string]vocabFlag
	// Postings: the terms bleve's index holds under each candidate key,
	// read out of its dictionaries once by NewIndex (see postingsFromBleve),
	// per field: folded (anchors), joined (joined keys), pairs (anchor
	// pairs). pairs is also the anchor-pair prefilter.
	foldedPost map[string]posting
	joinedPost map[string]posting
	pairs      map[string]posting
	// joinPrefixes holds every prefix of every joined key: a word that is
	// not one cannot start a split-up term, so no joining is tried.
	joinPrefixes map[string]struct{}
	joinMin      int
	joinMax      int
	// deletes maps each one-letter deletion of a fuzzy-eligible key to
	// that key (SymSpell style).
	deletes map[string][]string
	// wordDeletes does the same for the fuzzy-eligible words of
	// multi-word terms.
	wordDeletes map[string][]string
	// wordNear holds, for each fuzzy word of a multi-word term (vFuzzyWord),
	// the fuzzy words it is one edit from, as Find would collect them from
	// wordDeletes: the words that have it as a deletion, then those
	// sharing a deletion with it.
	wordNear map[string][]string
	// Filters in front of the joined keys, deletes and wordDeletes: most
	// keys a listing makes up (words joined, letters deleted) are in none,
	// and a filter says so for a few byte loads, not a map lookup.
	joinFilter, delFilter, wordDelFilter keyFilter
	// vocabFilter and prefixFilter do the same for vocab and
	// joinPrefixes, which every listing word that is not an English word
	// is looked up in.
	vocabFilter, prefixFilter keyFilter
	// wordBytes marks the bytes that occur in the English word list: a
	// token starting or ending with another (a number, a size) is no word.
	wordBytes [256 / 64]uint64
}

// posting is the terms indexed under one key, with the key itself: a
// candidate names the index's copy of its key rather than allocating one.
type posting struct {
	key string
	ids []int32
}

// vocabFlag says what the index vocabulary knows about one key.
type vocabFlag uint16

const (
	vAnchor     vocabFlag = 1 << iota // a single-word term's key
	vJoin                             // some term's joined key
	vMultiWord                        // a word of a multi-word term that allows an edit: a misspelt word must sit next to one
	vPairFirst                        // the first key of some anchor pair
	vPairSecond                       // the second key of some anchor pair
	// vSplitStart, in words only: the key without its last letter is in
	// joinPrefixes, so the word may start a split-up term.
	vSplitStart
	// vWord, in Find only: the token is an English word.
	vWord
	vFuzzyWord // a word of a multi-word term that may carry one edit (see wordNear)
	// vKeyPrefix, in words and Find only: the whole key is in joinPrefixes
	// or a joined key, as a word must be to start a split-up term when the
	// joined key begins with the word's key (see joinStartsWithKey).
	vKeyPrefix
)

// NewIndex indexes every brand's name, aliases and product names in an
// in-memory scorch bleve index with the evasion-folding analyzer.
func NewIndex(brands []brand.Brand) (*Index, error) {
	if err := registerAnalysis(); err != nil {
		return nil, fmt.Errorf("register bleve analysis: %w", err)
	}
	words, err := loadWords()
	if err != nil {
		return nil, err
	}
	ix := &Index{
		words:        newWordTable(words),
		vocab:        make(map[string]vocabFlag),
		foldedPost:   make(map[string]posting),
		joinedPost:   make(map[string]posting),
		pairs:        make(map[string]posting),
		joinPrefixes: make(map[string]struct{}),
		deletes:      make(map[string][]string),
		wordDeletes:  make(map[string][]string),
		wordNear:     make(map[string][]string),
		joinMin:      1 << 30,
	}
	for bi, b := range brands {
		ix.brands = append(ix.brands, brandInfo{id: b.ID, name: b.Name})
		seen := make(map[string]bool)
		addTerm := func(t term, ok bool) {
			if !ok || seen[strings.Join(t.keys, " ")] {
				return
			}
			seen[strings.Join(t.keys, " ")] = true
			ix.terms = append(ix.terms, t)
		}
		add := func(text, kind string) { addTerm(ix.newTerm(bi, text, kind, analyze(text, nil))) }
		add(b.Name, "name")
		for _, a := range b.Aliases {
			add(a, "alias")
		}
		for _, p := range b.Products {
			add(p.Name, "product")
		}
		// Residuals last, so a product registered without the brand's
		// words keeps its own, plain term.
		for _, p := range b.Products {
			addTerm(ix.residualTerm(bi, b, p.Name))
		}
		ix.brands[bi].context = ix.brandContext(b)
	}
	for _, t := range ix.terms {
		if len(t.keys) == 1 {
			ix.vocab[t.anchor] |= vAnchor
			ix.foldedPost[t.anchor] = posting{}
		} else {
			ix.pairs[t.anchor] = posting{}
			first, second, _ := strings.Cut(t.anchor, " ")
			ix.vocab[first] |= vPairFirst
			ix.vocab[second] |= vPairSecond
		}
		ix.vocab[t.joined] |= vJoin
		ix.joinedPost[t.joined] = posting{}
		for i := 1; i < len(t.joined); i++ {
			ix.joinPrefixes[t.joined[:i]] = struct{}{}
		}
		ix.joinMin = min(ix.joinMin, len(t.joined))
		ix.joinMax = max(ix.joinMax, len(t.joined))
		if t.fuzzy {
			// Interior letters only: verify never lets a whole name lose
			// its first or last letter, and a swap still meets one of
			// these deletions (SymSpell pairs a deletion on each side).
			for i := 1; i+1 < len(t.joined); i++ {
				d := t.joined[:i] + t.joined[i+1:]
				if !slices.Contains(ix.deletes[d], t.joined) {
					ix.deletes[d] = append(ix.deletes[d], t.joined)
				}
			}
		}
		for j, k := range t.keys {
			if t.fuzzyWords != 0 {
				ix.vocab[k] |= vMultiWord
			}
			if t.fuzzyWords&(1<<j) == 0 {
				continue
			}
			addWord := func(d string) {
				if !slices.Contains(ix.wordDeletes[d], k) {
					ix.wordDeletes[d] = append(ix.wordDeletes[d], k)
				}
			}
			forDeletes(k, addWord)
		}
	}
	ix.joinFilter = newKeyFilter(ix.joinedPost)
	ix.delFilter = newKeyFilter(ix.deletes)
	ix.wordDelFilter = newKeyFilter(ix.wordDeletes)
	// A correctly spelt fuzzy word meets its own deletions; what they
	// bring up is worked out here once.
	for _, ws := range ix.wordDeletes {
		for _, k := range ws {
			if _, ok := ix.wordNear[k]; !ok {
				ix.wordNear[k], _ = oneEditFrom(ix.wordDelFilter, ix.wordDeletes, nil, nil, k)
				ix.vocab[k] |= vFuzzyWord
			}
		}
	}
	ix.vocabFilter = newKeyFilter(ix.vocab)
	ix.prefixFilter = newKeyFilter(ix.joinPrefixes)
	for w := range words {
		for i := 0; i < len(w); i++ {
			ix.wordBytes[w[i]/64] |= 1 << (w[i] % 64)
		}
		k := skeletonString(w)
		f := ix.vocab[k]
		if k != "" {
			if _, ok := ix.joinPrefixes[k[:max(1, len(k)-1)]]; ok {
				f |= vSplitStart
			}
		}
		if _, ok := ix.joinPrefixes[k]; ok || f&vJoin != 0 {
			f |= vKeyPrefix
		}
		ix.words.set(w, f)
	}
	if ix.bleve, err = ix.buildBleve(); err != nil {
		return nil, err
	}
	if err := ix.postingsFromBleve(); err != nil {
		ix.bleve.Close()
		return nil, err
	}
	return ix, nil
}

// Close releases the bleve index.
func (ix *Index) Close() error {
	if err := ix.bleve.Close(); err != nil {
		return fmt.Errorf("close bleve index: %w", err)
	}
	return nil
}

func (ix *Index) newTerm(bi int, text, kind string, toks []token) (term, bool) {
	if len(toks) == 0 {
		return term{}, false
	}
	t := term{brand: bi, text: text, src: text, kind: kind, common: true, own: ownLetters(text)}
	var joined []byte
	letters := 0
	for j, tk := range toks {
		t.plains = append(t.plains, tk.plain)
		t.keys = append(t.keys, tk.key)
		joined = append(joined, tk.plain...)
		if !ix.isWord(tk.plain) {
			t.common = false
		}
		n := 0
		for _, r := range tk.plain {
			if isLetterRune(r) {
				n++
			}
		}
		letters += n
		if len(toks) > 1 && j < 64 && n >= minWordFuzzyLetters && !hasDigit(tk.plain) {
			t.fuzzyWords |= 1 << j
		}
	}
	t.joined = string(skeleton(nil, joined))
	t.print0, t.printJoined = keyPrint(t.keys[0]), keyPrint(t.joined)
	if len(t.keys) > 1 {
		t.print1 = keyPrint(t.keys[1])
	}
	t.word = string(joined)
	t.wordDigit = hasDigit(t.word)
	t.leetN = countLeet(t.word)
	t.leet = leetOnly(t.word)
	t.leetVV = strings.ReplaceAll(t.leet, "vv", "w")
	t.leetColl = collapse(t.leet)
	if len(toks) == 1 {
		t.anchor = t.keys[0]
	} else {
		best := 0
		for i := 1; i+1 < len(t.keys); i++ {
			if ix.betterPair(t, i, best) {
				best = i
			}
		}
		t.anchor = t.keys[best] + " " + t.keys[best+1]
	}
	// A one-word brand name that is an ordinary word ("Coach") may be
	// misspelt too ("Cach"); the mention then needs brand context like
	// the word itself. Products and aliases of ordinary words stay exact.
	t.fuzzy = letters >= minFuzzyLetters && (!t.common && !ix.isWord(t.word) || kind == "name" && len(toks) == 1)
	return t, true
}

// residualTerm makes the product name minus the brand's own words a term
// of its own when something is left: sellers of fakes drop the brand and
// keep the product's distinctive part ("AeroBeat X2", "V11 Absolute",
// "Fellside Cardigan"). A residual that is not distinctive ("Gen 6
// Smartwatch", "Summit Shell Jacket") is marked common so it needs brand
// context, like a product name of ordinary words.
func (ix *Index) residualTerm(bi int, b brand.Brand, product string) (term, bool) {
	toks := analyze(product, nil)
	rest := stripName(toks, analyze(b.Name, nil))
	if len(rest) == len(toks) {
		for _, a := range b.Aliases {
			if rest = stripName(toks, analyze(a, nil)); len(rest) < len(toks) {
				break
			}
		}
	}
	if len(rest) == 0 || len(rest) == len(toks) {
		return term{}, false
	}
	src := make([]string, len(rest))
	for i, tk := range rest {
		src[i] = tk.plain
	}
	t, ok := ix.newTerm(bi, product, "product", rest)
	if !ok {
		return term{}, false
	}
	t.src = strings.Join(src, " ")
	t.residual = true
	kw := make(map[string]bool)
	for _, k := range b.Keywords {
		for _, tk := range analyze(k, nil) {
			kw[tk.plain] = true
		}
	}
	distinct, model := 0, false
	for i, tk := range rest {
		if i+1 < len(rest) && hasLetter(tk.plain) && isDigits(rest[i+1].plain) && rest[i+1].start-tk.end <= 1 &&
			rest[i+1].start <= len(product) && strings.Trim(product[tk.end:rest[i+1].start], ".-") == "" {
			model = true // "EQ.6", "GT-3": a model number written in two pieces
		}
		letters, digits := 0, 0
		for _, r := range tk.plain {
			switch {
			case '0' <= r && r <= '9':
				digits++
			case isLetterRune(r):
				letters++
			}
		}
		switch {
		case letters > 0 && digits > 0:
			model = true // "v11", "x2", "iq500"
		// The brand's own category words ("earbuds") and shop words
		// the dictionary lacks ("crossbody") are generic.
		// Two letters not in the dictionary are an abbreviation or a size
		// ("xl", "ml"), not a name.
		case letters > 2 && !ix.isWord(tk.plain) && !kw[tk.plain] && !isShopWord(tk.plain):
			distinct++
		}
	}
	switch {
	case len(rest) >= 2:
		t.common = !model && distinct == 0
	case distinct == 1 && len(rest[0].plain) >= minFuzzyLetters && !ix.isCompound(rest[0].plain):
		// Alone, a word must look coined: "keychain" or "tracksuit"
		// are two ordinary words, not a product.
		t.common = false
	default:
		// One ordinary word ("Air") or a bare model number ("V11"):
		// far too many innocent listings carry it.
		return term{}, false
	}
	if t.common {
		t.fuzzy = false
	}
	return t, true
}

// ownLetters returns the distinct non-ASCII letters of text, lowercase and
// composed (NFC), or "".
func ownLetters(text string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(text) {
		r = unicode.ToLower(r)
		if r >= utf8.RuneSelf && unicode.IsLetter(r) && !strings.ContainsRune(b.String(), r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isCompound reports a word made of two ordinary words of three or more
// letters each ("crossbody", "powerbank").
func (ix *Index) isCompound(w string) bool {
	for i := 3; i+3 <= len(w); i++ {
		if ix.isWord(w[:i]) && ix.isWord(w[i:]) {
			return true
		}
	}
	return false
}

// isShopWord reports words common in listings that the English word list
// lacks, so a product name made of them is not distinctive.
func isShopWord(w string) bool {
	switch w {
	case "retro", "crossbody", "bluetooth", "usb", "hdmi", "led", "lcd", "oled", "wifi", "ebook", "tracksuit",
		"keychain", "keyring", "powerbank", "airfryer", "smartwatch", "smartphone", "earbuds", "earbud",
		"joggers", "leggings", "hoodie", "sneaker", "sneakers", "trainers", "eau", "de", "parfum", "toilette",
		"cologne", "serum", "moisturiser", "moisturizer", "unisex", "xl", "xxl", "xs", "mens", "womens", "kids":
		return true
	}
	return false
}

// stripName returns toks without the first run of words spelling name, or
// toks itself when there is none.
func stripName(toks, name []token) []token {
	if len(name) == 0 || len(name) > len(toks) {
		return toks
	}
	for i := 0; i+len(name) <= len(toks); i++ {
		same := true
		for j := range name {
			if toks[i+j].key != name[j].key {
				same = false
				break
			}
		}
		if same {
			return append(append([]token(nil), toks[:i]...), toks[i+len(name):]...)
		}
	}
	return toks
}

// betterPair prefers pairs with a word that is not ordinary English, then
// longer pairs: listings rarely contain them by chance, so few listings go
// to bleve for nothing.
func (ix *Index) betterPair(t term, i, best int) bool {
	telling := func(j int) bool { return !ix.isWord(t.plains[j]) || !ix.isWord(t.plains[j+1]) }
	if a, b := telling(i), telling(best); a != b {
		return a
	}
	return len(t.keys[i])+len(t.keys[i+1]) > len(t.keys[best])+len(t.keys[best+1])
}

// mayBeWord reports whether plain may be in the English word list, by its
// first and last bytes.
func (ix *Index) mayBeWord(plain string) bool {
	if plain == "" {
		return true
	}
	a, z := plain[0], plain[len(plain)-1]
	return ix.wordBytes[a/64]&(1<<(a%64)) != 0 && ix.wordBytes[z/64]&(1<<(z%64)) != 0
}

func (ix *Index) isWord(plain string) bool {
	return ix.words.has(plain)
}

func (ix *Index) brandContext(b brand.Brand) map[string]struct{} {
	own := make(map[string]bool)
	for _, tk := range analyze(b.Name, nil) {
		own[tk.key] = true
	}
	ctx := make(map[string]struct{})
	add := func(text string, all bool) {
		for _, tk := range analyze(text, nil) {
			if own[tk.key] || !all && (len(tk.plain) < 3 || isStopword(tk.plain)) {
				continue
			}
			ctx[tk.key] = struct{}{}
		}
	}
	for _, k := range b.Keywords {
		add(k, true)
	}
	for _, a := range b.Aliases {
		add(a, false)
	}
	for _, p := range b.Products {
		add(p.Name, false)
	}
	return ctx
}

func isStopword(w string) bool {
	switch w {
	case "the", "and", "for", "with", "of", "a", "an", "in", "on", "by", "to", "new", "set", "pro", "plus", "max", "mini", "edition", "series", "collection", "original", "classic":
		return true
	}
	return false
}

func (ix *Index) buildBleve() (bleve.Index, error) {
	im := bleve.NewIndexMapping()
	if err := im.AddCustomAnalyzer(foldedAnalyzer, map[string]interface{}{
		"type":          custom.Name,
		"char_filters":  []string{foldCharFilter},
		"tokenizer":     whitespace.Name,
		"token_filters": []string{skelTokenFilter},
	}); err != nil {
		return nil, fmt.Errorf("define folded analyzer: %w", err)
	}
	if err := im.AddCustomTokenFilter(pairTokenFilter, map[string]interface{}{
		"type": shingle.Name, "min": 2.0, "max": 2.0, "output_original": false, "separator": " ", "filler": "",
	}); err != nil {
		return nil, fmt.Errorf("define pair filter: %w", err)
	}
	if err := im.AddCustomAnalyzer(pairAnalyzer, map[string]interface{}{
		"type":          custom.Name,
		"char_filters":  []string{foldCharFilter},
		"tokenizer":     whitespace.Name,
		"token_filters": []string{skelTokenFilter, pairTokenFilter},
	}); err != nil {
		return nil, fmt.Errorf("define pair analyzer: %w", err)
	}
	dm := bleve.NewDocumentStaticMapping()
	for _, f := range []struct{ name, analyzer string }{
		{fieldFolded, foldedAnalyzer}, {fieldJoined, foldedAnalyzer}, {fieldPairs, pairAnalyzer},
	} {
		fm := bleve.NewTextFieldMapping()
		fm.Analyzer = f.analyzer
		fm.Store = false
		fm.IncludeTermVectors = false
		fm.IncludeInAll = false
		dm.AddFieldMappingsAt(f.name, fm)
	}
	im.DefaultMapping = dm
	im.DefaultAnalyzer = foldedAnalyzer

	idx, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("create bleve index: %w", err)
	}
	batch := idx.NewBatch()
	for i, t := range ix.terms {
		doc := map[string]string{
			fieldFolded: t.src,
			fieldPairs:  t.src,
			// The words run together unfolded: the analyzer folds the
			// whole, as Find does with joined listing words.
			fieldJoined: t.word,
		}
		if err := batch.Index(strconv.Itoa(i), doc); err != nil {
			idx.Close()
			return nil, fmt.Errorf("index term %q: %w", t.text, err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		idx.Close()
		return nil, fmt.Errorf("index brand terms: %w", err)
	}
	return idx, nil
}

func loadWords() (map[string]vocabFlag, error) {
	zr, err := gzip.NewReader(bytes.NewReader(wordsGz))
	if err != nil {
		return nil, fmt.Errorf("read word list: %w", err)
	}
	words := make(map[string]vocabFlag, 64000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		words[sc.Text()] = 0
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read word list: %w", err)
	}
	return words, nil
}

// forDeletes calls f with every string made by deleting one letter of s.
func forDeletes(s string, f func(string)) {
	var buf []byte
	prev := -1
	for i := 0; i < len(s); i++ {
		if prev >= 0 && s[i] == s[prev] {
			continue // same deletion as the previous letter's
		}
		prev = i
		buf = append(buf[:0], s[:i]...)
		buf = append(buf, s[i+1:]...)
		f(string(buf))
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigitByte(s[i]) {
			return false
		}
	}
	return s != ""
}
