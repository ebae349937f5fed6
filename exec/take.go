package exec

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
)

// TakeArray gathers values[indices[i]] into a new array owned by the caller (arrow compute's
// take kernel). Every index must be in range; use TakeByArray for NULL indices. The
// indices are read in place (an Arrow view of the Go slice, no copy), so gathering several
// columns at the same indices costs no copy of them per column.
func TakeArray(mem memory.Allocator, values arrow.Array, indices []int32) (arrow.Array, error) {
	ia := int32View(indices)
	defer ia.Release()
	return TakeByArray(mem, values, ia)
}

// int32View is an Int32 array over the Go slice v, without copying: valid while v is, and
// only for reading (the take kernel reads it and keeps nothing).
func int32View(v []int32) arrow.Array {
	buf := memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(v))
	data := array.NewData(arrow.PrimitiveTypes.Int32, len(v), []*memory.Buffer{nil, buf}, nil, 0, 0)
	defer data.Release()
	return array.NewInt32Data(data)
}

// TakeByArray gathers values by an index array that may hold NULLs (NULL index → NULL).
func TakeByArray(mem memory.Allocator, values arrow.Array, indices arrow.Array) (arrow.Array, error) {
	ctx := compute.WithAllocator(context.Background(), mem)
	out, err := compute.TakeArray(ctx, values, indices)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "take")
	}
	return out, nil
}

// dropMaskNulls returns a mask without NULLs, true where m is true and valid (a new array
// the caller releases).
func dropMaskNulls(mem memory.Allocator, m *array.Boolean) *array.Boolean {
	n := m.Len()
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	data := m.Data()
	if data.Buffers()[1] == nil || data.Buffers()[0] == nil {
		clear(buf.Bytes()) // no values, or no validity with NULLs counted: all false
	} else {
		bitutil.BitmapAnd(data.Buffers()[1].Bytes(), data.Buffers()[0].Bytes(), int64(data.Offset()), int64(data.Offset()), buf.Bytes(), 0, int64(n))
	}
	out := array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release() // out holds it
	defer out.Release()
	return array.NewBooleanData(out)
}

// FilterBatch keeps the rows of b where mask is true (NULL counts as false). b stays owned by
// the caller; the result is new. When the selected rows come in runs of 16 or more on
// average, columns whose layout filterByRuns copies (filter_kernel.go) are copied run by
// run; otherwise, and for the other columns, arrow compute's filter gathers them.
func FilterBatch(mem memory.Allocator, b arrow.RecordBatch, mask arrow.Array) (arrow.RecordBatch, error) {
	ctx := compute.WithAllocator(context.Background(), mem)
	bm, ok := mask.(*array.Boolean)
	if ok && bm.NullN() > 0 {
		// NULL is false: fold the validity into the values once (arrow's FilterArray
		// mishandles a mask with NULLs for some value types).
		bm = dropMaskNulls(mem, bm)
		defer bm.Release()
		mask = bm
	}
	var runs [][2]int
	var kept int
	if ok && bm.Len() == int(b.NumRows()) {
		// Runs pay off when they average 16 rows or more.
		runs, kept, ok = maskRuns(bm, countTrue(bm)/16)
	}
	if !ok {
		out, err := compute.FilterRecordBatch(ctx, b, mask, compute.DefaultFilterOptions())
		if err != nil {
			return nil, errs.Wrap(errs.ErrInternal, err, "filter")
		}
		return out, nil
	}
	cols := make([]arrow.Array, 0, b.NumCols())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, col := range b.Columns() {
		c := filterByRuns(mem, col, runs, kept)
		if c == nil {
			var err error
			if c, err = compute.FilterArray(ctx, col, mask, *compute.DefaultFilterOptions()); err != nil {
				return nil, errs.Wrap(errs.ErrInternal, err, "filter")
			}
		}
		cols = append(cols, c)
	}
	return array.NewRecordBatch(b.Schema(), cols, int64(kept)), nil
}
