package textmatch

// Counterfeit coded language. Words are compared by their visual skeleton
// (see Fold), so "r3plica", "R E P L I C A" and "réplica" all read as
// "replica"; the skeleton constants below are checked against skeleton()
// by TestCodedKeys. Guards compare plain (character-folded) words.

import (
	"cmp"
	"slices"
	"strings"
)

// Coded is one piece of counterfeit coded language.
type Coded struct {
	Term    string // canonical form, e.g. "replica"
	Surface string // as the seller wrote it
	Field   string // "title" or "description"
	Start   int    // byte offset of Surface in the field
}

// Skeleton keys of coded words.
const (
	kReplica    = "replca"
	kReplicas   = "replcas"
	kRep        = "rep"
	kReps       = "reps"
	kDupe       = "dupe"
	kDupes      = "dupes"
	kFake       = "fake"
	kFakes      = "fakes"
	kKnockoff   = "knockof"
	kKnockoffs  = "knockofs"
	kKnock      = "knock"
	kOff        = "of"
	kCopy       = "copy"
	kMirror     = "mlror"
	kQuality    = "qualty"
	kGrade      = "grade"
	kSuper      = "super"
	kHigh       = "hlgh"
	kTop        = "top"
	kClone      = "clone"
	kInspired   = "lnsplred"
	kBy         = "by"
	kSame       = "same"
	kFactory    = "factory"
	kUnbranded  = "unbranded"
	kStyle      = "style"
	kOEM        = "oem"
	kImitation  = "lmltatlon"
	kImitations = "lmltatlons"
	kUnofficial = "unoflclal"
	// Other languages' words for the same things, as skeletons: the
	// accents fold away, so "réplica" (es/pt) is kReplica already.
	kReplika     = "replka"    // pl, de, sv, cs
	kReplique    = "replque"   // fr "réplique"
	kRepliques   = "replques"  // fr plural
	kKopia       = "kopla"     // pl copy
	kCopia       = "copla"     // it, es copy
	kKopie       = "kople"     // de, nl copy
	kFalschung   = "falschung" // de "Fälschung", forgery
	kPodrobka    = "podrobka"  // pl "podróbka", fake
	kContrefacon = "contrefacon"
)

// Russian coded words are compared by cyrKey, not by skeleton: the
// confusable skeleton folds Cyrillic letters to look-alikes that differ
// by case (к to ĸ, К to k; л to л, Л to ʌ). TestCyrillicCoded checks that
// these keys come out of cyrKey for the words in both cases.
const (
	cReplica = "peπлᴎka" // реплика
	cReplicy = "peπлᴎkᴎ" // реплики
	cCopy    = "koπᴎᴙ"   // копия
	cCopies  = "koπᴎ"    // копии (doubled и collapsed)
	cFake    = "πoдeлka" // подделка (doubled д collapsed)
	cLux     = "люkc"    // люкс, luxury: "копия люкс"
	cLuxCaps = "лlokc"   // ЛЮКС: capital Ю folds to "lo"
	cNot     = "he"      // не
	cNo      = "het"     // нет
)

// CodedLanguage finds counterfeit coded language in a listing ("replica",
// "1:1", "AAA", "mirror quality", "super copy", "reps", "dupe", "inspired
// by", ...), skipping out-of-context uses such as "AAA batteries", "1:1
// scale", "sales rep" or "copy paper". It returns nil when there is none.
func CodedLanguage(title, description string) []Coded {
	fields := [2]field{newField("title", title), newField("description", description)}
	return codedIn(fields[:])
}

func codedIn(fields []field) []Coded {
	var out []Coded
	honest := false
	for _, f := range fields {
		n := len(out)
		out = codedField(out, f, &honest)
		out = oneToOne(out, f)
		slices.SortStableFunc(out[n:], func(a, b Coded) int { return cmp.Compare(a.Start, b.Start) })
	}
	if honest {
		// A listing sells one thing: once a replica is plainly a cast or
		// a prop ("replica raptor claw fossil cast"), "clearly a replica"
		// further on is the same one.
		kept := out[:0]
		for _, c := range out {
			if c.Term != "replica" {
				kept = append(kept, c)
			}
		}
		out = kept
	}
	if len(out) == 0 {
		return nil
	}
	return dedupe(out)
}

