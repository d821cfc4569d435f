package textmatch

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// wordTableCase builds a wordTable from the English word list, each word
// with a flag made from its bytes (so a lookup that finds the wrong slot
// shows), and the map it must agree with.
func wordTableCase(t testing.TB) (wordTable, map[string]vocabFlag) {
	t.Helper()
	words, err := loadWords()
	if err != nil {
		t.Fatal(err)
	}
	for w := range words {
		words[w] = vocabFlag(len(w)*31 + int(w[0])*7 + int(w[len(w)-1]))
	}
	return newWordTable(words), words
}

// checkWordTable fails t unless wt and m agree on s.
func checkWordTable(t *testing.T, wt *wordTable, m map[string]vocabFlag, s string) {
	t.Helper()
	gotF, gotOK := wt.lookup(s)
	wantF, wantOK := m[s]
	if gotF != wantF || gotOK != wantOK || wt.has(s) != wantOK {
		t.Errorf("lookup(%q) = %v, %v; the map has %v, %v", s, gotF, gotOK, wantF, wantOK)
	}
}

// TestWordTable holds the table to a map for every word of the list and
// for strings next to them: each one cut short, grown by a letter or a
// NUL (which packs like the padding), its ninth or last byte changed,
// and listing words that are no English word.
func TestWordTable(t *testing.T) {
	wt, m := wordTableCase(t)
	used := 0 // one slot a word, at most half full
	for _, sl := range wt.slots {
		if sl.n != 0 {
			used++
		}
	}
	if used != len(m) || len(wt.slots) < 2*len(m) {
		t.Fatalf("table of %d words in %d slots for %d words", used, len(wt.slots), len(m))
	}
	for w := range m {
		// analyzeASCII looks up no plain with a digit or a leet symbol.
		if strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			t.Errorf("word %q is not made of a-z alone", w)
		}
		checkWordTable(t, &wt, m, w)
		checkWordTable(t, &wt, m, w[:len(w)-1])
		checkWordTable(t, &wt, m, w+"s")
		checkWordTable(t, &wt, m, w+"\x00")
		checkWordTable(t, &wt, m, "\x00"+w)
		checkWordTable(t, &wt, m, strings.ToUpper(w))
		b := []byte(w)
		b[len(b)-1]++
		checkWordTable(t, &wt, m, string(b))
		if len(w) > 8 {
			b := []byte(w)
			b[8] ^= 1
			checkWordTable(t, &wt, m, string(b))
		}
	}
	for _, s := range []string{"", "a", "x2", "v11", "1000", "kaltrix", "crossbody", "zzzzzzzzzzzzzzzzzzzzzzzz",
		strings.Repeat("a", 70000), "caf\u00e9", "\x00", "\x00\x00\x00\x00\x00\x00\x00\x00\x00"} {
		checkWordTable(t, &wt, m, s)
	}
	var empty wordTable
	if _, ok := empty.lookup("a"); ok {
		t.Error("an empty table has a word")
	}
}

// FuzzWordTable holds the table to a map for arbitrary strings, and for
// their lowercase forms, which are more often words.
func FuzzWordTable(f *testing.F) {
	wt, m := wordTableCase(f)
	for _, s := range []string{"the", "approximate", "internationalization", "kaltrix", "a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkWordTable(t, &wt, m, s)
		checkWordTable(t, &wt, m, strings.ToLower(s))
	})
}

// TestWordTableCollisions builds many small tables of words that differ
// only past their eighth byte or in trailing NULs, whose probes meet in
// the few slots: a lookup must compare whole words, not hashes or heads.
func TestWordTableCollisions(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		base := make([]byte, 1+rng.IntN(14))
		for i := range base {
			base[i] = byte('a' + rng.IntN(3))
		}
		variants := map[string]bool{}
		for range 6 {
			v := append([]byte(nil), base...)
			switch rng.IntN(3) {
			case 0:
				v[len(v)-1] = byte('a' + rng.IntN(3))
			case 1:
				v = append(v, 0)
			default:
				v = v[:max(1, len(v)-1-rng.IntN(2))]
			}
			variants[string(v)] = true
		}
		in := map[string]vocabFlag{}
		for v := range variants {
			if rng.IntN(2) == 0 {
				in[v] = vocabFlag(len(in) + 1)
			}
		}
		if len(in) == 0 {
			continue
		}
		wt := newWordTable(in)
		for v := range variants {
			checkWordTable(t, &wt, in, v)
		}
		checkWordTable(t, &wt, in, string(base))
	}
}
