package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
)

// failNode is a source of parts partitions whose operator for (partition p, attempt a)
// first returns a one-row batch [p] and then err(p, a), or the end when that is nil. It
// counts the attempts of each partition and registers a commit hook counting commits.
type failNode struct {
	schema *arrow.Schema
	parts  int
	err    func(p, attempt int) error

	mu       sync.Mutex
	attempts map[int]int
	commits  map[int]int
}

func newFailNode(parts int, err func(p, attempt int) error) *failNode {
	return &failNode{schema: arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil),
		parts: parts, err: err, attempts: map[int]int{}, commits: map[int]int{}}
}

func (f *failNode) Schema() *arrow.Schema { return f.schema }
func (f *failNode) Children() []Node      { return nil }
func (f *failNode) Partitioning() Partitioning {
	return Partitioning{Kind: AnyPartitioning, N: f.parts}
}
func (f *failNode) String() string { return "Fail" }
func (f *failNode) Execute(tc *TaskContext, p int) (Operator, error) {
	f.mu.Lock()
	if f.attempts == nil {
		f.attempts, f.commits = map[int]int{}, map[int]int{}
	}
	f.attempts[p]++
	f.mu.Unlock()
	tc.OnSuccess(func() {
		f.mu.Lock()
		f.commits[p]++
		f.mu.Unlock()
	})
	return &failOp{node: f, p: p, attempt: tc.Attempt}, nil
}

func (f *failNode) count(m map[int]int, p int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return m[p]
}

type failOp struct {
	node       *failNode
	p, attempt int
	sent       bool
}

func (o *failOp) Open(*TaskContext) error { return nil }
func (o *failOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if !o.sent {
		o.sent = true
		b := array.NewInt64Builder(tc.Mem)
		defer b.Release()
		b.Append(int64(o.p))
		col := b.NewInt64Array()
		defer col.Release()
		return array.NewRecordBatch(o.node.schema, []arrow.Array{col}, 1), nil
	}
	if o.node.err == nil {
		return nil, nil
	}
	if err := o.node.err(o.p, o.attempt); err != nil {
		return nil, err
	}
	return nil, nil
}
func (o *failOp) Close() error { return nil }

func TestRetryableError(t *testing.T) {
	cause := errs.Execf("remote model busy")
	err := fmt.Errorf("scoring: %w", Retryable(cause))
	if !IsRetryable(err) || !errors.Is(err, errs.ErrExecution) || !errors.Is(err, cause) {
		t.Errorf("%v: retryable %v, execution %v, cause %v; want all true", err, IsRetryable(err), errors.Is(err, errs.ErrExecution), errors.Is(err, cause))
	}
	var re *RetryableError
	if !errors.As(err, &re) || re.Err != cause || err.Error() != "scoring: execution error: remote model busy" {
		t.Errorf("errors.As: %v, %q", re, err.Error())
	}
	if Retryable(nil) != nil || IsRetryable(cause) || IsRetryable(nil) {
		t.Error("Retryable(nil) or an unmarked error counts as retryable")
	}
	if p := panicError(Retryable(cause)); IsRetryable(p) || !errors.Is(p, errs.ErrExecution) {
		t.Errorf("panic with a retryable error: %v, retryable %v", p, IsRetryable(p))
	}
}

