package optimizer

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// DecorrelateSubqueries turns every subquery expression into a join, so that no subquery is
// run once per row:
//
//		Filter: EXISTS(q) AND x > 1          Filter: x > 1
//		  Scan: o                      →       Join: LeftSemi on (t.k = o.k)
//		q = Filter: t.k = outer(o.k)             Scan: o
//		      Scan: t                            Scan: t
//
//	  - A top-level conjunct of a Filter that is [NOT] EXISTS or [NOT] x op ANY (IN) becomes a
//	    semi or anti join. NOT IN keeps IN's NULL logic: the anti join drops a row whose
//	    comparison is NULL for some subquery row (Join.Cmp).
//	  - Elsewhere (under OR, in a select list) EXISTS and ANY become a mark join whose boolean
//	    column replaces the subquery: TRUE, FALSE, or NULL for IN's unknown.
//	  - A scalar subquery becomes a single join (a left join that fails when a row finds more
//	    than one match). A correlated scalar aggregate is grouped by its correlation columns;
//	    when the aggregate of no rows is not NULL (count), a marker column tells a missing
//	    group from a NULL result, so count over no rows is 0, not NULL (the "count bug").
//
// Correlated predicates (those reading outer columns through OuterRef) are pulled up through
// filters, projections, inner joins, sorts and distincts, and through an aggregate as extra
// grouping keys when they are equalities; they become the join condition. Subqueries nested
// in subqueries are rewritten first, innermost first, so correlation at any depth works
// level by level. What cannot be pulled up (a correlated predicate under a LIMIT, a window,
// a union or the inner side of an outer join) falls back to an Apply node, which runs the
// subquery once per distinct outer value: slow but right for every shape.
type DecorrelateSubqueries struct{}

// Name implements Rule.
func (DecorrelateSubqueries) Name() string { return "DecorrelateSubqueries" }

// Apply implements Rule.
func (DecorrelateSubqueries) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	return unnest(p)
}

// unnest rewrites the subqueries of every node of p, bottom-up.
func unnest(p planner.Plan) (planner.Plan, error) {
	return planner.TransformUp(p, func(n planner.Plan) (planner.Plan, error) {
		has := false
		for _, e := range n.Exprs() {
			has = has || planner.HasSubquery(e)
		}
		if !has {
			return n, nil
		}
		switch x := n.(type) {
		case *planner.Filter:
			return unnestFilter(x)
		case *planner.Project:
			return unnestProject(x)
		}
		return nil, errs.NotImplementedf("a subquery in %s is not supported", n.String())
	})
}

func unnestFilter(f *planner.Filter) (planner.Plan, error) {
	input := f.Input
	var keep []planner.Expr
	for _, c := range planner.SplitConjunction(f.Cond) {
		if sq, ok := c.(*planner.Subquery); ok && sq.Kind != planner.ScalarSubquery {
			in, err := semiJoin(input, sq)
			if err != nil {
				return nil, err
			}
			input = in
			continue
		}
		nc, in, err := replaceSubqueries(c, input)
		if err != nil {
			return nil, err
		}
		input = in
		keep = append(keep, nc)
	}
	var out planner.Plan = input
	if len(keep) > 0 {
		nf, err := planner.NewFilter(input, rebind(planner.Conjunction(keep), input.Schema()))
		if err != nil {
			return nil, errs.Wrap(errs.ErrInternal, err, "")
		}
		out = nf
	}
	return restoreSchema(out, f.Schema())
}

func unnestProject(p *planner.Project) (planner.Plan, error) {
	input := p.Input
	exprs := make([]planner.Expr, len(p.Projections))
	for i, e := range p.Projections {
		ne, in, err := replaceSubqueries(e, input)
		if err != nil {
			return nil, err
		}
		input = in
		exprs[i] = ne
	}
	for i := range exprs {
		exprs[i] = rebind(exprs[i], input.Schema())
	}
	np, err := planner.NewProject(input, exprs, p.Out)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	return np, nil
}

