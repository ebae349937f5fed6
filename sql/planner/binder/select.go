package binder

import (
	"math"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// bindQueryNode binds anything that produces rows as a query: a SELECT, a set operation or a
// parenthesized list of set-operation branches.
func (s *state) bindQueryNode(n ast.Node) (planner.Plan, error) {
	switch x := n.(type) {
	case *ast.SelectStmt:
		return s.bindSelect(x)
	case *ast.SetOprStmt:
		return s.bindSetOpr(x)
	case *ast.SetOprSelectList:
		return s.bindSetOprList(x)
	}
	return nil, errs.NotImplementedf("query %T is not supported", n)
}

// selectItem is one output of a select list after * expansion: an expression to bind, or a
// column a star stands for.
type selectItem struct {
	field *ast.SelectField // nil for a column of * or t.*
	col   planner.Column
}

// sortItem is one ORDER BY key resolved to an output position of the projection below the
// Sort (hidden positions come after the select list).
type sortItem struct {
	out        int
	desc       bool
	nullsFirst bool
}

// bindSelect binds one SELECT into, bottom-up:
//
//	FROM → Filter(WHERE) → [Aggregate → Filter(HAVING)] → [Window] → [Generate] →
//	Project(select list + hidden ORDER BY columns) → [Distinct] → [Sort] → [Limit] → [Project(select list)]
//
// The last Project only appears when ORDER BY needed columns the select list does not have.
func (s *state) bindSelect(sel *ast.SelectStmt) (planner.Plan, error) {
	switch {
	case sel.Kind != ast.SelectStmtKindSelect:
		return nil, errs.NotImplementedf("TABLE and VALUES statements are not supported")
	case sel.SelectIntoOpt != nil:
		return nil, errs.NotImplementedf("SELECT ... INTO is not supported")
	}
	if err := s.checkWindowSpecs(sel); err != nil {
		return nil, err
	}
	restore, err := s.pushWith(sel.With)
	defer restore()
	if err != nil {
		return nil, err
	}
	base, err := s.bindFrom(sel.From)
	if err != nil {
		return nil, err
	}
	if sel.Where != nil {
		if base, err = s.bindWhere(base, sel.Where); err != nil {
			return nil, err
		}
	}
	items, err := s.expandFields(sel, base.Schema())
	if err != nil {
		return nil, err
	}

	var agg *aggState
	if sel.GroupBy != nil || sel.Having != nil || s.hasAggregate(sel) {
		if agg, err = s.bindGroupBy(sel.GroupBy, items, base.Schema()); err != nil {
			return nil, err
		}
	}

	// The select list, bound against the FROM columns (through the Aggregate when grouping).
	win, gen := newWindowState(), newGenerateState()
	ctx := &exprCtx{clause: "SELECT", cols: base.Schema(), agg: agg, win: win, gen: gen}
	exprs := make([]planner.Expr, len(items))
	names := make([]string, len(items))
	aliases := make([]selectAlias, len(items))
	for i, it := range items {
		var e planner.Expr
		if it.field == nil {
			e, names[i] = planner.NewColumnRef(it.col), it.col.Name
		} else {
			if e, err = s.bindExpr(ctx, it.field.Expr); err != nil {
				return nil, err
			}
			names[i] = s.fieldName(it.field, e)
		}
		if agg != nil {
			if e, err = s.rewrite(agg, e, "SELECT"); err != nil {
				return nil, err
			}
		}
		exprs[i] = e
		aliases[i] = selectAlias{name: names[i], expr: e}
	}

	var having planner.Expr
	if sel.Having != nil {
		hctx := &exprCtx{clause: "HAVING", cols: base.Schema(), agg: agg, aliases: aliases}
		e, err := s.bindExpr(hctx, sel.Having.Expr)
		if err != nil {
			return nil, err
		}
		if e, err = s.rewrite(agg, e, "HAVING"); err != nil {
			return nil, err
		}
		if having, err = s.toBool(e, "the HAVING condition", sel.Having.Expr); err != nil {
			return nil, err
		}
	}

	// ORDER BY keys: output positions, or expressions matched against the select list, else
	// hidden columns appended to the projection.
	var sorts []sortItem
	if sel.OrderBy != nil {
		octx := &exprCtx{clause: "ORDER BY", cols: base.Schema(), agg: agg, aliases: aliases, win: win}
		for _, by := range sel.OrderBy.Items {
			out, err := s.orderKey(octx, by, len(items), func(e planner.Expr) (int, error) {
				if agg != nil {
					var err error
					if e, err = s.rewrite(agg, e, "ORDER BY"); err != nil {
						return 0, err
					}
				}
				fp := fingerprint(e)
				for i, x := range exprs {
					if fingerprint(x) == fp {
						return i, nil
					}
				}
				if sel.Distinct {
					return 0, errs.Planf("ORDER BY %s must appear in the select list of a SELECT DISTINCT", s.text(by.Expr))
				}
				exprs = append(exprs, e)
				names = append(names, hiddenName(e))
				return len(exprs) - 1, nil
			})
			if err != nil {
				return nil, err
			}
			sorts = append(sorts, s.sortItem(by, out))
		}
	}

	plan := base
	if agg != nil {
		if plan, err = agg.node(plan); err != nil {
			return nil, err
		}
		if having != nil {
			f, err := planner.NewFilter(plan, having)
			if err != nil {
				return nil, internal(err)
			}
			plan = f
		}
	}
	// Window functions see the rows after grouping and HAVING; generators (explode) multiply
	// the rows the select list is computed over.
	if plan, err = win.plan(plan); err != nil {
		return nil, err
	}
	if plan, err = gen.plan(plan); err != nil {
		return nil, err
	}
	proj, err := project(plan, exprs, names)
	if err != nil {
		return nil, err
	}
	plan = proj
	if sel.Distinct {
		plan = planner.NewDistinct(plan)
	}
	if plan, err = s.sortAndLimit(plan, sorts, sel.Limit); err != nil {
		return nil, err
	}
	if len(exprs) > len(items) {
		keep := make([]planner.Expr, len(items))
		for i := range keep {
			keep[i] = planner.NewColumnRef(proj.Out[i])
		}
		p, err := planner.NewProject(plan, keep, proj.Out[:len(items)])
		if err != nil {
			return nil, internal(err)
		}
		plan = p
	}
	return plan, nil
}

func (s *state) bindWhere(base planner.Plan, where ast.ExprNode) (planner.Plan, error) {
	e, err := s.bindExpr(&exprCtx{clause: "WHERE", cols: base.Schema()}, where)
	if err != nil {
		return nil, err
	}
	if e, err = s.toBool(e, "the WHERE condition", where); err != nil {
		return nil, err
	}
	f, err := planner.NewFilter(base, e)
	if err != nil {
		return nil, internal(err)
	}
	return f, nil
}

// expandFields expands * and t.* into the FROM columns they stand for.
func (s *state) expandFields(sel *ast.SelectStmt, cols planner.Schema) ([]selectItem, error) {
	var items []selectItem
	for _, f := range sel.Fields.Fields {
		if f.WildCard == nil {
			items = append(items, selectItem{field: f})
			continue
		}
		if sel.From == nil {
			return nil, errs.Planf("SELECT * needs a FROM clause")
		}
		table := f.WildCard.Table.O
		n := 0
		for _, c := range cols {
			if (table == "" && !s.mergedAway(c)) || (table != "" && strings.EqualFold(c.Table, table)) {
				items = append(items, selectItem{col: c})
				n++
			}
		}
		if n == 0 && table != "" {
			var quals []string
			for _, c := range cols {
				quals = append(quals, c.Table)
			}
			return nil, errs.Planf("unknown table %q in %s.*%s%s", table, table, s.at(nil, table), suggest(table, quals))
		}
	}
	return items, nil
}

// fieldName is a select item's output name as MySQL shows it: the alias, else the column's
// name for a bare column, else the expression's text as written.
func (s *state) fieldName(f *ast.SelectField, e planner.Expr) string {
	if f.AsName.O != "" {
		return f.AsName.O
	}
	x := f.Expr
	for {
		p, ok := x.(*ast.ParenthesesExpr)
		if !ok {
			break
		}
		x = p.Expr
	}
	if _, ok := x.(*ast.ColumnNameExpr); ok {
		if c, ok := e.(*planner.ColumnRef); ok {
			return c.Col.Name
		}
	}
	if t := strings.TrimSpace(f.Text()); t != "" {
		return t
	}
	return s.text(f.Expr)
}

// bindGroupBy binds the GROUP BY keys against the FROM columns (bindGroupKey). A clause
// with grouping sets (ROLLUP, CUBE, GROUPING SETS, WITH ROLLUP; parser.Query.GroupingSets)
// is bound by bindGroupingSets (grouping.go).
func (s *state) bindGroupBy(g *ast.GroupByClause, items []selectItem, cols planner.Schema) (*aggState, error) {
	a := newAggState()
	if g == nil {
		return a, nil
	}
	ctx := &exprCtx{clause: "GROUP BY", cols: cols}
	if s.q != nil {
		if sets := s.q.GroupingSets(g); sets != nil {
			return a, s.bindGroupingSets(a, ctx, sets, items)
		}
	}
	if g.Rollup {
		return nil, errs.Internalf("GROUP BY ... WITH ROLLUP reached the binder without its grouping sets")
	}
	for _, by := range g.Items {
		e, err := s.bindGroupKey(ctx, by.Expr, items)
		if err != nil {
			return nil, err
		}
		a.addGroup(e)
	}
	return a, nil
}

// orderKey resolves one ORDER BY item to an output position: a position as written
// (ORDER BY 2), or the expression bound in ctx and handed to place.
func (s *state) orderKey(ctx *exprCtx, by *ast.ByItem, n int, place func(planner.Expr) (int, error)) (int, error) {
	if p, ok := by.Expr.(*ast.PositionExpr); ok {
		if p.P != nil || p.N < 1 || p.N > n {
			return 0, errs.Planf("ORDER BY position %s is not in the select list (1 to %d)", s.text(p), n)
		}
		return p.N - 1, nil
	}
	e, err := s.bindExpr(ctx, by.Expr)
	if err != nil {
		return 0, err
	}
	return place(e)
}

// sortItem applies the direction and NULL order of an ORDER BY item: NULLs come first under
// ASC and last under DESC unless the query says NULLS FIRST/LAST.
func (s *state) sortItem(by *ast.ByItem, out int) sortItem {
	first, explicit := false, false
	if s.q != nil {
		first, explicit = s.q.NullsOrder(by)
	}
	if !explicit {
		first = !by.Desc
	}
	return sortItem{out: out, desc: by.Desc, nullsFirst: first}
}

// sortAndLimit puts Sort (keys are output positions of plan) and Limit over plan.
func (s *state) sortAndLimit(plan planner.Plan, sorts []sortItem, limit *ast.Limit) (planner.Plan, error) {
	if len(sorts) > 0 {
		out := plan.Schema()
		keys := make([]planner.SortKey, len(sorts))
		for i, it := range sorts {
			keys[i] = planner.SortKey{Expr: planner.NewColumnRef(out[it.out]), Desc: it.desc, NullsFirst: it.nullsFirst}
		}
		srt, err := planner.NewSort(plan, keys)
		if err != nil {
			return nil, internal(err)
		}
		plan = srt
	}
	if limit == nil {
		return plan, nil
	}
	count, err := s.limitValue(limit.Count, "LIMIT")
	if err != nil {
		return nil, err
	}
	var offset int64
	if limit.Offset != nil {
		if offset, err = s.limitValue(limit.Offset, "OFFSET"); err != nil {
			return nil, err
		}
	}
	l, err := planner.NewLimit(plan, offset, count)
	if err != nil {
		return nil, internal(err)
	}
	return l, nil
}

// limitValue reads a LIMIT or OFFSET bound: a non-negative integer constant.
func (s *state) limitValue(n ast.ExprNode, what string) (int64, error) {
	if v, ok := n.(ast.ValueExpr); ok {
		switch x := v.GetValue().(type) {
		case int64:
			if x >= 0 {
				return x, nil
			}
		case uint64:
			if x <= math.MaxInt64 {
				return int64(x), nil
			}
		}
	}
	if m, ok := n.(ast.ParamMarkerExpr); ok {
		e, err := s.bindParam(m)
		if err != nil {
			return 0, err
		}
		if v, ok := e.(*planner.Literal).Value.(int64); ok && v >= 0 {
			return v, nil
		}
		return 0, errs.Planf("%s must be a non-negative integer, got the parameter %s", what, e)
	}
	return 0, errs.Planf("%s must be a non-negative integer constant, got %s", what, s.text(n))
}

// hiddenName names a column added for ORDER BY: a column's own name, else the expression.
func hiddenName(e planner.Expr) string {
	if c, ok := e.(*planner.ColumnRef); ok {
		return c.Col.Name
	}
	return e.String()
}

// project builds the Project of a select list. A bare column keeps its column (and ID) under
// the output name (unqualified when renamed), except when an earlier output already carries that ID: a schema never
// holds one ID twice, so SELECT a, a gives the second a fresh column.
func project(input planner.Plan, exprs []planner.Expr, names []string) (*planner.Project, error) {
	out := make([]planner.Column, len(exprs))
	used := map[planner.ColumnID]bool{}
	for i, e := range exprs {
		if c, ok := e.(*planner.ColumnRef); ok && !used[c.Col.ID] {
			out[i] = c.Col
			if names[i] != c.Col.Name {
				// An alias is not qualified by the table the column came from.
				out[i].Name, out[i].Table = names[i], ""
			}
			used[c.Col.ID] = true
			continue
		}
		out[i] = planner.NewColumn(names[i], "", e.Type(), e.Nullable())
	}
	p, err := planner.NewProject(input, exprs, out)
	if err != nil {
		return nil, internal(err)
	}
	return p, nil
}

// hasAggregate reports whether the select list, HAVING or ORDER BY calls an aggregate
// function (outside subqueries).
func (s *state) hasAggregate(sel *ast.SelectStmt) bool {
	for _, f := range sel.Fields.Fields {
		if f.Expr != nil && s.containsAggregate(f.Expr) {
			return true
		}
	}
	if sel.Having != nil && s.containsAggregate(sel.Having.Expr) {
		return true
	}
	if sel.OrderBy != nil {
		for _, by := range sel.OrderBy.Items {
			if s.containsAggregate(by.Expr) {
				return true
			}
		}
	}
	return false
}

func (s *state) containsAggregate(n ast.Node) bool {
	v := &aggFinder{s: s}
	n.Accept(v)
	return v.found
}

// aggFinder looks for aggregate calls: TiDB's AggregateFuncExpr, or a call of a function the
// registry knows only as an aggregate (a user-defined one). It does not enter subqueries or
// window functions, whose aggregates are their own.
type aggFinder struct {
	s     *state
	found bool
}

func (v *aggFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.AggregateFuncExpr:
		v.found = true
	case *ast.FuncCallExpr:
		if v.s.isAggregateName(x.FnName.L) {
			v.found = true
		}
	case *ast.SubqueryExpr:
		return n, true
	case *ast.WindowFuncExpr:
		// The window call aggregates on its own, but its arguments and keys may hold
		// ordinary aggregates: sum(sum(x)) OVER ().
		for _, a := range x.Args {
			a.Accept(v)
		}
		if x.Spec.PartitionBy != nil {
			for _, by := range x.Spec.PartitionBy.Items {
				by.Expr.Accept(v)
			}
		}
		if x.Spec.OrderBy != nil {
			for _, by := range x.Spec.OrderBy.Items {
				by.Expr.Accept(v)
			}
		}
		return n, true
	}
	return n, v.found
}

func (v *aggFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func (s *state) isAggregateName(name string) bool {
	if _, ok := s.funcs().Scalar(name); ok {
		return false
	}
	_, ok := s.funcs().Aggregate(name)
	return ok
}
