package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// fakeModel is a udf.BatchedFunction computing 3*v+1 over one BIGINT argument, and -1 for a
// NULL (it decides what NULL gives). It records the size of every call and the most calls
// it saw in flight at once, and can fail, panic, return a wrong length, or block until its
// context ends.
type fakeModel struct {
	rows, conc int
	// rendezvous: calls wait (at most 5s) until this many were in flight at once, so that
	// a concurrency above one is reached whatever the scheduling.
	rendezvous int
	failAt     int64 // the call (1-based) that returns an error
	panicAt    int64 // the call that panics
	shortAt    int64 // the call that returns one row too few
	block      bool  // calls wait until their context ends
	started    chan struct{}
	startOnce  sync.Once

	calls, inflight, maxInflight, canceled atomic.Int64
	mu                                     sync.Mutex
	sizes                                  []int
}

func (f *fakeModel) Name() string { return "f" }
func (f *fakeModel) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if len(args) != 1 || args[0].ID() != arrow.INT64 {
		return nil, fmt.Errorf("f takes one BIGINT")
	}
	return arrow.PrimitiveTypes.Int64, nil
}
func (f *fakeModel) Volatility() udf.Volatility             { return udf.Immutable }
func (f *fakeModel) Doc() string                            { return "f(v) is 3*v+1, -1 for NULL" }
func (f *fakeModel) Batching() (preferred, concurrency int) { return f.rows, f.conc }

// reset forgets the calls seen so far.
func (f *fakeModel) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sizes = nil
	f.maxInflight.Store(0)
}

func (f *fakeModel) callSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.sizes...)
}

func (f *fakeModel) Eval(ctx context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	call := f.calls.Add(1)
	cur := f.inflight.Add(1)
	defer f.inflight.Add(-1)
	for m := f.maxInflight.Load(); cur > m && !f.maxInflight.CompareAndSwap(m, cur); m = f.maxInflight.Load() {
	}
	f.mu.Lock()
	f.sizes = append(f.sizes, n)
	f.mu.Unlock()
	if f.started != nil {
		f.startOnce.Do(func() { close(f.started) })
	}
	if f.block {
		<-ctx.Done()
		f.canceled.Add(1)
		return nil, ctx.Err()
	}
	for deadline := time.Now().Add(5 * time.Second); f.maxInflight.Load() < int64(f.rendezvous) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Microsecond)
	}
	switch call {
	case f.failAt:
		return nil, errors.New("model server said no")
	case f.panicAt:
		panic("model exploded")
	}
	v := args[0].(*array.Int64)
	if v.Len() != n {
		return nil, fmt.Errorf("argument of %d rows, n=%d", v.Len(), n)
	}
	if call == f.shortAt {
		n--
	}
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.Reserve(n)
	for i := range n {
		if v.IsNull(i) {
			b.UnsafeAppend(-1)
		} else {
			b.UnsafeAppend(3*v.Value(i) + 1)
		}
	}
	return b.NewArray(), nil
}

// nullableSource is a table (k = i, v = i or NULL when i%7 == 3) of n rows, in batches of
// 97 rows dealt over the given splits.
func nullableSource(mem memory.Allocator, n, splits int) datasource.Source {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	var batches []arrow.RecordBatch
	for start := 0; start < n; start += 97 {
		b := array.NewRecordBuilder(mem, schema)
		for i := start; i < start+97 && i < n; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			if i%7 == 3 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.Int64Builder).Append(int64(i))
			}
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	src := datasource.NewMemory("t", schema, batches, splits)
	releaseAll(batches)
	return src
}

// fOf is what fakeModel computes for row k of nullableSource.
func fOf(k int64) int64 {
	if k%7 == 3 {
		return -1
	}
	return 3*k + 1
}

// callOver returns the logical call f(v) over a column.
func callOver(f udf.ScalarFunction, c planner.Column) *planner.ScalarFunc {
	return &planner.ScalarFunc{Fn: f, Args: []planner.Expr{planner.NewColumnRef(c)}, Typ: planner.Int64}
}

