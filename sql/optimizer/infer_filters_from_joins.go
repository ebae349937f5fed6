package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// InferFiltersFromJoins copies a filter on one key of an equi-join to the other key, so
// that both inputs shrink before the join (and both scans get the hint):
//
//	Join: Inner on (o.k = l.k)                Join: Inner on (o.k = l.k)
//	  Filter: (o.k > 5)                 →       Filter: (o.k > 5)
//	    Scan: orders o                            Scan: orders o
//	  Scan: lineitem l                          Filter: (l.k > 5)
//	                                              Scan: lineitem l
//
// For each conjunct "a = b" of a join's ON (a and b columns of the two sides with the same
// type), a predicate known to hold on every row of a's side (a filter below it, or a
// conjunct of a filter right above the join that reads only that side) that reads only a
// and has one of the forms a <op> literal, a [NOT] IN (literals...) or a [NOT] LIKE
// 'pattern' is copied as the same predicate over b onto b's side. Every row
// that can meet a row of a's side has b = a, and these forms give equal answers for equal
// values (floats compare in a total order, strings byte by byte), so the rows the copy
// removes match nothing. Directions: both for inner and left semi joins; from the
// preserved to the null-supplying side of a left or right join (a row of the supplying side
// that matches nothing is not output at all).
//
// It also adds b IS NOT NULL on b's side of an inner or semi join (on the supplying side of
// an outer join), for a key b or CAST(b AS ...) of an ON equality, when b is nullable only
// because an outer join inside that side pads it and FilterPushdown can carry the
// predicate down to that join: OuterJoinSimplification then turns that join into an inner
// one (a NULL key never matches).
//
// Idempotent in the fixed-point batch: nothing is added that the target side already
// implies (constraintsOf follows filters through projections, aggregates, joins and unions,
// wherever FilterPushdown may have moved them), and only onto columns that come straight
// from a scan (traceable), so a copy can never fold away into something unrecognizable.
//
// Refuses: a predicate that reads another column or calls a function (a + 1 > 5, upper(a)
// = 'X'), a non-deterministic one, a IS NOT NULL (the join drops NULL keys itself, and a
// copy onto a NOT NULL column would fold away and come back on every pass), keys compared through a cast, the preserved side of an
// outer join (WHERE r.x > 5 must not filter the left input of a LEFT join), anti, mark,
// single and full joins, and a key that is computed (a projected expression).
type InferFiltersFromJoins struct{}

// Name implements Rule.
func (InferFiltersFromJoins) Name() string { return "InferFiltersFromJoins" }

