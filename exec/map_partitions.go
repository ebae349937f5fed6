package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

func init() {
	RegisterNodePlanner(func(pp *PhysicalPlanner, n *planner.MapPartitions) (Node, error) {
		fn, err := pp.partitionFunc(n.FuncName)
		if err != nil {
			return nil, err
		}
		child, err := pp.PlanChild(n.Input)
		if err != nil {
			return nil, err
		}
		return NewMapPartitionsExec(child, n.FuncName, fn, n.Schema().Arrow()), nil
	})
}

// partitionFunc looks a MapPartitions function up in pp.Funcs, with a did-you-mean (or the
// list of known names) when it is not there.
func (pp *PhysicalPlanner) partitionFunc(name string) (udf.PartitionFunc, error) {
	if pp.Funcs == nil {
		return nil, errs.Planf("unknown partition function %q: no function registry is set for planning", name)
	}
	if fn, ok := pp.Funcs.PartitionFunc(name); ok {
		return fn, nil
	}
	names := pp.Funcs.PartitionFuncNames()
	hint := ""
	switch near := udf.Nearest(name, names); {
	case near != "":
		hint = fmt.Sprintf("; did you mean %q?", near)
	case len(names) == 0:
		hint = "; no partition functions are registered"
	case len(names) <= 10:
		hint = "; registered partition functions: " + strings.Join(names, ", ")
	}
	if _, ok := pp.Funcs.Scalar(name); ok && hint == "" {
		hint = fmt.Sprintf("; %s is a scalar function, not a partition function", name)
	}
	return nil, errs.Planf("unknown partition function %q%s", name, hint)
}

// MapPartitionsExec runs a registered Go function (udf.PartitionFunc) over each partition of
// its child: the function reads the partition's batches and writes batches of the declared
// schema, each checked against it (same column names and types, no NULL in a column declared
// not nullable; a batch whose schema differs only in field metadata or nullability flags is
// relabeled with the declared schema, sharing its columns).
//
// Partitioning: as many partitions as the child, AnyPartitioning (nothing is known of the
// rows the function writes). Order: the function's. Execution: the function runs on a
// goroutine of its own, one step ahead at most: the task's goroutine pulls the child for it
// when it asks for input (so the child's operators and the TaskContext stay on the task's
// goroutine) and returns each batch it writes as soon as it is written (backpressure: Write
// blocks until the consumer asks for more). Memory: one input batch, owned by the function's
// reader until its next read, and one output batch in flight; what the function allocates
// through PartitionContext.Mem is charged to this node. Batches returned by Next are owned
// by the caller. A panic in the function fails the task with an execution error naming the
// function (never retried); an error wrapped with Retryable makes the task run again.
type MapPartitionsExec struct {
	Child  Node
	Name   string // the function's name, for EXPLAIN and errors
	Fn     udf.PartitionFunc
	schema *arrow.Schema
}

// NewMapPartitionsExec builds the node: fn, registered as name, writes batches of schema.
func NewMapPartitionsExec(child Node, name string, fn udf.PartitionFunc, schema *arrow.Schema) *MapPartitionsExec {
	return &MapPartitionsExec{Child: child, Name: name, Fn: fn, schema: schema}
}

func (m *MapPartitionsExec) Schema() *arrow.Schema { return m.schema }
func (m *MapPartitionsExec) Children() []Node      { return []Node{m.Child} }
func (m *MapPartitionsExec) Partitioning() Partitioning {
	return Partitioning{Kind: AnyPartitioning, N: m.Child.Partitioning().N}
}

// String is "MapPartitions: name AS [a, b]".
func (m *MapPartitionsExec) String() string {
	names := make([]string, m.schema.NumFields())
	for i, f := range m.schema.Fields() {
		names[i] = f.Name
	}
	return "MapPartitions: " + m.Name + " AS [" + strings.Join(names, ", ") + "]"
}

func (m *MapPartitionsExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, m.Child, p)
	if err != nil {
		return nil, err
	}
	return &mapPartitionsOp{node: m, child: child, part: p}, nil
}

// inputResult answers the function's request for an input batch.
type inputResult struct {
	b   arrow.RecordBatch
	err error
}

// mapPartitionsOp runs one partition. Channels connect the task's goroutine (Next, Close)
// and the function's: want/in carry input requests and answers, out the written batches,
// done says the function returned (result is then set), stop says the consumer closed.
type mapPartitionsOp struct {
	node  *MapPartitionsExec
	child Operator
	part  int

	pctx     *udf.PartitionContext
	cancel   context.CancelFunc
	started  bool
	finished bool

	want chan struct{}
	in   chan inputResult // buffered: the task's goroutine never waits on it
	out  chan arrow.RecordBatch
	stop chan struct{}
	done chan struct{}

	result error // what the function returned (or its panic); read after done

	mu     sync.Mutex
	failed error // the first error Write or the reader handed the function
}

func (o *mapPartitionsOp) Open(tc *TaskContext) error {
	if err := Open(tc, o.child); err != nil {
		return err
	}
	// tc.Mem is this node's tracking allocator during Open: the function's allocations are
	// charged to the node.
	ctx, cancel := context.WithCancel(tc.Ctx)
	o.cancel = cancel
	o.pctx = udf.NewPartitionContext(ctx, o.part, tc.Attempt, tc.Mem, tc.OnSuccess)
	return nil
}

// start launches the function on its own goroutine.
func (o *mapPartitionsOp) start() {
	o.started = true
	o.want = make(chan struct{})
	o.in = make(chan inputResult, 1)
	o.out = make(chan arrow.RecordBatch)
	o.stop = make(chan struct{})
	o.done = make(chan struct{})
	r := &mpReader{op: o}
	w := &mpWriter{op: o}
	go func() {
		defer close(o.done)
		defer func() {
			if p := recover(); p != nil {
				o.result = errs.Execf("map_partitions function %q panicked: %v", o.node.Name, p)
			}
		}()
		defer r.release() // the reader's batch is valid until the function returns
		o.result = o.node.Fn(o.pctx, r, w)
	}()
}