// restoreSchema projects p down to want (a prefix-compatible subset of p's columns by ID)
// when p has more columns.
func restoreSchema(p planner.Plan, want planner.Schema) (planner.Plan, error) {
	if len(p.Schema()) == len(want) {
		return p, nil
	}
	exprs := make([]planner.Expr, len(want))
	for i, c := range want {
		exprs[i] = planner.NewColumnRef(p.Schema()[p.Schema().IndexOf(c.ID)])
	}
	np, err := planner.NewProject(p, exprs, want)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	return np, nil
}

// replaceSubqueries joins every subquery of e onto input (mark joins for EXISTS and ANY,
// single joins for scalars) and returns e reading their result columns instead.
func replaceSubqueries(e planner.Expr, input planner.Plan) (planner.Expr, planner.Plan, error) {
	var failed error
	out, _ := planner.TransformExprUp(e, func(x planner.Expr) (planner.Expr, error) {
		sq, ok := x.(*planner.Subquery)
		if !ok || failed != nil {
			return x, nil
		}
		var r planner.Expr
		var err error
		if sq.Kind == planner.ScalarSubquery {
			r, input, err = scalarJoin(input, sq)
		} else {
			r, input, err = markJoin(input, sq)
		}
		if err != nil {
			failed = err
			return x, nil
		}
		return r, nil
	})
	if failed != nil {
		return nil, nil, failed
	}
	return out, input, nil
}

// prepared is a subquery plan made ready to join: correlation pulled up into on (over the
// outer columns and the plan's columns), nested subqueries already unnested.
type prepared struct {
	plan planner.Plan
	on   []planner.Expr
}

func prepare(input planner.Plan, sq *planner.Subquery, plan planner.Plan) (*prepared, error) {
	plan, err := unnest(plan)
	if err != nil {
		return nil, err
	}
	outer := idSet(input.Schema())
	np, preds, err := pullUp(plan, &pullCtx{outer: outer, outerPlan: input})
	if err != nil {
		return nil, errs.Wrap(errs.ErrNotImplemented, err, "correlated subquery %s cannot be decorrelated", sq)
	}
	for i, p := range preds {
		preds[i] = outerToColumns(p, outer)
	}
	return &prepared{plan: np, on: preds}, nil
}

