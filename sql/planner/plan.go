package planner

// Plan is an immutable logical plan node. Nodes validate their inputs at construction
// (New... functions return an error) and are never mutated afterwards; rewrites build new
// nodes through WithChildren / WithExprs, which return the receiver itself when nothing
// changed, so rules can report change by pointer comparison.
type Plan interface {
	// Schema is the node's output columns.
	Schema() Schema
	Children() []Plan
	// WithChildren returns a copy with new children (same count), re-validated.
	WithChildren(children []Plan) (Plan, error)
	// Exprs returns the node's own expressions (not its children's), in a fixed order.
	Exprs() []Expr
	// WithExprs returns a copy with new expressions (same count and order as Exprs).
	WithExprs(exprs []Expr) (Plan, error)
	// String is the one-line EXPLAIN text of the node (no children, no IDs).
	String() string
}

func samePlans(a, b []Plan) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func joinExprs(es []Expr) string {
	s := ""
	for i, e := range es {
		if i > 0 {
			s += ", "
		}
		s += e.String()
	}
	return s
}
