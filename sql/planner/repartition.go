package planner

import "fmt"

// Repartition spreads its input's rows over exactly N partitions without changing them
// (Spark's Repartition, RepartitionByExpression and coalesce): the same rows, the same
// columns with the same IDs, in no particular order.
//
//   - With Keys (column references of the input): rows are hash-partitioned on them, so
//     rows with equal keys land in the same partition (Spark's repartition(n, cols...)).
//   - Without Keys: rows are spread round-robin (Spark's repartition(n)).
//   - Coalesce (never with Keys): the input's partitions are merged into at most N without
//     moving rows between processes (Spark's coalesce(n)); with N or fewer input
//     partitions nothing happens.
//
// A hash or round-robin repartition loses the input's order; a coalesce keeps each input
// partition's order and concatenates neighbouring partitions in order.
//
// The optimizer treats the node as a pass-through of rows and columns: filters are pushed
// below it, unread columns pruned through it (keys are read), statistics pass through it.
// A limit above it may add a limit below it (it takes any rows), never move below it: the
// repartition still decides the partitions of what is left.
type Repartition struct {
	Input    Plan
	N        int
	Keys     []Expr
	Coalesce bool
}

// NewRepartition validates a hash (keys) or round-robin (no keys) repartition into n >= 1
// partitions; each key must be a reference to an input column.
func NewRepartition(input Plan, n int, keys []Expr) (*Repartition, error) {
	return newRepartition(input, n, keys, false)
}

// NewCoalesce validates a coalesce into at most n >= 1 partitions.
func NewCoalesce(input Plan, n int) (*Repartition, error) {
	return newRepartition(input, n, nil, true)
}

func newRepartition(input Plan, n int, keys []Expr, coalesce bool) (*Repartition, error) {
	what := "repartition"
	if coalesce {
		what = "coalesce"
	}
	if input == nil {
		return nil, fmt.Errorf("%s: no input", what)
	}
	if n < 1 {
		return nil, fmt.Errorf("%s: %d partitions; want 1 or more", what, n)
	}
	if coalesce && len(keys) > 0 {
		return nil, fmt.Errorf("coalesce: takes no keys, got %d", len(keys))
	}
	for _, k := range keys {
		if _, ok := k.(*ColumnRef); !ok {
			return nil, fmt.Errorf("%s: key %s is not a column reference", what, k)
		}
		if err := checkRefs(input.Schema(), k); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
	}
	return &Repartition{Input: input, N: n, Keys: keys, Coalesce: coalesce}, nil
}

// Schema is the input's: a repartition moves rows, it does not change them.
func (r *Repartition) Schema() Schema   { return r.Input.Schema() }
func (r *Repartition) Children() []Plan { return []Plan{r.Input} }
func (r *Repartition) WithChildren(c []Plan) (Plan, error) {
	if len(c) != 1 {
		return nil, fmt.Errorf("repartition: %d children, want 1", len(c))
	}
	if c[0] == r.Input {
		return r, nil
	}
	return newRepartition(c[0], r.N, r.Keys, r.Coalesce)
}

// Exprs returns the keys (none for round-robin and coalesce).
func (r *Repartition) Exprs() []Expr { return r.Keys }
func (r *Repartition) WithExprs(es []Expr) (Plan, error) {
	if len(es) != len(r.Keys) {
		return nil, fmt.Errorf("repartition: %d expressions, want %d", len(es), len(r.Keys))
	}
	if sameExprs(es, r.Keys) {
		return r, nil
	}
	return newRepartition(r.Input, r.N, es, r.Coalesce)
}

// String renders `Repartition: hash(t.a, t.b) into 8`, `Repartition: round-robin into 8`
// or `Coalesce: 2`.
func (r *Repartition) String() string {
	switch {
	case r.Coalesce:
		return fmt.Sprintf("Coalesce: %d", r.N)
	case len(r.Keys) > 0:
		return fmt.Sprintf("Repartition: hash(%s) into %d", joinExprs(r.Keys), r.N)
	}
	return fmt.Sprintf("Repartition: round-robin into %d", r.N)
}
