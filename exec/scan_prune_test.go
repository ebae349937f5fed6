package exec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/sql/planner"
)

var pruneTestSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "i", Type: planner.Int32, Nullable: true},
	{Name: "s", Type: planner.String, Nullable: true},
	{Name: "d", Type: planner.Date},
	{Name: "v", Type: planner.Decimal(9, 2)},
}, nil)

func TestScanPredicates(t *testing.T) {
	scan := planner.NewScan(datasource.NewMemory("t", pruneTestSchema, nil, 1), "")
	col := func(i int) planner.Expr { return planner.NewColumnRef(scan.Columns[i]) }
	lit := func(v any, t arrow.DataType) planner.Expr { return planner.NewLiteral(v, t) }
	i64 := func(v int64) planner.Expr { return lit(v, planner.Int64) }
	cmp := func(op planner.BinaryOp, l, r planner.Expr) planner.Expr {
		return &planner.Binary{Op: op, Left: l, Right: r, Typ: planner.Boolean}
	}
	like := func(pat string, escape byte, negated bool) planner.Expr {
		return &planner.Like{E: col(2), Pattern: lit(pat, planner.String), Escape: escape, Negated: negated}
	}
	cases := []struct {
		name   string
		filter planner.Expr
		want   string // the predicate's String, "" for none
	}{
		{"column < literal", cmp(planner.OpLt, col(0), i64(150)), "id < 150"},
		{"literal < column flips", cmp(planner.OpLt, i64(150), col(0)), "id > 150"},
		{"literal >= column flips", cmp(planner.OpGe, i64(150), col(0)), "id <= 150"},
		{"constant expression", cmp(planner.OpEq, col(0), &planner.Binary{Op: planner.OpAdd, Left: i64(100), Right: i64(50), Typ: planner.Int64}), "id = 150"},
		{"constant of another type", cmp(planner.OpEq, col(0), lit(1.5, planner.Float64)), ""},
		{"widening cast", cmp(planner.OpEq, &planner.Cast{E: col(1), To: planner.Int64}, i64(5)), "i = 5"},
		{"cast that does not keep order", cmp(planner.OpEq, &planner.Cast{E: col(2), To: planner.Int64}, i64(5)), ""},
		{"decimal scale differs", cmp(planner.OpLt, col(4), lit(decimal128.FromI64(5), planner.Decimal(9, 1))), ""},
		{"date", cmp(planner.OpGe, col(3), lit(arrow.Date32(19723), planner.Date)), "d >= DATE '2024-01-01'"},
		{"column against column", cmp(planner.OpLt, col(0), &planner.Cast{E: col(1), To: planner.Int64}), ""},
		{"NULL literal", cmp(planner.OpEq, col(0), lit(nil, planner.Int64)), ""},
		{"IS NULL", &planner.IsNull{E: col(1)}, "i IS NULL"},
		{"IS NOT NULL", &planner.IsNull{E: col(1), Negated: true}, "i IS NOT NULL"},
		{"IN drops NULL items", &planner.InList{E: col(0), List: []planner.Expr{i64(1), lit(nil, planner.Int64), i64(3)}}, "id IN (1, 3)"},
		{"NOT IN", &planner.InList{E: col(0), List: []planner.Expr{i64(1)}, Negated: true}, ""},
		{"LIKE prefix", like("ab%", '\\', false), "s LIKE 'ab%'"},
		{"LIKE up to _", like("ab_d%", '\\', false), "s LIKE 'ab%'"},
		{"LIKE without wildcards", like("abc", '\\', false), "s = 'abc'"},
		{"LIKE escaped wildcard", like(`a\%b%`, '\\', false), `s LIKE 'a\%b%'`},
		{"LIKE without an escape character", like(`a\%b%`, 0, false), `s LIKE 'a\\%'`},
		{"LIKE starting with a wildcard", like("%ab", '\\', false), ""},
		{"NOT LIKE", like("ab%", '\\', true), ""},
		{"OR", cmp(planner.OpOr, cmp(planner.OpLt, col(0), i64(5)), &planner.IsNull{E: col(1)}), "(id < 5 OR i IS NULL)"},
		{"OR with a side it cannot use", cmp(planner.OpOr, cmp(planner.OpLt, col(0), i64(5)), like("%x", 0, false)), ""},
		{"AND keeps what it can use", cmp(planner.OpAnd, like("%x", 0, false), cmp(planner.OpGt, col(0), i64(5))), "id > 5"},
		{"NOT", &planner.Not{E: cmp(planner.OpLt, col(0), i64(5))}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scan.WithFilters([]planner.Expr{c.filter})
			preds := scanPredicates(s)
			var got string
			switch len(preds) {
			case 0:
			case 1:
				got = preds[0].String()
			default:
				t.Fatalf("%d predicates from one filter: %v", len(preds), preds)
			}
			if got != c.want {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestScanPruningAndMetrics plans Filter(Scan) over a Parquet file of 10 sorted row groups
// and checks the pruned plan, the answer, and what EXPLAIN ANALYZE reports.
func TestScanPruningAndMetrics(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: planner.Int64}}, nil)
	b := array.NewRecordBuilder(mem, schema)
	for i := range 1000 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	path := writeParquetFile(t, b, 100)
	src, err := datasource.NewParquet("t", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	scan := planner.NewScan(src, "")
	cond := &planner.Binary{Op: planner.OpGe, Left: planner.NewColumnRef(scan.Columns[0]), Right: planner.NewLiteral(int64(850), planner.Int64), Typ: planner.Boolean}
	filter, err := planner.NewFilter(scan.WithFilters([]planner.Expr{cond}), cond)
	if err != nil {
		t.Fatal(err)
	}
	for _, parts := range []int{1, 4} {
		pp := &PhysicalPlanner{Partitions: parts}
		node, err := pp.Plan(filter)
		if err != nil {
			t.Fatal(err)
		}
		if plan := ExplainPhysical(node); !strings.Contains(plan, "Scan: t [id] splits=2 pruned=8") {
			t.Fatalf("partitions=%d: the scan should read 2 of 10 row groups:\n%s", parts, plan)
		}
		ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: 64, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		var rows int64
		for _, b := range ex.Batches {
			rows += b.NumRows()
		}
		ex.Release()
		if rows != 150 {
			t.Fatalf("partitions=%d: %d rows, want 150", parts, rows)
		}
		// The filter runs in the scan (late materialization): of the 200 rows of the two
		// row groups read, the 50 below 850 count as skipped.
		if got, want := ExplainScans(node, ex), "t: row_groups read=2 pruned=8, pages read=2 skipped=0, rows skipped=50, rows=150\n"; got != want {
			t.Fatalf("partitions=%d: ExplainScans %q, want %q", parts, got, want)
		}
		analyzed := ExplainAnalyzed(node, ex)
		for _, frag := range []string{"rows=150 batches=", "rows skipped=50", "compute=", "mem=", "row_groups read=2 pruned=8"} {
			if !strings.Contains(analyzed, frag) {
				t.Fatalf("partitions=%d: EXPLAIN ANALYZE lacks %q:\n%s", parts, frag, analyzed)
			}
		}
		// The scan allocates its batches and the predicate's results; the filter above it
		// passes them on.
		for _, n := range []Node{node.Children()[0]} {
			m := ex.MetricsOf(n)
			if m == nil || m.MemPeak.Load() <= 0 || m.MemBytes.Load() != 0 {
				t.Fatalf("partitions=%d: %s: memory peak %d, live %d after release; want a peak and nothing live",
					parts, n, m.MemPeak.Load(), m.MemBytes.Load())
			}
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 1023: "1023B", 1024: "1.0KiB", 1536: "1.5KiB", 5 << 20: "5.0MiB", 3 << 30: "3.0GiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// writeParquetFile writes the rows of b (released here) as t.parquet in a test's temporary
// folder, in row groups of rowGroup rows, and returns its path.
func writeParquetFile(t *testing.T, b *array.RecordBuilder, rowGroup int) string {
	t.Helper()
	batch := b.NewRecordBatch()
	b.Release()
	defer batch.Release()
	path := filepath.Join(t.TempDir(), "t.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	err = datasource.WriteParquet(f, batch.Schema(), []arrow.RecordBatch{batch}, datasource.WriteOptions{RowGroupSize: rowGroup})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}
