package dataframe

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func rowsBatch(t *testing.T, mem memory.Allocator, schema *arrow.Schema, js string) arrow.RecordBatch {
	t.Helper()
	b, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(js))
	if err != nil {
		t.Fatalf("RecordFromJSON: %v", err)
	}
	return b
}

func TestRowsFromBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "d32", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "d64", Type: arrow.FixedWidthTypes.Date64, Nullable: true},
		{Name: "ts_s", Type: arrow.FixedWidthTypes.Timestamp_s, Nullable: true},
		{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
		{Name: "ts_us", Type: planner.Timestamp, Nullable: true},
		{Name: "ts_zone", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "+05:30"}, Nullable: true},
		{Name: "dec", Type: planner.Decimal(10, 2), Nullable: true},
		{Name: "list", Type: planner.ArrayOf(planner.Int64), Nullable: true},
		{Name: "nested", Type: planner.ArrayOf(planner.ArrayOf(planner.String)), Nullable: true},
		{Name: "vec", Type: planner.VectorOf(2), Nullable: true},
		{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "a", Type: planner.Int64, Nullable: true},
			arrow.Field{Name: "b", Type: planner.String, Nullable: true}), Nullable: true},
		{Name: "none", Type: arrow.Null, Nullable: true},
	}, nil)
	b := rowsBatch(t, mem, schema, `[
 {"i8": -8, "i32": 32, "u16": 16, "u64": 18446744073709551615, "f32": 0.5, "f64": -1.25, "ok": true,
  "s": "héllo", "ls": "large", "bin": "AAEC", "d32": "2024-02-29", "d64": "1969-12-31",
  "ts_s": 1704164645, "ts_ns": 1704164645123456789, "ts_us": 1, "ts_zone": 1704164645250, "dec": "12.3", "list": [1, null, 3], "nested": [["a"], null, []],
  "vec": [1.5, -2], "st": {"a": 1, "b": "x"}, "none": null},
 {"dec": "-0.05", "list": [], "st": {"a": null, "b": null}},
 {}
]`)
	defer b.Release()
	got, err := rowsFromBatches([]arrow.RecordBatch{b})
	if err != nil {
		t.Fatal(err)
	}
	zone := time.FixedZone("+05:30", 5*3600+1800)
	want := []Row{
		{int64(-8), int64(32), uint64(16), uint64(18446744073709551615), 0.5, -1.25, true,
			"héllo", "large", []byte{0, 1, 2},
			time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
			time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC),
			time.Date(1970, 1, 1, 0, 0, 0, 1000, time.UTC), time.Date(2024, 1, 2, 8, 34, 5, 250e6, zone),
			"12.30", []any{int64(1), nil, int64(3)}, []any{[]any{"a"}, nil, []any{}},
			[]any{1.5, -2.0}, map[string]any{"a": int64(1), "b": "x"}, nil},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
			"-0.05", []any{}, nil, nil, map[string]any{"a": nil, "b": nil}, nil},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
			nil, nil, nil, nil, nil, nil},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		for c := range want[i] {
			g, w := got[i][c], want[i][c]
			if gt, ok := g.(time.Time); ok {
				wt, _ := w.(time.Time)
				_, goff := gt.Zone()
				_, woff := wt.Zone()
				if !gt.Equal(wt) || goff != woff {
					t.Errorf("row %d column %s: %v, want %v", i, schema.Field(c).Name, gt, wt)
				}
				continue
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("row %d column %s: %#v, want %#v", i, schema.Field(c).Name, g, w)
			}
		}
	}
	// Values are copies: changing one does not change the batch.
	got[0][9].([]byte)[0] = 99
	if b.Column(9).(*array.Binary).Value(0)[0] != 0 {
		t.Fatal("a []byte value shares the batch's memory")
	}
}

// TestRowsFromBatchesSlices converts several batches, some of them slices (non-zero
// offsets in every child array), and dictionaries.
func TestRowsFromBatchesSlices(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: planner.Int64},
		{Name: "list", Type: planner.ArrayOf(planner.String), Nullable: true},
		{Name: "st", Type: arrow.StructOf(arrow.Field{Name: "a", Type: planner.Int64, Nullable: true}), Nullable: true},
	}, nil)
	b := rowsBatch(t, mem, schema, `[
 {"id": 1, "list": ["a"], "st": {"a": 10}},
 {"id": 2, "list": ["b", "c"], "st": {"a": 20}},
 {"id": 3, "list": null, "st": null},
 {"id": 4, "list": ["d"], "st": {"a": 40}}
]`)
	defer b.Release()
	s1, s2 := b.NewSlice(1, 3), b.NewSlice(3, 4)
	defer s1.Release()
	defer s2.Release()

	db := array.NewDictionaryBuilder(mem, &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String})
	defer db.Release()
	sb := db.(*array.BinaryDictionaryBuilder)
	for _, v := range []string{"red", "blue", "red"} {
		if err := sb.AppendString(v); err != nil {
			t.Fatal(err)
		}
	}
	sb.AppendNull()
	dict := db.NewArray()
	defer dict.Release()
	dschema := arrow.NewSchema([]arrow.Field{{Name: "color", Type: dict.DataType(), Nullable: true}}, nil)
	d := array.NewRecordBatch(dschema, []arrow.Array{dict}, 4)
	defer d.Release()

	got, err := rowsFromBatches([]arrow.RecordBatch{s1, s2})
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{int64(2), []any{"b", "c"}, map[string]any{"a": int64(20)}},
		{int64(3), nil, nil},
		{int64(4), []any{"d"}, map[string]any{"a": int64(40)}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("slices:\ngot  %#v\nwant %#v", got, want)
	}
	got, err = rowsFromBatches([]arrow.RecordBatch{d})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Row{{"red"}, {"blue"}, {"red"}, {nil}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("dictionary: got %#v, want %#v", got, want)
	}
	if got, err := rowsFromBatches(nil); err != nil || len(got) != 0 {
		t.Fatalf("no batches: %v, %v", got, err)
	}
}

func TestRowsFromBatchesUnsupported(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, f := range []arrow.Field{
		{Name: "t", Type: arrow.FixedWidthTypes.Time32s, Nullable: true},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, planner.Int64), Nullable: true},
		{Name: "l", Type: planner.ArrayOf(arrow.FixedWidthTypes.MonthInterval), Nullable: true},
	} {
		schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: planner.Int64}, f}, nil)
		arr := array.MakeArrayOfNull(mem, f.Type, 1)
		ids := rowsBatch(t, mem, arrow.NewSchema(schema.Fields()[:1], nil), `[{"id": 1}]`)
		b := array.NewRecordBatch(schema, []arrow.Array{ids.Column(0), arr}, 1)
		arr.Release()
		ids.Release()
		_, err := rowsFromBatches([]arrow.RecordBatch{b})
		b.Release()
		if !errors.Is(err, errs.ErrNotImplemented) || !strings.Contains(err.Error(), `column "`+f.Name+`"`) ||
			!strings.Contains(err.Error(), "cannot convert values of type") {
			t.Errorf("%s: %v", f.Type, err)
		}
	}
}