// Apply implements Rule.
func (InferFiltersFromJoins) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	np, err := planner.TransformUp(p, func(n planner.Plan) (planner.Plan, error) {
		switch x := n.(type) {
		case *planner.Join:
			return inferJoin(x, nil)
		case *planner.Filter:
			j, ok := x.Input.(*planner.Join)
			if !ok {
				return n, nil
			}
			nj, err := inferJoin(j, planner.SplitConjunction(x.Cond))
			if err != nil || nj == j {
				return n, err
			}
			return x.WithChildren([]planner.Plan{nj})
		}
		return n, nil
	})
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// inferJoin adds the inferred filters to j's inputs; above are the conjuncts of a filter
// right above j (nil when none). It returns j itself when nothing is inferred.
func inferJoin(j *planner.Join, above []planner.Expr) (planner.Plan, error) {
	var toRight, toLeft bool // the directions predicates may travel in
	switch j.Type {
	case planner.InnerJoin, planner.LeftSemi:
		toRight, toLeft = true, true
	case planner.LeftJoin:
		toRight = true
	case planner.RightJoin:
		toLeft = true
	default:
		return j, nil
	}
	ls, rs := j.Left.Schema(), j.Right.Schema()
	// pairs are the equalities of two columns of one type (where predicates may travel);
	// keys are the equalities of two keys that are columns under casts (NULL exactly when
	// the column is), each pair with its left key first.
	type pair struct{ l, r planner.Column }
	var pairs, keys []pair
	if j.On != nil {
		for _, c := range planner.SplitConjunction(j.On) {
			b, ok := c.(*planner.Binary)
			if !ok || b.Op != planner.OpEq {
				continue
			}
			x, y := keyColumn(b.Left), keyColumn(b.Right)
			if x == nil || y == nil {
				continue
			}
			li, ri := ls.IndexOf(x.ID), rs.IndexOf(y.ID)
			if li < 0 || ri < 0 {
				li, ri = ls.IndexOf(y.ID), rs.IndexOf(x.ID)
			}
			if li < 0 || ri < 0 {
				continue
			}
			keys = append(keys, pair{ls[li], rs[ri]})
			_, lcol := b.Left.(*planner.ColumnRef)
			_, rcol := b.Right.(*planner.ColumnRef)
			if lcol && rcol && arrow.TypeEqual(x.Type, y.Type) {
				pairs = append(pairs, pair{ls[li], rs[ri]})
			}
		}
	}
	if len(keys) == 0 {
		return j, nil
	}
	// What holds on each side: its own constraints and, where the side is not padded by
	// this join, the conjuncts of the filter above that read only it.
	lcons, rcons := constraintsOf(j.Left), constraintsOf(j.Right)
	lids, rids := idSet(ls), idSet(rs)
	for _, c := range above {
		switch {
		case !pure(c):
		case toRight && refsWithin(c, lids):
			lcons = append(lcons, c)
		case toLeft && refsWithin(c, rids):
			rcons = append(rcons, c)
		}
	}
	var addL, addR []planner.Expr
	add := func(q planner.Expr, toCons []planner.Expr, to *[]planner.Expr) {
		if !implied(toCons, q) && !containsExpr(*to, q) {
			*to = append(*to, q)
		}
	}
	transfer := func(from, to planner.Column, fromCons, toCons []planner.Expr, toSide planner.Plan, added *[]planner.Expr) {
		if traceable(toSide, to.ID) {
			for _, c := range fromCons {
				if q := transferPredicate(c, from, to); q != nil {
					add(q, toCons, added)
				}
			}
		}
	}
	notNull := func(to planner.Column, toCons []planner.Expr, toSide planner.Plan, added *[]planner.Expr) {
		if to.Nullable && padsColumn(toSide, to.ID) {
			add(&planner.IsNull{E: planner.NewColumnRef(to), Negated: true}, toCons, added)
		}
	}
	for _, pr := range pairs {
		if toRight {
			transfer(pr.l, pr.r, lcons, rcons, j.Right, &addR)
		}
		if toLeft {
			transfer(pr.r, pr.l, rcons, lcons, j.Left, &addL)
		}
	}
	for _, pr := range keys {
		if toRight {
			notNull(pr.r, rcons, j.Right, &addR)
		}
		if toLeft {
			notNull(pr.l, lcons, j.Left, &addL)
		}
	}
	if len(addL) == 0 && len(addR) == 0 {
		return j, nil
	}
	l, err := addFilter(j.Left, addL)
	if err != nil {
		return nil, err
	}
	r, err := addFilter(j.Right, addR)
	if err != nil {
		return nil, err
	}
	return j.WithChildren([]planner.Plan{l, r})
}

// keyColumn returns the column that e reads when e is a column under zero or more casts (a
// cast of NULL is NULL and of a value a value, or an error), or nil.
func keyColumn(e planner.Expr) *planner.Column {
	for {
		switch x := e.(type) {
		case *planner.ColumnRef:
			return &x.Col
		case *planner.Cast:
			e = x.E
		default:
			return nil
		}
	}
}

// transferPredicate returns c over column to instead of from when c reads only from and has
// a form that gives equal answers for equal values; nil otherwise.
func transferPredicate(c planner.Expr, from, to planner.Column) planner.Expr {
	isFrom := func(e planner.Expr) bool {
		r, ok := e.(*planner.ColumnRef)
		return ok && r.Col.ID == from.ID
	}
	isLit := func(e planner.Expr) bool {
		_, ok := e.(*planner.Literal)
		return ok
	}
	ok := false
	switch x := c.(type) {
	case *planner.Binary:
		ok = x.Op.IsComparison() && ((isFrom(x.Left) && isLit(x.Right)) || (isLit(x.Left) && isFrom(x.Right)))
	case *planner.InList:
		ok = isFrom(x.E)
		for _, it := range x.List {
			ok = ok && isLit(it)
		}
	case *planner.Like:
		ok = isFrom(x.E) && isLit(x.Pattern)
	}
	if !ok {
		return nil
	}
	return substitute(c, map[planner.ColumnID]planner.Expr{from.ID: planner.NewColumnRef(to)})
}

// addFilter ANDs preds into p when p is a Filter, or puts a Filter with them over p; p
// itself when preds is empty.
func addFilter(p planner.Plan, preds []planner.Expr) (planner.Plan, error) {
	if len(preds) == 0 {
		return p, nil
	}
	if f, ok := p.(*planner.Filter); ok {
		return planner.NewFilter(f.Input, rebind(planner.Conjunction(append(planner.SplitConjunction(f.Cond), preds...)), f.Input.Schema()))
	}
	return planner.NewFilter(p, rebind(planner.Conjunction(preds), p.Schema()))
}

