package binder

import (
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// bindSpecialFunc binds the calls whose arguments TiDB parses into special forms (SUBSTRING
// ... FROM ... FOR, TRIM(LEADING ...), EXTRACT(unit FROM ...), ...); ok is false when x is
// an ordinary call for the registry.
func (s *state) bindSpecialFunc(ctx *exprCtx, x *ast.FuncCallExpr) (e planner.Expr, ok bool, err error) {
	return nil, false, nil
}
