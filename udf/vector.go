package udf

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// Feature vectors. VECTOR(n) is an Arrow FixedSizeList<float32>[n] whose element is not
// nullable (VectorOf; see array.go for the invariants): a vector column is one contiguous
// float32 slice, n per row, which models read in place (VectorMatrix, udf.Model's
// row-major features).
//
//	vector(x, ...)   VECTOR(k): numbers (integers, floats, DECIMALs, cast to FLOAT) and
//	                 vectors (their elements in order) side by side, k the total; NULL
//	                 when any argument is NULL (Spark's VectorAssembler, with NULL rows in
//	                 place of its handleInvalid)
//
// vector_dims(v) and the array functions (element_at, size, array_sum, ...) read vectors too
// (array.go).

// VectorType returns VECTOR(n), the canonical vector type (VectorOf): use it, not
// arrow.FixedSizeListOf, whose element is nullable and so not arrow.TypeEqual to the
// vectors Ember builds.
func VectorType(n int) arrow.DataType { return VectorOf(int32(n)) }

// VectorDim returns n of a VECTOR(n) type; ok is false for any other type. A
// FixedSizeList<float32> with a nullable element counts as a vector (data read from files).
func VectorDim(t arrow.DataType) (n int, ok bool) {
	if !IsVector(t) {
		return 0, false
	}
	return VectorDims(t), true
}

// VectorMatrix returns the rows of a vector column as one row-major matrix: values[i*dim+j]
// is element j of row i, rows = a.Len(). values aliases a's child buffer (no copy; read
// only; valid while a is retained), starting at a's offset, so slices of an array work. It
// fails when a is not a VECTOR array, when a row is NULL (a NULL vector's slots hold no
// features: callers wanting NULL results filter or handle those rows first), or when an
// element in range is NULL. O(1) without NULLs in the child, else O(rows·dim).
func VectorMatrix(a arrow.Array) (values []float32, rows, dim int, err error) {
	fsl, ok := a.(*array.FixedSizeList)
	if !ok || !IsVector(a.DataType()) {
		return nil, 0, 0, errs.Planf("expected a VECTOR column, got %s", TypeName(a.DataType()))
	}
	if a.NullN() > 0 {
		for i := 0; i < a.Len(); i++ {
			if a.IsNull(i) {
				return nil, 0, 0, errs.Execf("vector column has a NULL in row %d", i)
			}
		}
	}
	vals, dim, err := VectorValues(fsl)
	if err != nil {
		return nil, 0, 0, err
	}
	if child := fsl.ListValues(); child.NullN() > 0 && a.Len() > 0 {
		start := fsl.Data().Offset() * dim
		for j := start; j < start+a.Len()*dim; j++ {
			if child.IsNull(j) {
				return nil, 0, 0, errs.Execf("vector column has a NULL element in row %d", (j-start)/dim)
			}
		}
	}
	return vals, a.Len(), dim, nil
}

// ---------------------------------------------------------------------------------------
// vector(x, ...)

type vectorFunc struct{}

func (vectorFunc) Name() string           { return "vector" }
func (vectorFunc) Volatility() Volatility { return Immutable }
func (vectorFunc) Doc() string {
	return "vector(x, ...): a VECTOR of its arguments side by side: numbers (cast to FLOAT) and the elements of " +
		"VECTOR arguments, in order; NULL when any argument is NULL (Spark's VectorAssembler)."
}

// vectorWidth is the number of elements argument i of type t adds to vector's result.
func vectorWidth(i int, t arrow.DataType) (int, error) {
	switch {
	case IsVector(t):
		return VectorDims(t), nil
	case vectorInputType(t) || t.ID() == arrow.NULL:
		return 1, nil
	case IsArray(t):
		return 0, errs.Planf("vector: argument %d must be a number, got %s (cast it to VECTOR(n) first)", i+1, TypeName(t))
	}
	return 0, errs.Planf("vector: argument %d must be a number, got %s", i+1, TypeName(t))
}

