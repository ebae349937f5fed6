package binder

import (
	"fmt"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// Binder binds queries against a catalog and a function registry. It holds no state of its
// own between calls, so it is safe to reuse sequentially (and concurrently as far as the
// catalog and registry are).
type Binder struct {
	Catalog planner.Catalog
	// Funcs resolves scalar and aggregate functions; nil behaves as an empty registry.
	Funcs *udf.Registry
}

// BindQuery binds a SELECT or set operation (q.Node is *ast.SelectStmt or *ast.SetOprStmt)
// into a bound, typed logical plan. Errors are errs.ErrPlan (names, types), errs.ErrNotImplemented
// (constructs the binder does not support yet) or errs.ErrParse (a view whose text does not
// parse), with line and column where the name can be found in q.SQL.
func (b *Binder) BindQuery(q *parser.Query) (p planner.Plan, err error) {
	if q == nil || q.Node == nil {
		return nil, errs.Planf("no query to bind")
	}
	switch q.Node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
	default:
		return nil, errs.NotImplementedf("statement %T is not a query", q.Node)
	}
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, errs.FromPanic(r)
		}
	}()
	s := &state{b: b, q: q, sql: q.SQL}
	return s.bindQueryNode(q.Node)
}

// BindExpr binds a standalone scalar expression (the text after SELECT, such as
// "l_extendedprice * (1 - l_discount)") against the columns of input. Aggregate functions are
// not allowed. Line and column in errors count from the start of sql.
func (b *Binder) BindExpr(sql string, input planner.Schema) (planner.Expr, error) {
	e, _, err := b.BindNamedExpr(sql, input)
	return e, err
}

// BindNamedExpr is BindExpr that also returns the name the expression's column would have in
// a SELECT list: its alias ("a + 1 AS b" gives "b"), else the column's name for a bare
// column, else the expression's text.
func (b *Binder) BindNamedExpr(sql string, input planner.Schema) (e planner.Expr, name string, err error) {
	const prefix = "SELECT "
	q, err := parseOne(prefix + sql)
	if err != nil {
		return nil, "", err
	}
	sel, ok := q.Node.(*ast.SelectStmt)
	if !ok || sel.From != nil || sel.Where != nil || sel.GroupBy != nil || sel.Having != nil ||
		sel.OrderBy != nil || sel.Limit != nil || sel.Distinct || sel.With != nil ||
		len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].WildCard != nil {
		return nil, "", errs.Planf("expected one expression, got %q", sql)
	}
	defer func() {
		if r := recover(); r != nil {
			e, name, err = nil, "", errs.FromPanic(r)
		}
	}()
	s := &state{b: b, q: q, sql: q.SQL, prefix: len(prefix)}
	f := sel.Fields.Fields[0]
	e, err = s.bindExpr(&exprCtx{clause: "expression", cols: input}, f.Expr)
	if err != nil {
		return nil, "", err
	}
	return e, s.fieldName(f, e), nil
}

// state is the binding of one statement (a view's text is bound in a state of its own).
type state struct {
	b *Binder
	// q answers what TiDB's AST cannot hold (FULL joins, NULLS FIRST/LAST).
	q   *parser.Query
	sql string
	// prefix is how many characters of the first line of sql the user did not write.
	prefix int
	// views lists the views being expanded, outermost first, to refuse a view that refers
	// to itself.
	views []string
	// env holds the common table expressions visible here, innermost first.
	env *cteEnv
	// outer holds the expression contexts of the queries enclosing the subquery being
	// bound, outermost first: a name not found in the subquery resolves there, as an
	// OuterRef (a correlated reference).
	outer []*exprCtx
}

// exprCtx is where an expression is bound.
type exprCtx struct {
	// clause names the place for messages: "WHERE", "ON", "SELECT", "GROUP BY", ...
	clause string
	// cols are the columns names resolve against (the FROM clause's, before aggregation).
	cols planner.Schema
	// agg collects aggregate calls; nil where aggregates are not allowed.
	agg *aggState
	// inAgg is set while binding an aggregate's arguments: no nesting, no select aliases.
	inAgg bool
	// aliases are the select list's output names, which HAVING and ORDER BY see before
	// the FROM columns (as MySQL does).
	aliases []selectAlias
	// win collects window function calls (window.go); nil where they are not allowed.
	win *windowState
	// gen collects table-generating calls such as explode (generate.go); nil where they are
	// not allowed.
	gen *generateState
}

type selectAlias struct {
	name string
	expr planner.Expr
}

func (s *state) funcs() *udf.Registry {
	if s.b.Funcs == nil {
		return udf.NewRegistry(nil)
	}
	return s.b.Funcs
}

// text renders an AST node as SQL for messages: lower-case keywords, names unquoted.
func (s *state) text(n ast.Node) string {
	var b strings.Builder
	flags := format.RestoreStringSingleQuotes | format.RestoreKeyWordLowercase |
		format.RestoreSpacesAroundBinaryOperation | format.RestoreStringWithoutCharset
	if err := n.Restore(format.NewRestoreCtx(flags, &b)); err != nil {
		return fmt.Sprintf("%T", n)
	}
	return b.String()
}

// suggest returns `; did you mean "x"?` for the candidate nearest to name, or "".
func suggest(name string, candidates []string) string {
	if n := udf.Nearest(name, candidates); n != "" && !strings.EqualFold(n, name) {
		return fmt.Sprintf("; did you mean %q?", n)
	}
	return ""
}

// internal wraps an error of a planner constructor: the binder built an invalid node, a bug.
func internal(err error) error {
	return errs.Wrap(errs.ErrInternal, err, "binder built an invalid plan")
}

// parseOne parses text that must hold exactly one SELECT or set operation.
func parseOne(sql string) (*parser.Query, error) {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, errs.Planf("expected one query, got %d statements", len(stmts))
	}
	q, ok := stmts[0].(*parser.Query)
	if !ok {
		return nil, errs.Planf("expected a query, got %T", stmts[0])
	}
	switch q.Node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		return q, nil
	}
	return nil, errs.Planf("expected a SELECT, got %T", q.Node)
}
