package optimizer

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// LimitPushdown moves a LIMIT closer to the rows it keeps, so that fewer rows are computed,
// sorted or sent:
//
//	Limit: count=10                        Project: a, (b * 2) AS b2
//	  Project: a, (b * 2) AS b2      →       Limit: count=10
//	    Sort: a ASC                              Sort: a ASC        (top-N in execution)
//	      Scan: t                                  Scan: t
//
//	Limit: count=10 offset=5               Limit: count=10 offset=5
//	  Union: all                     →       Union: all
//	    Scan: t                                Limit: count=15
//	    Scan: u                                  Scan: t
//	                                           Limit: count=15
//	                                             Scan: u
//
// It moves a limit with a count:
//
//   - through a Project or SubqueryAlias (both map each row to one row, in order): the
//     physical planner turns a Limit right over a Sort into a top-N sort, and a Project
//     between them hid it;
//   - into every input of a UNION ALL, as a limit of offset+count rows (some offset+count
//     rows of the union come from them), keeping the outer limit;
//   - into the preserved input of a LEFT (RIGHT) join, as a limit of offset+count rows,
//     keeping the outer limit: every preserved row yields at least one output row, so the
//     first offset+count preserved rows yield enough rows;
//   - below a Repartition, as a limit of offset+count rows, keeping the outer limit: the
//     repartition passes rows on unchanged, so fewer rows cross its exchange. A hash or
//     round-robin repartition has no order, so any offset+count rows will do; a coalesce
//     concatenates its input's partitions in order, the order the pushed limit reads them
//     in. The limit is never moved below the repartition (dropping the outer one): the
//     partitions of the result would then be the repartition's, not the limit's single one.
//
// A limit is not added below a union, join or repartition input that already yields at most
// offset+count rows (a limit, a one-row aggregate, a small Values), so the rule is
// idempotent. Which rows a LIMIT without ORDER BY keeps is unspecified, and over a Sort the
// pushed limit keeps the order.
//
// Refuses: a limit without a count (OFFSET alone); the null-supplying side of an outer join
// (unmatched rows would appear padded), inner, full, semi and anti joins (rows may match
// nothing); a Filter, Aggregate, Distinct or Window (they change which rows come out or how
// many).
type LimitPushdown struct{}

// Name implements Rule.
func (LimitPushdown) Name() string { return "LimitPushdown" }

// Apply implements Rule.
func (LimitPushdown) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	np, err := planner.TransformDown(p, func(n planner.Plan) (planner.Plan, error) {
		l, ok := n.(*planner.Limit)
		if !ok || l.Count < 0 {
			return n, nil
		}
		return pushLimit(l)
	})
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// pushLimit applies one step of the rule to l, or returns l.
func pushLimit(l *planner.Limit) (planner.Plan, error) {
	need := l.Offset + l.Count
	switch in := l.Input.(type) {
	case *planner.Project, *planner.SubqueryAlias:
		below, err := l.WithChildren([]planner.Plan{in.Children()[0]})
		if err != nil {
			return nil, err
		}
		return in.WithChildren([]planner.Plan{below})
	case *planner.Union:
		kids := make([]planner.Plan, len(in.Inputs))
		changed := false
		for i, k := range in.Inputs {
			kids[i] = k
			if !atMostRows(k, need) {
				lk, err := planner.NewLimit(k, 0, need)
				if err != nil {
					return nil, err
				}
				kids[i], changed = lk, true
			}
		}
		if !changed {
			return l, nil
		}
		u, err := in.WithChildren(kids)
		if err != nil {
			return nil, err
		}
		return l.WithChildren([]planner.Plan{u})
	case *planner.Join:
		kids := []planner.Plan{in.Left, in.Right}
		i := -1
		switch in.Type {
		case planner.LeftJoin:
			i = 0
		case planner.RightJoin:
			i = 1
		}
		if i < 0 || atMostRows(kids[i], need) {
			return l, nil
		}
		lk, err := planner.NewLimit(kids[i], 0, need)
		if err != nil {
			return nil, err
		}
		kids[i] = lk
		j, err := in.WithChildren(kids)
		if err != nil {
			return nil, err
		}
		return l.WithChildren([]planner.Plan{j})
	case *planner.Repartition:
		if atMostRows(in.Input, need) {
			return l, nil
		}
		lk, err := planner.NewLimit(in.Input, 0, need)
		if err != nil {
			return nil, err
		}
		r, err := in.WithChildren([]planner.Plan{lk})
		if err != nil {
			return nil, err
		}
		return l.WithChildren([]planner.Plan{r})
	}
	return l, nil
}

// atMostRows reports whether p is known to yield at most n rows.
func atMostRows(p planner.Plan, n int64) bool {
	switch x := p.(type) {
	case *planner.Limit:
		return (x.Count >= 0 && x.Count <= n) || atMostRows(x.Input, n)
	case *planner.Values:
		return int64(len(x.Rows)) <= n
	case *planner.Aggregate:
		return (len(x.GroupBy) == 0 && n >= 1) || atMostRows(x.Input, n)
	case *planner.Project, *planner.SubqueryAlias, *planner.Filter, *planner.Sort, *planner.Distinct, *planner.Window,
		*planner.Repartition:
		return atMostRows(p.Children()[0], n)
	}
	return false
}
