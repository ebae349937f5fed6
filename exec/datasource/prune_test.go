package datasource

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/sql/planner"
)

// The pruning file: 100 rows sorted by id, in 10 row groups of 10 (group g holds ids
// 10g..10g+9). Columns, by ordinal:
//
//	0 id    BIGINT NOT NULL  id
//	1 n     INT              NULL for id < 20 and for id%10 == 5 below 50, else id
//	2 s     VARCHAR          letter 'a'+g, then id in two digits: "a00".."j99"
//	3 d     DATE             2024-01-01 + id days
//	4 ts    TIMESTAMP        2024-01-01 00:00 + id hours
//	5 f     DOUBLE           id*1.5, but -0.0 for id 0 and NaN for id 99
//	6 dec   DECIMAL(9,2)     id-50 (INT32 in the file)
//	7 wide  DECIMAL(30,2)    id-55 (FIXED_LEN_BYTE_ARRAY): group 5 mixes signs
//	8 b     BOOLEAN          id >= 50
//	9 t8    TINYINT          id-50
var pruneSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "n", Type: planner.Int32, Nullable: true},
	{Name: "s", Type: planner.String},
	{Name: "d", Type: planner.Date},
	{Name: "ts", Type: planner.Timestamp},
	{Name: "f", Type: planner.Float64},
	{Name: "dec", Type: planner.Decimal(9, 2)},
	{Name: "wide", Type: planner.Decimal(30, 2)},
	{Name: "b", Type: planner.Boolean},
	{Name: "t8", Type: planner.Int8},
}, nil)

const pruneRows = 100

var day0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func pruneBatch(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, pruneSchema)
	defer b.Release()
	for id := range pruneRows {
		b.Field(0).(*array.Int64Builder).Append(int64(id))
		if id < 20 || id < 50 && id%10 == 5 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Int32Builder).Append(int32(id))
		}
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("%c%02d", 'a'+id/10, id))
		b.Field(3).(*array.Date32Builder).Append(arrow.Date32FromTime(day0.AddDate(0, 0, id)))
		b.Field(4).(*array.TimestampBuilder).Append(arrow.Timestamp(day0.Add(time.Duration(id) * time.Hour).UnixMicro()))
		f := float64(id) * 1.5
		switch id {
		case 0:
			f = math.Copysign(0, -1)
		case 99:
			f = math.NaN()
		}
		b.Field(5).(*array.Float64Builder).Append(f)
		b.Field(6).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(id-50) * 100))
		b.Field(7).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(id-55) * 100))
		b.Field(8).(*array.BooleanBuilder).Append(id >= 50)
		b.Field(9).(*array.Int8Builder).Append(int8(id - 50))
	}
	return b.NewRecordBatch()
}

func writePruneFile(t *testing.T, opts WriteOptions) string {
	t.Helper()
	mem := checkedMem(t)
	batch := pruneBatch(mem)
	defer batch.Release()
	path := filepath.Join(t.TempDir(), "prune.parquet")
	writeParquetFile(t, path, pruneSchema, []arrow.RecordBatch{batch}, opts)
	return path
}

// Predicate builders for the tests.
func cmpPred(op PredOp, col int, t arrow.DataType, v any) Predicate {
	return Predicate{Op: op, Column: col, Name: pruneSchema.Field(col).Name, Type: t, Values: []any{v}}
}

func colPred(op PredOp, col int, v any) Predicate {
	return cmpPred(op, col, pruneSchema.Field(col).Type, v)
}

// dec is a decimal of the given units at the predicate type's scale (1.50 at scale 2 is 150).
func dec(units int64) decimal128.Num { return decimal128.FromI64(units) }

// keptGroups returns the row groups of src that preds do not rule out.
func keptGroups(t *testing.T, src Source, preds []Predicate) []int {
	t.Helper()
	splits, err := src.Splits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pr, ok := src.(Pruner)
	if !ok {
		t.Fatalf("%T is not a Pruner", src)
	}
	kept := []int{}
	for _, sp := range splits {
		if pr.MayMatch(sp, preds) {
			kept = append(kept, sp.(*FileSplit).RowGroup)
		}
	}
	return kept
}

func groups(gs ...int) []int { return append([]int{}, gs...) }

