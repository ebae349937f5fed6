package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

// JoinStrategy marks every hash join (a join with an equality between its sides, which the
// physical planner turns into hash keys) with how its sides meet across partitions:
// "broadcast" when the build (right) side is estimated at Context.BroadcastThresholdRows
// rows or fewer, so it is copied whole to every partition of the probe (left) side and the
// probe side stays where it is; "shuffle" otherwise, both sides hash-partitioned on the keys:
//
//	Join: Inner on (l.k = n.k)          Join: Inner on (l.k = n.k) strategy=broadcast
//	  Scan: lineitem l             →      Scan: lineitem l
//	  Scan: nation n (25 rows)            Scan: nation n
//
// It runs last, after JoinReorder has put the smaller input on the build side and after
// the rules that rebuild joins (WithChildren keeps a strategy, fresh joins would not).
//
// A semi or anti join without a subquery comparison (EXISTS, NOT EXISTS, IN over
// non-nullable keys) that is shuffled and whose left side is estimated smaller, in bytes,
// than its right is marked "build=left": the hash table holds the outer rows and the
// subquery's rows probe it (TPC-H Q21's EXISTS over lineitem then builds from the few
// outer rows, not from lineitem).
//
// Refuses: right and full joins are always "shuffle" (their unmatched right rows would be
// emitted once per probe partition); joins without an equality key stay unmarked (the
// nested-loop join broadcasts or gathers by itself); with a threshold of 0 nothing is
// marked. A null-aware IN key (an uncorrelated IN over a nullable comparison, no other
// condition) is always "broadcast": its NULL logic needs the whole build side everywhere,
// and the physical planner broadcasts it whatever the size.
type JoinStrategy struct{}

// Name implements Rule.
func (JoinStrategy) Name() string { return "JoinStrategy" }

// Apply implements Rule.
func (JoinStrategy) Apply(p planner.Plan, ctx *Context) (planner.Plan, error) {
	if ctx == nil || ctx.BroadcastThresholdRows <= 0 {
		return p, nil
	}
	limit := float64(ctx.BroadcastThresholdRows)
	est := newEstimator()
	// Top-down, so the estimates are taken over the nodes of p (cached once) rather than over
	// copies rebuilt below.
	return planner.TransformDown(p, func(n planner.Plan) (planner.Plan, error) {
		j, ok := n.(*planner.Join)
		if !ok {
			return n, nil
		}
		hash, forced := hashJoinKeys(j)
		if !hash {
			return j, nil
		}
		if forced || j.Type.CanBroadcastRight() && est.rows(j.Right) <= limit {
			return j.WithStrategy(planner.BroadcastJoin, false), nil
		}
		buildLeft := j.CanBuildLeft() && est.bytes(j.Left) < est.bytes(j.Right)
		return j.WithStrategy(planner.ShuffleJoin, buildLeft), nil
	})
}

// hashJoinKeys reports whether the physical planner will make j a hash join (some conjunct
// of On, or the comparison Cmp over two non-nullable sides, is an equality between an
// expression of the left side and one of the right), and whether that hash join is the
// null-aware form, which always broadcasts (Cmp an equality that may be NULL, no On).
// It mirrors exec's planJoin.
func hashJoinKeys(j *planner.Join) (hash, nullAware bool) {
	ls, rs := idSet(j.Left.Schema()), idSet(j.Right.Schema())
	if j.On != nil {
		for _, c := range planner.SplitConjunction(j.On) {
			if _, _, ok := sideEquality(c, ls, rs); ok {
				hash = true
			}
		}
	}
	if l, r, ok := sideEquality(j.Cmp, ls, rs); ok {
		switch {
		case !l.Nullable() && !r.Nullable():
			hash = true
		case j.On == nil:
			return true, true
		}
	}
	return hash, false
}

// sideEquality reports whether c is "l = r" (either way round) with l reading only, and
// some, columns of ls and r only, and some, of rs, both of one type.
func sideEquality(c planner.Expr, ls, rs map[planner.ColumnID]bool) (l, r planner.Expr, ok bool) {
	b, isBin := c.(*planner.Binary)
	if !isBin || b.Op != planner.OpEq || !arrow.TypeEqual(b.Left.Type(), b.Right.Type()) {
		return nil, nil, false
	}
	within := func(e planner.Expr, side map[planner.ColumnID]bool) bool {
		cols := planner.ColumnsOf(e, nil)
		for id := range cols {
			if !side[id] {
				return false
			}
		}
		return len(cols) > 0
	}
	switch {
	case within(b.Left, ls) && within(b.Right, rs):
		return b.Left, b.Right, true
	case within(b.Left, rs) && within(b.Right, ls):
		return b.Right, b.Left, true
	}
	return nil, nil, false
}
