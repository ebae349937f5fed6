package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// EliminateRedundant removes operators whose work the plan throws away or already has:
//
//	Aggregate: groupBy=[a] aggs=[sum(b)]            Aggregate: groupBy=[a] aggs=[sum(b)]
//	  Sort: b ASC                             →       Scan: t
//	    Scan: t
//
//	Distinct                                        Project: a
//	  Project: a                              →       Aggregate: groupBy=[a] aggs=[count(*)]
//	    Aggregate: groupBy=[a] aggs=[count(*)]          Scan: t
//	      Scan: t
//
// It removes:
//
//   - a Sort (seen through Projects, SubqueryAliases, Filters and Repartitions, which keep
//     rows as they are, as Spark's EliminateSorts sees through them) whose consumer does
//     not keep order: an input of a Join, a SetOp, a Distinct or another Sort, or of an
//     Aggregate whose every aggregate ignores input order (count, sum, avg, min, max, the
//     statistical and bitwise ones, percentiles; not group_concat or any_value, and not
//     one with ORDER BY inside the call). A Sort right under a Limit is
//     never reached (the Limit keeps the first rows of that order: a top-N);
//   - a Distinct whose input rows are already distinct: it is an Aggregate's output with
//     all the group columns (NULLs group as Distinct compares them), a Distinct, an
//     INTERSECT or EXCEPT without ALL, at most one row, or such an input seen through
//     Filters, Sorts, Limits, aliases, Repartitions and Projects that pass the key columns on;
//   - a Project that passes its input's columns on unchanged, in order, with the same
//     names and qualifiers;
//   - a join with an input that has no rows (an empty Values, seen through nodes that keep
//     it empty): inner, cross and semi joins and outer joins whose preserved side is empty
//     become an empty Values; a left (right, full) join whose other side is empty becomes a
//     Project of the preserved side padded with NULLs (the same column IDs); an anti join
//     with an empty right side is its left input, a mark join's mark is false. A Filter
//     whose condition folded to false is already an empty Values (ConstantFolding).
//
// Refuses: a Sort under a Limit (top-N), under a Window or a Union (left for their own
// reasons), or under an Aggregate with an order-sensitive aggregate (group_concat over a
// sorted subquery keeps that order in practice); a Distinct over a projection that drops a
// group column; a Project that renames, reorders, drops or computes a column; a global
// aggregate over an empty input (it still yields one row).
type EliminateRedundant struct{}

// Name implements Rule.
func (EliminateRedundant) Name() string { return "EliminateRedundant" }

// Apply implements Rule.
func (EliminateRedundant) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	np, err := planner.TransformUp(p, func(n planner.Plan) (planner.Plan, error) {
		switch x := n.(type) {
		case *planner.Project:
			if identityProject(x) {
				return x.Input, nil
			}
		case *planner.Distinct:
			if len(uniqueKeys(x.Input)) > 0 {
				return x.Input, nil
			}
			return stripSortsBelow(x, 0)
		case *planner.Sort:
			return stripSortsBelow(x, 0)
		case *planner.Aggregate:
			if orderInsensitive(x) {
				return stripSortsBelow(x, 0)
			}
		case *planner.SetOp:
			n, err := stripSortsBelow(x, 0)
			if err != nil {
				return nil, err
			}
			return stripSortsBelow(n, 1)
		case *planner.Join:
			if e, err := emptyJoin(x); e != nil || err != nil {
				return e, err
			}
			n, err := stripSortsBelow(x, 0)
			if err != nil {
				return nil, err
			}
			return stripSortsBelow(n, 1)
		}
		return n, nil
	})
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// identityProject reports whether p outputs its input's columns unchanged and in order.
func identityProject(p *planner.Project) bool {
	in := p.Input.Schema()
	if len(in) != len(p.Out) {
		return false
	}
	for i, e := range p.Projections {
		r, ok := e.(*planner.ColumnRef)
		o := p.Out[i]
		if !ok || r.Col.ID != in[i].ID || o.ID != in[i].ID || o.Name != in[i].Name || o.Table != in[i].Table ||
			!arrow.TypeEqual(o.Type, in[i].Type) {
			return false
		}
	}
	return true
}

// stripSortsBelow returns n with the Sorts removed from its i-th input, looking through
// Projects, SubqueryAliases and Filters; n itself when there are none.
func stripSortsBelow(n planner.Plan, i int) (planner.Plan, error) {
	kids := n.Children()
	k, err := stripSorts(kids[i])
	if err != nil || k == kids[i] {
		return n, err
	}
	nk := append([]planner.Plan(nil), kids...)
	nk[i] = k
	return n.WithChildren(nk)
}

func stripSorts(p planner.Plan) (planner.Plan, error) {
	switch x := p.(type) {
	case *planner.Sort:
		return stripSorts(x.Input)
	case *planner.Project, *planner.SubqueryAlias, *planner.Filter, *planner.Repartition:
		in := p.Children()[0]
		k, err := stripSorts(in)
		if err != nil || k == in {
			return p, err
		}
		return p.WithChildren([]planner.Plan{k})
	}
	return p, nil
}

