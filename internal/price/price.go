// Package price holds money amounts and the currency rate table used to
// compare a listing's price with a brand's price floor. It knows nothing of
// listings or brands; deciding what a low price means is left to package score.
package price

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Money is an amount in an ISO 4217 currency.
type Money struct {
	Amount   float64 `json:"amount" yaml:"amount"`
	Currency string  `json:"currency" yaml:"currency"`
}

// MaxAmount is the largest price accepted; anything above is taken as a data
// error (a price in cents sent as units, a placeholder like 99999999).
const MaxAmount = 10_000_000

// ErrUnknownCurrency is returned when a rate table has no rate for a currency.
var ErrUnknownCurrency = errors.New("unknown currency")

// ErrNoAmount is a money object without an amount, or with a null one.
var ErrNoAmount = errors.New("amount is missing")

// moneyDoc is Money as written, with the amount's absence visible.
type moneyDoc struct {
	Amount   *float64 `json:"amount" yaml:"amount"`
	Currency string   `json:"currency" yaml:"currency"`
}

func (d moneyDoc) money() (Money, error) {
	if d.Amount == nil {
		return Money{}, ErrNoAmount
	}
	return Money{Amount: *d.Amount, Currency: d.Currency}, nil
}

// UnmarshalJSON requires the amount: left out or null it would read as 0,
// a price far below every brand's floor, and flag the listing.
func (m *Money) UnmarshalJSON(data []byte) error {
	var d moneyDoc
	if err := json.Unmarshal(data, &d); err != nil {
		return err
	}
	v, err := d.money()
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// UnmarshalYAML requires the amount, as UnmarshalJSON does: a price floor
// of 0 would never flag a price.
func (m *Money) UnmarshalYAML(n *yaml.Node) error {
	var d moneyDoc
	if err := n.Decode(&d); err != nil {
		return err
	}
	v, err := d.money()
	if err != nil {
		// A TypeError, unlike other errors, lets yaml.v3 go on and report
		// the document's other mistakes in the same pass.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
	}
	*m = v
	return nil
}

// Validate reports what is wrong with m, or nil.
func (m Money) Validate() error {
	switch {
	case math.IsNaN(m.Amount) || math.IsInf(m.Amount, 0):
		return fmt.Errorf("amount is not a number")
	case m.Amount < 0:
		return fmt.Errorf("amount %g is negative", m.Amount)
	case m.Amount > MaxAmount:
		return fmt.Errorf("amount %g is above the %d limit", m.Amount, MaxAmount)
	case !validCode(m.Currency):
		return fmt.Errorf("currency %q is not a three-letter ISO 4217 code", m.Currency)
	}
	return nil
}

// String formats m as "12.50 EUR", as fmt's "%.2f %s" would.
func (m Money) String() string {
	var buf [32]byte
	return string(m.Append(buf[:0]))
}

// Append appends m as String formats it, for evidence built on every
// flagged listing without fmt's cost.
func (m Money) Append(b []byte) []byte {
	b = strconv.AppendFloat(b, m.Amount, 'f', 2, 64)
	b = append(b, ' ')
	return append(b, m.Currency...)
}

func validCode(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// Rates converts between currencies through a common base: Rates[c] is the
// value of one unit of c in the base currency.
type Rates map[string]float64

// DefaultRates is a fixed table of approximate rates (base USD, late 2025)
// used when no rate file is given.
// Prices only need to be compared against floors within tens of percent, so
// a table that is months old still serves; users with exact needs pass --rates.
func DefaultRates() Rates {
	return Rates{
		"USD": 1, "EUR": 1.08, "GBP": 1.27, "JPY": 0.0067, "CNY": 0.14,
		"CAD": 0.73, "AUD": 0.66, "CHF": 1.13, "HKD": 0.128, "SGD": 0.75,
		"KRW": 0.00073, "INR": 0.012, "MXN": 0.058, "BRL": 0.18, "SEK": 0.095,
		"NOK": 0.094, "DKK": 0.145, "PLN": 0.25, "TRY": 0.029, "AED": 0.272,
		"RUB": 0.011, "CZK": 0.043, "HUF": 0.0027, "RON": 0.22, "BGN": 0.55,
		"ISK": 0.0072, "UAH": 0.024, "ZAR": 0.055, "NZD": 0.6, "THB": 0.028,
		"PHP": 0.017, "IDR": 0.000062, "MYR": 0.22, "VND": 0.000039, "TWD": 0.031,
		"ILS": 0.27, "SAR": 0.267, "EGP": 0.02, "NGN": 0.00065, "ARS": 0.001,
		"CLP": 0.00105, "COP": 0.00025, "PEN": 0.27, "QAR": 0.275, "KWD": 3.25,
	}
}

// Convert returns m expressed in currency to.
func (r Rates) Convert(m Money, to string) (Money, error) {
	cur := strings.ToUpper(m.Currency)
	to = strings.ToUpper(to)
	if cur == to {
		return Money{Amount: m.Amount, Currency: to}, nil
	}
	from, ok := r[cur]
	if !ok {
		return Money{}, fmt.Errorf("convert %s: %w", cur, ErrUnknownCurrency)
	}
	dst, ok := r[to]
	if !ok || dst == 0 {
		return Money{}, fmt.Errorf("convert to %s: %w", to, ErrUnknownCurrency)
	}
	return Money{Amount: m.Amount * from / dst, Currency: to}, nil
}

// Validate reports a rate table that would convert prices wrongly.
func (r Rates) Validate() error {
	if len(r) == 0 {
		return errors.New("rate table is empty")
	}
	for code, v := range r {
		if !validCode(code) {
			return fmt.Errorf("currency %q is not a three-letter ISO 4217 code", code)
		}
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("rate for %s is %g; rates must be positive numbers", code, v)
		}
	}
	return nil
}
