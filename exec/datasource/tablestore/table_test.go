package tablestore

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// step is one operation of TestOperations and the state it must leave.
type step struct {
	op       string // "append FROM TO", "overwrite FROM TO", "truncate", "compact", "reopen"
	rows     []string
	files    int   // data files after the step
	logRows  int64 // rows in the log after the step
	splitsAt int   // expected number of splits
}

func TestOperations(t *testing.T) {
	// CompactRows is 10: an append that would leave the log with 10 rows or more writes a
	// Parquet file holding the log and the new rows.
	tests := []struct {
		name  string
		steps []step
	}{
		{"small appends stay in the log", []step{
			{op: "append 0 3", rows: idRows(0, 3), logRows: 3, splitsAt: 1},
			{op: "append 3 4", rows: idRows(0, 4), logRows: 4, splitsAt: 1},
			{op: "reopen", rows: idRows(0, 4), logRows: 4, splitsAt: 1},
		}},
		{"threshold folds the log into parquet", []step{
			{op: "append 0 6", rows: idRows(0, 6), logRows: 6, splitsAt: 1},
			{op: "append 6 10", rows: idRows(0, 10), files: 1, splitsAt: 1},
			{op: "append 10 12", rows: idRows(0, 12), files: 1, logRows: 2, splitsAt: 2},
			{op: "reopen", rows: idRows(0, 12), files: 1, logRows: 2, splitsAt: 2},
			{op: "append 12 40", rows: idRows(0, 40), files: 2, splitsAt: 2},
		}},
		{"compact", []step{
			{op: "append 0 3", rows: idRows(0, 3), logRows: 3, splitsAt: 1},
			{op: "compact", rows: idRows(0, 3), files: 1, splitsAt: 1},
			{op: "compact", rows: idRows(0, 3), files: 1, splitsAt: 1},
			{op: "append 3 5", rows: idRows(0, 5), files: 1, logRows: 2, splitsAt: 2},
			{op: "reopen", rows: idRows(0, 5), files: 1, logRows: 2, splitsAt: 2},
		}},
		{"overwrite small goes to a new log, large to parquet", []step{
			{op: "append 0 30", rows: idRows(0, 30), files: 1, splitsAt: 1},
			{op: "append 30 32", rows: idRows(0, 32), files: 1, logRows: 2, splitsAt: 2},
			{op: "overwrite 100 103", rows: idRows(100, 103), logRows: 3, splitsAt: 1},
			{op: "overwrite 200 250", rows: idRows(200, 250), files: 1, splitsAt: 1},
			{op: "reopen", rows: idRows(200, 250), files: 1, splitsAt: 1},
		}},
		{"truncate", []step{
			{op: "append 0 30", rows: idRows(0, 30), files: 1, splitsAt: 1},
			{op: "append 30 31", rows: idRows(0, 31), files: 1, logRows: 1, splitsAt: 2},
			{op: "truncate"},
			{op: "reopen"},
			{op: "append 5 7", rows: idRows(5, 7), logRows: 2, splitsAt: 1},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			opts := testOpts(mem, 10)
			tbl, dir := mustCreate(t, idSchema, opts)
			ctx := context.Background()
			for i, st := range tc.steps {
				var from, to int
				var verb string
				fmt.Sscanf(st.op, "%s %d %d", &verb, &from, &to)
				switch verb {
				case "append":
					appendRows(t, tbl, mem, from, to)
				case "overwrite":
					b := idBatch(t, mem, from, to)
					n, err := tbl.Overwrite(ctx, []arrow.RecordBatch{b})
					b.Release()
					if err != nil || n != int64(to-from) {
						t.Fatalf("step %d: Overwrite = %d, %v", i, n, err)
					}
				case "truncate":
					if err := tbl.Truncate(ctx); err != nil {
						t.Fatal(err)
					}
				case "compact":
					if err := tbl.Compact(ctx); err != nil {
						t.Fatal(err)
					}
				case "reopen":
					if err := tbl.Close(); err != nil {
						t.Fatal(err)
					}
					var err error
					if tbl, err = Open(dir, opts); err != nil {
						t.Fatal(err)
					}
					t.Cleanup(func() { tbl.Close() })
				}
				for _, bs := range []int{1, 3, 8192} {
					equalRows(t, fmt.Sprintf("step %d %q batch size %d", i, st.op, bs), readTable(t, tbl, bs, mem), st.rows)
				}
				stats := tbl.Stats()
				if stats.Files != st.files || stats.LogRows != st.logRows || stats.Rows != int64(len(st.rows)) {
					t.Fatalf("step %d %q: stats %+v, want %d files, %d log rows, %d rows", i, st.op, stats, st.files, st.logRows, len(st.rows))
				}
				s, err := tbl.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				splits, err := s.Splits(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(splits) != st.splitsAt || s.NumRows() != int64(len(st.rows)) {
					t.Fatalf("step %d %q: %d splits, %d rows; want %d, %d", i, st.op, len(splits), s.NumRows(), st.splitsAt, len(st.rows))
				}
				s.Release()
				expectFiles(t, tbl)
			}
		})
	}
}

// TestProjection reads column subsets, repeats and none (a bare row count) from the log
// and from a data file.
func TestProjection(t *testing.T) {
	mem := checkedMem(t)
	tbl, _ := mustCreate(t, idSchema, testOpts(mem, 10))
	appendRows(t, tbl, mem, 0, 12) // one data file
	appendRows(t, tbl, mem, 12, 14)
	s, err := tbl.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	want := idRows(0, 14)
	tests := []struct {
		columns []int
		want    func(row string) string
	}{
		{[]int{1}, func(r string) string { return strings.Split(r, "|")[1] }},
		{[]int{1, 0, 1}, func(r string) string {
			c := strings.Split(r, "|")
			return c[1] + "|" + c[0] + "|" + c[1]
		}},
		{[]int{}, func(string) string { return "" }},
	}
	for _, tc := range tests {
		var exp []string
		for _, r := range want {
			exp = append(exp, tc.want(r))
		}
		equalRows(t, fmt.Sprintf("columns %v", tc.columns), readSource(t, s, tc.columns, 4, mem), exp)
	}
	splits, err := s.Splits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Open(context.Background(), splits[0], []int{2}, datasource.ReadOptions{Mem: mem})
	if !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("ordinal out of range: %v", err)
	}
}

