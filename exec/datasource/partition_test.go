package datasource

import (
	"context"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/sql/planner"
)

// writePartFile writes a Parquet file of the given JSON rows of schema at dir/rel.
func writePartFile(t *testing.T, mem memory.Allocator, dir, rel string, schema *arrow.Schema, rows string) {
	t.Helper()
	b := recordFromJSON(t, mem, schema, rows)
	defer b.Release()
	writeParquetFile(t, filepath.Join(dir, filepath.FromSlash(rel)), schema, []arrow.RecordBatch{b}, WriteOptions{})
}

var partFileSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "amount", Type: planner.Float64, Nullable: true},
}, nil)

// salesDir lays out a table partitioned by year and region, with a NULL region and an
// escaped one.
func salesDir(t *testing.T, mem memory.Allocator) string {
	dir := t.TempDir()
	writePartFile(t, mem, dir, "year=2023/region=eu/part-0.parquet", partFileSchema, `[{"id":1,"amount":10},{"id":2,"amount":20}]`)
	writePartFile(t, mem, dir, "year=2023/region=us/part-0.parquet", partFileSchema, `[{"id":3,"amount":30}]`)
	writePartFile(t, mem, dir, "year=2024/region=eu/part-0.parquet", partFileSchema, `[{"id":4,"amount":40}]`)
	writePartFile(t, mem, dir, "year=2024/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet", partFileSchema, `[{"id":5,"amount":null}]`)
	writePartFile(t, mem, dir, "year=2024/region=a%2Fb/part-0.parquet", partFileSchema, `[{"id":6,"amount":60}]`)
	writeFile(t, dir, "_SUCCESS", "")
	return dir
}

func TestPartitionColumns(t *testing.T) {
	mem := checkedMem(t)
	src, err := NewParquet("sales", salesDir(t, mem), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []arrow.Field{
		{Name: "id", Type: planner.Int64},
		{Name: "amount", Type: planner.Float64, Nullable: true},
		{Name: "year", Type: planner.Int64, Nullable: true},
		{Name: "region", Type: planner.String, Nullable: true},
	}
	if got := src.ArrowSchema().Fields(); !reflect.DeepEqual(got, want) {
		t.Fatalf("schema %v, want %v", got, want)
	}
	for _, cols := range [][]int{{0, 1, 2, 3}, {3, 0}, {2}, {}} {
		for _, bs := range []int{1, 8192} {
			rows, _ := scan(t, src, cols, bs, mem)
			all := [][]string{
				{"1", "10", "2023", "eu"}, {"2", "20", "2023", "eu"}, {"3", "30", "2023", "us"},
				{"6", "60", "2024", "a/b"}, {"5", "NULL", "2024", "NULL"}, {"4", "40", "2024", "eu"},
			}
			sortRows(rows)
			wantRows := project(all, cols)
			sortRows(wantRows)
			equalRows(t, rows, wantRows)
		}
	}
}

func sortRows(rows [][]string) {
	sort.Slice(rows, func(i, j int) bool { return strings.Join(rows[i], "|") < strings.Join(rows[j], "|") })
}

func TestPartitionPruning(t *testing.T) {
	mem := checkedMem(t)
	src, err := NewParquet("sales", salesDir(t, mem), nil)
	if err != nil {
		t.Fatal(err)
	}
	year := func(op PredOp, v int64) Predicate {
		return Predicate{Op: op, Column: 2, Name: "year", Type: planner.Int64, Values: []any{v}}
	}
	region := func(op PredOp, v ...any) Predicate {
		return Predicate{Op: op, Column: 3, Name: "region", Type: planner.String, Values: v}
	}
	cases := []struct {
		name  string
		preds []Predicate
		want  []string // files kept (display paths)
	}{
		{"year = 2023", []Predicate{year(PredEq, 2023)}, []string{"year=2023/region=eu/part-0.parquet", "year=2023/region=us/part-0.parquet"}},
		{"year > 2023 AND region = 'eu'", []Predicate{year(PredGt, 2023), region(PredEq, "eu")}, []string{"year=2024/region=eu/part-0.parquet"}},
		{"region IS NULL", []Predicate{{Op: PredIsNull, Column: 3, Name: "region"}}, []string{"year=2024/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet"}},
		{"region IN ('a/b', 'us')", []Predicate{region(PredIn, "a/b", "us")}, []string{"year=2023/region=us/part-0.parquet", "year=2024/region=a%2Fb/part-0.parquet"}},
		{"region LIKE 'e%'", []Predicate{region(PredPrefix, "e")}, []string{"year=2023/region=eu/part-0.parquet", "year=2024/region=eu/part-0.parquet"}},
		{"file column: id >= 5", []Predicate{{Op: PredGe, Column: 0, Name: "id", Type: planner.Int64, Values: []any{int64(5)}}},
			[]string{"year=2024/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet", "year=2024/region=a%2Fb/part-0.parquet"}},
	}
	splits, err := src.Splits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, sp := range splits {
				if src.(Pruner).MayMatch(sp, c.preds) {
					got = append(got, sp.(*FileSplit).display)
				}
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("kept %v, want %v", got, c.want)
			}
		})
	}
}

