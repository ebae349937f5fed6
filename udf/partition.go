package udf

import (
	"context"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// PartitionFunc is a MapPartitions function (Spark's mapPartitions / mapInArrow): it is
// called once per partition of its input (once per task attempt: a retried task calls it
// again), reads that partition's batches from in and writes batches of the declared output
// schema to out, as many as it likes, in the order they should come out. It returns nil when
// done (it need not read all its input), or an error, which fails the task; wrap a transient
// failure with exec.Retryable to have the task run again. A panic fails the query with an
// execution error naming the function.
//
// Functions are registered by name (Registry.RegisterPartitionFunc) on every process that
// runs tasks and are never serialized. They run on a goroutine of their own while the task
// waits for them, so they may block (on I/O, a remote model); they should return soon after
// ctx.Ctx is done or a call on in or out returns an error.
//
// Ownership: see BatchReader.Next (input batches stay the reader's) and BatchWriter.Write
// (the writer takes its own reference).
type PartitionFunc func(ctx *PartitionContext, in BatchReader, out BatchWriter) error

// BatchReader is the input of one partition. It is not safe for concurrent use: call it from
// one goroutine at a time.
type BatchReader interface {
	// Schema is the schema of the input batches.
	Schema() *arrow.Schema
	// Next returns the partition's next input batch, or (nil, nil) after the last one (and
	// on every call after that). The batch and its columns belong to the reader: they stay
	// valid until the next call to Next or until the function returns, and the function must
	// not release them. To keep a batch (or one of its columns) longer, Retain it and Release
	// it when done; writing it to out needs no Retain. An error (the input failed, the query
	// was canceled or the consumer stopped) ends the input: return it.
	Next() (arrow.RecordBatch, error)
}

// BatchWriter is the output of one partition. It is safe for concurrent use by goroutines
// the function starts (each Write waits its turn), but no goroutine may call it after the
// function has returned.
type BatchWriter interface {
	// Schema is the declared output schema: every written batch must have its columns, in
	// order, with the same names and types, and no NULLs in a column declared not nullable.
	Schema() *arrow.Schema
	// Write emits b. It does not take the caller's reference: it retains what it keeps, so
	// the caller releases b as usual (or not at all when b is an input batch). It may block
	// until the consumer wants more rows (backpressure). Empty batches are dropped. An error
	// (a schema mismatch, naming the function and the difference; a canceled query; a
	// consumer that stopped reading) means the function must stop and return it; the task
	// fails with that error even if the function returns nil.
	Write(b arrow.RecordBatch) error
}

// PartitionContext is what a PartitionFunc runs with.
type PartitionContext struct {
	// Ctx is canceled when the query is canceled or fails.
	Ctx context.Context
	// Partition is the index of the partition being processed, from 0.
	Partition int
	// Attempt is 0 on the first run of this partition's task and n on its n-th retry.
	Attempt int
	// Mem allocates the function's output buffers (the engine charges them to the operator).
	Mem memory.Allocator

	onSuccess func(func())
}

// NewPartitionContext returns a context for one run of a PartitionFunc; onSuccess receives
// the commit hooks of OnSuccess (the engine passes its task's OnSuccess; nil drops them).
func NewPartitionContext(ctx context.Context, partition, attempt int, mem memory.Allocator, onSuccess func(func())) *PartitionContext {
	return &PartitionContext{Ctx: ctx, Partition: partition, Attempt: attempt, Mem: mem, onSuccess: onSuccess}
}

// OnSuccess registers f to run once after this run of the function's task has succeeded,
// and only for the first successful attempt of the task, so side effects (an accumulator
// update) count once however often the task was retried. f never runs if the attempt fails.
// It runs on an engine goroutine after the function returned, serialized with the other
// commit hooks of the query. Safe for concurrent use.
func (c *PartitionContext) OnSuccess(f func()) {
	if c.onSuccess != nil && f != nil {
		c.onSuccess(f)
	}
}

// PartitionFuncNames returns the names of every visible MapPartitions function, sorted
// (candidates for a did-you-mean when a name is unknown).
func (r *Registry) PartitionFuncNames() []string {
	seen := map[string]bool{}
	for x := r; x != nil; x = x.parent {
		x.mu.RLock()
		for n := range x.part {
			seen[n] = true
		}
		x.mu.RUnlock()
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
