package fixturegen

// Tactic is a label for how a counterfeit listing names the brand or what
// evidence it carries. The values are the label vocabulary.
type Tactic string

// The tactic vocabulary. The first group changes how the brand name is
// written; the rest say where the brand signal is or which cue is present.
const (
	Confusable    Tactic = "confusable"     // Cyrillic/Greek look-alike letters
	ZeroWidth     Tactic = "zero-width"     // U+200B/200C/200D/2060/FEFF inside the name
	SoftHyphen    Tactic = "soft-hyphen"    // U+00AD inside the name
	FullWidth     Tactic = "full-width"     // full-width forms or mathematical bold letters
	Accents       Tactic = "accents"        // decomposable accented letters
	Leetspeak     Tactic = "leetspeak"      // 0/o, 1/l/i, 3/e, @/a, $/s ...
	DoubledLetter Tactic = "doubled-letter" // a letter repeated
	DroppedLetter Tactic = "dropped-letter" // an inner letter of a 5+ letter word left out
	Spaced        Tactic = "spaced"         // letters separated by spaces
	Dotted        Tactic = "dotted"         // letters separated by dots
	RunTogether   Tactic = "run-together"   // a multi-word name written as one word
	CodedLanguage Tactic = "coded-language" // replica, 1:1, AAA, mirror quality, dupe ...
	LowPrice      Tactic = "low-price"      // below 40% of every floor of the brand, unauthorized seller
	Alias         Tactic = "alias"          // the brand named only by an alias
	ProductName   Tactic = "product-name"   // the brand named only by a product line
	DescOnly      Tactic = "description-only"
	ImageOnly     Tactic = "image-only" // no brand in the text; a copied reference photo
)

// NegativeClass labels why a listing that mentions (or resembles) a brand
// is not counterfeit.
type NegativeClass string

// The negative-class vocabulary.
const (
	CommonWord NegativeClass = "common-word"          // Coach bus, fossil trilobite, Freeman Dyson
	Substring  NegativeClass = "substring"            // millisiemens, stagecoach, fossilized
	Accessory  NegativeClass = "accessory"            // "filter compatible with Dyson V11"
	CodedOOC   NegativeClass = "coded-out-of-context" // AAA batteries, 1:1 epoxy, museum replica
	Authorized NegativeClass = "authorized"           // the brand's own sellers, official photo
	Reseller   NegativeClass = "reseller"             // genuine second-hand or resold, at or above the floor
	Unrelated  NegativeClass = "unrelated"            // no brand at all
)

// nameTactics change how the brand name is written.
var nameTactics = map[Tactic]bool{
	Confusable: true, ZeroWidth: true, SoftHyphen: true, FullWidth: true, Accents: true,
	Leetspeak: true, DoubledLetter: true, DroppedLetter: true, Spaced: true, Dotted: true,
	RunTogether: true,
}

// positivePlan is how many counterfeit listings have each primary tactic.
// Each listing also carries cues (coded language, a low price, a copied
// reference photo): one listing in three exactly one cue, the rest two; the
// coded-language, low-price and image-only rows count the primary as a cue.
var positivePlan = []struct {
	Tactic Tactic
	N      int
}{
	{Confusable, 20}, {ZeroWidth, 20}, {SoftHyphen, 20}, {FullWidth, 20}, {Accents, 20},
	{Leetspeak, 20}, {DoubledLetter, 20}, {DroppedLetter, 20}, {Spaced, 20}, {Dotted, 20},
	{RunTogether, 20}, {Alias, 20}, {ProductName, 20}, {DescOnly, 20}, {ImageOnly, 20},
	{CodedLanguage, 12}, {LowPrice, 12},
}

// negativePlan is how many non-counterfeit listings each class has.
var negativePlan = []struct {
	Class NegativeClass
	N     int
}{
	{CommonWord, 48}, {Substring, 36}, {Accessory, 46}, {CodedOOC, 40},
	{Authorized, 46}, {Reseller, 46}, {Unrelated, 62},
}

// Minimums the tests hold the full plan to.
const (
	MinPerTactic    = 20
	MinPerTransform = 15
	MinPerClass     = 25
)

// cue is one piece of evidence a counterfeit listing carries besides how it
// names the brand.
type cue int

const (
	cueCoded cue = iota
	cueLow
	cueImage
)

// cueSets returns the cue set of the k-th listing of primary tactic t. The
// first of every three listings has a single cue.
func cueSets(t Tactic, k int) []cue {
	single := k%3 == 0
	j := k / 3
	switch t {
	case CodedLanguage:
		if single {
			return []cue{cueCoded}
		}
		return []cue{cueCoded, []cue{cueLow, cueImage}[k%2]}
	case LowPrice:
		if single {
			return []cue{cueLow}
		}
		return []cue{cueLow, []cue{cueCoded, cueImage}[k%2]}
	case ImageOnly:
		if single {
			return []cue{cueImage, []cue{cueLow, cueCoded}[j%2]}
		}
		return []cue{cueImage, cueLow, cueCoded}
	}
	if single {
		return []cue{[]cue{cueCoded, cueLow, cueImage}[j%3]}
	}
	return [][]cue{{cueCoded, cueLow}, {cueCoded, cueImage}, {cueLow, cueImage}}[k%3]
}

// eligible reports whether brand s can carry primary tactic t.
func eligible(t Tactic, s *brandSpec) bool {
	switch t {
	case RunTogether:
		return len(wordSpans([]rune(s.Name))) > 1
	case Alias:
		return s.TacticAlias != ""
	case ProductName:
		for _, l := range s.Lines {
			if l != "" {
				return true
			}
		}
		return false
	case DroppedLetter:
		for _, w := range wordSpans([]rune(s.Name)) {
			if w[1]-w[0] >= 5 {
				return true
			}
		}
		return false
	}
	return true
}
