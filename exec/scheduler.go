package exec

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
)

// Config is how a query runs.
type Config struct {
	// Parallelism is how many tasks run at once (default: the number of cores).
	Parallelism int
	// BatchSize is the target number of rows per batch (default 8192).
	BatchSize int
	Mem       memory.Allocator
	// MaxTaskAttempts is how many times a task (stage, partition) may run in all when its
	// attempts fail with an error marked Retryable (default 4, as Spark's
	// spark.task.maxFailures; 1 turns retries off). Other errors fail the query at once.
	MaxTaskAttempts int

	// parent, when set, is the task of an enclosing query that runs this one (a subquery run
	// per outer value, a recursive step): committed OnSuccess hooks are handed to
	// parent.OnSuccess instead of run, so they commit with the enclosing task, once.
	parent *TaskContext
}

func (c Config) withDefaults() Config {
	if c.Parallelism <= 0 {
		c.Parallelism = runtime.GOMAXPROCS(0)
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 8192
	}
	if c.Mem == nil {
		c.Mem = DefaultAllocator
	}
	if c.MaxTaskAttempts <= 0 {
		c.MaxTaskAttempts = 4
	}
	return c
}

// RetryableError marks a task failure as transient (a lost connection, a busy remote
// model): the scheduler runs the task again, up to Config.MaxTaskAttempts attempts in all.
// Its text is the cause's; errors.Is and errors.As see through it to the cause, so the
// cause's errs kind is kept. Make one with Retryable, test with IsRetryable.
type RetryableError struct {
	Err error
}

func (e *RetryableError) Error() string { return e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// Retryable marks err as a transient failure of the task it ends (nil stays nil). Wrapping
// it further (fmt.Errorf with %w, errs.Wrap) keeps the mark.
func Retryable(err error) error {
	if err == nil {
		return nil
	}
	return &RetryableError{Err: err}
}

// IsRetryable reports whether err carries the Retryable mark and did not come from a panic
// (a panic is never retried, whatever value it carried).
func IsRetryable(err error) bool {
	var p *panicked
	if errors.As(err, &p) {
		return false
	}
	var r *RetryableError
	return errors.As(err, &r)
}

// panicked hides the Retryable mark of an error recovered from a panic.
type panicked struct{ err error }

func (p *panicked) Error() string { return p.err.Error() }
func (p *panicked) Unwrap() error { return p.err }

// panicError is errs.FromPanic for the recovers of this package: a panic whose value was a
// Retryable error still fails the task for good.
func panicError(r any) error {
	err := errs.FromPanic(r)
	if IsRetryable(err) {
		return &panicked{err: err}
	}
	return err
}

// OnSuccess registers f to run once the task's current attempt has succeeded: after all its
// operators are closed and its output is published, and only for the first attempt of this
// (stage, partition) that succeeds in the query. The hooks of an attempt that fails are
// dropped, so an accumulator updated through OnSuccess counts a retried task once.
//
// Hooks run on the task's goroutine, in registration order, before the task gives its slot
// back and never while any other attempt of the same task runs; the hooks of one query are
// serialized (a query-wide lock), so they may update shared state without locking of their
// own, but must not block for long. A hook that panics fails the query. A hook still runs
// when the query later fails for another task's reason. OnSuccess is safe to call from
// goroutines the task started; hooks of a TaskContext not made by Run never run. In a query
// run inside a task (Config.parent), committed hooks pass on to that task instead.
func (tc *TaskContext) OnSuccess(f func()) {
	if f == nil {
		return
	}
	tc.hooksMu.Lock()
	tc.hooks = append(tc.hooks, f)
	tc.hooksMu.Unlock()
}

// takeHooks returns and clears the hooks the attempt registered.
func (tc *TaskContext) takeHooks() []func() {
	tc.hooksMu.Lock()
	defer tc.hooksMu.Unlock()
	h := tc.hooks
	tc.hooks = nil
	return h
}

// stage is a piece of the plan between exchanges: its root is the plan's root (the result
// stage) or an exchange's child (a map stage); its deps are the stages feeding the
// exchanges inside it. A task is (stage, partition).
type stage struct {
	id       int
	root     Node
	exchange *Exchange // nil for the result stage
	deps     []*stage
	// committed[p] is set by the first attempt of task p that succeeds, which alone runs
	// its OnSuccess hooks.
	committed []atomic.Bool
}

// queryState is shared by all tasks of one query run.
type queryState struct {
	mu      sync.Mutex
	shuffle map[*Exchange]*shuffleStore
	// readers counts, per exchange, the stages still to finish that read it; the last one
	// to finish releases the shuffle's data (doneReading).
	readers map[*Exchange]int
	metrics map[Node]*Metrics
	// hookMu serializes the OnSuccess hooks of the query's tasks.
	hookMu sync.Mutex
}

// commit ends the successful attempt tc of task p of stage s: the first success of the task
// runs (or, with a parent task, hands on) the hooks the attempt registered; a later one drops
// them. A panicking hook becomes an execution error.
func (q *queryState) commit(tc *TaskContext, s *stage, p int, parent *TaskContext) (err error) {
	hooks := tc.takeHooks()
	if !s.committed[p].CompareAndSwap(false, true) || len(hooks) == 0 {
		return nil
	}
	if parent != nil {
		for _, f := range hooks {
			parent.OnSuccess(f)
		}
		return nil
	}
	q.hookMu.Lock()
	defer q.hookMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = errs.Execf("an OnSuccess hook of stage %d partition %d panicked: %v", s.id, p, r)
		}
	}()
	for _, f := range hooks {
		f()
	}
	return nil
}

