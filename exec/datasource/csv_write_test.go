package datasource

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// writeSchema has one column of each type CSV can hold, and nullable columns of them.
var writeSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "i32", Type: planner.Int32, Nullable: true},
	{Name: "f", Type: planner.Float64, Nullable: true},
	{Name: "f32", Type: planner.Float32, Nullable: true},
	{Name: "s", Type: planner.String, Nullable: true},
	{Name: "d", Type: planner.Date, Nullable: true},
	{Name: "ts", Type: planner.Timestamp, Nullable: true},
	{Name: "dec", Type: planner.Decimal(10, 2), Nullable: true},
	{Name: "b", Type: planner.Boolean, Nullable: true},
}, nil)

// writeBatches returns two batches of writeSchema: strings with delimiters, quotes,
// backslashes, line breaks and empty strings; NULLs in every nullable column; floats that
// need an exponent or are not finite; decimals whose scale needs a trailing zero.
func writeBatches(t *testing.T, mem memory.Allocator) []arrow.RecordBatch {
	t.Helper()
	b1 := recordFromJSON(t, mem, writeSchema, `[
 {"id": 1, "i32": -5, "f": 1.5, "f32": 0.1, "s": "plain", "d": "2024-01-02", "ts": "2024-01-02T03:04:05.123456", "dec": "12.30", "b": true},
 {"id": 2, "i32": null, "f": null, "f32": null, "s": null, "d": null, "ts": null, "dec": null, "b": null},
 {"id": 3, "i32": 2147483647, "f": 1e300, "f32": -3.5, "s": "a,b;c|d\te-f", "d": "1999-12-31", "ts": "1970-01-01T00:00:00", "dec": "-0.05", "b": false},
 {"id": 4, "i32": 0, "f": 1e-7, "f32": 1e20, "s": "", "d": "2000-02-29", "ts": "2024-12-31T23:59:59", "dec": "99999999.99", "b": true}
]`)
	b2 := recordFromJSON(t, mem, writeSchema, `[
 {"id": 5, "s": "say \"hi\"", "f": -0.25},
 {"id": 6, "s": "line1\nline2\r\nline3"},
 {"id": 7, "s": "back\\slash \\\" and end\\"},
 {"id": 8, "s": "\"starts with a quote"},
 {"id": 9, "s": "\\\\"},
 {"id": 10, "s": "NULL"},
 {"id": 11, "s": " padded "}
]`)
	// Not finite floats, which JSON cannot hold.
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	fb.AppendValues([]float64{math.NaN(), math.Inf(1), math.Inf(-1)}, nil)
	cols := make([]arrow.Array, writeSchema.NumFields())
	for i, f := range writeSchema.Fields() {
		switch f.Name {
		case "id":
			ib := array.NewInt64Builder(mem)
			ib.AppendValues([]int64{12, 13, 14}, nil)
			cols[i] = ib.NewArray()
			ib.Release()
		case "f":
			cols[i] = fb.NewArray()
		default:
			cols[i] = array.MakeArrayOfNull(mem, f.Type, 3)
		}
	}
	b3 := array.NewRecordBatch(writeSchema, cols, 3)
	for _, c := range cols {
		c.Release()
	}
	return []arrow.RecordBatch{b1, b2, b3}
}

