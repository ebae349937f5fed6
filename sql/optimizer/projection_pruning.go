package optimizer

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// ProjectionPruning removes columns that no ancestor reads, so scans read fewer columns and
// joins, sorts and unions move narrower rows.
//
//	Project: o.k                               Project: o.k
//	  Join: Inner on (o.k = c.k)                 Join: Inner on (o.k = c.k)
//	    Scan: orders o [k, date, total]    →       Scan: orders o [k]
//	    Filter: (c.seg = 'X')                      Project: c.k
//	      Scan: customer c [k, seg, name]            Filter: (c.seg = 'X')
//	                                                   Scan: customer c [k, seg]
//
// Top-down, each node learns which of its columns are needed (the root needs all of its
// own, so the root schema never changes) and:
//   - a Scan keeps the needed columns plus those its filters read (Scan.WithColumns keeps
//     the ordinals in step);
//   - a Project drops unneeded outputs, an Aggregate unneeded aggregates, a Union unneeded
//     positions in every branch, a Values unneeded columns;
//   - a Window drops the calls nobody reads (the whole Window when none is read), an
//     Expand the output positions nobody reads, from every projection;
//   - a Join, Sort, Window, Generate or Repartition input that still carries columns nobody
//     above needs (kept because a filter below reads them) gets a narrowing Project of
//     column references (a repartition's keys are read, so they stay), and so does a Union
//     branch, which must match the union's positions exactly.
//
// Refuses: group keys are never dropped (they decide the number of rows); nothing is pruned
// below a Distinct, an INTERSECT or an EXCEPT (they compare whole rows); a node never drops to zero columns (a scan or
// projection keeps its first column, a global aggregate its first aggregate) because
// execution carries row counts in columns; no column order changes.
type ProjectionPruning struct{}

// Name implements Rule.
func (ProjectionPruning) Name() string { return "ProjectionPruning" }

// Apply implements Rule.
func (ProjectionPruning) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	np, err := prune(p, idSet(p.Schema()))
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	if planEqual(np, p) {
		return p, nil
	}
	return np, nil
}

// prune returns p without the columns outside need that it can drop. The result's schema
// holds every column of p's schema that is in need, in p's order (and possibly others).
func prune(p planner.Plan, need map[planner.ColumnID]bool) (planner.Plan, error) {
	switch n := p.(type) {
	case *planner.Scan:
		need = withRefs(need, n.Filters...)
		keep := keptIndexes(n.Columns, need)
		if len(keep) == len(n.Columns) {
			return n, nil
		}
		return n.WithColumns(keep), nil
	case *planner.Project:
		keep := keptIndexes(n.Out, need)
		exprs := make([]planner.Expr, len(keep))
		out := make([]planner.Column, len(keep))
		for i, k := range keep {
			exprs[i], out[i] = n.Projections[k], n.Out[k]
		}
		in, err := prune(n.Input, withRefs(nil, exprs...))
		if err != nil {
			return nil, err
		}
		if len(keep) == len(n.Out) {
			return n.WithChildren([]planner.Plan{in})
		}
		return planner.NewProject(in, exprs, out)
	case *planner.Filter:
		return pruneChild(n, withRefs(need, n.Cond), false)
	case *planner.Sort, *planner.Repartition:
		// A Repartition moves its input's rows unchanged: only the columns read above and its
		// keys cross the exchange.
		return pruneChild(n, withRefs(need, n.Exprs()...), true)
	case *planner.Limit, *planner.SubqueryAlias:
		return pruneChild(n, need, false)
	case *planner.Aggregate:
		return pruneAggregate(n, need)
	case *planner.Join:
		need = withRefs(need, n.Exprs()...)
		kids := make([]planner.Plan, 2)
		for i, k := range n.Children() {
			sub := map[planner.ColumnID]bool{}
			for _, c := range k.Schema() {
				if need[c.ID] {
					sub[c.ID] = true
				}
			}
			nk, err := prune(k, sub)
			if err != nil {
				return nil, err
			}
			if kids[i], err = narrow(nk, sub); err != nil {
				return nil, err
			}
		}
		return n.WithChildren(kids)
	case *planner.Union:
		return pruneUnion(n, need)
	case *planner.Window:
		return pruneWindow(n, need)
	case *planner.Generate:
		// Every element's row copies the input row: keep only what is read above or by Arg.
		return pruneChild(n, withRefs(need, n.Arg), true)
	case *planner.Expand:
		return pruneExpand(n, need)
	case *planner.Values:
		keep := keptIndexes(n.Out, need)
		if len(keep) == len(n.Out) {
			return n, nil
		}
		rows := make([][]planner.Expr, len(n.Rows))
		for i, r := range n.Rows {
			for _, k := range keep {
				rows[i] = append(rows[i], r[k])
			}
		}
		out := make([]planner.Column, len(keep))
		for i, k := range keep {
			out[i] = n.Out[k]
		}
		return planner.NewValues(rows, out)
	default:
		// Distinct and SetOp compare whole rows, so they need every input column; so do
		// the nodes this rule does not know.
		kids := p.Children()
		nk := make([]planner.Plan, len(kids))
		for i, k := range kids {
			var err error
			if nk[i], err = prune(k, idSet(k.Schema())); err != nil {
				return nil, err
			}
		}
		return p.WithChildren(nk)
	}
}

