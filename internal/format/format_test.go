package format

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// batchesFromJSON builds one batch per JSON array of row objects.
func batchesFromJSON(t *testing.T, mem memory.Allocator, schema *arrow.Schema, jsonBatches ...string) []arrow.RecordBatch {
	t.Helper()
	var out []arrow.RecordBatch
	for _, js := range jsonBatches {
		b, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(js))
		if err != nil {
			t.Fatalf("RecordFromJSON(%s): %v", js, err)
		}
		out = append(out, b)
	}
	return out
}

func release(batches []arrow.RecordBatch) {
	for _, b := range batches {
		b.Release()
	}
}

// sample is the shared fixture: a number, a string with a NULL and an empty string, a
// decimal whose scale needs trailing zeros, and a date.
var sampleSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "price", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
}, nil)

const sampleRows = `[
 {"id": 1, "name": "apple", "price": "1234.5", "day": "2024-01-15"},
 {"id": 2, "name": null, "price": null, "day": null},
 {"id": -3, "name": "", "price": "-0.05", "day": "1999-12-31"}
]`

func TestWriteModes(t *testing.T) {
	intSchema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	strSchema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	tests := []struct {
		name   string
		mode   Mode
		schema *arrow.Schema
		rows   []string // JSON, one element per batch
		opts   Options
		want   string
	}{
		{
			name: "table", mode: Table, schema: sampleSchema, rows: []string{sampleRows},
			want: `┌────────┬─────────┬───────────────┬────────────┐
│   id   │  name   │     price     │    day     │
│ bigint │ varchar │ decimal(10,2) │    date    │
├────────┼─────────┼───────────────┼────────────┤
│      1 │ apple   │       1234.50 │ 2024-01-15 │
│      2 │ NULL    │          NULL │ NULL       │
│     -3 │         │         -0.05 │ 1999-12-31 │
└────────┴─────────┴───────────────┴────────────┘
3 rows
`,
		},
		{
			name: "table without header", mode: Table, schema: sampleSchema, rows: []string{sampleRows},
			opts: Options{NoHeader: true},
			want: `┌────┬───────┬─────────┬────────────┐
│  1 │ apple │ 1234.50 │ 2024-01-15 │
│  2 │ NULL  │    NULL │ NULL       │
│ -3 │       │   -0.05 │ 1999-12-31 │
└────┴───────┴─────────┴────────────┘
3 rows
`,
		},
		{
			name: "table row cap even, across batches", mode: Table, schema: intSchema,
			rows: []string{`[{"n":1},{"n":2},{"n":3}]`, `[{"n":4},{"n":5},{"n":6},{"n":7}]`},
			opts: Options{MaxRows: 4},
			want: `┌────────┐
│   n    │
│ bigint │
├────────┤
│      1 │
│      2 │
│   …    │
│      6 │
│      7 │
└────────┘
7 rows (4 shown)
`,
		},
		{
			name: "table row cap odd", mode: Table, schema: intSchema,
			rows: []string{`[{"n":1},{"n":2},{"n":3}]`, `[]`, `[{"n":4},{"n":5},{"n":6},{"n":7}]`},
			opts: Options{MaxRows: 3},
			want: `┌────────┐
│   n    │
│ bigint │
├────────┤
│      1 │
│      2 │
│   …    │
│      7 │
└────────┘
7 rows (3 shown)
`,
		},
		{
			name: "table no cap", mode: Table, schema: intSchema,
			rows: []string{`[{"n":1},{"n":2},{"n":3}]`},
			opts: Options{MaxRows: -1},
			want: `┌────────┐
│   n    │
│ bigint │
├────────┤
│      1 │
│      2 │
│      3 │
└────────┘
3 rows
`,
		},
		{
			name: "table wide, wide-character and control cells", mode: Table, schema: strSchema,
			rows: []string{`[{"s":"abcdefghijkl"},{"s":"日本語"},{"s":"a\nb"}]`},
			opts: Options{MaxWidth: 8},
			want: `┌──────────┐
│    s     │
│ varchar  │
├──────────┤
│ abcdefg… │
│ 日本語   │
│ a\nb     │
└──────────┘
3 rows
`,
		},
		{
			name: "table one row, empty", mode: Table, schema: intSchema,
			rows: []string{`[{"n":42}]`},
			want: `┌────────┐
│   n    │
│ bigint │
├────────┤
│     42 │
└────────┘
1 row
`,
		},
		{
			name: "table no rows", mode: Table, schema: intSchema, rows: []string{`[]`},
			want: `┌────────┐
│   n    │
│ bigint │
├────────┤
└────────┘
0 rows
`,
		},
		{
			name: "csv", mode: CSV, schema: sampleSchema, rows: []string{sampleRows},
			want: "id,name,price,day\n1,apple,1234.50,2024-01-15\n2,,,\n-3,\"\",-0.05,1999-12-31\n",
		},
		{
			name: "csv quoting", mode: CSV, schema: strSchema,
			rows: []string{`[{"s":"a,b"},{"s":"q\"q"},{"s":"line\nbreak"},{"s":"plain"}]`},
			want: "s\n\"a,b\"\n\"q\"\"q\"\n\"line\nbreak\"\nplain\n",
		},
		{
			name: "csv without header", mode: CSV, schema: intSchema, rows: []string{`[{"n":1},{"n":2}]`},
			opts: Options{NoHeader: true},
			want: "1\n2\n",
		},
		{
			name: "csv no rows", mode: CSV, schema: sampleSchema, rows: []string{`[]`},
			want: "id,name,price,day\n",
		},
		{
			name: "tsv", mode: TSV, schema: sampleSchema, rows: []string{sampleRows},
			want: "id\tname\tprice\tday\n1\tapple\t1234.50\t2024-01-15\n2\t\t\t\n-3\t\t-0.05\t1999-12-31\n",
		},
		{
			name: "tsv escapes", mode: TSV, schema: strSchema,
			rows: []string{`[{"s":"a\tb\\c\nd"}]`},
			want: "s\na\\tb\\\\c\\nd\n",
		},
		{
			name: "json", mode: JSON, schema: sampleSchema, rows: []string{sampleRows},
			want: `[
{"id":1,"name":"apple","price":1234.50,"day":"2024-01-15"},
{"id":2,"name":null,"price":null,"day":null},
{"id":-3,"name":"","price":-0.05,"day":"1999-12-31"}
]
`,
		},
		{
			name: "json no rows", mode: JSON, schema: sampleSchema, rows: []string{`[]`},
			want: "[]\n",
		},
		{
			name: "json string escapes", mode: JSON, schema: strSchema,
			rows: []string{`[{"s":"q\"\\ <&>\n\u0001"}]`},
			want: "[\n{\"s\":\"q\\\"\\\\ <&>\\n\\u0001\"}\n]\n",
		},
		{
			name: "jsonl", mode: JSONL, schema: sampleSchema, rows: []string{sampleRows},
			want: `{"id":1,"name":"apple","price":1234.50,"day":"2024-01-15"}
{"id":2,"name":null,"price":null,"day":null}
{"id":-3,"name":"","price":-0.05,"day":"1999-12-31"}
`,
		},
		{
			name: "jsonl no rows", mode: JSONL, schema: sampleSchema, rows: []string{`[]`},
			want: "",
		},
		{
			name: "markdown", mode: Markdown, schema: sampleSchema, rows: []string{sampleRows},
			want: `|  id | name  |   price | day        |
|----:|-------|--------:|------------|
|   1 | apple | 1234.50 | 2024-01-15 |
|   2 | NULL  |    NULL | NULL       |
|  -3 |       |   -0.05 | 1999-12-31 |
`,
		},
		{
			name: "markdown pipes", mode: Markdown, schema: strSchema, rows: []string{`[{"s":"a|b"}]`},
			want: "| s    |\n|------|\n| a\\|b |\n",
		},
		{
			name: "line", mode: Line, schema: sampleSchema, rows: []string{sampleRows},
			want: `   id = 1
 name = apple
price = 1234.50
  day = 2024-01-15

   id = 2
 name = NULL
price = NULL
  day = NULL

   id = -3
 name = 
price = -0.05
  day = 1999-12-31
`,
		},
		{
			name: "line no rows", mode: Line, schema: sampleSchema, rows: []string{`[]`},
			want: "",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			batches := batchesFromJSON(t, mem, tc.schema, tc.rows...)
			defer release(batches)
			var buf bytes.Buffer
			if err := Write(&buf, tc.mode, tc.schema, batches, tc.opts); err != nil {
				t.Fatalf("Write: %v", err)
			}
			if got := buf.String(); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestWriteTableCapRendersOnlyShownRows(t *testing.T) {
	// 100 rows in batches of 10, capped at 6: rows 1-3 and 98-100 appear, nothing else.
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil)
	var batches []arrow.RecordBatch
	for b := 0; b < 10; b++ {
		bld := array.NewInt64Builder(mem)
		for i := 1; i <= 10; i++ {
			bld.Append(int64(b*10 + i))
		}
		col := bld.NewArray()
		batches = append(batches, array.NewRecordBatch(schema, []arrow.Array{col}, 10))
		col.Release()
		bld.Release()
	}
	defer release(batches)
	var buf bytes.Buffer
	if err := Write(&buf, Table, schema, batches, Options{MaxRows: 6}); err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, line := range strings.Split(buf.String(), "\n") {
		if strings.HasPrefix(line, "│") && !strings.Contains(line, "n ") && !strings.Contains(line, "bigint") {
			shown = append(shown, strings.TrimSpace(strings.Trim(line, "│")))
		}
	}
	want := []string{"1", "2", "3", "…", "98", "99", "100"}
	if strings.Join(shown, ",") != strings.Join(want, ",") {
		t.Errorf("shown rows %v, want %v", shown, want)
	}
	if !strings.HasSuffix(buf.String(), "100 rows (6 shown)\n") {
		t.Errorf("footer: %q", buf.String())
	}
}

type failWriter struct{}

var errWrite = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	batches := batchesFromJSON(t, mem, sampleSchema, sampleRows)
	defer release(batches)
	if err := Write(failWriter{}, CSV, sampleSchema, batches, Options{}); !errors.Is(err, errWrite) {
		t.Errorf("writer error: got %v, want %v", err, errWrite)
	}
	if err := Write(&bytes.Buffer{}, Mode(99), sampleSchema, batches, Options{}); err == nil {
		t.Error("unknown mode: want an error")
	}
	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	if err := Write(&bytes.Buffer{}, CSV, other, batches, Options{}); err == nil {
		t.Error("schema with other columns: want an error")
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in      string
		want    Mode
		wantErr bool
	}{
		{in: "table", want: Table},
		{in: "duckbox", want: Table},
		{in: "CSV", want: CSV},
		{in: "tsv", want: TSV},
		{in: "json", want: JSON},
		{in: "jsonlines", want: JSONL},
		{in: "ndjson", want: JSONL},
		{in: " markdown ", want: Markdown},
		{in: "line", want: Line},
		{in: "html", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseMode(tc.in)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "table, csv, tsv, json, jsonl, markdown, line") {
					t.Errorf("ParseMode(%q): err %v, want one listing the modes", tc.in, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseMode(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if back, err := ParseMode(got.String()); err != nil || back != got {
				t.Errorf("round trip of %v: %v, %v", got, back, err)
			}
		})
	}
}
