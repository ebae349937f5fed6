package optimizer

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// OuterJoinSimplification turns an outer join into a narrower one when the filter right
// above it removes every row in which one side is padded with NULLs:
//
//	Filter: (c.bal > 0)                        Filter: (c.bal > 0)
//	  Join: Left on (o.ck = c.k)         →       Join: Inner on (o.ck = c.k)
//	    Scan: orders o                             Scan: orders o
//	    Scan: customer c                           Scan: customer c
//
// A conjunct rejects a side's padding when it cannot be TRUE while all of that side's
// columns are NULL (rejectsNulls): a comparison, LIKE, IN, arithmetic, NOT or CAST over a
// column of the side (each is NULL when that operand is), x IS NOT NULL, an AND with one
// rejecting operand, an OR whose operands all reject. Then LEFT becomes INNER when the
// right side's padding is rejected, RIGHT becomes INNER when the left side's is, and FULL
// becomes LEFT, RIGHT or INNER by which side(s) are rejected. The padded rows are exactly
// the rows the join adds over the narrower join, and the filter, which stays, removes them
// all. With the join inner, FilterPushdown can move the filter into the side and
// JoinReorder can reorder the join.
//
// Refuses: x IS NULL (it keeps padded rows: the anti-join idiom), x > 0 OR x IS NULL,
// COALESCE(x, 0) > 0 and any function call (a function may return a value for NULL input),
// CASE; a filter that is not directly above the join (FilterPushdown puts it there); semi,
// anti, mark and single joins.
type OuterJoinSimplification struct{}

// Name implements Rule.
func (OuterJoinSimplification) Name() string { return "OuterJoinSimplification" }

// Apply implements Rule.
func (OuterJoinSimplification) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	np, err := planner.TransformUp(p, func(n planner.Plan) (planner.Plan, error) {
		f, ok := n.(*planner.Filter)
		if !ok {
			return n, nil
		}
		j, ok := f.Input.(*planner.Join)
		if !ok || (j.Type != planner.LeftJoin && j.Type != planner.RightJoin && j.Type != planner.FullJoin) {
			return n, nil
		}
		left, right := idSet(j.Left.Schema()), idSet(j.Right.Schema())
		var noNullLeft, noNullRight bool
		for _, c := range planner.SplitConjunction(f.Cond) {
			noNullLeft = noNullLeft || rejectsNulls(c, left)
			noNullRight = noNullRight || rejectsNulls(c, right)
		}
		typ := j.Type
		switch {
		case typ == planner.LeftJoin && noNullRight, typ == planner.RightJoin && noNullLeft:
			typ = planner.InnerJoin
		case typ == planner.FullJoin && noNullLeft && noNullRight:
			typ = planner.InnerJoin
		case typ == planner.FullJoin && noNullLeft:
			typ = planner.LeftJoin // rows whose left side is padded go; unmatched left rows stay
		case typ == planner.FullJoin && noNullRight:
			typ = planner.RightJoin
		}
		if typ == j.Type {
			return n, nil
		}
		nj, err := planner.NewSubqueryJoin(j.Left, j.Right, typ, j.On, j.Cmp, j.MarkCol)
		if err != nil {
			return nil, err
		}
		return f.WithChildren([]planner.Plan{nj})
	})
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// rejectsNulls reports whether predicate e cannot be TRUE on a row in which every column
// of side is NULL (it is FALSE or NULL there). Conservative: false when unsure.
func rejectsNulls(e planner.Expr, side map[planner.ColumnID]bool) bool {
	switch x := e.(type) {
	case *planner.Binary:
		switch x.Op {
		case planner.OpAnd:
			return rejectsNulls(x.Left, side) || rejectsNulls(x.Right, side)
		case planner.OpOr:
			return rejectsNulls(x.Left, side) && rejectsNulls(x.Right, side)
		}
	case *planner.IsNull:
		return x.Negated && nullWhenNull(x.E, side)
	case *planner.Not:
		// NOT of something NULL is NULL; NOT of a rejecting AND/OR could be TRUE.
		return nullWhenNull(x.E, side)
	}
	return nullWhenNull(e, side)
}

// nullWhenNull reports whether e is certainly NULL on a row in which every column of side
// is NULL: a column of the side, or an operator that is NULL when one of its operands is
// (arithmetic, comparison, NOT, negation, CAST, interval arithmetic, LIKE, the tested value
// of IN), or an AND/OR whose operands are both NULL.
func nullWhenNull(e planner.Expr, side map[planner.ColumnID]bool) bool {
	switch x := e.(type) {
	case *planner.ColumnRef:
		return side[x.Col.ID]
	case *planner.Binary:
		if x.Op == planner.OpAnd || x.Op == planner.OpOr {
			return nullWhenNull(x.Left, side) && nullWhenNull(x.Right, side)
		}
		return nullWhenNull(x.Left, side) || nullWhenNull(x.Right, side)
	case *planner.Not, *planner.Negate, *planner.Cast, *planner.AddInterval:
		return nullWhenNull(e.Children()[0], side)
	case *planner.Like:
		return nullWhenNull(x.E, side) || nullWhenNull(x.Pattern, side)
	case *planner.InList:
		return nullWhenNull(x.E, side)
	}
	return false
}
