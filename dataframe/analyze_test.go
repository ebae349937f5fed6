package dataframe

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/sql/planner"
)

// showStats returns SHOW STATS's rows, each as its values joined by spaces.
func showStatsRows(t *testing.T, s *Session, table string) []string {
	t.Helper()
	res := execOK(t, s, "SHOW STATS "+table)
	defer res.Release()
	var rows []string
	for _, b := range res.Batches {
		for i := range int(b.NumRows()) {
			var vals []string
			for j := range int(b.NumCols()) {
				vals = append(vals, format.Value(b.Column(j), i))
			}
			rows = append(rows, strings.Join(vals, " "))
		}
	}
	return rows
}

// tableStatistics returns what the optimizer gets for a table.
func tableStatistics(t *testing.T, s *Session, name string) *planner.TableStats {
	t.Helper()
	tbl, _, err := s.cat.LookupTable("", name)
	if err != nil || tbl == nil {
		t.Fatalf("lookup %s: %v", name, err)
	}
	sp, ok := tbl.(planner.StatsProvider)
	if !ok {
		t.Fatalf("table %s (%T) has no statistics", name, tbl)
	}
	return sp.Statistics()
}

// TestAnalyzeSurvivesRestart: the statistics of a managed table of a warehouse are in the
// catalog file, histograms and all, and stay stale across a restart once written.
func TestAnalyzeSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	s1, err := NewSession(WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	execOK(t, s1, "CREATE TABLE m (i BIGINT, s VARCHAR(8), d DECIMAL(5,2), day DATE, ts TIMESTAMP, f DOUBLE, b BOOLEAN)").Release()
	execOK(t, s1, `INSERT INTO m VALUES (1, 'x:y', -1.25, DATE '2020-02-29', TIMESTAMP '2021-01-01 10:00:00', 0.1, true),
		(2, '', 3.50, DATE '1999-12-31', TIMESTAMP '2021-01-01 10:00:00.5', -1e300, false), (NULL, NULL, NULL, NULL, NULL, NULL, NULL)`).Release()
	execOK(t, s1, "ANALYZE TABLE m COMPUTE STATISTICS").Release()
	before := showStatsRows(t, s1, "m")
	stats1 := tableStatistics(t, s1, "m")
	data, err := os.ReadFile(filepath.Join(dir, catalogFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"stats"`) || !strings.Contains(string(data), `"upper": "s:x:y"`) {
		t.Errorf("the catalog file has no statistics:\n%s", data)
	}

	s2, err := NewSession(WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	if after := showStatsRows(t, s2, "m"); !reflect.DeepEqual(before, after) {
		t.Errorf("SHOW STATS after a restart:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	if stats2 := tableStatistics(t, s2, "m"); !reflect.DeepEqual(stats1, stats2) {
		t.Errorf("statistics after a restart:\n%+v\nwant\n%+v", stats2, stats1)
	}
	want := "i BIGINT 3 1 2 1 2 2 analyzed"
	if before[0] != want {
		t.Errorf("first row %q, want %q", before[0], want)
	}

	execOK(t, s2, "UPDATE m SET i = 7 WHERE i = 1").Release()
	s3, err := NewSession(WithWarehouse(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got := showStatsRows(t, s3, "m")[0]; got != "i BIGINT 3 1 2 1 2 2 stale" {
		t.Errorf("after UPDATE and a restart: %q", got)
	}
}

// TestAnalyzeSampleIsDeterministic: a table of several files (splits) larger than the
// sample gets the same statistics whatever the partitions and batch size, with counts
// scaled to the table's rows.
func TestAnalyzeSampleIsDeterministic(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "csv")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f := range 5 {
		var b strings.Builder
		b.WriteString("v,w\n")
		for r := range 400 {
			v := f*400 + r // 0..1999, each once
			fmt.Fprintf(&b, "%d,%d\n", v, v%3)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("part-%d.csv", f)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var first *planner.TableStats
	for _, cfg := range []struct{ parts, batch int }{{1, 8192}, {4, 7}, {3, 100}} {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		s, err := NewSession(WithInMemoryCatalog(), WithPartitions(cfg.parts), WithBatchSize(cfg.batch), WithAllocator(mem))
		if err != nil {
			t.Fatal(err)
		}
		execOK(t, s, "CREATE TABLE c USING csv OPTIONS (header 'true') LOCATION '"+dir+"'").Release()
		execOK(t, s, "ANALYZE TABLE c WITH 100 SAMPLES, 10 BUCKETS").Release()
		st := tableStatistics(t, s, "c")
		mem.AssertSize(t, 0)
		if st.RowCount != 2000 {
			t.Fatalf("rows %d, want 2000", st.RowCount)
		}
		v, w := st.Columns[0], st.Columns[1]
		if v.Min != int64(0) || v.Max != int64(1999) || w.Distinct != 3 {
			t.Errorf("v in [%v, %v], w has %d values; want [0, 1999] and 3", v.Min, v.Max, w.Distinct)
		}
		// The distinct count of 2000 values is past the sketch's exact range: within 2%.
		if math.Abs(float64(v.Distinct)-2000) > 40 {
			t.Errorf("v has %d distinct values, want about 2000", v.Distinct)
		}
		if h := v.Histogram; h == nil || len(h.Buckets) != 10 || h.Total() != 2000 {
			t.Errorf("v's histogram %+v, want 10 buckets totalling 2000 rows", h)
		}
		if first == nil {
			first = st
		} else if !reflect.DeepEqual(first, st) {
			t.Errorf("partitions %d, batch %d: statistics differ:\n%+v\nwant\n%+v", cfg.parts, cfg.batch, st, first)
		}
	}
}

// TestAnalyzedParquetKeepsPruning: an analyzed Parquet table still prunes splits, and its
// statistics combine the footers' live counts with ANALYZE's histograms.
func TestAnalyzedParquetKeepsPruning(t *testing.T) {
	s, err := NewSession(WithWarehouse(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	execOK(t, s, "CREATE TABLE src (k VARCHAR(5), v INT)").Release()
	execOK(t, s, "INSERT INTO src VALUES ('a', 1), ('b', 2), ('a', 3), (NULL, 4)").Release()
	execOK(t, s, "CREATE TABLE p USING parquet PARTITIONED BY (k) AS SELECT v, k FROM src").Release()
	tbl, _, err := s.cat.LookupTable("", "p")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tbl.(datasource.Pruner); !ok {
		t.Fatalf("p (%T) does not prune before ANALYZE", tbl)
	}
	own := tbl.(planner.StatsProvider).Statistics()
	execOK(t, s, "ANALYZE TABLE p COMPUTE STATISTICS FOR COLUMNS v").Release()
	tbl, _, err = s.cat.LookupTable("", "p")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tbl.(datasource.Pruner); !ok {
		t.Fatalf("p (%T) does not prune after ANALYZE", tbl)
	}
	st := tbl.(planner.StatsProvider).Statistics()
	v, k := st.Columns[0], st.Columns[1]
	if st.RowCount != 4 || v.Min != int64(1) || v.Max != int64(4) || v.Histogram == nil || v.NullCount != 0 {
		t.Errorf("v: rows %d, %+v", st.RowCount, v)
	}
	// k was not analyzed: what the source knew of it remains.
	if !reflect.DeepEqual(k, own.Columns[1]) {
		t.Errorf("k: %+v, want the source's %+v", k, own.Columns[1])
	}
	if got := countOf(t, s, "p WHERE k = 'a' AND v > 1"); got != 1 {
		t.Errorf("count %d, want 1", got)
	}
}

func TestStatValueEncoding(t *testing.T) {
	vals := []any{nil, int64(-7), 2.5, math.Inf(-1), math.NaN(), "", "a:b", decimal128.FromI64(-12345),
		decimal128.GetMaxValue(38).Negate(), arrow.Date32(-3), arrow.Timestamp(1e15), true}
	for _, v := range vals {
		enc := encodeValue(v)
		got, err := decodeValue(enc)
		if err != nil {
			t.Errorf("%v (%q): %v", v, enc, err)
			continue
		}
		if f, ok := v.(float64); ok && math.IsNaN(f) {
			if g, ok := got.(float64); !ok || !math.IsNaN(g) {
				t.Errorf("NaN came back as %v", got)
			}
			continue
		}
		if got != v {
			t.Errorf("%v (%T) came back as %v (%T)", v, v, got, got)
		}
	}
	for _, bad := range []string{"x", "i:x", "q:1", "n:1.5", "d:99999999999"} {
		if _, err := decodeValue(bad); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

func TestMinMax(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	cases := []struct {
		typ    arrow.DataType
		json   string
		lo, hi any
	}{
		{arrow.PrimitiveTypes.Int32, `[3, null, -4, 9]`, int64(-4), int64(9)},
		{arrow.PrimitiveTypes.Uint64, `[3, 18]`, int64(3), int64(18)},
		{arrow.PrimitiveTypes.Float64, `[1.5, "NaN", -2, null]`, -2.0, math.NaN()},
		{arrow.PrimitiveTypes.Float64, `["NaN", 4]`, 4.0, math.NaN()},
		{arrow.PrimitiveTypes.Float32, `[0.5, -1]`, -1.0, 0.5},
		{&arrow.Decimal128Type{Precision: 5, Scale: 2}, `["1.50", "-3.25", null]`, decimal128.FromI64(-325), decimal128.FromI64(150)},
		{arrow.BinaryTypes.String, `["b", "", "ab", null]`, "", "b"},
		{arrow.BinaryTypes.LargeString, `["b", "a"]`, "a", "b"},
		{arrow.FixedWidthTypes.Date32, `[19000, 18000]`, arrow.Date32(18000), arrow.Date32(19000)},
		{arrow.FixedWidthTypes.Boolean, `[true, null, true]`, true, true},
		{arrow.PrimitiveTypes.Int64, `[null, null]`, nil, nil},
	}
	for _, c := range cases {
		arr, _, err := array.FromJSON(mem, c.typ, strings.NewReader(c.json))
		if err != nil {
			t.Fatalf("%s %s: %v", c.typ, c.json, err)
		}
		lo, hi, ok := minMax(arr)
		arr.Release()
		same := func(a, b any) bool {
			if f, isF := b.(float64); isF && math.IsNaN(f) {
				g, isG := a.(float64)
				return isG && math.IsNaN(g)
			}
			return a == b
		}
		if ok != (c.lo != nil) || !same(lo, c.lo) || !same(hi, c.hi) {
			t.Errorf("%s %s: %v %v %v, want %v %v", c.typ, c.json, lo, hi, ok, c.lo, c.hi)
		}
	}
}
