package datasource

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
)

// checkedMem returns an allocator that fails the test if anything allocated from it is
// still held when the test ends.
func checkedMem(t *testing.T) *memory.CheckedAllocator {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// scan reads every split of src in order, projecting columns, and returns the rows as
// strings (Arrow's ValueStr; "NULL" for NULL), plus the number of batches. It checks
// that each batch has at most batchSize rows and the projected schema.
func scan(t *testing.T, src Source, columns []int, batchSize int, mem memory.Allocator) (rows [][]string, batches int) {
	t.Helper()
	rows, batches, err := scanErr(src, columns, batchSize, mem)
	if err != nil {
		t.Fatalf("scan %s: %v", src.Name(), err)
	}
	return rows, batches
}

func scanErr(src Source, columns []int, batchSize int, mem memory.Allocator) (rows [][]string, batches int, err error) {
	ctx := context.Background()
	splits, err := src.Splits(ctx)
	if err != nil {
		return nil, 0, err
	}
	for _, sp := range splits {
		r, err := src.Open(ctx, sp, columns, ReadOptions{BatchSize: batchSize, Mem: mem})
		if err != nil {
			return nil, 0, err
		}
		for {
			b, err := r.Next()
			if err != nil {
				r.Close()
				return nil, 0, err
			}
			if b == nil {
				break
			}
			batches++
			if int(b.NumRows()) > batchSize || b.NumRows() == 0 {
				b.Release()
				r.Close()
				return nil, 0, fmt.Errorf("batch of %d rows, batch size %d", b.NumRows(), batchSize)
			}
			if int(b.NumCols()) != len(columns) {
				b.Release()
				r.Close()
				return nil, 0, fmt.Errorf("batch has %d columns, want %d", b.NumCols(), len(columns))
			}
			for i, c := range columns {
				if !arrow.TypeEqual(b.Column(i).DataType(), src.ArrowSchema().Field(c).Type) {
					b.Release()
					r.Close()
					return nil, 0, fmt.Errorf("column %d is %s, want %s", i, b.Column(i).DataType(), src.ArrowSchema().Field(c).Type)
				}
			}
			rows = append(rows, batchRows(b)...)
			b.Release()
		}
		if err := r.Close(); err != nil {
			return nil, 0, err
		}
	}
	return rows, batches, nil
}

// batchRows renders a batch as rows of strings (see cell).
func batchRows(b arrow.RecordBatch) [][]string {
	rows := make([][]string, b.NumRows())
	for i := range rows {
		rows[i] = make([]string, b.NumCols())
		for j := range rows[i] {
			rows[i][j] = cell(b.Column(j), i)
		}
	}
	return rows
}

// cell renders one value: NULL, decimals with all their scale digits, timestamps as
// "2006-01-02 15:04:05.999999" (UTC), floats in the shortest form that round-trips, dates
// as 2006-01-02, lists as [a, b, NULL] of their cells, others as Arrow's ValueStr.
func cell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch a := a.(type) {
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		elems := make([]string, 0, end-start)
		for j := start; j < end; j++ {
			elems = append(elems, cell(a.ListValues(), int(j)))
		}
		return "[" + strings.Join(elems, ", ") + "]"
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Timestamp:
		return tsString(int64(a.Value(i)))
	case *array.Float32:
		return strconv.FormatFloat(float64(a.Value(i)), 'g', -1, 32)
	case *array.Float64:
		return strconv.FormatFloat(a.Value(i), 'g', -1, 64)
	}
	return a.ValueStr(i)
}

// tsString renders microseconds since the epoch as cell does.
func tsString(us int64) string {
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04:05.999999")
}

// project picks columns of rows.
func project(rows [][]string, columns []int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(columns))
		for j, c := range columns {
			out[i][j] = r[c]
		}
	}
	return out
}

func equalRows(t *testing.T, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d\ngot:  %v\nwant: %v", len(got), len(want), head(got), head(want))
	}
	for i := range got {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			t.Fatalf("row %d:\ngot:  %q\nwant: %q", i, got[i], want[i])
		}
	}
}

func head(rows [][]string) [][]string {
	if len(rows) > 5 {
		return rows[:5]
	}
	return rows
}

// recordFromJSON builds a batch from JSON rows with the given schema.
func recordFromJSON(t *testing.T, mem memory.Allocator, schema *arrow.Schema, js string) arrow.RecordBatch {
	t.Helper()
	b, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(js))
	if err != nil {
		t.Fatalf("RecordFromJSON: %v", err)
	}
	return b
}

// writeFile writes content to name under dir (creating folders) and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func allColumns(s *arrow.Schema) []int {
	cols := make([]int, s.NumFields())
	for i := range cols {
		cols[i] = i
	}
	return cols
}

// wantErr checks that err is non-nil and its text contains every fragment.
func wantErr(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want one containing %q", fragments)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not contain %q", err.Error(), f)
		}
	}
}

// writeRows writes rows as a Parquet file (parquet-go's generic writer with opts) in a
// test's temporary folder and returns its path.
func writeRows[T any](t *testing.T, name string, rows []T, opts ...parquet.WriterOption) string {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[T](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// decodeFileOptions write TestParquetDecodePaths's file: small pages, so that some pages
// of "sparse" have NULLs and others none and several dictionary-encoded pages share a
// dictionary, and two row groups.
var decodeFileOptions = []parquet.WriterOption{parquet.DataPageVersion(1), parquet.PageBufferSize(1024),
	parquet.Compression(&parquet.Snappy), parquet.MaxRowsPerRowGroup(2000)}
