package exec

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// DefaultBatchedCallRows is the rows per call of a udf.BatchedFunction whose Batching
// prefers none (0).
const DefaultBatchedCallRows = 4096

// BatchedCallExec evaluates one call of a slow scalar function (udf.BatchedFunction: model
// inference, a remote service) and appends its result to its child's columns, as a column
// named by the call's text; the physical planner puts it under the Project, Filter or
// argument projection that reads the call (batched_plan.go).
//
// Per partition it gathers the child's rows into calls of exactly BatchRows rows (the last
// call of a partition may have fewer; an input batch that straddles two calls is sliced,
// without copying), evaluates Args over each gathered group (the vectorized evaluator,
// once per input slice, then one concatenation per argument when the group has several
// slices), and runs Fn.Eval on its own goroutine, at most Concurrency calls at once. While
// calls run, the task's goroutine keeps reading the input for the next ones, and returns
// results while later calls are in flight, so the function's latency overlaps the child's
// and the consumer's work.
//
// Partitioning: the child's (the appended column moves no ordinal). Order: the child's;
// rows are never reordered, results come out in input order. Output batches are the input
// slices with the result column appended: their columns share the input's buffers and the
// result's. Memory: at most Concurrency+1 groups of BatchRows rows (their input batches,
// argument arrays while the call runs, and results) are held per partition: Concurrency in
// flight and one being returned. Batches returned by Next belong to the caller; everything
// else is released by the operator (by the call's goroutine for argument arrays, by Close
// for what was not returned). Close cancels calls still running and waits for them.
//
// Errors: an error Eval returns becomes an execution error (unless it already has a kind)
// prefixed with the call's text; a panic in Eval, a result of the wrong length or type,
// become execution errors naming the function. Cancellation of the query ends a wait for a
// call at once; the call's context (a child of the task's) is canceled on Close.
type BatchedCallExec struct {
	Child Node
	Fn    udf.BatchedFunction
	// Args are the call's arguments, compiled over the child's columns.
	Args []PhysExpr
	// Text is the call as EXPLAIN shows it and the appended column's name: predict(features).
	Text string
	// BatchRows is the rows per call (> 0); Concurrency the calls in flight per partition (>= 1).
	BatchRows   int
	Concurrency int
	typ         arrow.DataType
	schema      *arrow.Schema
	// calls counts the calls made by every run of this node, for EXPLAIN ANALYZE.
	calls atomic.Int64
}

// NewBatchedCallExec builds the node for a call of fn over args (compiled over child's
// columns) returning typ. Batch size and concurrency come from fn.Batching():
// DefaultBatchedCallRows when it prefers none, one call at a time for 0 or 1.
func NewBatchedCallExec(child Node, fn udf.BatchedFunction, args []PhysExpr, text string, typ arrow.DataType) *BatchedCallExec {
	rows, conc := fn.Batching()
	if rows <= 0 {
		rows = DefaultBatchedCallRows
	}
	conc = max(conc, 1)
	cs := child.Schema()
	fields := append(append([]arrow.Field(nil), cs.Fields()...), arrow.Field{Name: text, Type: typ, Nullable: true})
	md := cs.Metadata()
	return &BatchedCallExec{Child: child, Fn: fn, Args: args, Text: text, BatchRows: rows, Concurrency: conc,
		typ: typ, schema: arrow.NewSchema(fields, &md)}
}

func (n *BatchedCallExec) Schema() *arrow.Schema      { return n.schema }
func (n *BatchedCallExec) Children() []Node           { return []Node{n.Child} }
func (n *BatchedCallExec) Partitioning() Partitioning { return n.Child.Partitioning() }

// String is "BatchedCall: predict(features) batch=4096 concurrency=4", with " calls=N"
// once the node has run (EXPLAIN ANALYZE).
func (n *BatchedCallExec) String() string {
	s := fmt.Sprintf("BatchedCall: %s batch=%d concurrency=%d", n.Text, n.BatchRows, n.Concurrency)
	if c := n.calls.Load(); c > 0 {
		s += fmt.Sprintf(" calls=%d", c)
	}
	return s
}

// Calls returns the number of calls of Fn made by every run of this node so far.
func (n *BatchedCallExec) Calls() int64 { return n.calls.Load() }

func (n *BatchedCallExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, n.Child, p)
	if err != nil {
		return nil, err
	}
	return &batchedCallOp{node: n, child: child}, nil
}

// callGroup is the rows of one call. pieces and result are owned by the operator; the
// call's goroutine sets result or err, then closes done.
type callGroup struct {
	pieces []arrow.RecordBatch // input slices in order; pieces[:next] were returned
	rows   int
	next   int // the next piece to return
	off    int // the result row of pieces[next]
	done   chan struct{}
	result arrow.Array
	err    error
}

// release frees the pieces not returned and the result. Only after done is closed.
func (g *callGroup) release() {
	for _, p := range g.pieces[g.next:] {
		p.Release()
	}
	g.pieces = nil
	if g.result != nil {
		g.result.Release()
		g.result = nil
	}
}

// batchedCallOp runs one partition. queue holds the groups gathered and not yet fully
// returned, in input order; every group but a finished head has its call in flight.
type batchedCallOp struct {
	node  *BatchedCallExec
	child Operator

	ctx    context.Context // the calls' context, canceled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // the calls' goroutines

	queue    []*callGroup
	emitting bool              // queue[0]'s call is done and its pieces are being returned
	carry    arrow.RecordBatch // the rest of an input batch cut at a group's end (owned)
	eof      bool              // the child has ended
}

func (o *batchedCallOp) Open(tc *TaskContext) error {
	o.ctx, o.cancel = context.WithCancel(tc.Ctx)
	return Open(tc, o.child)
}

