package dataframe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// describeSession opens an in-memory session on a checked allocator, with small batches
// and several partitions so that the statistics cross batch and partition boundaries.
func describeSession(t *testing.T) *Session {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	s, err := NewSession(WithInMemoryCatalog(), WithAllocator(mem), WithPartitions(3), WithBatchSize(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		mem.AssertSize(t, 0)
	})
	return s
}

// describeRun runs the describe query of from and returns its column names and rows (nil
// for NULL), checking that every column is VARCHAR.
func describeRun(t *testing.T, s *Session, from string, cols, stats []string) ([]string, [][]*string) {
	t.Helper()
	ctx := context.Background()
	res, err := s.Exec(ctx, "SELECT * FROM "+from+" LIMIT 0")
	if err != nil {
		t.Fatal(err)
	}
	schema := res.Schema
	res.Release()
	q, err := describeSQL(from, schema, cols, stats)
	if err != nil {
		t.Fatal(err)
	}
	res, err = s.Exec(ctx, q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer res.Release()
	var names []string
	for _, f := range res.Schema.Fields() {
		names = append(names, f.Name)
		if f.Type.ID() != arrow.STRING {
			t.Fatalf("column %s is %s, not VARCHAR", f.Name, f.Type)
		}
	}
	rows, err := rowsFromBatches(res.Batches)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]*string, len(rows))
	for i, r := range rows {
		out[i] = make([]*string, len(r))
		for c, v := range r {
			if v != nil {
				s := v.(string)
				out[i][c] = &s
			}
		}
	}
	return names, out
}

// handStats computes Spark's statistics of non-NULL values by hand: count, mean, sample
// standard deviation, and the discrete percentile (the first value whose cumulative share
// reaches p).
type handStats struct{ vals []float64 }

func (h handStats) count() string { return strconv.Itoa(len(h.vals)) }
func (h handStats) mean() float64 {
	sum := 0.0
	for _, v := range h.vals {
		sum += v
	}
	return sum / float64(len(h.vals))
}
func (h handStats) stddev() float64 {
	m, ss := h.mean(), 0.0
	for _, v := range h.vals {
		ss += (v - m) * (v - m)
	}
	return math.Sqrt(ss / float64(len(h.vals)-1))
}
func (h handStats) percentile(p float64) float64 {
	s := slices.Sorted(slices.Values(h.vals))
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(i, 0)]
}

// checkCell compares a result cell with a want: "NULL", an exact text, or "~<float>" for
// a value equal up to rounding.
func checkCell(t *testing.T, stat, col string, got *string, want string) {
	t.Helper()
	switch {
	case want == "NULL":
		if got != nil {
			t.Errorf("%s of %s: %q, want NULL", stat, col, *got)
		}
	case got == nil:
		t.Errorf("%s of %s: NULL, want %s", stat, col, want)
	case strings.HasPrefix(want, "~"):
		w, _ := strconv.ParseFloat(want[1:], 64)
		g, err := strconv.ParseFloat(*got, 64)
		if err != nil || math.Abs(g-w) > 1e-12*math.Max(1, math.Abs(w)) {
			t.Errorf("%s of %s: %q, want about %v", stat, col, *got, w)
		}
	case *got != want:
		t.Errorf("%s of %s: %q, want %q", stat, col, *got, want)
	}
}

