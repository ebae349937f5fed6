package planner

import (
	"fmt"
	"strings"
)

// Sort orders its input by Keys; ties keep no particular order.
type Sort struct {
	Input Plan
	Keys  []SortKey
}

// NewSort validates that the keys read only input columns.
func NewSort(input Plan, keys []SortKey) (*Sort, error) {
	if len(keys) == 0 {
		return nil, fmt.Errorf("sort: no keys")
	}
	for _, k := range keys {
		if err := checkRefs(input.Schema(), k.Expr); err != nil {
			return nil, fmt.Errorf("sort: %w", err)
		}
	}
	return &Sort{Input: input, Keys: keys}, nil
}

func (s *Sort) Schema() Schema   { return s.Input.Schema() }
func (s *Sort) Children() []Plan { return []Plan{s.Input} }
func (s *Sort) WithChildren(c []Plan) (Plan, error) {
	if c[0] == s.Input {
		return s, nil
	}
	return NewSort(c[0], s.Keys)
}
func (s *Sort) Exprs() []Expr {
	es := make([]Expr, len(s.Keys))
	for i, k := range s.Keys {
		es[i] = k.Expr
	}
	return es
}
func (s *Sort) WithExprs(es []Expr) (Plan, error) {
	if sameExprs(es, s.Exprs()) {
		return s, nil
	}
	keys := append([]SortKey(nil), s.Keys...)
	for i := range keys {
		keys[i].Expr = es[i]
	}
	return NewSort(s.Input, keys)
}
func (s *Sort) String() string {
	parts := make([]string, len(s.Keys))
	for i, k := range s.Keys {
		parts[i] = k.String()
	}
	return "Sort: " + strings.Join(parts, ", ")
}
