package exec

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
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

// FilterBatch keeps the rows of b where mask is true (NULL counts as false). b stays owned by
// the caller; the result is new.
func FilterBatch(mem memory.Allocator, b arrow.RecordBatch, mask arrow.Array) (arrow.RecordBatch, error) {
	ctx := compute.WithAllocator(context.Background(), mem)
	out, err := compute.FilterRecordBatch(ctx, b, mask, compute.DefaultFilterOptions())
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "filter")
	}
	return out, nil
}