func TestDescribeSQL(t *testing.T) {
	s := describeSession(t)
	ctx := context.Background()
	// The table's values, by hand (nil is NULL); amounts in cents.
	ints := []any{3, nil, 1, 4, 1, 5, 9}
	floats := []any{2.5, nil, -1.0, 0.25, 10.0, nil, 0.5}
	cents := []any{110, nil, 225, 5, nil, 1000, 333}
	strs := []any{"pear", nil, "apple", "fig", "", "kiwi", "plum"}
	var values []string
	for r := range ints {
		lit := func(v any, f func(any) string) string {
			if v == nil {
				return "NULL"
			}
			return f(v)
		}
		values = append(values, fmt.Sprintf("(%s, %s, %s, %s, DATE '2024-01-0%d')",
			lit(ints[r], func(v any) string { return strconv.Itoa(v.(int)) }),
			lit(floats[r], func(v any) string { return strconv.FormatFloat(v.(float64), 'f', -1, 64) }),
			lit(cents[r], func(v any) string { return fmt.Sprintf("%d.%02d", v.(int)/100, v.(int)%100) }),
			lit(strs[r], func(v any) string { return "'" + v.(string) + "'" }), r+1))
	}
	res, err := s.Exec(ctx, "CREATE TABLE m (i INT, x DOUBLE, amount DECIMAL(10,2), s VARCHAR(10), d DATE);"+
		"INSERT INTO m VALUES "+strings.Join(values, ", "))
	if err != nil {
		t.Fatal(err)
	}
	res.Release()

	hand := func(col []any, conv func(any) float64) handStats {
		var h handStats
		for _, v := range col {
			if v != nil {
				h.vals = append(h.vals, conv(v))
			}
		}
		return h
	}
	hi := hand(ints, func(v any) float64 { return float64(v.(int)) })
	hx := hand(floats, func(v any) float64 { return v.(float64) })
	ha := hand(cents, func(v any) float64 { return float64(v.(int)) / 100 })
	itext := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	atext := func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
	var sv []string
	for _, v := range strs {
		if v != nil {
			sv = append(sv, v.(string))
		}
	}
	want := map[string][]string{ // statistic → i, x, amount, s
		"count":  {hi.count(), hx.count(), ha.count(), strconv.Itoa(len(sv))},
		"mean":   {fmt.Sprint("~", hi.mean()), fmt.Sprint("~", hx.mean()), fmt.Sprint("~", ha.mean()), "NULL"},
		"stddev": {fmt.Sprint("~", hi.stddev()), fmt.Sprint("~", hx.stddev()), fmt.Sprint("~", ha.stddev()), "NULL"},
		"min":    {itext(hi.percentile(0)), itext(hx.percentile(0)), atext(ha.percentile(0)), slices.Min(sv)},
		"max":    {itext(hi.percentile(1)), itext(hx.percentile(1)), atext(ha.percentile(1)), slices.Max(sv)},
	}
	for _, p := range []float64{0.25, 0.5, 0.75} {
		k := strconv.Itoa(int(p*100)) + "%"
		want[k] = []string{itext(hi.percentile(p)), itext(hx.percentile(p)), atext(ha.percentile(p)), "NULL"}
	}

	// summary(): every numeric and string column (not the date), every default statistic.
	names, rows := describeRun(t, s, "(SELECT * FROM `m`) AS `q`", nil, nil)
	if strings.Join(names, ",") != "summary,i,x,amount,s" {
		t.Fatalf("columns %v", names)
	}
	if len(rows) != len(summaryStats) {
		t.Fatalf("%d rows, want %d", len(rows), len(summaryStats))
	}
	for r, st := range summaryStats {
		if rows[r][0] == nil || *rows[r][0] != st {
			t.Fatalf("row %d is %v, want statistic %s", r, rows[r][0], st)
		}
		for c := range 4 {
			checkCell(t, st, names[c+1], rows[r][c+1], want[st][c])
		}
	}

	// describe() of named columns (any case), a date among them, and other percentages.
	stats := []string{"COUNT", "max", "0%", "100%", "mean", "min"}
	names, rows = describeRun(t, s, "`m`", []string{"S", "d", "i"}, stats)
	if strings.Join(names, ",") != "summary,s,d,i" {
		t.Fatalf("columns %v", names)
	}
	wantRows := [][]string{
		{"count", want["count"][3], "7", want["count"][0]},
		{"max", want["max"][3], "2024-01-07", want["max"][0]},
		{"0%", "NULL", "NULL", want["min"][0]},
		{"100%", "NULL", "NULL", want["max"][0]},
		{"mean", "NULL", "NULL", want["mean"][0]},
		{"min", want["min"][3], "2024-01-01", want["min"][0]},
	}
	if len(rows) != len(wantRows) {
		t.Fatalf("%d rows, want %d", len(rows), len(wantRows))
	}
	for r, w := range wantRows {
		checkCell(t, "summary", "summary", rows[r][0], w[0])
		for c := 1; c < len(w); c++ {
			checkCell(t, w[0], names[c], rows[r][c], w[c])
		}
	}

	// No rows: counts are 0, everything else NULL.
	_, rows = describeRun(t, s, "(SELECT * FROM m WHERE i > 100) AS e", []string{"i", "s"}, describeStats)
	for r, st := range describeStats {
		w := "NULL"
		if st == "count" {
			w = "0"
		}
		checkCell(t, st, "i", rows[r][1], w)
		checkCell(t, st, "s", rows[r][2], w)
	}

	// No describable column: only the summary column.
	names, rows = describeRun(t, s, "(SELECT d FROM m) AS q", nil, []string{"count", "max"})
	if len(names) != 1 || len(rows) != 2 || *rows[0][0] != "count" || *rows[1][0] != "max" {
		t.Fatalf("columns %v, rows %v", names, rows)
	}
}

