package kernels

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// This file holds the kernels of the nested types ARRAY<T> (Arrow list) and VECTOR(n) (Arrow
// FixedSizeList<float32>[n]): their constants, their casts, and CASE over them. The other
// kernel files call in here with one line each (MakeConstant, ScalarAt, Cast, CaseWhen).
// Rows are read through udf.ListOffsets (row i's elements are child[offs[i]:offs[i+1]]);
// elements are converted by the scalar kernels over the whole child array and gathered by
// arrow's take kernel, never boxed per row (constants excepted: they are a few values).
//
// A constant ARRAY or VECTOR value (planner.Literal.Value) is a []any of its elements in
// the literal forms (nil, int64, float64, string, ...; a nested ARRAY is a []any again).

// nestedConstant is MakeConstant for ARRAY and VECTOR types: n copies of v ([]any, or nil).
func nestedConstant(mem memory.Allocator, v any, t arrow.DataType, n int) (arrow.Array, error) {
	elem := planner.ElemType(t)
	if v == nil {
		return nullNested(mem, t, n)
	}
	vals, ok := v.([]any)
	if !ok {
		return nil, errs.Internalf("constant %v (%T) does not fit type %s", v, v, planner.TypeString(t))
	}
	k := len(vals)
	if dims := udf.VectorDims(t); planner.IsVector(t) && dims != k {
		return nil, errs.Internalf("constant of %d elements for type %s", k, planner.TypeString(t))
	}
	if int64(n)*int64(k) > math.MaxInt32 {
		return nil, errs.ResourceExhaustedf("constant of %d elements repeated %d times exceeds 2^31 elements", k, n)
	}
	parts := make([]arrow.Array, k)
	defer func() {
		for _, p := range parts {
			if p != nil {
				p.Release()
			}
		}
	}()
	for j, x := range vals {
		if planner.IsVector(t) && x == nil {
			return nil, errs.Internalf("NULL element in a constant of type %s", planner.TypeString(t))
		}
		p, err := MakeConstant(mem, x, elem, 1)
		if err != nil {
			return nil, err
		}
		parts[j] = p
	}
	var one arrow.Array
	if k == 0 {
		one = array.MakeArrayOfNull(mem, elem, 0)
	} else {
		var err error
		if one, err = array.Concatenate(parts, mem); err != nil {
			return nil, errs.Wrap(errs.ErrInternal, err, "constant of type %s", planner.TypeString(t))
		}
	}
	defer one.Release()
	idx := make([]int32, n*k)
	for i := 0; i < n; i++ {
		for j := 0; j < k; j++ {
			idx[i*k+j] = int32(j)
		}
	}
	child, err := take(mem, one, idx, nil)
	if err != nil {
		return nil, err
	}
	defer child.Release()
	offs := make([]int32, n+1)
	for i := range offs {
		offs[i] = int32(i * k)
	}
	return nestedArray(mem, t, n, offs, nil, child)
}

// nullNested returns n NULLs of an ARRAY type (empty ranges) or a VECTOR(d) type (d zeros
// each).
func nullNested(mem memory.Allocator, t arrow.DataType, n int) (arrow.Array, error) {
	valid := make([]bool, n)
	if planner.IsVector(t) {
		zeros := zeroFloats(mem, n*udf.VectorDims(t))
		defer zeros.Release()
		return vectorArray(mem, t, n, valid, zeros)
	}
	child := array.MakeArrayOfNull(mem, planner.ElemType(t), 0)
	defer child.Release()
	return nestedArray(mem, t, n, make([]int32, n+1), valid, child)
}

// zeroFloats returns n float32 zeros without a validity bitmap.
func zeroFloats(mem memory.Allocator, n int) arrow.Array {
	buf, vals := newValues[float32](mem, n)
	clear(vals)
	return finish(planner.Float32, n, nil, buf)
}

// nestedArray assembles an ARRAY (or, with offs[i] = i·d, a VECTOR(d)) of n rows from its
// offsets, validity (nil: no NULLs) and child, which it retains.
func nestedArray(mem memory.Allocator, t arrow.DataType, n int, offs []int32, valid []bool, child arrow.Array) (arrow.Array, error) {
	if planner.IsVector(t) {
		return vectorArray(mem, t, n, valid, child)
	}
	obuf, o := newValues[int32](mem, n+1)
	copy(o, offs)
	vbuf, nulls := boolsBitmap(mem, valid)
	data := array.NewData(t, n, []*memory.Buffer{vbuf, obuf}, []arrow.ArrayData{child.Data()}, nulls, 0)
	obuf.Release()
	if vbuf != nil {
		vbuf.Release()
	}
	out := array.MakeFromData(data)
	data.Release()
	return out, nil
}

