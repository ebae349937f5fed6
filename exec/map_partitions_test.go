package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

var doubledSchema = arrow.NewSchema([]arrow.Field{{Name: "v2", Type: arrow.PrimitiveTypes.Int64}}, nil)

// doubleV writes, for each input batch, a batch of one column v2 = 2 * v (column 1).
func doubleV(ctx *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
	for {
		b, err := in.Next()
		if err != nil || b == nil {
			return err
		}
		v := b.Column(1).(*array.Int64)
		bld := array.NewInt64Builder(ctx.Mem)
		bld.Reserve(v.Len())
		for i := 0; i < v.Len(); i++ {
			bld.UnsafeAppend(2 * v.Value(i))
		}
		col := bld.NewInt64Array()
		bld.Release()
		ob := array.NewRecordBatch(out.Schema(), []arrow.Array{col}, int64(col.Len()))
		col.Release()
		err = out.Write(ob)
		ob.Release()
		if err != nil {
			return err
		}
	}
}

// int64Values collects column c of every batch.
func int64Values(bs []arrow.RecordBatch, c int) []int64 {
	var out []int64
	for _, b := range bs {
		a := b.Column(c).(*array.Int64)
		out = append(out, a.Int64Values()...)
	}
	return out
}

// checkDoubled checks that vals are 2*i for i in [0, n), each exactly once.
func checkDoubled(t *testing.T, vals []int64, n int) {
	t.Helper()
	seen := make([]int, n)
	for _, v := range vals {
		if v%2 != 0 || v < 0 || v/2 >= int64(n) {
			t.Fatalf("unexpected value %d", v)
		}
		seen[v/2]++
	}
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("value %d seen %d times, want once (%d rows in all)", 2*i, c, len(vals))
		}
	}
}

func TestMapPartitionsDoubles(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 1000, 4)
	defer src.(interface{ Release() }).Release()
	for _, parts := range []int{1, 4} {
		for _, batch := range []int{7, 8192} {
			t.Run(fmt.Sprintf("partitions=%d,batch=%d", parts, batch), func(t *testing.T) {
				scan := NewScanExec(src, []int{0, 1}, splits(t, src), parts)
				node := NewMapPartitionsExec(scan, "double_v", doubleV, doubledSchema)
				if got := node.Partitioning(); got.Kind != AnyPartitioning || got.N != parts {
					t.Errorf("partitioning %s, want any(%d)", got, parts)
				}
				ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: batch, Mem: mem})
				if err != nil {
					t.Fatal(err)
				}
				defer ex.Release()
				for _, b := range ex.Batches {
					if !b.Schema().Equal(doubledSchema) {
						t.Fatalf("batch schema %s, want %s", b.Schema(), doubledSchema)
					}
				}
				checkDoubled(t, int64Values(ex.Batches, 0), 1000)
				if m := ex.MetricsOf(node); m == nil || m.Rows.Load() != 1000 {
					t.Errorf("metrics %+v, want 1000 rows", m)
				}
			})
		}
	}
}

// TestMapPartitionsPhysicalPlanning plans a logical MapPartitions through the registered
// node planner, with the function found case-insensitively in a child registry.
func TestMapPartitionsPhysicalPlanning(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	k := planner.NewColumn("k", "", planner.Int64, false)
	v := planner.NewColumn("v", "", planner.Int64, false)
	var rows [][]planner.Expr
	for i := range 5 {
		rows = append(rows, []planner.Expr{planner.NewLiteral(int64(i%2), planner.Int64), planner.NewLiteral(int64(i), planner.Int64)})
	}
	vals, err := planner.NewValues(rows, []planner.Column{k, v})
	if err != nil {
		t.Fatal(err)
	}
	mp, err := planner.NewMapPartitions(vals, "Double_V", []planner.Column{planner.NewColumn("v2", "", planner.Int64, false)})
	if err != nil {
		t.Fatal(err)
	}
	root := udf.NewRegistry(nil)
	if err := root.RegisterPartitionFunc("double_v", doubleV); err != nil {
		t.Fatal(err)
	}
	node, err := (&PhysicalPlanner{Partitions: 2, Funcs: root.Child()}).Plan(mp)
	if err != nil {
		t.Fatal(err)
	}
	if s := ExplainPhysical(node); !strings.Contains(s, "MapPartitions: Double_V AS [v2]") {
		t.Errorf("plan:\n%s", s)
	}
	ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: 2, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Release()
	checkDoubled(t, int64Values(ex.Batches, 0), 5)
}

