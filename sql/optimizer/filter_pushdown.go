package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// FilterPushdown moves filter conjuncts as close to the scans as they can go, so that
// fewer rows flow through joins and aggregates, and hands them to scans as hints.
//
//	Filter: (o.k = c.k) AND (c.seg = 'X')      Join: Inner on (o.k = c.k)
//	  Join: Cross                         →      Scan: orders o [k]
//	    Scan: orders o [k]                       Filter: (c.seg = 'X')
//	    Scan: customer c [k, seg]                  Scan: customer c [k, seg] filters=[(c.seg = 'X')]
//
// A filter's condition is split into conjuncts; each one that is movable (deterministic and
// reading at least one column) travels down:
//   - through Project (its column references replaced by the projected expressions, only
//     when those are deterministic), SubqueryAlias, Sort, Distinct and Repartition (which
//     moves rows between partitions without changing them, as Spark pushes predicates
//     through Repartition and RepartitionByExpression);
//   - into an inner or cross join's side when it reads only that side; one reading both
//     sides joins the ON of an inner join, and turns a cross join into an inner join when
//     some such conjunct is an equality between the sides (FROM a, b WHERE a.x = b.y). ON
//     conjuncts of an inner join that read one side go below too;
//   - into the preserved side only of a left or right join; ON conjuncts of a left join
//     that read only the right side filter the right input (and symmetrically);
//   - below an Aggregate when it reads only group columns whose group expression is a
//     plain column;
//   - into every branch of a Union, output columns mapped to each branch's columns;
//   - below a Window when it reads only PARTITION BY columns (it keeps or drops whole
//     partitions); below a Generate when it does not read the generated column; below an
//     Expand when it reads only columns that every projection passes through unchanged;
//     into the left input of an INTERSECT or EXCEPT, and the right one of an INTERSECT,
//     columns mapped by position (not for floating-point or nested columns, whose
//     grouping calls -0 and 0 equal);
//   - into Scan.Filters when it calls no function, with the Filter kept above: a scan may
//     use its filters to skip data but is never trusted to apply them.
//
// Conjuncts that cannot move stay right above the node that stopped them; adjacent filters
// merge. Preconditions: none beyond a valid plan.
//
// Refuses: moving below a Limit (it would change which rows the limit keeps); moving a
// WHERE conjunct into the null-supplying side of an outer join (WHERE r.x IS NULL above a
// LEFT JOIN keeps unmatched left rows, below it would not); moving a left join's ON
// conjunct that reads only the left side (it does not remove left rows); moving a
// non-deterministic conjunct (rand() < 0.5) anywhere; moving a constant conjunct (HAVING
// false must stay above a global aggregate, which yields a row even for no input); moving
// below a Window a conjunct on an ORDER BY column or a window result (it would change the
// frames), below an Expand one on a column some grouping set nulls (the super-aggregate
// rows would then aggregate fewer rows), into the right input of an EXCEPT.
type FilterPushdown struct{}

// Name implements Rule.
func (FilterPushdown) Name() string { return "FilterPushdown" }

// Apply implements Rule.
func (FilterPushdown) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	np, err := pushInto(p, nil)
	if err != nil {
		return nil, err
	}
	if planEqual(np, p) {
		return p, nil
	}
	return np, nil
}

// movable reports whether a conjunct may be evaluated somewhere else in the plan.
func movable(e planner.Expr) bool {
	return deterministic(e) && len(planner.ColumnsOf(e, nil)) > 0
}

