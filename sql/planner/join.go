package planner

import "fmt"

// JoinType is the kind of join.
type JoinType string

// The join types.
const (
	InnerJoin JoinType = "Inner"
	LeftJoin  JoinType = "Left"
	RightJoin JoinType = "Right"
	FullJoin  JoinType = "Full"
	CrossJoin JoinType = "Cross"
	// LeftSemi keeps the left rows with a match (EXISTS, IN); its schema is the left one.
	LeftSemi JoinType = "LeftSemi"
	// LeftAnti keeps the left rows without a match (NOT EXISTS, NOT IN); its schema is the
	// left one. With Cmp set, a right row whose Cmp is NULL also counts as a match (NOT IN
	// is not TRUE when the set holds a NULL).
	LeftAnti JoinType = "LeftAnti"
	// LeftMark keeps every left row and appends MarkCol: TRUE when some right row matches,
	// else NULL when Cmp is set and is NULL for some right row matching On, else FALSE.
	LeftMark JoinType = "LeftMark"
	// LeftSingle is a left outer join in which a left row matching more than one right row
	// is an execution error (a scalar subquery returned more than one row).
	LeftSingle JoinType = "LeftSingle"
)

// JoinStrategy is how a hash join meets its sides across partitions, chosen by the
// optimizer (JoinStrategy rule) from the estimated size of the build (right) side.
type JoinStrategy string

// The join strategies.
const (
	// UndecidedJoin ("") leaves the choice to the physical planner, which shuffles.
	UndecidedJoin JoinStrategy = ""
	// BroadcastJoin copies the whole build side to every partition of the probe (left) side,
	// which is not exchanged. Correct only when every output row is decided by one left row
	// and the whole right side: not for right and full joins (see BroadcastsRight).
	BroadcastJoin JoinStrategy = "broadcast"
	// ShuffleJoin hash-partitions both sides on the join keys.
	ShuffleJoin JoinStrategy = "shuffle"
)

// CanBroadcastRight reports whether a join of this type may copy its right side to every
// partition of its left side: true for the types whose unmatched rows come from the left
// only (inner, left, semi, anti, mark, single, cross); false for right and full joins, whose
// unmatched right rows would be found once per left partition.
func (t JoinType) CanBroadcastRight() bool {
	return t != RightJoin && t != FullJoin
}

// KeepsRightColumns reports whether the join's schema holds the right side's columns.
func (t JoinType) KeepsRightColumns() bool {
	return t != LeftSemi && t != LeftAnti && t != LeftMark
}

// Join combines Left and Right rows for which On is true. Its schema is the left columns
// followed by the right ones; the side(s) an outer join may fill with NULLs become
// nullable. On is nil for a cross join (and may be nil for inner). The physical planner
// extracts equality conjuncts between the sides as hash keys; the rest is a residual filter.
type Join struct {
	Left, Right Plan
	Type        JoinType
	On          Expr
	// Cmp is the comparison of an ANY/IN subquery (semi, anti and mark joins only), read over
	// a left row and a right row. A right row matches when On is TRUE and Cmp is TRUE; a
	// NULL Cmp makes the mark NULL and drops the row of an anti join (NOT IN semantics).
	Cmp Expr
	// MarkCol is the boolean column a LeftMark join appends.
	MarkCol Column
	// Strategy is the optimizer's choice between broadcasting the right side and shuffling
	// both (UndecidedJoin: shuffle). It never changes the result; WithChildren and
	// WithExprs keep it.
	Strategy JoinStrategy
	// BuildLeft asks the hash join to build its table from the left (outer) side and probe
	// it with the right side: set by the optimizer (JoinStrategy rule) on a semi or anti
	// join without a subquery comparison whose left side is estimated smaller than its
	// right, with Strategy "shuffle". The left rows with (semi) or without (anti) a match are
	// then output once the right side is exhausted. It never changes the result;
	// WithChildren and WithExprs keep it.
	BuildLeft bool
	schema    Schema
}

// CanBuildLeft reports whether the join may build its hash table from the left side
// (BuildLeft): a semi or anti join without a subquery comparison (whose NULL logic is
// decided per left row over the whole right side).
func (j *Join) CanBuildLeft() bool {
	return (j.Type == LeftSemi || j.Type == LeftAnti) && j.Cmp == nil
}

// NewJoin validates that On is boolean and reads only columns of the two sides.
func NewJoin(left, right Plan, typ JoinType, on Expr) (*Join, error) {
	return NewSubqueryJoin(left, right, typ, on, nil, Column{})
}

