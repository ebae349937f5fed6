package exec

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/sql/planner"
)

// rollupProjections are the projections of ROLLUP(k, v) over (k, v): keys then grouping id.
func rollupProjections() [][]PhysExpr {
	k := &colExpr{idx: 0, typ: arrow.PrimitiveTypes.Int64, name: "k"}
	v := &colExpr{idx: 1, typ: arrow.PrimitiveTypes.Int64, name: "v"}
	null := &litExpr{val: nil, typ: arrow.PrimitiveTypes.Int64}
	id := func(n int64) PhysExpr { return &litExpr{val: n, typ: arrow.PrimitiveTypes.Int64} }
	return [][]PhysExpr{{k, v, id(0)}, {k, null, id(1)}, {null, null, id(3)}}
}

var rollupSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "grouping_id", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// TestExpandExec expands 1000 rows (k = i % 10, v = i) by the three sets of ROLLUP(k, v) at
// several partition counts and batch sizes, and checks every output row against its set.
func TestExpandExec(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 1000, 4)
	defer src.(interface{ Release() }).Release()
	for _, parts := range []int{1, 4} {
		for _, batch := range []int{1, 7, 8192} {
			t.Run(fmt.Sprintf("partitions=%d,batch=%d", parts, batch), func(t *testing.T) {
				scan := NewScanExec(src, []int{0, 1}, splits(t, src), parts)
				node := NewExpandExec(scan, rollupProjections(), rollupSchema)
				ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: batch, Mem: mem})
				if err != nil {
					t.Fatal(err)
				}
				defer ex.Release()
				perID := map[int64]int{}
				vsum := int64(0)
				for _, b := range ex.Batches {
					k, v, id := b.Column(0).(*array.Int64), b.Column(1).(*array.Int64), b.Column(2).(*array.Int64)
					for i := 0; i < int(b.NumRows()); i++ {
						g := id.Value(i)
						perID[g]++
						switch {
						case id.IsNull(i):
							t.Fatalf("row %d: NULL grouping id", i)
						case g == 0 && (k.IsNull(i) || v.IsNull(i) || k.Value(i) != v.Value(i)%10):
							t.Fatalf("set (k, v): k=%v v=%v", k.ValueStr(i), v.ValueStr(i))
						case g == 1 && (k.IsNull(i) || v.IsValid(i)):
							t.Fatalf("set (k): k=%v v=%v", k.ValueStr(i), v.ValueStr(i))
						case g == 3 && (k.IsValid(i) || v.IsValid(i)):
							t.Fatalf("set (): k=%v v=%v", k.ValueStr(i), v.ValueStr(i))
						}
						if g == 0 {
							vsum += v.Value(i)
						}
					}
				}
				if perID[0] != 1000 || perID[1] != 1000 || perID[3] != 1000 || len(perID) != 3 {
					t.Errorf("rows per grouping id %v, want 1000 each of 0, 1, 3", perID)
				}
				if vsum != 999*1000/2 {
					t.Errorf("sum of v in set (k, v) = %d, want %d", vsum, 999*1000/2)
				}
			})
		}
	}
}

func TestExpandPartitioning(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 10, 1)
	defer src.(interface{ Release() }).Release()
	hashed := NewExchange(NewScanExec(src, []int{0, 1}, splits(t, src), 1), Partitioning{Kind: HashPartitioning, N: 4, Keys: []int{0}})
	k := &colExpr{idx: 0, typ: arrow.PrimitiveTypes.Int64, name: "k"}
	null := &litExpr{val: nil, typ: arrow.PrimitiveTypes.Int64}
	one := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "k", Type: arrow.PrimitiveTypes.Int64}}, nil)
	tests := []struct {
		name  string
		projs [][]PhysExpr
		want  string
	}{
		{"key passed through everywhere", [][]PhysExpr{{null, k}, {null, k}}, "hash([1], 4)"},
		{"key at different positions", [][]PhysExpr{{k, k}, {null, k}}, "hash([1], 4)"},
		{"key nulled in a set", [][]PhysExpr{{null, k}, {k, null}}, "any(4)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := NewExpandExec(hashed, tc.projs, one).Partitioning().String(); got != tc.want {
				t.Errorf("partitioning %s, want %s", got, tc.want)
			}
		})
	}
}

