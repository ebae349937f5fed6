package kernels

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// This file holds the buffer plumbing every kernel shares. Input bitmaps are read through
// validBits/boolBits, which return bitmaps starting at bit 0 that may alias the input's
// buffers (never write to them). Outputs are built from buffers allocated on the caller's
// allocator and assembled by finish, which takes over the references.

// checkLen returns an internal error unless every array has length n.
func checkLen(what string, n int, arrs ...arrow.Array) error {
	for _, a := range arrs {
		if a != nil && a.Len() != n {
			return errs.Internalf("%s: operand lengths differ (%d and %d)", what, n, a.Len())
		}
	}
	return nil
}

// isNullType reports whether a is an array of Arrow's NULL type (every row NULL, no buffers).
func isNullType(a arrow.Array) bool { return a.DataType().ID() == arrow.NULL }

// alignedBits returns n bits of buf from bit off as a bitmap that starts at bit 0: a
// subslice of buf (aliasing it) when off is a multiple of 8, a copy otherwise.
func alignedBits(buf []byte, off, n int) []byte {
	nb := int(bitutil.BytesForBits(int64(n)))
	if off%8 == 0 {
		return buf[off/8 : off/8+nb]
	}
	out := make([]byte, nb)
	bitutil.CopyBitmap(buf, off, n, out, 0)
	return out
}

// validBits returns a's validity bitmap starting at bit 0, or nil when a has no NULLs. A
// NULL-typed array yields an all-zero bitmap. The result may alias a's buffer: read only.
func validBits(a arrow.Array) []byte {
	n := a.Len()
	if isNullType(a) {
		return make([]byte, bitutil.BytesForBits(int64(n)))
	}
	if a.NullN() == 0 {
		return nil
	}
	return alignedBits(a.NullBitmapBytes(), a.Data().Offset(), n)
}

// boolBits returns the value bitmap of a BOOLEAN array starting at bit 0 (all zero for a
// NULL-typed array). The result may alias a's buffer: read only.
func boolBits(a arrow.Array) []byte {
	n := a.Len()
	if b := a.Data().Buffers(); isNullType(a) || n == 0 || b[1] == nil || b[1].Len() == 0 {
		return make([]byte, bitutil.BytesForBits(int64(n)))
	}
	return alignedBits(a.Data().Buffers()[1].Bytes(), a.Data().Offset(), n)
}

// bitSet reports whether bit i of bits is set; a nil bitmap counts as all set (as validity).
func bitSet(bits []byte, i int) bool { return bits == nil || bits[i>>3]&(1<<(i&7)) != 0 }

// b2u converts a bool to 0 or 1; the compiler turns it into a branch-free SETcc.
func b2u(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// maskTail clears the bits past n in the last byte of bits, so that buffers compare equal
// and popcounts over whole bytes stay exact.
func maskTail(bits []byte, n int) {
	if n%8 != 0 && len(bits) > n/8 {
		bits[n/8] &= byte(1)<<(n%8) - 1
	}
}

// newBitmap allocates a zeroed bitmap of n bits on mem.
func newBitmap(mem memory.Allocator, n int) (*memory.Buffer, []byte) {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	b := buf.Bytes()
	clear(b)
	return buf, b
}

// newValues allocates a buffer of n values of T on mem. The values are not initialized.
func newValues[T arrow.FixedWidthType](mem memory.Allocator, n int) (*memory.Buffer, []T) {
	var z T
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(z)))
	if n == 0 {
		return buf, nil
	}
	return buf, arrow.GetData[T](buf.Bytes())[:n]
}

// values returns the n values of a fixed-width array, aliasing its buffer: read only.
// A producer may leave the value buffer out of an all-NULL array; that reads as zeros.
func values[T arrow.FixedWidthType](a arrow.Array) []T {
	if a.Len() == 0 {
		return nil
	}
	if b := a.Data().Buffers()[1]; b == nil || b.Len() == 0 {
		return make([]T, a.Len())
	}
	return arrow.GetValues[T](a.Data(), 1)
}

// validOut is the validity bitmap of an output array under construction. bits is nil while
// every row is valid; setNull allocates it on first use.
type validOut struct {
	mem  memory.Allocator
	n    int
	buf  *memory.Buffer
	bits []byte
}

// newValidOut returns the AND of the given validity bitmaps (nil entries mean all valid) as
// a new output bitmap; it allocates only when some input has NULLs.
func newValidOut(mem memory.Allocator, n int, ins ...[]byte) *validOut {
	v := &validOut{mem: mem, n: n}
	for _, in := range ins {
		if in == nil {
			continue
		}
		if v.bits == nil {
			v.buf, v.bits = newBitmap(mem, n)
			copy(v.bits, in)
			continue
		}
		for i := range v.bits {
			v.bits[i] &= in[i]
		}
	}
	if v.bits != nil {
		maskTail(v.bits, n)
	}
	return v
}

// setNull marks row i NULL.
func (v *validOut) setNull(i int) {
	if v.bits == nil {
		v.buf, v.bits = newBitmap(v.mem, v.n)
		for j := range v.bits {
			v.bits[j] = 0xff
		}
		maskTail(v.bits, v.n)
	}
	v.bits[i>>3] &^= 1 << (i & 7)
}

// valid reports whether row i is valid.
func (v *validOut) valid(i int) bool { return bitSet(v.bits, i) }

// release frees the bitmap (on error paths, before finish took it over).
func (v *validOut) release() {
	if v.buf != nil {
		v.buf.Release()
		v.buf, v.bits = nil, nil
	}
}

// finish assembles an array of type dt and length n from the validity v (may be nil) and
// the other buffers, taking over one reference of each: the caller must not release them.
func finish(dt arrow.DataType, n int, v *validOut, bufs ...*memory.Buffer) arrow.Array {
	var vbuf *memory.Buffer
	nulls := 0
	if v != nil && v.buf != nil {
		nulls = n - bitutil.CountSetBits(v.bits, 0, n)
		if nulls == 0 {
			v.release()
		} else {
			vbuf = v.buf
		}
	}
	buffers := append([]*memory.Buffer{vbuf}, bufs...)
	d := array.NewData(dt, n, buffers, nil, nulls, 0)
	for _, b := range buffers {
		if b != nil {
			b.Release()
		}
	}
	out := array.MakeFromData(d)
	d.Release()
	return out
}

// allNull returns an all-NULL array of type t and length n.
func allNull(mem memory.Allocator, t arrow.DataType, n int) (arrow.Array, error) {
	return MakeConstant(mem, nil, t, n)
}

// shareArray returns a new reference to a's data as a new array object (the caller
// releases it).
func shareArray(a arrow.Array) arrow.Array { return array.MakeFromData(a.Data()) }

// valueString renders row i of a for error messages, in SQL literal syntax.
func valueString(a arrow.Array, i int) string {
	return planner.FormatValue(ScalarAt(a, i), a.DataType(), true)
}
