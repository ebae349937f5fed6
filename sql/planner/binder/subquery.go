package binder

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// bindSubquery binds a subquery used as an expression.
func (s *state) bindSubquery(ctx *exprCtx, x ast.ExprNode) (planner.Expr, error) {
	return nil, errs.NotImplementedf("subqueries in expressions are not supported yet: %s", s.text(x))
}
