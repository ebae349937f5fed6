package datasource

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// listSchema is what genListBatch builds: every kind of list column WriteParquet writes.
var listSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "tags", Type: planner.ArrayOf(planner.String), Nullable: true},
	{Name: "nums", Type: planner.ArrayOf(planner.Int64)},
	{Name: "dec", Type: planner.ArrayOf(planner.Decimal(10, 2)), Nullable: true},
	{Name: "flags", Type: planner.ArrayOf(planner.Boolean), Nullable: true},
	{Name: "vec", Type: planner.VectorOf(3), Nullable: true},
}, nil)

// genListBatch builds rows start..start+n-1 of a deterministic table with NULL lists, empty
// lists, NULL elements and lists of different lengths.
func genListBatch(mem memory.Allocator, start, n int) arrow.RecordBatch {
	bld := array.NewRecordBuilder(mem, listSchema)
	defer bld.Release()
	ids := bld.Field(0).(*array.Int64Builder)
	tags := bld.Field(1).(*array.ListBuilder)
	tagv := tags.ValueBuilder().(*array.StringBuilder)
	nums := bld.Field(2).(*array.ListBuilder)
	numv := nums.ValueBuilder().(*array.Int64Builder)
	dec := bld.Field(3).(*array.ListBuilder)
	decv := dec.ValueBuilder().(*array.Decimal128Builder)
	flags := bld.Field(4).(*array.ListBuilder)
	flagv := flags.ValueBuilder().(*array.BooleanBuilder)
	vec := bld.Field(5).(*array.FixedSizeListBuilder)
	vecv := vec.ValueBuilder().(*array.Float32Builder)
	for i := start; i < start+n; i++ {
		ids.Append(int64(i))
		switch i % 6 {
		case 0:
			tags.AppendNull()
		case 1:
			tags.Append(true)
		default:
			tags.Append(true)
			for j := 0; j <= i%4; j++ {
				if j == 1 && i%5 == 0 {
					tagv.AppendNull()
				} else {
					tagv.Append(fmt.Sprintf("t%d", (i+j)%7))
				}
			}
		}
		nums.Append(true)
		for j := 0; j < i%3; j++ {
			numv.Append(int64(i*10 + j))
		}
		if i%4 == 0 {
			dec.AppendNull()
		} else {
			dec.Append(true)
			decv.Append(decimal128.FromI64(int64(i*101 - 5000)))
			if i%3 == 0 {
				decv.AppendNull()
			}
		}
		flags.Append(true)
		flagv.Append(i%2 == 0)
		if i%7 == 0 {
			flagv.AppendNull()
		}
		if i%5 == 0 {
			vec.AppendNull() // appends 3 NULL values to vecv too
		} else {
			vec.Append(true)
			vecv.AppendValues([]float32{float32(i), float32(i) + 0.5, -float32(i)}, nil)
		}
	}
	return bld.NewRecordBatch()
}

// TestParquetListRoundTrip writes lists with WriteParquet under several layouts (row groups,
// small pages so that lists span pages, v1 and v2 pages, dictionary and plain strings) and
// reads them back at several batch sizes and projections.
func TestParquetListRoundTrip(t *testing.T) {
	readSchema := arrow.NewSchema(append(append([]arrow.Field(nil), listSchema.Fields()[:5]...),
		arrow.Field{Name: "vec", Type: planner.ArrayOf(planner.Float32), Nullable: true}), nil)
	tests := []struct {
		name      string
		opts      WriteOptions
		sizes     []int
		manyPages bool // the tags chunk has more than one data page
	}{
		{"defaults", WriteOptions{}, []int{300}, false},
		{"plain v1", WriteOptions{PlainStrings: true, DataPageVersion: 1}, []int{100, 1, 99}, false},
		{"tiny row groups", WriteOptions{RowGroupSize: 7, Compression: "none"}, []int{50, 50}, false},
		{"small pages v1", WriteOptions{DataPageVersion: 1, PageSize: 128, PlainStrings: true}, []int{2000}, true},
		{"small pages v2 dictionary", WriteOptions{PageSize: 128, RowGroupSize: 777}, []int{2000}, true},
	}
	projections := [][]int{allColumns(listSchema), {5, 1}, {2}, {3, 0, 3}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			var batches []arrow.RecordBatch
			var want [][]string
			total := 0
			for _, n := range tc.sizes {
				b := genListBatch(mem, total, n)
				defer b.Release()
				batches = append(batches, b)
				want = append(want, batchRows(b)...)
				total += n
			}
			path := filepath.Join(t.TempDir(), "l.parquet")
			writeParquetFile(t, path, listSchema, batches, tc.opts)
			if _, pages := inspectChunk(t, path, 1); (pages > 1) != tc.manyPages {
				t.Fatalf("tags: %d data pages; the test wants many pages %v", pages, tc.manyPages)
			}
			src, err := NewParquet("l", path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !src.ArrowSchema().Equal(readSchema) {
				t.Fatalf("schema:\n%s\nwant:\n%s", src.ArrowSchema(), readSchema)
			}
			for _, cols := range projections {
				for _, bs := range []int{1, 3, 64, 8192} {
					got, _ := scan(t, src, cols, bs, mem)
					equalRows(t, got, project(want, cols))
				}
			}
		})
	}
}