// codedField appends f's coded language to out and sets *honest when f has
// a replica that replicaGuard clears.
func codedField(out []Coded, f field, honest *bool) []Coded {
	toks := f.toks
	key := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return toks[i].key
	}
	plain := func(i int) string {
		if i < 0 || i >= len(toks) {
			return ""
		}
		return toks[i].plain
	}
	emit := func(term string, lo, hi int) {
		if negated(f, lo) {
			return // "not a replica", "no fakes", "isn't a dupe"
		}
		out = append(out, Coded{Term: term, Surface: f.text[toks[lo].start:toks[hi].end], Field: f.name, Start: toks[lo].start})
	}
	for i := 0; i < len(toks); i++ {
		k := key(i)
		if !isASCII(k) {
			k = cyrKey(toks[i].plain)
		} else if !mayBeCodedKey(k) {
			continue // most words: no case below, nor AAA, is theirs
		}
		switch k {
		case kReplika, kReplique, kRepliques, cReplica, cReplicy:
			if !replicaGuard(toks, i) {
				emit("replica", i, i)
			} else {
				*honest = true
			}
		case kFalschung, kPodrobka, kContrefacon, cFake:
			emit("fake", i, i)
		case kKopia, kCopia, kKopie, cCopy, cCopies:
			// Like "copy", only with a counterfeit qualifier: before it
			// as in English, or a luxury one either side ("копия люкс",
			// "copia 1:1", "kopia AAA").
			if lo, hi, ok := foreignCopy(f, i); ok {
				emit("copy", lo, hi) // the qualifier may be coded too ("AAA")
			}
		case kReplica, kReplicas:
			if !replicaGuard(toks, i) {
				emit("replica", i, i)
			} else {
				*honest = true
			}
		case kImitation, kImitations:
			emit("imitation", i, i)
		case kUnofficial:
			if key(i+1) == kCopy || key(i+1) == kReplica {
				emit("copy", i, i+1)
				i++
			}
		case kRep, kReps:
			if !repGuard(toks, i) {
				emit("rep", i, i)
			}
		case kDupe, kDupes:
			emit("dupe", i, i)
		case kFake, kFakes:
			if !fakeGuard(plain(i-1), plain(i+1)) {
				emit("fake", i, i)
			}
		case kKnockoff, kKnockoffs:
			emit("knockoff", i, i)
		case kKnock:
			// Only hyphenated or tight: "knock off 20%" is a discount.
			if key(i+1) == kOff && plain(i+1) == "off" && toks[i+1].start-toks[i].end == 1 && f.text[toks[i].end] == '-' {
				emit("knockoff", i, i+1)
				i++
			}
		case kMirror:
			if n := key(i + 1); n == kQuality || n == kGrade || n == kCopy || n == kReplica {
				emit("mirror quality", i, i+1)
				i++
			}
		case kSuper, kHigh, kTop:
			j := i + 1
			if k == kTop && key(j) == kQuality {
				j++
			}
			switch key(j) {
			case kCopy:
				emit(copyTerm(k), i, j)
				i = j
			case kClone:
				emit("super clone", i, j)
				i = j
			case kFake:
				emit("super copy", i, j)
				i = j
			}
		case kClone:
			if key(i-1) != kSuper && (key(i+1) == kQuality || key(i+1) == kGrade) {
				emit("super clone", i, i+1)
			}
		case kCopy:
			// "copy" alone is a book's or a document's ("good used
			// copy"); only a counterfeit qualifier makes it coded.
			if copyQualified(f, i) && !copyGuard(toks, i) && !negated(f, i-1) {
				emit("copy", i, i)
			}
		case kInspired:
			if key(i+1) == kBy && !inspiredGuard(toks, i+2) {
				emit("inspired by", i, i+1)
				i++
			}
		case kSame:
			if key(i+1) == kFactory {
				emit("same factory", i, i+1)
				i++
			}
		case kUnbranded:
			for j := i + 1; j < len(toks) && j <= i+6; j++ {
				if toks[j].key == kStyle {
					emit("unbranded style", i, j)
					i = j
					break
				}
			}
		case kOEM:
			if n := key(i + 1); n == kQuality || n == kGrade {
				emit("OEM quality", i, i+1)
				i++
			}
		default:
			if isAAA(plain(i)) && !aaaGuard(f, i) && !negated(f, i) {
				hi := toks[i].end
				for hi < len(f.text) && f.text[hi] == '+' {
					hi++
				}
				out = append(out, Coded{Term: "AAA", Surface: f.text[toks[i].start:hi], Field: f.name, Start: toks[i].start})
			}
		}
	}
	return out
}

