package exec

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// winRow is one input row of the window tests: k partitions (NULL when kNull), o orders
// (with ties; NULL when oNull), v is unique.
type winRow struct {
	k, o, v      int64
	kNull, oNull bool
}

const (
	colK = iota
	colO
	colV
	colLo  // o - 3: the RANGE 3 PRECEDING boundary
	colHi  // o + 2: the RANGE 2 FOLLOWING boundary
	colNul // an all-NULL BIGINT (lead's default)
)

func windowRows(n int) []winRow {
	rows := make([]winRow, n)
	for i := range rows {
		rows[i] = winRow{k: int64(i % 7), o: int64(i * 37 % 50), v: int64(i), kNull: i%13 == 0, oNull: i%11 == 0}
	}
	return rows
}

// windowSource is rows as an in-memory table (k, o, v, lo, hi, nul) of batches of 100 rows.
func windowSource(mem memory.Allocator, rows []winRow, splits int) datasource.Source {
	i64 := arrow.PrimitiveTypes.Int64
	names := []string{"k", "o", "v", "lo", "hi", "nul"}
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: i64, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	var batches []arrow.RecordBatch
	for start := 0; start < len(rows); start += 100 {
		b := array.NewRecordBuilder(mem, schema)
		for _, r := range rows[start:min(start+100, len(rows))] {
			vals := []int64{r.k, r.o, r.v, r.o - 3, r.o + 2, 0}
			nulls := []bool{r.kNull, r.oNull, false, r.oNull, r.oNull, true}
			for j := range vals {
				if nulls[j] {
					b.Field(j).(*array.Int64Builder).AppendNull()
				} else {
					b.Field(j).(*array.Int64Builder).Append(vals[j])
				}
			}
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	src := datasource.NewMemory("w", schema, batches, splits)
	for _, b := range batches {
		b.Release()
	}
	return src
}

// runWindow runs a WindowExec over the rows (hash-exchanged on k when parts > 1) and returns
// every output column by v (the row's unique value): column i of the result is output column
// 6+i, nil for NULL.
func runWindow(t *testing.T, mem memory.Allocator, rows []winRow, parts, batch int, order []WindowKey, funcs []WindowFuncExec) map[int64][]*float64 {
	t.Helper()
	src := windowSource(mem, rows, 3)
	defer src.(interface{ Release() }).Release()
	var child Node = NewScanExec(src, []int{0, 1, 2, 3, 4, 5}, splits(t, src), parts)
	if parts > 1 {
		child = NewExchange(child, Partitioning{Kind: HashPartitioning, N: parts, Keys: []int{colK}})
	}
	node := NewWindowExec(child, 6, []int{colK}, order, funcs)
	ex, err := Run(context.Background(), node, Config{Parallelism: 2, BatchSize: batch, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Release()
	out := map[int64][]*float64{}
	for _, b := range ex.Batches {
		if b.NumRows() > int64(batch) {
			t.Errorf("batch of %d rows, batch size %d", b.NumRows(), batch)
		}
		for i := 0; i < int(b.NumRows()); i++ {
			v := b.Column(colV).(*array.Int64).Value(i)
			var vals []*float64
			for c := 6; c < int(b.NumCols()); c++ {
				col := b.Column(c)
				if col.IsNull(i) {
					vals = append(vals, nil)
					continue
				}
				var f float64
				switch a := col.(type) {
				case *array.Int64:
					f = float64(a.Value(i))
				case *array.Float64:
					f = a.Value(i)
				default:
					t.Fatalf("unexpected result type %s", col.DataType())
				}
				vals = append(vals, &f)
			}
			out[v] = vals
		}
	}
	if len(out) != len(rows) {
		t.Fatalf("%d rows out, want %d", len(out), len(rows))
	}
	return out
}

// partitionOf returns the rows sharing r's partition key (NULLs together), sorted by less.
func partitionOf(rows []winRow, r winRow, less func(a, b winRow) int) []winRow {
	var p []winRow
	for _, x := range rows {
		if x.kNull == r.kNull && (r.kNull || x.k == r.k) {
			p = append(p, x)
		}
	}
	slices.SortStableFunc(p, less)
	return p
}

// oCmp orders by o ASC NULLS FIRST.
func oCmp(a, b winRow) int {
	switch {
	case a.oNull && b.oNull:
		return 0
	case a.oNull:
		return -1
	case b.oNull:
		return 1
	}
	return cmp.Compare(a.o, b.o)
}

func f64(x float64) *float64 { return &x }

func aggFn(t *testing.T, name string) udf.AggregateFunction {
	f, ok := aggFnOK(name)
	if !ok {
		t.Fatalf("no aggregate %s", name)
	}
	return f
}

func aggFnOK(name string) (udf.AggregateFunction, bool) { return udf.NewBuiltins().Aggregate(name) }

func checkWindow(t *testing.T, rows []winRow, got map[int64][]*float64, names []string, want func(r winRow) []*float64) {
	t.Helper()
	bad := 0
	for _, r := range rows {
		w, g := want(r), got[r.v]
		for i := range w {
			same := (w[i] == nil) == (g[i] == nil) && (w[i] == nil || math.Abs(*w[i]-*g[i]) < 1e-9)
			if !same && bad < 10 {
				t.Errorf("v=%d %s: got %s, want %s", r.v, names[i], show(g[i]), show(w[i]))
				bad++
			}
		}
	}
}

func show(f *float64) string {
	if f == nil {
		return "NULL"
	}
	return fmt.Sprint(*f)
}

// TestWindowPeers checks the functions that see peers (ORDER BY o with ties and NULLs)
// against a direct reading of their definitions, at partitions 1 and 4 and several batch
// sizes, on a checked allocator.
func TestWindowPeers(t *testing.T) {
	i64, f64t := arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64
	rows := windowRows(500)
	rangeFrame := WindowFrameExec{Range: true, RangeKey: colO,
		Start: WindowBound{Kind: planner.Preceding, Value: colLo},
		End:   WindowBound{Kind: planner.Following, Value: colHi}}
	running := WindowFrameExec{Range: true, RangeKey: -1,
		Start: WindowBound{Kind: planner.UnboundedPreceding, Value: -1}, End: WindowBound{Kind: planner.CurrentRow, Value: -1}}
	whole := WindowFrameExec{RangeKey: -1,
		Start: WindowBound{Kind: planner.UnboundedPreceding, Value: -1}, End: WindowBound{Kind: planner.UnboundedFollowing, Value: -1}}
	funcs := []WindowFuncExec{
		{Name: planner.WinRank, Type: i64, OutName: "rank"},
		{Name: planner.WinDenseRank, Type: i64, OutName: "dense_rank"},
		{Name: planner.WinPercentRank, Type: f64t, OutName: "percent_rank"},
		{Name: planner.WinCumeDist, Type: f64t, OutName: "cume_dist"},
		{Name: "count", Agg: aggFn(t, "count"), Args: []int{colV}, ArgTypes: []arrow.DataType{i64}, Frame: running, Type: i64, OutName: "running count"},
		{Name: "sum", Agg: aggFn(t, "sum"), Args: []int{colV}, ArgTypes: []arrow.DataType{i64}, Frame: rangeFrame, Type: i64, OutName: "range sum"},
		{Name: "max", Agg: aggFn(t, "max"), Args: []int{colV}, ArgTypes: []arrow.DataType{i64}, Frame: whole, Type: i64, OutName: "partition max"},
	}
	names := make([]string, len(funcs))
	for i, f := range funcs {
		names[i] = f.OutName
	}
	want := func(r winRow) []*float64 {
		p := partitionOf(rows, r, oCmp)
		var before, notAfter, distinctBefore int
		var rsum, pmax float64
		pmax = -1
		seen := map[string]bool{}
		for _, x := range p {
			c := oCmp(x, r)
			if c < 0 {
				before++
				key := fmt.Sprint(x.o)
				if x.oNull {
					key = "NULL"
				}
				if !seen[key] {
					seen[key] = true
					distinctBefore++
				}
			}
			if c <= 0 {
				notAfter++
			}
			inRange := x.oNull && r.oNull || !x.oNull && !r.oNull && x.o >= r.o-3 && x.o <= r.o+2
			if inRange {
				rsum += float64(x.v)
			}
			pmax = max(pmax, float64(x.v))
		}
		pr := 0.0
		if len(p) > 1 {
			pr = float64(before) / float64(len(p)-1)
		}
		return []*float64{f64(float64(before + 1)), f64(float64(distinctBefore + 1)), f64(pr),
			f64(float64(notAfter) / float64(len(p))), f64(float64(notAfter)), f64(rsum), f64(pmax)}
	}
	for _, parts := range []int{1, 4} {
		for _, batch := range []int{8192, 7, 1} {
			t.Run(fmt.Sprintf("parts=%d/batch=%d", parts, batch), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
				defer mem.AssertSize(t, 0)
				got := runWindow(t, mem, rows, parts, batch, []WindowKey{{Col: colO, NullsFirst: true}}, funcs)
				checkWindow(t, rows, got, names, want)
			})
		}
	}
}

// TestWindowRows checks row-based functions under ORDER BY v DESC (unique): row_number,
// ntile, lag and lead with defaults, first/last/nth_value and sliding aggregates over ROWS
// frames, including frames that are empty at the partition's edges.
func TestWindowRows(t *testing.T) {
	i64 := arrow.PrimitiveTypes.Int64
	rows := windowRows(300)
	rowsFrame := func(sk planner.BoundKind, sn int64, ek planner.BoundKind, en int64) WindowFrameExec {
		return WindowFrameExec{RangeKey: -1, Start: WindowBound{Kind: sk, N: sn, Value: -1}, End: WindowBound{Kind: ek, N: en, Value: -1}}
	}
	funcs := []WindowFuncExec{
		{Name: planner.WinRowNumber, Type: i64, OutName: "row_number"},
		{Name: planner.WinNtile, N: 4, Type: i64, OutName: "ntile(4)"},
		{Name: planner.WinLag, N: 2, Args: []int{colO, colV}, Type: i64, OutName: "lag(o, 2, v)"},
		{Name: planner.WinLead, N: 1, Args: []int{colO, colNul}, Type: i64, OutName: "lead(o)"},
		{Name: planner.WinFirstValue, Args: []int{colO}, Frame: rowsFrame(planner.Preceding, 2, planner.Preceding, 1), Type: i64, OutName: "first_value 2..1 preceding"},
		{Name: planner.WinLastValue, Args: []int{colO}, Frame: rowsFrame(planner.CurrentRow, 0, planner.Following, 3), Type: i64, OutName: "last_value current..3 following"},
		{Name: planner.WinNthValue, N: 2, Args: []int{colO}, Frame: rowsFrame(planner.UnboundedPreceding, 0, planner.CurrentRow, 0), Type: i64, OutName: "nth_value(o, 2) running"},
		{Name: "sum", Agg: aggFn(t, "sum"), Args: []int{colO}, ArgTypes: []arrow.DataType{i64}, Frame: rowsFrame(planner.Preceding, 3, planner.Following, 1), Type: i64, OutName: "sum 3 preceding..1 following"},
		{Name: "min", Agg: aggFn(t, "min"), Args: []int{colO}, ArgTypes: []arrow.DataType{i64}, Frame: rowsFrame(planner.Following, 2, planner.Following, 5), Type: i64, OutName: "min 2..5 following"},
		{Name: "count", Agg: aggFn(t, "count"), Frame: rowsFrame(planner.UnboundedPreceding, 0, planner.Preceding, 1), Type: i64, OutName: "count(*) to 1 preceding"},
	}
	names := make([]string, len(funcs))
	for i, f := range funcs {
		names[i] = f.OutName
	}
	byVDesc := func(a, b winRow) int { return cmp.Compare(b.v, a.v) }
	want := func(r winRow) []*float64 {
		p := partitionOf(rows, r, byVDesc)
		n := len(p)
		i := slices.IndexFunc(p, func(x winRow) bool { return x.v == r.v })
		o := func(j int) *float64 {
			if j < 0 || j >= n || p[j].oNull {
				return nil
			}
			return f64(float64(p[j].o))
		}
		agg := func(lo, hi int, f func(acc *float64, x float64) *float64) *float64 {
			var acc *float64
			for j := max(lo, 0); j <= min(hi, n-1); j++ {
				if x := o(j); x != nil {
					acc = f(acc, *x)
				}
			}
			return acc
		}
		sum := func(acc *float64, x float64) *float64 {
			if acc == nil {
				return f64(x)
			}
			return f64(*acc + x)
		}
		minf := func(acc *float64, x float64) *float64 {
			if acc == nil || x < *acc {
				return f64(x)
			}
			return acc
		}
		q, rem := n/4, n%4
		var tile int
		if i < rem*(q+1) {
			tile = i/(q+1) + 1
		} else {
			tile = rem + (i-rem*(q+1))/q + 1
		}
		lag := f64(float64(r.v))
		if i >= 2 {
			lag = o(i - 2)
		}
		var first *float64
		if i >= 1 {
			first = o(max(i-2, 0))
		}
		var nth *float64
		if i >= 1 {
			nth = o(1)
		}
		return []*float64{f64(float64(i + 1)), f64(float64(tile)), lag, o(i + 1), first, o(min(i+3, n-1)), nth,
			agg(i-3, i+1, sum), agg(i+2, i+5, minf), f64(float64(i))}
	}
	for _, parts := range []int{1, 4} {
		for _, batch := range []int{8192, 7, 1} {
			t.Run(fmt.Sprintf("parts=%d/batch=%d", parts, batch), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
				defer mem.AssertSize(t, 0)
				got := runWindow(t, mem, rows, parts, batch, []WindowKey{{Col: colV, Desc: true}}, funcs)
				checkWindow(t, rows, got, names, want)
			})
		}
	}
}

// TestWindowEmptyInput checks that no rows in gives no rows out and frees everything.
func TestWindowEmptyInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := windowSource(mem, nil, 1)
	defer src.(interface{ Release() }).Release()
	scan := NewScanExec(src, []int{0, 1, 2, 3, 4, 5}, splits(t, src), 1)
	node := NewWindowExec(scan, 6, []int{colK}, nil, []WindowFuncExec{{Name: planner.WinRowNumber, Type: arrow.PrimitiveTypes.Int64, OutName: "rn"}})
	ex, err := Run(context.Background(), node, Config{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Release()
	var n int64
	for _, b := range ex.Batches {
		n += b.NumRows()
	}
	if n != 0 {
		t.Fatalf("%d rows from empty input", n)
	}
}