// implied reports whether the constraints cs make q redundant: q is one of them, or they
// contain false (no row at all).
func implied(cs []planner.Expr, q planner.Expr) bool {
	return containsExpr(cs, q) || containsExpr(cs, boolLiteral(false))
}

// constraintsOf returns predicates that are TRUE on every row p outputs, over p's columns:
// the pure conjuncts of the filters in p, carried up through the nodes that keep them true
// (the literal false when p has no rows). It follows every place FilterPushdown may move a
// conjunct to, so that a conjunct pushed down is still found from above. O(plan size ×
// constraints).
func constraintsOf(p planner.Plan) []planner.Expr {
	switch n := p.(type) {
	case *planner.Filter:
		var out []planner.Expr
		for _, c := range planner.SplitConjunction(n.Cond) {
			if pure(c) {
				out = append(out, c)
			}
		}
		return append(out, constraintsOf(n.Input)...)
	case *planner.Sort, *planner.Limit, *planner.Distinct, *planner.SubqueryAlias, *planner.Window, *planner.Generate,
		*planner.Repartition:
		// Rows are a subset (or copies) of the input's, with its columns unchanged.
		return constraintsOf(p.Children()[0])
	case *planner.Project:
		return liftConstraints(constraintsOf(n.Input), n.Projections, n.Out)
	case *planner.Aggregate:
		if len(n.GroupBy) == 0 {
			return nil // one row even for no input: nothing below carries over
		}
		return liftConstraints(constraintsOf(n.Input), n.GroupBy, n.Out[:len(n.GroupBy)])
	case *planner.Expand:
		// Columns passed through by every projection keep their input values.
		var exprs []planner.Expr
		var out []planner.Column
		for j, c := range n.Out {
			if r := passThrough(n, j); r != nil {
				exprs, out = append(exprs, r), append(out, c)
			}
		}
		return liftConstraints(constraintsOf(n.Input), exprs, out)
	case *planner.Join:
		switch n.Type {
		case planner.InnerJoin, planner.CrossJoin:
			out := append(constraintsOf(n.Left), constraintsOf(n.Right)...)
			if n.On != nil {
				for _, c := range planner.SplitConjunction(n.On) {
					if pure(c) {
						out = append(out, c)
					}
				}
			}
			return out
		case planner.RightJoin:
			return constraintsOf(n.Right)
		case planner.FullJoin:
			return nil
		default: // left outer, semi, anti, mark and single joins keep left rows unchanged
			return constraintsOf(n.Left)
		}
	case *planner.Union:
		var acc []planner.Expr
		seen := false
		for _, in := range n.Inputs {
			cs := liftConstraints(constraintsOf(in), columnRefs(in.Schema()), n.Out)
			if containsExpr(cs, boolLiteral(false)) {
				continue // an empty branch adds no rows
			}
			if !seen {
				acc, seen = cs, true
				continue
			}
			var both []planner.Expr
			for _, c := range acc {
				if containsExpr(cs, c) {
					both = append(both, c)
				}
			}
			acc = both
		}
		if !seen {
			return []planner.Expr{boolLiteral(false)}
		}
		return acc
	case *planner.SetOp:
		out := liftConstraints(constraintsOf(n.Left), columnRefs(n.Left.Schema()), n.Out)
		if n.Kind == planner.Intersect {
			out = append(out, liftConstraints(constraintsOf(n.Right), columnRefs(n.Right.Schema()), n.Out)...)
		}
		return out
	case *planner.Values:
		if len(n.Rows) == 0 {
			return []planner.Expr{boolLiteral(false)}
		}
	}
	return nil
}

// passThrough returns the column reference that every projection of e puts in output
// position j, or nil when they differ or compute something.
func passThrough(e *planner.Expand, j int) *planner.ColumnRef {
	var ref *planner.ColumnRef
	for _, p := range e.Projections {
		r, ok := p[j].(*planner.ColumnRef)
		if !ok || (ref != nil && r.Col.ID != ref.Col.ID) {
			return nil
		}
		ref = r
	}
	return ref
}

// columnRefs returns a reference to each column of s.
func columnRefs(s planner.Schema) []planner.Expr {
	out := make([]planner.Expr, len(s))
	for i, c := range s {
		out[i] = planner.NewColumnRef(c)
	}
	return out
}

// liftConstraints rewrites constraints over a node's input into constraints over its
// output, where output column out[i] is exprs[i] of the input: every subexpression equal
// to a pure exprs[i] becomes a reference to out[i]. A constraint that still reads an input
// column afterwards is dropped.
func liftConstraints(cs, exprs []planner.Expr, out []planner.Column) []planner.Expr {
	var res []planner.Expr
	for _, c := range cs {
		if l, ok := liftExpr(c, exprs, out); ok {
			res = append(res, l)
		}
	}
	return res
}