// pushInto returns a plan equivalent to Filter(p, AND preds) (p when preds is empty), with
// p's schema, the conjuncts placed as low as they may go and p's own filters pushed too.
// preds are movable and read only p's columns.
func pushInto(p planner.Plan, preds []planner.Expr) (planner.Plan, error) {
	switch n := p.(type) {
	case *planner.Filter:
		conj := planner.SplitConjunction(n.Cond)
		down := append([]planner.Expr(nil), preds...)
		var keep []planner.Expr
		for _, c := range conj {
			if movable(c) {
				down = append(down, c)
			} else {
				keep = append(keep, c)
			}
		}
		in, err := pushInto(n.Input, down)
		if err != nil {
			return nil, err
		}
		if len(preds) == 0 && in == n.Input && len(keep) == len(conj) {
			return n, nil // nothing moved
		}
		return wrapFilter(in, keep)
	case *planner.Sort, *planner.Distinct, *planner.SubqueryAlias, *planner.Repartition:
		return pushThrough(p, preds)
	case *planner.Project:
		m := make(map[planner.ColumnID]planner.Expr, len(n.Out))
		for i, c := range n.Out {
			if deterministic(n.Projections[i]) {
				m[c.ID] = n.Projections[i]
			}
		}
		return pushMapped(p, preds, m)
	case *planner.Aggregate:
		m := map[planner.ColumnID]planner.Expr{}
		for i, g := range n.GroupBy {
			if c, ok := g.(*planner.ColumnRef); ok {
				m[n.Out[i].ID] = c
			}
		}
		return pushMapped(p, preds, m)
	case *planner.Join:
		return pushJoin(n, preds)
	case *planner.Union:
		return pushUnion(n, preds)
	case *planner.Window:
		return pushWindow(n, preds)
	case *planner.Generate:
		return pushGenerate(n, preds)
	case *planner.Expand:
		m := map[planner.ColumnID]planner.Expr{}
		for j, c := range n.Out {
			if r := passThrough(n, j); r != nil {
				m[c.ID] = r
			}
		}
		return pushMapped(p, preds, m)
	case *planner.SetOp:
		return pushSetOp(n, preds)
	case *planner.Scan:
		var add []planner.Expr
		for _, c := range preds {
			if scanFilterable(c) && !containsExpr(n.Filters, c) && !containsExpr(add, c) {
				add = append(add, rebind(c, n.Schema()))
			}
		}
		var s planner.Plan = n
		if len(add) > 0 {
			s = n.WithFilters(append(append([]planner.Expr(nil), n.Filters...), add...))
		}
		return wrapFilter(s, preds)
	default: // Limit, Values and nodes this rule does not know: stop here
		np, err := pushChildren(p)
		if err != nil {
			return nil, err
		}
		return wrapFilter(np, preds)
	}
}

