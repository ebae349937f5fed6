package datasource

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func TestJSONRead(t *testing.T) {
	tests := []struct {
		name    string
		content string
		schema  string
		rows    [][]string
	}{
		{
			name: "inference",
			content: `{"a": 1, "b": "x", "c": true, "d": 1.5, "e": {"k": [1, 2]}, "f": null}
{"b": "y\"\u00e9\n", "a": 2, "d": 2, "g": [1,"two"], "c": false}

{"a": null, "h": 3, "d": -1e2, "b": 5}
`,
			schema: "a BIGINT, b VARCHAR, c BOOLEAN, d DOUBLE, e VARCHAR, f VARCHAR, g ARRAY<VARCHAR>, h BIGINT",
			rows: [][]string{
				{"1", "x", "true", "1.5", `{"k": [1, 2]}`, "NULL", "NULL", "NULL"},
				{"2", "y\"é\n", "false", "2", "NULL", "NULL", `[1, two]`, "NULL"},
				{"NULL", "5", "NULL", "-100", "NULL", "NULL", "NULL", "3"},
			},
		},
		{
			name:    "escapes, surrogate pairs, repeated keys, whitespace",
			content: "  {\"s\":\"\\ud83d\\ude00 \\t\\\\ \\/\", \"n\" : -0 , \"n\": 5}  \r\n{}\n",
			schema:  "s VARCHAR, n BIGINT",
			rows:    [][]string{{"😀 \t\\ /", "0"}, {"NULL", "NULL"}},
		},
		{
			name:    "bool and number mix is a string",
			content: "{\"m\": true}\n{\"m\": 12}\n{\"m\": 9223372036854775808}\n",
			schema:  "m VARCHAR",
			rows:    [][]string{{"true"}, {"12"}, {"9223372036854775808"}},
		},
		{
			name: "arrays of scalars",
			content: `{"i": [1, null, 3], "d": [1, 2.5], "s": ["a", "b\"c", null], "e": [], "n": [null], "b": [true]}
{"i": [], "d": null, "s": [], "e": [], "n": [], "x": [[1], [2]], "m": [1]}
{"i": null, "d": [-1e2], "e": [], "b": [false, null], "x": [1], "m": 7, "o": [{"k": 1}]}
{"i": [ 4 ,5 ], "s": [1, "t"]}
`,
			schema: "i ARRAY<BIGINT>, d ARRAY<DOUBLE>, s ARRAY<VARCHAR>, e ARRAY<VARCHAR>, n ARRAY<VARCHAR>, " +
				"b ARRAY<BOOLEAN>, x VARCHAR, m VARCHAR, o VARCHAR",
			rows: [][]string{
				{"[1, NULL, 3]", "[1, 2.5]", `[a, b"c, NULL]`, "[]", "[NULL]", "[true]", "NULL", "NULL", "NULL"},
				{"[]", "NULL", "[]", "[]", "[]", "NULL", "[[1], [2]]", "[1]", "NULL"},
				{"NULL", "[-100]", "NULL", "[]", "NULL", "[false, NULL]", "[1]", "7", `[{"k": 1}]`},
				{"[4, 5]", "NULL", "[1, t]", "NULL", "NULL", "NULL", "NULL", "NULL", "NULL"},
			},
		},
		{
			name:    "int overflow is a double",
			content: "{\"m\": 1}\n{\"m\": 9223372036854775808}\n",
			schema:  "m DOUBLE",
			rows:    [][]string{{"1"}, {"9.223372036854776e+18"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			path := writeFile(t, t.TempDir(), "data.json", tc.content)
			src, err := NewJSON("t", path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := schemaString(src.ArrowSchema()); got != tc.schema {
				t.Fatalf("schema %q, want %q", got, tc.schema)
			}
			for _, bs := range []int{1, 2, 100} {
				got, _ := scan(t, src, allColumns(src.ArrowSchema()), bs, mem)
				equalRows(t, got, tc.rows)
			}
			n := src.ArrowSchema().NumFields()
			cols := []int{n - 1, 0, n - 1}
			got, _ := scan(t, src, cols, 1, mem)
			equalRows(t, got, project(tc.rows, cols))
		})
	}
}

func TestJSONWithSchema(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: planner.Int32, Nullable: true},
		{Name: "d", Type: planner.Date, Nullable: true},
		{Name: "ts", Type: planner.Timestamp, Nullable: true},
		{Name: "dec", Type: planner.Decimal(5, 2), Nullable: true},
		{Name: "s", Type: planner.String, Nullable: true},
		{Name: "l", Type: planner.ArrayOf(planner.Decimal(4, 1)), Nullable: true},
	}, nil)
	path := writeFile(t, t.TempDir(), "typed.json",
		`{"a": 7, "d": "2020-01-02", "ts": "2020-01-02 03:04:05", "dec": 1.25, "s": {"x":1}, "extra": [1], "l": [1, "2.25", null]}`+"\n"+
			`{"dec": "-3.1", "s": false, "l": []}`+"\n")
	src, err := NewJSONWithSchema("t", path, schema, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := scan(t, src, allColumns(schema), 10, mem)
	equalRows(t, got, [][]string{
		{"7", "2020-01-02", "2020-01-02 03:04:05", "1.25", `{"x":1}`, "[1.0, 2.3, NULL]"},
		{"NULL", "NULL", "NULL", "-3.10", "false", "[]"},
	})
}

