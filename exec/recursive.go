package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/hashtable"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// The bounds of a recursive CTE (RecursiveExec's fields default to them).
const (
	// DefaultMaxRecursion is how many iterations of the recursive term may produce rows, as
	// MySQL's cte_max_recursion_depth (1000).
	DefaultMaxRecursion = 1000
	// DefaultMaxRecursiveRows bounds the rows a recursive CTE produces in all.
	DefaultMaxRecursiveRows = 10_000_000
	// DefaultMaxRecursiveBytes bounds the memory a recursive CTE holds at once: the rows of
	// the last iteration plus, for UNION, the set of rows produced so far.
	DefaultMaxRecursiveBytes = 1 << 30
)

func init() {
	RegisterNodePlanner(func(pp *PhysicalPlanner, n *planner.RecursiveCTE) (Node, error) {
		anchor, err := pp.PlanChild(n.Anchor)
		if err != nil {
			return nil, err
		}
		rec, err := pp.PlanChild(n.Recursive)
		if err != nil {
			return nil, err
		}
		return NewRecursiveExec(n.Name, anchor, rec, n.Work, n.Distinct, n.Schema().Arrow())
	})
	RegisterNodePlanner(func(pp *PhysicalPlanner, n *planner.WorkTable) (Node, error) {
		return &WorkTableExec{ID: n.ID, Name: n.Name, Parts: pp.Partitions, schema: n.Schema().Arrow()}, nil
	})
}

// RecursiveExec runs a recursive CTE: it streams the anchor's rows, then runs the recursive
// term over the previous iteration's rows (read by the term's WorkTableExec) and streams
// what it produces, until an iteration produces no rows. With Distinct (UNION) a row
// produced before is dropped from the output and from the next iteration's input.
//
// Partitioning: one partition (the anchor is gathered into one first). Order: the anchor's
// rows, then each iteration's in turn. Each iteration runs the recursive term as a query
// of its own (Run, with its own stages and exchanges, at the task's batch size and
// allocator); the work table reaches it through the context. Recursive is therefore not a
// child in Children(): the scheduler must not run its stages once up front. Because the
// output is pulled, a LIMIT above stops the iterations.
//
// Memory: the operator holds the rows of the last iteration (the next iteration's input)
// and, with Distinct, a hashtable.GroupMap of every row produced. Bounds: more than
// MaxIterations iterations that produce rows, more than MaxRows rows in all, or more than
// MaxBytes held is a resource-exhausted error naming the CTE. Output batches are the
// produced batches relabelled (the operator keeps a reference for the next iteration) or
// new batches of the rows kept by Distinct; the caller releases them.
type RecursiveExec struct {
	Name          string
	Anchor        Node
	Recursive     Node
	Work          planner.WorkTableID
	Distinct      bool
	MaxIterations int
	MaxRows       int64
	MaxBytes      int64
	schema        *arrow.Schema
}

// NewRecursiveExec builds the operator with the default bounds. Anchor and recursive must
// produce schema's types; with distinct they must be types the hash table can compare
// (else a not-implemented error).
func NewRecursiveExec(name string, anchor, recursive Node, work planner.WorkTableID, distinct bool, schema *arrow.Schema) (*RecursiveExec, error) {
	types := make([]arrow.DataType, schema.NumFields())
	for i := range types {
		types[i] = schema.Field(i).Type
		for _, in := range []Node{anchor, recursive} {
			if t := in.Schema().Field(i).Type; !arrow.TypeEqual(t, types[i]) {
				return nil, errs.Internalf("recursive CTE %s column %d: input type %s, output %s", name, i+1, t, types[i])
			}
		}
	}
	if distinct {
		if err := hashtable.CheckKeyTypes(types); err != nil {
			return nil, errs.Wrap(errs.ErrNotImplemented, err, "recursive CTE %s with UNION (use UNION ALL)", name)
		}
	}
	if anchor.Partitioning().N != 1 {
		anchor = NewExchange(anchor, Partitioning{Kind: SinglePartition, N: 1})
	}
	return &RecursiveExec{Name: name, Anchor: anchor, Recursive: recursive, Work: work, Distinct: distinct,
		MaxIterations: DefaultMaxRecursion, MaxRows: DefaultMaxRecursiveRows, MaxBytes: DefaultMaxRecursiveBytes, schema: schema}, nil
}

func (r *RecursiveExec) Schema() *arrow.Schema { return r.schema }

