package casestore

import (
	"slices"
)

// Scope limits the brands a query sees, for brand owners who may see their
// own brands and nothing else. The zero Scope sees every brand (analysts,
// the command line); Only(...) with no brand sees nothing. Lists are
// filtered in SQL, so a query scoped to one brand never reads another's
// rows.
type Scope struct {
	limited bool
	brands  []string
}

// Only is a scope of these brands alone.
func Only(brands ...string) Scope {
	return Scope{limited: true, brands: slices.Clone(brands)}
}

// where is the SQL condition (to AND into a WHERE) keeping col to the
// scope's brands, with its arguments.
func (sc Scope) where(col string) (string, []any) {
	if !sc.limited {
		return "1=1", nil
	}
	if len(sc.brands) == 0 {
		return "0=1", nil
	}
	args := make([]any, len(sc.brands))
	for i, b := range sc.brands {
		args[i] = b
	}
	return col + ` IN (` + placeholders(len(sc.brands)) + `)`, args
}
