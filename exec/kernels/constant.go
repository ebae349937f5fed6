package kernels

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// MakeConstant returns a new array of n copies of v, of type t. v is a Go value as in
// planner.Literal: nil (NULL), bool, int64 (every integer type, range-checked), float64
// (FLOAT and DOUBLE), decimal128.Num (already scaled by t's scale), string, arrow.Date32,
// arrow.Timestamp, or []any of such values for ARRAY and VECTOR types (list.go). nil gives
// an all-NULL array of t; t may be arrow.Null only for nil.
// A value whose Go type does not fit t is an internal error (a binder bug). O(n).
func MakeConstant(mem memory.Allocator, v any, t arrow.DataType, n int) (arrow.Array, error) {
	if n < 0 {
		return nil, errs.Internalf("constant of negative length %d", n)
	}
	if t.ID() == arrow.NULL {
		if v != nil {
			return nil, errs.Internalf("constant %v for type NULL", v)
		}
		return array.NewNull(n), nil
	}
	if planner.IsNested(t) {
		return nestedConstant(mem, v, t, n) // list.go
	}
	if v == nil {
		return nullArray(mem, t, n)
	}
	bad := func() (arrow.Array, error) {
		return nil, errs.Internalf("constant %v (%T) does not fit type %s", v, v, planner.TypeString(t))
	}
	switch t.ID() {
	case arrow.BOOL:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		buf, bits := newBitmap(mem, n)
		if b {
			for i := range bits {
				bits[i] = 0xff
			}
			maskTail(bits, n)
		}
		return finish(t, n, nil, buf), nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		x, ok := v.(int64)
		if !ok || !intFits(x, t) {
			return bad()
		}
		switch t.ID() {
		case arrow.INT8:
			return fillConst(mem, t, n, int8(x)), nil
		case arrow.INT16:
			return fillConst(mem, t, n, int16(x)), nil
		case arrow.INT32:
			return fillConst(mem, t, n, int32(x)), nil
		case arrow.INT64:
			return fillConst(mem, t, n, x), nil
		case arrow.UINT8:
			return fillConst(mem, t, n, uint8(x)), nil
		case arrow.UINT16:
			return fillConst(mem, t, n, uint16(x)), nil
		case arrow.UINT32:
			return fillConst(mem, t, n, uint32(x)), nil
		default:
			return fillConst(mem, t, n, uint64(x)), nil
		}
	case arrow.FLOAT32, arrow.FLOAT64:
		f, ok := v.(float64)
		if !ok {
			return bad()
		}
		if t.ID() == arrow.FLOAT32 {
			return fillConst(mem, t, n, float32(f)), nil
		}
		return fillConst(mem, t, n, f), nil
	case arrow.DECIMAL128:
		d, ok := v.(decimal128.Num)
		if !ok {
			return bad()
		}
		return fillConst(mem, t, n, d), nil
	case arrow.DATE32:
		d, ok := v.(arrow.Date32)
		if !ok {
			return bad()
		}
		return fillConst(mem, t, n, d), nil
	case arrow.TIMESTAMP:
		ts, ok := v.(arrow.Timestamp)
		if !ok {
			return bad()
		}
		return fillConst(mem, t, n, ts), nil
	case arrow.STRING:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		if int64(len(s))*int64(n) > math.MaxInt32 {
			return nil, errs.ResourceExhaustedf("string constant of %d bytes repeated %d times exceeds 2 GiB", len(s), n)
		}
		obuf, offs := newValues[int32](mem, n+1)
		for i := range offs {
			offs[i] = int32(i * len(s))
		}
		dbuf := memory.NewResizableBuffer(mem)
		dbuf.Resize(len(s) * n)
		data := dbuf.Bytes()
		for i := 0; i < n; i++ {
			copy(data[i*len(s):], s)
		}
		return finish(t, n, nil, obuf, dbuf), nil
	}
	return nil, errs.NotImplementedf("constants of type %s", planner.TypeString(t))
}

// intFits reports whether x is in the range of the integer type t.
func intFits(x int64, t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8:
		return x >= math.MinInt8 && x <= math.MaxInt8
	case arrow.INT16:
		return x >= math.MinInt16 && x <= math.MaxInt16
	case arrow.INT32:
		return x >= math.MinInt32 && x <= math.MaxInt32
	case arrow.UINT8:
		return x >= 0 && x <= math.MaxUint8
	case arrow.UINT16:
		return x >= 0 && x <= math.MaxUint16
	case arrow.UINT32:
		return x >= 0 && x <= math.MaxUint32
	case arrow.UINT64:
		return x >= 0
	}
	return true
}

// fillConst returns n copies of v as an array of t (whose values are T).
func fillConst[T arrow.FixedWidthType](mem memory.Allocator, t arrow.DataType, n int, v T) arrow.Array {
	buf, out := newValues[T](mem, n)
	for i := range out {
		out[i] = v
	}
	return finish(t, n, nil, buf)
}

// nullArray returns n NULLs of type t: zeroed value buffers and an all-zero validity bitmap.
func nullArray(mem memory.Allocator, t arrow.DataType, n int) (arrow.Array, error) {
	vbuf, vbits := newBitmap(mem, n)
	valid := &validOut{mem: mem, n: n, buf: vbuf, bits: vbits}
	switch t.ID() {
	case arrow.STRING:
		obuf, offs := newValues[int32](mem, n+1)
		clear(offs)
		dbuf := memory.NewResizableBuffer(mem)
		return finish(t, n, valid, obuf, dbuf), nil
	case arrow.BOOL:
		buf, _ := newBitmap(mem, n)
		return finish(t, n, valid, buf), nil
	}
	fw, ok := t.(arrow.FixedWidthDataType)
	if !ok {
		valid.release()
		return nil, errs.NotImplementedf("NULL constants of type %s", planner.TypeString(t))
	}
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * fw.Bytes())
	clear(buf.Bytes())
	return finish(t, n, valid, buf), nil
}

// ScalarAt returns row i of a as the Go value planner.Literal uses: nil for NULL, bool,
// int64 for every integer type (BIGINT UNSIGNED values above 2^63-1 wrap), float64 for FLOAT
// and DOUBLE, decimal128.Num, string (a copy, safe after a is released), arrow.Date32,
// arrow.Timestamp, []any of these for ARRAY and VECTOR. Other types fall back to the array's
// JSON value.
func ScalarAt(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Boolean:
		return x.Value(i)
	case *array.Int8:
		return int64(x.Value(i))
	case *array.Int16:
		return int64(x.Value(i))
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Int64:
		return x.Value(i)
	case *array.Uint8:
		return int64(x.Value(i))
	case *array.Uint16:
		return int64(x.Value(i))
	case *array.Uint32:
		return int64(x.Value(i))
	case *array.Uint64:
		return int64(x.Value(i))
	case *array.Float32:
		return float64(x.Value(i))
	case *array.Float64:
		return x.Value(i)
	case *array.Decimal128:
		return x.Value(i)
	case *array.String:
		return strings.Clone(x.Value(i))
	case *array.LargeString:
		return strings.Clone(x.Value(i))
	case *array.Date32:
		return x.Value(i)
	case *array.Timestamp:
		return x.Value(i)
	case *array.List, *array.FixedSizeList:
		return nestedScalar(x, i) // list.go
	}
	return a.GetOneForMarshal(i)
}