// Children is the anchor only; the recursive term runs as a query per iteration.
func (r *RecursiveExec) Children() []Node           { return []Node{r.Anchor} }
func (r *RecursiveExec) Partitioning() Partitioning { return Partitioning{Kind: SinglePartition, N: 1} }
func (r *RecursiveExec) String() string {
	mode := "union all"
	if r.Distinct {
		mode = "union"
	}
	return fmt.Sprintf("RecursiveCTE: %s (%s; recursive term per iteration: %s)", r.Name, mode, r.Recursive)
}

func (r *RecursiveExec) Execute(tc *TaskContext, p int) (Operator, error) {
	anchor, err := Build(tc, r.Anchor, p)
	if err != nil {
		return nil, err
	}
	return &recursiveOp{node: r, anchor: anchor}, nil
}

// workTableKey is the context key under which an iteration finds its work table.
type workTableKey planner.WorkTableID

// workTableRows is one iteration's input: the previous iteration's batches, read-only.
type workTableRows struct{ batches []arrow.RecordBatch }

// withWorkTable returns the task's context with batches as the work table id; the caller
// keeps them alive until the iteration's query has finished.
func withWorkTable(tc *TaskContext, id planner.WorkTableID, batches []arrow.RecordBatch) context.Context {
	return context.WithValue(tc.Ctx, workTableKey(id), &workTableRows{batches: batches})
}

type recursiveOp struct {
	node   *RecursiveExec
	anchor Operator // nil once drained and closed
	mem    memory.Allocator
	seen   *hashtable.GroupMap
	ids    []uint32
	// work is what the current output comes from, and the next iteration's input.
	work []arrow.RecordBatch
	// out are produced batches not yet returned (owned, relabelled).
	out       []arrow.RecordBatch
	iteration int
	rows      int64
	bytes     int64
	done      bool
}

func (o *recursiveOp) Open(tc *TaskContext) error {
	o.mem = tc.Mem
	if o.node.Distinct {
		types := make([]arrow.DataType, o.node.schema.NumFields())
		for i := range types {
			types[i] = o.node.schema.Field(i).Type
		}
		o.seen = hashtable.NewGroupMap(types, tc.Mem)
	}
	return Open(tc, o.anchor)
}

func (o *recursiveOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		if len(o.out) > 0 {
			b := o.out[0]
			o.out[0] = nil
			o.out = o.out[1:]
			return b, nil
		}
		if o.done {
			return nil, nil
		}
		if o.anchor != nil {
			b, err := Next(tc, o.anchor)
			if err != nil {
				return nil, err
			}
			if b != nil {
				if err := o.add(b); err != nil {
					return nil, err
				}
				continue
			}
			err = Close(o.anchor)
			o.anchor = nil
			if err != nil {
				return nil, err
			}
		}
		if err := o.iterate(tc); err != nil {
			return nil, err
		}
	}
}

// iterate runs the recursive term once over o.work, replacing o.work with what it
// produced (queued in o.out too); with nothing to work on, the CTE is done.
func (o *recursiveOp) iterate(tc *TaskContext) error {
	if len(o.work) == 0 {
		o.done = true
		return nil
	}
	o.iteration++
	if o.iteration > o.node.MaxIterations {
		return errs.ResourceExhaustedf("recursive query %q exceeded %d iterations; give its recursive part a condition that stops it", o.node.Name, o.node.MaxIterations)
	}
	prev := o.work
	o.work, o.bytes = nil, 0
	defer releaseAll(prev)
	ctx := withWorkTable(tc, o.node.Work, prev)
	// parent: the iteration's task hooks (accumulator updates) commit with this task.
	ex, err := Run(ctx, o.node.Recursive, Config{BatchSize: tc.BatchSize, Mem: tc.Mem, parent: tc})
	if err != nil {
		return err
	}
	batches := ex.Batches
	ex.Batches = nil
	for i, b := range batches {
		batches[i] = nil
		if err := o.add(b); err != nil {
			releaseAll(batches[i+1:])
			return err
		}
	}
	return nil
}

// add takes b (owned), keeps its new rows (all of them without Distinct), checks the bounds,
// and adds them to the next work table and the output queue.
func (o *recursiveOp) add(b arrow.RecordBatch) error {
	if o.seen != nil {
		kept, err := o.fresh(b)
		b.Release()
		if err != nil {
			return err
		}
		b = kept
	}
	if b == nil || b.NumRows() == 0 {
		if b != nil {
			b.Release()
		}
		return nil
	}
	out := array.NewRecordBatch(o.node.schema, b.Columns(), b.NumRows())
	b.Release()
	o.rows += out.NumRows()
	o.bytes += batchBytes(out)
	held := o.bytes
	if o.seen != nil {
		held += o.seen.MemoryUsage()
	}
	switch {
	case o.rows > o.node.MaxRows:
		out.Release()
		return errs.ResourceExhaustedf("recursive query %q produced more than %d rows", o.node.Name, o.node.MaxRows)
	case held > o.node.MaxBytes:
		out.Release()
		return errs.ResourceExhaustedf("recursive query %q holds more than %d bytes", o.node.Name, o.node.MaxBytes)
	}
	out.Retain()
	o.work = append(o.work, out)
	o.out = append(o.out, out)
	return nil
}

