package price

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		m  Money
		ok bool
	}{
		{Money{4.99, "USD"}, true},
		{Money{0, "EUR"}, true},
		{Money{-1, "USD"}, false},
		{Money{math.NaN(), "USD"}, false},
		{Money{math.Inf(1), "USD"}, false},
		{Money{MaxAmount + 1, "USD"}, false},
		{Money{5, "usd"}, false},
		{Money{5, "DOLLARS"}, false},
		{Money{5, ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.m.String(), func(t *testing.T) {
			if err := tt.m.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate(%v) = %v, want ok=%v", tt.m, err, tt.ok)
			}
		})
	}
}

// TestDecodeNeedsAmount: an amount left out or null is an error in both
// formats, not a price of 0 (which would sit below every brand's floor).
func TestDecodeNeedsAmount(t *testing.T) {
	tests := []struct {
		name, json, yaml string
		want             Money
		err              string
	}{
		{"both", `{"amount":12.5,"currency":"EUR"}`, "amount: 12.5\ncurrency: EUR", Money{12.5, "EUR"}, ""},
		{"zero", `{"amount":0,"currency":"USD"}`, "amount: 0\ncurrency: USD", Money{0, "USD"}, ""},
		{"no amount", `{"currency":"USD"}`, "currency: USD", Money{}, "amount is missing"},
		{"null amount", `{"amount":null,"currency":"USD"}`, "amount: null\ncurrency: USD", Money{}, "amount is missing"},
		{"amount a string", `{"amount":"12","currency":"USD"}`, "amount: twelve\ncurrency: USD", Money{}, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for format, decode := range map[string]func(*Money) error{
				"json": func(m *Money) error { return json.Unmarshal([]byte(tt.json), m) },
				"yaml": func(m *Money) error { return yaml.Unmarshal([]byte(tt.yaml), m) },
			} {
				var m Money
				err := decode(&m)
				if tt.err == "" {
					if err != nil || m != tt.want {
						t.Errorf("%s: got %v, %v; want %v", format, m, err, tt.want)
					}
					continue
				}
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("%s: error = %v, want one saying %q", format, err, tt.err)
				}
			}
		})
	}
	// yaml.v3 goes on past a missing amount and reports the next one too.
	var two struct{ A, B Money }
	err := yaml.Unmarshal([]byte("a: {currency: USD}\nb:\n  currency: EUR\n"), &two)
	if err == nil || !strings.Contains(err.Error(), "line 1: amount is missing") || !strings.Contains(err.Error(), "line 3: amount is missing") {
		t.Errorf("two prices without amounts: error = %v, want both lines", err)
	}
}

func TestConvert(t *testing.T) {
	r := Rates{"USD": 1, "EUR": 1.1, "GBP": 1.25}
	tests := []struct {
		in   Money
		to   string
		want float64
		err  error
	}{
		{Money{10, "USD"}, "USD", 10, nil},
		{Money{10, "EUR"}, "USD", 11, nil},
		{Money{11, "USD"}, "EUR", 10, nil},
		{Money{10, "GBP"}, "EUR", 10 * 1.25 / 1.1, nil},
		{Money{10, "XTS"}, "USD", 0, ErrUnknownCurrency},
		{Money{10, "USD"}, "XTS", 0, ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.in.String()+"->"+tt.to, func(t *testing.T) {
			got, err := r.Convert(tt.in, tt.to)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && (math.Abs(got.Amount-tt.want) > 1e-9 || got.Currency != tt.to) {
				t.Errorf("got %v, want %.4f %s", got, tt.want, tt.to)
			}
		})
	}
}

func TestRatesValidate(t *testing.T) {
	if err := DefaultRates().Validate(); err != nil {
		t.Errorf("default rates: %v", err)
	}
	for _, r := range []Rates{{}, {"USD": 0}, {"USD": -1}, {"usd": 1}, {"EUR": math.Inf(1)}} {
		if err := r.Validate(); err == nil {
			t.Errorf("Validate(%v) accepted a bad table", r)
		}
	}
}

// TestStringMatchesFmt holds String (and Append) to the "%.2f %s" it
// replaced, since evidence already shown to analysts is worded with it.
func TestStringMatchesFmt(t *testing.T) {
	amounts := []float64{0, math.Copysign(0, -1), 0.005, 0.015, 0.125, 1.005, 2.675, 4.99, 12.5, 99.999, 1e-9, 123456.785,
		MaxAmount, 1e21, 1.7976931348623157e308, 5e-324, -3.14159, math.NaN(), math.Inf(1), math.Inf(-1)}
	for _, a := range amounts {
		for _, cur := range []string{"USD", "", "eur", "日本円"} {
			m := Money{Amount: a, Currency: cur}
			want := fmt.Sprintf("%.2f %s", m.Amount, m.Currency)
			if got := m.String(); got != want {
				t.Errorf("Money{%v, %q}.String() = %q, want %q", a, cur, got, want)
			}
			if got := string(m.Append([]byte("x"))); got != "x"+want {
				t.Errorf("Money{%v, %q}.Append = %q, want %q", a, cur, got, "x"+want)
			}
		}
	}
}

func FuzzStringMatchesFmt(f *testing.F) {
	f.Add(4.99, "USD")
	f.Add(math.Copysign(0, -1), "")
	f.Fuzz(func(t *testing.T, a float64, cur string) {
		m := Money{Amount: a, Currency: cur}
		if got, want := m.String(), fmt.Sprintf("%.2f %s", m.Amount, m.Currency); got != want {
			t.Errorf("Money{%v, %q}.String() = %q, want %q", a, cur, got, want)
		}
	})
}
