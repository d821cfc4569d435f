package textmatch

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
)

// refCandidates is the straightforward candidate search, one map lookup
// per question (candidates before its prefilters and scratch reuse): the
// slow path candidates must agree with, key for key and in order, with
// the same splits, trims and fuzzy words noted.
func (ix *Index) refCandidates(fields []field) [][2]string {
	var out [][2]string
	add := func(f, k string) {
		for _, c := range out {
			if c[0] == f && c[1] == k {
				return
			}
		}
		out = append(out, [2]string{f, k})
	}
	for fi := range fields {
		f := &fields[fi]
		toks := f.toks
		var fl []vocabFlag
		for i, t := range toks {
			if w, ok := ix.words.lookup(t.plain); ok {
				fl = append(fl, w|vWord)
				continue
			}
			w := ix.vocab[t.key]
			if i+1 < len(toks) {
				if _, ok := ix.joinPrefixes[t.key[:max(1, len(t.key)-1)]]; ok {
					w |= vSplitStart
				}
			}
			fl = append(fl, w)
		}
		for i, t := range toks {
			if fl[i]&vAnchor != 0 {
				add(fieldFolded, t.key)
			}
			if i+1 < len(toks) && fl[i]&vPairFirst != 0 && fl[i+1]&vPairSecond != 0 {
				if k := t.key + " " + toks[i+1].key; ix.hasPair(k) {
					add(fieldPairs, k)
				}
			}
			if fl[i]&vJoin != 0 {
				add(fieldJoined, t.key)
			}
			if i+1 < len(toks) && len(t.key) > 0 && fl[i]&vSplitStart != 0 {
				n := len(t.plain)
				for k := i + 1; k < len(toks) && k <= i+2; k++ {
					n += len(toks[k].plain)
					if n > ix.joinMax+4 {
						break
					}
					if n < ix.joinMin || n < minFuzzyLetters {
						continue
					}
					var joined string
					for _, tk := range toks[i : k+1] {
						joined += tk.plain
					}
					if kb := skeletonString(joined); ix.has(kb, vJoin) {
						add(fieldJoined, kb)
						f.splits = append(f.splits, split{i, k + 1, kb})
					}
				}
			}
			if t.tac&(tSpaced|tDotted) != 0 && len(t.plain) >= 4 && fl[i]&vJoin == 0 {
				// trimRun has no filter to hold to a reference.
				var sc findScratch
				ix.trimRun(&sc, f, i)
				for _, c := range sc.cands {
					add(c.field, c.key)
				}
			}
			word := fl[i]&vWord != 0
			if ix.wordFuzzyEligible(t) && (i > 0 && fl[i-1]&vMultiWord != 0 || i+1 < len(toks) && fl[i+1]&vMultiWord != 0) && !word {
				ws := append([]string(nil), ix.wordDeletes[t.key]...)
				forDeletes(t.key, func(d string) {
					for _, w := range ix.wordDeletes[d] {
						if w != t.key {
							ws = append(ws, w)
						}
					}
				})
				for _, w := range ws {
					if i > 0 {
						if k := toks[i-1].key + " " + w; ix.hasPair(k) {
							add(fieldPairs, k)
						}
					}
					if i+1 < len(toks) {
						if k := w + " " + toks[i+1].key; ix.hasPair(k) {
							add(fieldPairs, k)
						}
					}
				}
			}
			if len(t.key) >= minFuzzyLetters-1 && len(t.key) <= ix.joinMax+1 && fl[i]&vJoin == 0 && !word {
				found := false
				for _, k := range ix.deletes[t.key] {
					add(fieldJoined, k)
					found = true
				}
				forDeletes(t.key, func(d string) {
					for _, k := range ix.deletes[d] {
						if k != t.key {
							add(fieldJoined, k)
							found = true
						}
					}
				})
				if found {
					if f.fuzzy == nil {
						f.fuzzy = make([]bool, len(toks))
					}
					f.fuzzy[i] = true
				}
			}
		}
	}
	return out
}

