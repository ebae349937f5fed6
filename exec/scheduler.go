package exec

import (
	"context"
	"runtime"
	"sync"

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
}

func (c Config) withDefaults() Config {
	if c.Parallelism <= 0 {
		c.Parallelism = runtime.GOMAXPROCS(0)
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 8192
	}
	if c.Mem == nil {
		c.Mem = memory.DefaultAllocator
	}
	return c
}

// stage is a piece of the plan between exchanges: its root is the plan's root (the result
// stage) or an exchange's child (a map stage); its deps are the stages feeding the
// exchanges inside it. A task is (stage, partition).
type stage struct {
	id       int
	root     Node
	exchange *Exchange // nil for the result stage
	deps     []*stage
}

// queryState is shared by all tasks of one query run.
type queryState struct {
	mu      sync.Mutex
	shuffle map[*Exchange]*shuffleStore
	metrics map[Node]*Metrics
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
func Run(ctx context.Context, root Node, cfg Config) (*Execution, error) {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	q := &queryState{shuffle: map[*Exchange]*shuffleStore{}, metrics: map[Node]*Metrics{}}
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
		if s.exchange != nil {
			q.shuffle[s.exchange] = newShuffleStore(max(1, s.exchange.Target.N), s.root.Partitioning().N)
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
						fail(errs.FromPanic(r))
					}
				}()
				tc := &TaskContext{Ctx: ctx, Mem: cfg.Mem, BatchSize: cfg.BatchSize, Stage: s.id, Partition: p, query: q}
				var err error
				if s.exchange != nil {
					err = runMapTask(tc, s.exchange, q.shuffle[s.exchange], p)
				} else {
					results[p], err = drain(tc, s.root, p)
				}
				if err != nil {
					fail(err)
				}
			}(p)
		}
		twg.Wait()
		q.mu.Lock()
		tasks += n
		q.mu.Unlock()
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
	ex := &Execution{Schema: root.Schema(), Stages: len(all), Tasks: tasks, metrics: q.metrics}
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
