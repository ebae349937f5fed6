package kernels

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Compare returns a new BOOLEAN array of l op r for op in = <> < <= > >=, NULL where either
// side is NULL. Both sides have one type (the binder coerced them; decimals must share the
// scale): BOOLEAN (false < true), integers, floats, DECIMAL, VARCHAR (bytewise), DATE,
// TIMESTAMP. Floats order as in Spark: NaN equals NaN and is greater than every other value,
// and -0 equals 0. A NULL-typed operand gives all NULLs.
//
// Every operator reduces to "equal" or "less" with swapped operands and/or an inverted
// result, so each type has two bit-packing loops; O(n).
func Compare(mem memory.Allocator, op planner.BinaryOp, l, r arrow.Array) (arrow.Array, error) {
	if !op.IsComparison() {
		return nil, errs.Internalf("compare: %q is not a comparison", op)
	}
	n := l.Len()
	if err := checkLen("compare", n, r); err != nil {
		return nil, err
	}
	if isNullType(l) || isNullType(r) {
		return allNull(mem, planner.Boolean, n)
	}
	if !sameValueType(l.DataType(), r.DataType()) {
		return nil, errs.Internalf("compare: operand types differ: %s %s %s",
			planner.TypeString(l.DataType()), op, planner.TypeString(r.DataType()))
	}
	less, swap, invert := false, false, false
	switch op {
	case planner.OpNe:
		invert = true
	case planner.OpLt:
		less = true
	case planner.OpGt:
		less, swap = true, true
	case planner.OpLe: // a <= b  ⇔  not (b < a)
		less, swap, invert = true, true, true
	case planner.OpGe: // a >= b  ⇔  not (a < b)
		less, invert = true, true
	}
	a, b := l, r
	if swap {
		a, b = r, l
	}
	buf, bits := newBitmap(mem, n)
	if err := compareBits(less, a, b, bits); err != nil {
		buf.Release()
		return nil, err
	}
	if invert {
		for i := range bits {
			bits[i] = ^bits[i]
		}
		maskTail(bits, n)
	}
	return finish(planner.Boolean, n, newValidOut(mem, n, validBits(l), validBits(r)), buf), nil
}

// sameValueType reports whether values of a and b compare directly: the same type, where
// a decimal's precision does not matter but its scale does.
func sameValueType(a, b arrow.DataType) bool {
	if a.ID() != b.ID() {
		return false
	}
	if da, ok := a.(*arrow.Decimal128Type); ok {
		return da.Scale == b.(*arrow.Decimal128Type).Scale
	}
	return arrow.TypeEqual(a, b)
}

