package datasource

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// schemaString renders a schema as "name TYPE, ...".
func schemaString(s *arrow.Schema) string {
	var parts []string
	for _, f := range s.Fields() {
		parts = append(parts, f.Name+" "+planner.TypeString(f.Type))
	}
	return strings.Join(parts, ", ")
}

func TestCSVRead(t *testing.T) {
	tests := []struct {
		name    string
		content string
		opts    map[string]string
		schema  string
		rows    [][]string
	}{
		{
			name: "inference of each type",
			content: "i,d,b,dt,ts,s,mix,dts,nul,istr\n" +
				"1,1.5,true,2024-01-02,2024-01-02 03:04:05,hello,1,2024-01-01,,1\n" +
				"-20,-2e3,FALSE,1999-12-31,2024-01-02T03:04:05.123456,\"wor,ld\",2.5,2024-01-01 10:00:00,,x\n" +
				",,,,,,,,,\n",
			opts:   map[string]string{"header": "true"},
			schema: "i BIGINT, d DOUBLE, b BOOLEAN, dt DATE, ts TIMESTAMP, s VARCHAR, mix DOUBLE, dts TIMESTAMP, nul VARCHAR, istr VARCHAR",
			rows: [][]string{
				{"1", "1.5", "true", "2024-01-02", "2024-01-02 03:04:05", "hello", "1", "2024-01-01 00:00:00", "NULL", "1"},
				{"-20", "-2000", "false", "1999-12-31", "2024-01-02 03:04:05.123456", "wor,ld", "2.5", "2024-01-01 10:00:00", "NULL", "x"},
				{"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
			},
		},
		{
			name:    "no header",
			content: "1,a\n2,b\n",
			schema:  "_c0 BIGINT, _c1 VARCHAR",
			rows:    [][]string{{"1", "a"}, {"2", "b"}},
		},
		{
			name: "pipe delimiter and quoting",
			content: "id|text|n\n" +
				"1|\"a|b\"|10\n" +
				"2|\"line1\nline2\"|20\n" +
				"3|\"say \"\"hi\"\"\"|30\n" +
				"4|\"back\\\"slash\"|40\n" +
				"5|plain \"quoted\" inside|50\n",
			opts:   map[string]string{"HEADER": "True", "delimiter": "|"},
			schema: "id BIGINT, text VARCHAR, n BIGINT",
			rows: [][]string{
				{"1", "a|b", "10"}, {"2", "line1\nline2", "20"}, {"3", `say "hi"`, "30"},
				{"4", `back"slash`, "40"}, {"5", `plain "quoted" inside`, "50"},
			},
		},
		{
			name:    "empty and quoted empty fields",
			content: "a,b,c\n,\"\",1\nx,,\"\"\n",
			opts:    map[string]string{"header": "true"},
			schema:  "a VARCHAR, b VARCHAR, c BIGINT",
			rows:    [][]string{{"NULL", "", "1"}, {"x", "NULL", "NULL"}},
		},
		{
			name:    "nullValue",
			content: "a,b\nNA,\"NA\"\n,z\n",
			opts:    map[string]string{"header": "true", "nullValue": "NA"},
			schema:  "a VARCHAR, b VARCHAR",
			rows:    [][]string{{"NULL", "NULL"}, {"NULL", "z"}},
		},
		{
			name:    "crlf, blank lines, byte order mark, no final newline",
			content: "\xEF\xBB\xBFa,b\r\n1,x\r\n\r\n\n2,y",
			opts:    map[string]string{"header": "true"},
			schema:  "a BIGINT, b VARCHAR",
			rows:    [][]string{{"1", "x"}, {"2", "y"}},
		},
		{
			name:    "tab separator via sep",
			content: "a\tb\n1\t2.5\n",
			opts:    map[string]string{"header": "true", "sep": `\t`},
			schema:  "a BIGINT, b DOUBLE",
			rows:    [][]string{{"1", "2.5"}},
		},
		{
			name:    "date and timestamp formats",
			content: "d,t\n31/12/1999,01/02/2024 13:45\n",
			opts:    map[string]string{"header": "true", "dateFormat": "dd/MM/yyyy", "timestampFormat": "dd/MM/yyyy HH:mm"},
			schema:  "d DATE, t TIMESTAMP",
			rows:    [][]string{{"1999-12-31", "2024-02-01 13:45:00"}},
		},
		{
			name:    "duplicate and empty header names",
			content: "a,A,,b\n1,2,3,4\n",
			opts:    map[string]string{"header": "true"},
			schema:  "a0 BIGINT, A1 BIGINT, _c2 BIGINT, b BIGINT",
			rows:    [][]string{{"1", "2", "3", "4"}},
		},
		{
			name:    "inferSchema false",
			content: "a,b\n1,true\n",
			opts:    map[string]string{"header": "true", "inferSchema": "false"},
			schema:  "a VARCHAR, b VARCHAR",
			rows:    [][]string{{"1", "true"}},
		},
		{
			name:    "no quoting, custom escape",
			content: "a,b\n\"x\",'q''\n",
			opts:    map[string]string{"header": "true", "quote": "", "escape": "'"},
			schema:  "a VARCHAR, b VARCHAR",
			rows:    [][]string{{`"x"`, "'q''"}},
		},
		{
			name:    "single quote as quote",
			content: "a,b\n'x,y','it''s'\n",
			opts:    map[string]string{"header": "true", "quote": "'"},
			schema:  "a VARCHAR, b VARCHAR",
			rows:    [][]string{{"x,y", "it's"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			path := writeFile(t, t.TempDir(), "data.csv", tc.content)
			src, err := NewCSV("t", path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := schemaString(src.ArrowSchema()); got != tc.schema {
				t.Fatalf("schema %q, want %q", got, tc.schema)
			}
			for _, bs := range []int{1, 2, 1000} {
				got, _ := scan(t, src, allColumns(src.ArrowSchema()), bs, mem)
				equalRows(t, got, tc.rows)
			}
			// Another order, a subset, and no columns at all.
			n := src.ArrowSchema().NumFields()
			cols := []int{n - 1, 0}
			got, _ := scan(t, src, cols, 1, mem)
			equalRows(t, got, project(tc.rows, cols))
			got, _ = scan(t, src, nil, 1, mem)
			if len(got) != len(tc.rows) {
				t.Fatalf("count: %d rows, want %d", len(got), len(tc.rows))
			}
		})
	}
}

func TestCSVWithSchema(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i8", Type: planner.Int8, Nullable: true},
		{Name: "i32", Type: planner.Int32, Nullable: true},
		{Name: "dec", Type: planner.Decimal(10, 2), Nullable: true},
		{Name: "f", Type: planner.Float32, Nullable: true},
		{Name: "d", Type: planner.Date, Nullable: true},
		{Name: "ts", Type: planner.Timestamp, Nullable: true},
		{Name: "b", Type: planner.Boolean, Nullable: true},
		{Name: "s", Type: planner.String, Nullable: true},
	}, nil)
	path := writeFile(t, t.TempDir(), "typed.csv", "skipped,header,is,not,checked,at,all,x\n"+
		"-5,100000,12.345,1.5,2020-02-29,2020-02-29 23:59:59.5,True,hi\n"+
		"127,-2147483648,-0.005,-0,0001-01-01,1900-01-01T00:00:00+01:00,false,\"\"\n"+
		",,,,,,,\n")
	src, err := NewCSVWithSchema("t", path, schema, map[string]string{"header": "true"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := scan(t, src, allColumns(schema), 2, mem)
	equalRows(t, got, [][]string{
		{"-5", "100000", "12.35", "1.5", "2020-02-29", "2020-02-29 23:59:59.5", "true", "hi"},
		{"127", "-2147483648", "-0.01", "-0", "0001-01-01", "1899-12-31 23:00:00", "false", ""},
		{"NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
	})
}

func TestCSVDirectory(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	writeFile(t, dir, "b/2.csv", "x,y\n3,c\n")
	writeFile(t, dir, "a.csv", "x,y\n1,a\n2,b\n")
	writeFile(t, dir, "_SUCCESS", "")
	writeFile(t, dir, ".a.csv.crc", "junk")
	src, err := NewCSV("t", dir, map[string]string{"header": "true"})
	if err != nil {
		t.Fatal(err)
	}
	splits, _ := src.Splits(context.Background())
	if len(splits) != 2 || splits[0].String() != "a.csv" || splits[1].String() != "b/2.csv" {
		t.Fatalf("splits %v", splits)
	}
	got, _ := scan(t, src, []int{1, 0}, 10, mem)
	equalRows(t, got, [][]string{{"a", "1"}, {"b", "2"}, {"c", "3"}})
}

func TestCSVErrors(t *testing.T) {
	dir := t.TempDir()
	bad := writeFile(t, dir, "data.csv", "a,b,c,d\n1,2,3,4\n5,6,7\n")
	quote := writeFile(t, dir, "quote.csv", "a,b\n1,\"open\n2,3\n")
	late := writeFile(t, dir, "late.csv", "n\n"+strings.Repeat("1\n", inferRows)+"1.5\n")
	empty := writeFile(t, dir, "empty.csv", "")
	typed := writeFile(t, dir, "typed.csv", "1,x\nabc,y\n")
	tests := []struct {
		name   string
		path   string
		schema *arrow.Schema
		opts   map[string]string
		open   bool // the error comes from reading, not from NewCSV
		kind   error
		frags  []string
	}{
		{"field count", bad, nil, map[string]string{"header": "true", "inferSchema": "false"}, true, errs.ErrExecution,
			[]string{"csv file " + bad + " line 3: expected 4 fields, got 3"}},
		{"field count while inferring", bad, nil, map[string]string{"header": "true"}, false, errs.ErrExecution,
			[]string{"csv file " + bad + " line 3: expected 4 fields, got 3"}},
		{"unterminated quote", quote, nil, map[string]string{"header": "true", "inferSchema": "false"}, true, errs.ErrExecution,
			[]string{"csv file " + quote + " line 2: unterminated quoted field"}},
		{"value after the sample", late, nil, map[string]string{"header": "true"}, true, errs.ErrExecution,
			[]string{"csv file " + late + " line 1002 column 1 (n): cannot parse \"1.5\" as BIGINT"}},
		{"value with a schema", typed, arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.Int64}, {Name: "b", Type: planner.String}}, nil),
			nil, true, errs.ErrExecution, []string{"csv file " + typed + " line 2 column 1 (a): cannot parse \"abc\" as BIGINT"}},
		{"missing", filepath.Join(dir, "nope.csv"), nil, nil, false, errs.ErrExecution, []string{"no such file or directory: " + filepath.Join(dir, "nope.csv")}},
		{"empty file", empty, nil, nil, false, errs.ErrExecution, []string{"csv file " + empty + " is empty"}},
		{"unknown option", bad, nil, map[string]string{"headers": "true"}, false, errs.ErrPlan, []string{`unknown csv option "headers"`}},
		{"bad boolean option", bad, nil, map[string]string{"header": "yes"}, false, errs.ErrPlan, []string{"header must be 'true' or 'false'"}},
		{"delimiter is quote", bad, nil, map[string]string{"delimiter": "\""}, false, errs.ErrPlan, []string{"delimiter"}},
		{"long delimiter", bad, nil, map[string]string{"delimiter": "::"}, false, errs.ErrNotImplemented, []string{"single ASCII character"}},
		{"bad date pattern", bad, nil, map[string]string{"dateFormat": "yyyy-QQ"}, false, errs.ErrNotImplemented, []string{`letter "Q"`}},
		{"unsupported schema type", bad, arrow.NewSchema([]arrow.Field{{Name: "u", Type: arrow.PrimitiveTypes.Uint16}}, nil),
			nil, false, errs.ErrNotImplemented, []string{`column "u"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			var src Source
			var err error
			if tc.schema != nil {
				src, err = NewCSVWithSchema("t", tc.path, tc.schema, tc.opts)
			} else {
				src, err = NewCSV("t", tc.path, tc.opts)
			}
			if tc.open {
				if err != nil {
					t.Fatal(err)
				}
				_, _, err = scanErr(src, allColumns(src.ArrowSchema()), 1000, mem)
			}
			wantErr(t, err, tc.frags...)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error %v is not %v", err, tc.kind)
			}
		})
	}
}
