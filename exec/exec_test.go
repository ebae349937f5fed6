package exec

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// panicNode is a source whose operator panics on Next, to check that the Next wrapper turns
// a panic into an internal error instead of crashing the process.
type panicNode struct{ schema *arrow.Schema }

func (p *panicNode) Schema() *arrow.Schema      { return p.schema }
func (p *panicNode) Children() []Node           { return nil }
func (p *panicNode) Partitioning() Partitioning { return Partitioning{Kind: AnyPartitioning, N: 2} }
func (p *panicNode) String() string             { return "Panic" }
func (p *panicNode) Execute(tc *TaskContext, part int) (Operator, error) {
	return panicOp{}, nil
}

type panicOp struct{}

func (panicOp) Open(*TaskContext) error { return nil }
func (panicOp) Next(*TaskContext) (arrow.RecordBatch, error) {
	var s []int
	_ = s[len(s)] // an index out of range: a runtime panic
	return nil, nil
}
func (panicOp) Close() error { return nil }

func TestPanicBecomesInternalError(t *testing.T) {
	n := NewExchange(&panicNode{schema: arrow.NewSchema(nil, nil)}, Partitioning{Kind: SinglePartition, N: 1})
	_, err := Run(context.Background(), n, Config{Parallelism: 2})
	if !errors.Is(err, errs.ErrInternal) || !strings.Contains(err.Error(), "index out of range") {
		t.Fatalf("got %v, want an internal error about the index", err)
	}
}

func TestCanceledQuery(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 1000, 4)
	defer src.(interface{ Release() }).Release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Run(ctx, NewScanExec(src, []int{0, 1}, splits(t, src), 2), Config{Mem: mem})
	if !errors.Is(err, errs.ErrCanceled) {
		t.Fatalf("got %v, want a canceled error", err)
	}
}

// TestHashExchangeTwoPhaseAggregate runs partial aggregate → hash exchange → final aggregate
// over four partitions and checks the stages, the answer and that no Arrow memory leaks.
func TestHashExchangeTwoPhaseAggregate(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 1000, 4)
	defer src.(interface{ Release() }).Release()
	for _, parts := range []int{1, 4} {
		scan := NewScanExec(src, []int{0, 1}, splits(t, src), parts)
		node, err := aggregatePlan(scan, parts)
		if err != nil {
			t.Fatal(err)
		}
		ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: 7, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		sums := map[int64]int64{}
		var rows int64
		for _, b := range ex.Batches {
			keys := b.Column(0).(*array.Int64)
			counts := b.Column(1).(*array.Int64)
			for i := 0; i < int(b.NumRows()); i++ {
				sums[keys.Value(i)] += counts.Value(i)
			}
			rows += b.NumRows()
		}
		if wantStages := map[int]int{1: 1, 4: 2}[parts]; ex.Stages != wantStages {
			t.Errorf("partitions=%d: %d stages, want %d", parts, ex.Stages, wantStages)
		}
		ex.Release()
		// k = i % 10 over 1000 rows: ten groups of 100, each group exactly once.
		if rows != 10 || len(sums) != 10 {
			t.Fatalf("partitions=%d: %d rows, %d groups, want 10 and 10", parts, rows, len(sums))
		}
		for k, c := range sums {
			if c != 100 {
				t.Errorf("partitions=%d: group %d counted %d, want 100", parts, k, c)
			}
		}
	}
}

func aggregatePlan(scan Node, parts int) (Node, error) {
	count, ok := udf.NewBuiltins().Aggregate("count")
	if !ok {
		return nil, errors.New("no count aggregate")
	}
	keys := []int{0}
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	spec := AggSpec{Fn: count, Name: "n"}
	if parts == 1 {
		return NewHashAggregateExec(scan, keys, []AggSpec{spec}, AggSingle, schema), nil
	}
	sts, err := count.StateTypes(nil)
	if err != nil {
		return nil, err
	}
	pfields := []arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "n_state", Type: sts[0]}}
	partial := NewHashAggregateExec(scan, keys, []AggSpec{spec}, AggPartial, arrow.NewSchema(pfields, nil))
	ex := NewExchange(partial, Partitioning{Kind: HashPartitioning, N: parts, Keys: keys})
	final := spec
	final.StateCols = []int{1}
	return NewHashAggregateExec(ex, keys, []AggSpec{final}, AggFinal, schema), nil
}

// memSource is an in-memory table (k = i % 10, v = i) of n rows in `splits` splits.
func memSource(t *testing.T, mem memory.Allocator, n, splits int) datasource.Source {
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64}, {Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)
	var batches []arrow.RecordBatch
	for start := 0; start < n; start += 100 {
		b := array.NewRecordBuilder(mem, schema)
		for i := start; i < start+100 && i < n; i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i % 10))
			b.Field(1).(*array.Int64Builder).Append(int64(i))
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	src := datasource.NewMemory("t", schema, batches, splits)
	for _, b := range batches {
		b.Release()
	}
	return src
}

func splits(t *testing.T, src datasource.Source) []datasource.Split {
	s, err := src.Splits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}
