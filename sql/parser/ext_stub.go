package parser

import "github.com/pingcap/tidb/pkg/parser/ast"

// extensions is a placeholder until the rewrites land.
type extensions struct{}

func (extensions) isFullJoin(*ast.Join) bool                 { return false }
func (extensions) nullsOrder(*ast.ByItem) (first, exp bool) { return false, false }