func TestMapPartitionsUnknownFunction(t *testing.T) {
	k := planner.NewColumn("k", "", planner.Int64, false)
	vals, err := planner.NewValues([][]planner.Expr{{planner.NewLiteral(int64(1), planner.Int64)}}, []planner.Column{k})
	if err != nil {
		t.Fatal(err)
	}
	reg := udf.NewBuiltins().Child()
	if err := reg.RegisterPartitionFunc("double_v", doubleV); err != nil {
		t.Fatal(err)
	}
	if err := reg.RegisterPartitionFunc("score_rows", doubleV); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		fn    string
		funcs *udf.Registry
		want  string
	}{
		{"typo", "dubble_v", reg, `unknown partition function "dubble_v"; did you mean "double_v"?`},
		{"far from all", "zzzzzzzzzzzz", reg, `unknown partition function "zzzzzzzzzzzz"; registered partition functions: double_v, score_rows`},
		{"none registered", "double_v", udf.NewRegistry(nil), `unknown partition function "double_v"; no partition functions are registered`},
		{"no registry", "double_v", nil, `unknown partition function "double_v": no function registry`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mp, err := planner.NewMapPartitions(vals, tc.fn, []planner.Column{planner.NewColumn("v2", "", planner.Int64, false)})
			if err != nil {
				t.Fatal(err)
			}
			_, err = (&PhysicalPlanner{Partitions: 2, Funcs: tc.funcs}).Plan(mp)
			if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a plan error containing %q", err, tc.want)
			}
		})
	}
}

// writeOnce returns a function that writes the batch make builds once, then returns what
// Write returned (or nil when ignore is set).
func writeOnce(build func(mem memory.Allocator) arrow.RecordBatch, ignore bool) udf.PartitionFunc {
	return func(ctx *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		b := build(ctx.Mem)
		defer b.Release()
		err := out.Write(b)
		if ignore {
			return nil
		}
		return err
	}
}

