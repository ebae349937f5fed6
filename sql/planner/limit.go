package planner

import "fmt"

// Limit skips Offset rows and returns at most Count rows after them (Count < 0: no limit).
// It takes the first rows of its input's order, so it is deterministic only over a Sort.
type Limit struct {
	Input  Plan
	Offset int64
	Count  int64
}

// NewLimit validates the bounds.
func NewLimit(input Plan, offset, count int64) (*Limit, error) {
	if offset < 0 {
		return nil, fmt.Errorf("limit: negative offset %d", offset)
	}
	return &Limit{Input: input, Offset: offset, Count: count}, nil
}

func (l *Limit) Schema() Schema   { return l.Input.Schema() }
func (l *Limit) Children() []Plan { return []Plan{l.Input} }
func (l *Limit) WithChildren(c []Plan) (Plan, error) {
	if c[0] == l.Input {
		return l, nil
	}
	return NewLimit(c[0], l.Offset, l.Count)
}
func (l *Limit) Exprs() []Expr                     { return nil }
func (l *Limit) WithExprs(es []Expr) (Plan, error) { return l, nil }
func (l *Limit) String() string {
	s := "Limit:"
	if l.Count >= 0 {
		s += fmt.Sprintf(" count=%d", l.Count)
	}
	if l.Offset > 0 {
		s += fmt.Sprintf(" offset=%d", l.Offset)
	}
	return s
}