// orderInsensitiveAggs names the aggregates whose result does not depend on the order of
// their input rows (up to floating-point rounding, which parallel execution varies anyway).
var orderInsensitiveAggs = map[string]bool{
	"count": true, "sum": true, "avg": true, "min": true, "max": true,
	"stddev_pop": true, "std": true, "stddev": true, "stddev_samp": true,
	"var_pop": true, "variance": true, "var_samp": true,
	"bit_and": true, "bit_or": true, "bit_xor": true, "approx_count_distinct": true,
	"percentile_cont": true, "percentile_disc": true, "median": true,
}

func orderInsensitive(a *planner.Aggregate) bool {
	for _, ac := range a.Aggs {
		if !orderInsensitiveAggs[ac.Fn.Name()] || len(ac.OrderBy) > 0 {
			return false
		}
	}
	return true
}

// uniqueKeys returns sets of p's columns on which no two rows of p agree (NULLs comparing
// equal, as Distinct and GROUP BY compare them). The empty set means at most one row.
func uniqueKeys(p planner.Plan) []map[planner.ColumnID]bool {
	switch x := p.(type) {
	case *planner.Distinct:
		return append(uniqueKeys(x.Input), idSet(x.Schema()))
	case *planner.Aggregate:
		key := map[planner.ColumnID]bool{}
		for _, c := range x.Out[:len(x.GroupBy)] {
			key[c.ID] = true
		}
		return []map[planner.ColumnID]bool{key}
	case *planner.SetOp:
		if !x.All {
			return []map[planner.ColumnID]bool{idSet(x.Schema())}
		}
	case *planner.Limit:
		if x.Count >= 0 && x.Count <= 1 {
			return []map[planner.ColumnID]bool{{}}
		}
		return uniqueKeys(x.Input)
	case *planner.Values:
		if len(x.Rows) <= 1 {
			return []map[planner.ColumnID]bool{{}}
		}
	case *planner.Filter, *planner.Sort, *planner.SubqueryAlias, *planner.Repartition:
		return uniqueKeys(p.Children()[0])
	case *planner.Project:
		passed := map[planner.ColumnID]bool{}
		for i, e := range x.Projections {
			if r, ok := e.(*planner.ColumnRef); ok && r.Col.ID == x.Out[i].ID {
				passed[r.Col.ID] = true
			}
		}
		var out []map[planner.ColumnID]bool
		for _, k := range uniqueKeys(x.Input) {
			ok := true
			for id := range k {
				ok = ok && passed[id]
			}
			if ok {
				out = append(out, k)
			}
		}
		return out
	}
	return nil
}

// isEmpty reports whether p is known to yield no rows.
func isEmpty(p planner.Plan) bool {
	switch x := p.(type) {
	case *planner.Values:
		return len(x.Rows) == 0
	case *planner.Limit:
		return x.Count == 0 || isEmpty(x.Input)
	case *planner.Aggregate:
		return len(x.GroupBy) > 0 && isEmpty(x.Input)
	case *planner.Filter, *planner.Project, *planner.Sort, *planner.SubqueryAlias, *planner.Distinct,
		*planner.Window, *planner.Generate, *planner.Expand, *planner.Repartition:
		return isEmpty(p.Children()[0])
	case *planner.Join:
		l, r := isEmpty(x.Left), isEmpty(x.Right)
		switch x.Type {
		case planner.InnerJoin, planner.CrossJoin, planner.LeftSemi:
			return l || r
		case planner.RightJoin:
			return r
		case planner.FullJoin:
			return l && r
		default: // left outer, anti, mark, single
			return l
		}
	case *planner.Union:
		for _, in := range x.Inputs {
			if !isEmpty(in) {
				return false
			}
		}
		return true
	case *planner.SetOp:
		return isEmpty(x.Left) || (x.Kind == planner.Intersect && isEmpty(x.Right))
	}
	return false
}

// emptyJoin rewrites a join with an empty input (see EliminateRedundant), or returns nil.
func emptyJoin(j *planner.Join) (planner.Plan, error) {
	if isEmpty(j) {
		return planner.NewValues(nil, j.Schema())
	}
	l, r := isEmpty(j.Left), isEmpty(j.Right)
	switch {
	case r && (j.Type == planner.LeftJoin || j.Type == planner.FullJoin || j.Type == planner.LeftSingle || j.Type == planner.LeftMark):
		return padded(j, j.Left)
	case l && (j.Type == planner.RightJoin || j.Type == planner.FullJoin):
		return padded(j, j.Right)
	case r && j.Type == planner.LeftAnti:
		return j.Left, nil
	}
	return nil, nil
}

// padded returns a Project computing j's schema from its input keep alone: keep's columns,
// NULL for the other side's, false for a mark column.
func padded(j *planner.Join, keep planner.Plan) (planner.Plan, error) {
	have := idSet(keep.Schema())
	s := j.Schema()
	exprs := make([]planner.Expr, len(s))
	for i, c := range s {
		switch {
		case have[c.ID]:
			exprs[i] = planner.NewColumnRef(keep.Schema()[keep.Schema().IndexOf(c.ID)])
		case j.Type == planner.LeftMark && c.ID == j.MarkCol.ID:
			exprs[i] = boolLiteral(false)
		default:
			exprs[i] = planner.NewLiteral(nil, c.Type)
		}
	}
	return planner.NewProject(keep, exprs, s)
}