// mayBeCodedKey reports whether ASCII key k may be one of the keys
// codedField's switch looks for, or AAA's ("aaa" folds to "a"), by its
// length and first letter. TestMayBeCodedKey holds it to the switch's
// cases.
func mayBeCodedKey(k string) bool {
	if k == "" {
		return false
	}
	n, c := len(k), uint(k[0])-'a'
	if n >= len(codedFirsts)/4 || c >= 26 {
		return false
	}
	m := uint32(codedFirsts[4*n]) | uint32(codedFirsts[4*n+1])<<8 | uint32(codedFirsts[4*n+2])<<16 | uint32(codedFirsts[4*n+3])<<24
	return m>>c&1 != 0
}

// codedFirsts has, for n up to 11, bit c-'a' of its little-endian uint32
// at 4n set when a key of codedField's switch (or AAA's "a") is n bytes
// long and starts with c: "a" (aaa); rep, top, oem; reps, dupe, fake,
// copy, hlgh, same; dupes, fakes, knock, mlror, super, clone, kopla,
// copla, kople; replca, replka; replcas, replque, knockof; knockofs,
// lnsplred, replques, podrobka; unbranded, unoflclal, lmltatlon,
// falschung; lmltatlons; contrefacon. A table, not a switch on n: the
// lengths of listing words take a switch's branches at random.
const codedFirsts = "\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x40\x0a\x00\xac\x00\x06\x00\x2c\x14\x04\x00\x00\x00\x02\x00\x00\x04\x02\x00\x00\x8c\x02\x00\x20\x08\x10\x00\x00\x08\x00\x00\x04\x00\x00\x00"

func copyTerm(k string) string {
	switch k {
	case kSuper:
		return "super copy"
	case kHigh:
		return "high copy"
	}
	return "top quality copy"
}

// isAAA matches "aaa", "aaaa", "aaaaa" (also "4A" style leet: "444" is not).
func isAAA(p string) bool {
	if len(p) < 3 || len(p) > 6 {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] != 'a' {
			return false
		}
	}
	return true
}

// aaaGuard spots AAA the battery size.
func aaaGuard(f field, i int) bool {
	toks := f.toks
	if i > 0 {
		p := toks[i-1]
		if p.plain == "x" || p.plain == "size" {
			return true // "2 x AAA", "size AAA"
		}
		if hasDigit(p.plain) && (p.start == 0 || f.text[p.start-1] != ':') {
			return true // "4 AAA", but not "1:1 AAA"
		}
	}
	for j := max(0, i-3); j < len(toks) && j <= i+3; j++ {
		switch toks[j].plain {
		case "battery", "batteries", "cell", "cells", "alkaline", "rechargeable", "lithium", "nimh", "mah", "powered", "operated", "remote":
			return true
		}
	}
	return false
}

// replicaGuard spots the honest replica — museum casts, props, scale
// models, sports kits — by such a word close to "replica": "Replica T. rex
// tooth fossil cast", "replica raptor claw", "replica jersey". Words that
// also occur in counterfeit listings ("new model", "gift box kit") count only
// right next to it, and brand-like nouns such as "fossil" not at all, so
// "Replica Fossil watch, new model" stays coded.
func replicaGuard(toks []token, i int) bool {
	for j := max(0, i-3); j < len(toks) && j <= i+3; j++ {
		d := j - i
		if d < 0 {
			d = -d
		}
		switch toks[j].plain {
		case "museum", "historical", "movie", "film", "prop", "props", "cast", "casts", "skull", "skulls",
			"tooth", "teeth", "claw", "claws", "bone", "bones", "sword", "swords", "statue", "statues",
			"figurine", "figurines", "coin", "coins", "helmet", "gun", "pistol", "rifle", "dinosaur",
			"specimen", "artifact", "artefact":
			return true
		case "jersey", "jerseys", "kit", "kits", "shirt":
			if d <= 2 {
				return true
			}
		case "scale", "model", "models", "figure", "bust":
			if d == 1 {
				return true
			}
		}
	}
	return false
}

