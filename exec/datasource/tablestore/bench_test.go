package tablestore

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/exec/datasource"
)

// BenchmarkAppendSingleRow measures one single-row INSERT: an Append of a one-row batch,
// which is one log record written and synced. Run it as 5000 appends with
// -bench AppendSingleRow -benchtime 5000x.
func BenchmarkAppendSingleRow(b *testing.B) {
	for _, tc := range []struct {
		name   string
		noSync bool
	}{{"fsync", false}, {"nosync", true}} {
		b.Run(tc.name, func(b *testing.B) {
			mem := memory.DefaultAllocator
			tbl, _ := mustCreate(b, idSchema, Options{Name: "t", NoSync: tc.noSync})
			row := idBatch(b, mem, 1, 2)
			defer row.Release()
			batches := []arrow.RecordBatch{row}
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				if _, err := tbl.Append(ctx, batches); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if st := tbl.Stats(); st.Files != 0 && int64(b.N) < DefaultCompactRows {
				b.Fatalf("%d appends wrote %d data files", b.N, st.Files)
			}
		})
	}
}

// BenchmarkScanLog measures reading 100k rows that single-row appends left in the log.
func BenchmarkScanLog(b *testing.B) {
	mem := memory.DefaultAllocator
	tbl, _ := mustCreate(b, idSchema, Options{Name: "t", NoSync: true})
	row := idBatch(b, mem, 1, 2)
	defer row.Release()
	for range 100_000 {
		if _, err := tbl.Append(context.Background(), []arrow.RecordBatch{row}); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	for b.Loop() {
		s, err := tbl.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		splits, err := s.Splits(ctx)
		if err != nil {
			b.Fatal(err)
		}
		var rows int64
		for _, sp := range splits {
			r, err := s.Open(ctx, sp, []int{0, 1}, datasource.ReadOptions{Mem: mem})
			if err != nil {
				b.Fatal(err)
			}
			for {
				rb, err := r.Next()
				if err != nil {
					b.Fatal(err)
				}
				if rb == nil {
					break
				}
				rows += rb.NumRows()
				rb.Release()
			}
			r.Close()
		}
		s.Release()
		if rows != 100_000 {
			b.Fatalf("%d rows", rows)
		}
	}
}
