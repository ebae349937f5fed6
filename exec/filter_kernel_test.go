package exec

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestFilterBatchMatchesArrow compares FilterBatch's run copies with arrow compute's filter
// over columns of every layout it copies (and some it hands to arrow), sliced and not, for
// masks of long runs, short runs, NULLs, all and none.
func TestFilterBatchMatchesArrow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 3000
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "i", Type: arrow.PrimitiveTypes.Int64},
		{Name: "d", Type: &arrow.Decimal128Type{Precision: 15, Scale: 2}},
		{Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "n", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "dt", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	rb := array.NewRecordBuilder(mem, schema)
	for i := 0; i < n; i++ {
		rb.Field(0).(*array.Int64Builder).Append(rng.Int64())
		rb.Field(1).(*array.Decimal128Builder).Append(decimal128.FromI64(rng.Int64N(1e9)))
		rb.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("s%d", rng.IntN(100000)))
		if i%7 == 0 {
			rb.Field(3).AppendNull()
		} else {
			rb.Field(3).(*array.Float64Builder).Append(rng.Float64())
		}
		rb.Field(4).(*array.BooleanBuilder).Append(i%3 == 0)
		rb.Field(5).(*array.Date32Builder).Append(arrow.Date32(rng.Int32N(20000)))
	}
	full := rb.NewRecordBatch()
	rb.Release()
	defer full.Release()
	masks := map[string]func(i int) (on, valid bool){
		"long runs":  func(i int) (bool, bool) { return (i/50)%5 != 0, true },
		"short runs": func(i int) (bool, bool) { return rng.IntN(2) == 0, true },
		"nulls":      func(i int) (bool, bool) { return (i/40)%3 != 0, i%97 != 0 },
		"all":        func(int) (bool, bool) { return true, true },
		"none":       func(int) (bool, bool) { return false, true },
	}
	// The run copies must actually run: every column without NULLs here, booleans aside
	// (bit-packed), has a layout filterByRuns copies.
	for c, col := range full.Columns() {
		if col.NullN() > 0 || col.DataType().ID() == arrow.BOOL {
			continue
		}
		out := filterByRuns(mem, col, [][2]int{{0, 10}, {20, 30}}, 20)
		if out == nil {
			t.Errorf("column %s: filterByRuns left it to arrow", schema.Field(c).Name)
			continue
		}
		want := array.NewSlice(col, 20, 30)
		if out.Len() != 20 || !array.SliceEqual(out, 10, 20, want, 0, 10) {
			t.Errorf("column %s: runs copied wrong", schema.Field(c).Name)
		}
		want.Release()
		out.Release()
	}
	for name, m := range masks {
		for _, slice := range [][2]int64{{0, n}, {13, 2900}} {
			b := full.NewSlice(slice[0], slice[1])
			mb := array.NewBooleanBuilder(mem)
			for i := 0; i < int(b.NumRows()); i++ {
				on, valid := m(i)
				if valid {
					mb.Append(on)
				} else {
					mb.AppendNull()
				}
			}
			mask := mb.NewBooleanArray()
			mb.Release()
			got, err := FilterBatch(mem, b, mask)
			if err != nil {
				t.Fatal(err)
			}
			want, err := compute.FilterRecordBatch(compute.WithAllocator(context.Background(), mem), b, mask, compute.DefaultFilterOptions())
			if err != nil {
				t.Fatal(err)
			}
			if !array.RecordEqual(got, want) {
				for c := 0; c < int(got.NumCols()); c++ {
					if !array.Equal(got.Column(c), want.Column(c)) {
						t.Errorf("%s, rows %v: column %s differs from arrow's filter (%d vs %d rows)", name, slice, schema.Field(c).Name, got.NumRows(), want.NumRows())
					}
				}
			}
			got.Release()
			want.Release()
			mask.Release()
			b.Release()
		}
	}
}