// batchedOverScan is BatchedCallExec(f(v)) over a scan of src in parts partitions.
func batchedOverScan(t *testing.T, src datasource.Source, parts int, f *fakeModel) (*ScanExec, *BatchedCallExec) {
	t.Helper()
	scan := NewScanExec(src, []int{0, 1}, splits(t, src), parts)
	v := &colExpr{idx: 1, typ: planner.Int64, name: "v"}
	return scan, NewBatchedCallExec(scan, f, []PhysExpr{v}, "f(v)", planner.Int64)
}

type row3 struct {
	k, v  int64
	vNull bool
	r     int64
	rNull bool
}

func batchedRows(t *testing.T, bs []arrow.RecordBatch) []row3 {
	t.Helper()
	var out []row3
	for _, b := range bs {
		if b.NumCols() != 3 {
			t.Fatalf("batch of %d columns, want 3", b.NumCols())
		}
		k, v, r := b.Column(0).(*array.Int64), b.Column(1).(*array.Int64), b.Column(2).(*array.Int64)
		for i := range int(b.NumRows()) {
			out = append(out, row3{k.Value(i), v.Value(i), v.IsNull(i), r.Value(i), r.IsNull(i)})
		}
	}
	return out
}

// TestBatchedCallMatchesProject runs the operator over a multi-batch, multi-partition scan
// and compares it with a Project evaluating the same function the ordinary way: same rows,
// same order, NULL inputs handled as the function decides.
func TestBatchedCallMatchesProject(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	const n = 2000
	src := nullableSource(mem, n, 6)
	defer src.(interface{ Release() }).Release()
	for _, parts := range []int{1, 4} {
		for _, batch := range []int{7, 64, 8192} {
			t.Run(fmt.Sprintf("partitions=%d,batch=%d", parts, batch), func(t *testing.T) {
				f := &fakeModel{rows: 250, conc: 3}
				scan, node := batchedOverScan(t, src, parts, f)
				if got, want := node.Partitioning(), scan.Partitioning(); got.String() != want.String() {
					t.Errorf("partitioning %s, want the child's %s", got, want)
				}
				// Parallelism 1: one task at a time, so the calls in flight are one partition's.
				ex, err := Run(context.Background(), node, Config{Parallelism: 1, BatchSize: batch, Mem: mem})
				if err != nil {
					t.Fatal(err)
				}
				defer ex.Release()

				ordinary := &fakeModel{}
				kCol := planner.NewColumn("k", "", planner.Int64, false)
				vCol := planner.NewColumn("v", "", planner.Int64, true)
				call, err := Compile(callOver(ordinary, vCol), planner.Schema{kCol, vCol})
				if err != nil {
					t.Fatal(err)
				}
				proj := NewProjectExec(scan, []PhysExpr{
					&colExpr{idx: 0, typ: planner.Int64}, &colExpr{idx: 1, typ: planner.Int64}, call,
				}, node.Schema())
				want, err := Run(context.Background(), proj, Config{Parallelism: 1, BatchSize: batch, Mem: mem})
				if err != nil {
					t.Fatal(err)
				}
				defer want.Release()

				got, exp := batchedRows(t, ex.Batches), batchedRows(t, want.Batches)
				if len(got) != n || len(exp) != n {
					t.Fatalf("%d rows batched, %d ordinary, want %d", len(got), len(exp), n)
				}
				nulls := 0
				for i := range got {
					if got[i] != exp[i] {
						t.Fatalf("row %d: batched %+v, ordinary %+v", i, got[i], exp[i])
					}
					if got[i].r != fOf(got[i].k) || got[i].rNull {
						t.Fatalf("row %d: f(%d) = %d, want %d", i, got[i].k, got[i].r, fOf(got[i].k))
					}
					if got[i].vNull {
						nulls++
					}
				}
				if nulls == 0 {
					t.Error("no NULL input reached the function")
				}
				if !ex.Schema.Equal(node.Schema()) || ex.Schema.Field(2).Name != "f(v)" {
					t.Errorf("schema %s", ex.Schema)
				}
				sizes, total := f.callSizes(), 0
				for _, s := range sizes {
					total += s
					if s > 250 {
						t.Errorf("a call of %d rows, preferred 250", s)
					}
				}
				if total != n || node.Calls() != int64(len(sizes)) {
					t.Errorf("calls cover %d rows, want %d; %d calls counted, %d made", total, n, node.Calls(), len(sizes))
				}
				if m := f.maxInflight.Load(); m > 3 {
					t.Errorf("%d calls in flight at once, bound 3", m)
				}
				if m := ex.MetricsOf(node); m == nil || m.Rows.Load() != n {
					t.Errorf("metrics %+v, want %d rows", m, n)
				}
				analyzed := ExplainAnalyzed(node, ex)
				wantLine := fmt.Sprintf("BatchedCall: f(v) batch=250 concurrency=3 calls=%d [%s] rows=%d", len(sizes), scan.Partitioning(), n)
				if !strings.Contains(analyzed, wantLine) {
					t.Errorf("EXPLAIN ANALYZE:\n%s\nwant a line starting %q", analyzed, wantLine)
				}
			})
		}
	}
}

