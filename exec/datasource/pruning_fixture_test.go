package datasource

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/sql/planner"
)

// The fixtures of testdata/slt/explain/pruning.slt, under testdata/slt/explain/data:
//
//   - sorted.parquet: 1000 rows sorted by id in 10 row groups of 100 (group g holds ids
//     100g..100g+99): id BIGINT; d DATE = 2024-01-01 + id/10 days; s VARCHAR = the
//     letter 'a'+g then id in 3 digits ("a000".."j999"); v DECIMAL(9,2) = id/4; n INT =
//     NULL below id 200, else id; f DOUBLE = id/2.
//   - sales/year=Y/region=R/part-0.parquet: id BIGINT, amount DECIMAL(9,2), rows
//     salesFixture lists; the partition columns are only in the folders.
//   - events/day=D/part-00000.parquet: id BIGINT, day DATE, as Ember's CREATE TABLE ...
//     PARTITIONED BY writes them (the partition column in the files too).
const pruningFixtureDir = "../../testdata/slt/explain/data"

var sortedFixtureSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "d", Type: planner.Date},
	{Name: "s", Type: planner.String},
	{Name: "v", Type: planner.Decimal(9, 2)},
	{Name: "n", Type: planner.Int32, Nullable: true},
	{Name: "f", Type: planner.Float64},
}, nil)

func sortedFixture(mem memory.Allocator) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, sortedFixtureSchema)
	defer b.Release()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for id := range 1000 {
		b.Field(0).(*array.Int64Builder).Append(int64(id))
		b.Field(1).(*array.Date32Builder).Append(arrow.Date32FromTime(start.AddDate(0, 0, id/10)))
		b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("%c%03d", 'a'+id/100, id))
		b.Field(3).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(id) * 25))
		if id < 200 {
			b.Field(4).AppendNull()
		} else {
			b.Field(4).(*array.Int32Builder).Append(int32(id))
		}
		b.Field(5).(*array.Float64Builder).Append(float64(id) / 2)
	}
	return b.NewRecordBatch()
}

var salesFixtureSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "amount", Type: planner.Decimal(9, 2)},
}, nil)

var salesFixture = []struct{ path, rows string }{
	{"year=2022/region=eu/part-0.parquet", `[{"id":1,"amount":"10.00"},{"id":2,"amount":"20.50"}]`},
	{"year=2023/region=eu/part-0.parquet", `[{"id":3,"amount":"30.00"}]`},
	{"year=2023/region=us/part-0.parquet", `[{"id":4,"amount":"40.00"},{"id":5,"amount":"5.25"}]`},
	{"year=2024/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet", `[{"id":6,"amount":"60.00"}]`},
	{"year=2024/region=us/part-0.parquet", `[{"id":7,"amount":"70.00"}]`},
}

var eventsFixtureSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "day", Type: planner.Date, Nullable: true},
}, nil)

var eventsFixture = []struct{ path, rows string }{
	{"day=2024-03-01/part-00000.parquet", `[{"id":1,"day":"2024-03-01"},{"id":2,"day":"2024-03-01"}]`},
	{"day=2024-03-02/part-00000.parquet", `[{"id":3,"day":"2024-03-02"}]`},
	{"day=__HIVE_DEFAULT_PARTITION__/part-00000.parquet", `[{"id":4,"day":null}]`},
}

// TestPruningFixtures checks the committed fixtures hold what this file describes, and
// rewrites them with -update-fixtures (go test ./exec/datasource -run
// TestPruningFixtures -update-fixtures).
func TestPruningFixtures(t *testing.T) {
	mem := checkedMem(t)
	sorted := sortedFixture(mem)
	defer sorted.Release()
	type file struct {
		path   string
		schema *arrow.Schema
		batch  arrow.RecordBatch
		opts   WriteOptions
	}
	files := []file{{"sorted.parquet", sortedFixtureSchema, sorted, WriteOptions{RowGroupSize: 100}}}
	for _, f := range salesFixture {
		b := recordFromJSON(t, mem, salesFixtureSchema, f.rows)
		defer b.Release()
		files = append(files, file{"sales/" + f.path, salesFixtureSchema, b, WriteOptions{}})
	}
	for _, f := range eventsFixture {
		b := recordFromJSON(t, mem, eventsFixtureSchema, f.rows)
		defer b.Release()
		files = append(files, file{"events/" + f.path, eventsFixtureSchema, b, WriteOptions{}})
	}
	for _, f := range files {
		path := filepath.Join(pruningFixtureDir, filepath.FromSlash(f.path))
		if *updateFixtures {
			var buf bytes.Buffer
			if err := WriteParquet(&buf, f.schema, []arrow.RecordBatch{f.batch}, f.opts); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		src, err := NewParquet("fixture", path, nil)
		if err != nil {
			t.Fatalf("%v (regenerate with -update-fixtures)", err)
		}
		if !src.ArrowSchema().Equal(f.schema) {
			t.Fatalf("%s: schema\n%s\nwant\n%s\n(regenerate with -update-fixtures)", f.path, src.ArrowSchema(), f.schema)
		}
		got, _ := scan(t, src, allColumns(f.schema), 1000, mem)
		equalRows(t, got, batchRows(f.batch))
		if f.opts.RowGroupSize > 0 {
			splits, _ := src.Splits(t.Context())
			if want := int(f.batch.NumRows()) / f.opts.RowGroupSize; len(splits) != want {
				t.Fatalf("%s has %d row groups, want %d (regenerate with -update-fixtures)", f.path, len(splits), want)
			}
		}
	}
}