// candidatesOf is candidates with scratch of its own.
func (ix *Index) candidatesOf(fields []field) []candidate {
	return ix.candidates(new(findScratch), fields)
}

func (ix *Index) has(key string, f vocabFlag) bool { return ix.vocab[key]&f != 0 }

func (ix *Index) hasPair(k string) bool {
	_, ok := ix.pairs[k]
	return ok
}

// checkCandidates compares candidates with refCandidates on one listing.
func checkCandidates(t *testing.T, ix *Index, title, desc string) {
	t.Helper()
	// got is analysed as Find does, looking words up on the way.
	got := [2]field{
		{name: "title", text: title, toks: analyzeWords(title, nil, &ix.words)},
		{name: "description", text: desc, toks: analyzeWords(desc, nil, &ix.words)},
	}
	want := [2]field{newField("title", title), newField("description", desc)}
	for i := range got {
		checkWordLookups(t, ix, got[i].toks, want[i].toks)
	}
	cs := ix.candidatesOf(got[:])
	gk := [][2]string{}
	for _, c := range cs {
		gk = append(gk, [2]string{c.field, c.key})
	}
	wk := append([][2]string{}, ix.refCandidates(want[:])...)
	if !reflect.DeepEqual(gk, wk) {
		t.Errorf("%q | %q: candidates %q, want %q", title, desc, gk, wk)
	}
	for i := range got {
		g, w := got[i], want[i]
		if !reflect.DeepEqual(g.splits, w.splits) || !reflect.DeepEqual(g.trims, w.trims) || !reflect.DeepEqual(g.fuzzy, w.fuzzy) {
			t.Errorf("%q | %q: field %s notes %+v %+v %v, want %+v %+v %v", title, desc, g.name, g.splits, g.trims, g.fuzzy, w.splits, w.trims, w.fuzzy)
		}
	}
}

// checkWordLookups fails t unless toks, analysed looking words up, are
// plain's tokens with what the word list says of each plain that was
// looked up.
func checkWordLookups(t *testing.T, ix *Index, toks, plain []token) {
	t.Helper()
	if len(toks) != len(plain) {
		t.Fatalf("%d tokens looking words up, %d without", len(toks), len(plain))
	}
	for i, tk := range toks {
		f, ok := ix.words.lookup(tk.plain)
		switch {
		case tk.word == wordYes && (!ok || tk.wf != f), tk.word == wordNo && ok:
			t.Errorf("token %q: looked up as %d, %v; the word list has %v, %v", tk.plain, tk.word, tk.wf, ok, f)
		}
		tk.word, tk.wf = wordUnknown, 0
		if tk != plain[i] {
			t.Errorf("token %+v looking words up, %+v without", tk, plain[i])
		}
	}
}

// corpusTexts is TestFindGolden's texts without the benchmark listings.
func corpusTexts(t testing.TB) []listing {
	texts := fixtureListings(t)
	var cases []struct{ Title, Description string }
	readJSON(t, "cases.json", &cases)
	for _, c := range cases {
		texts = append(texts, listing{c.Title, c.Description})
	}
	for _, line := range foldLines(t) {
		texts = append(texts, listing{line, line})
	}
	return texts
}

// termTexts writes each term of ix as a seller might split it: run
// together and cut in two or three pieces, with a stray letter after it,
// with a letter dropped.
func termTexts(ix *Index) []listing {
	var out []listing
	for _, tm := range ix.terms {
		w := tm.word
		if len(w) < 2 {
			continue
		}
		out = append(out, listing{w + " " + w[len(w)-1:] + " x", "for " + w[:len(w)-1] + " " + w[len(w)-1:]})
		for j := 1; j < len(w); j++ {
			k := min(j+2, len(w)-1)
			out = append(out, listing{"new " + w[:j] + " " + w[j:] + " case", w[:j] + " " + w[j:k] + " " + w[k:] + " " + w[:j] + w[j+1:]})
		}
	}
	return out
}

