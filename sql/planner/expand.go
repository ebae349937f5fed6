package planner

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Expand emits every input row once per projection: the row of projection i has
// Projections[i] evaluated over the input row (Spark's Expand). GROUP BY with grouping sets
// (ROLLUP, CUBE, GROUPING SETS) is an Expand, with one projection per grouping set that sets
// the keys absent from the set to NULL and adds the set's grouping id, under an ordinary
// Aggregate grouped by the keys and the grouping id.
//
// Out[j] is the column that every projection's j-th expression fills: all of them have its
// type, and it is nullable when any of them is. A column reference in the same position of
// every projection may keep its input column's ID (a column passed through unchanged). The
// output has len(Projections) times the input's rows, in no particular order.
type Expand struct {
	Input       Plan
	Projections [][]Expr
	Out         []Column
}

// NewExpand validates the node: at least one projection, each of len(out) expressions over
// input's columns, with out's types and nullability.
func NewExpand(input Plan, projections [][]Expr, out []Column) (*Expand, error) {
	if len(projections) == 0 {
		return nil, fmt.Errorf("expand: no projections")
	}
	for i, p := range projections {
		if len(p) != len(out) {
			return nil, fmt.Errorf("expand: projection %d has %d expressions for %d output columns", i, len(p), len(out))
		}
		if err := checkRefs(input.Schema(), p...); err != nil {
			return nil, fmt.Errorf("expand: %w", err)
		}
		for j, e := range p {
			if !arrow.TypeEqual(e.Type(), out[j].Type) {
				return nil, fmt.Errorf("expand: projection %d gives output %s type %s, not %s", i, out[j].Name, TypeString(e.Type()), TypeString(out[j].Type))
			}
			if e.Nullable() && !out[j].Nullable {
				return nil, fmt.Errorf("expand: projection %d gives non-nullable output %s a nullable %s", i, out[j].Name, e)
			}
		}
	}
	return &Expand{Input: input, Projections: projections, Out: out}, nil
}

func (e *Expand) Schema() Schema   { return e.Out }
func (e *Expand) Children() []Plan { return []Plan{e.Input} }
func (e *Expand) WithChildren(c []Plan) (Plan, error) {
	if c[0] == e.Input {
		return e, nil
	}
	return NewExpand(c[0], e.Projections, e.Out)
}

// Exprs returns the projections' expressions, projection by projection.
func (e *Expand) Exprs() []Expr {
	es := make([]Expr, 0, len(e.Projections)*len(e.Out))
	for _, p := range e.Projections {
		es = append(es, p...)
	}
	return es
}

// WithExprs takes the expressions in the order of Exprs.
func (e *Expand) WithExprs(es []Expr) (Plan, error) {
	if sameExprs(es, e.Exprs()) {
		return e, nil
	}
	if len(es) != len(e.Projections)*len(e.Out) {
		return nil, fmt.Errorf("expand: %d expressions for %d projections of %d columns", len(es), len(e.Projections), len(e.Out))
	}
	ps := make([][]Expr, len(e.Projections))
	for i := range ps {
		ps[i] = append([]Expr(nil), es[i*len(e.Out):(i+1)*len(e.Out)]...)
	}
	return NewExpand(e.Input, ps, e.Out)
}

// String renders `Expand: [a, b, 0], [a, NULL, 1] AS [a, b, grouping_id]`.
func (e *Expand) String() string {
	ps := make([]string, len(e.Projections))
	for i, p := range e.Projections {
		ps[i] = "[" + joinExprs(p) + "]"
	}
	names := make([]string, len(e.Out))
	for i, c := range e.Out {
		names[i] = c.Name
	}
	return "Expand: " + strings.Join(ps, ", ") + " AS [" + strings.Join(names, ", ") + "]"
}