// compareBits writes a < b (less) or a = b into the zeroed bitmap out, for every row.
func compareBits(less bool, a, b arrow.Array, out []byte) error {
	switch a.DataType().ID() {
	case arrow.INT8:
		cmpInts(less, values[int8](a), values[int8](b), out)
	case arrow.INT16:
		cmpInts(less, values[int16](a), values[int16](b), out)
	case arrow.INT32, arrow.DATE32:
		cmpInts(less, values[int32](a), values[int32](b), out)
	case arrow.INT64, arrow.TIMESTAMP, arrow.DATE64:
		cmpInts(less, values[int64](a), values[int64](b), out)
	case arrow.UINT8:
		cmpInts(less, values[uint8](a), values[uint8](b), out)
	case arrow.UINT16:
		cmpInts(less, values[uint16](a), values[uint16](b), out)
	case arrow.UINT32:
		cmpInts(less, values[uint32](a), values[uint32](b), out)
	case arrow.UINT64:
		cmpInts(less, values[uint64](a), values[uint64](b), out)
	case arrow.FLOAT32:
		cmpFloats(less, values[float32](a), values[float32](b), out)
	case arrow.FLOAT64:
		cmpFloats(less, values[float64](a), values[float64](b), out)
	case arrow.DECIMAL128:
		cmpDecimals(less, values[decimal128.Num](a), values[decimal128.Num](b), out)
	case arrow.STRING:
		cmpStrings(less, a.(*array.String), b.(*array.String), out)
	case arrow.BOOL:
		x, y := boolBits(a), boolBits(b)
		for i := range out {
			if less {
				out[i] = ^x[i] & y[i]
			} else {
				out[i] = ^(x[i] ^ y[i])
			}
		}
		maskTail(out, a.Len())
	default:
		return errs.NotImplementedf("comparison of %s values", planner.TypeString(a.DataType()))
	}
	return nil
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// cmpInts packs 8 results per byte; the 8-wide body has no bounds checks and no branches.
func cmpInts[T integer](less bool, a, b []T, out []byte) {
	n := len(a)
	b = b[:n]
	full := n / 8
	if less {
		for j := 0; j < full; j++ {
			x, y := a[j*8:j*8+8], b[j*8:j*8+8]
			out[j] = b2u(x[0] < y[0]) | b2u(x[1] < y[1])<<1 | b2u(x[2] < y[2])<<2 | b2u(x[3] < y[3])<<3 |
				b2u(x[4] < y[4])<<4 | b2u(x[5] < y[5])<<5 | b2u(x[6] < y[6])<<6 | b2u(x[7] < y[7])<<7
		}
		for i := full * 8; i < n; i++ {
			out[i>>3] |= b2u(a[i] < b[i]) << (i & 7)
		}
		return
	}
	for j := 0; j < full; j++ {
		x, y := a[j*8:j*8+8], b[j*8:j*8+8]
		out[j] = b2u(x[0] == y[0]) | b2u(x[1] == y[1])<<1 | b2u(x[2] == y[2])<<2 | b2u(x[3] == y[3])<<3 |
			b2u(x[4] == y[4])<<4 | b2u(x[5] == y[5])<<5 | b2u(x[6] == y[6])<<6 | b2u(x[7] == y[7])<<7
	}
	for i := full * 8; i < n; i++ {
		out[i>>3] |= b2u(a[i] == b[i]) << (i & 7)
	}
}

// fLess and fEq are the total order on floats: NaN = NaN, NaN above everything, -0 = 0.
func fLess[T float32 | float64](x, y T) byte { return b2u(x < y) | b2u(y != y)&b2u(x == x) }
func fEq[T float32 | float64](x, y T) byte   { return b2u(x == y) | b2u(x != x)&b2u(y != y) }

func cmpFloats[T float32 | float64](less bool, a, b []T, out []byte) {
	n := len(a)
	b = b[:n]
	full := n / 8
	if less {
		for j := 0; j < full; j++ {
			x, y := a[j*8:j*8+8], b[j*8:j*8+8]
			out[j] = fLess(x[0], y[0]) | fLess(x[1], y[1])<<1 | fLess(x[2], y[2])<<2 | fLess(x[3], y[3])<<3 |
				fLess(x[4], y[4])<<4 | fLess(x[5], y[5])<<5 | fLess(x[6], y[6])<<6 | fLess(x[7], y[7])<<7
		}
		for i := full * 8; i < n; i++ {
			out[i>>3] |= fLess(a[i], b[i]) << (i & 7)
		}
		return
	}
	for j := 0; j < full; j++ {
		x, y := a[j*8:j*8+8], b[j*8:j*8+8]
		out[j] = fEq(x[0], y[0]) | fEq(x[1], y[1])<<1 | fEq(x[2], y[2])<<2 | fEq(x[3], y[3])<<3 |
			fEq(x[4], y[4])<<4 | fEq(x[5], y[5])<<5 | fEq(x[6], y[6])<<6 | fEq(x[7], y[7])<<7
	}
	for i := full * 8; i < n; i++ {
		out[i>>3] |= fEq(a[i], b[i]) << (i & 7)
	}
}

func cmpDecimals(less bool, a, b []decimal128.Num, out []byte) {
	b = b[:len(a)]
	for i, x := range a {
		y := b[i]
		xh, yh := x.HighBits(), y.HighBits()
		var r byte
		if less {
			r = b2u(xh < yh) | b2u(xh == yh)&b2u(x.LowBits() < y.LowBits())
		} else {
			r = b2u(xh == yh) & b2u(x.LowBits() == y.LowBits())
		}
		out[i>>3] |= r << (i & 7)
	}
}

// cmpStrings compares the values' bytes in place through the offsets (no string headers
// built per row); equality rejects on length before touching the bytes.
func cmpStrings(less bool, a, b *array.String, out []byte) {
	ao, bo := a.ValueOffsets(), b.ValueOffsets()
	ad, bd := stringBytes(a), stringBytes(b)
	n := a.Len()
	ao, bo = ao[:n+1], bo[:n+1]
	if less {
		for i := range n {
			x, y := ad[ao[i]:ao[i+1]], bd[bo[i]:bo[i+1]]
			out[i>>3] |= b2u(string(x) < string(y)) << (i & 7)
		}
		return
	}
	for i := range n {
		xs, xe, ys, ye := ao[i], ao[i+1], bo[i], bo[i+1]
		if xe-xs == ye-ys && string(ad[xs:xe]) == string(bd[ys:ye]) {
			out[i>>3] |= 1 << (i & 7)
		}
	}
}

// stringBytes is the whole value buffer of a string array (offsets index into it).
func stringBytes(a *array.String) []byte {
	if b := a.Data().Buffers()[2]; b != nil {
		return b.Bytes()
	}
	return nil
}
