package dataframe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/datasource/tablestore"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// UPDATE and DELETE rewrite the whole table in one commit: the new rows are computed by an
// ordinary query over the table (UPDATE: a CASE per assigned column, bound as an INSERT so
// the values get the columns' types and constraints; DELETE: the rows whose condition is
// not TRUE), and replace the table's rows only if nothing else committed since the
// statement read it (tablestore.OverwriteSince), retrying a few times otherwise. The
// statements are composed as SQL text from the parsed tree (TiDB's Restore), so the
// condition and values mean exactly what they meant in the statement.

// sqlText renders a node back to SQL: names quoted, strings single-quoted.
func sqlText(n ast.Node) (string, error) {
	var b strings.Builder
	flags := format.RestoreStringSingleQuotes | format.RestoreNameBackQuotes | format.RestoreKeyWordUppercase |
		format.RestoreSpacesAroundBinaryOperation | format.RestoreStringWithoutCharset
	if err := n.Restore(format.NewRestoreCtx(flags, &b)); err != nil {
		return "", errs.Internalf("restoring SQL text: %v", err)
	}
	return b.String(), nil
}

// singleTable returns the table of an UPDATE or DELETE, which must name exactly one.
func singleTable(refs *ast.TableRefsClause, what string) (*ast.TableName, error) {
	if refs == nil || refs.TableRefs == nil || refs.TableRefs.Right != nil {
		return nil, errs.NotImplementedf("%s of more than one table is not supported", what)
	}
	ts, ok := refs.TableRefs.Left.(*ast.TableSource)
	if !ok {
		return nil, errs.NotImplementedf("%s of more than one table is not supported", what)
	}
	tn, ok := ts.Source.(*ast.TableName)
	if !ok {
		return nil, errs.NotImplementedf("%s of a subquery is not supported", what)
	}
	if ts.AsName.O != "" {
		return nil, errs.NotImplementedf("%s with a table alias is not supported", what)
	}
	return tn, nil
}

func qualifiedName(db, name string) string {
	return quoteIdent(db) + "." + quoteIdent(name)
}

func (s *Session) update(ctx context.Context, n *ast.UpdateStmt) (*Result, error) {
	if n.Order != nil || n.Limit != nil || n.With != nil || n.IgnoreErr || n.MultipleTable {
		return nil, errs.NotImplementedf("UPDATE with ORDER BY, LIMIT, WITH, IGNORE or several tables is not supported")
	}
	tn, err := singleTable(n.TableRefs, "UPDATE")
	if err != nil {
		return nil, err
	}
	entry, err := s.cat.managed(tn.Schema.O, tn.Name.O)
	if err != nil {
		return nil, err
	}
	where := "TRUE"
	if n.Where != nil {
		if where, err = sqlText(n.Where); err != nil {
			return nil, err
		}
	}
	set := map[int]string{}
	for _, a := range n.List {
		i := specIndexOf(entry.spec.Columns, a.Column.Name.O)
		if i < 0 || (a.Column.Table.O != "" && !strings.EqualFold(a.Column.Table.O, entry.spec.Name)) {
			return nil, errs.Planf("table %s has no column %q", entry.spec.Name, a.Column.Name.O)
		}
		if _, dup := set[i]; dup {
			return nil, errs.Planf("column %q is assigned twice in UPDATE", a.Column.Name.O)
		}
		if _, isDefault := a.Expr.(*ast.DefaultExpr); isDefault {
			return nil, errs.NotImplementedf("SET %s = DEFAULT is not supported", a.Column.Name.O)
		}
		v, err := sqlText(a.Expr)
		if err != nil {
			return nil, err
		}
		set[i] = v
	}
	cols := make([]string, len(entry.spec.Columns))
	for i, c := range entry.spec.Columns {
		if v, ok := set[i]; ok {
			cols[i] = fmt.Sprintf("CASE WHEN (%s) THEN (%s) ELSE %s END", where, v, quoteIdent(c.Name))
		} else {
			cols[i] = quoteIdent(c.Name)
		}
	}
	table := qualifiedName(entry.spec.Database, entry.spec.Name)
	rewrite := "INSERT INTO " + table + " SELECT " + strings.Join(cols, ", ") + " FROM " + table
	count := "SELECT count(*) FROM " + table + " WHERE (" + where + ")"
	return s.rewriteTable(ctx, entry, rewrite, count, "updated")
}

func (s *Session) delete(ctx context.Context, n *ast.DeleteStmt) (*Result, error) {
	if n.Order != nil || n.Limit != nil || n.With != nil || n.IgnoreErr || n.IsMultiTable {
		return nil, errs.NotImplementedf("DELETE with ORDER BY, LIMIT, WITH, IGNORE or several tables is not supported")
	}
	tn, err := singleTable(n.TableRefs, "DELETE")
	if err != nil {
		return nil, err
	}
	entry, err := s.cat.managed(tn.Schema.O, tn.Name.O)
	if err != nil {
		return nil, err
	}
	where := "TRUE"
	if n.Where != nil {
		if where, err = sqlText(n.Where); err != nil {
			return nil, err
		}
	}
	table := qualifiedName(entry.spec.Database, entry.spec.Name)
	rewrite := "INSERT INTO " + table + " SELECT * FROM " + table + " WHERE (" + where + ") IS NOT TRUE"
	count := "SELECT count(*) FROM " + table + " WHERE (" + where + ")"
	return s.rewriteTable(ctx, entry, rewrite, count, "deleted")
}

// rewriteTable replaces a table's rows with those of rewrite (an INSERT ... SELECT over the
// table, of which only the SELECT's rows are used) and reports countSQL's count as the rows
// affected, both read from one snapshot: a commit by someone else in between is detected
// and the statement runs again.
func (s *Session) rewriteTable(ctx context.Context, entry *managedEntry, rewrite, countSQL, verb string) (*Result, error) {
	stmts, err := parser.Parse(rewrite)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "composing %q", rewrite)
	}
	q := stmts[0].(*parser.Query)
	const attempts = 5
	for attempt := 1; ; attempt++ {
		base, err := entry.store.Snapshot()
		if err != nil {
			return nil, err
		}
		n, err := s.rewriteOnce(ctx, entry, q, countSQL, base)
		base.Release()
		if errors.Is(err, tablestore.ErrConflict) && attempt < attempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &Result{Message: fmt.Sprintf("%d rows %s", n, verb), RowsAffected: n}, nil
	}
}

func (s *Session) rewriteOnce(ctx context.Context, entry *managedEntry, q *parser.Query, countSQL string, base *tablestore.Snapshot) (int64, error) {
	cres, err := s.Exec(ctx, countSQL)
	if err != nil {
		return 0, err
	}
	var affected int64
	if len(cres.Batches) > 0 && cres.Batches[0].NumRows() > 0 {
		affected = cres.Batches[0].Column(0).(*array.Int64).Value(0)
	}
	cres.Release()
	plan, err := s.binder().BindInsert(q, entry.spec.Name, entry.spec.Columns)
	if err != nil {
		return 0, err
	}
	res, err := s.runPlan(ctx, plan)
	if err != nil {
		return 0, err
	}
	defer res.Release()
	if err := checkRows(entry.spec, res.Batches); err != nil {
		return 0, err
	}
	bs := conformAll(entry.store.Schema(), res.Batches)
	defer releaseBatches(bs)
	if _, err := entry.store.OverwriteSince(ctx, base, bs); err != nil {
		return 0, err
	}
	return affected, nil
}

func specIndexOf(cols []planner.ColumnSpec, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}
