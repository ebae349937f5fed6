package parser

import "github.com/pingcap/tidb/pkg/parser/ast"

// Statement is one parsed SQL statement: either a *Query (anything TiDB's parser accepts,
// possibly after Ember's meaning-preserving rewrites) or one of Ember's own statements.
type Statement interface {
	// Text is the statement's original SQL text, as the user typed it.
	Text() string
}

// Query is a statement parsed by TiDB's parser (SELECT, set operations, SHOW, DESCRIBE,
// EXPLAIN, DROP TABLE, SET, ...). The binder reads Node, and asks the Query about the
// extensions that TiDB's AST cannot express.
type Query struct {
	Node ast.StmtNode
	SQL  string
	// ext holds what the rewrites recorded (FULL joins, NULLS FIRST/LAST).
	ext extensions
}

// Text returns the original text.
func (q *Query) Text() string { return q.SQL }

// IsFullJoin reports whether j was written as FULL [OUTER] JOIN (TiDB's AST has no such
// join type).
func (q *Query) IsFullJoin(j *ast.Join) bool { return q.ext.isFullJoin(j) }

// Cascade reports whether a DROP DATABASE said CASCADE (TiDB's grammar has no such word).
func (q *Query) Cascade() bool { return q.ext.cascade }

// Overwrite reports whether an INSERT was written INSERT OVERWRITE [TABLE] (Spark's form):
// the statement replaces the table's rows.
func (q *Query) Overwrite() bool { return q.ext.overwrite }

// ShowStats reports whether a SHOW COLUMNS was written SHOW STATS [FOR] t: the statement
// shows the table's statistics (ANALYZE TABLE) rather than its columns.
func (q *Query) ShowStats() bool { return q.ext.showStats }

// NullsOrder reports the NULLS FIRST/LAST the query wrote for an ORDER BY item: explicit is
// false when the item said nothing (the binder then applies the default).
func (q *Query) NullsOrder(b *ast.ByItem) (nullsFirst, explicit bool) {
	return q.ext.nullsOrder(b)
}

// TableFunctionCall is a table function called in a FROM clause: range(10) in
// SELECT * FROM range(10) AS r(n). TiDB cannot parse the form, so the parser passes it on as
// a derived table (with the user's alias, or the function's name when there is none),
// which [Query.TableFunction] recognises.
type TableFunctionCall struct {
	// Name is the function's name as written (unquoted).
	Name string
	// Args are the arguments as written, with their positions in Query.SQL.
	Args []ast.ExprNode
	// Columns are the names of the alias's column list (AS r(n)); nil when there is none.
	Columns []string
	// Offset is the byte offset of the function's name in Query.SQL (see Query.Position).
	Offset int
}

// TableFunction reports whether sel, the query of a derived table in FROM, stands for a
// table function call, and returns the call.
func (q *Query) TableFunction(sel *ast.SelectStmt) (TableFunctionCall, bool) {
	m, ok := q.ext.tableFuncs[sel]
	if !ok {
		return TableFunctionCall{}, false
	}
	return TableFunctionCall{Name: m.name, Args: m.marker.Args[1:], Columns: m.cols, Offset: m.marker.OriginTextPosition()}, true
}

// WithNode returns a Query for a sub-statement of q (e.g. the statement under EXPLAIN) that
// shares q's text and recorded extensions.
func (q *Query) WithNode(n ast.StmtNode) *Query {
	return &Query{Node: n, SQL: q.SQL, ext: q.ext}
}

// IsSelect reports whether the statement is a query that returns rows: a SELECT, a set
// operation (UNION, INTERSECT, EXCEPT) or a WITH ... SELECT.
func (q *Query) IsSelect() bool {
	switch q.Node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		return true
	}
	return false
}
