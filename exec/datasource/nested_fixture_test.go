package datasource

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/sql/planner"
)

var updateFixtures = flag.Bool("update-fixtures", false, "rewrite the binary fixtures under testdata/slt/data")

// nestedFixture is testdata/slt/data/nested.parquet, which testdata/slt/nested/*.slt read:
// lists with NULL lists, empty lists and NULL elements, and float lists of 2 or 3 elements
// to cast to VECTOR(3).
const nestedFixture = "../../testdata/slt/data/nested.parquet"

var nestedFixtureSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "name", Type: planner.String, Nullable: true},
	{Name: "tags", Type: planner.ArrayOf(planner.String), Nullable: true},
	{Name: "scores", Type: planner.ArrayOf(planner.Float64), Nullable: true},
	{Name: "feat", Type: planner.ArrayOf(planner.Float32), Nullable: true},
}, nil)

const nestedFixtureRows = `[
{"id": 1, "name": "a", "tags": ["red", "blue"], "scores": [1.5, 2.5], "feat": [1, 0, 0]},
{"id": 2, "name": "b", "tags": [], "scores": [null, 4], "feat": [0, 1, 0]},
{"id": 3, "name": "c", "tags": null, "scores": null, "feat": null},
{"id": 4, "name": "d", "tags": ["green", null, "red"], "scores": [], "feat": [0.5, 0.5, 2]},
{"id": 5, "name": null, "tags": ["blue"], "scores": [3], "feat": [1, 2]}
]`

// TestNestedFixture checks that the committed nested.parquet holds nestedFixtureRows, and
// rewrites it with -update-fixtures (go test ./exec/datasource -run TestNestedFixture
// -update-fixtures).
func TestNestedFixture(t *testing.T) {
	mem := checkedMem(t)
	b := recordFromJSON(t, mem, nestedFixtureSchema, nestedFixtureRows)
	defer b.Release()
	if *updateFixtures {
		var buf bytes.Buffer
		if err := WriteParquet(&buf, nestedFixtureSchema, []arrow.RecordBatch{b}, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(nestedFixture, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path, err := filepath.Abs(nestedFixture)
	if err != nil {
		t.Fatal(err)
	}
	src, err := NewParquet("nested", path, nil)
	if err != nil {
		t.Fatalf("%v (regenerate with -update-fixtures)", err)
	}
	if !src.ArrowSchema().Equal(nestedFixtureSchema) {
		t.Fatalf("schema:\n%s\nwant:\n%s\n(regenerate with -update-fixtures)", src.ArrowSchema(), nestedFixtureSchema)
	}
	got, _ := scan(t, src, allColumns(nestedFixtureSchema), 100, mem)
	equalRows(t, got, batchRows(b))
}
