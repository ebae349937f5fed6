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
)

// Join combines Left and Right rows for which On is true. Its schema is the left columns
// followed by the right ones; the side(s) an outer join may fill with NULLs become
// nullable. On is nil for a cross join (and may be nil for inner). The physical planner
// extracts equality conjuncts between the sides as hash keys; the rest is a residual filter.
type Join struct {
	Left, Right Plan
	Type        JoinType
	On          Expr
	schema      Schema
}

// NewJoin validates that On is boolean and reads only columns of the two sides.
func NewJoin(left, right Plan, typ JoinType, on Expr) (*Join, error) {
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
	for _, c := range rs {
		if typ == LeftJoin || typ == FullJoin {
			c.Nullable = true
		}
		s = append(s, c)
	}
	if on != nil {
		if on.Type().ID() != Boolean.ID() {
			return nil, fmt.Errorf("join: condition %s has type %s, not BOOLEAN", on, TypeString(on.Type()))
		}
		both := append(append(Schema{}, ls...), rs...)
		if err := checkRefs(both, on); err != nil {
			return nil, fmt.Errorf("join: %w", err)
		}
	}
	return &Join{Left: left, Right: right, Type: typ, On: on, schema: s}, nil
}

func (j *Join) Schema() Schema   { return j.schema }
func (j *Join) Children() []Plan { return []Plan{j.Left, j.Right} }
func (j *Join) WithChildren(c []Plan) (Plan, error) {
	if c[0] == j.Left && c[1] == j.Right {
		return j, nil
	}
	return NewJoin(c[0], c[1], j.Type, j.On)
}
func (j *Join) Exprs() []Expr {
	if j.On == nil {
		return nil
	}
	return []Expr{j.On}
}
func (j *Join) WithExprs(es []Expr) (Plan, error) {
	if len(es) == 0 || es[0] == j.On {
		return j, nil
	}
	return NewJoin(j.Left, j.Right, j.Type, es[0])
}
func (j *Join) String() string {
	if j.On == nil {
		return "Join: " + string(j.Type)
	}
	return "Join: " + string(j.Type) + " on " + j.On.String()
}