func TestMapPartitionsWrongSchema(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 100, 1)
	defer src.(interface{ Release() }).Release()
	batch := func(schema *arrow.Schema, js string) func(memory.Allocator) arrow.RecordBatch {
		return func(m memory.Allocator) arrow.RecordBatch {
			b, _, err := array.RecordFromJSON(m, schema, strings.NewReader(js))
			if err != nil {
				panic(err)
			}
			return b
		}
	}
	i64 := arrow.PrimitiveTypes.Int64
	tests := []struct {
		name   string
		build  func(memory.Allocator) arrow.RecordBatch
		ignore bool
		want   string
	}{
		{"type", batch(arrow.NewSchema([]arrow.Field{{Name: "v2", Type: arrow.PrimitiveTypes.Float64}}, nil), `[{"v2": 1.5}]`), false,
			`map_partitions function "bad" wrote column 0 as v2 DOUBLE, declared v2 BIGINT`},
		{"name", batch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: i64}}, nil), `[{"x": 1}]`), false,
			`wrote column 0 as x BIGINT, declared v2 BIGINT`},
		{"width", batch(arrow.NewSchema([]arrow.Field{{Name: "v2", Type: i64}, {Name: "w", Type: i64}}, nil), `[{"v2": 1, "w": 2}]`), false,
			`wrote a batch of 2 columns (v2 BIGINT, w BIGINT), declared 1 (v2 BIGINT)`},
		{"nulls", batch(arrow.NewSchema([]arrow.Field{{Name: "v2", Type: i64, Nullable: true}}, nil), `[{"v2": 1}, {"v2": null}]`), false,
			`wrote 1 NULLs into column v2, declared not nullable`},
		{"error ignored", batch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: i64}}, nil), `[{"x": 1}]`), true,
			`wrote column 0 as x BIGINT`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scan := NewScanExec(src, []int{0, 1}, splits(t, src), 1)
			node := NewMapPartitionsExec(scan, "bad", writeOnce(tc.build, tc.ignore), doubledSchema)
			ex, err := Run(context.Background(), node, Config{Parallelism: 1, Mem: mem})
			if err == nil {
				ex.Release()
			}
			if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an execution error containing %q", err, tc.want)
			}
		})
	}
	// A batch whose schema differs only in nullability is relabeled with the declared one.
	t.Run("relabeled", func(t *testing.T) {
		scan := NewScanExec(src, []int{0, 1}, splits(t, src), 1)
		nullable := batch(arrow.NewSchema([]arrow.Field{{Name: "v2", Type: i64, Nullable: true}}, nil), `[{"v2": 4}]`)
		ex, err := Run(context.Background(), NewMapPartitionsExec(scan, "ok", writeOnce(nullable, false), doubledSchema), Config{Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		defer ex.Release()
		if len(ex.Batches) != 1 || ex.Batches[0].Schema() != doubledSchema || ex.Batches[0].Column(0).(*array.Int64).Value(0) != 4 {
			t.Fatalf("got %v, want one batch [4] of the declared schema", ex.Batches)
		}
	})
}

func TestMapPartitionsPanic(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 100, 2)
	defer src.(interface{ Release() }).Release()
	for _, value := range []any{"boom", Retryable(errs.Execf("boom"))} {
		t.Run(fmt.Sprint(value), func(t *testing.T) {
			var calls atomic.Int64
			fn := func(ctx *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
				calls.Add(1)
				if _, err := in.Next(); err != nil { // holds an input batch while panicking
					return err
				}
				panic(value)
			}
			scan := NewScanExec(src, []int{0, 1}, splits(t, src), 2)
			_, err := Run(context.Background(), NewMapPartitionsExec(scan, "explode_me", fn, doubledSchema), Config{Parallelism: 2, Mem: mem})
			if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), `map_partitions function "explode_me" panicked: `) ||
				!strings.Contains(err.Error(), "boom") {
				t.Fatalf("got %v, want an execution error naming the function and the panic", err)
			}
			if IsRetryable(err) {
				t.Errorf("a panic came out retryable: %v", err)
			}
			if n := calls.Load(); n > 2 {
				t.Errorf("function called %d times over 2 partitions: a panic was retried", n)
			}
		})
	}
}

// TestMapPartitionsErrors: the function's own error is wrapped with its name; an input
// error reaches the task even when the function swallows it.
func TestMapPartitionsErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 100, 1)
	defer src.(interface{ Release() }).Release()
	scan := NewScanExec(src, []int{0, 1}, splits(t, src), 1)
	own := func(*udf.PartitionContext, udf.BatchReader, udf.BatchWriter) error {
		return errors.New("model unreachable")
	}
	_, err := Run(context.Background(), NewMapPartitionsExec(scan, "score", own, doubledSchema), Config{Mem: mem})
	if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), `map_partitions function "score": model unreachable`) {
		t.Fatalf("got %v, want the function's error with its name", err)
	}

	failing := newFailNode(1, func(int, int) error { return errs.Execf("input broke") })
	swallow := func(ctx *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		for {
			b, err := in.Next()
			if err != nil || b == nil {
				return nil
			}
		}
	}
	_, err = Run(context.Background(), NewMapPartitionsExec(failing, "swallow", swallow, doubledSchema), Config{Mem: mem})
	if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), "input broke") {
		t.Fatalf("got %v, want the input's error", err)
	}
}