func allGroups() []int { return groups(0, 1, 2, 3, 4, 5, 6, 7, 8, 9) }

func TestRowGroupPruning(t *testing.T) {
	path := writePruneFile(t, WriteOptions{RowGroupSize: 10})
	src, err := NewParquet("prune", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ts := func(days, hours int) arrow.Timestamp {
		return arrow.Timestamp(day0.AddDate(0, 0, days).Add(time.Duration(hours) * time.Hour).UnixMicro())
	}
	date := func(days int) arrow.Date32 { return arrow.Date32FromTime(day0.AddDate(0, 0, days)) }
	cases := []struct {
		name  string
		preds []Predicate
		want  []int
	}{
		{"no predicates", nil, allGroups()},
		{"id = 35", []Predicate{colPred(PredEq, 0, int64(35))}, groups(3)},
		{"id = 1000", []Predicate{colPred(PredEq, 0, int64(1000))}, groups()},
		{"id < 30", []Predicate{colPred(PredLt, 0, int64(30))}, groups(0, 1, 2)},
		{"id <= 30", []Predicate{colPred(PredLe, 0, int64(30))}, groups(0, 1, 2, 3)},
		{"id > 89", []Predicate{colPred(PredGt, 0, int64(89))}, groups(9)},
		{"id >= 89", []Predicate{colPred(PredGe, 0, int64(89))}, groups(8, 9)},
		{"id <> 35: no group holds only 35", []Predicate{colPred(PredNe, 0, int64(35))}, allGroups()},
		{"id IN (5, 47, 1000, NULL)", []Predicate{{Op: PredIn, Column: 0, Name: "id", Type: planner.Int64,
			Values: []any{int64(5), int64(47), int64(1000), nil}}}, groups(0, 4)},
		{"id BETWEEN 25 AND 34", []Predicate{colPred(PredGe, 0, int64(25)), colPred(PredLe, 0, int64(34))}, groups(2, 3)},
		{"id = NULL matches nothing", []Predicate{colPred(PredEq, 0, nil)}, groups()},
		{"id < 5 OR id > 94", []Predicate{{Op: PredOr, Args: []Predicate{
			colPred(PredLt, 0, int64(5)), colPred(PredGt, 0, int64(94))}}}, groups(0, 9)},
		{"id > 10 AND s < 'c'", []Predicate{{Op: PredAnd, Args: []Predicate{
			colPred(PredGt, 0, int64(10)), colPred(PredLt, 2, "c")}}}, groups(1)},
		{"CAST(id AS DOUBLE) < 20.5", []Predicate{cmpPred(PredLt, 0, planner.Float64, 20.5)}, groups(0, 1, 2)},
		{"CAST(id AS DECIMAL(20,1)) >= 89.5", []Predicate{cmpPred(PredGe, 0, planner.Decimal(20, 1), dec(895))}, groups(9)},
		{"CAST(id AS DECIMAL(20,1)) >= 89.0", []Predicate{cmpPred(PredGe, 0, planner.Decimal(20, 1), dec(890))}, groups(8, 9)},
		{"narrowing cast: not judged", []Predicate{cmpPred(PredEq, 0, planner.Int32, int64(35))}, allGroups()},
		{"unknown column ordinal", []Predicate{colPred(PredEq, 0, int64(35)), {Op: PredEq, Column: 42, Type: planner.Int64, Values: []any{int64(1)}}}, groups(3)},

		// NULLs: groups 0 and 1 of n are all NULL, 2-4 have some, 5-9 none.
		{"n IS NULL", []Predicate{{Op: PredIsNull, Column: 1, Name: "n"}}, groups(0, 1, 2, 3, 4)},
		{"n IS NOT NULL", []Predicate{{Op: PredIsNotNull, Column: 1, Name: "n"}}, groups(2, 3, 4, 5, 6, 7, 8, 9)},
		{"n = 5: only NULL there", []Predicate{colPred(PredEq, 1, int64(5))}, groups()},
		{"n <> 0: all-NULL groups never satisfy a comparison", []Predicate{colPred(PredNe, 1, int64(0))}, groups(2, 3, 4, 5, 6, 7, 8, 9)},
		{"id IS NULL on a NOT NULL column", []Predicate{{Op: PredIsNull, Column: 0, Name: "id"}}, groups()},
		{"CAST(n AS BIGINT) >= 95", []Predicate{cmpPred(PredGe, 1, planner.Int64, int64(95))}, groups(9)},

		// Strings compare bytewise; LIKE prefixes.
		{"s LIKE 'c2%'", []Predicate{colPred(PredPrefix, 2, "c2")}, groups(2)},
		{"s LIKE 'c0%': below c20", []Predicate{colPred(PredPrefix, 2, "c0")}, groups()},
		{"s LIKE 'j%'", []Predicate{colPred(PredPrefix, 2, "j")}, groups(9)},
		{"s = 'c25'", []Predicate{colPred(PredEq, 2, "c25")}, groups(2)},
		{"s >= 'i'", []Predicate{colPred(PredGe, 2, "i")}, groups(8, 9)},
		{"s < 'b'", []Predicate{colPred(PredLt, 2, "b")}, groups(0)},
		{"s > 'C': upper case sorts first", []Predicate{colPred(PredGt, 2, "C")}, allGroups()},

		// Dates and timestamps, and DATE cast to TIMESTAMP.
		{"d < DATE '2024-01-15'", []Predicate{colPred(PredLt, 3, date(14))}, groups(0, 1)},
		{"d = DATE '2024-04-09'", []Predicate{colPred(PredEq, 3, date(99))}, groups(9)},
		{"CAST(d AS TIMESTAMP) >= TIMESTAMP '2024-04-09 00:00:01'", []Predicate{cmpPred(PredGe, 3, planner.Timestamp, ts(99, 0)+1)}, groups()},
		{"CAST(d AS TIMESTAMP) > TIMESTAMP '2024-04-08 12:00'", []Predicate{cmpPred(PredGt, 3, planner.Timestamp, ts(98, 12))}, groups(9)},
		{"ts >= TIMESTAMP '2024-01-04 23:00'", []Predicate{colPred(PredGe, 4, ts(3, 23))}, groups(9)},
		{"ts < TIMESTAMP '2024-01-01 10:00'", []Predicate{colPred(PredLt, 4, ts(0, 10))}, groups(0)},

		// Floats: NaN (in group 9) is above everything and may be outside the bounds; -0 = 0.
		{"f > 1000: any group may hold NaN", []Predicate{colPred(PredGt, 5, 1000.0)}, allGroups()},
		{"f < 15", []Predicate{colPred(PredLt, 5, 15.0)}, groups(0)},
		{"f < 0: -0 is not below 0", []Predicate{colPred(PredLt, 5, 0.0)}, groups()},
		{"f = 0", []Predicate{colPred(PredEq, 5, 0.0)}, groups(0)},
		{"f = NaN", []Predicate{colPred(PredEq, 5, math.NaN())}, allGroups()},
		{"f <= 3", []Predicate{colPred(PredLe, 5, 3.0)}, groups(0)},

		// Decimals: INT32-backed, rescaled, and FIXED_LEN_BYTE_ARRAY with a mixed-sign group.
		{"dec < -45.50", []Predicate{colPred(PredLt, 6, dec(-4550))}, groups(0)},
		{"CAST(dec AS DECIMAL(12,4)) >= 49.0000", []Predicate{cmpPred(PredGe, 6, planner.Decimal(12, 4), dec(490000))}, groups(9)},
		{"CAST(dec AS DOUBLE) > 48.5", []Predicate{cmpPred(PredGt, 6, planner.Float64, 48.5)}, groups(9)},
		{"wide < -50: group 5 unknown", []Predicate{colPred(PredLt, 7, dec(-5000))}, groups(0, 5)},
		{"wide > 1000: group 5 unknown", []Predicate{colPred(PredGt, 7, dec(100000))}, groups(5)},
		{"wide >= 40", []Predicate{colPred(PredGe, 7, dec(4000))}, groups(5, 9)},

		// Booleans and narrow integers.
		{"b = true", []Predicate{colPred(PredEq, 8, true)}, groups(5, 6, 7, 8, 9)},
		{"b <> true: groups of only true are out", []Predicate{colPred(PredNe, 8, true)}, groups(0, 1, 2, 3, 4)},
		{"CAST(t8 AS BIGINT) >= 45", []Predicate{cmpPred(PredGe, 9, planner.Int64, int64(45))}, groups(9)},
		{"t8 < -45", []Predicate{colPred(PredLt, 9, int64(-45))}, groups(0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := keptGroups(t, src, c.preds); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("kept row groups %v, want %v (predicates %v)", got, c.want, c.preds)
			}
		})
	}
}

