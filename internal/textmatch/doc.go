// Package textmatch finds brand mentions in listing text despite evasion
// (look-alike letters, invisible characters, full-width and styled letters,
// accents, leetspeak, spaced or dotted letters, doubled, dropped or swapped
// letters, multi-word names run together) and counterfeit coded language
// ("replica", "1:1", "AAA", "mirror quality"...; in other languages too:
// replika, réplique, реплика, копия люкс, copia 1:1, Fälschung), unless
// negated ("not a replica", "no fakes", "keine Fälschung"). It says what the text
// names and how; whether a listing is counterfeit is left to package score,
// images to package imagehash, and loading the registry to package brand.
//
// # Design
//
// Fold is a pipeline of small layers (see its comment). Listing text is
// analysed once into tokens that keep the seller's original byte spans, a
// character-folded "plain" form and a visual-skeleton "key".
//
// NewIndex puts every brand name, alias and product name — and each product
// name minus the brand's own words ("AeroBeat X2" of "Kaltrix AeroBeat
// X2"), since counterfeiters drop the brand — in an in-memory
// scorch bleve index, one document per term, with fields folded (skeleton
// keys, by a custom analyzer made of this package's char filter and token
// filter), joined (the words run together, for "louisvuitton") and pairs (adjacent keys in twos, via bleve's shingle
// filter).
//
// Find has three stages:
//
//  1. Prefilter: Go maps of the index vocabulary (single-word terms' keys,
//     multi-word terms' most telling adjacent pair, joined keys and their
//     prefixes, and a SymSpell-style one-deletion dictionary) pick the
//     listing's keys that some term is indexed under. One lookup per
//     listing word: the English word list (an open-addressed table that
//     the ASCII analysis looks each word up in as it folds it) carries
//     its words' vocabulary flags, other words go to the vocabulary
//     itself.
//  2. Candidates: bleve's index says which terms a surviving key brings up.
//     NewIndex reads bleve's postings for every key the prefilter can
//     pass (term readers, as a term query uses) into maps, so a listing's
//     candidate terms are read off them without a search; bleve's ~40 µs
//     per query would otherwise dominate. bleve is still asked — one
//     disjunction of term queries over the keys — when the keys name more
//     terms than that search returns (its size bound then decides which),
//     and TestPostingsAgreeWithBleve holds the maps to its answers. No
//     per-token fuzzy queries: they cost 20 times more and flood false
//     hits.
//  3. Verification: each candidate is checked with exact rules on token
//     boundaries — the term's keys in sequence (model numbers must match
//     digit for digit), the joined form as one word, the word split into
//     two or three pieces that are not all ordinary words, a spaced run
//     with a stray letter at one end ("a D Y S O N"), or one dropped
//     letter or one swap in a word that is not an English word: for
//     one-word names of five or more letters, and in one word of four or
//     more letters of a multi-word name whose other words match exactly
//     ("Mison Verel"). "millisiemens" is one token and never matches
//     Siemens.
//
// Verified matches are then graded (which evasions, how sure), overlaps
// resolved (a brand's longest term wins; a surer match beats a looser one
// of another brand), and guarded: Nominative for compatibility use ("for
// X", "compatible with X", "X-compatible"); Ambiguous for terms made of
// ordinary English words ("coach") with no brand context close by (the
// title, six words either side, the description's opening; coded language
// is not context), or written in lower case in a title that otherwise
// uses capitals ("... stainless, compass engraved on handle"); Referential
// for a plain mention in a book, print, ticket or tour listing about the
// name, or a service or derivative for its goods (repair service,
// cleaning, cookbook, manual), when nothing in the title is disguised. A
// registered name's own non-ASCII letters ("Nørdvik") are no evasion;
// one-edit matches never drop a one-word name's first or last letter. A product name of ordinary words
// with no brand context ("Suede Classic") is dropped rather than reported;
// written without its brand it needs a distinctive context word or
// another of the brand's terms.
//
// The English word list (Debian wamerican, lowercase entries only) is
// embedded gzip-compressed and loaded into each Index.
package textmatch
