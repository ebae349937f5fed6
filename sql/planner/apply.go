package planner

import "fmt"

// Apply evaluates Subquery, which reads columns of Input through OuterRef, once per
// distinct combination of those columns' values, and appends the result as column Out:
//   - ScalarSubquery: the value of Subquery's single column (NULL without rows; more than
//     one row is an execution error);
//   - ExistsSubquery: whether Subquery yields a row;
//   - AnySubquery: the three-valued OR of Subquery's single BOOLEAN column (TRUE if some row
//     is TRUE, else NULL if some row is NULL, else FALSE).
//
// It is the fallback for correlated subqueries the optimizer cannot turn into joins (a
// correlation under LIMIT, for instance): correct for any shape, but it runs the subquery
// per outer value.
type Apply struct {
	Input    Plan
	Subquery Plan
	Kind     SubqueryKind
	Out      Column
}

// NewApply validates the shape of Subquery for the kind.
func NewApply(input, sub Plan, kind SubqueryKind, out Column) (*Apply, error) {
	s := sub.Schema()
	switch kind {
	case ScalarSubquery:
		if len(s) != 1 || s[0].Type.ID() != out.Type.ID() {
			return nil, fmt.Errorf("apply: a scalar subquery needs one column of the output's type")
		}
	case AnySubquery:
		if len(s) != 1 || s[0].Type.ID() != Boolean.ID() || out.Type.ID() != Boolean.ID() {
			return nil, fmt.Errorf("apply: an ANY subquery needs one BOOLEAN column")
		}
	case ExistsSubquery:
		if out.Type.ID() != Boolean.ID() {
			return nil, fmt.Errorf("apply: EXISTS gives a BOOLEAN")
		}
	}
	return &Apply{Input: input, Subquery: sub, Kind: kind, Out: out}, nil
}

func (a *Apply) Schema() Schema   { return append(append(Schema{}, a.Input.Schema()...), a.Out) }
func (a *Apply) Children() []Plan { return []Plan{a.Input, a.Subquery} }
func (a *Apply) WithChildren(c []Plan) (Plan, error) {
	if c[0] == a.Input && c[1] == a.Subquery {
		return a, nil
	}
	return NewApply(c[0], c[1], a.Kind, a.Out)
}
func (a *Apply) Exprs() []Expr                     { return nil }
func (a *Apply) WithExprs(es []Expr) (Plan, error) { return a, nil }
func (a *Apply) String() string {
	kind := map[SubqueryKind]string{ScalarSubquery: "scalar", ExistsSubquery: "exists", AnySubquery: "any"}[a.Kind]
	return "Apply: " + kind + " AS " + a.Out.Name
}