// copyQualified reports a counterfeit qualifier right before copy i:
// "designer copy", "exact copy", "perfect copy", "AAA copy", "1:1 copy".
// ("super", "high", "top", "mirror" and "unofficial" copy are read as
// phrases before this.)
func copyQualified(f field, i int) bool {
	if i == 0 {
		return false
	}
	p := f.toks[i-1]
	switch p.plain {
	case "designer", "exact", "perfect", "identical", "luxury", "brand", "branded", "factory", "replica",
		"quality", "grade", "clone", "fake", "counterfeit", "imitation", "mirror", "super", "high", "top":
		return true
	}
	if isAAA(p.plain) {
		return true
	}
	// "1:1 copy": the two ones are tokens of their own.
	return p.plain == "1" && i >= 2 && f.toks[i-2].plain == "1" && p.start > 0 && p.start <= len(f.text) &&
		strings.ContainsAny(f.text[f.toks[i-2].end:p.start], ":\uff1a\u2236")
}

// repGuard spots "rep" the fitness count, the sales representative and
// rep-named gear brands.
func repGuard(toks []token, i int) bool {
	if i > 0 {
		// Numbers are no guard: "Jordan 1 reps" is the slang.
		switch toks[i-1].plain {
		case "sales", "customer", "service", "support", "account", "union", "company", "field",
			"student", "class", "marketing", "insurance", "technical", "tech", "your", "our", "my", "one", "max", "per":
			return true
		}
	}
	if i+1 < len(toks) {
		switch toks[i+1].plain {
		case "range", "ranges", "count", "counter", "counts", "max", "scheme", "tempo", "per",
			"fitness", "and", "x", "rack", "bench":
			return true
		}
	}
	for j := max(0, i-4); j < len(toks) && j <= i+4; j++ {
		switch toks[j].plain {
		case "sets", "workout", "workouts", "exercise", "exercises", "gym", "training", "squat", "squats", "pushups", "dumbbell", "dumbbells", "kettlebell", "barbell":
			return true
		}
	}
	return false
}

func fakeGuard(prev, next string) bool {
	switch prev {
	case "not", "no", "never", "non", "anti", "zero":
		return true
	}
	switch next {
	case "fur", "leather", "plant", "plants", "flower", "flowers", "tan", "lashes", "eyelashes", "nails", "nail",
		"snow", "grass", "blood", "money", "tattoo", "tattoos", "food", "fruit", "fruits", "cake", "piercing",
		"moustache", "mustache", "beard", "ivy", "tree", "trees", "succulent", "succulents", "rock", "rocks",
		"candle", "candles", "fireplace", "window", "eyes", "teeth", "vomit", "poop", "spider", "spiders",
		"book", "books", "news", "greenery", "foliage", "eucalyptus", "fern", "ferns", "bonsai", "cactus", "moss":
		return true
	}
	return false
}

// copyGuard spots the ordinary copy by the word after it: copy paper, a
// copy machine, "copy of the book". What comes before is copyQualified's
// business: a counterfeit qualifier ("designer", "1:1") is required.
func copyGuard(toks []token, i int) bool {
	if i+1 < len(toks) {
		switch toks[i+1].plain {
		case "paper", "papers", "machine", "machines", "holder", "holders", "editor", "editing", "writer",
			"writing", "paste", "stand", "protected", "protection", "cat", "center", "centre", "shop", "room",
			"right", "rights", "writer's", "edit", "desk", "of", "number", "no", "print", "printing", "service":
			return true
		}
	}
	return false
}