// TestBatchedCallSizesAndConcurrency pulls each partition itself and checks, per
// partition: every call has exactly the preferred rows but the last; the calls in flight
// reach the bound (more than one when allowed) and never pass it; at most bound+1 groups
// are held.
func TestBatchedCallSizesAndConcurrency(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := nullableSource(mem, 4000, 4)
	defer src.(interface{ Release() }).Release()
	for _, conc := range []int{0, 1, 3} {
		for _, batch := range []int{7, 300} {
			t.Run(fmt.Sprintf("concurrency=%d,batch=%d", conc, batch), func(t *testing.T) {
				f := &fakeModel{rows: 250, conc: conc}
				bound := max(conc, 1)
				if bound > 1 {
					f.rendezvous = bound
				}
				_, node := batchedOverScan(t, src, 4, f)
				if node.Concurrency != bound {
					t.Fatalf("concurrency %d, want %d", node.Concurrency, bound)
				}
				seen := 0
				for p := range node.Partitioning().N {
					f.reset()
					tc := &TaskContext{Ctx: context.Background(), Mem: mem, BatchSize: batch}
					rows := drainChecked(t, tc, node, p, bound)
					seen += rows
					sizes := f.callSizes()
					if len(sizes) < 3 {
						t.Fatalf("partition %d: only %d calls; the test needs more", p, len(sizes))
					}
					// Calls start in any order when concurrent: count the short ones.
					total, short := 0, 0
					for _, s := range sizes {
						total += s
						if s != 250 {
							short++
						}
						if s < 1 || s > 250 {
							t.Errorf("partition %d: a call of %d rows, preferred 250", p, s)
						}
					}
					if short > 1 || len(sizes) != (rows+249)/250 {
						t.Errorf("partition %d: call sizes %v for %d rows, want 250 but for the last", p, sizes, rows)
					}
					if total != rows {
						t.Errorf("partition %d: calls cover %d rows, the partition has %d", p, total, rows)
					}
					if m := f.maxInflight.Load(); m != int64(bound) {
						t.Errorf("partition %d: at most %d calls in flight, want the bound %d", p, m, bound)
					}
				}
				if seen != 4000 {
					t.Errorf("%d rows, want 4000", seen)
				}
			})
		}
	}
}

// drainChecked runs partition p of node to its end, checking the values and that the
// operator never holds more than bound+1 groups; it returns the rows.
func drainChecked(t *testing.T, tc *TaskContext, node *BatchedCallExec, p, bound int) int {
	t.Helper()
	op, err := Build(tc, node, p)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := Close(op); err != nil {
			t.Error(err)
		}
	}()
	if err := Open(tc, op); err != nil {
		t.Fatal(err)
	}
	inner := op.(*instrumented).op.(*batchedCallOp)
	rows := 0
	for {
		b, err := Next(tc, op)
		if err != nil {
			t.Fatal(err)
		}
		if b == nil {
			return rows
		}
		if q := len(inner.queue); q > bound+1 {
			t.Errorf("%d groups held, bound %d+1", q, bound)
		}
		for _, r := range batchedRows(t, []arrow.RecordBatch{b}) {
			if r.r != fOf(r.k) {
				t.Fatalf("f(%d) = %d, want %d", r.k, r.r, fOf(r.k))
			}
		}
		rows += int(b.NumRows())
		b.Release()
	}
}

