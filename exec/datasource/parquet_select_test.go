package datasource

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
)

// TestParquetRowFilter reads TestParquetDecodePaths's file (every decoder's fast paths:
// dictionary and plain pages, optional columns with and without NULLs, several pages per
// batch) under row filters on the id column and checks that the batches hold exactly the
// kept rows, every column decoded right, that rows dropped count as skipped, and that a
// filter reading a column twice or keeping everything or nothing works. The filter's
// columns are put anywhere in the projection.
func TestParquetRowFilter(t *testing.T) {
	rows := decodeRows(3000)
	path := writeRows(t, "decode.parquet", rows, decodeFileOptions...)
	want := make([][]string, len(rows))
	for i, r := range rows {
		want[i] = wantDecodeRow(r)
	}
	src, err := NewParquet("decode", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	all := allColumns(src.ArrowSchema())
	// id last in the projection, so that filter positions differ from source ordinals.
	proj := append(append([]int(nil), all[1:]...), 0)
	idPos := len(proj) - 1
	filters := map[string]func(id int64) bool{
		"every third":   func(id int64) bool { return id%3 == 0 },
		"sparse":        func(id int64) bool { return id%397 == 5 },
		"ranges":        func(id int64) bool { return id%1000 < 150 || id%1000 > 930 },
		"none":          func(int64) bool { return false },
		"all":           func(int64) bool { return true },
		"first of each": func(id int64) bool { return id%100 == 0 },
	}
	for name, keep := range filters {
		for _, bs := range []int{1, 7, 100, 2000} {
			t.Run(fmt.Sprintf("%s/batch=%d", name, bs), func(t *testing.T) {
				mem := checkedMem(t)
				var wantRows [][]string
				for i, r := range rows {
					if keep(r.ID) {
						wantRows = append(wantRows, project(want, proj)[i])
					}
				}
				var calls int
				rf := &RowFilter{Cols: []int{idPos, idPos}, Keep: func(cols []arrow.Array, n int) ([]int32, bool, error) {
					calls++
					ids := cols[idPos].(*array.Int64)
					if ids.Len() != n {
						t.Fatalf("filter column of %d rows for a batch of %d", ids.Len(), n)
					}
					var sel []int32
					for i := range n {
						if keep(ids.Value(i)) {
							sel = append(sel, int32(i))
						}
					}
					return sel, len(sel) == n, nil
				}}
				got, skipped := scanFiltered(t, src, proj, bs, rf, mem)
				equalRows(t, got, wantRows)
				if skipped != int64(len(rows)-len(wantRows)) {
					t.Errorf("%d rows skipped, want %d", skipped, len(rows)-len(wantRows))
				}
				if calls == 0 {
					t.Error("the filter was never called")
				}
			})
		}
	}
}

// scanFiltered reads every split of src under rf and returns the rows and the rows the
// readers reported skipping.
func scanFiltered(t *testing.T, src Source, columns []int, batchSize int, rf *RowFilter, mem memory.Allocator) (rows [][]string, skipped int64) {
	t.Helper()
	ctx := context.Background()
	splits, err := src.Splits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range splits {
		r, err := src.Open(ctx, sp, columns, ReadOptions{BatchSize: batchSize, Mem: mem, Filter: rf})
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := r.(RowFiltering); !ok || !f.FiltersRows() {
			t.Fatal("the Parquet reader does not apply the row filter")
		}
		for {
			b, err := r.Next()
			if err != nil {
				t.Fatal(err)
			}
			if b == nil {
				break
			}
			if b.NumRows() == 0 {
				t.Error("an empty batch")
			}
			rows = append(rows, batchRows(b)...)
			b.Release()
		}
		skipped += r.(StatsReader).Stats().RowsSkipped
		if err := r.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return rows, skipped
}

// boolRow has a BOOLEAN column with NULLs, for the boolean decoder's selected reads.
type boolRow struct {
	ID int64 `parquet:"id"`
	B  *bool `parquet:"b,optional"`
}

func TestParquetRowFilterBool(t *testing.T) {
	rows := make([]boolRow, 2500)
	for i := range rows {
		rows[i].ID = int64(i)
		if i%5 != 1 {
			v := i%3 == 0
			rows[i].B = &v
		}
	}
	path := writeRows(t, "bool.parquet", rows, parquet.PageBufferSize(512))
	src, err := NewParquet("bools", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	mem := checkedMem(t)
	var want [][]string
	for _, r := range rows {
		if r.ID%7 == 2 {
			b := "NULL"
			if r.B != nil {
				b = fmt.Sprint(*r.B)
			}
			want = append(want, []string{fmt.Sprint(r.ID), b})
		}
	}
	rf := &RowFilter{Cols: []int{0}, Keep: func(cols []arrow.Array, n int) ([]int32, bool, error) {
		var sel []int32
		for i, id := range cols[0].(*array.Int64).Int64Values() {
			if id%7 == 2 {
				sel = append(sel, int32(i))
			}
		}
		return sel, false, nil
	}}
	got, _ := scanFiltered(t, src, []int{0, 1}, 300, rf, mem)
	equalRows(t, got, want)
}
