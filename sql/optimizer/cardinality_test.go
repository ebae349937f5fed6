package optimizer

import (
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

// analyzedTable is a table with given statistics (what ANALYZE TABLE would find).
type analyzedTable struct {
	name   string
	schema *arrow.Schema
	stats  *planner.TableStats
}

func (t *analyzedTable) Name() string                     { return t.name }
func (t *analyzedTable) ArrowSchema() *arrow.Schema       { return t.schema }
func (t *analyzedTable) Statistics() *planner.TableStats  { return t.stats }
func typedLit(v any, typ arrow.DataType) *planner.Literal { return planner.NewLiteral(v, typ) }
func cmpExpr(op planner.BinaryOp, a, b planner.Expr) planner.Expr {
	return &planner.Binary{Op: op, Left: a, Right: b, Typ: planner.Boolean}
}

// column is a column's values (nil is NULL) and type, and how to describe it.
type column struct {
	name    string
	typ     arrow.DataType
	vals    []any
	buckets int // 0: no histogram; -1: min and max only
}

// analyze builds a table whose statistics are computed exactly from its columns' values,
// as ANALYZE TABLE does for a table smaller than its sample.
func analyze(name string, cols ...column) *planner.Scan {
	var fields []arrow.Field
	st := &planner.TableStats{RowCount: int64(len(cols[0].vals))}
	for _, c := range cols {
		fields = append(fields, arrow.Field{Name: c.name, Type: c.typ, Nullable: true})
		cs := planner.ColumnStats{}
		var nonNull []any
		for _, v := range c.vals {
			if v == nil {
				cs.NullCount++
				continue
			}
			nonNull = append(nonNull, v)
		}
		// Insertion sort: the tests' columns are small.
		for i := 1; i < len(nonNull); i++ {
			for j := i; j > 0; j-- {
				if x, _ := planner.CompareValues(nonNull[j-1], nonNull[j]); x <= 0 {
					break
				}
				nonNull[j-1], nonNull[j] = nonNull[j], nonNull[j-1]
			}
		}
		for i, v := range nonNull {
			if x, _ := planner.CompareValues(v, nonNull[max(i-1, 0)]); i == 0 || x != 0 {
				cs.Distinct++
			}
		}
		if c.buckets != 0 {
			cs.Min, cs.Max = nonNull[0], nonNull[len(nonNull)-1]
		}
		if c.buckets > 0 {
			cs.Histogram = planner.BuildHistogram(nonNull, c.buckets, int64(len(nonNull)), cs.Distinct)
		}
		st.Columns = append(st.Columns, cs)
	}
	return planner.NewScan(&analyzedTable{name: name, schema: arrow.NewSchema(fields, nil), stats: st}, "")
}

func intVals(from, to int64) []any {
	var out []any
	for v := from; v <= to; v++ {
		out = append(out, v)
	}
	return out
}

func repeat(v any, n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func concat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TestHistogramEstimates checks estimates over columns whose true answers are known:
// t has 100 rows; a is 1..100; b is 0 fifty times then 1..50; c is 1..80 and 20 NULLs;
// d is a with only its min and max known; e is dates 2024-01-01 (19723) + 0..99; s is
// strings "k00".."k99".
func TestHistogramEstimates(t *testing.T) {
	var dates, strs []any
	for i := range 100 {
		dates = append(dates, arrow.Date32(19723+i))
		strs = append(strs, "k"+string(rune('0'+i/10))+string(rune('0'+i%10)))
	}
	scan := analyze("t",
		column{"a", planner.Int64, intVals(1, 100), 10},
		column{"b", planner.Int64, concat(repeat(int64(0), 50), intVals(1, 50)), 10},
		column{"c", planner.Int64, concat(intVals(1, 80), repeat(nil, 20)), 8},
		column{"d", planner.Int64, intVals(1, 100), -1},
		column{"e", planner.Date, dates, 10},
		column{"s", planner.String, strs, 10},
	)
	col := func(name string) planner.Expr { return colOf(t, scan, "t."+name) }
	i64 := func(v int64) planner.Expr { return typedLit(v, planner.Int64) }
	and := func(a, b planner.Expr) planner.Expr { return cmpExpr(planner.OpAnd, a, b) }
	cases := []struct {
		name string
		cond planner.Expr
		want float64 // the true row count
		tol  float64 // allowed error, in rows
	}{
		{"a < 26", cmpExpr(planner.OpLt, col("a"), i64(26)), 25, 0.01},
		{"a <= 26", cmpExpr(planner.OpLe, col("a"), i64(26)), 26, 0.01},
		{"a >= 26", cmpExpr(planner.OpGe, col("a"), i64(26)), 75, 0.01},
		{"26 > a (mirrored)", cmpExpr(planner.OpGt, i64(26), col("a")), 25, 0.01},
		{"a between 11 and 30", and(cmpExpr(planner.OpGe, col("a"), i64(11)), cmpExpr(planner.OpLe, col("a"), i64(30))), 20, 0.01},
		{"a > 95 and a < 200", and(cmpExpr(planner.OpGt, col("a"), i64(95)), cmpExpr(planner.OpLt, col("a"), i64(200))), 5, 0.01},
		{"a < 0: one row at least", cmpExpr(planner.OpLt, col("a"), i64(0)), 0, 1},
		{"a = 50 (a bucket's bound)", cmpExpr(planner.OpEq, col("a"), i64(50)), 1, 0.01},
		{"a = 45 (inside a bucket)", cmpExpr(planner.OpEq, col("a"), i64(45)), 1, 0.01},
		{"a = 1000 (outside)", cmpExpr(planner.OpEq, col("a"), i64(1000)), 0, 1},
		{"a in (1, 2, 3)", &planner.InList{E: col("a"), List: []planner.Expr{i64(1), i64(2), i64(3)}}, 3, 0.01},
		{"a not in (1, 2, 3)", &planner.InList{E: col("a"), List: []planner.Expr{i64(1), i64(2), i64(3)}, Negated: true}, 97, 0.01},
		{"b = 0 (frequent)", cmpExpr(planner.OpEq, col("b"), i64(0)), 50, 0.01},
		{"b = 7", cmpExpr(planner.OpEq, col("b"), i64(7)), 1, 0.01},
		{"b <> 0", cmpExpr(planner.OpNe, col("b"), i64(0)), 50, 0.01},
		{"b > 0", cmpExpr(planner.OpGt, col("b"), i64(0)), 50, 0.01},
		{"b <= 25", cmpExpr(planner.OpLe, col("b"), i64(25)), 75, 1},
		{"c is null", &planner.IsNull{E: col("c")}, 20, 0.01},
		{"c is not null", &planner.IsNull{E: col("c"), Negated: true}, 80, 0.01},
		{"c <= 40 (NULLs never match)", cmpExpr(planner.OpLe, col("c"), i64(40)), 40, 0.01},
		{"c = 5", cmpExpr(planner.OpEq, col("c"), i64(5)), 1, 0.01},
		{"d < 51 (min and max)", cmpExpr(planner.OpLt, col("d"), i64(51)), 50, 0.6},
		{"d > 100 (min and max)", cmpExpr(planner.OpGt, col("d"), i64(100)), 0, 1},
		{"d = 500 (beyond max)", cmpExpr(planner.OpEq, col("d"), i64(500)), 0, 1},
		{"e >= 2024-03-01", cmpExpr(planner.OpGe, col("e"), typedLit(arrow.Date32(19723+60), planner.Date)), 40, 0.01},
		{"s < 'k25'", cmpExpr(planner.OpLt, col("s"), typedLit("k25", planner.String)), 25, 1},
		{"s >= 'k9'", cmpExpr(planner.OpGe, col("s"), typedLit("k9", planner.String)), 10, 1},
		{"s = 'k42'", cmpExpr(planner.OpEq, col("s"), typedLit("k42", planner.String)), 1, 0.01},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := planner.NewFilter(scan, c.cond)
			if err != nil {
				t.Fatal(err)
			}
			if got := newEstimator().rows(f); math.Abs(got-c.want) > c.tol {
				t.Errorf("estimated %.3f rows, want %.0f ± %g", got, c.want, c.tol)
			}
		})
	}
}