// pushThrough pushes every conjunct into the single child of a node that passes rows and
// column IDs through unchanged.
func pushThrough(p planner.Plan, preds []planner.Expr) (planner.Plan, error) {
	in, err := pushInto(p.Children()[0], preds)
	if err != nil {
		return nil, err
	}
	np, err := p.WithChildren([]planner.Plan{in})
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// pushMapped pushes the conjuncts whose every column is a key of m into the single child,
// with the references replaced by m's expressions; the rest stay above p.
func pushMapped(p planner.Plan, preds []planner.Expr, m map[planner.ColumnID]planner.Expr) (planner.Plan, error) {
	var down, keep []planner.Expr
	for _, c := range preds {
		if refsWithinMap(c, m) {
			down = append(down, substitute(c, m))
		} else {
			keep = append(keep, c)
		}
	}
	np, err := pushThrough(p, down)
	if err != nil {
		return nil, err
	}
	return wrapFilter(np, keep)
}

func refsWithinMap(e planner.Expr, m map[planner.ColumnID]planner.Expr) bool {
	for id := range planner.ColumnsOf(e, nil) {
		if _, ok := m[id]; !ok {
			return false
		}
	}
	return true
}

// pushJoin places conjuncts from above and the join's own ON conjuncts by the sides they
// read and the join type (see FilterPushdown).
func pushJoin(j *planner.Join, preds []planner.Expr) (planner.Plan, error) {
	left, right := idSet(j.Left.Schema()), idSet(j.Right.Schema())
	var onConj []planner.Expr
	if j.On != nil {
		onConj = planner.SplitConjunction(j.On)
	}
	var toLeft, toRight, on, keep []planner.Expr
	typ := j.Type
	switch typ {
	case planner.InnerJoin, planner.CrossJoin:
		for _, c := range onConj {
			switch {
			case movable(c) && refsWithin(c, left):
				toLeft = append(toLeft, c)
			case movable(c) && refsWithin(c, right):
				toRight = append(toRight, c)
			default:
				on = append(on, c)
			}
		}
		var spanning []planner.Expr
		equi := false
		for _, c := range preds {
			switch {
			case refsWithin(c, left):
				toLeft = append(toLeft, c)
			case refsWithin(c, right):
				toRight = append(toRight, c)
			default:
				spanning = append(spanning, c)
				equi = equi || isEquiJoinKey(c, left, right)
			}
		}
		if typ == planner.InnerJoin || equi {
			typ = planner.InnerJoin
			on = append(on, spanning...)
		} else {
			keep = spanning
		}
	case planner.LeftJoin, planner.RightJoin:
		preserved, supplying := left, right
		if typ == planner.RightJoin {
			preserved, supplying = right, left
		}
		var toPreserved, toSupplying []planner.Expr
		for _, c := range preds {
			if refsWithin(c, preserved) {
				toPreserved = append(toPreserved, c)
			} else {
				keep = append(keep, c)
			}
		}
		for _, c := range onConj {
			if movable(c) && refsWithin(c, supplying) {
				toSupplying = append(toSupplying, c)
			} else {
				on = append(on, c)
			}
		}
		toLeft, toRight = toPreserved, toSupplying
		if typ == planner.RightJoin {
			toLeft, toRight = toSupplying, toPreserved
		}
	case planner.LeftSemi, planner.LeftAnti, planner.LeftMark, planner.LeftSingle:
		// Rows come from the left; a filter on left columns alone may go below. A right-only
		// ON conjunct removes right rows that could never match (Cmp stays where it is).
		for _, c := range preds {
			if refsWithin(c, left) {
				toLeft = append(toLeft, c)
			} else {
				keep = append(keep, c)
			}
		}
		for _, c := range onConj {
			if movable(c) && refsWithin(c, right) {
				toRight = append(toRight, c)
			} else {
				on = append(on, c)
			}
		}
	default: // full join: nothing crosses it
		keep, on = preds, onConj
	}
	l, err := pushInto(j.Left, toLeft)
	if err != nil {
		return nil, err
	}
	r, err := pushInto(j.Right, toRight)
	if err != nil {
		return nil, err
	}
	var cond planner.Expr
	if j.On != nil && sameExprs(on, onConj) {
		cond = j.On // same conjuncts, same order: keep the original tree
	} else if len(on) > 0 {
		both := append(append(planner.Schema{}, l.Schema()...), r.Schema()...)
		cond = rebind(planner.Conjunction(on), both)
	}
	var nj planner.Plan = j
	if l != j.Left || r != j.Right || typ != j.Type || cond != j.On {
		if nj, err = planner.NewSubqueryJoin(l, r, typ, cond, j.Cmp, j.MarkCol); err != nil {
			return nil, errs.Wrap(errs.ErrInternal, err, "")
		}
	}
	return wrapFilter(nj, keep)
}

// isEquiJoinKey reports whether e is "x = y" with x reading only one side and y only the
// other: a conjunct a hash join can use as a key.
func isEquiJoinKey(e planner.Expr, left, right map[planner.ColumnID]bool) bool {
	b, ok := e.(*planner.Binary)
	if !ok || b.Op != planner.OpEq {
		return false
	}
	nonEmpty := func(x planner.Expr) bool { return len(planner.ColumnsOf(x, nil)) > 0 }
	if !nonEmpty(b.Left) || !nonEmpty(b.Right) {
		return false
	}
	return (refsWithin(b.Left, left) && refsWithin(b.Right, right)) ||
		(refsWithin(b.Left, right) && refsWithin(b.Right, left))
}

// pushUnion pushes every conjunct into every branch, output columns renamed to the
// branch's columns at the same positions.
func pushUnion(u *planner.Union, preds []planner.Expr) (planner.Plan, error) {
	if len(preds) == 0 {
		return pushChildren(u)
	}
	ins := make([]planner.Plan, len(u.Inputs))
	for i, in := range u.Inputs {
		s := in.Schema()
		m := make(map[planner.ColumnID]planner.Expr, len(u.Out))
		for j, c := range u.Out {
			m[c.ID] = planner.NewColumnRef(s[j])
		}
		mapped := make([]planner.Expr, len(preds))
		for k, c := range preds {
			mapped[k] = substitute(c, m)
		}
		var err error
		if ins[i], err = pushInto(in, mapped); err != nil {
			return nil, err
		}
	}
	np, err := u.WithChildren(ins)
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// pushWindow pushes the conjuncts that read only PARTITION BY columns below the Window: they
// keep or drop whole partitions, and a window function sees only its own partition. Keys
// of floating-point or nested types are left out: rows grouped as equal there (-0 and 0)
// may still differ for a predicate.
func pushWindow(w *planner.Window, preds []planner.Expr) (planner.Plan, error) {
	keys := map[planner.ColumnID]bool{}
	for _, e := range w.PartitionBy {
		if r, ok := e.(*planner.ColumnRef); ok && groupExact(r.Col.Type) {
			keys[r.Col.ID] = true
		}
	}
	var down, keep []planner.Expr
	for _, c := range preds {
		if refsWithin(c, keys) {
			down = append(down, c)
		} else {
			keep = append(keep, c)
		}
	}
	np, err := pushThrough(w, down)
	if err != nil {
		return nil, err
	}
	return wrapFilter(np, keep)
}

// pushGenerate pushes the conjuncts that do not read the generated column below the
// Generate: each output row carries its input row's columns unchanged.
func pushGenerate(g *planner.Generate, preds []planner.Expr) (planner.Plan, error) {
	in := idSet(g.Input.Schema())
	var down, keep []planner.Expr
	for _, c := range preds {
		if refsWithin(c, in) {
			down = append(down, c)
		} else {
			keep = append(keep, c)
		}
	}
	np, err := pushThrough(g, down)
	if err != nil {
		return nil, err
	}
	return wrapFilter(np, keep)
}

// pushSetOp pushes each conjunct into the left input of an INTERSECT or EXCEPT (output
// rows are left rows: a left row failing it is gone either way) and, for INTERSECT, into
// the right input too (a right row failing it meets only left rows failing it). Columns
// map by position. Conjuncts reading floating-point or nested columns stay above: rows
// compared as equal (-0 and 0) may differ for a predicate.
func pushSetOp(s *planner.SetOp, preds []planner.Expr) (planner.Plan, error) {
	lm := make(map[planner.ColumnID]planner.Expr, len(s.Out))
	rm := make(map[planner.ColumnID]planner.Expr, len(s.Out))
	ls, rs := s.Left.Schema(), s.Right.Schema()
	for j, c := range s.Out {
		lm[c.ID], rm[c.ID] = planner.NewColumnRef(ls[j]), planner.NewColumnRef(rs[j])
	}
	var toLeft, toRight, keep []planner.Expr
	for _, c := range preds {
		exact := true
		for _, col := range s.Out {
			if planner.ColumnsOf(c, nil)[col.ID] && !groupExact(col.Type) {
				exact = false
			}
		}
		if !exact {
			keep = append(keep, c)
			continue
		}
		toLeft = append(toLeft, substitute(c, lm))
		if s.Kind == planner.Intersect {
			toRight = append(toRight, substitute(c, rm))
		}
	}
	l, err := pushInto(s.Left, toLeft)
	if err != nil {
		return nil, err
	}
	r, err := pushInto(s.Right, toRight)
	if err != nil {
		return nil, err
	}
	np, err := s.WithChildren([]planner.Plan{l, r})
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	return wrapFilter(np, keep)
}

// groupExact reports whether values of type t that group together (GROUP BY, DISTINCT,
// PARTITION BY, set operations) are identical, so that every predicate agrees on them:
// not so for floats (-0 = 0) and nested types holding them.
func groupExact(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64:
		return false
	}
	return !planner.IsNested(t)
}

// pushChildren pushes the filters inside each child of p, moving nothing into p.
func pushChildren(p planner.Plan) (planner.Plan, error) {
	kids := p.Children()
	nk := make([]planner.Plan, len(kids))
	for i, k := range kids {
		var err error
		if nk[i], err = pushInto(k, nil); err != nil {
			return nil, err
		}
	}
	np, err := p.WithChildren(nk)
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// scanFilterable reports whether a conjunct may be handed to a scan: it calls no function
// (a scan filter may be evaluated twice, and a function may be costly, a model call).
func scanFilterable(e planner.Expr) bool {
	ok := true
	planner.WalkExpr(e, func(x planner.Expr) bool {
		switch x.(type) {
		case *planner.ScalarFunc, *planner.AggregateCall, *planner.OuterRef:
			ok = false // an OuterRef is bound only when a correlated subquery runs (Apply)
		}
		return ok
	})
	return ok
}

// wrapFilter returns Filter(p, AND preds) with duplicates dropped and references rebound to
// p's columns, or p when preds is empty.
func wrapFilter(p planner.Plan, preds []planner.Expr) (planner.Plan, error) {
	var uniq []planner.Expr
	for _, c := range preds {
		if !containsExpr(uniq, c) {
			uniq = append(uniq, c)
		}
	}
	if len(uniq) == 0 {
		return p, nil
	}
	f, err := planner.NewFilter(p, rebind(planner.Conjunction(uniq), p.Schema()))
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	return f, nil
}