// TestPruningKeepsEveryMatch checks soundness: whatever a predicate rules out, no row of
// it satisfies the predicate, for comparisons of id and s against values at and around
// every row group boundary.
func TestPruningKeepsEveryMatch(t *testing.T) {
	path := writePruneFile(t, WriteOptions{RowGroupSize: 10})
	src, err := NewParquet("prune", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		op PredOp
		ok func(c int) bool // c compares a row's value with the predicate's
	}{
		{PredEq, func(c int) bool { return c == 0 }},
		{PredNe, func(c int) bool { return c != 0 }},
		{PredLt, func(c int) bool { return c < 0 }},
		{PredLe, func(c int) bool { return c <= 0 }},
		{PredGt, func(c int) bool { return c > 0 }},
		{PredGe, func(c int) bool { return c >= 0 }},
	}
	for v := int64(-1); v <= pruneRows; v++ {
		for _, o := range ops {
			kept := map[int]bool{}
			for _, g := range keptGroups(t, src, []Predicate{colPred(o.op, 0, v)}) {
				kept[g] = true
			}
			for id := int64(0); id < pruneRows; id++ {
				if o.ok(cmp3(id < v, id > v)) && !kept[int(id/10)] {
					t.Fatalf("id %s %d: row %d matches but row group %d was pruned", predOpText[o.op], v, id, id/10)
				}
			}
		}
	}
}

