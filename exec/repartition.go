package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/exec/hashtable"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func init() {
	RegisterNodePlanner(planRepartition)
}

// planRepartition plans a logical Repartition (DataFrame.Repartition and Coalesce):
//
//   - hash on keys into N: an Exchange with HashPartitioning on the keys' ordinals (rows
//     with equal keys meet in one partition, as the hash joins and aggregates route them);
//   - round-robin into N: an Exchange with AnyPartitioning dealing rows in turn;
//   - coalesce into N: the child itself when it has N partitions or fewer, else a
//     CoalesceExec (no exchange: each output partition reads neighbouring child partitions
//     one after the other, Spark's CoalescedRDD).
//
// A hash or round-robin repartition always shuffles, even over a child already partitioned
// that way: the user asked for it (Spark does the same). A key type that cannot be hashed
// is a not-implemented error here, not a failure at run time.
func planRepartition(pp *PhysicalPlanner, r *planner.Repartition) (Node, error) {
	child, err := pp.PlanChild(r.Input)
	if err != nil {
		return nil, err
	}
	if r.Coalesce {
		if child.Partitioning().N <= r.N {
			return child, nil
		}
		return NewCoalesceExec(child, r.N, r.Schema().Arrow()), nil
	}
	if len(r.Keys) == 0 {
		x := NewExchange(child, Partitioning{Kind: AnyPartitioning, N: r.N})
		x.DealRows = true // equal row counts, as Spark's repartition(n)
		return x, nil
	}
	in := r.Input.Schema()
	keys := make([]int, len(r.Keys))
	for i, k := range r.Keys {
		ref, ok := k.(*planner.ColumnRef)
		if !ok {
			return nil, errs.Internalf("repartition key %s is not a column reference", k)
		}
		if keys[i] = in.IndexOf(ref.Col.ID); keys[i] < 0 {
			return nil, errs.Internalf("repartition key %s is not an input column", k)
		}
		if hashtable.CheckKeyTypes([]arrow.DataType{ref.Col.Type}) != nil {
			return nil, errs.NotImplementedf("repartition by column %s: its type %s cannot be hashed",
				ref.Col.Name, planner.TypeString(ref.Col.Type))
		}
	}
	return NewExchange(child, Partitioning{Kind: HashPartitioning, N: r.N, Keys: keys}), nil
}

// CoalesceExec merges its child's partitions into N without an exchange (Spark's
// coalesce): with M child partitions (M > N), output partition i reads child partitions
// i*M/N through (i+1)*M/N - 1, each to its end before the next, all in the task of
// partition i. No data moves and nothing is buffered: batches pass through, relabelled with
// the node's schema (same types; the logical node's column names).
//
// Partitioning: AnyPartitioning with N partitions (a hash partitioning of the child is
// not kept: its rows for one key are still in one partition, but not where PartitionOf
// would put them among N). Order: each child partition's order, neighbouring partitions
// concatenated in order. Memory: one child operator open at a time; batches returned by
// Next are owned by the caller.
type CoalesceExec struct {
	Child  Node
	N      int
	schema *arrow.Schema
}

// NewCoalesceExec builds the node; n must be at least 1. With n above the child's partition
// count some output partitions read nothing (the physical planner uses the child itself
// when n is at or above it).
func NewCoalesceExec(child Node, n int, schema *arrow.Schema) *CoalesceExec {
	return &CoalesceExec{Child: child, N: n, schema: schema}
}

func (c *CoalesceExec) Schema() *arrow.Schema { return c.schema }
func (c *CoalesceExec) Children() []Node      { return []Node{c.Child} }
func (c *CoalesceExec) Partitioning() Partitioning {
	return Partitioning{Kind: AnyPartitioning, N: c.N}
}
func (c *CoalesceExec) String() string {
	return fmt.Sprintf("Coalesce: %d into %d", c.Child.Partitioning().N, c.N)
}

// childRange returns the child partitions [lo, hi) that output partition p reads.
func (c *CoalesceExec) childRange(p int) (lo, hi int) {
	m := c.Child.Partitioning().N
	return p * m / c.N, (p + 1) * m / c.N
}

func (c *CoalesceExec) Execute(tc *TaskContext, p int) (Operator, error) {
	if p < 0 || p >= c.N {
		return nil, errs.Internalf("coalesce: partition %d of %d", p, c.N)
	}
	lo, hi := c.childRange(p)
	// relabelOp (union.go) gives the batches the node's schema, sharing their columns.
	return &relabelOp{child: &concatOp{node: c.Child, next: lo, end: hi}, schema: c.schema}, nil
}

// concatOp reads partitions next..end-1 of node one after the other. Each child operator
// is built and opened when the previous one has ended, and closed at once, so at most one
// is open. It hands on the child's batches as they come (the caller owns them).
type concatOp struct {
	node      Node
	next, end int
	cur       Operator // the open child; nil between children
}

func (o *concatOp) Open(tc *TaskContext) error { return nil }

func (o *concatOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		if o.cur == nil {
			if o.next >= o.end {
				return nil, nil
			}
			op, err := Build(tc, o.node, o.next)
			if err != nil {
				return nil, err
			}
			o.next++
			o.cur = op // Close closes it even when Open fails
			if err := Open(tc, op); err != nil {
				return nil, err
			}
		}
		b, err := Next(tc, o.cur)
		if err != nil || b != nil {
			return b, err
		}
		cur := o.cur
		o.cur = nil
		if err := Close(cur); err != nil {
			return nil, err
		}
	}
}

func (o *concatOp) Close() error {
	if o.cur == nil {
		return nil
	}
	cur := o.cur
	o.cur = nil
	return Close(cur)
}