func (vectorFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if len(args) == 0 {
		return nil, errs.Planf("vector takes at least 1 argument")
	}
	k := 0
	for i, t := range args {
		w, err := vectorWidth(i, t)
		if err != nil {
			return nil, err
		}
		k += w
	}
	if k > math.MaxInt32 {
		return nil, errs.Planf("vector: %d dimensions are too many", k)
	}
	return VectorOf(int32(k)), nil
}

func vectorInputType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.FLOAT32, arrow.FLOAT64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return isIntegerID(t.ID())
}

// CastArgs has the binder cast every argument but the vectors to FLOAT, so that Eval sees
// float32 and VECTOR arrays only.
func (vectorFunc) CastArgs(args []arrow.DataType) []arrow.DataType {
	to := make([]arrow.DataType, len(args))
	for i, t := range args {
		if !IsVector(t) {
			to[i] = arrow.PrimitiveTypes.Float32
		}
	}
	return to
}

// Eval writes row i's k values at child[i*k:(i+1)*k] (zeros for a NULL row): one pass per
// argument, copying a vector argument's row as a block, and a pass over the validity only
// for arguments with NULLs. O(n·k).
func (f vectorFunc) Eval(_ context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	types := make([]arrow.DataType, len(args))
	for i, a := range args {
		types[i] = a.DataType()
	}
	rt, err := f.ReturnType(types)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "")
	}
	k := VectorDims(rt)
	if int64(n)*int64(k) > math.MaxInt32 {
		return nil, errs.ResourceExhaustedf("vector: %d rows of %d dimensions exceed 2^31 elements in one batch", n, k)
	}
	// The values go straight into the child's Arrow buffer; valid stays nil until a row is
	// NULL, and NULL-free columns are copied without per-row checks.
	vb := newBuffer(mem, n*k*arrow.Float32SizeBytes)
	defer vb.Release()
	vals := arrow.Float32Traits.CastFromBytes(vb.Bytes())[:n*k]
	var valid []bool
	invalid := func(i int) {
		if valid == nil {
			valid = make([]bool, n)
			for r := range valid {
				valid[r] = true
			}
		}
		valid[i] = false
	}
	pos := 0
	for j, a := range args {
		switch x := a.(type) {
		case *array.Null:
			for i := 0; i < n; i++ {
				invalid(i)
			}
			pos++
		case *array.Float32:
			src := fixedValues[float32](x)
			for i := 0; i < n; i++ {
				vals[i*k+pos] = src[i]
			}
			if x.NullN() > 0 {
				for i := 0; i < n; i++ {
					if x.IsNull(i) {
						invalid(i)
					}
				}
			}
			pos++
		case *array.FixedSizeList:
			src, d, err := VectorValues(x)
			if err != nil {
				return nil, err
			}
			for i := 0; i < n; i++ {
				copy(vals[i*k+pos:i*k+pos+d], src[i*d:(i+1)*d])
			}
			child, base := x.ListValues(), x.Data().Offset()*d
			if x.NullN() > 0 || child.NullN() > 0 {
				for i := 0; i < n; i++ {
					if x.IsNull(i) {
						invalid(i)
						continue
					}
					if child.NullN() > 0 {
						for e := 0; e < d; e++ {
							if child.IsNull(base + i*d + e) {
								invalid(i)
							}
						}
					}
				}
			}
			pos += d
		default:
			return nil, errs.Internalf("vector: argument %d is %s, expected FLOAT or a VECTOR", j+1, TypeName(a.DataType()))
		}
	}
	for i, ok := range valid {
		if !ok {
			clear(vals[i*k : (i+1)*k])
		}
	}
	childData := array.NewData(arrow.PrimitiveTypes.Float32, n*k, []*memory.Buffer{nil, vb}, nil, 0, 0)
	defer childData.Release()
	nb, nulls := validityFromBools(mem, valid)
	data := array.NewData(rt, n, []*memory.Buffer{nb}, []arrow.ArrayData{childData}, nulls, 0)
	if nb != nil {
		nb.Release()
	}
	out := array.MakeFromData(data)
	data.Release()
	return out, nil
}