// TestEstimatesWithoutStatistics: a table that knows only its row count keeps the
// textbook selectivities; one that knows a column has no NULLs (Parquet footers) says so.
func TestEstimatesWithoutStatistics(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.Int64, Nullable: true}}, nil)
	scan := planner.NewScan(&analyzedTable{name: "u", schema: schema,
		stats: &planner.TableStats{RowCount: 900, Columns: []planner.ColumnStats{{NullCount: -1, Distinct: -1}}}}, "")
	a := colOf(t, scan, "u.a")
	cases := []struct {
		cond planner.Expr
		want float64
	}{
		{cmpExpr(planner.OpLt, a, typedLit(int64(5), planner.Int64)), 300},
		{cmpExpr(planner.OpAnd, cmpExpr(planner.OpGe, a, typedLit(int64(1), planner.Int64)), cmpExpr(planner.OpLe, a, typedLit(int64(2), planner.Int64))), 100},
		{&planner.IsNull{E: a}, 45},
		{cmpExpr(planner.OpNe, a, typedLit(int64(5), planner.Int64)), 810},
		{cmpExpr(planner.OpEq, a, typedLit(int64(5), planner.Int64)), 90}, // 0.1: no distinct count
	}
	for _, c := range cases {
		f, err := planner.NewFilter(scan, c.cond)
		if err != nil {
			t.Fatal(err)
		}
		if got := newEstimator().rows(f); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("%s: estimated %.3f rows, want %.0f", c.cond, got, c.want)
		}
	}
	noNulls := planner.NewScan(&statsTable{name: "w", cols: []string{"a"}, rows: 900, distinct: []int64{-1}}, "")
	f, err := planner.NewFilter(noNulls, &planner.IsNull{E: colOf(t, noNulls, "w.a")})
	if err != nil {
		t.Fatal(err)
	}
	if got := newEstimator().rows(f); got != 1 {
		t.Errorf("IS NULL of a column without NULLs: %.3f rows, want 1 (the floor)", got)
	}
	// An unknown table counts as defaultRows.
	plain := planner.NewScan(newTable("v", "x"), "")
	if got := newEstimator().rows(plain); got != defaultRows {
		t.Errorf("table without statistics: %.0f rows, want %.0f", got, defaultRows)
	}
}

