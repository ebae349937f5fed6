package planner

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// SubqueryKind is what a subquery expression asks of its rows.
type SubqueryKind int

// The subquery kinds. IN is ANY with "="; "x op ALL (q)" is bound as NOT (x op' ANY (q))
// with op' the complement of op, which has exactly ALL's three-valued meaning.
const (
	// ScalarSubquery is the value of the single column of the at most one row of the plan.
	ScalarSubquery SubqueryKind = iota
	// ExistsSubquery is whether the plan yields a row.
	ExistsSubquery
	// AnySubquery is "E Op ANY (plan)": TRUE when some row compares TRUE, else NULL when
	// some row compares NULL (or E is NULL and there are rows), else FALSE.
	AnySubquery
)

// Subquery is a subquery used as an expression. Plan may read columns of enclosing queries
// through OuterRef expressions (a correlated subquery). The optimizer's decorrelation turns
// every Subquery into a join before execution; Plan is not a child expression, so
// expression transforms do not enter it.
type Subquery struct {
	Kind SubqueryKind
	Plan Plan
	// E is the left operand of an AnySubquery, already of the type of the plan's column.
	E Expr
	// Op is the comparison of an AnySubquery.
	Op BinaryOp
	// Negated is NOT EXISTS, or NOT (E Op ANY ...).
	Negated bool
}

// NewSubquery validates the shape: a scalar or ANY subquery has one column; ANY needs E of
// that column's type and a comparison.
func NewSubquery(kind SubqueryKind, plan Plan, e Expr, op BinaryOp, negated bool) (*Subquery, error) {
	s := plan.Schema()
	switch kind {
	case ScalarSubquery:
		if len(s) != 1 {
			return nil, fmt.Errorf("a scalar subquery must return one column, not %d", len(s))
		}
	case AnySubquery:
		if len(s) != 1 {
			return nil, fmt.Errorf("the subquery of %s ANY/IN must return one column, not %d", op, len(s))
		}
		if e == nil || !op.IsComparison() {
			return nil, fmt.Errorf("ANY subquery needs an operand and a comparison")
		}
		if !arrow.TypeEqual(e.Type(), s[0].Type) {
			return nil, fmt.Errorf("ANY subquery: operand type %s differs from the column type %s", TypeString(e.Type()), TypeString(s[0].Type))
		}
	}
	return &Subquery{Kind: kind, Plan: plan, E: e, Op: op, Negated: negated}, nil
}

func (e *Subquery) Type() arrow.DataType {
	if e.Kind == ScalarSubquery {
		return e.Plan.Schema()[0].Type
	}
	return Boolean
}

func (e *Subquery) Nullable() bool { return e.Kind != ExistsSubquery }

func (e *Subquery) Children() []Expr {
	if e.E == nil {
		return nil
	}
	return []Expr{e.E}
}

func (e *Subquery) WithChildren(c []Expr) Expr {
	if len(c) == 0 || c[0] == e.E {
		return e
	}
	n := *e
	n.E = c[0]
	return &n
}

// WithPlan returns a copy reading another plan (same schema).
func (e *Subquery) WithPlan(p Plan) *Subquery {
	if p == e.Plan {
		return e
	}
	n := *e
	n.Plan = p
	return &n
}

func (e *Subquery) String() string {
	not := ""
	if e.Negated {
		not = "NOT "
	}
	// The plan is not shown: EXPLAIN prints optimized plans, where subqueries are joins.
	switch e.Kind {
	case ExistsSubquery:
		return not + "EXISTS(subquery)"
	case AnySubquery:
		return fmt.Sprintf("%s(%s %s ANY(subquery))", not, e.E, e.Op)
	}
	return "scalar(subquery)"
}

// OuterRef reads column Col of an enclosing query from inside a correlated subquery. It is
// not a ColumnRef: the node holding it does not have Col in its input.
type OuterRef struct{ Col Column }

func (e *OuterRef) Type() arrow.DataType       { return e.Col.Type }
func (e *OuterRef) Nullable() bool             { return e.Col.Nullable }
func (e *OuterRef) Children() []Expr           { return nil }
func (e *OuterRef) WithChildren(c []Expr) Expr { return e }
func (e *OuterRef) String() string             { return "outer(" + e.Col.QualifiedName() + ")" }

// HasSubquery reports whether e contains a Subquery expression.
func HasSubquery(e Expr) bool {
	found := false
	WalkExpr(e, func(x Expr) bool {
		if _, ok := x.(*Subquery); ok {
			found = true
		}
		return !found
	})
	return found
}

// OuterRefsOf returns the columns that OuterRefs anywhere in p (its expressions and those of
// its subqueries, at any depth) read, keyed by ID.
func OuterRefsOf(p Plan) map[ColumnID]Column {
	out := map[ColumnID]Column{}
	var visit func(Plan)
	visitExpr := func(e Expr) {
		WalkExpr(e, func(x Expr) bool {
			switch y := x.(type) {
			case *OuterRef:
				out[y.Col.ID] = y.Col
			case *Subquery:
				visit(y.Plan)
			}
			return true
		})
	}
	visit = func(p Plan) {
		for _, e := range p.Exprs() {
			visitExpr(e)
		}
		for _, c := range p.Children() {
			visit(c)
		}
	}
	visit(p)
	return out
}