// NewSubqueryJoin is NewJoin with the comparison of an ANY/IN subquery and the mark column
// of a mark join.
func NewSubqueryJoin(left, right Plan, typ JoinType, on, cmp Expr, mark Column) (*Join, error) {
	if typ == CrossJoin && on != nil {
		return nil, fmt.Errorf("join: a cross join takes no condition")
	}
	ls, rs := left.Schema(), right.Schema()
	s := make(Schema, 0, len(ls)+len(rs))
	for _, c := range ls {
		if typ == RightJoin || typ == FullJoin {
			c.Nullable = true
		}
		s = append(s, c)
	}
	if typ.KeepsRightColumns() {
		for _, c := range rs {
			if typ == LeftJoin || typ == FullJoin || typ == LeftSingle {
				c.Nullable = true
			}
			s = append(s, c)
		}
	}
	if typ == LeftMark {
		if mark.ID == 0 || mark.Type.ID() != Boolean.ID() {
			return nil, fmt.Errorf("join: a mark join needs a BOOLEAN mark column")
		}
		s = append(s, mark)
	}
	both := append(append(Schema{}, ls...), rs...)
	for _, e := range []Expr{on, cmp} {
		if e == nil {
			continue
		}
		if e.Type().ID() != Boolean.ID() {
			return nil, fmt.Errorf("join: condition %s has type %s, not BOOLEAN", e, TypeString(e.Type()))
		}
		if err := checkRefs(both, e); err != nil {
			return nil, fmt.Errorf("join: %w", err)
		}
	}
	if cmp != nil && typ != LeftSemi && typ != LeftAnti && typ != LeftMark {
		return nil, fmt.Errorf("join: a subquery comparison needs a semi, anti or mark join, not %s", typ)
	}
	return &Join{Left: left, Right: right, Type: typ, On: on, Cmp: cmp, MarkCol: mark, schema: s}, nil
}

func (j *Join) Schema() Schema   { return j.schema }
func (j *Join) Children() []Plan { return []Plan{j.Left, j.Right} }
func (j *Join) WithChildren(c []Plan) (Plan, error) {
	if c[0] == j.Left && c[1] == j.Right {
		return j, nil
	}
	return j.rebuilt(NewSubqueryJoin(c[0], c[1], j.Type, j.On, j.Cmp, j.MarkCol))
}

// rebuilt carries j's strategy over to a join rebuilt from it.
func (j *Join) rebuilt(nj *Join, err error) (Plan, error) {
	if err != nil {
		return nil, err
	}
	nj.Strategy = j.Strategy
	nj.BuildLeft = j.BuildLeft && nj.CanBuildLeft()
	return nj, nil
}

// WithStrategy returns a copy of j with strategy s and build side (buildLeft: the left
// side; only where CanBuildLeft), or j itself when it already has them.
func (j *Join) WithStrategy(s JoinStrategy, buildLeft bool) *Join {
	buildLeft = buildLeft && j.CanBuildLeft()
	if j.Strategy == s && j.BuildLeft == buildLeft {
		return j
	}
	c := *j
	c.Strategy = s
	c.BuildLeft = buildLeft
	return &c
}

// Exprs returns On (when set) then Cmp (when set).
func (j *Join) Exprs() []Expr {
	var es []Expr
	if j.On != nil {
		es = append(es, j.On)
	}
	if j.Cmp != nil {
		es = append(es, j.Cmp)
	}
	return es
}
func (j *Join) WithExprs(es []Expr) (Plan, error) {
	on, cmp := j.On, j.Cmp
	if on != nil {
		on, es = es[0], es[1:]
	}
	if cmp != nil {
		cmp = es[0]
	}
	if on == j.On && cmp == j.Cmp {
		return j, nil
	}
	return j.rebuilt(NewSubqueryJoin(j.Left, j.Right, j.Type, on, cmp, j.MarkCol))
}
func (j *Join) String() string {
	s := "Join: " + string(j.Type)
	if j.On != nil {
		s += " on " + j.On.String()
	}
	if j.Cmp != nil {
		s += " cmp " + j.Cmp.String()
	}
	if j.Type == LeftMark {
		s += " mark " + j.MarkCol.Name
	}
	if j.Strategy != UndecidedJoin {
		s += " strategy=" + string(j.Strategy)
	}
	if j.BuildLeft {
		s += " build=left"
	}
	return s
}
