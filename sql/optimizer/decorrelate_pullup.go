package optimizer

import (
	"fmt"

	"github.com/embersql/ember/sql/planner"
)

// pullCtx is what pullUp knows of the query the subquery is joined to: its columns (outer)
// and its plan (for the domain of outer values, see pullUpAggregate).
type pullCtx struct {
	outer     map[planner.ColumnID]bool
	outerPlan planner.Plan
}

// pullUp removes the correlated predicates (those reading a column of outer through an
// OuterRef) from p and returns them, with the plan rewritten so that every inner column
// they read is in its schema. Through an aggregate, an equality "inner = outer expression"
// becomes an extra grouping key (the aggregate then computes one result per outer value);
// any other correlated predicate there is refused. The error says what blocked it.
func pullUp(p planner.Plan, pc *pullCtx) (planner.Plan, []planner.Expr, error) {
	if !planCorrelated(p, pc.outer) {
		return p, nil, nil
	}
	switch x := p.(type) {
	case *planner.Filter:
		in, preds, err := pullUp(x.Input, pc)
		if err != nil {
			return nil, nil, err
		}
		var keep []planner.Expr
		for _, c := range planner.SplitConjunction(x.Cond) {
			if correlated(c, pc.outer) {
				preds = append(preds, c)
			} else {
				keep = append(keep, c)
			}
		}
		if len(keep) == 0 {
			return in, preds, nil
		}
		f, err := planner.NewFilter(in, rebind(planner.Conjunction(keep), in.Schema()))
		return f, preds, err
	case *planner.Project:
		for _, e := range x.Projections {
			if correlated(e, pc.outer) {
				return nil, nil, fmt.Errorf("an outer column is read in the select list (%s)", e)
			}
		}
		in, preds, err := pullUp(x.Input, pc)
		if err != nil {
			return nil, nil, err
		}
		exprs := append([]planner.Expr(nil), x.Projections...)
		for i := range exprs {
			exprs[i] = rebind(exprs[i], in.Schema())
		}
		out := append(planner.Schema{}, x.Out...)
		have := idSet(out)
		for _, pr := range preds {
			for id := range planner.ColumnsOf(pr, nil) {
				if have[id] {
					continue
				}
				i := in.Schema().IndexOf(id)
				if i < 0 {
					return nil, nil, fmt.Errorf("column #%d of a correlated predicate is not visible", id)
				}
				have[id] = true
				exprs = append(exprs, planner.NewColumnRef(in.Schema()[i]))
				out = append(out, in.Schema()[i])
			}
		}
		np, err := planner.NewProject(in, exprs, out)
		return np, preds, err
	case *planner.SubqueryAlias:
		in, preds, err := pullUp(x.Input, pc)
		if err != nil {
			return nil, nil, err
		}
		return planner.NewSubqueryAlias(in, x.Alias), preds, nil
	case *planner.Sort:
		// Order does not matter to a subquery without a LIMIT.
		return pullUp(x.Input, pc)
	case *planner.Distinct:
		in, preds, err := pullUp(x.Input, pc)
		if err != nil {
			return nil, nil, err
		}
		for _, pr := range preds {
			if _, _, ok := equalityKey(pr, in.Schema(), pc.outer); !ok {
				return nil, nil, fmt.Errorf("a correlated predicate under DISTINCT is not an equality (%s)", pr)
			}
		}
		return planner.NewDistinct(in), preds, nil
	case *planner.Aggregate:
		return pullUpAggregate(x, pc)
	case *planner.Join:
		return pullUpJoin(x, pc)
	}
	return nil, nil, fmt.Errorf("a correlated predicate is under %s", p.String())
}

// equalityKey reports whether pr is "inner = outer-only expression" (either way round) and
// returns the inner side and the outer side.
func equalityKey(pr planner.Expr, inner planner.Schema, outer map[planner.ColumnID]bool) (in, out planner.Expr, ok bool) {
	b, isBin := pr.(*planner.Binary)
	if !isBin || b.Op != planner.OpEq {
		return nil, nil, false
	}
	ids := idSet(inner)
	innerOnly := func(e planner.Expr) bool {
		return !correlated(e, outer) && len(planner.ColumnsOf(e, nil)) > 0 && refsWithin(e, ids)
	}
	outerOnly := func(e planner.Expr) bool {
		return correlated(e, outer) && len(planner.ColumnsOf(e, nil)) == 0
	}
	switch {
	case innerOnly(b.Left) && outerOnly(b.Right):
		return b.Left, b.Right, true
	case innerOnly(b.Right) && outerOnly(b.Left):
		return b.Right, b.Left, true
	}
	return nil, nil, false
}

