package textmatch

// keyFilterMinLog is log2 of the smallest keyFilter's bits (16 KB), and
// keyFilterBitsPerKey the fewest bits a filter gives each key: one hash
// at 8 or more bits a key leaves at most about 12 per cent of the bits
// set, so a made-up key reaches the map about once in ten whatever the
// registry's size (a fixed 2^17 bits was 40 to 50 per cent set at 10,000
// brands).
const (
	keyFilterMinLog     = 17
	keyFilterBitsPerKey = 8
	keyFilterMaxLog     = 32 // keySig's width
)

// keyFilter is a one-hash Bloom filter over a cheap signature of a key:
// its length and its first two and last two bytes. Find makes up many
// keys that no term has (words run together, keys with a letter deleted);
// a clear bit says so for a few byte loads, where a map lookup hashes the
// whole key and probes memory far away. A set bit only means "look in the
// map". It is written by NewIndex only.
type keyFilter struct {
	bits []uint64
	// shift drops a signature to the filter's log2(len(bits)*64) bits.
	shift uint8
}

func newKeyFilter[V any](keys map[string]V) keyFilter {
	kf := makeKeyFilter(len(keys))
	for k := range keys {
		kf.add(keySigOf(k))
	}
	return kf
}

// makeKeyFilter returns an empty filter sized for n keys.
func makeKeyFilter(n int) keyFilter {
	lg := keyFilterMinLog
	for lg < keyFilterMaxLog && 1<<lg < n*keyFilterBitsPerKey {
		lg++
	}
	return keyFilter{bits: make([]uint64, 1<<lg/64), shift: uint8(32 - lg)}
}

func (kf keyFilter) add(s uint32) {
	s >>= kf.shift
	kf.bits[s/64] |= 1 << (s % 64)
}

// has reports whether a key with signature s (keySigOf) may be one of the
// filter's keys.
func (kf keyFilter) has(s uint32) bool {
	s >>= kf.shift
	return kf.bits[s/64]&(1<<(s%64)) != 0
}

// mayHaveDeletion is has(keySigOf(d)) for d, s without its byte i, without
// building d. It repeats keySigOf's pick of end bytes, each index shifted
// past i, rather than share it: a pick shared by both, taking i, measured
// 25 to 30 per cent slower in each (and one through a func value, 2 to 3
// times slower), and both are on Find's path for every listing.
func (kf keyFilter) mayHaveDeletion(s string, i int) bool {
	n := len(s) - 1
	at := func(p int) byte {
		if p >= i {
			p++
		}
		return s[p]
	}
	var a, b, y, z byte
	if n > 0 {
		a, z = at(0), at(n-1)
	}
	if n > 1 {
		b, y = at(1), at(n-2)
	}
	return kf.has(keySig(n, a, b, y, z))
}

// keySigOf is keySig of a key, or of one being built.
func keySigOf[K ~string | ~[]byte](k K) uint32 {
	n := len(k)
	var a, b, y, z byte
	if n > 0 {
		a, z = k[0], k[n-1]
	}
	if n > 1 {
		b, y = k[1], k[n-2]
	}
	return keySig(n, a, b, y, z)
}

// keySig mixes a key's length and end bytes into 32 bits, of which a
// filter keeps the top ones.
func keySig(n int, a, b, y, z byte) uint32 {
	h := (uint32(a) | uint32(b)<<8 | uint32(y)<<16 | uint32(z)<<24) ^ uint32(n)*0x9e3779b9
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	return h
}

// forDeletesIn is forDeletes for the deletions kf may hold (the rest are in
// no map kf was built from), without an allocation per deletion: d is
// built in buf, valid only during the call (map lookups with string(d) do
// not copy), and buf is returned for reuse.
func forDeletesIn(kf keyFilter, buf []byte, s string, f func(d []byte)) []byte {
	prev := -1
	for i := 0; i < len(s); i++ {
		if prev >= 0 && s[i] == s[prev] {
			continue // same deletion as the previous letter's
		}
		prev = i
		if !kf.mayHaveDeletion(s, i) {
			continue
		}
		buf = append(append(buf[:0], s[:i]...), s[i+1:]...)
		f(buf)
	}
	return buf
}

// oneEditFrom appends to dst the keys of deletion dictionary m (deletes,
// wordDeletes) one edit from key, as SymSpell finds them: those that lose
// a letter to become key, then those sharing a deletion with key (two
// letters swapped, or one replaced), key itself aside. kf is m's filter;
// db is scratch for the deletions, returned for reuse.
func oneEditFrom(kf keyFilter, m map[string][]string, dst []string, db []byte, key string) ([]string, []byte) {
	if kf.has(keySigOf(key)) {
		dst = append(dst, m[key]...)
	}
	db = forDeletesIn(kf, db, key, func(d []byte) {
		for _, w := range m[string(d)] {
			if w != key {
				dst = append(dst, w)
			}
		}
	})
	return dst, db
}