func TestTaskRetries(t *testing.T) {
	retryable := func(p, attempt int) error { return Retryable(errs.Execf("flaky %d.%d", p, attempt)) }
	tests := []struct {
		name        string
		maxAttempts int
		err         func(p, attempt int) error
		wantErr     string // "" for success
		wantTries   int    // attempts of partition 1
		wantRetries int
	}{
		{"exhausted", 3, retryable, "stage 0 partition 1 failed 3 times: execution error: flaky 1.2", 3, 0},
		{"default attempts", 0, retryable, "failed 4 times: execution error: flaky 1.3", 4, 0},
		{"no retries", 1, retryable, "execution error: flaky 1.0", 1, 0},
		{"not retryable", 4, func(p, a int) error { return errs.Execf("broken %d", p) }, "execution error: broken 1", 1, 0},
		{"recovers", 4, func(p, a int) error {
			if a < 2 {
				return Retryable(errs.Execf("flaky"))
			}
			return nil
		}, "", 3, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			// Only partition 1 fails (the others succeed at once), except in "recovers",
			// where both partitions need three attempts.
			errFor := func(p, a int) error {
				if p != 1 && tc.name != "recovers" {
					return nil
				}
				return tc.err(p, a)
			}
			for _, shuffled := range []bool{false, true} {
				n := newFailNode(2, errFor)
				var root Node = n
				if shuffled {
					root = NewExchange(n, Partitioning{Kind: SinglePartition, N: 1})
				}
				ex, err := Run(context.Background(), root, Config{Parallelism: 2, Mem: mem, MaxTaskAttempts: tc.maxAttempts})
				if tc.wantErr != "" {
					if err == nil {
						ex.Release()
						t.Fatalf("shuffled=%v: no error, want %q", shuffled, tc.wantErr)
					}
					if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), tc.wantErr) ||
						tc.wantTries == 1 && strings.Contains(err.Error(), "times") {
						t.Errorf("shuffled=%v: got %v, want an execution error containing %q", shuffled, err, tc.wantErr)
					}
				} else {
					if err != nil {
						t.Fatalf("shuffled=%v: %v", shuffled, err)
					}
					// One row per partition: the failed attempts' rows were dropped.
					if got := fmt.Sprint(int64Values(ex.Batches, 0)); got != "[0 1]" && got != "[1 0]" {
						t.Errorf("shuffled=%v: rows %s, want 0 and 1 once each", shuffled, got)
					}
					if ex.Retries != tc.wantRetries {
						t.Errorf("shuffled=%v: %d retries, want %d", shuffled, ex.Retries, tc.wantRetries)
					}
					ex.Release()
					for p := range 2 {
						if c := n.count(n.commits, p); c != 1 {
							t.Errorf("shuffled=%v: partition %d committed %d times, want once", shuffled, p, c)
						}
					}
				}
				if got := n.count(n.attempts, 1); got != tc.wantTries {
					t.Errorf("shuffled=%v: partition 1 ran %d times, want %d", shuffled, got, tc.wantTries)
				}
				if tc.wantErr != "" && n.count(n.commits, 1) != 0 {
					t.Errorf("shuffled=%v: a failed task committed its hooks", shuffled)
				}
			}
		})
	}
}

// TestHookPanic: a commit hook that panics fails the query with an execution error.
func TestHookPanic(t *testing.T) {
	n := &hookPanicNode{failNode: newFailNode(1, nil)}
	_, err := Run(context.Background(), n, Config{})
	if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), "OnSuccess hook of stage 0 partition 0 panicked: hook broke") {
		t.Fatalf("got %v, want an execution error about the hook", err)
	}
}

type hookPanicNode struct{ *failNode }

func (h *hookPanicNode) Execute(tc *TaskContext, p int) (Operator, error) {
	tc.OnSuccess(func() { panic("hook broke") })
	return &failOp{node: h.failNode, p: p}, nil
}

// TestNestedQueryHooks: a query run inside a task (Config.parent) hands its committed hooks
// to that task instead of running them.
func TestNestedQueryHooks(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	outer := &TaskContext{Ctx: context.Background(), Mem: mem}
	n := newFailNode(2, nil)
	ex, err := Run(context.Background(), n, Config{Mem: mem, parent: outer})
	if err != nil {
		t.Fatal(err)
	}
	ex.Release()
	if n.count(n.commits, 0)+n.count(n.commits, 1) != 0 {
		t.Fatal("a nested query ran its hooks itself")
	}
	hooks := outer.takeHooks()
	if len(hooks) != 2 {
		t.Fatalf("%d hooks handed on, want 2", len(hooks))
	}
	for _, h := range hooks {
		h()
	}
	if n.count(n.commits, 0) != 1 || n.count(n.commits, 1) != 1 {
		t.Errorf("commits %v, want one per partition", n.commits)
	}
}
