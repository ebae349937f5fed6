package tablestore

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/sql/planner"
)

// checkedMem returns an allocator that fails the test if anything allocated from it is
// still held when the test ends (cleanups run last-in first-out, so register it before the
// table's Close).
func checkedMem(t testing.TB) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// idSchema is the schema most tests use: id BIGINT NOT NULL, s VARCHAR.
var idSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: planner.Int64},
	{Name: "s", Type: planner.String, Nullable: true},
}, nil)

// idBatch makes rows id = from..to-1, s = "r<id>" (NULL when id is a multiple of 5).
func idBatch(t testing.TB, mem memory.Allocator, from, to int) arrow.RecordBatch {
	t.Helper()
	rows := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		s := fmt.Sprintf(`"r%d"`, i)
		if i%5 == 0 {
			s = "null"
		}
		rows = append(rows, fmt.Sprintf(`{"id": %d, "s": %s}`, i, s))
	}
	return fromJSON(t, mem, idSchema, "["+strings.Join(rows, ",")+"]")
}

// idRows is what idBatch rows render as: "id|s".
func idRows(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		s := fmt.Sprintf("r%d", i)
		if i%5 == 0 {
			s = "NULL"
		}
		out = append(out, fmt.Sprintf("%d|%s", i, s))
	}
	return out
}

func fromJSON(t testing.TB, mem memory.Allocator, schema *arrow.Schema, js string) arrow.RecordBatch {
	t.Helper()
	b, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(js))
	if err != nil {
		t.Fatalf("RecordFromJSON: %v", err)
	}
	return b
}

// testOpts are options with a checked allocator and small compaction thresholds.
func testOpts(mem memory.Allocator, compactRows int64) Options {
	return Options{Name: "t", Mem: mem, CompactRows: compactRows}
}

// mustCreate creates a table in a fresh folder; it is closed when the test ends.
func mustCreate(t testing.TB, schema *arrow.Schema, opts Options) (*Table, string) {
	t.Helper()
	dir := t.TempDir() + "/t"
	tbl, err := Create(dir, schema, opts)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { tbl.Close() })
	return tbl, dir
}

func appendRows(t testing.TB, tbl *Table, mem memory.Allocator, from, to int) {
	t.Helper()
	b := idBatch(t, mem, from, to)
	defer b.Release()
	n, err := tbl.Append(context.Background(), []arrow.RecordBatch{b})
	if err != nil {
		t.Fatalf("Append [%d,%d): %v", from, to, err)
	}
	if n != int64(to-from) {
		t.Fatalf("Append [%d,%d) = %d rows", from, to, n)
	}
}

// readTable reads the whole table through a snapshot (released after), all columns.
func readTable(t testing.TB, tbl *Table, batchSize int, mem memory.Allocator) []string {
	t.Helper()
	s, err := tbl.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Release()
	return readSource(t, s, nil, batchSize, mem)
}

// readSource reads every split of src in order, projecting columns (all when nil), and
// renders rows as cells joined by "|". It checks batch sizes, column counts and types.
func readSource(t testing.TB, src datasource.Source, columns []int, batchSize int, mem memory.Allocator) []string {
	t.Helper()
	rows, err := readSourceErr(src, columns, batchSize, mem)
	if err != nil {
		t.Fatalf("reading %s: %v", src.Name(), err)
	}
	return rows
}

func readSourceErr(src datasource.Source, columns []int, batchSize int, mem memory.Allocator) ([]string, error) {
	if columns == nil {
		for i := range src.ArrowSchema().NumFields() {
			columns = append(columns, i)
		}
	}
	ctx := context.Background()
	splits, err := src.Splits(ctx)
	if err != nil {
		return nil, err
	}
	var rows []string
	for _, sp := range splits {
		r, err := src.Open(ctx, sp, columns, datasource.ReadOptions{BatchSize: batchSize, Mem: mem})
		if err != nil {
			return nil, err
		}
		for {
			b, err := r.Next()
			if err != nil {
				r.Close()
				return nil, err
			}
			if b == nil {
				break
			}
			if b.NumRows() == 0 || int(b.NumRows()) > batchSize || int(b.NumCols()) != len(columns) {
				b.Release()
				r.Close()
				return nil, fmt.Errorf("split %s: batch of %d rows and %d columns (batch size %d, %d columns)",
					sp, b.NumRows(), b.NumCols(), batchSize, len(columns))
			}
			for i, c := range columns {
				if want := src.ArrowSchema().Field(c).Type; !arrow.TypeEqual(b.Column(i).DataType(), want) {
					b.Release()
					r.Close()
					return nil, fmt.Errorf("split %s: column %d is %s, want %s", sp, i, b.Column(i).DataType(), want)
				}
			}
			rows = append(rows, renderRows(b)...)
			b.Release()
		}
		if err := r.Close(); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func renderRows(b arrow.RecordBatch) []string {
	out := make([]string, b.NumRows())
	for i := range out {
		cells := make([]string, b.NumCols())
		for j := range cells {
			if b.Column(j).IsNull(i) {
				cells[j] = "NULL"
			} else {
				cells[j] = b.Column(j).ValueStr(i)
			}
		}
		out[i] = strings.Join(cells, "|")
	}
	return out
}

func equalRows(t testing.TB, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\ngot  %d rows %q\nwant %d rows %q", what, len(got), clip(got), len(want), clip(want))
	}
}

func clip(rows []string) []string {
	if len(rows) > 12 {
		return append(append([]string(nil), rows[:6]...), append([]string{"..."}, rows[len(rows)-6:]...)...)
	}
	return rows
}

// storeFiles lists the files of dir, sorted.
func storeFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// expectFiles checks that dir holds exactly lock, manifest.json and what the table's
// manifest references.
func expectFiles(t testing.TB, tbl *Table) {
	t.Helper()
	tbl.mu.Lock()
	want := []string{lockName, manifestName, tbl.m.log}
	for _, f := range tbl.m.files {
		want = append(want, f.name)
	}
	tbl.mu.Unlock()
	sort.Strings(want)
	equalRows(t, "files of "+tbl.Dir(), storeFiles(t, tbl.Dir()), want)
}
