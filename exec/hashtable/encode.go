package hashtable

import (
	"encoding/binary"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The normalized key encoding turns a tuple of key values into one byte string, so that two
// tuples are equal under GROUP BY semantics (NULL equals NULL, -0 equals +0, NaN equals NaN)
// exactly when their encodings are byte-equal. Per column, in order:
//
//	validity byte: 0 NULL, 1 valid
//	fixed-width:   the value's w bytes in machine (little-endian) order, zeros when NULL;
//	               floats normalised (normF32/normF64), booleans as one byte 0 or 1
//	var-width:     a 4-byte little-endian length, then the bytes; NULL has length 0.
//	               In the last column the length is left out (the row's end implies it).
//
// Values are read and written with unaligned loads and stores through unsafe, as arrow-go
// itself does; like arrow-go this assumes a little-endian machine. A var-width value longer
// than 4 GiB in a non-last key column is not supported.

// rowEncoder holds reusable buffers for encoding one batch of key rows. Row i is
// buf[offs[i]:offs[i+1]]. Not safe for concurrent use.
type rowEncoder struct {
	buf  []byte
	offs []int
	cur  []int
}

// resize returns s with length n, reusing its array when it is large enough. Contents are
// unspecified.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// encode encodes n rows of cols (whose kinds are given) into e.buf and e.offs.
func (e *rowEncoder) encode(kinds []kind, cols []arrow.Array, n int) {
	offs := resize(e.offs, n+1)
	fixed, hasVar := 0, false
	last := len(kinds) - 1
	for ci, k := range kinds {
		fixed += 1 + k.width()
		if k.varWidth() {
			hasVar = true
			if ci != last {
				fixed += 4
			}
		}
	}
	if !hasVar {
		for i := range offs {
			offs[i] = i * fixed
		}
	} else {
		offs[0] = 0
		lens := offs[1:]
		for i := range lens {
			lens[i] = fixed
		}
		for ci, k := range kinds {
			switch k {
			case kBinary:
				o, _ := binaryValues[int32](cols[ci])
				addLengths(o, cols[ci], lens)
			case kLargeBinary:
				o, _ := binaryValues[int64](cols[ci])
				addLengths(o, cols[ci], lens)
			}
		}
		for i := 1; i <= n; i++ {
			offs[i] += offs[i-1]
		}
	}
	buf := resize(e.buf, offs[n])
	cur := resize(e.cur, n)
	copy(cur, offs[:n])
	for ci, k := range kinds {
		encodeColumn(k, cols[ci], ci == last, buf, cur)
	}
	e.buf, e.offs, e.cur = buf, offs, cur
}

func addLengths[O int32 | int64](offs []O, c arrow.Array, lens []int) {
	valid, voff := validity(c)
	for i := range lens {
		if valid == nil || bitutil.BitIsSet(valid, voff+i) {
			lens[i] += int(offs[i+1] - offs[i])
		}
	}
}

// store writes v at b[p] without alignment requirements.
func store[T any](b []byte, p int, v T) {
	*(*T)(unsafe.Pointer(&b[p])) = v
}

func encodeColumn(k kind, c arrow.Array, last bool, buf []byte, cur []int) {
	valid, voff := validity(c)
	switch k {
	case kNull:
		for i, p := range cur {
			buf[p] = 0
			cur[i] = p + 1
		}
	case kBool:
		vals, off := boolValues(c)
		for i, p := range cur {
			ok := valid == nil || bitutil.BitIsSet(valid, voff+i)
			buf[p], buf[p+1] = 0, 0
			if ok {
				buf[p] = 1
				buf[p+1] = (vals[uint(off+i)>>3] >> (uint(off+i) & 7)) & 1
			}
			cur[i] = p + 2
		}
	case kFixed1:
		encodeFixed(castSlice[uint8](fixedValues(c, 1)), valid, voff, buf, cur)
	case kFixed2:
		encodeFixed(castSlice[uint16](fixedValues(c, 2)), valid, voff, buf, cur)
	case kFixed4:
		encodeFixed(castSlice[uint32](fixedValues(c, 4)), valid, voff, buf, cur)
	case kFixed8:
		encodeFixed(castSlice[uint64](fixedValues(c, 8)), valid, voff, buf, cur)
	case kFixed16:
		encodeFixed(castSlice[[2]uint64](fixedValues(c, 16)), valid, voff, buf, cur)
	case kFloat32:
		vals := castSlice[uint32](fixedValues(c, 4))
		for i, p := range cur {
			var v uint32
			buf[p] = 0
			if valid == nil || bitutil.BitIsSet(valid, voff+i) {
				buf[p] = 1
				v = normF32(vals[i])
			}
			store(buf, p+1, v)
			cur[i] = p + 5
		}
	case kFloat64:
		vals := castSlice[uint64](fixedValues(c, 8))
		for i, p := range cur {
			var v uint64
			buf[p] = 0
			if valid == nil || bitutil.BitIsSet(valid, voff+i) {
				buf[p] = 1
				v = normF64(vals[i])
			}
			store(buf, p+1, v)
			cur[i] = p + 9
		}
	case kBinary:
		offs, data := binaryValues[int32](c)
		encodeBinary(offs, data, valid, voff, last, buf, cur)
	case kLargeBinary:
		offs, data := binaryValues[int64](c)
		encodeBinary(offs, data, valid, voff, last, buf, cur)
	}
}

func encodeFixed[T uint8 | uint16 | uint32 | uint64 | [2]uint64](vals []T, valid []byte, voff int, buf []byte, cur []int) {
	var zero T
	w := int(unsafe.Sizeof(zero))
	if valid == nil {
		for i, p := range cur {
			buf[p] = 1
			store(buf, p+1, vals[i])
			cur[i] = p + 1 + w
		}
		return
	}
	for i, p := range cur {
		if bitutil.BitIsSet(valid, voff+i) {
			buf[p] = 1
			store(buf, p+1, vals[i])
		} else {
			buf[p] = 0
			store(buf, p+1, zero)
		}
		cur[i] = p + 1 + w
	}
}

func encodeBinary[O int32 | int64](offs []O, data []byte, valid []byte, voff int, last bool, buf []byte, cur []int) {
	for i, p := range cur {
		var v []byte
		buf[p] = 0
		if valid == nil || bitutil.BitIsSet(valid, voff+i) {
			buf[p] = 1
			v = data[offs[i]:offs[i+1]]
		}
		p++
		if !last {
			binary.LittleEndian.PutUint32(buf[p:], uint32(len(v)))
			p += 4
		}
		cur[i] = p + copy(buf[p:], v)
	}
}

// newBuffer returns a buffer of exactly size bytes from mem; contents unspecified.
func newBuffer(mem memory.Allocator, size int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(size)
	return b
}

// newBitmap returns a zeroed bitmap buffer for n bits.
func newBitmap(mem memory.Allocator, n int) *memory.Buffer {
	b := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	clear(b.Bytes())
	return b
}

// finishArray wraps buffers into an array of type dt and drops the caller's references.
func finishArray(dt arrow.DataType, n, nulls int, bufs ...*memory.Buffer) arrow.Array {
	if nulls == 0 && bufs[0] != nil {
		bufs[0].Release()
		bufs[0] = nil
	}
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	arr := array.MakeFromData(data)
	data.Release()
	return arr
}

// decodeColumns decodes the key columns of n encoded rows: row g starts at arena[starts[g]]
// and ends at arena[starts[g+1]]. The returned arrays are owned by the caller. starts is not
// modified. Cost: one pass over the rows per column.
func decodeColumns(mem memory.Allocator, kinds []kind, types []arrow.DataType, arena []byte, starts []int) []arrow.Array {
	n := len(starts) - 1
	cur := make([]int, n)
	copy(cur, starts[:n])
	out := make([]arrow.Array, len(kinds))
	last := len(kinds) - 1
	for ci, k := range kinds {
		if k == kNull {
			for g := range cur {
				cur[g]++
			}
			out[ci] = array.NewNull(n)
			continue
		}
		validBuf := newBitmap(mem, n)
		valid := validBuf.Bytes()
		nulls := 0
		for g, p := range cur {
			if arena[p] == 1 {
				bitutil.SetBit(valid, g)
			} else {
				nulls++
			}
		}
		switch {
		case k == kBool:
			dataBuf := newBitmap(mem, n)
			data := dataBuf.Bytes()
			for g, p := range cur {
				if arena[p+1] == 1 {
					bitutil.SetBit(data, g)
				}
				cur[g] = p + 2
			}
			out[ci] = finishArray(types[ci], n, nulls, validBuf, dataBuf)
		case k.varWidth():
			lens := make([]int, n)
			total := 0
			for g, p := range cur {
				l := 0
				if ci == last {
					l = starts[g+1] - p - 1
				} else {
					l = int(binary.LittleEndian.Uint32(arena[p+1:]))
				}
				lens[g] = l
				total += l
			}
			var offBuf *memory.Buffer
			if k == kBinary {
				offBuf = newBuffer(mem, 4*(n+1))
			} else {
				offBuf = newBuffer(mem, 8*(n+1))
			}
			dataBuf := newBuffer(mem, total)
			data := dataBuf.Bytes()
			pos := 0
			for g, p := range cur {
				if k == kBinary {
					store(offBuf.Bytes(), 4*g, int32(pos))
				} else {
					store(offBuf.Bytes(), 8*g, int64(pos))
				}
				p++
				if ci != last {
					p += 4
				}
				pos += copy(data[pos:], arena[p:p+lens[g]])
				cur[g] = p + lens[g]
			}
			if k == kBinary {
				store(offBuf.Bytes(), 4*n, int32(pos))
			} else {
				store(offBuf.Bytes(), 8*n, int64(pos))
			}
			out[ci] = finishArray(types[ci], n, nulls, validBuf, offBuf, dataBuf)
		default:
			w := k.width()
			dataBuf := newBuffer(mem, n*w)
			data := dataBuf.Bytes()
			for g, p := range cur {
				copy(data[g*w:(g+1)*w], arena[p+1:p+1+w])
				cur[g] = p + 1 + w
			}
			out[ci] = finishArray(types[ci], n, nulls, validBuf, dataBuf)
		}
	}
	return out
}
