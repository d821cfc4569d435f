package score

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/assay-dev/assay/internal/brand"
	"github.com/assay-dev/assay/internal/price"
)

// secondHandReference is secondHand as it was before its ASCII fast path:
// strings.ToLower and string searches. secondHand must agree with it.
func secondHandReference(text string) bool {
	lower := strings.ToLower(text)
	for _, w := range secondHandWords {
		for i := strings.Index(lower, w); i >= 0; {
			end := i + len(w)
			if (i == 0 || !isLetter(lower[i-1])) && (end == len(lower) || !isLetter(lower[end])) && !(w == "used" && verbUseReference(lower[end:])) {
				return true
			}
			next := strings.Index(lower[i+1:], w)
			if next < 0 {
				break
			}
			i += 1 + next
		}
	}
	return false
}

func verbUseReference(rest string) bool {
	next, _, _ := strings.Cut(strings.TrimLeft(rest, " "), " ")
	switch strings.Trim(next, ",.;:!") {
	case "to", "for", "as", "with", "in", "by", "on", "daily", "every", "indoors", "outdoors", "at", "under", "when", "widely":
		return true
	}
	return false
}

var secondHandSeeds = []string{
	"Pre-owned Fullips lip plumper", "USED, for parts", "used for a week", "Używany, jak nowy", "ÜBER USED!",
	"Jacke GEBRAUCHT", "б/у", "Б/У телефон", "pre\u00adowned", "used\xffcase", "KUSED", "used", "",
	"worn once — like new", "Lightly Worn", strings.Repeat("brand new ", 200) + "USED",
}

// TestSecondHandPaths holds both paths of secondHand (ASCII text lowered on
// the stack, other text through strings.ToLower) to the reference, and
// checks the seeds reach both.
func TestSecondHandPaths(t *testing.T) {
	ascii, other := 0, 0
	for _, text := range secondHandSeeds {
		if _, ok := lowerASCII(nil, text); ok {
			ascii++
		} else {
			other++
		}
		if got, want := secondHand(text), secondHandReference(text); got != want {
			t.Errorf("secondHand(%q) = %v, reference %v", text, got, want)
		}
	}
	if ascii == 0 || other == 0 {
		t.Fatalf("seeds reach the ASCII path %d times and the other %d times; want both", ascii, other)
	}
}

func FuzzSecondHand(f *testing.F) {
	for _, s := range secondHandSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if lower, ok := lowerASCII([]byte("x"), text); ok && string(lower) != "x"+strings.ToLower(text) {
			t.Errorf("lowerASCII(%q) = %q, strings.ToLower gives %q", text, lower[1:], strings.ToLower(text))
		}
		if got, want := secondHand(text), secondHandReference(text); got != want {
			t.Errorf("secondHand(%q) = %v, reference %v", text, got, want)
		}
	})
}

// priceEvidenceReference is the price evidence as fmt worded it before
// priceSignal appended it by hand.
func priceEvidenceReference(p, conv, floor *price.Money, ratio, w float64, what string, counts bool) string {
	shown := p.String()
	if !strings.EqualFold(p.Currency, floor.Currency) {
		shown = fmt.Sprintf("%s (%s)", p, conv)
	}
	ev := fmt.Sprintf("price %s is %.0f%% of the %s floor for %s", shown, ratio*100, floor, what)
	if w == 0 {
		ev = fmt.Sprintf("price %s is at or above the %s floor for %s", shown, floor, what)
	}
	if !counts && w > 0 {
		ev += "; not weighed for an accessory or ordinary-word listing"
	}
	return ev
}

func checkPriceEvidence(t *testing.T, amount float64, cur string, floorAmount float64, counts bool) {
	rates := price.DefaultRates()
	b := &brand.Brand{ID: "b", Name: "Brand <&> \u2028", PriceFloor: &price.Money{Amount: floorAmount, Currency: "EUR"}}
	p := &price.Money{Amount: amount, Currency: cur}
	s := priceSignal(b, nil, p, rates, counts, true)
	conv, err := rates.Convert(*p, b.PriceFloor.Currency)
	if err != nil || floorAmount <= 0 {
		return // not a worded comparison
	}
	ratio := conv.Amount / floorAmount
	want := priceEvidenceReference(p, &conv, b.PriceFloor, ratio, priceWeight(ratio), b.Name, counts)
	if s.Evidence != want {
		t.Errorf("price %v %s against floor %v: evidence\n %q, want\n %q", amount, cur, floorAmount, s.Evidence, want)
	}
}

func TestPriceEvidenceWording(t *testing.T) {
	for _, amount := range []float64{0, math.Copysign(0, -1), 0.005, 1.005, 4.99, 19.995, 49.5, 99.99, 100, 1e7, 123456.785} {
		for _, cur := range []string{"EUR", "eur", "USD", "JPY", "KWD"} {
			for _, counts := range []bool{true, false} {
				checkPriceEvidence(t, amount, cur, 100, counts)
				checkPriceEvidence(t, amount, cur, 0.01, counts)
			}
		}
	}
}

func FuzzPriceEvidenceWording(f *testing.F) {
	f.Add(4.99, "USD", 100.0, true)
	f.Add(250.0, "EUR", 99.5, false)
	f.Fuzz(func(t *testing.T, amount float64, cur string, floor float64, counts bool) {
		checkPriceEvidence(t, amount, cur, floor, counts)
	})
}