// allTypes has a column of every storable type.
var allTypes = arrow.NewSchema([]arrow.Field{
	{Name: "b", Type: planner.Boolean, Nullable: true},
	{Name: "i8", Type: planner.Int8, Nullable: true},
	{Name: "i16", Type: planner.Int16, Nullable: true},
	{Name: "i32", Type: planner.Int32, Nullable: true},
	{Name: "i64", Type: planner.Int64, Nullable: true},
	{Name: "f32", Type: planner.Float32, Nullable: true},
	{Name: "f64", Type: planner.Float64, Nullable: true},
	{Name: "s", Type: planner.String, Nullable: true},
	{Name: "d", Type: planner.Date, Nullable: true},
	{Name: "ts", Type: planner.Timestamp, Nullable: true},
	{Name: "dec9", Type: planner.Decimal(9, 2), Nullable: true},
	{Name: "dec30", Type: planner.Decimal(30, 4), Nullable: true},
	{Name: "arr", Type: planner.ArrayOf(planner.String), Nullable: true},
	{Name: "vec", Type: planner.VectorOf(3), Nullable: true},
	{Name: "vecnn", Type: planner.VectorOf(2)},
}, nil)

const allTypesJSON = `[
 {"b": true, "i8": -8, "i16": 1600, "i32": -32, "i64": 9007199254740993, "f32": 1.5, "f64": -2.25,
  "s": "héllo", "d": "2024-02-29", "ts": "2024-02-29 12:34:56.789012", "dec9": "1234567.89",
  "dec30": "12345678901234567890123456.7891", "arr": ["a", null, "c"], "vec": [1, 2, 3], "vecnn": [0.5, -1]},
 {"b": null, "i8": null, "i16": null, "i32": null, "i64": null, "f32": null, "f64": null,
  "s": null, "d": null, "ts": null, "dec9": null, "dec30": null, "arr": null, "vec": null, "vecnn": [7, 8]},
 {"b": false, "i8": 127, "i16": -32768, "i32": 2147483647, "i64": -1, "f32": 0, "f64": 1e300,
  "s": "", "d": "1970-01-01", "ts": "1969-12-31 23:59:59", "dec9": "-0.01",
  "dec30": "-1", "arr": [], "vec": [0, 0, 0], "vecnn": [1, 2]}
]`

