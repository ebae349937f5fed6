package planner

import "fmt"

// SetOpKind is the kind of a SetOp.
type SetOpKind string

// The set operations other than UNION (which is Union, or Distinct over Union).
const (
	Intersect SetOpKind = "Intersect"
	Except    SetOpKind = "Except"
)

// SetOp is INTERSECT or EXCEPT of two inputs with the same column count and types as Out.
// Rows compare as whole tuples with NULL equal to NULL (GROUP BY equality). With All false
// the result has no duplicates: INTERSECT keeps the distinct rows found in both inputs,
// EXCEPT the distinct left rows not found in the right. With All (INTERSECT ALL, EXCEPT
// ALL) a row found m times on the left and n times on the right comes out min(m, n) times
// (INTERSECT) or max(m-n, 0) times (EXCEPT). Out has columns of its own (new IDs), named
// after the left input's.
type SetOp struct {
	Kind        SetOpKind
	All         bool
	Left, Right Plan
	Out         []Column
}

// NewSetOp validates the kind and that both inputs match Out in count and type.
func NewSetOp(kind SetOpKind, all bool, left, right Plan, out []Column) (*SetOp, error) {
	if kind != Intersect && kind != Except {
		return nil, fmt.Errorf("set operation: unknown kind %q", kind)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("set operation: needs at least one column")
	}
	for i, in := range []Plan{left, right} {
		s := in.Schema()
		if len(s) != len(out) {
			return nil, fmt.Errorf("%s: input %d has %d columns, expected %d", kind, i+1, len(s), len(out))
		}
		for j, c := range s {
			if c.Type.ID() != out[j].Type.ID() {
				return nil, fmt.Errorf("%s: input %d column %d has type %s, expected %s", kind, i+1, j+1, TypeString(c.Type), TypeString(out[j].Type))
			}
		}
	}
	return &SetOp{Kind: kind, All: all, Left: left, Right: right, Out: out}, nil
}

func (s *SetOp) Schema() Schema   { return s.Out }
func (s *SetOp) Children() []Plan { return []Plan{s.Left, s.Right} }
func (s *SetOp) WithChildren(c []Plan) (Plan, error) {
	if c[0] == s.Left && c[1] == s.Right {
		return s, nil
	}
	return NewSetOp(s.Kind, s.All, c[0], c[1], s.Out)
}
func (s *SetOp) Exprs() []Expr                     { return nil }
func (s *SetOp) WithExprs(es []Expr) (Plan, error) { return s, nil }
func (s *SetOp) String() string {
	if s.All {
		return string(s.Kind) + ": all"
	}
	return string(s.Kind) + ": distinct"
}