// TestExpandPhysicalPlanning plans a logical Expand through the registered node planner and
// runs it.
func TestExpandPhysicalPlanning(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	a := planner.NewColumn("a", "", planner.Int64, false)
	vals, err := planner.NewValues([][]planner.Expr{
		{planner.NewLiteral(int64(1), planner.Int64)},
		{planner.NewLiteral(int64(2), planner.Int64)},
	}, []planner.Column{a})
	if err != nil {
		t.Fatal(err)
	}
	key := planner.NewColumn("a", "", planner.Int64, true)
	gid := planner.NewColumn("grouping_id", "", planner.Int64, false)
	ref := planner.NewColumnRef(a)
	ex, err := planner.NewExpand(vals, [][]planner.Expr{
		{ref, ref, planner.NewLiteral(int64(0), planner.Int64)},
		{ref, planner.NewLiteral(nil, planner.Int64), planner.NewLiteral(int64(1), planner.Int64)},
	}, []planner.Column{a, key, gid})
	if err != nil {
		t.Fatal(err)
	}
	node, err := (&PhysicalPlanner{Partitions: 2}).Plan(ex)
	if err != nil {
		t.Fatal(err)
	}
	if s := ExplainPhysical(node); !strings.Contains(s, "Expand: [#0, #0, 0], [#0, NULL, 1]") {
		t.Errorf("plan:\n%s", s)
	}
	res, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: 1, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	var rows []string
	for _, b := range res.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			rows = append(rows, fmt.Sprintf("%s %s %s", b.Column(0).ValueStr(i), b.Column(1).ValueStr(i), b.Column(2).ValueStr(i)))
		}
	}
	sort.Strings(rows)
	got := strings.Join(rows, "; ")
	if want := "1 (null) 1; 1 1 0; 2 (null) 1; 2 2 0"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// TestExpandErrorReleases makes a projection fail mid-batch and checks that nothing leaks.
func TestExpandErrorReleases(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 100, 1)
	defer src.(interface{ Release() }).Release()
	k := &colExpr{idx: 0, typ: arrow.PrimitiveTypes.Int64, name: "k"}
	fail := &callExpr{args: []PhysExpr{k}, typ: arrow.PrimitiveTypes.Int64, text: "boom(k)",
		f: func(*TaskContext, []arrow.Array, int) (arrow.Array, error) { return nil, fmt.Errorf("boom") }}
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, {Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	node := NewExpandExec(NewScanExec(src, []int{0, 1}, splits(t, src), 1), [][]PhysExpr{{k, k}, {k, fail}}, schema)
	if _, err := Run(context.Background(), node, Config{Parallelism: 1, BatchSize: 7, Mem: mem}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v, want the projection's error", err)
	}
}

// TestLiteralSlicesLongestArray: a literal builds its constant array once for the longest
// batch so far and hands shorter batches a slice of it (filtered batches vary in length).
func TestLiteralSlicesLongestArray(t *testing.T) {
	lit := &litExpr{val: "abc", typ: arrow.BinaryTypes.String}
	tc := &TaskContext{Mem: memory.DefaultAllocator, BatchSize: 16}
	batch := func(n int64) arrow.RecordBatch { return array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, n) }
	for _, n := range []int64{10, 4, 10, 7} {
		b := batch(n)
		a, err := lit.Eval(tc, b)
		b.Release()
		if err != nil {
			t.Fatal(err)
		}
		s := a.(*array.String)
		if s.Len() != int(n) || s.Value(int(n)-1) != "abc" || s.NullN() != 0 {
			t.Fatalf("n=%d: got %d values, last %q", n, s.Len(), s.Value(s.Len()-1))
		}
		a.Release()
		if c := lit.last.Load(); c == nil || c.n != 10 {
			t.Fatalf("n=%d: cached array of %v rows, want the longest (10)", n, c)
		}
	}
}