// TestTypesRoundTrip writes every storable type, with NULLs, to the log and then to
// Parquet, and reads back what was written.
func TestTypesRoundTrip(t *testing.T) {
	mem := checkedMem(t)
	tbl, dir := mustCreate(t, allTypes, testOpts(mem, 0))
	in := fromJSON(t, mem, allTypes, allTypesJSON)
	defer in.Release()
	want := renderRows(in)
	if strings.Contains(want[0], "NULL") || !strings.Contains(want[1], "NULL") {
		t.Fatalf("fixture does not parse as intended: %q", want)
	}
	if _, err := tbl.Append(context.Background(), []arrow.RecordBatch{in}); err != nil {
		t.Fatal(err)
	}
	equalRows(t, "from the log", readTable(t, tbl, 2, mem), want)
	if err := tbl.Compact(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := tbl.Stats(); st.Files != 1 || st.LogRows != 0 {
		t.Fatalf("after Compact: %+v", st)
	}
	equalRows(t, "from parquet", readTable(t, tbl, 2, mem), want)
	tbl.Close()
	tbl2, err := Open(dir, testOpts(mem, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer tbl2.Close()
	if !tbl2.Schema().Equal(allTypes) {
		t.Fatalf("schema after reopen:\n%v\nwant\n%v", tbl2.Schema(), allTypes)
	}
	equalRows(t, "after reopen", readTable(t, tbl2, 8192, mem), want)
}

func TestAddColumn(t *testing.T) {
	mem := checkedMem(t)
	opts := testOpts(mem, 10)
	tbl, dir := mustCreate(t, idSchema, opts)
	ctx := context.Background()
	appendRows(t, tbl, mem, 0, 10) // a data file without the new columns
	appendRows(t, tbl, mem, 10, 12)

	def := fromJSON(t, mem, arrow.NewSchema([]arrow.Field{{Name: "x", Type: planner.Int32}}, nil), `[{"x": 7}]`)
	defer def.Release()
	if err := tbl.AddColumn(ctx, arrow.Field{Name: "n", Type: planner.Int32}, def.Column(0)); err != nil {
		t.Fatal(err)
	}
	if err := tbl.AddColumn(ctx, arrow.Field{Name: "note", Type: planner.String, Nullable: true}, nil); err != nil {
		t.Fatal(err)
	}
	schema3 := tbl.Schema()
	if schema3.NumFields() != 4 || schema3.Field(2).Name != "n" || schema3.Field(3).Name != "note" {
		t.Fatalf("schema after AddColumn: %v", schema3)
	}
	b := fromJSON(t, mem, schema3, `[{"id": 12, "s": "new", "n": 1, "note": "hi"}]`)
	defer b.Release()
	if _, err := tbl.Append(ctx, []arrow.RecordBatch{b}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range idRows(0, 12) {
		want = append(want, r+"|7|NULL")
	}
	want = append(want, "12|new|1|hi")
	equalRows(t, "after AddColumn", readTable(t, tbl, 5, mem), want)

	// Only the new columns: the old data file contributes bare defaults.
	s, err := tbl.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var wantN []string
	for _, r := range want {
		c := strings.Split(r, "|")
		wantN = append(wantN, c[3]+"|"+c[2])
	}
	equalRows(t, "new columns only", readSource(t, s, []int{3, 2}, 3, mem), wantN)
	s.Release()

	tbl.Close()
	if tbl, err = Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	equalRows(t, "after reopen", readTable(t, tbl, 8192, mem), want)
	if err := tbl.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	equalRows(t, "after compact", readTable(t, tbl, 8192, mem), want)

	errTests := []struct {
		name  string
		field arrow.Field
		def   arrow.Array
		kind  error
		text  string
	}{
		{"duplicate", arrow.Field{Name: "ID", Type: planner.Int64, Nullable: true}, nil, errs.ErrPlan, `duplicate column name "ID"`},
		{"not null without default", arrow.Field{Name: "z", Type: planner.Int64}, nil, errs.ErrPlan, `column "z" is NOT NULL`},
		{"default of the wrong type", arrow.Field{Name: "z", Type: planner.Int64}, def.Column(0), errs.ErrInternal, `default of column "z"`},
		{"unsupported type", arrow.Field{Name: "z", Type: arrow.BinaryTypes.Binary, Nullable: true}, nil, errs.ErrNotImplemented, `column "z": type`},
	}
	for _, tc := range errTests {
		err := tbl.AddColumn(ctx, tc.field, tc.def)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.text) {
			t.Errorf("%s: got %v, want %v containing %q", tc.name, err, tc.kind, tc.text)
		}
	}
	if tbl.Schema().NumFields() != 4 {
		t.Fatalf("failed AddColumn changed the schema: %v", tbl.Schema())
	}
}

func TestReplace(t *testing.T) {
	mem := checkedMem(t)
	tbl, dir := mustCreate(t, idSchema, testOpts(mem, 10))
	appendRows(t, tbl, mem, 0, 12)
	appendRows(t, tbl, mem, 12, 13)
	schema := arrow.NewSchema([]arrow.Field{{Name: "name", Type: planner.String, Nullable: true}}, nil)
	b := fromJSON(t, mem, schema, `[{"name": "a"}, {"name": null}]`)
	defer b.Release()
	if _, err := tbl.Replace(context.Background(), nil, schema, []arrow.RecordBatch{b}); err != nil {
		t.Fatal(err)
	}
	equalRows(t, "after Replace", readTable(t, tbl, 8192, mem), []string{"a", "NULL"})
	if !tbl.Schema().Equal(schema) {
		t.Fatalf("schema %v", tbl.Schema())
	}
	expectFiles(t, tbl)
	tbl.Close()
	tbl, err := Open(dir, testOpts(mem, 10))
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	equalRows(t, "after reopen", readTable(t, tbl, 8192, mem), []string{"a", "NULL"})
}

// TestSnapshotIsolation checks that a snapshot reads the table as of when it was taken,
// whatever is committed after, and keeps its data files until released.
func TestSnapshotIsolation(t *testing.T) {
	mem := checkedMem(t)
	tbl, dir := mustCreate(t, idSchema, testOpts(mem, 10))
	ctx := context.Background()
	appendRows(t, tbl, mem, 0, 10)
	appendRows(t, tbl, mem, 10, 13)
	s1, err := tbl.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	oldFile := tbl.m.files[0].name
	appendRows(t, tbl, mem, 13, 14)
	b := idBatch(t, mem, 100, 120)
	if _, err := tbl.Overwrite(ctx, []arrow.RecordBatch{b}); err != nil {
		t.Fatal(err)
	}
	b.Release()
	s2, err := tbl.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	appendRows(t, tbl, mem, 120, 121)
	if err := tbl.Truncate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir + "/" + oldFile); err != nil {
		t.Fatalf("a file a live snapshot reads was removed: %v", err)
	}
	equalRows(t, "first snapshot", readSource(t, s1, nil, 4, mem), idRows(0, 13))
	equalRows(t, "second snapshot", readSource(t, s2, nil, 4, mem), idRows(100, 120))
	equalRows(t, "table", readTable(t, tbl, 4, mem), nil)
	s1.Release()
	s1.Release() // idempotent
	if _, err := os.Stat(dir + "/" + oldFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("released snapshot's file is still there: %v", err)
	}
	if _, err := s1.Splits(ctx); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("Splits after Release: %v", err)
	}
	// A reader opened before Release keeps reading.
	splits, err := s2.Splits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s2.Open(ctx, splits[0], []int{0}, datasource.ReadOptions{Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	s2.Release()
	expectFiles(t, tbl)
	rb, err := r.Next()
	if err != nil || rb == nil || rb.NumRows() != 20 {
		t.Fatalf("reader after Release: %v, %v", rb, err)
	}
	rb.Release()
	r.Close()
}

// TestSnapshotCleanup checks the backstop: a snapshot dropped without Release is released
// by the garbage collector, and its files removed.
func TestSnapshotCleanup(t *testing.T) {
	tbl, dir := mustCreate(t, idSchema, testOpts(memory.DefaultAllocator, 10))
	appendRows(t, tbl, memory.DefaultAllocator, 0, 10)
	name := tbl.m.files[0].name
	func() {
		s, err := tbl.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		_ = s.NumRows()
	}()
	if err := tbl.Truncate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if _, err := os.Stat(dir + "/" + name); errors.Is(err, os.ErrNotExist) {
			return
		}
	}
	t.Fatal("the file of an unreachable snapshot was never removed")
}

func TestAppendErrors(t *testing.T) {
	mem := checkedMem(t)
	tbl, _ := mustCreate(t, idSchema, testOpts(mem, 10))
	ctx := context.Background()
	wrongType := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: planner.Int64},
		{Name: "s", Type: planner.Int32, Nullable: true},
	}, nil)
	tests := []struct {
		name   string
		schema *arrow.Schema
		js     string
		text   string
	}{
		{"type", wrongType, `[{"id": 1, "s": 2}]`, `table t: column "s" is VARCHAR but the value written is INT`},
		{"not null", idSchema, `[{"id": null, "s": "x"}]`, `table t: column "id" is NOT NULL but a row written has NULL there`},
		{"columns", arrow.NewSchema([]arrow.Field{{Name: "id", Type: planner.Int64}}, nil), `[{"id": 1}]`, `table t has 2 columns but the rows written have 1`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			good := idBatch(t, mem, 0, 2)
			defer good.Release()
			b := fromJSON(t, mem, tc.schema, tc.js)
			defer b.Release()
			for _, op := range []string{"append", "overwrite"} {
				var err error
				if op == "append" {
					_, err = tbl.Append(ctx, []arrow.RecordBatch{good, b})
				} else {
					_, err = tbl.Overwrite(ctx, []arrow.RecordBatch{good, b})
				}
				if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), tc.text) {
					t.Fatalf("%s: got %v, want %q", op, err, tc.text)
				}
			}
			if st := tbl.Stats(); st.Rows != 0 {
				t.Fatalf("a failed write left rows: %+v", st)
			}
		})
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	b := idBatch(t, mem, 0, 1)
	defer b.Release()
	if _, err := tbl.Append(canceled, []arrow.RecordBatch{b}); !errors.Is(err, errs.ErrCanceled) {
		t.Fatalf("canceled append: %v", err)
	}
}