// semiJoin turns a top-level conjunct [NOT] EXISTS / [NOT] x op ANY into a semi or anti join.
func semiJoin(input planner.Plan, sq *planner.Subquery) (planner.Plan, error) {
	plan := sq.Plan
	if sq.Kind == planner.ExistsSubquery {
		var always bool
		plan, always = existsCore(plan)
		if always { // EXISTS over a global aggregate: always one row
			if sq.Negated {
				return emptyOf(input)
			}
			return input, nil
		}
	}
	pr, err := prepare(input, sq, plan)
	if errs.KindOf(err) == errs.ErrNotImplemented {
		r, ap, err := applyFallback(input, sq, plan)
		if err != nil {
			return nil, err
		}
		f, err := planner.NewFilter(ap, r)
		if err != nil {
			return nil, errs.Wrap(errs.ErrInternal, err, "")
		}
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	on := pr.on
	var cmp planner.Expr
	typ := planner.LeftSemi
	if sq.Negated {
		typ = planner.LeftAnti
	}
	if sq.Kind == planner.AnySubquery {
		c := anyComparison(sq)
		if sq.Negated {
			cmp = c
		} else {
			on = append(on, c) // a NULL comparison is no match either way
		}
	}
	return newJoin(input, pr.plan, typ, on, cmp, planner.Column{})
}

// markJoin joins input with a mark column for EXISTS or ANY and returns the expression that
// replaces the subquery (the mark, negated for NOT).
func markJoin(input planner.Plan, sq *planner.Subquery) (planner.Expr, planner.Plan, error) {
	plan := sq.Plan
	if sq.Kind == planner.ExistsSubquery {
		var always bool
		if plan, always = existsCore(plan); always {
			return planner.NewLiteral(!sq.Negated, planner.Boolean), input, nil
		}
	}
	pr, err := prepare(input, sq, plan)
	if errs.KindOf(err) == errs.ErrNotImplemented {
		return applyFallback(input, sq, plan)
	}
	if err != nil {
		return nil, nil, err
	}
	var cmp planner.Expr
	if sq.Kind == planner.AnySubquery {
		cmp = anyComparison(sq)
	}
	mark := planner.NewColumn("mark", "", planner.Boolean, cmp != nil)
	j, err := newJoin(input, pr.plan, planner.LeftMark, pr.on, cmp, mark)
	if err != nil {
		return nil, nil, err
	}
	var r planner.Expr = planner.NewColumnRef(mark)
	if sq.Negated {
		r = &planner.Not{E: r}
	}
	return r, j, nil
}

// scalarJoin joins input with the one-row-per-outer-row result of a scalar subquery and
// returns the expression that replaces it.
func scalarJoin(input planner.Plan, sq *planner.Subquery) (planner.Expr, planner.Plan, error) {
	col := sq.Plan.Schema()[0]
	pr, err := prepare(input, sq, sq.Plan)
	if errs.KindOf(err) == errs.ErrNotImplemented {
		return applyFallback(input, sq, sq.Plan)
	}
	if err != nil {
		return nil, nil, err
	}
	plan := pr.plan
	var r planner.Expr = planner.NewColumnRef(col)
	var marker planner.Column
	if len(pr.on) > 0 {
		empty, ok := emptyResult(sq.Plan, col.ID)
		if !ok { // its value over no rows is unknown
			return applyFallback(input, sq, sq.Plan)
		}
		if lit, isLit := empty.(*planner.Literal); !isLit || lit.Value != nil {
			// A marker column (always TRUE) tells a missing group from a NULL value.
			marker = planner.NewColumn("present", "", planner.Boolean, false)
			exprs := make([]planner.Expr, 0, len(plan.Schema())+1)
			for _, c := range plan.Schema() {
				exprs = append(exprs, planner.NewColumnRef(c))
			}
			exprs = append(exprs, planner.NewLiteral(true, planner.Boolean))
			p, err := planner.NewProject(plan, exprs, append(append(planner.Schema{}, plan.Schema()...), marker))
			if err != nil {
				return nil, nil, errs.Wrap(errs.ErrInternal, err, "")
			}
			plan = p
			r = &planner.Case{
				Whens: []planner.When{{Cond: &planner.IsNull{E: planner.NewColumnRef(marker)}, Then: castTo(empty, col)}},
				Else:  r, Typ: col.Type,
			}
		}
	}
	j, err := newJoin(input, plan, planner.LeftSingle, pr.on, nil, planner.Column{})
	if err != nil {
		return nil, nil, err
	}
	return rebind(r, j.Schema()), j, nil
}

// applyFallback evaluates a subquery that cannot be decorrelated per outer value through an
// Apply node, and returns the expression that replaces it (Apply's column, negated for NOT).
func applyFallback(input planner.Plan, sq *planner.Subquery, plan planner.Plan) (planner.Expr, planner.Plan, error) {
	plan, err := unnest(plan)
	if err != nil {
		return nil, nil, err
	}
	var out planner.Column
	switch sq.Kind {
	case planner.ScalarSubquery:
		c := plan.Schema()[0]
		out = planner.NewColumn(c.Name, "", c.Type, true)
	case planner.ExistsSubquery:
		out = planner.NewColumn("exists", "", planner.Boolean, false)
	case planner.AnySubquery:
		// The comparison moves into the subquery, reading the outer operand as OuterRefs.
		e, _ := planner.TransformExprUp(sq.E, func(x planner.Expr) (planner.Expr, error) {
			if c, ok := x.(*planner.ColumnRef); ok {
				return &planner.OuterRef{Col: c.Col}, nil
			}
			return x, nil
		})
		cmp := &planner.Binary{Op: sq.Op, Left: e, Right: planner.NewColumnRef(plan.Schema()[0]), Typ: planner.Boolean}
		cmpCol := planner.NewColumn("cmp", "", planner.Boolean, true)
		if plan, err = planner.NewProject(plan, []planner.Expr{cmp}, []planner.Column{cmpCol}); err != nil {
			return nil, nil, errs.Wrap(errs.ErrInternal, err, "")
		}
		out = planner.NewColumn("any", "", planner.Boolean, true)
	}
	ap, err := planner.NewApply(input, plan, sq.Kind, out)
	if err != nil {
		return nil, nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	var r planner.Expr = planner.NewColumnRef(out)
	if sq.Negated {
		r = &planner.Not{E: r}
	}
	return r, ap, nil
}

func castTo(e planner.Expr, c planner.Column) planner.Expr {
	if e.Type().ID() == c.Type.ID() && e.Type().String() == c.Type.String() {
		return e
	}
	if lit, ok := e.(*planner.Literal); ok && lit.Value == nil {
		return planner.NewLiteral(nil, c.Type)
	}
	return &planner.Cast{E: e, To: c.Type}
}

func newJoin(left, right planner.Plan, typ planner.JoinType, on []planner.Expr, cmp planner.Expr, mark planner.Column) (planner.Plan, error) {
	var cond planner.Expr
	if len(on) > 0 {
		both := append(append(planner.Schema{}, left.Schema()...), right.Schema()...)
		cond = rebind(planner.Conjunction(on), both)
	}
	j, err := planner.NewSubqueryJoin(left, right, typ, cond, cmp, mark)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	return j, nil
}

// anyComparison is "E op col" of an ANY subquery, over the outer row and the subquery row.
func anyComparison(sq *planner.Subquery) planner.Expr {
	col := sq.Plan.Schema()[0]
	return &planner.Binary{Op: sq.Op, Left: sq.E, Right: planner.NewColumnRef(col), Typ: planner.Boolean}
}

// existsCore strips what does not change whether a plan yields a row (projections, sorts,
// distincts, a positive LIMIT without offset). always is set when the rest always yields a
// row (an aggregate without GROUP BY).
func existsCore(p planner.Plan) (core planner.Plan, always bool) {
	for {
		switch x := p.(type) {
		case *planner.Project:
			p = x.Input
		case *planner.Sort:
			p = x.Input
		case *planner.Distinct:
			p = x.Input
		case *planner.SubqueryAlias:
			p = x.Input
		case *planner.Limit:
			if x.Offset != 0 || x.Count == 0 {
				return p, false
			}
			p = x.Input
		case *planner.Aggregate:
			return p, len(x.GroupBy) == 0
		default:
			return p, false
		}
	}
}

// emptyOf is a plan with input's schema and no rows.
func emptyOf(input planner.Plan) (planner.Plan, error) {
	f, err := planner.NewFilter(input, planner.NewLiteral(false, planner.Boolean))
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	return f, nil
}

// outerToColumns turns the OuterRefs of e that read outer (the columns of the plan the
// subquery is joined to) into ColumnRefs.
func outerToColumns(e planner.Expr, outer map[planner.ColumnID]bool) planner.Expr {
	out, _ := planner.TransformExprUp(e, func(x planner.Expr) (planner.Expr, error) {
		if o, ok := x.(*planner.OuterRef); ok && outer[o.Col.ID] {
			return planner.NewColumnRef(o.Col), nil
		}
		return x, nil
	})
	return out
}

// correlated reports whether e reads an outer column of outer.
func correlated(e planner.Expr, outer map[planner.ColumnID]bool) bool {
	found := false
	planner.WalkExpr(e, func(x planner.Expr) bool {
		if o, ok := x.(*planner.OuterRef); ok && outer[o.Col.ID] {
			found = true
		}
		return !found
	})
	return found
}

// planCorrelated reports whether any expression in p reads an outer column of outer.
func planCorrelated(p planner.Plan, outer map[planner.ColumnID]bool) bool {
	found := false
	planner.WalkPlan(p, func(n planner.Plan) bool {
		for _, e := range n.Exprs() {
			found = found || correlated(e, outer)
		}
		return !found
	})
	return found
}