// doneReading records that a stage reading exchange e has finished (all its tasks
// committed): when no reader stage is left, e's shuffle data is released, so a query holds
// only the shuffles that stages still running or yet to run will read.
func (q *queryState) doneReading(e *Exchange) {
	q.mu.Lock()
	q.readers[e]--
	last := q.readers[e] == 0
	st := q.shuffle[e]
	q.mu.Unlock()
	if last && st != nil {
		st.release()
	}
}

func (q *queryState) shuffleFor(e *Exchange) *shuffleStore {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.shuffle[e]
}

func (q *queryState) metricsFor(n Node) *Metrics {
	q.mu.Lock()
	defer q.mu.Unlock()
	m := q.metrics[n]
	if m == nil {
		m = &Metrics{}
		q.metrics[n] = m
	}
	return m
}

// Execution is one finished run of a plan: its result and per-node metrics.
type Execution struct {
	Schema  *arrow.Schema
	Batches []arrow.RecordBatch
	Stages  int
	Tasks   int
	// Retries counts the failed task attempts that were run again.
	Retries int
	metrics map[Node]*Metrics
}

// MetricsOf returns the metrics recorded for a node (nil if it never ran).
func (e *Execution) MetricsOf(n Node) *Metrics { return e.metrics[n] }

// Release frees the result batches.
func (e *Execution) Release() {
	for _, b := range e.Batches {
		b.Release()
	}
	e.Batches = nil
}

// cutStages builds the stage DAG of a plan rooted at root.
func cutStages(root Node) *stage {
	next := 0
	var build func(root Node, ex *Exchange) *stage
	build = func(root Node, ex *Exchange) *stage {
		s := &stage{root: root, exchange: ex}
		var walk func(n Node)
		walk = func(n Node) {
			if e, ok := n.(*Exchange); ok {
				s.deps = append(s.deps, build(e.Child, e))
				return
			}
			for _, c := range n.Children() {
				walk(c)
			}
		}
		walk(root)
		s.id = next
		next++
		return s
	}
	return build(root, nil)
}

