package planner

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
)

// Generate runs a table-generating function over its input, like Spark's Generate node:
// explode(Arg) gives one output row per element of the ARRAY or VECTOR Arg of each input row,
// holding the input row's columns and, in Out, the element. An input row whose Arg is NULL or
// empty gives no row, or with Outer (explode_outer) one row whose element is NULL. Output
// rows keep the input's order, elements in array order.
//
// The schema is the input's columns followed by Out, so a rule that narrows the input
// (projection pruning) narrows the Generate with it.
type Generate struct {
	Input Plan
	Arg   Expr
	Outer bool
	Out   Column
}

// NewGenerate validates that Arg is an ARRAY or VECTOR over input columns and that Out has
// its element type and an ID the input does not have.
func NewGenerate(input Plan, arg Expr, outer bool, out Column) (*Generate, error) {
	elem := ElemType(arg.Type())
	if elem == nil {
		return nil, fmt.Errorf("generate: argument %s has type %s, not ARRAY or VECTOR", arg, TypeString(arg.Type()))
	}
	if err := checkRefs(input.Schema(), arg); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	if !arrow.TypeEqual(out.Type, elem) {
		return nil, fmt.Errorf("generate: output column %s has type %s, not the element type %s", out.Name, TypeString(out.Type), TypeString(elem))
	}
	if input.Schema().IndexOf(out.ID) >= 0 {
		return nil, fmt.Errorf("generate: output column %s is already an input column", out.Name)
	}
	return &Generate{Input: input, Arg: arg, Outer: outer, Out: out}, nil
}

// FuncName is the SQL name of the generator: explode or explode_outer.
func (g *Generate) FuncName() string {
	if g.Outer {
		return "explode_outer"
	}
	return "explode"
}

func (g *Generate) Schema() Schema   { return append(slices.Clip(g.Input.Schema()), g.Out) }
func (g *Generate) Children() []Plan { return []Plan{g.Input} }
func (g *Generate) WithChildren(c []Plan) (Plan, error) {
	if c[0] == g.Input {
		return g, nil
	}
	return NewGenerate(c[0], g.Arg, g.Outer, g.Out)
}
func (g *Generate) Exprs() []Expr { return []Expr{g.Arg} }
func (g *Generate) WithExprs(es []Expr) (Plan, error) {
	if es[0] == g.Arg {
		return g, nil
	}
	return NewGenerate(g.Input, es[0], g.Outer, g.Out)
}
func (g *Generate) String() string {
	return "Generate: " + g.FuncName() + "(" + g.Arg.String() + ") AS " + g.Out.Name
}