// inspiredGuard spots "inspired by" things that are not brands.
func inspiredGuard(toks []token, j int) bool {
	for ; j < len(toks); j++ {
		switch p := toks[j].plain; p {
		case "the", "a", "an", "our", "my", "classic", "vintage", "retro":
			continue
		case "nature", "natural", "art", "arts", "love", "travel", "ocean", "oceans", "sea", "seas", "mountain", "mountains",
			"forest", "forests", "sky", "stars", "music", "history", "life", "flowers", "garden", "gardens", "season",
			"seasons", "spring", "summer", "autumn", "fall", "winter", "childhood", "tradition", "traditional", "culture",
			"architecture", "japanese", "french", "italian", "scandinavian", "nordic", "boho", "bohemian", "victorian",
			"medieval", "ancient", "greek", "roman", "egyptian", "celtic", "tropical", "beach", "desert", "moon", "sun",
			"mid", "era", "style", "fashion", "design", "designs", "film", "films", "movie", "movies", "book", "books",
			"god", "faith", "family", "friends", "friendship", "animals", "wildlife", "birds", "science", "space", "galaxy":
			return true
		default:
			return hasDigit(p) // "inspired by the 1970s"
		}
	}
	return true // nothing follows
}

// oneToOne finds "1:1" (also "1 : 1", full-width colon folded by NFKC),
// skipping scale models and ratios.
func oneToOne(out []Coded, f field) []Coded {
	s := f.text
	for i := 0; i < len(s); i++ {
		// From one "1" to the next: most texts have few.
		k := strings.IndexByte(s[i:], '1')
		if k < 0 {
			break
		}
		i += k
		if i > 0 && (isDigitByte(s[i-1]) || s[i-1] == ':' || s[i-1] == '.' || s[i-1] == '/') {
			continue
		}
		j := skipSpaces(s, i+1)
		var ok bool
		if j, ok = colon(s, j); !ok {
			continue
		}
		j = skipSpaces(s, j)
		if j >= len(s) || s[j] != '1' || j+1 < len(s) && (isDigitByte(s[j+1]) || s[j+1] == ':' || s[j+1] == '.' && j+2 < len(s) && isDigitByte(s[j+2])) {
			continue
		}
		end := j + 1
		if !oneToOneGuard(f.toks, i, end) && !negatedAt(f, i) {
			out = append(out, Coded{Term: "1:1", Surface: s[i:end], Field: f.name, Start: i})
		}
		i = end
	}
	return out
}

func colon(s string, j int) (int, bool) {
	switch {
	case j < len(s) && s[j] == ':':
		return j + 1, true
	case j+3 <= len(s) && s[j:j+3] == "\uff1a": // full-width colon
		return j + 3, true
	case j+3 <= len(s) && s[j:j+3] == "\u2236": // ratio sign
		return j + 3, true
	}
	return j, false
}