func liftExpr(e planner.Expr, exprs []planner.Expr, out []planner.Column) (planner.Expr, bool) {
	for i, x := range exprs {
		if pure(x) && exprEqual(x, e) {
			return planner.NewColumnRef(out[i]), true
		}
	}
	switch e.(type) {
	case *planner.ColumnRef, *planner.OuterRef:
		return nil, false
	}
	kids := e.Children()
	if len(kids) == 0 {
		return e, true
	}
	nk := make([]planner.Expr, len(kids))
	for i, k := range kids {
		var ok bool
		if nk[i], ok = liftExpr(k, exprs, out); !ok {
			return nil, false
		}
	}
	return e.WithChildren(nk), true
}

// traceable reports whether column id of p's output is a scan's column passed up unchanged
// (through filters, sorts, projections of the bare column, group keys, joins and set
// operations whose every input traces it), so that a filter on it, wherever FilterPushdown
// takes it, stays a filter on a scan column that no folding can remove.
func traceable(p planner.Plan, id planner.ColumnID) bool {
	switch n := p.(type) {
	case *planner.Scan:
		return n.Schema().IndexOf(id) >= 0
	case *planner.Filter, *planner.Sort, *planner.Limit, *planner.Distinct, *planner.SubqueryAlias, *planner.Repartition:
		return traceable(p.Children()[0], id)
	case *planner.Window, *planner.Generate:
		in := p.Children()[0]
		return in.Schema().IndexOf(id) >= 0 && traceable(in, id)
	case *planner.Project:
		i := n.Schema().IndexOf(id)
		if i < 0 {
			return false
		}
		r, ok := n.Projections[i].(*planner.ColumnRef)
		return ok && traceable(n.Input, r.Col.ID)
	case *planner.Aggregate:
		i := n.Schema().IndexOf(id)
		if i < 0 || i >= len(n.GroupBy) {
			return false
		}
		r, ok := n.GroupBy[i].(*planner.ColumnRef)
		return ok && traceable(n.Input, r.Col.ID)
	case *planner.Join:
		if n.Left.Schema().IndexOf(id) >= 0 {
			return traceable(n.Left, id)
		}
		return n.Type.KeepsRightColumns() && n.Right.Schema().IndexOf(id) >= 0 && traceable(n.Right, id)
	case *planner.Union:
		j := n.Schema().IndexOf(id)
		if j < 0 {
			return false
		}
		for _, in := range n.Inputs {
			if !traceable(in, in.Schema()[j].ID) {
				return false
			}
		}
		return true
	case *planner.SetOp:
		j := n.Schema().IndexOf(id)
		return j >= 0 && traceable(n.Left, n.Left.Schema()[j].ID) &&
			(n.Kind == planner.Except || traceable(n.Right, n.Right.Schema()[j].ID))
	}
	return false
}

// padsColumn reports whether column id of p's output is NULL-padded by an outer join that a
// filter on it would reach through FilterPushdown (through filters, sorts, aliases, bare
// column projections, group keys, and the inputs of joins that a filter enters).
func padsColumn(p planner.Plan, id planner.ColumnID) bool {
	switch n := p.(type) {
	case *planner.Filter, *planner.Sort, *planner.Distinct, *planner.SubqueryAlias, *planner.Repartition:
		return padsColumn(p.Children()[0], id)
	case *planner.Project:
		i := n.Schema().IndexOf(id)
		if i < 0 {
			return false
		}
		r, ok := n.Projections[i].(*planner.ColumnRef)
		return ok && padsColumn(n.Input, r.Col.ID)
	case *planner.Aggregate:
		i := n.Schema().IndexOf(id)
		if i < 0 || i >= len(n.GroupBy) {
			return false
		}
		r, ok := n.GroupBy[i].(*planner.ColumnRef)
		return ok && padsColumn(n.Input, r.Col.ID)
	case *planner.Join:
		inLeft := n.Left.Schema().IndexOf(id) >= 0
		inRight := !inLeft && n.Type.KeepsRightColumns() && n.Right.Schema().IndexOf(id) >= 0
		switch {
		case n.Type == planner.FullJoin:
			return inLeft || inRight
		case n.Type == planner.LeftJoin:
			return inRight || (inLeft && padsColumn(n.Left, id))
		case n.Type == planner.RightJoin:
			return inLeft || (inRight && padsColumn(n.Right, id))
		case n.Type == planner.InnerJoin || n.Type == planner.CrossJoin:
			return (inLeft && padsColumn(n.Left, id)) || (inRight && padsColumn(n.Right, id))
		default:
			return inLeft && padsColumn(n.Left, id)
		}
	}
	return false
}
