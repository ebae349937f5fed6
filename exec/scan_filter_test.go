package exec

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/sql/planner"
)

// TestFilterInScan: the predicate of a Filter right above a Parquet scan is applied in the
// scan, whose reader decodes the other column for the kept rows only, and switches to
// filtering whole batches once the filter proves not selective. Either way the rows are
// exactly those the predicate keeps, the rows dropped count as skipped, and a predicate
// that fails reports its error.
func TestFilterInScan(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: planner.Int64}, {Name: "s", Type: planner.String}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	for i := range 2000 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(strings.Repeat("x", i%7))
	}
	path := writeParquetFile(t, b, 500)
	src, err := datasource.NewParquet("t", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	scan := planner.NewScan(src, "")
	id := planner.NewColumnRef(scan.Columns[0])
	i64 := func(v int64) planner.Expr { return planner.NewLiteral(v, planner.Int64) }
	mod := &planner.Binary{Op: planner.OpMod, Left: id, Right: i64(10), Typ: planner.Int64}
	for _, c := range []struct {
		name string
		cond planner.Expr
		keep func(i int64) bool
	}{
		// 10% kept: filtered in the reader throughout.
		{"selective", &planner.Binary{Op: planner.OpEq, Left: mod, Right: i64(3), Typ: planner.Boolean}, func(i int64) bool { return i%10 == 3 }},
		// 90% kept: the reader filters the first batches, then whole batches pass and the
		// scan filters them.
		{"dense", &planner.Binary{Op: planner.OpNe, Left: mod, Right: i64(3), Typ: planner.Boolean}, func(i int64) bool { return i%10 != 3 }},
	} {
		for _, bs := range []int{7, 64} {
			filter, err := planner.NewFilter(scan, c.cond)
			if err != nil {
				t.Fatal(err)
			}
			node, err := (&PhysicalPlanner{Partitions: 2}).Plan(filter)
			if err != nil {
				t.Fatal(err)
			}
			ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: bs, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]string{}
			for _, b := range ex.Batches {
				ids, ss := b.Column(0).(*array.Int64), b.Column(1).(*array.String)
				for i := range ids.Len() {
					got[ids.Value(i)] = ss.Value(i)
				}
			}
			want := 0
			for i := range int64(2000) {
				if !c.keep(i) {
					continue
				}
				want++
				if s, ok := got[i]; !ok || s != strings.Repeat("x", int(i%7)) {
					t.Fatalf("%s batch=%d: row %d missing or wrong (%q)", c.name, bs, i, s)
				}
			}
			if len(got) != want {
				t.Fatalf("%s batch=%d: %d rows, want %d", c.name, bs, len(got), want)
			}
			// The Filter itself passes the scan's batches on: it allocates nothing.
			var fe *FilterExec
			for n := node; n != nil && fe == nil; {
				if x, ok := n.(*FilterExec); ok {
					fe = x
				} else if kids := n.Children(); len(kids) == 1 {
					n = kids[0]
				} else {
					n = nil
				}
			}
			if fe == nil {
				t.Fatalf("no Filter in the plan:\n%s", ExplainPhysical(node))
			}
			if m := ex.MetricsOf(fe); m == nil || m.MemPeak.Load() != 0 {
				t.Errorf("%s batch=%d: the Filter allocated (%v): it should have left the work to the scan", c.name, bs, m)
			}
			scans := ExplainScans(node, ex)
			if !strings.Contains(scans, "rows skipped="+strconv.Itoa(2000-want)) {
				t.Errorf("%s batch=%d: %s", c.name, bs, scans)
			}
			ex.Release()
		}
	}
	// A predicate that fails (an overflow) reports its error from the scan.
	over := &planner.Binary{Op: planner.OpGt, Typ: planner.Boolean, Right: i64(0),
		Left: &planner.Binary{Op: planner.OpMul, Left: id, Right: i64(1 << 62), Typ: planner.Int64}}
	filter, err := planner.NewFilter(scan, over)
	if err != nil {
		t.Fatal(err)
	}
	node, err := (&PhysicalPlanner{Partitions: 1}).Plan(filter)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), node, Config{Parallelism: 1, BatchSize: 64, Mem: mem}); err == nil || !strings.Contains(err.Error(), "overflow") {
		t.Fatalf("an overflowing predicate: %v", err)
	}
}