func releaseAll(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

// TestWriteCSVRoundTrip writes batches with several option sets and reads the file back
// with NewCSVWithSchema under the same options and several batch sizes: every value must
// come back, NULLs as NULLs and empty strings as empty strings.
func TestWriteCSVRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		opts CSVWriteOptions
	}{
		{"defaults", CSVWriteOptions{}},
		{"header", CSVWriteOptions{Header: true}},
		{"semicolon and null string", CSVWriteOptions{Header: true, Delimiter: ';', NullString: "\\N"}},
		{"tab", CSVWriteOptions{Delimiter: '\t'}},
		{"dash delimiter inside dates and numbers", CSVWriteOptions{Header: true, Delimiter: '-'}},
		{"null string with the delimiter", CSVWriteOptions{Delimiter: '|', NullString: "n|a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			batches := writeBatches(t, mem)
			defer releaseAll(batches)
			var want [][]string
			for _, b := range batches {
				want = append(want, batchRows(b)...)
			}
			var buf bytes.Buffer
			if err := WriteCSV(&buf, writeSchema, batches, tc.opts); err != nil {
				t.Fatal(err)
			}
			path := writeFile(t, t.TempDir(), "out.csv", buf.String())
			delim := ","
			if tc.opts.Delimiter != 0 {
				delim = string(tc.opts.Delimiter)
			}
			readOpts := map[string]string{"header": strconv.FormatBool(tc.opts.Header), "delimiter": delim}
			if tc.opts.NullString != "" {
				readOpts["nullValue"] = tc.opts.NullString
			}
			src, err := NewCSVWithSchema("t", path, writeSchema, readOpts)
			if err != nil {
				t.Fatal(err)
			}
			for _, bs := range []int{1, 3, 1024} {
				got, _ := scan(t, src, allColumns(writeSchema), bs, mem)
				equalRows(t, got, want)
			}
			if tc.opts.Header {
				first, _, _ := strings.Cut(buf.String(), "\n")
				var names []string
				for _, f := range writeSchema.Fields() {
					names = append(names, f.Name)
				}
				if wantHeader := strings.Join(names, delim); first != wantHeader {
					t.Fatalf("header %q, want %q", first, wantHeader)
				}
			}
		})
	}
}

// TestWriteCSVText pins the exact text of quoting and escaping.
func TestWriteCSVText(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a,b", Type: planner.String, Nullable: true},
		{Name: "n", Type: planner.Int64, Nullable: true},
		{Name: "dec", Type: planner.Decimal(5, 2), Nullable: true},
	}, nil)
	b := recordFromJSON(t, mem, schema, `[
 {"a,b": "x", "n": 1, "dec": "1.5"},
 {"a,b": "", "n": null, "dec": null},
 {"a,b": null, "n": -2, "dec": "-0.05"},
 {"a,b": "q\"\\", "n": 3, "dec": "100"}
]`)
	defer b.Release()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, schema, []arrow.RecordBatch{b}, CSVWriteOptions{Header: true}); err != nil {
		t.Fatal(err)
	}
	want := "\"a,b\",n,dec\nx,1,1.50\n\"\",,\n,-2,-0.05\n\"q\"\"\\\\\",3,100.00\n"
	if buf.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", buf.String(), want)
	}
}

// TestWriteCSVInferred reads the output back with inference: the types CSV inference can
// tell apart come back as BIGINT, DOUBLE, VARCHAR, DATE, TIMESTAMP and BOOLEAN.
func TestWriteCSVInferred(t *testing.T) {
	mem := checkedMem(t)
	batches := writeBatches(t, mem)
	defer releaseAll(batches)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, writeSchema, batches, CSVWriteOptions{Header: true}); err != nil {
		t.Fatal(err)
	}
	src, err := NewCSV("t", writeFile(t, t.TempDir(), "out.csv", buf.String()), map[string]string{"header": "true"})
	if err != nil {
		t.Fatal(err)
	}
	want := "id BIGINT, i32 BIGINT, f DOUBLE, f32 DOUBLE, s VARCHAR, d DATE, ts TIMESTAMP, dec DOUBLE, b BOOLEAN"
	if got := schemaString(src.ArrowSchema()); got != want {
		t.Fatalf("inferred %s, want %s", got, want)
	}
	got, _ := scan(t, src, allColumns(src.ArrowSchema()), 4, mem)
	if len(got) != 14 || got[0][4] != "plain" || got[3][4] != "" || got[1][4] != "NULL" || got[5][4] != "line1\nline2\r\nline3" {
		t.Fatalf("rows read back: %q", got)
	}
}

