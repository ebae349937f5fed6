package datasource

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// TestWriteJSONRoundTrip writes every scalar type and reads the file back with the written
// schema: every value, NULL, empty string and non-finite float must come back.
func TestWriteJSONRoundTrip(t *testing.T) {
	mem := checkedMem(t)
	batches := writeBatches(t, mem)
	defer releaseAll(batches)
	var want [][]string
	for _, b := range batches {
		want = append(want, batchRows(b)...)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, writeSchema, batches); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != len(want) {
		t.Fatalf("%d lines for %d rows", n, len(want))
	}
	src, err := NewJSONWithSchema("t", writeFile(t, t.TempDir(), "out.json", buf.String()), writeSchema, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, bs := range []int{1, 5, 1024} {
		got, _ := scan(t, src, allColumns(writeSchema), bs, mem)
		equalRows(t, got, want)
	}
}

var listSchemaJSON = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "ints", Type: planner.ArrayOf(planner.Int64), Nullable: true},
	{Name: "names", Type: planner.ArrayOf(planner.String), Nullable: true},
	{Name: "xs", Type: planner.ArrayOf(planner.Float64), Nullable: true},
	{Name: "nested", Type: planner.ArrayOf(planner.ArrayOf(planner.Int64)), Nullable: true},
}, nil)

const listRowsJSON = `[
 {"id": 1, "ints": [1, null, 3], "names": ["a", "b,\"c\""], "xs": [0.5, -2], "nested": [[1, 2], null, []]},
 {"id": 2, "ints": null, "names": [], "xs": null, "nested": null},
 {"id": 3, "ints": [], "names": [null, ""], "xs": [1e-9], "nested": [[3]]}
]`

// TestWriteJSONLists writes ARRAY columns (and an array of arrays) and reads them back
// with inference: arrays of scalars come back as ARRAY<T>, the array of arrays as its JSON
// text (NewJSON's rule), elements, NULL elements and empty arrays intact.
func TestWriteJSONLists(t *testing.T) {
	mem := checkedMem(t)
	b := recordFromJSON(t, mem, listSchemaJSON, listRowsJSON)
	defer b.Release()
	var buf bytes.Buffer
	if err := WriteJSON(&buf, listSchemaJSON, []arrow.RecordBatch{b}); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, t.TempDir(), "lists.json", buf.String())
	src, err := NewJSON("t", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantSchema := "id BIGINT, ints ARRAY<BIGINT>, names ARRAY<VARCHAR>, xs ARRAY<DOUBLE>, nested VARCHAR"
	if got := schemaString(src.ArrowSchema()); got != wantSchema {
		t.Fatalf("inferred %s, want %s", got, wantSchema)
	}
	got, _ := scan(t, src, allColumns(src.ArrowSchema()), 2, mem)
	equalRows(t, got, [][]string{
		{"1", "[1, NULL, 3]", `[a, b,"c"]`, "[0.5, -2]", "[[1,2],null,[]]"},
		{"2", "NULL", "[]", "NULL", "NULL"},
		{"3", "[]", "[NULL, ]", "[1e-09]", "[[3]]"},
	})
	// With the written schema minus the nested column, the arrays read back exactly.
	flat := arrow.NewSchema(listSchemaJSON.Fields()[:4], nil)
	src, err = NewJSONWithSchema("t", path, flat, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := batchRows(b)
	got, _ = scan(t, src, allColumns(flat), 1, mem)
	equalRows(t, got, project(want, []int{0, 1, 2, 3}))
}

func TestWriteJSONErrors(t *testing.T) {
	mem := checkedMem(t)
	dup := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.Int64}, {Name: "A", Type: planner.String}}, nil)
	err := WriteJSON(&bytes.Buffer{}, dup, nil)
	wantErr(t, err, `json: cannot write two columns named "a" and "A"`)
	if !errors.Is(err, errs.ErrPlan) {
		t.Fatalf("error %v is not a plan error", err)
	}
	ints := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.Int64}}, nil)
	strs := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.String}}, nil)
	b := recordFromJSON(t, mem, ints, `[{"a": 1}]`)
	defer b.Release()
	var buf bytes.Buffer
	err = WriteJSON(&buf, strs, []arrow.RecordBatch{b})
	wantErr(t, err, "writing json batch 0", `column "a" is int64 in a batch`)
	if buf.Len() != 0 {
		t.Fatalf("wrote %q before failing", buf.String())
	}
}