func TestCreateOpenErrors(t *testing.T) {
	mem := checkedMem(t)
	opts := testOpts(mem, 10)
	tbl, dir := mustCreate(t, idSchema, opts)
	appendRows(t, tbl, mem, 0, 10)
	dataName := tbl.m.files[0].name

	if _, err := Open(dir, opts); err == nil || !strings.Contains(err.Error(), "already open") {
		t.Fatalf("second Open: %v", err)
	}
	tbl.Close()
	if _, err := Create(dir, idSchema, opts); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("Create over a table: %v", err)
	}
	manifest, err := os.ReadFile(dir + "/" + manifestName)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		manifest string
		remove   string
		text     string
	}{
		{"not json", "{not json", "", "corrupt table manifest " + dir + "/manifest.json"},
		{"newer version", strings.Replace(string(manifest), `"version": 1`, `"version": 2`, 1), "", "written by a newer Ember"},
		{"path in a file name", strings.Replace(string(manifest), dataName, "../"+dataName, 1), "", `data file name "../data-`},
		{"unknown type", strings.Replace(string(manifest), `"BIGINT"`, `"BIGNUM"`, 1), "", `column "id": unknown type "BIGNUM"`},
		{"missing data file", string(manifest), dataName, "data file " + dataName + " listed in " + dir + "/manifest.json"},
		{"no manifest", "", "", "has no manifest.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			copyDir := t.TempDir()
			for _, f := range storeFiles(t, dir) {
				data, err := os.ReadFile(dir + "/" + f)
				if err != nil {
					t.Fatal(err)
				}
				if f == manifestName {
					data = []byte(tc.manifest)
				}
				if f == tc.remove || f == manifestName && tc.manifest == "" {
					continue
				}
				if err := os.WriteFile(copyDir+"/"+f, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Open(copyDir, opts)
			text := strings.ReplaceAll(tc.text, dir, copyDir)
			if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), text) {
				t.Fatalf("got %v, want an execution error containing %q", err, text)
			}
		})
	}
	schemaTests := []struct {
		name   string
		schema *arrow.Schema
		kind   error
	}{
		{"no columns", arrow.NewSchema(nil, nil), errs.ErrPlan},
		{"duplicate", arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.Int64}, {Name: "A", Type: planner.Int64}}, nil), errs.ErrPlan},
		{"null type", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.Null, Nullable: true}}, nil), errs.ErrNotImplemented},
		{"timestamp in seconds", arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.FixedWidthTypes.Timestamp_s}}, nil), errs.ErrNotImplemented},
		{"nested array", arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.ArrayOf(planner.ArrayOf(planner.Int32))}}, nil), errs.ErrNotImplemented},
	}
	for _, tc := range schemaTests {
		if _, err := Create(t.TempDir()+"/x", tc.schema, opts); !errors.Is(err, tc.kind) {
			t.Errorf("Create with %s: %v, want %v", tc.name, err, tc.kind)
		}
	}
	if _, err := Open(t.TempDir()+"/nothing", opts); !errors.Is(err, errs.ErrExecution) {
		t.Fatalf("Open of a missing folder: %v", err)
	}
}