func TestJSONErrors(t *testing.T) {
	dir := t.TempDir()
	bigint := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.Int64, Nullable: true}}, nil)
	list := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.ArrayOf(planner.Int64), Nullable: true}}, nil)
	tests := []struct {
		name    string
		content string
		schema  *arrow.Schema
		opts    map[string]string
		kind    error
		frags   []string
	}{
		{"syntax", "{\"a\": 1}\n{\"a\": }\n", bigint, nil, errs.ErrExecution, []string{"line 2 column 7: unexpected character '}'"}},
		{"not an object", "[1, 2]\n", bigint, nil, errs.ErrExecution, []string{"line 1 column 1: expected a JSON object"}},
		{"trailing text", "{\"a\": 1} x\n", bigint, nil, errs.ErrExecution, []string{"line 1 column 10: unexpected text after the object"}},
		{"trailing comma", "{\"a\": 1,}\n", bigint, nil, errs.ErrExecution, []string{"line 1 column 9: expected a string key"}},
		{"unterminated string", "{\"a\": \"abc}\n", bigint, nil, errs.ErrExecution, []string{"line 1", "unterminated string"}},
		{"bad nested", "{\"a\": [1, }\n", nil, nil, errs.ErrExecution, []string{"line 1 column 7: invalid nested JSON value"}},
		{"bad literal", "{\"a\": tru}\n", bigint, nil, errs.ErrExecution, []string{"line 1 column 7: invalid literal, expected true"}},
		{"type", "{\"a\": 2}\n{\"a\": \"x\"}\n", bigint, nil, errs.ErrExecution, []string{`line 2: key "a": cannot read "x" as BIGINT`}},
		{"float into bigint", "{\"a\": 1.5}\n", bigint, nil, errs.ErrExecution, []string{`line 1: key "a": cannot read "1.5" as BIGINT`}},
		{"scalar into array", "{\"a\": 2}\n", list, nil, errs.ErrExecution, []string{`line 1: key "a": cannot read "2" as ARRAY<BIGINT>`}},
		{"string into array", "{\"a\": \"[2]\"}\n", list, nil, errs.ErrExecution, []string{`line 1: key "a": cannot read "[2]" as ARRAY<BIGINT>`}},
		{"bad element", "{\"a\": [2, \"x\"]}\n", list, nil, errs.ErrExecution, []string{`line 1: key "a": cannot read "[2, \"x\"]" as ARRAY<BIGINT>`}},
		{"nested element", "{\"a\": [2, [3]]}\n", list, nil, errs.ErrExecution, []string{`line 1: key "a": cannot read "[2, [3]]" as ARRAY<BIGINT>`}},
		{"no keys", "\n{}\n", nil, nil, errs.ErrExecution, []string{"has no keys"}},
		{"unknown option", "{}\n", bigint, map[string]string{"multiLine": "true"}, errs.ErrPlan, []string{`unknown json option "multiLine"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			path := writeFile(t, dir, tc.name+".json", tc.content)
			var src Source
			var err error
			if tc.schema != nil {
				src, err = NewJSONWithSchema("t", path, tc.schema, tc.opts)
			} else {
				src, err = NewJSON("t", path, tc.opts)
			}
			if err == nil {
				_, _, err = scanErr(src, allColumns(src.ArrowSchema()), 1000, mem)
			}
			wantErr(t, err, tc.frags...)
			if tc.kind == errs.ErrExecution && err != nil && tc.name != "no keys" {
				wantErr(t, err, "json file "+path+" line")
			}
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error %v is not %v", err, tc.kind)
			}
		})
	}
	_, err := NewJSON("t", filepath.Join(dir, "missing"), nil)
	wantErr(t, err, "no such file or directory: "+filepath.Join(dir, "missing"))
}