// TestWriteCSVOneColumn checks that a NULL in a one-column file is not a blank line.
func TestWriteCSVOneColumn(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: planner.Int64, Nullable: true}}, nil)
	b := recordFromJSON(t, mem, schema, `[{"n": 1}, {"n": null}, {"n": 3}]`)
	defer b.Release()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, schema, []arrow.RecordBatch{b}, CSVWriteOptions{}); err != nil {
		t.Fatal(err)
	}
	src, err := NewCSVWithSchema("t", writeFile(t, t.TempDir(), "one.csv", buf.String()), schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := scan(t, src, []int{0}, 10, mem)
	equalRows(t, got, [][]string{{"1"}, {"NULL"}, {"3"}})

	str := arrow.NewSchema([]arrow.Field{{Name: "s", Type: planner.String, Nullable: true}}, nil)
	sb := recordFromJSON(t, mem, str, `[{"s": "a"}, {"s": null}]`)
	defer sb.Release()
	err = WriteCSV(&bytes.Buffer{}, str, []arrow.RecordBatch{sb}, CSVWriteOptions{})
	wantErr(t, err, `row 2 of batch 0 is NULL in the only column "s"`)
	if !errors.Is(err, errs.ErrExecution) {
		t.Fatalf("error %v is not an execution error", err)
	}
	buf.Reset()
	if err := WriteCSV(&buf, str, []arrow.RecordBatch{sb}, CSVWriteOptions{NullString: "NA"}); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "a\nNA\n" {
		t.Fatalf("got %q", buf.String())
	}
}

func TestWriteCSVErrors(t *testing.T) {
	mem := checkedMem(t)
	list := arrow.NewSchema([]arrow.Field{{Name: "tags", Type: planner.ArrayOf(planner.String), Nullable: true}}, nil)
	dup := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.Int64}, {Name: "A", Type: planner.Int64}}, nil)
	other := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.String}}, nil)
	ints := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.Int64}}, nil)
	b := recordFromJSON(t, mem, ints, `[{"a": 1}]`)
	defer b.Release()
	tests := []struct {
		name    string
		schema  *arrow.Schema
		batches []arrow.RecordBatch
		opts    CSVWriteOptions
		kind    error
		text    string
	}{
		{"quote delimiter", ints, nil, CSVWriteOptions{Delimiter: '"'}, errs.ErrPlan, "csv delimiter must be one ASCII character"},
		{"newline delimiter", ints, nil, CSVWriteOptions{Delimiter: '\n'}, errs.ErrPlan, "csv delimiter"},
		{"non-ASCII delimiter", ints, nil, CSVWriteOptions{Delimiter: '§'}, errs.ErrPlan, "csv delimiter"},
		{"array column", list, nil, CSVWriteOptions{}, errs.ErrNotImplemented, `csv column "tags": cannot write type ARRAY<VARCHAR>`},
		{"duplicate names", dup, nil, CSVWriteOptions{}, errs.ErrPlan, `cannot write two columns named "a" and "A"`},
		{"batch of another schema", other, []arrow.RecordBatch{b}, CSVWriteOptions{}, errs.ErrInternal, "writing csv batch 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteCSV(&bytes.Buffer{}, tc.schema, tc.batches, tc.opts)
			wantErr(t, err, tc.text)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error %v is not %v", err, tc.kind)
			}
		})
	}
}

// failWriter fails every write, to check that WriteCSV and WriteJSON report it.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteTextWriterError(t *testing.T) {
	mem := checkedMem(t)
	batches := writeBatches(t, mem)
	defer releaseAll(batches)
	if err := WriteCSV(failWriter{}, writeSchema, batches, CSVWriteOptions{}); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("WriteCSV to a failing writer: %v", err)
	}
	if err := WriteJSON(failWriter{}, writeSchema, batches); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("WriteJSON to a failing writer: %v", err)
	}
}

// TestWriteCSVFile writes to a real file, as the DataFrame writer will.
func TestWriteCSVFile(t *testing.T) {
	mem := checkedMem(t)
	batches := writeBatches(t, mem)
	defer releaseAll(batches)
	path := filepath.Join(t.TempDir(), "f.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteCSV(f, writeSchema, batches, CSVWriteOptions{Header: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := NewCSVWithSchema("t", path, writeSchema, map[string]string{"header": "true"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := scan(t, src, []int{0, 4}, 5, mem)
	if len(got) != 14 || got[13][0] != "14" || got[12][1] != "NULL" {
		t.Fatalf("rows: %q", got)
	}
}