// TestParquetListExternal reads list columns written by pyarrow and Spark (parquet-testing
// files shipped with parquet-go). The expected values were read with parquet-go's row reader.
func TestParquetListExternal(t *testing.T) {
	tests := []struct {
		file   string
		schema string
		want   [][]string
	}{
		{"list_columns.parquet", "int64_list ARRAY<BIGINT>, utf8_list ARRAY<VARCHAR>", [][]string{
			{"[1, 2, 3]", "[abc, efg, hij]"},
			{"[NULL, 1]", "NULL"},
			{"[4]", "[efg, NULL, hij, xyz]"},
		}},
		{"datapage_v2.snappy.parquet", "a VARCHAR, b INT, c DOUBLE, d BOOLEAN, e ARRAY<INT>", [][]string{
			{"abc", "1", "2", "true", "[1, 2, 3]"},
			{"abc", "2", "3", "true", "NULL"},
			{"abc", "3", "4", "true", "NULL"},
			{"NULL", "4", "5", "false", "[1, 2, 3]"},
			{"abc", "5", "2", "true", "[1, 2]"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			mem := checkedMem(t)
			src, err := NewParquet("x", filepath.Join(externalDir(t), tc.file), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := schemaString(src.ArrowSchema()); got != tc.schema {
				t.Fatalf("schema %q, want %q", got, tc.schema)
			}
			for _, bs := range []int{1, 2, 1024} {
				got, _ := scan(t, src, allColumns(src.ArrowSchema()), bs, mem)
				equalRows(t, got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ file, frag string }{
		{"nested_lists.snappy.parquet", `column "a": nested columns other than lists of a primitive type`},
		{"repeated_no_annotation.parquet", `column "phoneNumbers": nested columns`},
		{"null_list.parquet", `column "emptylist": type`},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := NewParquet("x", filepath.Join(externalDir(t), tc.file), nil)
			wantErr(t, err, tc.frag)
			if !errors.Is(err, errs.ErrNotImplemented) {
				t.Fatalf("got %v, want a not-implemented error", err)
			}
		})
	}
}

// listGroup is a LIST-annotated group with the children given, for the legacy list forms
// parquet.List does not write.
type listGroup struct{ parquet.Group }

func (listGroup) Type() parquet.Type { return parquet.List(parquet.Leaf(parquet.Int32Type)).Type() }

// TestParquetListForms reads the list layouts other writers produce, written here value by
// value with explicit levels: a legacy 2-level list (a repeated leaf inside the LIST group),
// a bare repeated leaf, a REQUIRED list of REQUIRED elements and an OPTIONAL list of
// REQUIRED elements; rows are written one call at a time so that small pages cut between
// them (parquet-go never splits a row across pages).
func TestParquetListForms(t *testing.T) {
	schema := parquet.NewSchema("forms", parquet.Group{
		// Leaves in name order: a.element (0), b (1), c.list.element (2), d.list.element (3).
		"a": parquet.Optional(listGroup{parquet.Group{"element": parquet.Repeated(parquet.Leaf(parquet.Int32Type))}}),
		"b": parquet.Repeated(parquet.Leaf(parquet.Int64Type)),
		"c": parquet.Required(parquet.List(parquet.Required(parquet.Leaf(parquet.Int64Type)))),
		"d": parquet.Optional(parquet.List(parquet.Required(parquet.String()))),
	})
	v32 := func(x int32, rep, def, col int) parquet.Value { return parquet.Int32Value(x).Level(rep, def, col) }
	v64 := func(x int64, rep, def, col int) parquet.Value { return parquet.Int64Value(x).Level(rep, def, col) }
	str := func(s string, rep, def, col int) parquet.Value {
		return parquet.ByteArrayValue([]byte(s)).Level(rep, def, col)
	}
	null := func(def, col int) parquet.Value { return parquet.NullValue().Level(0, def, col) }
	// A row's values go column by column. Row 1's b is a long list, so that small pages
	// cut after it.
	long := parquet.Row{v32(3, 0, 2, 0), v64(1, 0, 1, 1)}
	for i := 1; i < 300; i++ {
		long = append(long, v64(int64(i), 1, 1, 1))
	}
	long = append(long, v64(13, 0, 1, 2), str("z", 0, 2, 3))
	rows := []parquet.Row{
		// a = [1, 2], b = [7], c = [10, 11], d = [x, y]
		{v32(1, 0, 2, 0), v32(2, 1, 2, 0), v64(7, 0, 1, 1), v64(10, 0, 1, 2), v64(11, 1, 1, 2), str("x", 0, 2, 3), str("y", 1, 2, 3)},
		long,
		// a = NULL, b = [], c = [], d = NULL
		{null(0, 0), null(0, 1), null(0, 2), null(0, 3)},
		// a = [], b = [8, 9], c = [12], d = []
		{null(1, 0), v64(8, 0, 1, 1), v64(9, 1, 1, 1), v64(12, 0, 1, 2), null(1, 3)},
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema, parquet.PageBufferSize(64), parquet.DataPageVersion(1))
	for _, r := range rows {
		for c, vals := range r.Range {
			if _, err := w.ColumnWriters()[c].WriteRowValues(vals); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "forms.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, pages := inspectChunk(t, path, 1); pages < 2 {
		t.Fatalf("column b has %d data pages; the test wants several", pages)
	}
	longB := "[1"
	for i := 1; i < 300; i++ {
		longB += fmt.Sprintf(", %d", i)
	}
	longB += "]"
	want := [][]string{
		{"[1, 2]", "[7]", "[10, 11]", "[x, y]"},
		{"[3]", longB, "[13]", "[z]"},
		{"NULL", "[]", "[]", "NULL"},
		{"[]", "[8, 9]", "[12]", "[]"},
	}
	mem := checkedMem(t)
	src, err := NewParquet("f", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, wantSchema := schemaString(src.ArrowSchema()), "a ARRAY<INT>, b ARRAY<BIGINT>, c ARRAY<BIGINT>, d ARRAY<VARCHAR>"; got != wantSchema {
		t.Fatalf("schema %q, want %q", got, wantSchema)
	}
	nullable := []bool{true, false, false, true}
	for i, f := range src.ArrowSchema().Fields() {
		if f.Nullable != nullable[i] {
			t.Errorf("column %s nullable %v, want %v", f.Name, f.Nullable, nullable[i])
		}
	}
	for _, bs := range []int{1, 2, 100} {
		for _, cols := range [][]int{allColumns(src.ArrowSchema()), {1}, {3, 1}} {
			got, _ := scan(t, src, cols, bs, mem)
			equalRows(t, got, project(want, cols))
		}
	}
}

func TestWriteParquetListErrors(t *testing.T) {
	mem := checkedMem(t)
	nested := arrow.NewSchema([]arrow.Field{{Name: "n", Type: planner.ArrayOf(planner.ArrayOf(planner.Int64))}}, nil)
	err := WriteParquet(&bytes.Buffer{}, nested, nil, WriteOptions{})
	wantErr(t, err, `column "n"`, "ARRAY<ARRAY<BIGINT>>")
	if !errors.Is(err, errs.ErrNotImplemented) {
		t.Fatalf("kind: %v", err)
	}
	loose := arrow.NewSchema([]arrow.Field{{Name: "l", Type: planner.ArrayOf(planner.Int64), Nullable: true}}, nil)
	strict := arrow.NewSchema([]arrow.Field{{Name: "l", Type: planner.ArrayOf(planner.Int64)}}, nil)
	b := recordFromJSON(t, mem, loose, `[{"l": [1]}, {"l": null}]`)
	defer b.Release()
	err = WriteParquet(&bytes.Buffer{}, strict, []arrow.RecordBatch{b}, WriteOptions{})
	wantErr(t, err, `column "l"`, "NULL in a non-nullable column")
}
