package exec

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
)

// Operator is one running instance of a physical node for one partition: a pull-based
// stream of record batches.
//
// Ownership: a batch returned by Next belongs to the caller, who releases it or hands it on
// (and says so). An operator never touches a batch after returning it. Next returns
// (nil, nil) at the end of the stream and keeps doing so. Close releases everything the
// operator still holds and closes its children; it is called exactly once, also after an
// error or an early stop.
//
// Operators are always driven through the Next function of this package, never by calling
// the method directly.
type Operator interface {
	Open(tc *TaskContext) error
	Next(tc *TaskContext) (arrow.RecordBatch, error)
	Close() error
}

// TaskContext is what a task (one stage, one partition) runs with.
type TaskContext struct {
	Ctx context.Context
	// Mem allocates the task's Arrow buffers. While an operator's Open or Next runs, Mem is
	// its node's tracking allocator (see Metrics): an operator that hands work to other
	// goroutines passes them the allocator, never tc itself.
	Mem       memory.Allocator
	BatchSize int
	Stage     int
	Partition int
	// Attempt numbers the runs of this task (stage, partition): 0 for the first, n for its
	// n-th retry (Config.MaxTaskAttempts). Each attempt has its own TaskContext.
	Attempt int
	// query is shared by all tasks of a query: shuffle data and metrics.
	query *queryState

	// hooks are the functions registered by OnSuccess during this attempt (scheduler.go).
	hooksMu sync.Mutex
	hooks   []func()
}

// Metrics counts what one physical node did, summed over its partitions. Every field is
// updated atomically by the node's tasks while the query runs.
type Metrics struct {
	Rows    atomic.Int64 // rows of the batches the node returned
	Batches atomic.Int64 // batches the node returned
	// Nanos is the time spent in the node's Open and Next calls, its children's included
	// (summed over partitions, so it can pass the query's wall time).
	Nanos atomic.Int64
	// MemBytes is the size of the Arrow buffers the node's operators allocated (through
	// TaskContext.Mem while their Open or Next ran) and that are not freed yet, whoever
	// holds them now; MemPeak is the highest MemBytes reached.
	MemBytes atomic.Int64
	MemPeak  atomic.Int64

	// Scans only: splits (Parquet row groups, files) opened, and what their readers
	// report (datasource.ReadStats).
	SplitsRead   atomic.Int64
	PagesRead    atomic.Int64
	PagesSkipped atomic.Int64
	RowsSkipped  atomic.Int64

	// Hash joins only: partitions that built their table from the left input instead of
	// the right (hashJoinOp.swapBuildSide).
	BuildSwapped atomic.Int64
}

// addMem records n more (or, negative, fewer) live bytes and raises the peak.
func (m *Metrics) addMem(n int64) {
	live := m.MemBytes.Add(n)
	for {
		p := m.MemPeak.Load()
		if live <= p || m.MemPeak.CompareAndSwap(p, live) {
			return
		}
	}
}

// trackingAllocator charges the buffers a node's operators allocate to the node's
// Metrics. Buffers remember their allocator, so a buffer is uncharged when it is freed,
// by whichever operator releases it last.
type trackingAllocator struct {
	parent memory.Allocator
	m      *Metrics
}

func (a *trackingAllocator) Allocate(size int) []byte {
	b := a.parent.Allocate(size)
	a.m.addMem(int64(len(b)))
	return b
}

func (a *trackingAllocator) Reallocate(size int, b []byte) []byte {
	old := len(b)
	nb := a.parent.Reallocate(size, b)
	a.m.addMem(int64(len(nb) - old))
	return nb
}

func (a *trackingAllocator) Free(b []byte) {
	a.m.addMem(-int64(len(b)))
	a.parent.Free(b)
}

// instrumented is how every operator is wrapped: Build returns it, and Open and Next
// count through it, with TaskContext.Mem set to the node's tracking allocator.
type instrumented struct {
	op      Operator
	metrics *Metrics
	mem     *trackingAllocator
}

func (i *instrumented) Open(tc *TaskContext) error {
	saved := tc.Mem
	tc.Mem = i.mem
	defer func() { tc.Mem = saved }()
	start := time.Now()
	err := i.op.Open(tc)
	i.metrics.Nanos.Add(int64(time.Since(start)))
	return err
}

func (i *instrumented) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	return i.op.Next(tc)
}
func (i *instrumented) Close() error { return i.op.Close() }

// metricsUser is an operator that reports its own counters (scans), given the node's
// Metrics by Build.
type metricsUser interface {
	setMetrics(m *Metrics)
}

// Build creates the operator of node n for a partition, wrapped so that Open and Next
// count rows, time and memory for EXPLAIN ANALYZE. Operators create their children's
// operators through Build.
func Build(tc *TaskContext, n Node, partition int) (Operator, error) {
	op, err := n.Execute(tc, partition)
	if err != nil {
		return nil, err
	}
	var m *Metrics
	if tc.query != nil {
		m = tc.query.metricsFor(n)
	} else {
		m = &Metrics{}
	}
	if mu, ok := op.(metricsUser); ok {
		mu.setMetrics(m)
	}
	base := tc.Mem
	if t, ok := base.(*trackingAllocator); ok {
		base = t.parent // a child is built while its parent's allocator is in place
	}
	return &instrumented{op: op, metrics: m, mem: &trackingAllocator{parent: base, m: m}}, nil
}

// Open opens an operator, turning a panic into an internal error.
func Open(tc *TaskContext, op Operator) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return op.Open(tc)
}

// Next is the one wrapper through which every operator is pulled (TiDB's exec.Next): it
// checks cancellation, turns panics into internal errors (so no panic reaches a user), and
// counts rows, batches and time of instrumented operators.
func Next(tc *TaskContext, op Operator) (b arrow.RecordBatch, err error) {
	if cerr := tc.Ctx.Err(); cerr != nil {
		return nil, errs.Canceled(cerr)
	}
	defer func() {
		if r := recover(); r != nil {
			if b != nil {
				b.Release()
			}
			b, err = nil, panicError(r)
		}
	}()
	in, ok := op.(*instrumented)
	if !ok {
		return op.Next(tc)
	}
	saved := tc.Mem
	tc.Mem = in.mem
	defer func() { tc.Mem = saved }() // runs before the recover above
	start := time.Now()
	b, err = in.op.Next(tc)
	in.metrics.Nanos.Add(int64(time.Since(start)))
	if b != nil {
		in.metrics.Rows.Add(b.NumRows())
		in.metrics.Batches.Add(1)
	}
	return b, err
}

// Close closes an operator, turning a panic into an internal error.
func Close(op Operator) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return op.Close()
}
