package dataframe

import (
	"context"
	"errors"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/datasource/tablestore"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// UPDATE and DELETE rewrite the whole table in one commit: the new rows are computed by an
// ordinary query over the table (UPDATE: a CASE per assigned column, bound as an INSERT so
// the values get the columns' types and constraints; DELETE: the rows whose condition is
// not TRUE), and replace the table's rows only if nothing else committed since the
// statement read it (tablestore.OverwriteSince), retrying a few times otherwise. The
// queries are built from the statement's own parsed nodes (its condition, its values, with
// their ? parameters and positions), so they mean exactly what the statement said.

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

// selectFrom builds SELECT fields FROM tn [WHERE where] as a parsed statement.
func selectFrom(tn *ast.TableName, fields []ast.ExprNode, where ast.ExprNode) *ast.SelectStmt {
	fl := &ast.FieldList{}
	for _, f := range fields {
		fl.Fields = append(fl.Fields, &ast.SelectField{Expr: f})
	}
	return &ast.SelectStmt{
		Kind:   ast.SelectStmtKindSelect,
		Fields: fl,
		From:   &ast.TableRefsClause{TableRefs: &ast.Join{Left: &ast.TableSource{Source: tn}}},
		Where:  where,
	}
}

// countWhere is SELECT count(*) FROM tn [WHERE where].
func countWhere(tn *ast.TableName, where ast.ExprNode) *ast.SelectStmt {
	return selectFrom(tn, []ast.ExprNode{&ast.AggregateFuncExpr{F: ast.AggFuncCount, Args: []ast.ExprNode{ast.NewValueExpr(int64(1), "", "")}}}, where)
}

func columnExpr(tn *ast.TableName, name string) *ast.ColumnNameExpr {
	return &ast.ColumnNameExpr{Name: &ast.ColumnName{Table: tn.Name, Name: ast.NewCIStr(name)}}
}

func (s *Session) update(ctx context.Context, q *parser.Query, n *ast.UpdateStmt) (*Result, error) {
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
	set := map[int]ast.ExprNode{}
	for _, a := range n.List {
		i := planner.ColumnIndex(entry.spec.Columns, a.Column.Name.O)
		if i < 0 || (a.Column.Table.O != "" && !strings.EqualFold(a.Column.Table.O, tn.Name.O)) {
			return nil, errs.Planf("table %s has no column %q", entry.spec.Name, a.Column.Name.O)
		}
		if _, dup := set[i]; dup {
			return nil, errs.Planf("column %q is assigned twice in UPDATE", a.Column.Name.O)
		}
		if _, isDefault := a.Expr.(*ast.DefaultExpr); isDefault {
			return nil, errs.NotImplementedf("SET %s = DEFAULT is not supported", a.Column.Name.O)
		}
		set[i] = a.Expr
	}
	fields := make([]ast.ExprNode, len(entry.spec.Columns))
	for i, c := range entry.spec.Columns {
		col := columnExpr(tn, c.Name)
		v, ok := set[i]
		switch {
		case !ok:
			fields[i] = col
		case n.Where == nil:
			fields[i] = v
		default:
			fields[i] = &ast.CaseExpr{WhenClauses: []*ast.WhenClause{{Expr: n.Where, Result: v}}, ElseClause: col}
		}
	}
	rewrite := q.WithNode(&ast.InsertStmt{Table: n.TableRefs, Select: selectFrom(tn, fields, nil)})
	return s.rewriteTable(ctx, entry, rewrite, q.WithNode(countWhere(tn, n.Where)), "updated")
}

func (s *Session) delete(ctx context.Context, q *parser.Query, n *ast.DeleteStmt) (*Result, error) {
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
	if n.Where == nil {
		before := entry.store.Stats().Rows
		if err := entry.store.Truncate(ctx); err != nil {
			return nil, err
		}
		return &Result{Message: rowsMessage(before, "deleted"), RowsAffected: before}, nil
	}
	keep := &ast.IsTruthExpr{Expr: n.Where, Not: true, True: 1}
	star := &ast.SelectStmt{Kind: ast.SelectStmtKindSelect,
		Fields: &ast.FieldList{Fields: []*ast.SelectField{{WildCard: &ast.WildCardField{}}}},
		From:   &ast.TableRefsClause{TableRefs: &ast.Join{Left: &ast.TableSource{Source: tn}}},
		Where:  keep}
	rewrite := q.WithNode(&ast.InsertStmt{Table: n.TableRefs, Select: star})
	return s.rewriteTable(ctx, entry, rewrite, q.WithNode(countWhere(tn, n.Where)), "deleted")
}

// rewriteTable replaces a table's rows with those of rewrite (an INSERT ... SELECT over the
// table, of which only the SELECT's rows are used) and reports count's count as the rows
// affected, both read from one snapshot: a commit by someone else in between is detected
// and the statement runs again.
func (s *Session) rewriteTable(ctx context.Context, entry *managedEntry, q, count *parser.Query, verb string) (*Result, error) {
	const attempts = 5
	for attempt := 1; ; attempt++ {
		base, err := entry.store.Snapshot()
		if err != nil {
			return nil, err
		}
		n, err := s.rewriteOnce(ctx, entry, q, count, base)
		base.Release()
		if errors.Is(err, tablestore.ErrConflict) && attempt < attempts {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &Result{Message: rowsMessage(n, verb), RowsAffected: n}, nil
	}
}

func (s *Session) rewriteOnce(ctx context.Context, entry *managedEntry, q, count *parser.Query, base *tablestore.Snapshot) (int64, error) {
	cres, err := s.execQuery(ctx, count)
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