// TestCandidatesAgree holds candidates, with its prefilters, to
// refCandidates over the golden corpus and the registries' own terms cut
// up (termTexts), on both registries.
func TestCandidatesAgree(t *testing.T) {
	texts := corpusTexts(t)
	t.Run("test registry", func(t *testing.T) {
		ix := newTestIndex(t)
		for _, l := range append(termTexts(ix), texts...) {
			checkCandidates(t, ix, l.title, l.desc)
		}
	})
	t.Run("bench registry", func(t *testing.T) {
		ix, _ := benchIndex(t)
		for _, l := range append(append(benchListings(ix.brandsAsGiven(), 3000), termTexts(ix)...), texts...) {
			checkCandidates(t, ix, l.title, l.desc)
		}
	})
}

// refOneEditFrom is oneEditFrom without the filter.
func refOneEditFrom(m map[string][]string, key string) []string {
	var out []string
	out = append(out, m[key]...)
	forDeletes(key, func(d string) {
		for _, w := range m[d] {
			if w != key {
				out = append(out, w)
			}
		}
	})
	return out
}

// TestOneEditFrom holds the filtered deletion lookups and NewIndex's
// wordNear to the unfiltered ones, for every key of the deletion
// dictionaries and every one-edit variant of it (the words a listing
// would bring): the listings of TestCandidatesAgree rarely meet them.
func TestOneEditFrom(t *testing.T) {
	for _, reg := range []string{"test", "bench"} {
		t.Run(reg, func(t *testing.T) {
			var ix *Index
			if reg == "test" {
				ix = newTestIndex(t)
			} else {
				ix, _ = benchIndex(t)
			}
			for k, near := range ix.wordNear {
				if want := refOneEditFrom(ix.wordDeletes, k); !slices.Equal(near, want) {
					t.Errorf("wordNear[%q] = %q, want %q", k, near, want)
				}
				if ix.vocab[k]&vFuzzyWord == 0 {
					t.Errorf("%q has no vFuzzyWord", k)
				}
			}
			n := 0
			for _, dict := range []struct {
				kf keyFilter
				m  map[string][]string
			}{{ix.delFilter, ix.deletes}, {ix.wordDelFilter, ix.wordDeletes}} {
				seen := map[string]bool{}
				for _, ks := range dict.m {
					for _, k := range ks {
						if seen[k] {
							continue
						}
						seen[k] = true
						for _, v := range oneEditVariants(k) {
							got, _ := oneEditFrom(dict.kf, dict.m, nil, nil, v)
							if want := refOneEditFrom(dict.m, v); !slices.Equal(got, want) {
								t.Fatalf("oneEditFrom(%q) = %q, want %q", v, got, want)
							}
							if len(got) > 0 {
								n++
							}
						}
					}
				}
			}
			if n == 0 {
				t.Error("no variant found anything")
			}
		})
	}
}

// oneEditVariants returns s, s with each letter dropped, each pair of
// neighbours swapped, each letter doubled and each letter replaced by x.
func oneEditVariants(s string) []string {
	out := []string{s}
	for i := range len(s) {
		out = append(out, s[:i]+s[i+1:], s[:i+1]+s[i:], s[:i]+"x"+s[i+1:])
		if i+1 < len(s) {
			out = append(out, s[:i]+s[i+1:i+2]+s[i:i+1]+s[i+2:])
		}
	}
	return out
}

// checkJoinedKey compares joinedKey with skeleton, and joinedSig with its
// signature, over every run of two and three tokens of s.
func checkJoinedKey(t *testing.T, s string) {
	t.Helper()
	toks := analyze(s, nil)
	var kb, buf []byte
	for i := range toks {
		for k := i + 1; k < len(toks) && k <= i+2; k++ {
			var joined []byte
			for _, tk := range toks[i : k+1] {
				joined = append(joined, tk.plain...)
			}
			want := string(skeleton(nil, joined))
			kb, buf = joinedKey(kb, buf, toks[i:k+1])
			if string(kb) != want {
				t.Errorf("joinedKey of %q = %q, want %q", joined, kb, want)
			}
			if sig, ok := joinedSig(toks[i : k+1]); ok && sig != keySigOf(want) {
				t.Errorf("joinedSig of %q = %#x, keySigOf(%q) = %#x", joined, sig, want, keySigOf(want))
			}
			if joinStartsWithKey(toks[i], toks[i+1]) && !strings.HasPrefix(want, toks[i].key) {
				t.Errorf("skeleton of %q is %q, not starting with %q", joined, want, toks[i].key)
			}
		}
	}
}