// Ember's own writer keeps the partition column in the files: the file's column is used
// (no duplicate), and the folders still prune.
func TestPartitionColumnInFiles(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: planner.Int64},
		{Name: "k", Type: planner.Int32, Nullable: true},
	}, nil)
	writePartFile(t, mem, dir, "K=1/part-00000.parquet", schema, `[{"id":1,"k":1},{"id":2,"k":1}]`)
	writePartFile(t, mem, dir, "K=2/part-00000.parquet", schema, `[{"id":3,"k":2}]`)
	writePartFile(t, mem, dir, "K=__HIVE_DEFAULT_PARTITION__/part-00000.parquet", schema, `[{"id":4,"k":null}]`)
	src, err := NewParquet("t", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := src.ArrowSchema(); !got.Equal(schema) {
		t.Fatalf("schema %v, want the files' %v", got, schema)
	}
	rows, _ := scan(t, src, []int{0, 1}, 8192, mem)
	equalRows(t, rows, [][]string{{"1", "1"}, {"2", "1"}, {"3", "2"}, {"4", "NULL"}})
	splits, err := src.Splits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// k = 2 as a BIGINT comparison over the INT column: the K=2 folder only (each file's
	// own statistics would say the same; the folder decides it here).
	var kept []string
	for _, sp := range splits {
		if src.(Pruner).MayMatch(sp, []Predicate{{Op: PredEq, Column: 1, Name: "k", Type: planner.Int64, Values: []any{int64(2)}}}) {
			kept = append(kept, sp.String())
		}
	}
	if want := []string{"K=2/part-00000.parquet rg 0"}; !reflect.DeepEqual(kept, want) {
		t.Fatalf("kept %v, want %v", kept, want)
	}
}

func TestInferPartitionType(t *testing.T) {
	cases := []struct {
		values []string // "NULL" is __HIVE_DEFAULT_PARTITION__
		want   arrow.DataType
	}{
		{[]string{"1", "-20", "007"}, planner.Int64},
		{[]string{"1", "2.5"}, planner.Float64},
		{[]string{"1e3", "NULL"}, planner.Float64},
		{[]string{"2024-01-31", "2023-12-01"}, planner.Date},
		{[]string{"2024-02-30"}, planner.String},
		{[]string{"1", "2024-01-01"}, planner.String},
		{[]string{"eu", "1"}, planner.String},
		{[]string{"NULL"}, planner.String},
		{[]string{"99999999999999999999"}, planner.Float64},
	}
	for _, c := range cases {
		vals := make([]partKV, len(c.values))
		for i, v := range c.values {
			vals[i] = partKV{key: "k", value: v, null: v == "NULL"}
		}
		if got := inferPartitionType(vals); !arrow.TypeEqual(got, c.want) {
			t.Errorf("%v: got %s, want %s", c.values, planner.TypeString(got), planner.TypeString(c.want))
		}
	}
}

func TestHivePartitions(t *testing.T) {
	cases := []struct {
		rel  string
		want []partKV
	}{
		{"f.parquet", nil},
		{"a=1/f.parquet", []partKV{{key: "a", value: "1"}}},
		{"x/a=1/b=%20c/f.parquet", []partKV{{key: "a", value: "1"}, {key: "b", value: " c"}}},
		{"a=1/x/f.parquet", nil}, // only the folders right above the file count
		{"a=__HIVE_DEFAULT_PARTITION__/f.parquet", []partKV{{key: "a", value: "__HIVE_DEFAULT_PARTITION__", null: true}}},
		{"=1/f.parquet", nil},
	}
	for _, c := range cases {
		if got := hivePartitions(c.rel); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.rel, got, c.want)
		}
	}
}

func TestConflictingPartitionFolders(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	writePartFile(t, mem, dir, "a=1/f.parquet", partFileSchema, `[{"id":1,"amount":1}]`)
	writePartFile(t, mem, dir, "b=1/f.parquet", partFileSchema, `[{"id":2,"amount":2}]`)
	_, err := NewParquet("t", dir, nil)
	wantErr(t, err, "conflicting partition folders", "a=1/f.parquet has (a)", "b=1/f.parquet has (b)")
}

func TestPartitionColumnsCSVAndJSON(t *testing.T) {
	mem := checkedMem(t)
	dir := t.TempDir()
	writeFile(t, dir, "csv/d=2024-01-02/x.csv", "id\n1\n2\n")
	writeFile(t, dir, "csv/d=2024-01-03/x.csv", "id\n3\n")
	writeFile(t, dir, "json/k=a b/x.json", `{"id": 1}`+"\n")
	writeFile(t, dir, "json/k=__HIVE_DEFAULT_PARTITION__/x.json", `{"id": 2}`+"\n")
	csv, err := NewCSV("c", filepath.Join(dir, "csv"), map[string]string{"header": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if f := csv.ArrowSchema().Field(1); f.Name != "d" || !arrow.TypeEqual(f.Type, planner.Date) {
		t.Fatalf("csv partition column %v, want d DATE", f)
	}
	rows, _ := scan(t, csv, []int{0, 1}, 8192, mem)
	equalRows(t, rows, [][]string{{"1", "2024-01-02"}, {"2", "2024-01-02"}, {"3", "2024-01-03"}})
	js, err := NewJSON("j", filepath.Join(dir, "json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ = scan(t, js, []int{1, 0}, 8192, mem)
	equalRows(t, rows, [][]string{{"NULL", "2"}, {"a b", "1"}}) // "_" sorts before "a"
	// An explicit schema is taken as given: no partition column is added.
	withSchema, err := NewCSVWithSchema("c", filepath.Join(dir, "csv"), arrow.NewSchema([]arrow.Field{{Name: "id", Type: planner.Int64, Nullable: true}}, nil), map[string]string{"header": "true"})
	if err != nil {
		t.Fatal(err)
	}
	if n := withSchema.ArrowSchema().NumFields(); n != 1 {
		t.Fatalf("explicit schema grew to %d columns", n)
	}
}