// TestPagePruning reads one row group of many pages with hints and checks that pages are
// skipped, that every matching row is still returned, and that the columns stay aligned
// when their pages end at different rows.
func TestPagePruning(t *testing.T) {
	for _, o := range []WriteOptions{
		{PlainStrings: true},
		{DataPageVersion: 1},
		{DataPageVersion: 1, Compression: "none", PlainStrings: true},
	} {
		o.RowGroupSize, o.PageSize = pruneRows, 64
		t.Run(fmt.Sprintf("plain=%v/v%d", o.PlainStrings, o.DataPageVersion), func(t *testing.T) {
			testPagePruning(t, o)
		})
	}
}

func testPagePruning(t *testing.T, opts WriteOptions) {
	mem := checkedMem(t)
	path := writePruneFile(t, opts)
	src, err := NewParquet("prune", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	splits, err := src.Splits(context.Background())
	if err != nil || len(splits) != 1 {
		t.Fatalf("want one row group, got %d (%v)", len(splits), err)
	}
	cases := []struct {
		name  string
		preds []Predicate
		cols  []int
		match func(id int) bool
	}{
		{"id >= 90", []Predicate{colPred(PredGe, 0, int64(90))}, []int{0, 2, 6}, func(id int) bool { return id >= 90 }},
		{"id < 7 OR id > 93", []Predicate{{Op: PredOr, Args: []Predicate{
			colPred(PredLt, 0, int64(7)), colPred(PredGt, 0, int64(93))}}}, []int{2, 0}, func(id int) bool { return id < 7 || id > 93 }},
		{"s LIKE 'e%' and a bare count", []Predicate{colPred(PredPrefix, 2, "e")}, nil, func(id int) bool { return id/10 == 4 }},
		{"n IS NULL", []Predicate{{Op: PredIsNull, Column: 1, Name: "n"}}, []int{1, 0}, func(id int) bool { return id < 20 || id < 50 && id%10 == 5 }},
		{"id = 1000: nothing", []Predicate{colPred(PredEq, 0, int64(1000))}, []int{0}, func(int) bool { return false }},
	}
	for _, c := range cases {
		for _, bs := range []int{1, 7, 1000} {
			t.Run(fmt.Sprintf("%s/batch=%d", c.name, bs), func(t *testing.T) {
				r, err := src.Open(context.Background(), splits[0], c.cols, ReadOptions{BatchSize: bs, Mem: mem, Predicates: c.preds})
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				var ids []int
				rows := 0
				for {
					b, err := r.Next()
					if err != nil {
						t.Fatal(err)
					}
					if b == nil {
						break
					}
					rows += int(b.NumRows())
					idCol := -1
					for j, col := range c.cols {
						if col == 0 {
							idCol = j
						}
					}
					for _, row := range batchRows(b) {
						if idCol < 0 {
							continue
						}
						var id int
						fmt.Sscan(row[idCol], &id)
						ids = append(ids, id)
						// Every column of the row must belong to the same id.
						for j, col := range c.cols {
							if want := expectedCell(id, col); row[j] != want {
								t.Fatalf("row of id %d: column %s is %q, want %q", id, pruneSchema.Field(col).Name, row[j], want)
							}
						}
					}
					b.Release()
				}
				st := r.(StatsReader).Stats()
				matches := 0
				for id := range pruneRows {
					if c.match(id) {
						matches++
					}
				}
				if int64(rows)+st.RowsSkipped != pruneRows || rows < matches {
					t.Fatalf("read %d rows and skipped %d of %d; %d match", rows, st.RowsSkipped, pruneRows, matches)
				}
				if len(c.cols) > 0 && st.PagesSkipped == 0 || st.RowsSkipped == 0 {
					t.Fatalf("no page skipped: %+v", st)
				}
				if ids != nil {
					seen := map[int]bool{}
					for _, id := range ids {
						seen[id] = true
					}
					for id := range pruneRows {
						if c.match(id) && !seen[id] {
							t.Fatalf("row %d matches but was not read (read %v)", id, ids)
						}
					}
				}
			})
		}
	}
}

// expectedCell is the rendering (cell) of column col of the row with the given id.
func expectedCell(id, col int) string {
	switch col {
	case 0:
		return fmt.Sprint(id)
	case 1:
		if id < 20 || id < 50 && id%10 == 5 {
			return "NULL"
		}
		return fmt.Sprint(id)
	case 2:
		return fmt.Sprintf("%c%02d", 'a'+id/10, id)
	case 6:
		return decimal128.FromI64(int64(id-50) * 100).ToString(2)
	}
	return "?"
}

func TestPredicateString(t *testing.T) {
	cases := []struct {
		p    Predicate
		want string
	}{
		{colPred(PredLt, 3, arrow.Date32FromTime(day0)), "d < DATE '2024-01-01'"},
		{colPred(PredPrefix, 2, "a_%"), `s LIKE 'a\_\%%'`},
		{Predicate{Op: PredIn, Name: "id", Type: planner.Int64, Values: []any{int64(1), int64(2)}}, "id IN (1, 2)"},
		{Predicate{Op: PredOr, Args: []Predicate{{Op: PredIsNull, Name: "n"}, colPred(PredGe, 0, int64(3))}}, "(n IS NULL OR id >= 3)"},
	}
	for _, c := range cases {
		if got := c.p.String(); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestMonotoneCast(t *testing.T) {
	cases := []struct {
		from, to arrow.DataType
		want     bool
	}{
		{planner.Int32, planner.Int64, true},
		{planner.Int64, planner.Int32, false},
		{planner.Int8, planner.Float64, true},
		{planner.Int64, planner.Decimal(20, 2), true},
		{planner.Decimal(9, 2), planner.Decimal(12, 4), true},
		{planner.Decimal(9, 2), planner.Decimal(12, 1), false},
		{planner.Decimal(9, 2), planner.Float64, true},
		{planner.Float32, planner.Float64, true},
		{planner.Float64, planner.Float32, false},
		{planner.Date, planner.Timestamp, true},
		{planner.Timestamp, planner.Date, false},
		{planner.String, planner.Int64, false},
		{planner.Int64, planner.String, false},
	}
	for _, c := range cases {
		if got := MonotoneCast(c.from, c.to); got != c.want {
			t.Errorf("MonotoneCast(%s, %s) = %v, want %v", planner.TypeString(c.from), planner.TypeString(c.to), got, c.want)
		}
	}
}

// cmp3 is -1, 1 or 0 for less, greater or neither.
func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}