// TestDescribeSQLFromCSV describes a CSV table (inferred BIGINT, DOUBLE and VARCHAR
// columns with empty fields as NULL) through a derived table.
func TestDescribeSQLFromCSV(t *testing.T) {
	s := describeSession(t)
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte("a,b,name\n1,1.5,x\n2,,yy\n4,3.25,\n10,-2,zz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := s.Exec(context.Background(), "CREATE TABLE t USING csv OPTIONS (header 'true') LOCATION '"+path+"'")
	if err != nil {
		t.Fatal(err)
	}
	res.Release()
	names, rows := describeRun(t, s, "(SELECT a, b, name FROM t WHERE a > 1) AS f", nil, describeStats)
	if strings.Join(names, ",") != "summary,a,b,name" {
		t.Fatalf("columns %v", names)
	}
	a := handStats{vals: []float64{2, 4, 10}}
	b := handStats{vals: []float64{3.25, -2}}
	want := [][]string{
		{"count", "3", "2", "2"},
		{"mean", fmt.Sprint("~", a.mean()), fmt.Sprint("~", b.mean()), "NULL"},
		{"stddev", fmt.Sprint("~", a.stddev()), fmt.Sprint("~", b.stddev()), "NULL"},
		{"min", "2", "-2", "yy"},
		{"max", "10", "3.25", "zz"},
	}
	for r, w := range want {
		checkCell(t, "summary", "summary", rows[r][0], w[0])
		for c := 1; c < len(w); c++ {
			checkCell(t, w[0], names[c], rows[r][c], w[c])
		}
	}
}

func TestDescribeSQLErrors(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "amount", Type: arrow.PrimitiveTypes.Int64},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	}, nil)
	tests := []struct {
		name  string
		cols  []string
		stats []string
		text  []string
	}{
		{"unknown column", []string{"amout"}, nil, []string{`unknown column "amout"`, `"amount"`}},
		{"array column", []string{"tags"}, nil, []string{`cannot describe column "tags" of type ARRAY<VARCHAR>`}},
		{"unknown statistic", nil, []string{"count", "maen"}, []string{`unknown statistic "maen"`, `did you mean "mean"?`}},
		{"percentage too large", nil, []string{"150%"}, []string{`statistic "150%"`, "from 0 to 100"}},
		{"not a percentage", nil, []string{"x%"}, []string{`statistic "x%"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := describeSQL("`t`", schema, tc.cols, tc.stats)
			if !errors.Is(err, errs.ErrPlan) {
				t.Fatalf("error %v is not a plan error", err)
			}
			for _, f := range tc.text {
				if !strings.Contains(err.Error(), f) {
					t.Fatalf("error %q does not contain %q", err, f)
				}
			}
		})
	}
}
