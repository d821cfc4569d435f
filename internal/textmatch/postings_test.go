package textmatch

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestPostingsAgreeWithBleve checks that the candidate terms Find reads off
// the postings are exactly what the bleve search returns, for every term's
// own keys and for the candidates of the test cases and the benchmark
// corpus.
func TestPostingsAgreeWithBleve(t *testing.T) {
	check := func(t *testing.T, ix *Index, cands []candidate) {
		t.Helper()
		got, err := ix.candidateTerms(nil, cands)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ix.lookup(cands)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 0 || len(want) != 0 {
			if !slices.Equal(got, want) {
				t.Errorf("candidates %q: postings gave %v, bleve %v", cands, got, want)
			}
		}
	}
	run := func(t *testing.T, ix *Index, ls []listing) {
		for _, tm := range ix.terms {
			anchorField := fieldFolded
			if len(tm.keys) > 1 {
				anchorField = fieldPairs
			}
			anchor, joined := ix.candidate(anchorField, tm.anchor), ix.candidate(fieldJoined, tm.joined)
			check(t, ix, []candidate{anchor})
			check(t, ix, []candidate{joined})
			check(t, ix, []candidate{anchor, joined})
		}
		for _, l := range ls {
			fields := [2]field{newField("title", l.title), newField("description", l.desc)}
			if cands := ix.candidatesOf(fields[:]); len(cands) > 0 {
				check(t, ix, cands)
			}
		}
	}
	t.Run("cases", func(t *testing.T) {
		ix := newTestIndex(t)
		var cases []struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		}
		readJSON(t, "cases.json", &cases)
		var ls []listing
		for _, c := range cases {
			ls = append(ls, listing{c.Title, c.Description})
		}
		if len(ls) == 0 {
			t.Fatal("no cases read")
		}
		run(t, ix, ls)
	})
	t.Run("bench", func(t *testing.T) {
		ix, bs := benchIndex(t)
		run(t, ix, benchListings(bs, 3000))
	})
}

func TestASCIIWord(t *testing.T) {
	if len(asciiWord) != 256 {
		t.Fatalf("asciiWord has %d entries, want 256", len(asciiWord))
	}
	for c := rune(0); c < 256; c++ {
		want := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		if got := asciiWord[c] == '1'; got != want {
			t.Errorf("asciiWord[%q] = %v, want %v", c, got, want)
		}
	}
}

// candidate returns the candidate for key in bleve field f, with its
// postings (none for a key no term has).
func (ix *Index) candidate(f, key string) candidate {
	var p posting
	switch f {
	case fieldFolded:
		p = ix.foldedPost[key]
	case fieldJoined:
		p = ix.joinedPost[key]
	case fieldPairs:
		p = ix.pairs[key]
	}
	return candidate{field: f, key: key, ids: p.ids}
}

func TestASCIIClass(t *testing.T) {
	if len(asciiClass) != 256 {
		t.Fatalf("asciiClass has %d entries, want 256", len(asciiClass))
	}
	for c := rune(0); c < 256; c++ {
		var want byte
		switch {
		case 'a' <= c && c <= 'z':
			want = 1 | 16
		case '0' <= c && c <= '9':
			want = 1 | 32
		case 'A' <= c && c <= 'Z':
			want = 1 | 2 | 16
		case isLeetSymbol(c):
			want = 4
		case c >= utf8.RuneSelf:
			want = 8
		}
		if asciiClass[c] != want {
			t.Errorf("asciiClass[%q] = %d, want %d", c, asciiClass[c], want)
		}
		if want&2 != 0 && rune(byte(c)+want&2<<4) != unicode.ToLower(c) {
			t.Errorf("%q lower-cases to %q by its class", c, byte(c)+want&2<<4)
		}
	}
}
