package textmatch

import "math/bits"

// wordTable is the English word list with each word's vocabFlag: the
// lookup every listing word costs Find (analyzeASCII, tokenFlags,
// isWord). A Go map hashes the whole string, probes a group of slots and
// compares the bytes out of line; here a word's first sixteen bytes,
// packed into two uint64s (which analyzeASCII loads from the word it has
// just folded, with no loop), are its hash, and the first eight, stored
// in the slot, with its length the comparison itself, so a word of up to
// eight bytes (a third of the list, most of a listing's words) is found
// or ruled out without reading its bytes again. Open addressing, linear
// probing, at most half full. It is written by NewIndex only;
// TestWordTable and FuzzWordTable hold it to a map.
type wordTable struct {
	slots []wordSlot
	shift uint8 // drops a hash to the table's log2(len(slots)) bits
	// tail holds the bytes past the eighth of the longer words, one after
	// another; a slot says where its word's are.
	tail string
}

type wordSlot struct {
	head uint64 // the word's first eight bytes, little-endian, zero-padded
	tail uint32 // offset of its bytes past the eighth in wordTable.tail
	n    uint16 // its length; 0 marks an empty slot
	flag vocabFlag
}

// maxTableWord bounds the words a wordTable holds (n is a uint16) and so
// the ones it looks up.
const maxTableWord = 1<<16 - 1

// newWordTable builds the table of words, which must be non-empty and at
// most maxTableWord bytes long.
func newWordTable(words map[string]vocabFlag) wordTable {
	lg := 4
	for 1<<lg < 2*len(words) {
		lg++
	}
	wt := wordTable{slots: make([]wordSlot, 1<<lg), shift: uint8(64 - lg)}
	var tail []byte
	for w, f := range words {
		head := packHead(w)
		var h1 uint64
		if len(w) > 8 {
			h1 = packHead(w[8:])
		}
		i := int(wordHash(head, h1, w) >> wt.shift)
		for wt.slots[i].n != 0 {
			i = (i + 1) & (len(wt.slots) - 1)
		}
		sl := wordSlot{head: head, n: uint16(len(w)), flag: f}
		if len(w) > 8 {
			sl.tail = uint32(len(tail))
			tail = append(tail, w[8:]...)
		}
		wt.slots[i] = sl
	}
	wt.tail = string(tail)
	return wt
}

// lookup returns word's flag and whether it is in the table.
func (wt *wordTable) lookup(word string) (vocabFlag, bool) {
	if sl := wt.slot(word); sl != nil {
		return sl.flag, true
	}
	return 0, false
}

// has reports whether word is in the table.
func (wt *wordTable) has(word string) bool {
	return wt.slot(word) != nil
}

// set sets the flag of word, which must be in the table.
func (wt *wordTable) set(word string, f vocabFlag) {
	wt.slot(word).flag = f
}

// slot returns word's slot, or nil.
func (wt *wordTable) slot(word string) *wordSlot {
	var h1 uint64
	if len(word) > 8 {
		h1 = packHead(word[8:])
	}
	return findWord(wt, packHead(word), h1, word)
}

// findWord returns the slot of word, whose first eight bytes packed are
// h0 and next eight h1 (packHead), or nil. analyzeASCII packs them as it
// folds the word, and hands the folded bytes.
func findWord[W ~string | ~[]byte](wt *wordTable, h0, h1 uint64, word W) *wordSlot {
	n := len(word)
	if n == 0 || n > maxTableWord || len(wt.slots) == 0 {
		return nil
	}
	mask := len(wt.slots) - 1
	for i := int(wordHash(h0, h1, word) >> wt.shift); ; i = (i + 1) & mask {
		sl := &wt.slots[i]
		if sl.n == 0 {
			return nil
		}
		if sl.head == h0 && int(sl.n) == n && (n <= 8 || wt.tail[sl.tail:sl.tail+uint32(n-8)] == string(word[8:])) {
			return sl
		}
	}
}

// wordHash mixes a word's length and first sixteen bytes (h0, h1 as
// findWord has them), folding in any past the sixteenth eight at a time:
// a listing word needs no loop.
func wordHash[W ~string | ~[]byte](h0, h1 uint64, word W) uint64 {
	x := h0*0x9e3779b97f4a7c15 ^ h1*0xff51afd7ed558ccd ^ uint64(len(word))
	if len(word) > 16 {
		for rest := word[16:]; len(rest) > 0; rest = rest[min(8, len(rest)):] {
			x = (x ^ packHead(rest)) * 0xc4ceb9fe1a85ec53
		}
	}
	hi, lo := bits.Mul64(x, 0xc4ceb9fe1a85ec53)
	return hi ^ lo
}

// packHead packs s's first eight bytes little-endian, zero-padded.
func packHead[W ~string | ~[]byte](s W) uint64 {
	if len(s) >= 8 {
		return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	}
	var h uint64
	for i := len(s) - 1; i >= 0; i-- {
		h = h<<8 | uint64(s[i])
	}
	return h
}
