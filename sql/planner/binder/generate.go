package binder

import (
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// generateState collects the table-generating calls (explode) of one select list.
type generateState struct{}

func newGenerateState() *generateState { return &generateState{} }

// bindGenerator binds a call of a table-generating function; ok is false when x is not one.
func (s *state) bindGenerator(ctx *exprCtx, x *ast.FuncCallExpr) (e planner.Expr, ok bool, err error) {
	return nil, false, nil
}

// plan puts the generators over input (input itself when there are none).
func (g *generateState) plan(input planner.Plan) (planner.Plan, error) { return input, nil }
