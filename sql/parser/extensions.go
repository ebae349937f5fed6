package parser

import (
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// extensions is what the rewrites left in one Query's AST, collected after parsing, and where
// the Query's text lies in its script.
type extensions struct {
	fullJoins map[*ast.Join]struct{}
	nulls     map[*ast.ByItem]bool // true for NULLS FIRST
	// groupingSets holds the expanded sets of GROUP BY clauses with grouping sets (grouping.go).
	groupingSets map[*ast.GroupByClause][][]ast.ExprNode
	// tableFuncs holds the table function calls in FROM, by the derived table each became.
	tableFuncs map[*ast.SelectStmt]tableFuncMarker
	// cascade, overwrite and showStats record DROP DATABASE ... CASCADE, INSERT OVERWRITE
	// and SHOW STATS.
	cascade, overwrite, showStats bool
	script                        string
	start                         int
}

// tableFuncMarker is a table function call as collect found it: the marker call (whose
// position collect points back at the function's name) and the alias's column names.
type tableFuncMarker struct {
	name   string
	marker *ast.FuncCallExpr
	cols   []string
}

func (e extensions) isFullJoin(j *ast.Join) bool {
	_, ok := e.fullJoins[j]
	return ok
}

func (e extensions) nullsOrder(b *ast.ByItem) (first, explicit bool) {
	first, explicit = e.nulls[b]
	return first, explicit
}

// Position converts offset, a byte offset into q.SQL such as an expression node's
// OriginTextPosition, into the 1-based line and column (in characters) of the script q was
// parsed from.
func (q *Query) Position(offset int) (line, column int) {
	if q.ext.script == "" {
		return lineCol(q.SQL, offset)
	}
	return lineCol(q.ext.script, q.ext.start+offset)
}

// IsBooleanCast reports whether c is a CAST(... AS BOOLEAN): TiDB has no boolean cast, so the
// parser gives such a cast the type TINYINT(1) with mysql.IsBooleanFlag, which TiDB's own
// CAST never produces.
func IsBooleanCast(c *ast.FuncCastExpr) bool {
	return c.FunctionType == ast.CastFunction && c.Tp != nil &&
		c.Tp.GetType() == mysql.TypeTiny && mysql.HasIsBooleanFlag(c.Tp.GetFlag())
}

func booleanType() *types.FieldType {
	tp := types.NewFieldType(mysql.TypeTiny)
	tp.SetFlen(1)
	tp.AddFlag(mysql.IsBooleanFlag)
	return tp
}

// collector walks a parsed statement once: it turns the rewrites' markers into extensions
// (clearing them from the AST), and, when the text was rewritten, points node texts and
// expression offsets back at the original text.
type collector struct {
	ext                     extensions
	rw                      *rewritten
	full, nullsItems, bools int
	grouping                groupingCollector
	// tableFuncs counts the table function markers found; tableErr is the first malformed one.
	tableFuncs int
	tableErr   *Error
}

// collect reads the markers of node, parsed from rw.text, the rewrite of script[start:end]. It
// fails when the AST does not hold exactly the markers the rewrites made (a bug, reported
// rather than answered wrongly).
func collect(node ast.StmtNode, rw *rewritten, script string, start, end int) (extensions, error) {
	c := &collector{rw: rw, ext: extensions{script: script, start: start}}
	node.Accept(c)
	node.SetText(nil, script[start:end])
	if rw.nullsItems > 0 {
		ast.SetFlag(node) // the unwrapped markers were function calls
	}
	if c.grouping.err != nil {
		return extensions{}, c.grouping.err
	}
	if c.tableErr != nil {
		return extensions{}, c.tableErr
	}
	if c.full != rw.fullJoins || c.nullsItems != rw.nullsItems || c.bools != rw.boolCasts || c.grouping.markers != rw.groupings ||
		c.tableFuncs != rw.tableFuncs {
		return extensions{}, errorAt(script, start, "internal error: the parser lost track of FULL JOIN, NULLS FIRST/LAST, CAST AS BOOLEAN, grouping sets or table functions (please report this statement)", "")
	}
	return c.ext, nil
}

// Enter implements ast.Visitor.
func (c *collector) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.Join:
		if x.StraightJoin {
			x.StraightJoin = false
			if c.ext.fullJoins == nil {
				c.ext.fullJoins = make(map[*ast.Join]struct{})
			}
			c.ext.fullJoins[x] = struct{}{}
			c.full++
		}
	case *ast.ByItem:
		if f, ok := x.Expr.(*ast.FuncCallExpr); ok && len(f.Args) == 1 &&
			(f.FnName.L == markerNullsFirst || f.FnName.L == markerNullsLast) {
			x.Expr = orderByExpr(f.Args[0])
			if c.ext.nulls == nil {
				c.ext.nulls = make(map[*ast.ByItem]bool)
			}
			c.ext.nulls[x] = f.FnName.L == markerNullsFirst
			c.nullsItems++
		}
	case *ast.GroupByClause:
		c.groupBy(x)
	case *ast.SelectStmt:
		c.tableFunction(x)
	case *ast.FuncCastExpr:
		if x.FunctionType == ast.CastFunction && x.Tp != nil && x.Tp.IsArray() {
			x.Tp = booleanType()
			c.bools++
		}
	}
	if len(c.rw.marks) > 0 {
		c.fixText(n)
	}
	return n, false
}