func pullUpAggregate(a *planner.Aggregate, pc *pullCtx) (planner.Plan, []planner.Expr, error) {
	for _, e := range a.Exprs() {
		if correlated(e, pc.outer) {
			return nil, nil, fmt.Errorf("an aggregate reads an outer column (%s)", e)
		}
	}
	in, preds, err := pullUp(a.Input, pc)
	if err != nil {
		return nil, nil, err
	}
	for _, pr := range preds {
		if _, _, ok := equalityKey(pr, in.Schema(), pc.outer); !ok {
			return pc.domainAggregate(a, in, preds)
		}
	}
	g := len(a.GroupBy)
	groups := append([]planner.Expr(nil), a.GroupBy...)
	keyCols := append(planner.Schema{}, a.Out[:g]...)
	for i, pr := range preds {
		inner, outerSide, _ := equalityKey(pr, in.Schema(), pc.outer)
		var col planner.Column
		if c, isCol := inner.(*planner.ColumnRef); isCol {
			col = in.Schema()[in.Schema().IndexOf(c.Col.ID)]
		} else {
			col = planner.NewColumn(inner.String(), "", inner.Type(), inner.Nullable())
		}
		if keyCols.IndexOf(col.ID) < 0 {
			groups = append(groups, inner)
			keyCols = append(keyCols, col)
		}
		preds[i] = &planner.Binary{Op: planner.OpEq, Left: planner.NewColumnRef(col), Right: outerSide, Typ: planner.Boolean}
	}
	out := append(keyCols, a.Out[g:]...)
	na, err := planner.NewAggregate(in, groups, a.Aggs, out)
	return na, preds, err
}

// domainAggregate decorrelates an aggregate under correlated predicates that are not all
// equalities (q.age > outer(p.age)): the distinct outer values the predicates read (the
// domain D, from the outer plan, under fresh column IDs) are joined to the aggregate's input
// by the predicates, and the aggregate groups by them too. The predicate left for the join
// above is "D column IS NOT DISTINCT FROM outer column" per value. The outer plan is
// computed twice (once for D); its rows meet the aggregate by hash on the domain values.
func (pc *pullCtx) domainAggregate(a *planner.Aggregate, in planner.Plan, preds []planner.Expr) (planner.Plan, []planner.Expr, error) {
	refs := map[planner.ColumnID]planner.Column{}
	var order []planner.ColumnID
	for _, pr := range preds {
		planner.WalkExpr(pr, func(x planner.Expr) bool {
			if o, ok := x.(*planner.OuterRef); ok && pc.outer[o.Col.ID] {
				if _, seen := refs[o.Col.ID]; !seen {
					order = append(order, o.Col.ID)
				}
				refs[o.Col.ID] = o.Col
			}
			return true
		})
	}
	os := pc.outerPlan.Schema()
	var dexprs []planner.Expr
	var dcols planner.Schema
	sub := map[planner.ColumnID]planner.Expr{}
	for _, id := range order {
		oc := os[os.IndexOf(id)]
		dc := planner.NewColumn(oc.Name, "", oc.Type, oc.Nullable)
		dexprs = append(dexprs, planner.NewColumnRef(oc))
		dcols = append(dcols, dc)
		sub[id] = planner.NewColumnRef(dc)
	}
	dproj, err := planner.NewProject(pc.outerPlan, dexprs, dcols)
	if err != nil {
		return nil, nil, err
	}
	domain := planner.NewDistinct(dproj)
	var on []planner.Expr
	for _, pr := range preds {
		on = append(on, replaceOuter(pr, sub))
	}
	both := append(append(planner.Schema{}, in.Schema()...), dcols...)
	j, err := planner.NewJoin(in, domain, planner.InnerJoin, rebind(planner.Conjunction(on), both))
	if err != nil {
		return nil, nil, err
	}
	g := len(a.GroupBy)
	groups := append([]planner.Expr(nil), a.GroupBy...)
	out := append(planner.Schema{}, a.Out[:g]...)
	var up []planner.Expr
	for i, dc := range dcols {
		groups = append(groups, planner.NewColumnRef(dc))
		out = append(out, dc)
		up = append(up, notDistinct(planner.NewColumnRef(dc), &planner.OuterRef{Col: refs[order[i]]}))
	}
	out = append(out, a.Out[g:]...)
	na, err := planner.NewAggregate(j, groups, a.Aggs, out)
	return na, up, err
}

// replaceOuter replaces the OuterRefs of e whose IDs are in m.
func replaceOuter(e planner.Expr, m map[planner.ColumnID]planner.Expr) planner.Expr {
	out, _ := planner.TransformExprUp(e, func(x planner.Expr) (planner.Expr, error) {
		if o, ok := x.(*planner.OuterRef); ok {
			if r, ok := m[o.Col.ID]; ok {
				return r, nil
			}
		}
		return x, nil
	})
	return out
}

// notDistinct is "l IS NOT DISTINCT FROM r": plain equality when neither side can be NULL
// (so a hash join can use it as a key).
func notDistinct(l, r planner.Expr) planner.Expr {
	eq := &planner.Binary{Op: planner.OpEq, Left: l, Right: r, Typ: planner.Boolean}
	if !l.Nullable() && !r.Nullable() {
		return eq
	}
	return &planner.Case{
		Whens: []planner.When{
			{Cond: &planner.IsNull{E: l}, Then: &planner.IsNull{E: r}},
			{Cond: &planner.IsNull{E: r}, Then: planner.NewLiteral(false, planner.Boolean)},
		},
		Else: eq,
		Typ:  planner.Boolean,
	}
}