func skipSpaces(s string, j int) int {
	for j < len(s) && s[j] == ' ' {
		j++
	}
	return j
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// oneToOneGuard looks at the two words either side of "1:1" for scale
// models, ratios and one-to-one sessions.
func oneToOneGuard(toks []token, start, end int) bool {
	var near []string
	for i, t := range toks {
		before := t.end <= start && (i+2 >= len(toks) || toks[i+2].end > start)
		after := t.start >= end && (i < 2 || toks[i-2].start < end)
		if before || after {
			near = append(near, t.plain)
		}
	}
	for _, p := range near {
		switch p {
		case "scale", "model", "models", "ratio", "ratios", "aspect", "diecast", "die", "figure", "figurine",
			"square", "crop", "lens", "macro", "balun", "transformer", "mix", "dilution", "dilute",
			"meeting", "session", "sessions", "coaching", "tutoring", "lesson", "lessons", "call":
			return true
		}
	}
	return false
}

// dedupe keeps the first of each coded term: "reps" in the title and
// again in the description is one piece of coded language, not two.
func dedupe(cs []Coded) []Coded {
	out := cs[:0]
	for _, c := range cs {
		dup := false
		for _, o := range out {
			if o.Term == c.Term {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}

// cyrKey is the key of a folded word with Cyrillic letters, made the same
// whatever the case: the skeleton's small capitals (ĸ, ᴛ, ʜ, ʍ, ʙ) for
// lowercase Cyrillic letters become the Latin letters the capitals fold
// to, and Л's ʌ becomes л. A Latin look-alike mixed in ("кoпия" with a
// Latin o) folds alike. Only non-ASCII words get here.
func cyrKey(plain string) string {
	b := make([]rune, 0, len(plain))
	var prev rune = -1
	for _, r := range plain {
		switch r {
		case 'ĸ':
			r = 'k'
		case 'ᴛ':
			r = 't'
		case 'ʜ':
			r = 'h'
		case 'ʍ':
			r = 'm'
		case 'ʙ':
			r = 'b'
		case 'ʌ':
			r = 'л'
		case 'ᴙ', 'я':
			r = 'ᴙ'
		default:
			r = visual(r)
		}
		if r != prev {
			b = append(b, r)
		}
		prev = r
	}
	return string(b)
}

// negated reports coded word i of f negated by a word at most two words
// before it, with only articles and the like between: "not a replica",
// "no fakes", "isn't a dupe", "100% not fake", "keine Fälschung", "не
// копия". Sentence punctuation ends the look-back ("No box, replica"),
// and "No. 1" is a number, not a negation.
func negated(f field, i int) bool {
	toks := f.toks
	for j, words := i-1, 0; j >= 0 && words < 2; j-- {
		if gapBreaks(f.text[toks[j].end:toks[j+1].start]) {
			return false
		}
		p := toks[j].plain
		if p == "t" && j > 0 && isApostrophe(f.text[toks[j-1].end:toks[j].start]) {
			continue // "isn't": the contraction's tail
		}
		words++
		switch p {
		case "not", "never", "non", "isn", "isnt", "aren", "arent", "wasn", "wasnt", "ain", "aint", "nor", "zero",
			"kein", "keine", "keinen", "keiner", "nicht", "pas", "nie", "nunca", "jamais", "niet", "geen", "inte", "ikke":
			return true
		case "no":
			return j+1 >= len(toks) || !hasDigit(toks[j+1].plain) // "no 1 seller" is a rank
		case "a", "an", "the", "any", "some", "real", "really", "even", "just", "cheap", "un", "une", "ein", "eine",
			"einer", "una", "uno", "jest", "es", "est", "is":
			continue
		}
		if !isASCII(p) {
			switch cyrKey(p) {
			case cNot, cNo:
				return true
			}
		}
		return false
	}
	return false
}

// negatedAt is negated for coded language found in the raw text at byte
// offset start (1:1), by the token starting there.
func negatedAt(f field, start int) bool {
	for i, t := range f.toks {
		if t.start == start {
			return negated(f, i)
		}
		if t.start > start {
			break
		}
	}
	return false
}

func isApostrophe(gap string) bool {
	return gap == "'" || gap == "\u2019" || gap == "\u02bc"
}

// gapBreaks reports sentence punctuation between two words.
func gapBreaks(gap string) bool {
	return strings.ContainsAny(gap, ".,;:!?|()[]{}—–•")
}

// foreignCopy reports a non-English "copy" word i (kopia, copia, kopie,
// копия) with a counterfeit qualifier, and the words the coded phrase
// spans: an English qualifier before it ("perfect kopia"), or a luxury
// or grade qualifier right before or after ("копия люкс", "copia 1:1",
// "kopia AAA", "copia perfetta").
func foreignCopy(f field, i int) (lo, hi int, ok bool) {
	toks := f.toks
	if copyQualified(f, i) || i > 0 && isForeignQualifier(toks[i-1].plain) {
		return i, i, true
	}
	if i+1 < len(toks) && !gapBreaks(f.text[toks[i].end:toks[i+1].start]) {
		if isForeignQualifier(toks[i+1].plain) {
			return i, i + 1, true
		}
		// "copia 1:1": the ones are tokens of their own.
		if i+2 < len(toks) && toks[i+1].plain == "1" && toks[i+2].plain == "1" &&
			strings.ContainsAny(f.text[toks[i+1].end:toks[i+2].start], ":\uff1a\u2236") {
			return i, i + 2, true
		}
	}
	return 0, 0, false
}

// isForeignQualifier reports luxury and exactness words that make a
// foreign "copy" word coded: "lux", "люкс", "AAA", "perfetta", "idealna".
func isForeignQualifier(p string) bool {
	switch p {
	case "lux", "luxe", "luxury", "premium", "perfetta", "perfecta", "perfekte", "perfekt", "parfaite", "idealna",
		"esatta", "exacta", "exakte", "dokladna", "identica", "identyczna":
		return true
	}
	if isAAA(p) {
		return true
	}
	if isASCII(p) {
		return false
	}
	k := cyrKey(p)
	return k == cLux || k == cLuxCaps
}
