package planner

import (
	"fmt"
	"strings"
)

// Aggregate groups its input by GroupBy and computes Aggs per group. Its output is the
// group columns followed by the aggregate columns: Out[:len(GroupBy)] and
// Out[len(GroupBy):]. With no GroupBy it returns exactly one row, even over empty input.
type Aggregate struct {
	Input   Plan
	GroupBy []Expr
	Aggs    []*AggregateCall
	Out     []Column
}

// NewAggregate validates the node: output count, input references.
func NewAggregate(input Plan, groupBy []Expr, aggs []*AggregateCall, out []Column) (*Aggregate, error) {
	if len(out) != len(groupBy)+len(aggs) {
		return nil, fmt.Errorf("aggregate: %d output columns for %d groups and %d aggregates", len(out), len(groupBy), len(aggs))
	}
	if err := checkRefs(input.Schema(), groupBy...); err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	for _, a := range aggs {
		if err := checkRefs(input.Schema(), a); err != nil {
			return nil, fmt.Errorf("aggregate: %w", err)
		}
	}
	return &Aggregate{Input: input, GroupBy: groupBy, Aggs: aggs, Out: out}, nil
}

func (a *Aggregate) Schema() Schema   { return a.Out }
func (a *Aggregate) Children() []Plan { return []Plan{a.Input} }
func (a *Aggregate) WithChildren(c []Plan) (Plan, error) {
	if c[0] == a.Input {
		return a, nil
	}
	return NewAggregate(c[0], a.GroupBy, a.Aggs, a.Out)
}

// Exprs returns the group expressions followed by the aggregate calls.
func (a *Aggregate) Exprs() []Expr {
	es := append([]Expr(nil), a.GroupBy...)
	for _, x := range a.Aggs {
		es = append(es, x)
	}
	return es
}
func (a *Aggregate) WithExprs(es []Expr) (Plan, error) {
	if sameExprs(es, a.Exprs()) {
		return a, nil
	}
	n := len(a.GroupBy)
	aggs := make([]*AggregateCall, len(a.Aggs))
	for i := range aggs {
		ac, ok := es[n+i].(*AggregateCall)
		if !ok {
			return nil, fmt.Errorf("aggregate: expression %d must stay an aggregate call, got %s", n+i, es[n+i])
		}
		aggs[i] = ac
	}
	return NewAggregate(a.Input, append([]Expr(nil), es[:n]...), aggs, a.Out)
}
func (a *Aggregate) String() string {
	aggs := make([]string, len(a.Aggs))
	for i, x := range a.Aggs {
		aggs[i] = x.String() + " AS " + a.Out[len(a.GroupBy)+i].Name
	}
	return "Aggregate: groupBy=[" + joinExprs(a.GroupBy) + "] aggs=[" + strings.Join(aggs, ", ") + "]"
}
