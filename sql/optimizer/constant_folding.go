package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// ConstantFolding evaluates constant expressions once at plan time and simplifies boolean
// logic, then drops filters that became constant.
//
//	Filter: (a > (1 + 2)) AND true        Filter: (a > 3)
//	  Scan: t [a]                   →       Scan: t [a]
//
//	Filter: (a > 1) AND false       →     Values:            (no rows, same columns)
//	  Scan: t [a]
//
// Expressions, bottom-up, in every node (projections, conditions, keys, aggregate
// arguments, scan filters):
//   - an expression whose children are all literals, and that is not a function or is an
//     Immutable one, becomes the literal Context.Eval returns (no Eval: no folding);
//   - x AND true → x, x AND false → false, x OR true → true, x OR false → x (either order;
//     right under SQL's three-valued logic, NULL included), NOT NOT x → x, NOT true → false,
//     NOT false → true, NOT NULL → NULL. These need no Eval.
//   - conjuncts common to every branch of an OR move out of it:
//     (a = b AND x) OR (a = b AND y) → a = b AND (x OR y), so a join key hidden in a
//     disjunction (TPC-H Q19) becomes a hash key. Distributivity and absorption hold under
//     three-valued logic, so this is exact.
//
// Plans: a Filter whose condition is the literal true is removed; false or NULL makes it an
// empty Values with the Filter's columns (zero rows, same IDs and types).
//
// Refuses: Stable and Volatile functions (now(), rand()) and aggregate calls are never
// folded: count(1) is not a constant. When Eval fails (CAST('x' AS BIGINT)) the expression
// is kept, so that the error surfaces at run time and only if a row reaches it, as in the
// unoptimized plan. A simplification that would change an expression's type (x AND true
// with x a bare NULL) is skipped.
type ConstantFolding struct{}

// Name implements Rule.
func (ConstantFolding) Name() string { return "ConstantFolding" }

// Apply implements Rule.
func (ConstantFolding) Apply(p planner.Plan, ctx *Context) (planner.Plan, error) {
	var eval ConstEvaluator
	if ctx != nil {
		eval = ctx.Eval
	}
	fold := func(e planner.Expr) (planner.Expr, error) { return foldExpr(e, eval) }
	return planner.TransformUp(p, func(n planner.Plan) (planner.Plan, error) {
		n, err := planner.TransformExprs(n, fold)
		if err != nil {
			return nil, err
		}
		f, ok := n.(*planner.Filter)
		if !ok {
			return n, nil
		}
		lit, ok := f.Cond.(*planner.Literal)
		if !ok {
			return n, nil
		}
		switch lit.Value {
		case true:
			return f.Input, nil
		case false, nil:
			return planner.NewValues(nil, f.Schema())
		}
		return n, nil
	})
}

// foldExpr rewrites one expression node whose children are already folded.
func foldExpr(e planner.Expr, eval ConstEvaluator) (planner.Expr, error) {
	switch x := e.(type) {
	case *planner.Literal, *planner.ColumnRef, *planner.AggregateCall:
		return e, nil
	case *planner.Binary:
		if s := simplifyLogic(x); s != nil {
			return s, nil
		}
		if s := factorOr(x); s != nil {
			return s, nil
		}
	case *planner.Not:
		if inner, ok := x.E.(*planner.Not); ok && isBoolean(inner.E) {
			return inner.E, nil
		}
		if l, ok := x.E.(*planner.Literal); ok {
			switch v := l.Value.(type) {
			case bool:
				return planner.NewLiteral(!v, planner.Boolean), nil
			case nil:
				return planner.NewLiteral(nil, planner.Boolean), nil
			}
		}
	}
	if eval == nil || !constant(e) {
		return e, nil
	}
	lit, err := eval(e)
	if err != nil || lit == nil {
		return e, nil // keep it: the error belongs to run time
	}
	if !arrow.TypeEqual(lit.Typ, e.Type()) {
		if lit.Value != nil {
			return nil, errs.Internalf("constant evaluator returned %s of type %s for %s of type %s",
				lit, planner.TypeString(lit.Typ), e, planner.TypeString(e.Type()))
		}
		lit = planner.NewLiteral(nil, e.Type())
	}
	return lit, nil
}

// simplifyLogic applies the AND/OR identities with a boolean literal operand, or returns nil.
func simplifyLogic(b *planner.Binary) planner.Expr {
	if b.Op != planner.OpAnd && b.Op != planner.OpOr {
		return nil
	}
	// absorbing is false for AND and true for OR; the other constant is the identity.
	absorbing := b.Op == planner.OpOr
	for _, side := range [2][2]planner.Expr{{b.Left, b.Right}, {b.Right, b.Left}} {
		l, ok := side[0].(*planner.Literal)
		if !ok {
			continue
		}
		v, ok := l.Value.(bool)
		if !ok {
			continue
		}
		if v == absorbing {
			return planner.NewLiteral(absorbing, planner.Boolean)
		}
		if arrow.TypeEqual(side[1].Type(), b.Type()) {
			return side[1]
		}
	}
	return nil
}

// constant reports whether e may be evaluated now: every child is a literal and e calls
// no function that is not Immutable.
func constant(e planner.Expr) bool {
	if f, ok := e.(*planner.ScalarFunc); ok && f.Fn.Volatility() != udf.Immutable {
		return false
	}
	for _, c := range e.Children() {
		if _, ok := c.(*planner.Literal); !ok {
			return false
		}
	}
	return true
}

func isBoolean(e planner.Expr) bool { return e.Type().ID() == arrow.BOOL }

// factorOr takes the conjuncts shared by every disjunct of an OR out of it, or returns nil.
func factorOr(b *planner.Binary) planner.Expr {
	if b.Op != planner.OpOr {
		return nil
	}
	var branches [][]planner.Expr
	for _, d := range splitDisjunction(b) {
		branches = append(branches, planner.SplitConjunction(d))
	}
	var common []planner.Expr
	for _, c := range branches[0] {
		shared := true
		for _, br := range branches[1:] {
			shared = shared && containsExpr(br, c)
		}
		if shared && deterministic(c) && !containsExpr(common, c) {
			common = append(common, c)
		}
	}
	if len(common) == 0 {
		return nil
	}
	var rest []planner.Expr
	for _, br := range branches {
		var left []planner.Expr
		for _, c := range br {
			if !containsExpr(common, c) {
				left = append(left, c)
			}
		}
		if len(left) == 0 {
			// One branch is just the common part: the OR adds nothing (absorption).
			return planner.Conjunction(common)
		}
		rest = append(rest, planner.Conjunction(left))
	}
	var or planner.Expr
	for _, r := range rest {
		if or == nil {
			or = r
		} else {
			or = &planner.Binary{Op: planner.OpOr, Left: or, Right: r, Typ: planner.Boolean}
		}
	}
	return planner.Conjunction(append(common, or))
}

// splitDisjunction returns the OR-ed parts of e.
func splitDisjunction(e planner.Expr) []planner.Expr {
	if b, ok := e.(*planner.Binary); ok && b.Op == planner.OpOr {
		return append(splitDisjunction(b.Left), splitDisjunction(b.Right)...)
	}
	return []planner.Expr{e}
}
