package binder

import (
	"fmt"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// fileFormats are the schema names of Spark's direct file form: SELECT * FROM parquet.`/path`.
var fileFormats = map[string]bool{"parquet": true, "csv": true, "json": true}

// cteEnv is one common table expression in scope, linked to the ones defined before it. A
// CTE's body is bound again at every reference (so two references have distinct column IDs,
// as two scans of a table do), in the environment it was defined in.
type cteEnv struct {
	parent *cteEnv
	name   string
	query  ast.ResultSetNode
	cols   []ast.CIStr
}

func (e *cteEnv) lookup(name string) *cteEnv {
	for ; e != nil; e = e.parent {
		if strings.EqualFold(e.name, name) {
			return e
		}
	}
	return nil
}

// pushWith brings the CTEs of a WITH clause into scope; the returned func restores the scope.
func (s *state) pushWith(w *ast.WithClause) (func(), error) {
	saved := s.env
	restore := func() { s.env = saved }
	if w == nil {
		return restore, nil
	}
	if w.IsRecursive {
		return restore, errs.NotImplementedf("WITH RECURSIVE is not supported")
	}
	for _, c := range w.CTEs {
		if c.Query == nil || c.Query.Query == nil {
			return restore, errs.Planf("common table expression %q has no query", c.Name.O)
		}
		s.env = &cteEnv{parent: s.env, name: c.Name.O, query: c.Query.Query, cols: c.ColNameList}
	}
	return restore, nil
}

// bindFrom binds a FROM clause; no FROM is one row of no columns, as SELECT 1 needs.
func (s *state) bindFrom(from *ast.TableRefsClause) (planner.Plan, error) {
	if from == nil || from.TableRefs == nil {
		v, err := planner.NewValues([][]planner.Expr{{}}, nil)
		if err != nil {
			return nil, internal(err)
		}
		return v, nil
	}
	return s.bindJoin(from.TableRefs)
}

func (s *state) bindResultSet(n ast.ResultSetNode) (planner.Plan, error) {
	switch x := n.(type) {
	case *ast.Join:
		return s.bindJoin(x)
	case *ast.TableSource:
		return s.bindTableSource(x)
	case *ast.SelectStmt, *ast.SetOprStmt:
		return nil, errs.Planf("every derived table must have an alias")
	}
	return nil, errs.NotImplementedf("FROM item %T is not supported", n)
}

// bindJoin binds one join (TiDB also wraps a lone table in a Join with no right side). FROM
// a, b is a cross join; JOIN ... ON an inner join; FULL JOIN is recognised through the
// parser's extension record.
func (s *state) bindJoin(j *ast.Join) (planner.Plan, error) {
	left, err := s.bindResultSet(j.Left)
	if err != nil {
		return nil, err
	}
	if j.Right == nil {
		return left, nil
	}
	right, err := s.bindResultSet(j.Right)
	if err != nil {
		return nil, err
	}
	if j.NaturalJoin || len(j.Using) > 0 {
		return nil, errs.NotImplementedf("NATURAL JOIN and JOIN ... USING are not supported yet; write JOIN ... ON")
	}
	if err := s.checkQualifiers(left.Schema(), right.Schema()); err != nil {
		return nil, err
	}
	var typ planner.JoinType
	switch {
	case s.q != nil && s.q.IsFullJoin(j):
		typ = planner.FullJoin
	case j.Tp == ast.LeftJoin:
		typ = planner.LeftJoin
	case j.Tp == ast.RightJoin:
		typ = planner.RightJoin
	case j.On == nil:
		typ = planner.CrossJoin
	default:
		typ = planner.InnerJoin
	}
	var on planner.Expr
	if j.On != nil {
		both := append(append(planner.Schema{}, left.Schema()...), right.Schema()...)
		e, err := s.bindExpr(&exprCtx{clause: "ON", cols: both}, j.On.Expr)
		if err != nil {
			return nil, err
		}
		if on, err = s.toBool(e, "the ON condition", j.On.Expr); err != nil {
			return nil, err
		}
	} else if typ != planner.CrossJoin {
		return nil, errs.Planf("%s JOIN needs an ON condition", strings.ToUpper(string(typ)))
	}
	p, err := planner.NewJoin(left, right, typ, on)
	if err != nil {
		return nil, internal(err)
	}
	return p, nil
}

// checkQualifiers refuses a FROM clause that names one table or alias twice (MySQL's "not
// unique table/alias"), which would make every qualified reference to it ambiguous.
func (s *state) checkQualifiers(left, right planner.Schema) error {
	seen := map[string]bool{}
	for _, c := range left {
		if c.Table != "" {
			seen[strings.ToLower(c.Table)] = true
		}
	}
	for _, c := range right {
		if c.Table != "" && seen[strings.ToLower(c.Table)] {
			return errs.Planf("table name or alias %q is used twice in FROM%s; give one of them another alias", c.Table, s.at(nil, c.Table))
		}
	}
	return nil
}

func (s *state) bindTableSource(ts *ast.TableSource) (planner.Plan, error) {
	if ts.Lateral {
		return nil, errs.NotImplementedf("LATERAL derived tables are not supported")
	}
	alias := ts.AsName.O
	switch src := ts.Source.(type) {
	case *ast.TableName:
		return s.bindTableName(src, alias)
	case *ast.SelectStmt, *ast.SetOprStmt:
		if alias == "" {
			return nil, errs.Planf("every derived table must have an alias")
		}
		p, err := s.bindQueryNode(src)
		if err != nil {
			return nil, err
		}
		if p, err = renameColumns(p, ts.ColumnNames, "derived table "+alias); err != nil {
			return nil, err
		}
		return planner.NewSubqueryAlias(p, alias), nil
	case *ast.Join:
		return s.bindJoin(src)
	}
	return nil, errs.NotImplementedf("FROM item %T is not supported", ts.Source)
}

// bindTableName resolves a name in FROM: Spark's format.`path` file form, a CTE in scope, a
// catalog table (a Scan) or a catalog view (its query bound inline).
func (s *state) bindTableName(tn *ast.TableName, alias string) (planner.Plan, error) {
	if tn.AsOf != nil || tn.TableSample != nil || len(tn.PartitionNames) > 0 {
		return nil, errs.NotImplementedf("AS OF, TABLESAMPLE and PARTITION are not supported on %s", tn.Name.O)
	}
	if schema := tn.Schema.L; schema != "" {
		if !fileFormats[schema] {
			full := tn.Schema.O + "." + tn.Name.O
			return nil, errs.Planf("unknown table %q%s%s", full, s.at(nil, tn.Schema.O, tn.Name.O), suggest(tn.Name.O, s.tableNames()))
		}
		t, err := s.b.Catalog.FileTable(schema, tn.Name.O)
		if err != nil {
			return nil, errs.Wrap(errs.ErrPlan, err, "cannot read %s %q", schema, tn.Name.O)
		}
		return planner.NewScan(t, alias), nil
	}
	name := tn.Name.O
	if def := s.env.lookup(name); def != nil {
		return s.bindCTE(def, alias)
	}
	t, v, err := s.b.Catalog.LookupTable(name)
	if err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "cannot look up table %q", name)
	}
	switch {
	case t != nil:
		return planner.NewScan(t, alias), nil
	case v != nil:
		return s.bindView(v, alias)
	}
	return nil, errs.Planf("unknown table %q%s%s", name, s.at(nil, name), suggest(name, s.tableNames()))
}