// TestCorruptData checks that a data file whose contents contradict the manifest is an
// execution error naming it, when read.
func TestCorruptData(t *testing.T) {
	mem := checkedMem(t)
	opts := testOpts(mem, 10)
	tbl, dir := mustCreate(t, idSchema, opts)
	appendRows(t, tbl, mem, 0, 10)
	name := tbl.m.files[0].name
	tbl.Close()
	// A valid Parquet file with other columns, in place of the data file.
	other := arrow.NewSchema([]arrow.Field{{Name: "x", Type: planner.Int32}}, nil)
	b := fromJSON(t, mem, other, `[{"x": 1}]`)
	f, err := os.Create(dir + "/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := datasource.WriteParquet(f, other, []arrow.RecordBatch{b}, datasource.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	b.Release()
	tbl, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Close()
	s, err := tbl.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	_, err = s.Splits(context.Background())
	if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), name+" has 1 columns, the manifest says 2") {
		t.Fatalf("got %v", err)
	}
}

// TestLogCacheMerging checks that many single-row appends leave few batches in memory.
func TestLogCacheMerging(t *testing.T) {
	mem := checkedMem(t)
	opts := testOpts(mem, 0)
	opts.NoSync = true
	tbl, _ := mustCreate(t, idSchema, opts)
	const n = 3000
	for i := range n {
		appendRows(t, tbl, mem, i, i+1)
	}
	// A binary counter of 3000 (0b101110111000) has 7 ones.
	if got := len(tbl.cache.batches); got != 7 {
		t.Fatalf("%d cached batches after %d single-row appends, want 7", got, n)
	}
	equalRows(t, "rows", readTable(t, tbl, 1000, mem), idRows(0, n))
	if st := tbl.Stats(); st.Files != 0 || st.LogRows != n {
		t.Fatalf("after %d single-row appends: %+v", n, st)
	}
	expectFiles(t, tbl) // no data file, one log
}