func (o *batchedCallOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	// Top up the calls in flight: Concurrency, besides a head being returned.
	for !o.eof && len(o.queue) < o.node.Concurrency+boolInt(o.emitting) {
		if err := o.gather(tc); err != nil {
			return nil, err
		}
	}
	if len(o.queue) == 0 {
		return nil, nil
	}
	g := o.queue[0]
	if !o.emitting {
		select {
		case <-g.done:
		case <-tc.Ctx.Done():
			return nil, errs.Canceled(tc.Ctx.Err())
		}
		if g.err != nil {
			return nil, g.err
		}
		o.emitting = true
	}
	// Return the head's next piece with its rows of the result appended.
	piece := g.pieces[g.next]
	g.pieces[g.next] = nil
	g.next++
	n := int(piece.NumRows())
	res := array.NewSlice(g.result, int64(g.off), int64(g.off+n))
	g.off += n
	cols := append(append(make([]arrow.Array, 0, piece.NumCols()+1), piece.Columns()...), res)
	out := array.NewRecordBatch(o.node.schema, cols, int64(n))
	piece.Release()
	res.Release()
	if g.next == len(g.pieces) {
		g.release()
		o.queue[0] = nil
		o.queue = o.queue[1:]
		o.emitting = false
	}
	return out, nil // the caller owns it
}

// gather reads the child until it has BatchRows rows or the child ends, evaluates the
// arguments over them and starts the call. At the child's end with no rows it only sets eof.
func (o *batchedCallOp) gather(tc *TaskContext) error {
	want := o.node.BatchRows
	var pieces []arrow.RecordBatch
	rows := 0
	for rows < want {
		b := o.carry
		o.carry = nil
		if b == nil {
			var err error
			if b, err = Next(tc, o.child); err != nil {
				releaseAll(pieces)
				return err
			}
			if b == nil {
				o.eof = true
				break
			}
			if b.NumRows() == 0 {
				b.Release()
				continue
			}
		}
		if n := int(b.NumRows()); rows+n > want {
			k := int64(want - rows)
			head := b.NewSlice(0, k)
			o.carry = b.NewSlice(k, int64(n))
			b.Release()
			b = head
		}
		pieces = append(pieces, b)
		rows += int(b.NumRows())
	}
	if rows == 0 {
		return nil
	}
	args, err := o.evalArgs(tc, pieces)
	if err != nil {
		releaseAll(pieces)
		return err
	}
	g := &callGroup{pieces: pieces, rows: rows, done: make(chan struct{})}
	o.queue = append(o.queue, g)
	o.wg.Add(1)
	// tc.Mem is this node's tracking allocator while Next runs: the call's allocations are
	// charged to the node. The goroutine never sees tc.
	go o.call(g, args, tc.Mem)
	return nil
}

// evalArgs evaluates the arguments over the group's pieces: one array of the group's rows
// per argument, owned by the caller.
func (o *batchedCallOp) evalArgs(tc *TaskContext, pieces []arrow.RecordBatch) ([]arrow.Array, error) {
	args := make([]arrow.Array, 0, len(o.node.Args))
	parts := make([]arrow.Array, 0, len(pieces))
	for _, e := range o.node.Args {
		parts = parts[:0]
		for _, p := range pieces {
			a, err := e.Eval(tc, p)
			if err != nil {
				releaseArrays(parts)
				releaseArrays(args)
				return nil, err
			}
			parts = append(parts, a)
		}
		if len(parts) == 1 {
			args = append(args, parts[0])
			continue
		}
		a, err := array.Concatenate(parts, tc.Mem)
		releaseArrays(parts)
		if err != nil {
			releaseArrays(args)
			return nil, errs.Wrap(errs.ErrExecution, err, "%s: gathering argument %s", o.node.Text, e)
		}
		args = append(args, a)
	}
	return args, nil
}

// call runs Fn over one group on its own goroutine and releases the argument arrays.
func (o *batchedCallOp) call(g *callGroup, args []arrow.Array, mem memory.Allocator) {
	defer o.wg.Done()
	defer close(g.done)
	defer releaseArrays(args)
	defer func() {
		if r := recover(); r != nil {
			if g.result != nil {
				g.result.Release()
				g.result = nil
			}
			g.err = errs.Execf("%s: function %s panicked: %v", o.node.Text, o.node.Fn.Name(), r)
		}
	}()
	o.node.calls.Add(1)
	res, err := o.node.Fn.Eval(o.ctx, mem, args, g.rows)
	name := o.node.Fn.Name()
	switch {
	case err != nil:
		if res != nil {
			res.Release()
		}
		if cerr := o.ctx.Err(); cerr != nil {
			g.err = errs.Canceled(cerr)
		} else {
			g.err = errs.Wrap(errs.ErrExecution, err, "%s", o.node.Text)
		}
	case res == nil:
		g.err = errs.Execf("%s: function %s returned no result", o.node.Text, name)
	case res.Len() != g.rows:
		g.err = errs.Execf("%s: function %s returned %d rows for %d", o.node.Text, name, res.Len(), g.rows)
		res.Release()
	case !arrow.TypeEqual(res.DataType(), o.node.typ):
		g.err = errs.Execf("%s: function %s returned %s, declared %s", o.node.Text, name,
			planner.TypeString(res.DataType()), planner.TypeString(o.node.typ))
		res.Release()
	default:
		g.result = res
	}
}

func (o *batchedCallOp) Close() error {
	if o.cancel != nil {
		o.cancel()
	}
	// Wait for the calls still running, so nothing of this task runs after it ends and
	// every group can be released here.
	o.wg.Wait()
	for _, g := range o.queue {
		g.release()
	}
	o.queue = nil
	if o.carry != nil {
		o.carry.Release()
		o.carry = nil
	}
	return Close(o.child)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
