package exec

import (
	"context"
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
	Ctx       context.Context
	Mem       memory.Allocator
	BatchSize int
	Stage     int
	Partition int
	// query is shared by all tasks of a query: shuffle data and metrics.
	query *queryState
}

// Metrics counts what one physical node did, summed over its partitions.
type Metrics struct {
	Rows    atomic.Int64
	Batches atomic.Int64
	Nanos   atomic.Int64
}

// instrumented is how every operator is wrapped: Build returns it, and Next counts through it.
type instrumented struct {
	op      Operator
	metrics *Metrics
}

func (i *instrumented) Open(tc *TaskContext) error { return i.op.Open(tc) }
func (i *instrumented) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	return i.op.Next(tc)
}
func (i *instrumented) Close() error { return i.op.Close() }

// Build creates the operator of node n for a partition, wrapped so that Next counts rows and
// time for EXPLAIN ANALYZE. Operators create their children's operators through Build.
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
	return &instrumented{op: op, metrics: m}, nil
}

// Open opens an operator, turning a panic into an internal error.
func Open(tc *TaskContext, op Operator) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errs.FromPanic(r)
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
			b, err = nil, errs.FromPanic(r)
		}
	}()
	in, ok := op.(*instrumented)
	if !ok {
		return op.Next(tc)
	}
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
			err = errs.FromPanic(r)
		}
	}()
	return op.Close()
}
