package optimizer

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// PushSemiJoinThroughJoin moves a left semi or anti join (IN, EXISTS, NOT IN, NOT EXISTS
// after decorrelation) below the inner joins and projections of its left input, onto the
// input that holds every left column it reads, as Spark's PushLeftSemiLeftAntiThroughJoin
// does:
//
//	Join: LeftSemi on (o.k = s.k)              Join: Inner on (o.k = l.k)
//	  Join: Inner on (o.k = l.k)         →       Join: LeftSemi on (o.k = s.k)
//	    Scan: orders o                             Scan: orders o
//	    Scan: lineitem l                           <subquery s>
//	  <subquery s>                               Scan: lineitem l
//
// A semi or anti join keeps or drops each left row by that row's own values (the columns
// its ON and comparison read) against the whole right side, so it commutes with an inner
// join whose output rows carry those values unchanged, and with a projection that passes
// them through as plain columns. Below, it filters before the inner join multiplies or
// shrinks the rows, and its runtime filter reaches the scan it now sits on (TPC-H Q18's
// "o_orderkey IN (... HAVING sum(l_quantity) > 300)" filters orders to 57 rows before they
// are joined with lineitem and customer, instead of after).
//
// It moves only when it would probe at most twice the rows it probes now (the input it
// moves onto is estimated at most twice its current left input), or when its right side is
// estimated at most half the rows of that input (it is then a reducing filter there).
// Otherwise the joins it sits on have already shrunk the rows it probes with: TPC-H Q21's
// EXISTS over all of lineitem stays above the joins that leave one nation's suppliers.
//
// Refuses: mark joins (their mark column is an output), semi and anti joins reading
// columns from both inputs of the inner join, a projection that computes a column the semi
// join reads, and anything below outer, semi or cross joins.
type PushSemiJoinThroughJoin struct{}

// Name implements Rule.
func (PushSemiJoinThroughJoin) Name() string { return "PushSemiJoinThroughJoin" }

// Apply implements Rule.
func (PushSemiJoinThroughJoin) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	est := newEstimator()
	np, err := planner.TransformDown(p, func(n planner.Plan) (planner.Plan, error) {
		j, ok := n.(*planner.Join)
		if !ok || (j.Type != planner.LeftSemi && j.Type != planner.LeftAnti) {
			return n, nil
		}
		moved, err := pushSemi(j, est)
		if err != nil || moved == nil {
			return n, err
		}
		return moved, nil
	})
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// pushSemi returns j moved one level down its left input, or nil when it stays.
func pushSemi(j *planner.Join, est *estimator) (planner.Plan, error) {
	left := idSet(j.Left.Schema())
	reads := map[planner.ColumnID]bool{}
	for _, e := range []planner.Expr{j.On, j.Cmp} {
		if e == nil {
			continue
		}
		for id := range planner.ColumnsOf(e, nil) {
			if left[id] {
				reads[id] = true
			}
		}
	}
	rebuild := func(newLeft planner.Plan, m map[planner.ColumnID]planner.Expr) (*planner.Join, error) {
		on, cmp := j.On, j.Cmp
		if m != nil {
			if on != nil {
				on = substitute(on, m)
			}
			if cmp != nil {
				cmp = substitute(cmp, m)
			}
		}
		if on != nil {
			on = rebind(on, newLeft.Schema())
		}
		if cmp != nil {
			cmp = rebind(cmp, newLeft.Schema())
		}
		return planner.NewSubqueryJoin(newLeft, j.Right, j.Type, on, cmp, j.MarkCol)
	}
	small := func(target planner.Plan) bool {
		return 2*est.rows(j.Right) <= est.rows(target) || est.rows(target) <= 2*est.rows(j.Left)
	}
	switch in := j.Left.(type) {
	case *planner.Project:
		m := map[planner.ColumnID]planner.Expr{}
		for id := range reads {
			i := in.Schema().IndexOf(id)
			c, ok := in.Projections[i].(*planner.ColumnRef)
			if !ok {
				return nil, nil
			}
			m[id] = c
		}
		if !small(in.Input) {
			return nil, nil
		}
		nj, err := rebuild(in.Input, m)
		if err != nil {
			return nil, err
		}
		return in.WithChildren([]planner.Plan{nj})
	case *planner.Join:
		if in.Type != planner.InnerJoin {
			return nil, nil
		}
		for side, child := range []planner.Plan{in.Left, in.Right} {
			if !refsWithinSet(reads, idSet(child.Schema())) || !small(child) {
				continue
			}
			nj, err := rebuild(child, nil)
			if err != nil {
				return nil, err
			}
			kids := []planner.Plan{in.Left, in.Right}
			kids[side] = nj
			return in.WithChildren(kids)
		}
	}
	return nil, nil
}

// refsWithinSet reports whether every id of reads is in ids.
func refsWithinSet(reads, ids map[planner.ColumnID]bool) bool {
	for id := range reads {
		if !ids[id] {
			return false
		}
	}
	return true
}