// fresh returns the rows of b not produced before (first copies only), as a new batch, b
// itself retained when all are new, or nil when none is. b stays the caller's.
func (o *recursiveOp) fresh(b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	if cap(o.ids) < n {
		o.ids = make([]uint32, n)
	}
	ids := o.ids[:n]
	next := uint32(o.seen.Len())
	if err := o.seen.Insert(b.Columns(), ids); err != nil {
		return nil, err
	}
	var keep []int32
	for i, g := range ids {
		// New groups get ids in row order, so a row is the first of its group iff its id
		// is the next one handed out.
		if g == next {
			keep = append(keep, int32(i))
			next++
		}
	}
	switch len(keep) {
	case 0:
		return nil, nil
	case n:
		b.Retain()
		return b, nil
	}
	return TakeRows(o.mem, b, keep)
}

func (o *recursiveOp) Close() error {
	releaseAll(o.out)
	releaseAll(o.work)
	o.out, o.work = nil, nil
	if o.seen != nil {
		o.seen.Release()
		o.seen = nil
	}
	if o.anchor != nil {
		err := Close(o.anchor)
		o.anchor = nil
		return err
	}
	return nil
}

// batchBytes is the size of the buffers b's columns reference (all of each buffer, also
// when the column is a slice of it).
func batchBytes(b arrow.RecordBatch) int64 {
	var n int64
	var add func(d arrow.ArrayData)
	add = func(d arrow.ArrayData) {
		for _, buf := range d.Buffers() {
			if buf != nil {
				n += int64(buf.Len())
			}
		}
		for _, c := range d.Children() {
			add(c)
		}
		if d.DataType().ID() == arrow.DICTIONARY {
			add(d.Dictionary())
		}
	}
	for _, c := range b.Columns() {
		add(c.Data())
	}
	return n
}

func releaseAll(bs []arrow.RecordBatch) {
	for _, b := range bs {
		if b != nil {
			b.Release()
		}
	}
}

// WorkTableExec reads the work table of the recursive CTE with ID: the batches of the
// previous iteration, found in the task's context (put there by RecursiveExec for the
// query it runs per iteration). Partitioning: Parts partitions, batch i in partition
// i mod Parts. The batches returned are retained references; the caller releases them.
type WorkTableExec struct {
	ID     planner.WorkTableID
	Name   string
	Parts  int
	schema *arrow.Schema
}

func (w *WorkTableExec) Schema() *arrow.Schema { return w.schema }
func (w *WorkTableExec) Children() []Node      { return nil }
func (w *WorkTableExec) Partitioning() Partitioning {
	return Partitioning{Kind: AnyPartitioning, N: max(w.Parts, 1)}
}
func (w *WorkTableExec) String() string { return "WorkTable: " + w.Name }

func (w *WorkTableExec) Execute(tc *TaskContext, p int) (Operator, error) {
	rows, ok := tc.Ctx.Value(workTableKey(w.ID)).(*workTableRows)
	if !ok {
		return nil, errs.Internalf("work table of recursive CTE %s read outside its iteration", w.Name)
	}
	var mine []arrow.RecordBatch
	for i := p; i < len(rows.batches); i += max(w.Parts, 1) {
		b := rows.batches[i]
		mine = append(mine, array.NewRecordBatch(w.schema, b.Columns(), b.NumRows()))
	}
	return &batchesOp{pending: mine}, nil
}

// batchesOp returns batches it owns, in order.
type batchesOp struct{ pending []arrow.RecordBatch }

func (o *batchesOp) Open(*TaskContext) error { return nil }
func (o *batchesOp) Next(*TaskContext) (arrow.RecordBatch, error) {
	if len(o.pending) == 0 {
		return nil, nil
	}
	b := o.pending[0]
	o.pending[0] = nil
	o.pending = o.pending[1:]
	return b, nil
}
func (o *batchesOp) Close() error {
	releaseAll(o.pending)
	o.pending = nil
	return nil
}
