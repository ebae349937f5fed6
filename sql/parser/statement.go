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
