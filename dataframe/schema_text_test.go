package dataframe

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/sql/planner"
)

func TestTreeString(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: planner.Int64},
		{Name: "n", Type: planner.Int32, Nullable: true},
		{Name: "sm", Type: planner.Int16, Nullable: true},
		{Name: "tiny", Type: planner.Int8},
		{Name: "x", Type: planner.Float64, Nullable: true},
		{Name: "y", Type: planner.Float32, Nullable: true},
		{Name: "name", Type: planner.String, Nullable: true},
		{Name: "raw", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "ok", Type: planner.Boolean},
		{Name: "day", Type: planner.Date, Nullable: true},
		{Name: "at", Type: planner.Timestamp, Nullable: true},
		{Name: "price", Type: planner.Decimal(10, 2), Nullable: true},
		{Name: "tags", Type: planner.ArrayOf(planner.String), Nullable: true},
		{Name: "grid", Type: arrow.ListOfNonNullable(planner.ArrayOf(planner.Int64))},
		{Name: "features", Type: planner.VectorOf(3), Nullable: true},
		{Name: "pair", Type: arrow.FixedSizeListOf(2, planner.Int64), Nullable: true},
		{Name: "st", Type: arrow.StructOf(
			arrow.Field{Name: "a", Type: planner.Int64},
			arrow.Field{Name: "inner", Type: arrow.StructOf(arrow.Field{Name: "b", Type: planner.String, Nullable: true}), Nullable: true},
		), Nullable: true},
		{Name: "m", Type: arrow.MapOf(planner.String, planner.ArrayOf(planner.Int32)), Nullable: true},
		{Name: "u", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "code", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: planner.String}, Nullable: true},
		{Name: "nothing", Type: arrow.Null, Nullable: true},
		{Name: "line\nbreak", Type: planner.Int64},
	}, nil)
	want := `root
 |-- id: long (nullable = false)
 |-- n: integer (nullable = true)
 |-- sm: short (nullable = true)
 |-- tiny: byte (nullable = false)
 |-- x: double (nullable = true)
 |-- y: float (nullable = true)
 |-- name: string (nullable = true)
 |-- raw: binary (nullable = true)
 |-- ok: boolean (nullable = false)
 |-- day: date (nullable = true)
 |-- at: timestamp (nullable = true)
 |-- price: decimal(10,2) (nullable = true)
 |-- tags: array (nullable = true)
 |    |-- element: string (containsNull = true)
 |-- grid: array (nullable = false)
 |    |-- element: array (containsNull = false)
 |    |    |-- element: long (containsNull = true)
 |-- features: vector(3) (nullable = true)
 |-- pair: array (nullable = true)
 |    |-- element: long (containsNull = true)
 |-- st: struct (nullable = true)
 |    |-- a: long (nullable = false)
 |    |-- inner: struct (nullable = true)
 |    |    |-- b: string (nullable = true)
 |-- m: map (nullable = true)
 |    |-- key: string
 |    |-- value: array (valueContainsNull = true)
 |    |    |-- element: integer (containsNull = true)
 |-- u: int unsigned (nullable = false)
 |-- code: string (nullable = true)
 |-- nothing: void (nullable = true)
 |-- line\nbreak: long (nullable = false)
`
	if got := treeString(schema); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := treeString(arrow.NewSchema(nil, nil)); got != "root\n" {
		t.Fatalf("empty schema: %q", got)
	}
}
