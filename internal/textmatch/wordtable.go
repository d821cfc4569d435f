package textmatch

import "math/bits"

// wordTable is the English word list with each word's vocabFlag: the
// lookup every listing word costs Find (tokenFlags, isWord). A Go map
// hashes the whole string, probes a group of slots and compares the bytes
// out of line; here a word's first eight bytes, packed into a uint64, are
// both most of its hash and, stored in the slot, the comparison itself,
// so a word of up to eight bytes (a third of the list, most of a
// listing's words) is found or ruled out without touching its bytes
// again. Open addressing, linear probing, at most half full. It is
// written by NewIndex only; TestWordTable holds it to a map.
type wordTable struct {
	slots []wordSlot
	shift uint8 // drops a hash to the table's log2(len(slots)) bits
	// tail holds the bytes past the eighth of the longer words, one after
	// another; a slot says where its word's are.
	tail string
	n    int
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
	wt := wordTable{slots: make([]wordSlot, 1<<lg), shift: uint8(64 - lg), n: len(words)}
	var tail []byte
	for w, f := range words {
		head := packHead(w)
		i := wt.home(head, w)
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

// set sets the flag of word, which must be in the table.
func (wt *wordTable) set(word string, f vocabFlag) {
	wt.slot(word).flag = f
}

// slot returns word's slot, or nil.
func (wt *wordTable) slot(word string) *wordSlot {
	n := len(word)
	if n == 0 || n > maxTableWord || len(wt.slots) == 0 {
		return nil
	}
	head := packHead(word)
	mask := len(wt.slots) - 1
	for i := wt.home(head, word); ; i = (i + 1) & mask {
		sl := &wt.slots[i]
		if sl.n == 0 {
			return nil
		}
		if sl.head == head && int(sl.n) == n && (n <= 8 || wt.tail[sl.tail:sl.tail+uint32(n-8)] == word[8:]) {
			return sl
		}
	}
}

// has reports whether word is in the table.
func (wt *wordTable) has(word string) bool {
	_, ok := wt.lookup(word)
	return ok
}

// home is the slot a word's probe starts at: its head and length mixed,
// with its bytes past the eighth folded in eight at a time.
func (wt *wordTable) home(head uint64, word string) int {
	h := head ^ uint64(len(word))<<56
	for rest := word[min(8, len(word)):]; len(rest) > 0; rest = rest[min(8, len(rest)):] {
		hi, lo := bits.Mul64(h^0x9e3779b97f4a7c15, 0xff51afd7ed558ccd)
		h = hi ^ lo ^ packHead(rest)
	}
	hi, lo := bits.Mul64(h^0x9e3779b97f4a7c15, 0xc4ceb9fe1a85ec53)
	return int((hi ^ lo) >> wt.shift)
}

// packHead packs s's first eight bytes little-endian, zero-padded.
func packHead(s string) uint64 {
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