// TestBatchedCallErrors: an error, a panic or a wrong result in one call fails the query
// with an execution error naming the function; no memory is left behind.
func TestBatchedCallErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := nullableSource(mem, 3000, 4)
	defer src.(interface{ Release() }).Release()
	tests := []struct {
		name string
		f    *fakeModel
		want string
	}{
		{"error", &fakeModel{rows: 100, conc: 3, failAt: 5}, "f(v): model server said no"},
		{"panic", &fakeModel{rows: 100, conc: 3, panicAt: 5}, "f(v): function f panicked: model exploded"},
		{"short result", &fakeModel{rows: 100, conc: 3, shortAt: 5}, "f(v): function f returned 99 rows for 100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, node := batchedOverScan(t, src, 4, tt.f)
			ex, err := Run(context.Background(), node, Config{Parallelism: 4, BatchSize: 64, Mem: mem})
			if err == nil {
				ex.Release()
				t.Fatal("no error")
			}
			if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an execution error containing %q", err, tt.want)
			}
		})
	}
}

// TestBatchedCallCancel: canceling the query while calls run stops it with a canceled error,
// cancels the calls' context, and leaves no memory behind; so does an early stop (Limit)
// while calls are in flight.
func TestBatchedCallCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := nullableSource(mem, 3000, 4)
	defer src.(interface{ Release() }).Release()

	t.Run("cancel", func(t *testing.T) {
		f := &fakeModel{rows: 100, conc: 2, block: true, started: make(chan struct{})}
		_, node := batchedOverScan(t, src, 4, f)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan error, 1)
		go func() {
			ex, err := Run(ctx, node, Config{Parallelism: 4, BatchSize: 64, Mem: mem})
			if err == nil {
				ex.Release()
			}
			done <- err
		}()
		<-f.started
		cancel()
		if err := <-done; !errors.Is(err, errs.ErrCanceled) {
			t.Fatalf("got %v, want a canceled error", err)
		}
		if f.canceled.Load() == 0 || f.inflight.Load() != 0 {
			t.Errorf("%d calls saw their context end, %d still running", f.canceled.Load(), f.inflight.Load())
		}
	})

	t.Run("limit", func(t *testing.T) {
		f := &fakeModel{rows: 100, conc: 3}
		_, node := batchedOverScan(t, src, 1, f)
		lim := &LimitExec{Child: node, Count: 5}
		ex, err := Run(context.Background(), lim, Config{Parallelism: 1, BatchSize: 64, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		defer ex.Release()
		rows := batchedRows(t, ex.Batches)
		if len(rows) != 5 {
			t.Fatalf("%d rows, want 5", len(rows))
		}
		for _, r := range rows {
			if r.r != fOf(r.k) {
				t.Errorf("f(%d) = %d, want %d", r.k, r.r, fOf(r.k))
			}
		}
		if f.inflight.Load() != 0 {
			t.Errorf("%d calls still running after the query", f.inflight.Load())
		}
	})
}

// TestBatchedCallPlanning: the physical planner puts a BatchedCallExec under a Project, a
// Filter (whose output keeps its input's columns), an aggregate's argument and a nested call,
// and none under an ordinary function; the plans compute what the function computes.
func TestBatchedCallPlanning(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	const n = 1000
	src := nullableSource(mem, n, 4)
	defer src.(interface{ Release() }).Release()
	f := &fakeModel{rows: 128, conc: 2}
	abs, ok := udf.NewBuiltins().Scalar("abs")
	if !ok {
		t.Fatal("no abs")
	}
	maxFn, ok := udf.NewBuiltins().Aggregate("max")
	if !ok {
		t.Fatal("no max")
	}
	scan := planner.NewScan(src, "")
	k, v := scan.Columns[0], scan.Columns[1]
	out := func(name string) planner.Column { return planner.NewColumn(name, "", planner.Int64, true) }
	const line = "BatchedCall: f(t.v) batch=128 concurrency=2"

	project := func(e planner.Expr) planner.Plan {
		p, err := planner.NewProject(scan, []planner.Expr{planner.NewColumnRef(k), e}, []planner.Column{k, out("r")})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	filter := func() planner.Plan {
		cond := &planner.Binary{Op: planner.OpGt, Left: callOver(f, v), Right: planner.NewLiteral(int64(1000), planner.Int64), Typ: planner.Boolean}
		p, err := planner.NewFilter(scan, cond)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	aggregate := func() planner.Plan {
		call := &planner.AggregateCall{Fn: maxFn, Args: []planner.Expr{callOver(f, v)}, Typ: planner.Int64}
		p, err := planner.NewAggregate(scan, nil, []*planner.AggregateCall{call}, []planner.Column{out("m")})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	nested := &planner.ScalarFunc{Fn: f, Args: []planner.Expr{callOver(f, v)}, Typ: planner.Int64}
	tests := []struct {
		name  string
		plan  planner.Plan
		lines []string // in plan order, each on its own line
		none  bool     // no BatchedCall at all
		check func(t *testing.T, bs []arrow.RecordBatch)
	}{
		{"project", project(callOver(f, v)), []string{"Project: #0 AS k, #2 AS r", line}, false, func(t *testing.T, bs []arrow.RecordBatch) {
			checkPairs(t, bs, n, fOf)
		}},
		{"ordinary function", project(callOver(abs, v)), nil, true, nil},
		{"filter", filter(), []string{"Project: #0 AS k, #1 AS v", "Filter: (f(t.v) > 1000)", line}, false, func(t *testing.T, bs []arrow.RecordBatch) {
			want := 0
			for i := range int64(n) {
				if fOf(i) > 1000 {
					want++
				}
			}
			got := 0
			for _, b := range bs {
				if b.NumCols() != 2 {
					t.Fatalf("filter output of %d columns, want 2", b.NumCols())
				}
				ks := b.Column(0).(*array.Int64)
				for i := range ks.Len() {
					if fOf(ks.Value(i)) <= 1000 {
						t.Fatalf("row k=%d passed", ks.Value(i))
					}
					got++
				}
			}
			if got != want {
				t.Errorf("%d rows passed, want %d", got, want)
			}
		}},
		{"aggregate argument", aggregate(), []string{line}, false, func(t *testing.T, bs []arrow.RecordBatch) {
			if len(bs) != 1 || bs[0].NumRows() != 1 {
				t.Fatalf("%d batches, want one row", len(bs))
			}
			if got, want := bs[0].Column(0).(*array.Int64).Value(0), fOf(n-1); got != want {
				t.Errorf("max = %d, want %d", got, want)
			}
		}},
		{"nested", project(nested), []string{"BatchedCall: f(f(t.v)) batch=128 concurrency=2", line}, false, func(t *testing.T, bs []arrow.RecordBatch) {
			checkPairs(t, bs, n, func(k int64) int64 { return 3*fOf(k) + 1 })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node, err := (&PhysicalPlanner{Partitions: 2}).Plan(tt.plan)
			if err != nil {
				t.Fatal(err)
			}
			text := ExplainPhysical(node)
			if tt.none == strings.Contains(text, "BatchedCall") {
				t.Fatalf("plan:\n%s", text)
			}
			pos := 0
			for _, l := range tt.lines {
				i := strings.Index(text[pos:], l+" [")
				if i < 0 {
					t.Fatalf("plan:\n%s\nwant a line %q (after the previous ones)", text, l)
				}
				pos += i + len(l)
			}
			if got, want := node.Schema(), tt.plan.Schema(); got.NumFields() != len(want) {
				t.Errorf("schema %s, logical %s", got, want)
			} else {
				for i, c := range want {
					if got.Field(i).Name != c.Name {
						t.Errorf("column %d is %s, logical %s", i, got.Field(i).Name, c.Name)
					}
				}
			}
			ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: 50, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer ex.Release()
			if tt.check != nil {
				tt.check(t, ex.Batches)
			}
		})
	}
}

// checkPairs checks batches of (k, r) columns: n rows, each k once, r = want(k).
func checkPairs(t *testing.T, bs []arrow.RecordBatch, n int, want func(int64) int64) {
	t.Helper()
	seen := make([]bool, n)
	for _, b := range bs {
		ks, rs := b.Column(0).(*array.Int64), b.Column(1).(*array.Int64)
		for i := range ks.Len() {
			k := ks.Value(i)
			if seen[k] {
				t.Fatalf("k=%d twice", k)
			}
			seen[k] = true
			if rs.IsNull(i) || rs.Value(i) != want(k) {
				t.Fatalf("k=%d: r=%d (null %v), want %d", k, rs.Value(i), rs.IsNull(i), want(k))
			}
		}
	}
	for k, s := range seen {
		if !s {
			t.Fatalf("k=%d missing", k)
		}
	}
}
