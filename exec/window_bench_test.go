package exec

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/sql/planner"
)

// BenchmarkWindowSum runs sum over 100k rows in one partition under the three aggregate
// paths: a whole-partition frame (one Update), a running frame and a sliding one (the
// segment tree).
func BenchmarkWindowSum(b *testing.B) {
	mem := memory.NewGoAllocator()
	rows := windowRows(100_000)
	for i := range rows {
		rows[i].k, rows[i].kNull = 0, false
	}
	src := windowSource(mem, rows, 1)
	defer src.(interface{ Release() }).Release()
	sum, ok := aggFnOK("sum")
	if !ok {
		b.Fatal("no sum")
	}
	bound := func(k planner.BoundKind, n int64) WindowBound { return WindowBound{Kind: k, N: n, Value: -1} }
	for _, c := range []struct {
		name       string
		start, end WindowBound
	}{
		{"partition", bound(planner.UnboundedPreceding, 0), bound(planner.UnboundedFollowing, 0)},
		{"running", bound(planner.UnboundedPreceding, 0), bound(planner.CurrentRow, 0)},
		{"sliding10", bound(planner.Preceding, 10), bound(planner.CurrentRow, 0)},
	} {
		b.Run(c.name, func(b *testing.B) {
			i64 := arrow.PrimitiveTypes.Int64
			funcs := []WindowFuncExec{{Name: "sum", Agg: sum, Args: []int{colV}, ArgTypes: []arrow.DataType{i64},
				Frame: WindowFrameExec{RangeKey: -1, Start: c.start, End: c.end}, Type: i64, OutName: "s"}}
			s, err := src.Splits(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			node := NewWindowExec(NewScanExec(src, []int{0, 1, 2, 3, 4, 5}, s, 1), 6, []int{colK}, []WindowKey{{Col: colV}}, funcs)
			for b.Loop() {
				ex, err := Run(context.Background(), node, Config{Mem: mem})
				if err != nil {
					b.Fatal(err)
				}
				ex.Release()
			}
		})
	}
}
