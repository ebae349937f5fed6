package binder

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// windowState collects the window function calls of one SELECT (select list and ORDER BY).
type windowState struct{}

func newWindowState() *windowState { return &windowState{} }

// bindWindowFunc binds fn(...) OVER (...).
func (s *state) bindWindowFunc(ctx *exprCtx, x *ast.WindowFuncExpr) (planner.Expr, error) {
	return nil, errs.NotImplementedf("window functions are not supported yet: %s", s.text(x))
}

// plan puts the window computations over input (input itself when there are none).
func (w *windowState) plan(input planner.Plan) (planner.Plan, error) { return input, nil }