// TestMapPartitionsEarlyStop: a limit above stops reading; the function, writing forever,
// sees an error from Write and the query ends without leaking.
func TestMapPartitionsEarlyStop(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 100, 1)
	defer src.(interface{ Release() }).Release()
	var writeErr atomic.Value
	forever := func(ctx *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		for i := int64(0); ; i++ {
			b, _, err := array.RecordFromJSON(ctx.Mem, out.Schema(), strings.NewReader(fmt.Sprintf(`[{"v2": %d}]`, i)))
			if err != nil {
				return err
			}
			err = out.Write(b)
			b.Release()
			if err != nil {
				writeErr.Store(err)
				return err
			}
		}
	}
	scan := NewScanExec(src, []int{0, 1}, splits(t, src), 1)
	node := &LimitExec{Child: NewMapPartitionsExec(scan, "forever", forever, doubledSchema), Count: 3}
	ex, err := Run(context.Background(), node, Config{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Release()
	if got := int64Values(ex.Batches, 0); len(got) != 3 {
		t.Errorf("got %v, want 3 rows", got)
	}
	if e, _ := writeErr.Load().(error); !errors.Is(e, errs.ErrCanceled) {
		t.Errorf("the function's last Write returned %v, want a canceled error", e)
	}
}

// flakyDouble is doubleV that, on attempt 0 of partition 1, writes its first batch and then
// fails with a retryable error. Every attempt registers a commit hook counting per partition
// (and which attempt committed).
type flakyDouble struct {
	mu        sync.Mutex
	calls     map[int]int // partition → attempts started
	committed map[int][]int
}

func (f *flakyDouble) fn(ctx *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
	f.mu.Lock()
	f.calls[ctx.Partition]++
	f.mu.Unlock()
	p, attempt := ctx.Partition, ctx.Attempt
	ctx.OnSuccess(func() {
		f.mu.Lock()
		f.committed[p] = append(f.committed[p], attempt)
		f.mu.Unlock()
	})
	if p != 1 || attempt != 0 {
		return doubleV(ctx, in, out)
	}
	flaky := &failAfterWrite{BatchWriter: out}
	if err := doubleV(ctx, in, flaky); err != nil && !flaky.failed {
		return err
	}
	return Retryable(errs.Execf("flaky partition %d", p))
}

// failAfterWrite passes the first batch on and then refuses the rest.
type failAfterWrite struct {
	udf.BatchWriter
	wrote, failed bool
}

func (w *failAfterWrite) Write(b arrow.RecordBatch) error {
	if w.wrote {
		w.failed = true
		return errors.New("stop")
	}
	w.wrote = true
	return w.BatchWriter.Write(b)
}

func TestMapPartitionsRetry(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 1000, 4)
	defer src.(interface{ Release() }).Release()
	for _, shuffled := range []bool{false, true} {
		t.Run(fmt.Sprintf("shuffled=%v", shuffled), func(t *testing.T) {
			f := &flakyDouble{calls: map[int]int{}, committed: map[int][]int{}}
			scan := NewScanExec(src, []int{0, 1}, splits(t, src), 4)
			var node Node = NewMapPartitionsExec(scan, "flaky", f.fn, doubledSchema)
			if shuffled {
				// The MapPartitions runs in the map stage of a hash exchange.
				node = NewExchange(node, Partitioning{Kind: HashPartitioning, N: 3, Keys: []int{0}})
			}
			ex, err := Run(context.Background(), node, Config{Parallelism: 4, BatchSize: 7, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer ex.Release()
			checkDoubled(t, int64Values(ex.Batches, 0), 1000)
			if ex.Retries != 1 {
				t.Errorf("%d retries, want 1", ex.Retries)
			}
			for p := range 4 {
				wantCalls, wantCommit := 1, []int{0}
				if p == 1 {
					wantCalls, wantCommit = 2, []int{1}
				}
				if f.calls[p] != wantCalls || fmt.Sprint(f.committed[p]) != fmt.Sprint(wantCommit) {
					t.Errorf("partition %d: %d calls, hooks of attempts %v; want %d calls, hooks of %v",
						p, f.calls[p], f.committed[p], wantCalls, wantCommit)
				}
			}
		})
	}
}

// TestMapPartitionsCanceledWhileBlocked: a function blocked on a slow call returns when the
// query fails elsewhere (its context is canceled), and the query ends with the first error.
func TestMapPartitionsCanceledWhileBlocked(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 100, 2)
	defer src.(interface{ Release() }).Release()
	blocked := make(chan struct{})
	fn := func(ctx *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		if _, err := in.Next(); err != nil {
			return err
		}
		if ctx.Partition == 0 {
			close(blocked)
			<-ctx.Ctx.Done() // a remote call that honours its context
			return ctx.Ctx.Err()
		}
		<-blocked
		return errs.Execf("partition %d broke", ctx.Partition)
	}
	scan := NewScanExec(src, []int{0, 1}, splits(t, src), 2)
	_, err := Run(context.Background(), NewMapPartitionsExec(scan, "slow", fn, doubledSchema), Config{Parallelism: 2, Mem: mem})
	if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), "partition 1 broke") {
		t.Fatalf("got %v, want partition 1's error", err)
	}
}