// pruneWindow drops the calls whose results nobody reads, and the Window itself when none
// is read (it keeps its input's rows as they are); the input keeps what is read above and
// what the kept calls, keys and frames read, and is narrowed to that (a Window holds whole
// partitions in memory).
func pruneWindow(w *planner.Window, need map[planner.ColumnID]bool) (planner.Plan, error) {
	var funcs []*planner.WindowCall
	var out []planner.Column
	for i, f := range w.Funcs {
		if need[w.Out[i].ID] {
			funcs, out = append(funcs, f), append(out, w.Out[i])
		}
	}
	if len(funcs) == 0 {
		return prune(w.Input, need)
	}
	childNeed := withRefs(need, w.PartitionBy...)
	for _, k := range w.OrderBy {
		childNeed = withRefs(childNeed, k.Expr)
	}
	for _, f := range funcs {
		childNeed = withRefs(childNeed, f)
	}
	in, err := prune(w.Input, childNeed)
	if err != nil {
		return nil, err
	}
	if in, err = narrow(in, childNeed); err != nil {
		return nil, err
	}
	if len(funcs) == len(w.Funcs) {
		return w.WithChildren([]planner.Plan{in})
	}
	return planner.NewWindow(in, w.PartitionBy, w.OrderBy, funcs, out)
}

// pruneExpand drops the output positions nobody reads from every projection (never all of
// them: the row count is the input's times the projections, and execution carries it in
// columns); the input keeps what the remaining projections read.
func pruneExpand(e *planner.Expand, need map[planner.ColumnID]bool) (planner.Plan, error) {
	keep := keptIndexes(e.Out, need)
	ps := make([][]planner.Expr, len(e.Projections))
	out := make([]planner.Column, len(keep))
	var childNeed map[planner.ColumnID]bool
	for i, p := range e.Projections {
		for _, k := range keep {
			ps[i] = append(ps[i], p[k])
		}
		childNeed = withRefs(childNeed, ps[i]...)
	}
	for j, k := range keep {
		out[j] = e.Out[k]
	}
	in, err := prune(e.Input, childNeed)
	if err != nil {
		return nil, err
	}
	if len(keep) == len(e.Out) {
		return e.WithChildren([]planner.Plan{in})
	}
	return planner.NewExpand(in, ps, out)
}