// bindCTE binds a reference to a common table expression.
func (s *state) bindCTE(def *cteEnv, alias string) (planner.Plan, error) {
	saved := s.env
	s.env = def.parent
	p, err := s.bindQueryNode(def.query)
	s.env = saved
	if err != nil {
		return nil, err
	}
	if p, err = renameColumns(p, def.cols, "common table expression "+def.name); err != nil {
		return nil, err
	}
	if alias == "" {
		alias = def.name
	}
	return planner.NewSubqueryAlias(p, alias), nil
}

// bindView parses a view's text and binds it in a state of its own (it sees the catalog, not
// the CTEs of the query using it), under SubqueryAlias(view name), and under the alias too
// when the query gives one.
func (s *state) bindView(v planner.View, alias string) (planner.Plan, error) {
	name := v.Name()
	for _, outer := range s.views {
		if strings.EqualFold(outer, name) {
			return nil, errs.Planf("view %q refers to itself (through %s)", name, strings.Join(append(s.views, name), " -> "))
		}
	}
	q, err := parseOne(v.SQL())
	if err != nil {
		return nil, fmt.Errorf("in view %q: %w", name, err)
	}
	sub := &state{b: s.b, q: q, sql: q.SQL, views: append(s.views[:len(s.views):len(s.views)], name)}
	p, err := sub.bindQueryNode(q.Node)
	if err != nil {
		return nil, fmt.Errorf("in view %q: %w", name, err)
	}
	p = planner.NewSubqueryAlias(p, name)
	if alias != "" && !strings.EqualFold(alias, name) {
		p = planner.NewSubqueryAlias(p, alias)
	}
	return p, nil
}

// renameColumns gives p's columns the names of a column list (derived table or CTE), keeping
// their IDs.
func renameColumns(p planner.Plan, names []ast.CIStr, what string) (planner.Plan, error) {
	if len(names) == 0 {
		return p, nil
	}
	in := p.Schema()
	if len(names) != len(in) {
		return nil, errs.Planf("%s has %d columns but %d column names", what, len(in), len(names))
	}
	exprs := make([]planner.Expr, len(in))
	out := make([]planner.Column, len(in))
	for i, c := range in {
		exprs[i] = planner.NewColumnRef(c)
		out[i] = c
		out[i].Name = names[i].O
	}
	proj, err := planner.NewProject(p, exprs, out)
	if err != nil {
		return nil, internal(err)
	}
	return proj, nil
}
