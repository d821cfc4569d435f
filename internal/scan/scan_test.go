package scan

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/listing"
	"github.com/assay-dev/assay/internal/score"
)

func newEngine(t *testing.T) *score.Engine {
	t.Helper()
	reg, err := brand.LoadFile(filepath.Join("testdata", "brands.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := score.New(reg, score.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func readVerdicts(t *testing.T, s string) []score.Verdict {
	t.Helper()
	var out []score.Verdict
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		var v score.Verdict
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("verdict %q: %v", sc.Text(), err)
		}
		out = append(out, v)
	}
	return out
}

// TestRunBadImages checks that every kind of bad image is reported in the
// verdict and that the listing is still scored on the rest.
func TestRunBadImages(t *testing.T) {
	eng := newEngine(t)
	f, err := os.Open(filepath.Join("testdata", "listings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out, rejects strings.Builder
	st, err := Run(context.Background(), eng, []Source{{Name: "listings.jsonl", R: f, Dir: "testdata"}}, &out, Options{All: true, Rejects: &rejects})
	if err != nil {
		t.Fatal(err)
	}
	if st.Scanned != 4 || st.Rejected != 1 || st.Flagged != 3 {
		t.Errorf("stats %+v, want 4 scanned, 1 rejected, 3 flagged", st)
	}
	if want := "listings.jsonl:4: invalid listing: expected a JSON object"; !strings.Contains(rejects.String(), want) {
		t.Errorf("rejects %q, want %q", rejects.String(), want)
	}
	vs := readVerdicts(t, out.String())
	if len(vs) != 4 {
		t.Fatalf("%d verdicts, want 4", len(vs))
	}
	byID := map[string]score.Verdict{}
	for _, v := range vs {
		byID[v.ListingID] = v
	}
	var ev strings.Builder
	for _, s := range byID["s-2"].Signals {
		ev.WriteString(s.Evidence + "\n")
	}
	for _, want := range []string{
		"truncated.jpg) not used",
		"huge.png) not used: image too large: 50000x50000",
		"none.jpg) not used: file not found",
		"1.jpg) not used: remote image not fetched in a batch scan",
	} {
		if !strings.Contains(ev.String(), want) {
			t.Errorf("s-2 evidence lacks %q:\n%s", want, ev.String())
		}
	}
	if !byID["s-2"].Flagged {
		t.Error("s-2 not flagged on its text")
	}
	for _, id := range []string{"s-1", "s-4"} {
		found := false
		for _, s := range byID[id].Signals {
			found = found || (s.Kind == score.KindImage && s.Score > 0)
		}
		if !found {
			t.Errorf("%s: the copied reference photo was not matched: %+v", id, byID[id].Signals)
		}
	}
}

// TestRunOrder scores many listings on several workers and checks that
// verdicts come out in input order, across batch boundaries.
func TestRunOrder(t *testing.T) {
	eng := newEngine(t)
	var in strings.Builder
	n := batchSize*2 + 37
	for i := range n {
		title := "garden hose"
		if i%3 == 0 {
			title = "Fuⅼⅼips gloss"
		}
		fmt.Fprintf(&in, `{"id":"l-%d","title":%q,"price":{"amount":3,"currency":"USD"},"seller":{"id":"x"}}`+"\n", i, title)
	}
	for _, workers := range []int{1, 4} {
		t.Run(fmt.Sprint(workers), func(t *testing.T) {
			var out strings.Builder
			seen := 0
			st, err := Run(context.Background(), eng, []Source{{Name: "-", R: strings.NewReader(in.String())}}, &out,
				Options{Workers: workers, Each: func(_ *listing.Listing, _ score.Verdict) { seen++ }})
			if err != nil {
				t.Fatal(err)
			}
			vs := readVerdicts(t, out.String())
			if st.Scanned != n || seen != n || len(vs) != st.Flagged || st.Flagged != (n+2)/3 {
				t.Fatalf("scanned %d, seen %d, written %d, flagged %d", st.Scanned, seen, len(vs), st.Flagged)
			}
			for i, v := range vs {
				if want := fmt.Sprintf("l-%d", i*3); v.ListingID != want {
					t.Fatalf("verdict %d is %s, want %s", i, v.ListingID, want)
				}
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, newEngine(t), []Source{{Name: "-", R: strings.NewReader("{}\n")}}, &strings.Builder{}, Options{})
	if err == nil {
		t.Fatal("Run on a cancelled context succeeded")
	}
}