func pullUpJoin(j *planner.Join, pc *pullCtx) (planner.Plan, []planner.Expr, error) {
	var preds, on []planner.Expr
	if j.On != nil {
		for _, c := range planner.SplitConjunction(j.On) {
			if correlated(c, pc.outer) {
				preds = append(preds, c)
			} else {
				on = append(on, c)
			}
		}
	}
	var left, right planner.Plan = j.Left, j.Right
	var err error
	var lp, rp []planner.Expr
	switch j.Type {
	case planner.InnerJoin, planner.CrossJoin:
		if left, lp, err = pullUp(j.Left, pc); err != nil {
			return nil, nil, err
		}
		if right, rp, err = pullUp(j.Right, pc); err != nil {
			return nil, nil, err
		}
	case planner.LeftJoin, planner.LeftSemi, planner.LeftAnti, planner.LeftMark, planner.LeftSingle:
		if len(preds) > 0 || (j.Cmp != nil && correlated(j.Cmp, pc.outer)) || planCorrelated(j.Right, pc.outer) {
			return nil, nil, fmt.Errorf("a correlated predicate is on the inner side of a %s join", j.Type)
		}
		if left, lp, err = pullUp(j.Left, pc); err != nil {
			return nil, nil, err
		}
	default:
		return nil, nil, fmt.Errorf("a correlated predicate is under a %s join", j.Type)
	}
	typ := j.Type
	var cond planner.Expr
	if len(on) > 0 {
		both := append(append(planner.Schema{}, left.Schema()...), right.Schema()...)
		cond = rebind(planner.Conjunction(on), both)
	} else if typ == planner.InnerJoin {
		typ = planner.CrossJoin
	}
	nj, err := planner.NewSubqueryJoin(left, right, typ, cond, j.Cmp, j.MarkCol)
	return nj, append(append(preds, lp...), rp...), err
}

// emptyResult is the value of column id of a scalar subquery plan over no input rows (what
// a correlated scalar subquery yields for an outer row that no inner row matches): count
// gives 0, other aggregates NULL, and no rows at all NULL. ok is false when that cannot be
// told (a filter over an aggregate whose empty value is not NULL).
func emptyResult(p planner.Plan, id planner.ColumnID) (planner.Expr, bool) {
	r := emptyRow(p)
	if !r.ok {
		return nil, false
	}
	col := p.Schema()[p.Schema().IndexOf(id)]
	v, have := r.values[id]
	if r.none || !have {
		return planner.NewLiteral(nil, col.Type), true
	}
	if lit, isLit := v.(*planner.Literal); isLit && lit.Value == nil {
		return v, true
	}
	if r.filtered {
		return nil, false
	}
	return v, true
}

type emptyRowResult struct {
	values   map[planner.ColumnID]planner.Expr
	none     bool // no row at all
	filtered bool // a filter sits over the aggregate
	ok       bool
}

func emptyRow(p planner.Plan) emptyRowResult {
	switch x := p.(type) {
	case *planner.Aggregate:
		if len(x.GroupBy) > 0 {
			return emptyRowResult{none: true, ok: true}
		}
		m := map[planner.ColumnID]planner.Expr{}
		for i, ac := range x.Aggs {
			out := x.Out[i]
			switch ac.Fn.Name() {
			case "count", "approx_count_distinct":
				m[out.ID] = planner.NewLiteral(int64(0), out.Type)
			default:
				m[out.ID] = planner.NewLiteral(nil, out.Type)
			}
		}
		return emptyRowResult{values: m, ok: true}
	case *planner.Project:
		r := emptyRow(x.Input)
		if !r.ok || r.none {
			return r
		}
		m := map[planner.ColumnID]planner.Expr{}
		for i, e := range x.Projections {
			if !refsWithin(e, keysOf(r.values)) {
				return emptyRowResult{}
			}
			m[x.Out[i].ID] = substitute(e, r.values)
		}
		r.values = m
		return r
	case *planner.Filter:
		r := emptyRow(x.Input)
		r.filtered = true
		return r
	case *planner.SubqueryAlias:
		return emptyRow(x.Input)
	case *planner.Sort:
		return emptyRow(x.Input)
	case *planner.Limit:
		if x.Offset > 0 || x.Count == 0 {
			return emptyRowResult{none: true, ok: true}
		}
		return emptyRow(x.Input)
	}
	return emptyRowResult{none: true, ok: true}
}

func keysOf(m map[planner.ColumnID]planner.Expr) map[planner.ColumnID]bool {
	out := make(map[planner.ColumnID]bool, len(m))
	for id := range m {
		out[id] = true
	}
	return out
}