// pruneChild prunes the single child of a node whose schema is its child's, narrowing the
// child when narrowChild is set and it carries columns outside need.
func pruneChild(p planner.Plan, need map[planner.ColumnID]bool, narrowChild bool) (planner.Plan, error) {
	in, err := prune(p.Children()[0], need)
	if err != nil {
		return nil, err
	}
	if narrowChild {
		if in, err = narrow(in, need); err != nil {
			return nil, err
		}
	}
	return p.WithChildren([]planner.Plan{in})
}

func pruneAggregate(a *planner.Aggregate, need map[planner.ColumnID]bool) (planner.Plan, error) {
	g := len(a.GroupBy)
	var aggs []*planner.AggregateCall
	out := append([]planner.Column(nil), a.Out[:g]...)
	for i, ac := range a.Aggs {
		if need[a.Out[g+i].ID] {
			aggs = append(aggs, ac)
			out = append(out, a.Out[g+i])
		}
	}
	if g == 0 && len(aggs) == 0 && len(a.Aggs) > 0 {
		aggs, out = a.Aggs[:1], a.Out[:1]
	}
	childNeed := withRefs(nil, a.GroupBy...)
	for _, ac := range aggs {
		childNeed = withRefs(childNeed, ac)
	}
	in, err := prune(a.Input, childNeed)
	if err != nil {
		return nil, err
	}
	if len(aggs) == len(a.Aggs) {
		return a.WithChildren([]planner.Plan{in})
	}
	return planner.NewAggregate(in, a.GroupBy, aggs, out)
}

func pruneUnion(u *planner.Union, need map[planner.ColumnID]bool) (planner.Plan, error) {
	keep := keptIndexes(u.Out, need)
	ins := make([]planner.Plan, len(u.Inputs))
	for i, in := range u.Inputs {
		s := in.Schema()
		want := make([]planner.Column, len(keep))
		for j, k := range keep {
			want[j] = s[k]
		}
		np, err := prune(in, idSet(want))
		if err != nil {
			return nil, err
		}
		if ins[i], err = narrowTo(np, want); err != nil {
			return nil, err
		}
	}
	if len(keep) == len(u.Out) {
		return u.WithChildren(ins)
	}
	out := make([]planner.Column, len(keep))
	for j, k := range keep {
		out[j] = u.Out[k]
	}
	return planner.NewUnion(ins, out)
}

// keptIndexes returns the positions of the columns in need, or [0] when there are none
// (never zero columns).
func keptIndexes(cols []planner.Column, need map[planner.ColumnID]bool) []int {
	var keep []int
	for i, c := range cols {
		if need[c.ID] {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 && len(cols) > 0 {
		keep = []int{0}
	}
	return keep
}

// withRefs returns need (copied) plus every column the expressions read.
func withRefs(need map[planner.ColumnID]bool, es ...planner.Expr) map[planner.ColumnID]bool {
	out := make(map[planner.ColumnID]bool, len(need))
	for id := range need {
		out[id] = true
	}
	for _, e := range es {
		planner.ColumnsOf(e, out)
	}
	return out
}

// narrow puts a Project of column references over p that keeps only its columns in need,
// when p has others and at least one in need; otherwise it returns p.
func narrow(p planner.Plan, need map[planner.ColumnID]bool) (planner.Plan, error) {
	var want []planner.Column
	for _, c := range p.Schema() {
		if need[c.ID] {
			want = append(want, c)
		}
	}
	if len(want) == 0 {
		return p, nil
	}
	return narrowTo(p, want)
}

// narrowTo returns p when its schema is exactly want (by ID, in order), and otherwise a
// Project of column references producing want from p.
func narrowTo(p planner.Plan, want []planner.Column) (planner.Plan, error) {
	s := p.Schema()
	if len(s) == len(want) {
		same := true
		for i := range s {
			same = same && s[i].ID == want[i].ID
		}
		if same {
			return p, nil
		}
	}
	refs := make([]planner.Expr, len(want))
	for i, c := range want {
		refs[i] = planner.NewColumnRef(s[s.IndexOf(c.ID)])
	}
	return planner.ProjectExprs(p, refs, nil)
}