// vectorArray assembles a VECTOR of n rows from its validity (nil: no NULLs) and its child
// of n·d float32s without NULLs, which it retains.
func vectorArray(mem memory.Allocator, t arrow.DataType, n int, valid []bool, child arrow.Array) (arrow.Array, error) {
	if child.Len() != n*udf.VectorDims(t) || child.NullN() > 0 {
		return nil, errs.Internalf("vector of %d rows with %d elements (%d NULL)", n, child.Len(), child.NullN())
	}
	vbuf, nulls := boolsBitmap(mem, valid)
	data := array.NewData(t, n, []*memory.Buffer{vbuf}, []arrow.ArrayData{child.Data()}, nulls, 0)
	if vbuf != nil {
		vbuf.Release()
	}
	out := array.MakeFromData(data)
	data.Release()
	return out, nil
}

// boolsBitmap turns per-row validity into a bitmap and NULL count; nil when all are valid.
func boolsBitmap(mem memory.Allocator, valid []bool) (*memory.Buffer, int) {
	nulls := 0
	for _, ok := range valid {
		if !ok {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	buf, bits := newBitmap(mem, len(valid))
	for i, ok := range valid {
		bits[i>>3] |= b2u(ok) << (i & 7)
	}
	return buf, nulls
}

// take gathers values[idx[i]] (NULL where valid is not nil and !valid[i]).
func take(mem memory.Allocator, values arrow.Array, idx []int32, valid []bool) (arrow.Array, error) {
	if values.DataType().ID() == arrow.NULL {
		return array.NewNull(len(idx)), nil
	}
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.AppendValues(idx, valid)
	ia := ib.NewInt32Array()
	defer ia.Release()
	out, err := compute.TakeArray(compute.WithAllocator(context.Background(), mem), values, ia)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "take")
	}
	return out, nil
}

// nestedScalar is ScalarAt for ARRAY and VECTOR arrays: row i's elements as a []any.
func nestedScalar(a arrow.Array, i int) any {
	offs, child, _ := udf.ListOffsets(a)
	out := make([]any, 0, offs[i+1]-offs[i])
	for j := offs[i]; j < offs[i+1]; j++ {
		out = append(out, ScalarAt(child, int(j)))
	}
	return out
}

// castNested is Cast when the source or the target is an ARRAY or VECTOR (and they differ):
//   - ARRAY<A> → ARRAY<B>: the elements are cast (offsets and validity are shared);
//   - VECTOR(n) → ARRAY<B>: the n floats of each row, cast to B;
//   - ARRAY<numeric> → VECTOR(n): every non-NULL array must have exactly n non-NULL elements,
//     else an execution error showing the array; the elements are cast to FLOAT;
//   - ARRAY or VECTOR → VARCHAR: the elements cast to VARCHAR, as [a, b, NULL].
//
// Anything else is not implemented. O(elements).
func castNested(mem memory.Allocator, a arrow.Array, to arrow.DataType) (arrow.Array, error) {
	from := a.DataType()
	switch {
	case to.ID() == arrow.STRING && planner.IsNested(from):
		return nestedToString(mem, a)
	case planner.IsArray(from) && planner.IsArray(to):
		child, err := Cast(mem, a.(*array.List).ListValues(), planner.ElemType(to))
		if err != nil {
			return nil, err
		}
		defer child.Release()
		d := a.Data()
		data := array.NewData(to, d.Len(), d.Buffers(), []arrow.ArrayData{child.Data()}, d.NullN(), d.Offset())
		out := array.MakeFromData(data)
		data.Release()
		return out, nil
	case planner.IsVector(from) && planner.IsArray(to):
		n, d := a.Len(), udf.VectorDims(from)
		start := int64(a.Data().Offset() * d)
		part := array.NewSlice(a.(*array.FixedSizeList).ListValues(), start, start+int64(n*d))
		defer part.Release()
		child, err := Cast(mem, part, planner.ElemType(to))
		if err != nil {
			return nil, err
		}
		defer child.Release()
		offs := make([]int32, n+1)
		valid := make([]bool, n)
		for i := range valid {
			offs[i+1] = int32((i + 1) * d)
			valid[i] = a.IsValid(i)
		}
		return nestedArray(mem, to, n, offs, valid, child)
	case planner.IsArray(from) && planner.IsVector(to) && planner.IsNumeric(planner.ElemType(from)):
		return arrayToVector(mem, a.(*array.List), to)
	}
	return nil, errs.NotImplementedf("cast from %s to %s", planner.TypeString(from), planner.TypeString(to))
}