// TestJoinAndGroupEstimates: joins divide by the larger distinct count and keep only
// non-NULL keys; groups are the keys' distinct counts; DISTINCT the product of its
// columns'.
func TestJoinAndGroupEstimates(t *testing.T) {
	var keys, groups []any
	for i := range 1000 {
		if i%5 == 0 {
			keys = append(keys, nil) // 200 NULL keys
		} else {
			keys = append(keys, int64(i%100))
		}
		groups = append(groups, int64(i%7))
	}
	fact := analyze("f", column{"k", planner.Int64, keys, 10}, column{"g", planner.Int64, groups, 7})
	dim := analyze("d", column{"k", planner.Int64, intVals(0, 99), 10})
	j, err := planner.NewJoin(fact, dim, planner.InnerJoin, eqExpr(colOf(t, fact, "f.k"), colOf(t, dim, "d.k")))
	if err != nil {
		t.Fatal(err)
	}
	e := newEstimator()
	// 1000 × 100 / 100, less the 20% NULL keys: 800 (the true answer).
	if got := e.rows(j); math.Abs(got-800) > 0.01 {
		t.Errorf("join rows %.2f, want 800", got)
	}
	g := colOf(t, fact, "f.g")
	agg := aggregate(t, fact, []planner.Expr{g}, []string{"g"}, nil, nil)
	if got := e.rows(agg); got != 7 {
		t.Errorf("groups %.2f, want 7", got)
	}
	proj, err := planner.NewProject(fact, []planner.Expr{g}, []planner.Column{planner.NewColumn("g", "", planner.Int64, true)})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.rows(planner.NewDistinct(proj)); got != 7 {
		t.Errorf("distinct rows %.2f, want 7", got)
	}
	// Statistics pass through the projection: a filter above it uses the histogram.
	f, err := planner.NewFilter(proj, cmpExpr(planner.OpLt, colOf(t, proj, "g"), typedLit(int64(3), planner.Int64)))
	if err != nil {
		t.Fatal(err)
	}
	// g < 3 holds for 3 of every 7 values: 429 of 1000 rows (143 each of 0, 1 and 2).
	if got := e.rows(f); math.Abs(got-429) > 1 {
		t.Errorf("filter over projection: %.2f rows, want 429", got)
	}
}