func (o *mapPartitionsOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if o.finished {
		return nil, nil
	}
	if !o.started {
		o.start()
	}
	for {
		select {
		case b := <-o.out:
			return b, nil
		case <-o.want:
			b, err := o.pull(tc)
			o.in <- inputResult{b: b, err: err}
		case <-o.done:
			o.finished = true
			return nil, o.outcome()
		case <-tc.Ctx.Done():
			return nil, errs.Canceled(tc.Ctx.Err())
		}
	}
}

// pull returns the child's next non-empty batch (nil at the end), on the task's goroutine.
func (o *mapPartitionsOp) pull(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		b, err := Next(tc, o.child)
		if err != nil || b == nil || b.NumRows() > 0 {
			return b, err
		}
		b.Release()
	}
}

// outcome is the task's error once the function returned: an error the function returned
// (wrapped with its name unless it is one the engine handed it, such as the input's own
// error or a schema mismatch), else an error it was handed and swallowed.
func (o *mapPartitionsOp) outcome() error {
	o.mu.Lock()
	failed := o.failed
	o.mu.Unlock()
	switch err := o.result; {
	case err == nil:
		return failed
	case failed != nil && errors.Is(err, failed), errors.Is(err, errs.ErrCanceled):
		return err
	default:
		return errs.Wrap(errs.ErrExecution, err, "map_partitions function %q", o.node.Name)
	}
}

// fail records the first error handed to the function.
func (o *mapPartitionsOp) fail(err error) error {
	o.mu.Lock()
	if o.failed == nil {
		o.failed = err
	}
	o.mu.Unlock()
	return err
}

func (o *mapPartitionsOp) Close() error {
	if o.cancel != nil {
		o.cancel()
	}
	if o.started {
		// The function's next read or write fails; wait until it has returned, so nothing
		// of this task runs after the task ends. What it returns no longer matters.
		close(o.stop)
		<-o.done
	}
	return Close(o.child)
}

// stopped is what the function's reads and writes return once the consumer closed.
func (o *mapPartitionsOp) stopped() error {
	return errs.Canceled(context.Canceled)
}

// mpReader is the function's BatchReader. It owns the batch it last returned.
type mpReader struct {
	op    *mapPartitionsOp
	mu    sync.Mutex
	cur   arrow.RecordBatch
	ended bool
	err   error // returned again after the input ended with an error
}

func (r *mpReader) Schema() *arrow.Schema { return r.op.node.Child.Schema() }

func (r *mpReader) Next() (arrow.RecordBatch, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.ended {
		return nil, r.err
	}
	select {
	case r.op.want <- struct{}{}:
	case <-r.op.stop:
		r.ended, r.err = true, r.op.stopped()
		return nil, r.err
	}
	res := <-r.op.in
	switch {
	case res.err != nil:
		r.ended, r.err = true, r.op.fail(res.err)
		return nil, res.err
	case res.b == nil:
		r.ended = true
		return nil, nil
	}
	r.cur = res.b
	return res.b, nil
}

// release frees the batch the reader still holds (the function returned).
func (r *mpReader) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.ended = true
}

// mpWriter is the function's BatchWriter.
type mpWriter struct {
	op *mapPartitionsOp
}

func (w *mpWriter) Schema() *arrow.Schema { return w.op.node.schema }

func (w *mpWriter) Write(b arrow.RecordBatch) error {
	if b == nil {
		return w.op.fail(errs.Execf("map_partitions function %q wrote a nil batch", w.op.node.Name))
	}
	if err := w.check(b); err != nil {
		return w.op.fail(err)
	}
	if b.NumRows() == 0 {
		return nil
	}
	var ob arrow.RecordBatch
	if s := b.Schema(); s == w.op.node.schema || s.Equal(w.op.node.schema) {
		b.Retain()
		ob = b
	} else {
		ob = array.NewRecordBatch(w.op.node.schema, b.Columns(), b.NumRows())
	}
	select {
	case w.op.out <- ob: // the consumer owns it now
		return nil
	case <-w.op.stop:
		ob.Release()
		return w.op.stopped()
	}
}

// check compares a written batch with the declared schema.
func (w *mpWriter) check(b arrow.RecordBatch) error {
	want, got := w.op.node.schema, b.Schema()
	if got.NumFields() != want.NumFields() {
		return errs.Execf("map_partitions function %q wrote a batch of %d columns (%s), declared %d (%s)",
			w.op.node.Name, got.NumFields(), fieldList(got), want.NumFields(), fieldList(want))
	}
	for i, wf := range want.Fields() {
		gf := got.Field(i)
		if gf.Name != wf.Name || !arrow.TypeEqual(gf.Type, wf.Type) {
			return errs.Execf("map_partitions function %q wrote column %d as %s %s, declared %s %s",
				w.op.node.Name, i, gf.Name, planner.TypeString(gf.Type), wf.Name, planner.TypeString(wf.Type))
		}
		if !wf.Nullable {
			if n := b.Column(i).NullN(); n > 0 {
				return errs.Execf("map_partitions function %q wrote %d NULLs into column %s, declared not nullable",
					w.op.node.Name, n, wf.Name)
			}
		}
	}
	return nil
}

// fieldList renders a schema as "a BIGINT, b VARCHAR".
func fieldList(s *arrow.Schema) string {
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = f.Name + " " + planner.TypeString(f.Type)
	}
	return strings.Join(parts, ", ")
}
