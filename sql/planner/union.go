package planner

import "fmt"

// Union is UNION ALL: the rows of every input, which all have the same column count and
// types as Out. Out has columns of its own (new IDs), named after the first input's. UNION
// (distinct) is Distinct over Union.
type Union struct {
	Inputs []Plan
	Out    []Column
}

// NewUnion validates that every input matches Out in count and type.
func NewUnion(inputs []Plan, out []Column) (*Union, error) {
	if len(inputs) < 2 {
		return nil, fmt.Errorf("union: needs at least two inputs, got %d", len(inputs))
	}
	for i, in := range inputs {
		s := in.Schema()
		if len(s) != len(out) {
			return nil, fmt.Errorf("union: input %d has %d columns, expected %d", i+1, len(s), len(out))
		}
		for j, c := range s {
			if c.Type.ID() != out[j].Type.ID() {
				return nil, fmt.Errorf("union: input %d column %d has type %s, expected %s", i+1, j+1, TypeString(c.Type), TypeString(out[j].Type))
			}
		}
	}
	return &Union{Inputs: inputs, Out: out}, nil
}

func (u *Union) Schema() Schema   { return u.Out }
func (u *Union) Children() []Plan { return u.Inputs }
func (u *Union) WithChildren(c []Plan) (Plan, error) {
	if samePlans(c, u.Inputs) {
		return u, nil
	}
	return NewUnion(c, u.Out)
}
func (u *Union) Exprs() []Expr                     { return nil }
func (u *Union) WithExprs(es []Expr) (Plan, error) { return u, nil }
func (u *Union) String() string                    { return "Union: all" }