func TestJoinedKey(t *testing.T) {
	for _, s := range []string{"Ful lips", "North Pe ak", "fur nace", "Fu r nace", "bar rn", "2 0 2 4", "V 11", "ab 12 cd",
		"Fuⅼ ⅼips", "né é", "ж ж", "stor m", "wi ll", "vv vv", "i l l", "r n r n", "a a a", "aa a ab", "ab b bc", "é éa a"} {
		checkJoinedKey(t, s)
	}
	for _, l := range corpusTexts(t) {
		checkJoinedKey(t, l.title)
		checkJoinedKey(t, l.desc)
	}
}

func FuzzJoinedKey(f *testing.F) {
	for _, s := range []string{"Ful lips", "fur nace", "2 0 2 4 x", "né é ж ж", "bar rn i l l"} {
		f.Add(s)
	}
	f.Fuzz(checkJoinedKey)
}

func TestMayHaveDeletion(t *testing.T) {
	for _, s := range []string{"a", "ab", "abc", "abcd", "fulips", "kaltrix", "ωmega", "x1y2z3w4"} {
		for i := range len(s) {
			d := s[:i] + s[i+1:]
			kf := makeKeyFilter(0)
			kf.add(keySigOf(d))
			if !kf.mayHaveDeletion(s, i) {
				t.Errorf("%q without byte %d: signature differs from %q's", s, i, d)
			}
		}
	}
}

// TestKeyFilterFill builds filters over many random keys, as the
// deletion dictionaries of a 10,000-brand registry hold: each must keep
// every key and stay sparse enough to turn most made-up keys away.
func TestKeyFilterFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1000, 20_000, 300_000} {
		keys := make(map[string]struct{}, n)
		for len(keys) < n {
			b := make([]byte, 3+rng.IntN(10))
			for i := range b {
				b[i] = 'a' + byte(rng.IntN(26))
			}
			keys[string(b)] = struct{}{}
		}
		kf := newKeyFilter(keys)
		for k := range keys {
			if !kf.has(keySigOf(k)) {
				t.Fatalf("%d keys: %q not in the filter", n, k)
			}
		}
		set := 0
		for _, w := range kf.bits {
			set += bits.OnesCount64(w)
		}
		size := len(kf.bits) * 64
		if size < 1<<keyFilterMinLog {
			t.Errorf("%d keys: %d bits, below the floor", n, size)
		}
		if fill := float64(set) / float64(size); fill > 0.15 {
			t.Errorf("%d keys: %d of %d bits set (%.1f%%), want at most 15%%", n, set, size, 100*fill)
		}
	}
}

// TestFindConcurrent runs FindWithCoded from several goroutines on one
// Index, as the matcher's scoring workers do, and compares each result
// with a sequential run: the pooled scratch must not leak between calls
// (run with -race).
func TestFindConcurrent(t *testing.T) {
	ix := newTestIndex(t)
	texts := corpusTexts(t)
	type result struct {
		ms []Mention
		cs []Coded
	}
	want := make([]result, len(texts))
	for i, l := range texts {
		want[i].ms, want[i].cs = ix.FindWithCoded(l.title, l.desc, true)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for w := range 4 {
		wg.Go(func() {
			for j := range texts {
				i := (j*7 + w*13) % len(texts)
				ms, cs := ix.FindWithCoded(texts[i].title, texts[i].desc, true)
				if !reflect.DeepEqual(ms, want[i].ms) || !reflect.DeepEqual(cs, want[i].cs) {
					select {
					case errs <- fmt.Sprintf("text %d: concurrent result differs", i):
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