func arrayToVector(mem memory.Allocator, a *array.List, to arrow.DataType) (arrow.Array, error) {
	n, d := a.Len(), udf.VectorDims(to)
	offs, child, _ := udf.ListOffsets(a)
	for i := 0; i < n; i++ {
		if !a.IsValid(i) {
			continue
		}
		if got := int(offs[i+1] - offs[i]); got != d {
			return nil, errs.Execf("cannot cast %s to %s: it has %d elements, not %d", nestedText(a, i), planner.TypeString(to), got, d)
		}
		for j := offs[i]; j < offs[i+1]; j++ {
			if child.IsNull(int(j)) {
				return nil, errs.Execf("cannot cast %s to %s: a VECTOR element cannot be NULL", nestedText(a, i), planner.TypeString(to))
			}
		}
	}
	lo, hi := int64(offs[0]), int64(offs[n])
	part := array.NewSlice(child, lo, hi)
	defer part.Release()
	f, err := Cast(mem, part, planner.Float32)
	if err != nil {
		return nil, err
	}
	defer f.Release()
	src := values[float32](f)
	buf, dst := newValues[float32](mem, n*d)
	valid := make([]bool, n)
	for i := 0; i < n; i++ {
		if valid[i] = a.IsValid(i); valid[i] {
			copy(dst[i*d:(i+1)*d], src[int64(offs[i])-lo:int64(offs[i+1])-lo])
		} else {
			clear(dst[i*d : (i+1)*d])
		}
	}
	vals := finish(planner.Float32, n*d, nil, buf)
	defer vals.Release()
	return vectorArray(mem, to, n, valid, vals)
}

// nestedText renders row i of an ARRAY or VECTOR array for error messages: [1, 2, NULL]
// (at most 10 elements shown).
func nestedText(a arrow.Array, i int) string {
	offs, child, _ := udf.ListOffsets(a)
	s := "["
	for j := offs[i]; j < offs[i+1]; j++ {
		if j > offs[i] {
			s += ", "
		}
		if j-offs[i] == 10 {
			s += "..."
			break
		}
		s += valueString(child, int(j))
	}
	return s + "]"
}

// nestedToString renders each row as [a, b, NULL], its elements cast to VARCHAR.
func nestedToString(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	offs, child, _ := udf.ListOffsets(a)
	n := a.Len()
	lo, hi := int64(offs[0]), int64(offs[n])
	part := array.NewSlice(child, lo, hi)
	defer part.Release()
	strs, err := Cast(mem, part, planner.String)
	if err != nil {
		return nil, err
	}
	defer strs.Release()
	elems := strs.(*array.String)
	b := array.NewStringBuilder(mem)
	defer b.Release()
	var buf []byte
	for i := 0; i < n; i++ {
		if !a.IsValid(i) {
			b.AppendNull()
			continue
		}
		buf = append(buf[:0], '[')
		for j := int64(offs[i]) - lo; j < int64(offs[i+1])-lo; j++ {
			if j > int64(offs[i])-lo {
				buf = append(buf, ", "...)
			}
			if elems.IsNull(int(j)) {
				buf = append(buf, "NULL"...)
			} else {
				buf = append(buf, elems.Value(int(j))...)
			}
		}
		buf = append(buf, ']')
		b.BinaryBuilder.Append(buf)
	}
	return b.NewArray(), nil
}

// gatherNested is CaseWhen's gather for ARRAY and VECTOR results: row i of
// srcs[choice[i]] (NULL where choice[i] < 0). Vectors are copied float by float (NULL rows
// get zeros); arrays by one take over the concatenated sources.
func gatherNested(mem memory.Allocator, out arrow.DataType, n int, srcs []arrow.Array, choice []int32) (arrow.Array, error) {
	if planner.IsVector(out) {
		d := udf.VectorDims(out)
		src := make([][]float32, len(srcs))
		for k, s := range srcs {
			if isNullType(s) {
				continue
			}
			vals, _, err := udf.VectorValues(s.(*array.FixedSizeList))
			if err != nil {
				return nil, err
			}
			src[k] = vals
		}
		buf, dst := newValues[float32](mem, n*d)
		valid := make([]bool, n)
		for i, c := range choice {
			if valid[i] = c >= 0 && src[c] != nil && srcs[c].IsValid(i); valid[i] {
				copy(dst[i*d:(i+1)*d], src[c][i*d:(i+1)*d])
			} else {
				clear(dst[i*d : (i+1)*d])
			}
		}
		vals := finish(planner.Float32, n*d, nil, buf)
		defer vals.Release()
		return vectorArray(mem, out, n, valid, vals)
	}
	parts := make([]arrow.Array, len(srcs))
	for k, s := range srcs {
		if isNullType(s) {
			p, err := nullNested(mem, out, n)
			if err != nil {
				releaseAll(parts)
				return nil, err
			}
			parts[k] = p
			continue
		}
		s.Retain()
		parts[k] = s
	}
	all, err := array.Concatenate(parts, mem)
	releaseAll(parts)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "case")
	}
	defer all.Release()
	idx := make([]int32, n)
	valid := make([]bool, n)
	for i, c := range choice {
		if c >= 0 {
			idx[i], valid[i] = c*int32(n)+int32(i), true
		}
	}
	return take(mem, all, idx, valid)
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}
