package planner

import "fmt"

// Filter keeps the rows for which Cond is true (not false, not NULL).
type Filter struct {
	Input Plan
	Cond  Expr
}

// NewFilter validates that Cond is boolean and reads only input columns.
func NewFilter(input Plan, cond Expr) (*Filter, error) {
	if cond.Type().ID() != Boolean.ID() && cond.Type().ID() != Null.ID() {
		return nil, fmt.Errorf("filter: condition %s has type %s, not BOOLEAN", cond, TypeString(cond.Type()))
	}
	if err := checkRefs(input.Schema(), cond); err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	return &Filter{Input: input, Cond: cond}, nil
}

func (f *Filter) Schema() Schema   { return f.Input.Schema() }
func (f *Filter) Children() []Plan { return []Plan{f.Input} }
func (f *Filter) WithChildren(c []Plan) (Plan, error) {
	if c[0] == f.Input {
		return f, nil
	}
	return NewFilter(c[0], f.Cond)
}
func (f *Filter) Exprs() []Expr { return []Expr{f.Cond} }
func (f *Filter) WithExprs(es []Expr) (Plan, error) {
	if es[0] == f.Cond {
		return f, nil
	}
	return NewFilter(f.Input, es[0])
}
func (f *Filter) String() string { return "Filter: " + f.Cond.String() }
