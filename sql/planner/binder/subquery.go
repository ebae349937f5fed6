package binder

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// Subqueries in expressions are bound into planner.Subquery expressions holding the bound
// plan of the subquery; names the subquery does not have resolve in the enclosing queries
// as planner.OuterRef (correlation, at any depth). The optimizer's decorrelation turns them
// into joins. "x op ALL (q)" is bound as NOT (x op' ANY (q)) with op' the complement of op,
// which has ALL's three-valued meaning exactly; "x IN (q)" is "x = ANY (q)".

// bindSubquery binds a scalar subquery, EXISTS or a quantified comparison.
func (s *state) bindSubquery(ctx *exprCtx, x ast.ExprNode) (planner.Expr, error) {
	switch n := x.(type) {
	case *ast.SubqueryExpr:
		plan, err := s.bindSubqueryPlan(ctx, n)
		if err != nil {
			return nil, err
		}
		if n.Exists {
			return s.newSubquery(planner.ExistsSubquery, plan, nil, "", false, x)
		}
		if k := len(plan.Schema()); k != 1 {
			return nil, errs.Planf("a subquery used as a value must return one column, not %d: %s", k, s.text(x))
		}
		return s.newSubquery(planner.ScalarSubquery, plan, nil, "", false, x)
	case *ast.ExistsSubqueryExpr:
		sub, ok := n.Sel.(*ast.SubqueryExpr)
		if !ok {
			return nil, errs.NotImplementedf("EXISTS over %s is not supported", s.text(n.Sel))
		}
		plan, err := s.bindSubqueryPlan(ctx, sub)
		if err != nil {
			return nil, err
		}
		return s.newSubquery(planner.ExistsSubquery, plan, nil, "", n.Not, x)
	case *ast.CompareSubqueryExpr:
		ops := map[opcode.Op]planner.BinaryOp{opcode.EQ: planner.OpEq, opcode.NE: planner.OpNe,
			opcode.LT: planner.OpLt, opcode.LE: planner.OpLe, opcode.GT: planner.OpGt, opcode.GE: planner.OpGe}
		op, ok := ops[n.Op]
		if !ok {
			return nil, errs.NotImplementedf("operator %s with ANY/ALL is not supported: %s", n.Op, s.text(x))
		}
		sub, ok := n.R.(*ast.SubqueryExpr)
		if !ok {
			return nil, errs.NotImplementedf("ANY/ALL over %s is not supported", s.text(n.R))
		}
		if n.All {
			return s.bindAny(ctx, n.L, sub, complement(op), true, x)
		}
		return s.bindAny(ctx, n.L, sub, op, false, x)
	}
	return nil, errs.NotImplementedf("subquery form %s is not supported", s.text(x))
}

// bindInSubquery binds "x [NOT] IN (SELECT ...)" as "[NOT] x = ANY (...)".
func (s *state) bindInSubquery(ctx *exprCtx, x *ast.PatternInExpr) (planner.Expr, error) {
	sub, ok := x.Sel.(*ast.SubqueryExpr)
	if !ok {
		return nil, errs.NotImplementedf("IN over %s is not supported", s.text(x.Sel))
	}
	return s.bindAny(ctx, x.Expr, sub, planner.OpEq, x.Not, x)
}

// bindAny binds "[NOT] (l op ANY (sub))": both sides are brought to one type, the
// subquery's column through a projection over its plan when it needs a cast.
func (s *state) bindAny(ctx *exprCtx, lnode ast.ExprNode, sub *ast.SubqueryExpr, op planner.BinaryOp, negated bool, at ast.ExprNode) (planner.Expr, error) {
	if _, ok := lnode.(*ast.RowExpr); ok {
		return nil, errs.NotImplementedf("a row compared with a subquery is not supported: %s", s.text(at))
	}
	l, err := s.bindExpr(ctx, lnode)
	if err != nil {
		return nil, err
	}
	plan, err := s.bindSubqueryPlan(ctx, sub)
	if err != nil {
		return nil, err
	}
	if k := len(plan.Schema()); k != 1 {
		return nil, errs.Planf("the subquery of %s must return one column, not %d", s.text(at), k)
	}
	col := plan.Schema()[0]
	es, _, err := s.unify(compareCtx, []planner.Expr{l, planner.NewColumnRef(col)}, at)
	if err != nil {
		return nil, err
	}
	if c, ok := es[1].(*planner.ColumnRef); !ok || c.Col.ID != col.ID {
		p, err := project(plan, es[1:], []string{col.Name})
		if err != nil {
			return nil, err
		}
		plan = p
	}
	return s.newSubquery(planner.AnySubquery, plan, es[0], op, negated, at)
}

// bindSubqueryPlan binds the query of a subquery with ctx's columns visible as outer
// references.
func (s *state) bindSubqueryPlan(ctx *exprCtx, sub *ast.SubqueryExpr) (planner.Plan, error) {
	s.outer = append(s.outer, ctx)
	defer func() { s.outer = s.outer[:len(s.outer)-1] }()
	return s.bindQueryNode(sub.Query)
}

func (s *state) newSubquery(kind planner.SubqueryKind, plan planner.Plan, e planner.Expr, op planner.BinaryOp, negated bool, at ast.ExprNode) (planner.Expr, error) {
	q, err := planner.NewSubquery(kind, plan, e, op, negated)
	if err != nil {
		return nil, internal(err)
	}
	return q, nil
}

// complement returns the comparison that is TRUE exactly when op is FALSE (and NULL when op
// is NULL).
func complement(op planner.BinaryOp) planner.BinaryOp {
	switch op {
	case planner.OpEq:
		return planner.OpNe
	case planner.OpNe:
		return planner.OpEq
	case planner.OpLt:
		return planner.OpGe
	case planner.OpLe:
		return planner.OpGt
	case planner.OpGt:
		return planner.OpLe
	}
	return planner.OpLt // OpGe
}