// tableFunction records a derived table that the table function rewrite made: a SELECT
// whose first field is the marker call, with the column marker as an optional second field.
func (c *collector) tableFunction(sel *ast.SelectStmt) {
	if sel.Fields == nil || len(sel.Fields.Fields) == 0 {
		return
	}
	call, ok := sel.Fields.Fields[0].Expr.(*ast.FuncCallExpr)
	if !ok || call.FnName.L != markerTableFunction {
		return
	}
	c.tableFuncs++
	fields := sel.Fields.Fields
	name, ok := markerString(call, 0)
	var cols []string
	if ok && len(fields) == 2 {
		colCall, isCall := fields[1].Expr.(*ast.FuncCallExpr)
		ok = isCall && colCall.FnName.L == markerTableColumns && len(colCall.Args) > 0
		for i := 0; ok && i < len(colCall.Args); i++ {
			var col string
			col, ok = markerString(colCall, i)
			cols = append(cols, col)
		}
	}
	if !ok || len(fields) > 2 || sel.From != nil || sel.Where != nil || sel.GroupBy != nil {
		if c.tableErr == nil {
			c.tableErr = errorAt(c.ext.script, c.ext.start, "internal error: the parser lost track of a table function in FROM (please report this statement)", "")
		}
		return
	}
	if c.ext.tableFuncs == nil {
		c.ext.tableFuncs = make(map[*ast.SelectStmt]tableFuncMarker)
	}
	c.ext.tableFuncs[sel] = tableFuncMarker{name: name, marker: call, cols: cols}
}

// markerString returns argument i of a marker call, a string literal the rewrite wrote.
func markerString(call *ast.FuncCallExpr, i int) (string, bool) {
	if i >= len(call.Args) {
		return "", false
	}
	v, ok := call.Args[i].(ast.ValueExpr)
	if !ok {
		return "", false
	}
	str, ok := v.GetValue().(string)
	return str, ok
}

// Leave implements ast.Visitor.
func (*collector) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// orderByExpr does for an unwrapped ORDER BY expression what TiDB's grammar does for a bare
// one: an integer literal is a position in the select list.
func orderByExpr(e ast.ExprNode) ast.ExprNode {
	if v, ok := e.(ast.ValueExpr); ok {
		if n, ok := v.GetValue().(int64); ok {
			return &ast.PositionExpr{N: int(n)}
		}
	}
	return e
}

// fixText makes n's text and offset refer to the original text: TiDB set them from the
// rewritten text. Offsets become relative to the statement (as TiDB's are).
func (c *collector) fixText(n ast.Node) {
	rw := c.rw
	hint := n.OriginTextPosition()
	if f, ok := n.(*ast.SelectField); ok {
		hint = f.Offset
	}
	if _, ok := n.(ast.ExprNode); ok {
		n.SetOriginTextPosition(rw.origStart(hint) - rw.start)
	}
	text := n.OriginalText()
	if text == "" {
		return
	}
	off := -1
	if hint >= 0 && hint <= len(rw.text) {
		skipped := len(rw.text[hint:]) - len(strings.TrimLeft(rw.text[hint:], " \t\r\n"))
		if strings.HasPrefix(rw.text[hint+skipped:], text) {
			off = hint + skipped
		}
	}
	if off < 0 && strings.Count(rw.text, text) == 1 {
		off = strings.Index(rw.text, text)
	}
	if off < 0 {
		return
	}
	script := c.ext.script
	n.SetText(nil, script[rw.origStart(off):rw.origEnd(off+len(text))])
	if f, ok := n.(*ast.SelectField); ok {
		f.Offset = rw.origStart(f.Offset) - rw.start
	}
}