// Run executes a physical plan: it cuts the plan into stages at exchanges, runs every
// stage's tasks on a pool of cfg.Parallelism goroutines once the stages it depends on are
// done (independent stages run concurrently), and returns the result stage's batches in
// partition order. The caller owns the returned batches (Execution.Release).
//
// Retries: an attempt that fails with a Retryable error runs again in the same slot, up to
// cfg.MaxTaskAttempts attempts, with TaskContext.Attempt counting; what the failed attempt
// produced is discarded first (a map task's shuffle output is published only when the
// attempt succeeds, a result task's batches are released), so no row is duplicated. Other
// errors, panics, and retryable errors once the query is failing or canceled, fail the
// query. Metrics (EXPLAIN ANALYZE) count the work of failed attempts too.
func Run(ctx context.Context, root Node, cfg Config) (*Execution, error) {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q := &queryState{shuffle: map[*Exchange]*shuffleStore{}, readers: map[*Exchange]int{}, metrics: map[Node]*Metrics{}}
	defer func() {
		for _, st := range q.shuffle {
			st.release()
		}
	}()
	top := cutStages(root)
	var all []*stage
	var collect func(s *stage)
	collect = func(s *stage) {
		for _, d := range s.deps {
			collect(d)
		}
		all = append(all, s)
	}
	collect(top)
	for _, s := range all {
		s.committed = make([]atomic.Bool, s.root.Partitioning().N)
		if s.exchange != nil {
			q.shuffle[s.exchange] = newShuffleStore(max(1, s.exchange.Target.N), s.root.Partitioning().N)
		}
		for _, d := range s.deps {
			q.readers[d.exchange]++
		}
	}

	sem := make(chan struct{}, cfg.Parallelism)
	var firstErr error
	var errOnce sync.Once
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	results := make([][]arrow.RecordBatch, top.root.Partitioning().N)
	tasks := 0
	var retries atomic.Int64

	var runStage func(s *stage) error
	runStage = func(s *stage) error {
		// Dependencies first, concurrently.
		var wg sync.WaitGroup
		for _, d := range s.deps {
			wg.Add(1)
			go func(d *stage) {
				defer wg.Done()
				if err := runStage(d); err != nil {
					fail(err)
				}
			}(d)
		}
		wg.Wait()
		if ctx.Err() != nil {
			return nil
		}
		// Scans filtered at run time by a hash join's build side wait (holding no task slot)
		// until that filter is complete (runtime_filter.go).
		awaitRuntimeFilters(ctx, q, s.root)
		n := s.root.Partitioning().N
		var twg sync.WaitGroup
		for p := range n {
			twg.Add(1)
			go func(p int) {
				defer twg.Done()
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					return
				}
				defer func() { <-sem }()
				// Operators are pulled through Next, which recovers; this catches what runs
				// around them (a map task's partitioning, an allocator refusing memory).
				defer func() {
					if r := recover(); r != nil {
						fail(panicError(r))
					}
				}()
				for attempt := 0; ; attempt++ {
					tc := &TaskContext{Ctx: ctx, Mem: cfg.Mem, BatchSize: cfg.BatchSize, Stage: s.id, Partition: p, Attempt: attempt, query: q}
					var err error
					if s.exchange != nil {
						err = runMapTask(tc, s.exchange, q.shuffle[s.exchange], p)
					} else {
						var out []arrow.RecordBatch
						if out, err = drain(tc, s.root, p); err == nil {
							results[p] = out
						}
					}
					if err == nil {
						if err := q.commit(tc, s, p, cfg.parent); err != nil {
							fail(err)
						}
						return
					}
					if !IsRetryable(err) || ctx.Err() != nil || cfg.MaxTaskAttempts == 1 {
						fail(err)
						return
					}
					if attempt+1 >= cfg.MaxTaskAttempts {
						fail(fmt.Errorf("stage %d partition %d failed %d times: %w", s.id, p, attempt+1, err))
						return
					}
					retries.Add(1)
				}
			}(p)
		}
		twg.Wait()
		q.mu.Lock()
		tasks += n
		q.mu.Unlock()
		if ctx.Err() == nil {
			for _, d := range s.deps {
				q.doneReading(d.exchange)
			}
		}
		return nil
	}
	runStage(top)
	if firstErr == nil && ctx.Err() != nil {
		firstErr = errs.Canceled(ctx.Err())
	}
	if firstErr != nil {
		for _, r := range results {
			for _, b := range r {
				b.Release()
			}
		}
		return nil, firstErr
	}
	ex := &Execution{Schema: root.Schema(), Stages: len(all), Tasks: tasks, Retries: int(retries.Load()), metrics: q.metrics}
	for _, r := range results {
		ex.Batches = append(ex.Batches, r...)
	}
	return ex, nil
}

// drain runs partition p of n to the end and returns its non-empty batches.
func drain(tc *TaskContext, n Node, p int) ([]arrow.RecordBatch, error) {
	op, err := Build(tc, n, p)
	if err != nil {
		return nil, err
	}
	if err := Open(tc, op); err != nil {
		Close(op)
		return nil, err
	}
	var out []arrow.RecordBatch
	for {
		b, err := Next(tc, op)
		if err != nil {
			Close(op)
			for _, x := range out {
				x.Release()
			}
			return nil, err
		}
		if b == nil {
			break
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		out = append(out, b)
	}
	if err := Close(op); err != nil {
		for _, x := range out {
			x.Release()
		}
		return nil, err
	}
	return out, nil
}
