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
//
// An entry without a name instead holds the columns a USING or NATURAL join merged away
// (merged): pushed by bindUsing, it lives as long as the CTEs of the SELECT whose FROM
// clause holds the join (pushWith's restore drops both), and nested queries see it.
type cteEnv struct {
	parent *cteEnv
	name   string
	query  ast.ResultSetNode
	cols   []ast.CIStr
	// merged is set, and name empty, for the columns merged away by a USING join.
	merged map[planner.ColumnID]bool
	// recursive is set for the CTEs of WITH RECURSIVE: the body sees the CTE itself.
	recursive bool
	// rec is set while the CTE's body is bound as a recursive CTE (bindRecursiveCTE): a
	// reference to the CTE then reads the work table.
	rec *recursion
}

func (e *cteEnv) lookup(name string) *cteEnv {
	for ; e != nil; e = e.parent {
		if e.name != "" && strings.EqualFold(e.name, name) {
			return e
		}
	}
	return nil
}

// pushWith brings the CTEs of a WITH clause into scope; the returned func restores the scope.
// The CTEs of WITH RECURSIVE also see themselves (bindRecursiveCTE).
func (s *state) pushWith(w *ast.WithClause) (func(), error) {
	saved := s.env
	restore := func() { s.env = saved }
	if w == nil {
		return restore, nil
	}
	for _, c := range w.CTEs {
		if c.Query == nil || c.Query.Query == nil {
			return restore, errs.Planf("common table expression %q has no query", c.Name.O)
		}
		s.env = &cteEnv{parent: s.env, name: c.Name.O, query: c.Query.Query, cols: c.ColNameList, recursive: w.IsRecursive}
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
	if err := s.checkRecursiveSides(left, right, typ); err != nil {
		return nil, err
	}
	if j.NaturalJoin || len(j.Using) > 0 {
		return s.bindUsing(j, left, right, typ)
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

// bindUsing binds JOIN ... USING (cols) and NATURAL joins (USING the names both sides
// have) as MySQL does: a join on left.c = right.c for each USING column c, under a Project
// whose columns are the merged USING columns first (the left's for INNER and LEFT joins,
// the right's for RIGHT, COALESCE(left, right) for FULL; unqualified, with new IDs), then
// the left's and the right's columns (the right's first for RIGHT, which MySQL evaluates as
// a LEFT join of the swapped sides). The sides' own USING columns stay in the schema, so
// t1.c and t2.c still resolve, but are recorded as merged away (mergedAway): SELECT * and
// unqualified names do not see them. A NATURAL join without common columns is a cross
// join (ON TRUE for outer joins).
func (s *state) bindUsing(j *ast.Join, left, right planner.Plan, typ planner.JoinType) (planner.Plan, error) {
	ls, rs := s.visible(left.Schema()), s.visible(right.Schema())
	var names []string
	if j.NaturalJoin {
		for _, c := range ls {
			if _, n := findNamed(rs, c.Name); n > 0 {
				names = append(names, c.Name)
			}
		}
	} else {
		for i, u := range j.Using {
			if u.Schema.O != "" || u.Table.O != "" {
				return nil, errs.Planf("column %q in USING must not be qualified%s", s.text(u), s.at(nil, u.Name.O))
			}
			for _, prev := range j.Using[:i] {
				if prev.Name.L == u.Name.L {
					return nil, errs.Planf("column %q appears twice in USING%s", u.Name.O, s.at(nil, u.Name.O))
				}
			}
			names = append(names, u.Name.O)
		}
	}
	var conds []planner.Expr
	var lcols, rcols []planner.Column
	for _, name := range names {
		l, err := s.usingSide(ls, name, "left")
		if err != nil {
			return nil, err
		}
		r, err := s.usingSide(rs, name, "right")
		if err != nil {
			return nil, err
		}
		eq, err := s.compare(planner.OpEq, planner.NewColumnRef(l), planner.NewColumnRef(r), j)
		if err != nil {
			return nil, err
		}
		conds, lcols, rcols = append(conds, eq), append(lcols, l), append(rcols, r)
	}
	var on planner.Expr
	switch {
	case len(conds) > 0:
		on = planner.Conjunction(conds)
		if typ == planner.CrossJoin {
			typ = planner.InnerJoin
		}
	case typ == planner.InnerJoin:
		typ = planner.CrossJoin
	case typ != planner.CrossJoin:
		on = planner.NewLiteral(true, planner.Boolean)
	}
	join, err := planner.NewJoin(left, right, typ, on)
	if err != nil {
		return nil, internal(err)
	}
	joined := join.Schema()
	col := func(c planner.Column) planner.Column { return joined[joined.IndexOf(c.ID)] }
	var exprs []planner.Expr
	var out []planner.Column
	merged := map[planner.ColumnID]bool{}
	for i := range lcols {
		l, r := col(lcols[i]), col(rcols[i])
		merged[l.ID], merged[r.ID] = true, true
		var e planner.Expr
		name := l.Name
		switch typ {
		case planner.RightJoin:
			e, name = planner.NewColumnRef(r), r.Name
		case planner.FullJoin:
			if e, err = s.caseOf([]planner.When{{Cond: &planner.IsNull{E: planner.NewColumnRef(l), Negated: true}}},
				[]planner.Expr{planner.NewColumnRef(l), planner.NewColumnRef(r)}, j); err != nil {
				return nil, err
			}
		default:
			e = planner.NewColumnRef(l)
		}
		exprs = append(exprs, e)
		out = append(out, planner.NewColumn(name, "", e.Type(), e.Nullable()))
	}
	first, second := left.Schema(), right.Schema()
	if typ == planner.RightJoin {
		first, second = second, first
	}
	for _, side := range []planner.Schema{first, second} {
		for _, c := range side {
			c = col(c)
			exprs, out = append(exprs, planner.NewColumnRef(c)), append(out, c)
		}
	}
	p, err := planner.NewProject(join, exprs, out)
	if err != nil {
		return nil, internal(err)
	}
	s.env = &cteEnv{parent: s.env, merged: merged}
	return p, nil
}

// usingSide finds the one column called name among a join side's visible columns.
func (s *state) usingSide(cols planner.Schema, name, side string) (planner.Column, error) {
	c, n := findNamed(cols, name)
	switch {
	case n == 0:
		return planner.Column{}, errs.Planf("column %q in USING is not in the %s side of the join%s%s", name, side, s.at(nil, name), suggest(name, columnNames(cols)))
	case n > 1:
		return planner.Column{}, errs.Planf("column %q of the join condition is ambiguous: the %s side of the join has %d columns of that name", name, side, n)
	}
	return c, nil
}

// findNamed returns the first column called name (case-insensitively) and how many there are.
func findNamed(cols planner.Schema, name string) (planner.Column, int) {
	var first planner.Column
	n := 0
	for _, c := range cols {
		if strings.EqualFold(c.Name, name) {
			if n == 0 {
				first = c
			}
			n++
		}
	}
	return first, n
}

func columnNames(cols planner.Schema) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// mergedAway reports whether c is a column a USING or NATURAL join in scope merged into
// one unqualified column: SELECT * (expandFields) and unqualified names (lookupColumn) skip
// it; table.name and table.* still reach it.
func (s *state) mergedAway(c planner.Column) bool {
	for e := s.env; e != nil; e = e.parent {
		if e.merged[c.ID] {
			return true
		}
	}
	return false
}

// visible is cols without the columns merged away.
func (s *state) visible(cols planner.Schema) planner.Schema {
	var out planner.Schema
	for _, c := range cols {
		if !s.mergedAway(c) {
			out = append(out, c)
		}
	}
	return out
}

// checkRecursiveSides refuses a recursive CTE's work table on the NULL-filled side of an
// outer join inside its recursive part.
func (s *state) checkRecursiveSides(left, right planner.Plan, typ planner.JoinType) error {
	var sides []planner.Plan
	switch typ {
	case planner.LeftJoin:
		sides = []planner.Plan{right}
	case planner.RightJoin:
		sides = []planner.Plan{left}
	case planner.FullJoin:
		sides = []planner.Plan{left, right}
	}
	for _, side := range sides {
		for e := s.env; e != nil; e = e.parent {
			if e.rec != nil && countWorkTables(side, e.rec.work) > 0 {
				return errs.NotImplementedf("recursive common table expression %q may not be on the NULL-filled side of an outer join in its recursive SELECT", e.name)
			}
		}
	}
	return nil
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
		if sel, ok := src.(*ast.SelectStmt); ok && s.q != nil {
			if call, ok := s.q.TableFunction(sel); ok { // FROM range(10) (table_function.go)
				return s.bindTableFunction(call, alias)
			}
		}
		if alias == "" {
			return nil, errs.Planf("every derived table must have an alias")
		}
		done := s.nested()
		p, err := s.bindQueryNode(src)
		done()
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
	if schema := tn.Schema.L; fileFormats[schema] {
		t, err := s.b.Catalog.FileTable(schema, tn.Name.O)
		if err != nil {
			return nil, errs.Wrap(errs.ErrPlan, err, "cannot read %s %q", schema, tn.Name.O)
		}
		return planner.NewScan(t, alias), nil
	}
	name, db := tn.Name.O, tn.Schema.O
	if db == "" {
		if def := s.env.lookup(name); def != nil {
			return s.bindCTE(def, alias)
		}
	}
	t, v, err := s.b.Catalog.LookupTable(db, name)
	if err != nil {
		if errs.KindOf(err) == errs.ErrPlan {
			return nil, err // an unknown database
		}
		return nil, errs.Wrap(errs.ErrPlan, err, "cannot look up table %q", name)
	}
	if db != "" && alias == "" {
		alias = name // db.t is known as t in the query
	}
	switch {
	case t != nil:
		return planner.NewScan(t, alias), nil
	case v != nil:
		return s.bindView(v, alias)
	}
	if db != "" {
		return nil, errs.Planf("unknown table %q%s", db+"."+name, s.at(nil, db, name))
	}
	return nil, errs.Planf("unknown table %q%s%s", name, s.at(nil, name), suggest(name, s.tableNames()))
}

// bindCTE binds a reference to a common table expression.
func (s *state) bindCTE(def *cteEnv, alias string) (planner.Plan, error) {
	if def.rec != nil {
		return s.workTableRef(def, alias)
	}
	if alias == "" {
		alias = def.name
	}
	if def.recursive && countTableRefs(def.query, def.name) > 0 {
		p, err := s.bindRecursiveCTE(def)
		if err != nil {
			return nil, err
		}
		return planner.NewSubqueryAlias(p, alias), nil
	}
	saved := s.env
	s.env = def.parent
	defer func() { s.env = saved }()
	defer s.nested()()
	p, err := s.bindQueryNode(def.query)
	if err != nil {
		return nil, err
	}
	if p, err = renameColumns(p, def.cols, "common table expression "+def.name); err != nil {
		return nil, err
	}
	return planner.NewSubqueryAlias(p, alias), nil
}

// recursion is the state of a recursive CTE whose body is being bound.
type recursion struct {
	// work is the work table's ID and cols its columns (names and types; each reference
	// gets columns with new IDs).
	work planner.WorkTableID
	cols []planner.Column
	// anchor is set while the non-recursive part is bound: a reference there is an error.
	anchor bool
	// refs counts the references bound in the current recursive SELECT; nested is above
	// zero while a derived table or CTE body inside it is bound.
	refs, nested int
}

// nested marks the binding of a query nested in a FROM clause (a derived table or a CTE's
// body) for every recursive CTE being bound; the returned func unmarks it.
func (s *state) nested() func() {
	var recs []*recursion
	for e := s.env; e != nil; e = e.parent {
		if e.rec != nil {
			e.rec.nested++
			recs = append(recs, e.rec)
		}
	}
	return func() {
		for _, r := range recs {
			r.nested--
		}
	}
}

// workTableRef binds a reference to a recursive CTE inside its own recursive part.
func (s *state) workTableRef(def *cteEnv, alias string) (planner.Plan, error) {
	r := def.rec
	switch {
	case r.anchor:
		return nil, errs.Planf("recursive common table expression %q is referenced in its non-recursive part%s; the SELECTs that do not reference it must come first",
			def.name, s.at(nil, def.name))
	case r.nested > 0:
		return nil, errs.NotImplementedf("recursive common table expression %q is referenced inside a derived table or CTE of its recursive part; only a reference in the FROM clause of the recursive SELECT is supported", def.name)
	}
	r.refs++
	cols := make([]planner.Column, len(r.cols))
	for i, c := range r.cols {
		cols[i] = planner.NewColumn(c.Name, "", c.Type, true)
	}
	if alias == "" {
		alias = def.name
	}
	return planner.NewSubqueryAlias(planner.NewWorkTable(r.work, def.name, cols), alias), nil
}

// bindRecursiveCTE binds the body of a CTE of WITH RECURSIVE that refers to itself:
//
//	anchor [UNION [ALL] anchor ...] UNION [ALL] recursive [UNION [ALL] recursive ...] [LIMIT n]
//
// The leading SELECTs that do not name the CTE are the non-recursive part (the anchor,
// combined as any set operation); the rest must each name it exactly once, in their FROM
// clause (not in a subquery, a derived table or the NULL-filled side of an outer join), and
// may not group, aggregate, use DISTINCT, window functions, ORDER BY or LIMIT, as in MySQL.
// Column names come from the CTE's column list or the anchor, types from the anchor: the
// recursive SELECTs are cast to them. Any UNION (distinct) between the parts makes the
// result distinct. The result is RecursiveCTE, under a Limit when the body has one.
func (s *state) bindRecursiveCTE(def *cteEnv) (planner.Plan, error) {
	saved := s.env
	defer func() { s.env = saved }()
	s.env = def.parent
	var list *ast.SetOprSelectList
	var limit *ast.Limit
	switch q := def.query.(type) {
	case *ast.SetOprStmt:
		restore, err := s.pushWith(q.With)
		defer restore()
		if err != nil {
			return nil, err
		}
		if q.OrderBy != nil {
			return nil, errs.NotImplementedf("ORDER BY in recursive common table expression %q is not supported; order the query that uses it", def.name)
		}
		list, limit = q.SelectList, q.Limit
	default:
		return nil, errs.Planf("recursive common table expression %q must be a UNION [ALL] of SELECTs that do not refer to it and SELECTs that do", def.name)
	}
	if list.With != nil || list.OrderBy != nil || list.Limit != nil {
		return nil, errs.NotImplementedf("WITH, ORDER BY or LIMIT around the branches of recursive common table expression %q is not supported", def.name)
	}
	// Split the branches: the non-recursive ones first, then the recursive ones.
	var anchors, recs []ast.Node
	distinct := false
	for i, n := range list.Selects {
		refs := countTableRefs(n, def.name)
		if refs == 0 && len(recs) == 0 {
			anchors = append(anchors, n)
			continue
		}
		switch {
		case i == 0:
			return nil, errs.Planf("recursive common table expression %q needs a SELECT that does not refer to it before the ones that do", def.name)
		case refs == 0:
			return nil, errs.Planf("recursive common table expression %q: SELECT %d does not refer to it but comes after one that does; put the non-recursive SELECTs first", def.name, i+1)
		}
		switch op := afterSetOperator(n); {
		case op == nil:
			return nil, errs.Internalf("set operation branch %d has no operator", i+1)
		case *op == ast.Union:
			distinct = true
		case *op != ast.UnionAll:
			return nil, errs.NotImplementedf("recursive common table expression %q: its recursive SELECTs must be joined with UNION or UNION ALL, not %s", def.name, op.String())
		}
		recs = append(recs, n)
	}

	// The non-recursive part, with the CTE visible (a reference is reported clearly).
	rec := &recursion{work: planner.NewWorkTableID(), anchor: true}
	self := *def
	self.parent, self.rec = s.env, rec
	s.env = &self
	var anchor planner.Plan
	var err error
	if len(anchors) == 1 {
		anchor, err = s.bindQueryNode(anchors[0])
	} else {
		anchor, err = s.bindSetOprList(&ast.SetOprSelectList{Selects: anchors})
	}
	if err != nil {
		return nil, err
	}
	if anchor, err = renameColumns(anchor, def.cols, "common table expression "+def.name); err != nil {
		return nil, err
	}
	out := make([]planner.Column, len(anchor.Schema()))
	for i, c := range anchor.Schema() {
		out[i] = planner.NewColumn(c.Name, "", c.Type, true)
	}
	rec.anchor, rec.cols = false, out

	// The recursive SELECTs, each cast to the anchor's types.
	terms := make([]planner.Plan, len(recs))
	for i, n := range recs {
		if terms[i], err = s.bindRecursiveTerm(def.name, rec, n); err != nil {
			return nil, err
		}
	}
	recursive := terms[0]
	if len(terms) > 1 {
		cols := make([]planner.Column, len(out))
		for i, c := range out {
			cols[i] = planner.NewColumn(c.Name, "", c.Type, true)
		}
		if recursive, err = planner.NewUnion(terms, cols); err != nil {
			return nil, internal(err)
		}
	}
	p, err := planner.NewRecursiveCTE(def.name, anchor, recursive, rec.work, distinct, out)
	if err != nil {
		return nil, internal(err)
	}
	return s.sortAndLimit(p, nil, limit)
}

// bindRecursiveTerm binds one recursive SELECT and casts its columns to the anchor's types.
func (s *state) bindRecursiveTerm(name string, rec *recursion, n ast.Node) (planner.Plan, error) {
	if l, ok := n.(*ast.SetOprSelectList); ok && len(l.Selects) == 1 && l.With == nil && l.OrderBy == nil && l.Limit == nil {
		n = l.Selects[0] // (SELECT ...)
	}
	sel, ok := n.(*ast.SelectStmt)
	if !ok {
		return nil, errs.NotImplementedf("recursive common table expression %q: a set operation inside its recursive part is not supported", name)
	}
	var what string
	switch {
	case sel.GroupBy != nil || sel.Having != nil || s.hasAggregate(sel):
		what = "GROUP BY, HAVING or aggregate functions"
	case sel.Distinct:
		what = "DISTINCT (use UNION instead of UNION ALL)"
	case sel.OrderBy != nil || sel.Limit != nil:
		what = "ORDER BY or LIMIT"
	case len(sel.WindowSpecs) > 0 || hasWindowFunc(sel):
		what = "window functions"
	}
	if what != "" {
		return nil, errs.NotImplementedf("the recursive SELECT of common table expression %q may not use %s", name, what)
	}
	rec.refs = 0
	p, err := s.bindQueryNode(sel)
	if err != nil {
		return nil, err
	}
	inTree := countWorkTables(p, rec.work)
	switch {
	case rec.refs > inTree:
		return nil, errs.NotImplementedf("recursive common table expression %q is referenced in a subquery of its recursive SELECT; only a reference in its FROM clause is supported", name)
	case rec.refs > 1:
		return nil, errs.NotImplementedf("recursive common table expression %q is referenced %d times in one recursive SELECT; only one reference (linear recursion) is supported", name, rec.refs)
	case rec.refs == 0:
		return nil, errs.Planf("recursive common table expression %q: a recursive SELECT names it, but not as a table it reads", name)
	}
	got := p.Schema()
	if len(got) != len(rec.cols) {
		return nil, errs.Planf("recursive common table expression %q: the recursive SELECT has %d columns, the non-recursive part %d", name, len(got), len(rec.cols))
	}
	for i, c := range got {
		if !canCast(c.Type, rec.cols[i].Type) {
			return nil, errs.Planf("recursive common table expression %q column %d (%s): the recursive SELECT gives %s, which cannot be cast to the non-recursive part's %s",
				name, i+1, rec.cols[i].Name, planner.TypeString(c.Type), planner.TypeString(rec.cols[i].Type))
		}
	}
	return castColumns(p, rec.cols)
}

// countWorkTables counts the WorkTable nodes of id in p's tree (not in expressions).
func countWorkTables(p planner.Plan, id planner.WorkTableID) int {
	n := 0
	planner.WalkPlan(p, func(x planner.Plan) bool {
		if w, ok := x.(*planner.WorkTable); ok && w.ID == id {
			n++
		}
		return true
	})
	return n
}

// countTableRefs counts the table names in n that spell name (unqualified), anywhere,
// nested queries included: the syntactic test for a recursive CTE.
func countTableRefs(n ast.Node, name string) int {
	v := &tableRefCounter{name: strings.ToLower(name)}
	n.Accept(v)
	return v.n
}

type tableRefCounter struct {
	name string
	n    int
}

func (v *tableRefCounter) Enter(n ast.Node) (ast.Node, bool) {
	if t, ok := n.(*ast.TableName); ok && t.Schema.L == "" && t.Name.L == v.name {
		v.n++
	}
	return n, false
}

func (v *tableRefCounter) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// hasWindowFunc reports whether a SELECT's list or ORDER BY calls a window function.
func hasWindowFunc(sel *ast.SelectStmt) bool {
	v := &windowFinder{}
	for _, f := range sel.Fields.Fields {
		if f.Expr != nil {
			f.Expr.Accept(v)
		}
	}
	if sel.OrderBy != nil {
		sel.OrderBy.Accept(v)
	}
	return v.found
}

type windowFinder struct{ found bool }

func (v *windowFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch n.(type) {
	case *ast.WindowFuncExpr:
		v.found = true
	case *ast.SubqueryExpr:
		return n, true
	}
	return n, v.found
}

func (v *windowFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// viewColumns is implemented by a planner.View created with a column list
// (CREATE VIEW v (a, b) AS ...): the names of its columns, in order.
type viewColumns interface{ Columns() []string }

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
	views := append(s.views[:len(s.views):len(s.views)], name)
	bind := func(text string) (planner.Plan, error) {
		q, err := parseOne(text)
		if err != nil {
			return nil, err
		}
		sub := &state{b: s.b, q: q, sql: q.SQL, views: views}
		return sub.bindQueryNode(q.Node)
	}
	var p planner.Plan
	var err error
	if pv, ok := v.(planner.PlanView); ok {
		p, err = pv.BindPlan(bind)
	} else {
		p, err = bind(v.SQL())
	}
	if err != nil {
		if strings.HasPrefix(name, "__") {
			return nil, err // a DataFrame's own relation: its name means nothing to the user
		}
		return nil, fmt.Errorf("in view %q: %w", name, err)
	}
	if vc, ok := v.(viewColumns); ok && len(vc.Columns()) > 0 {
		names := make([]ast.CIStr, len(vc.Columns()))
		for i, n := range vc.Columns() {
			names[i] = ast.NewCIStr(n)
		}
		if p, err = renameColumns(p, names, "view "+name); err != nil {
			return nil, fmt.Errorf("in view %q: %w", name, err)
		}
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
