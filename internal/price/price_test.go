package price

import (
	"errors"
	"fmt"
	"math"
	"testing"
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
