package datasource

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

var memSchema = arrow.NewSchema([]arrow.Field{
	{Name: "n", Type: planner.Int64, Nullable: true},
	{Name: "s", Type: planner.String, Nullable: true},
}, nil)

// memBatch makes a batch of rows [start, start+n) with n = i and s = "r<i>".
func memBatch(t *testing.T, mem memory.Allocator, start, n int) arrow.RecordBatch {
	var rows []string
	for i := start; i < start+n; i++ {
		rows = append(rows, `{"n": `+strconv.Itoa(i)+`, "s": "r`+strconv.Itoa(i)+`"}`)
	}
	return recordFromJSON(t, mem, memSchema, "["+strings.Join(rows, ",")+"]")
}

func TestMemorySource(t *testing.T) {
	tests := []struct {
		name       string
		sizes      []int // rows per batch
		splits     int
		batchSize  int
		wantSplits [][]int // the n values each split yields, in order
	}{
		{"round robin", []int{3, 0, 4, 2, 1}, 2, 3, [][]int{{0, 1, 2, 3, 4, 5, 6, 9}, {7, 8}}},
		{"one split", []int{2, 2}, 0, 1, [][]int{{0, 1, 2, 3}}},
		{"more splits than batches", []int{2}, 3, 8192, [][]int{{0, 1}, nil, nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := checkedMem(t)
			var batches []arrow.RecordBatch
			start := 0
			for _, n := range tc.sizes {
				batches = append(batches, memBatch(t, mem, start, n))
				start += n
			}
			src := NewMemory("m", memSchema, batches, tc.splits)
			for _, b := range batches {
				b.Release() // the source holds its own references
			}
			defer src.(interface{ Release() }).Release()
			ctx := context.Background()
			splits, err := src.Splits(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(splits) != len(tc.wantSplits) {
				t.Fatalf("%d splits, want %d", len(splits), len(tc.wantSplits))
			}
			for i, sp := range splits {
				if sp.String() != "memory split "+strconv.Itoa(i) {
					t.Fatalf("split name %q", sp)
				}
				r, err := src.Open(ctx, sp, []int{1, 0}, ReadOptions{BatchSize: tc.batchSize, Mem: mem})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for {
					b, err := r.Next()
					if err != nil {
						t.Fatal(err)
					}
					if b == nil {
						break
					}
					if b.NumRows() > int64(tc.batchSize) || b.NumRows() == 0 {
						t.Fatalf("batch of %d rows", b.NumRows())
					}
					for _, row := range batchRows(b) {
						got = append(got, row[1]+"/"+row[0])
					}
					b.Release()
				}
				r.Close()
				var want []string
				for _, n := range tc.wantSplits[i] {
					want = append(want, strconv.Itoa(n)+"/r"+strconv.Itoa(n))
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Fatalf("split %d: %v, want %v", i, got, want)
				}
			}
		})
	}
}

func TestMemorySourceErrors(t *testing.T) {
	mem := checkedMem(t)
	ctx := context.Background()
	b := memBatch(t, mem, 0, 2)
	defer b.Release()
	src := NewMemory("m", memSchema, []arrow.RecordBatch{b}, 1)
	other := NewMemory("o", memSchema, nil, 1)
	otherSplits, _ := other.Splits(ctx)
	if _, err := src.Open(ctx, otherSplits[0], []int{0}, ReadOptions{}); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("foreign split: %v", err)
	}
	splits, _ := src.Splits(ctx)
	if _, err := src.Open(ctx, splits[0], []int{2}, ReadOptions{}); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("bad ordinal: %v", err)
	}
	// A reader opened before Release keeps working.
	r, err := src.Open(ctx, splits[0], []int{0}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	src.(interface{ Release() }).Release()
	got, err := r.Next()
	if err != nil || got == nil || got.NumRows() != 2 {
		t.Fatalf("after Release: %v, %v", got, err)
	}
	got.Release()
	r.Close()
	if _, err := src.Open(ctx, splits[0], []int{0}, ReadOptions{}); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("open after Release: %v", err)
	}
	// A batch whose types do not match the schema.
	wrong := arrow.NewSchema([]arrow.Field{{Name: "n", Type: planner.String}, {Name: "s", Type: planner.String}}, nil)
	bad := NewMemory("bad", wrong, []arrow.RecordBatch{b}, 1)
	defer bad.(interface{ Release() }).Release()
	_, _, err = scanErr(bad, []int{0}, 10, mem)
	if !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("type mismatch: %v", err)
	}
}