// TestRepeatValue checks repeatValue for several lengths and types.
func TestRepeatValue(t *testing.T) {
	mem := checkedMem(t)
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: planner.ArrayOf(planner.Int32), Nullable: true}}, nil)
	b := fromJSON(t, mem, schema, `[{"a": [1, null]}, {"a": [5]}]`)
	defer b.Release()
	one := array.NewSlice(b.Column(0), 1, 2) // a slice, to exercise offsets
	defer one.Release()
	for _, n := range []int{0, 1, 2, 3, 1000} {
		for _, def := range []arrow.Array{one, nil} {
			arr, err := repeatValue(def, schema.Field(0).Type, n, mem)
			if err != nil {
				t.Fatal(err)
			}
			if arr.Len() != n {
				t.Fatalf("length %d, want %d", arr.Len(), n)
			}
			for i := 0; i < n; i++ {
				if def == nil && arr.IsValid(i) || def != nil && arr.ValueStr(i) != "[5]" {
					t.Fatalf("value %d is %s", i, arr.ValueStr(i))
				}
			}
			arr.Release()
		}
	}
}

// TestStringsWithoutValues writes files where a VARCHAR or ARRAY<VARCHAR> column has no
// value in a row group (see hasStringChunkWithoutValues), and reads them back.
func TestStringsWithoutValues(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "s", Type: planner.String, Nullable: true},
		{Name: "a", Type: planner.ArrayOf(planner.String), Nullable: true},
	}, nil)
	tests := []struct {
		name         string
		rowGroupSize int
		js           string
	}{
		{"all null", 0, `[{"s": null, "a": null}, {"s": null, "a": [null]}]`},
		{"null elements", 0, `[{"s": "x", "a": [null, null]}]`},
		{"second row group", 2, `[{"s": "x", "a": ["y"]}, {"s": "z", "a": ["w"]}, {"s": null, "a": [null]}]`},
		{"first row group", 1, `[{"s": null, "a": []}, {"s": "z", "a": ["w"]}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			opts := testOpts(mem, 0)
			opts.Parquet.RowGroupSize = tc.rowGroupSize
			tbl, _ := mustCreate(t, schema, opts)
			b := fromJSON(t, mem, schema, tc.js)
			defer b.Release()
			if _, err := tbl.Append(context.Background(), []arrow.RecordBatch{b}); err != nil {
				t.Fatal(err)
			}
			if err := tbl.Compact(context.Background()); err != nil {
				t.Fatal(err)
			}
			if !hasStringChunkWithoutValues(schema, []arrow.RecordBatch{b}, tc.rowGroupSize) {
				t.Fatal("the case does not exercise the workaround")
			}
			equalRows(t, "rows", readTable(t, tbl, 8192, mem), renderRows(b))
		})
	}
	mem := checkedMem(t)
	b := fromJSON(t, mem, schema, `[{"s": "x", "a": ["y"]}, {"s": null, "a": [null]}]`)
	defer b.Release()
	if hasStringChunkWithoutValues(schema, []arrow.RecordBatch{b}, 0) {
		t.Fatal("a file whose columns all have a value needs no workaround")
	}
}

// TestCanceledCommit cancels a manifest switch after its files are written: the table must
// be as before, without the files, and keep working.
func TestCanceledCommit(t *testing.T) {
	mem := checkedMem(t)
	tbl, _ := mustCreate(t, idSchema, testOpts(mem, 10))
	appendRows(t, tbl, mem, 0, 10)
	appendRows(t, tbl, mem, 10, 12)
	var cancel context.CancelFunc // of the operation running
	testHook = func(step string) {
		if step == "files-written" {
			cancel()
		}
	}
	defer func() { testHook = nil }()
	b := idBatch(t, mem, 100, 130)
	defer b.Release()
	ops := map[string]func(context.Context) error{
		"overwrite": func(ctx context.Context) error { _, err := tbl.Overwrite(ctx, []arrow.RecordBatch{b}); return err },
		"append":    func(ctx context.Context) error { _, err := tbl.Append(ctx, []arrow.RecordBatch{b}); return err },
		"compact":   func(ctx context.Context) error { return tbl.Compact(ctx) },
		"truncate":  func(ctx context.Context) error { return tbl.Truncate(ctx) },
	}
	for name, op := range ops {
		var ctx context.Context
		ctx, cancel = context.WithCancel(context.Background())
		err := op(ctx)
		cancel()
		if !errors.Is(err, errs.ErrCanceled) {
			t.Fatalf("%s: %v, want canceled", name, err)
		}
		equalRows(t, name+": rows", readTable(t, tbl, 8192, mem), idRows(0, 12))
		expectFiles(t, tbl)
	}
	testHook = nil
	appendRows(t, tbl, mem, 12, 13)
	equalRows(t, "rows", readTable(t, tbl, 8192, mem), idRows(0, 13))
}

func TestCloseAndDrop(t *testing.T) {
	mem := checkedMem(t)
	tbl, dir := mustCreate(t, idSchema, testOpts(mem, 10))
	appendRows(t, tbl, mem, 0, 12)
	if !IsTable(dir) || IsTable(t.TempDir()) {
		t.Fatal("IsTable")
	}
	s, err := tbl.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tbl.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// The snapshot outlives the table.
	equalRows(t, "snapshot after Close", readSource(t, s, nil, 8192, mem), idRows(0, 12))
	s.Release()
	if _, err := tbl.Append(context.Background(), nil); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("Append after Close: %v", err)
	}
	if _, err := tbl.Snapshot(); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("Snapshot after Close: %v", err)
	}
	tbl, err = Open(dir, testOpts(mem, 10))
	if err != nil {
		t.Fatal(err)
	}
	if err := tbl.Drop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) || IsTable(dir) {
		t.Fatalf("folder after Drop: %v", err)
	}
}

// TestOverwriteSince checks the conflict rule of read-compute-overwrite statements.
func TestOverwriteSince(t *testing.T) {
	mem := checkedMem(t)
	tbl, _ := mustCreate(t, idSchema, testOpts(mem, 10))
	other, _ := mustCreate(t, idSchema, testOpts(mem, 10))
	ctx := context.Background()
	appendRows(t, tbl, mem, 0, 3)
	b := idBatch(t, mem, 100, 101)
	defer b.Release()
	batches := []arrow.RecordBatch{b}
	snap := func(tb *Table) *Snapshot {
		s, err := tb.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Release)
		return s
	}
	tests := []struct {
		name  string
		write func() // between the snapshot and the overwrite
		kind  error
	}{
		{"no write", func() {}, nil},
		{"log append", func() { appendRows(t, tbl, mem, 3, 4) }, ErrConflict},
		{"fold", func() { appendRows(t, tbl, mem, 4, 20) }, ErrConflict},
		{"compact", func() {
			appendRows(t, tbl, mem, 20, 21)
			s := snap(tbl)
			if err := tbl.Compact(ctx); err != nil {
				t.Fatal(err)
			}
			_, err := tbl.OverwriteSince(ctx, s, batches)
			if !errors.Is(err, ErrConflict) {
				t.Fatalf("after Compact: %v", err)
			}
		}, ErrConflict},
	}
	for _, tc := range tests {
		s := snap(tbl)
		before := tbl.Stats().Rows
		tc.write()
		n, err := tbl.OverwriteSince(ctx, s, batches)
		switch {
		case tc.kind == nil && (err != nil || n != 1):
			t.Fatalf("%s: %d, %v", tc.name, n, err)
		case tc.kind == nil:
			equalRows(t, tc.name, readTable(t, tbl, 8192, mem), idRows(100, 101))
		case !errors.Is(err, tc.kind) || !errors.Is(err, errs.ErrExecution):
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.kind)
		case tbl.Stats().Rows <= before:
			t.Fatalf("%s: the conflicting overwrite changed the table", tc.name)
		}
		if _, err := tbl.Replace(ctx, s, idSchema, batches); tc.kind != nil && !errors.Is(err, tc.kind) {
			t.Fatalf("%s: Replace: %v", tc.name, err)
		}
	}
	if _, err := tbl.OverwriteSince(ctx, snap(other), batches); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("base of another table: %v", err)
	}
}
