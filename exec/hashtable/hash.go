package hashtable

import (
	"encoding/binary"
	"math"
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/embersql/ember/internal/errs"
)

// The hash is a wyhash-style multiply-fold written for this package: mum(a, b) multiplies two
// 64-bit words to 128 bits and folds the halves with xor. One mum per column and row for
// fixed-width values, about one per 16 bytes for strings. Not a cryptographic hash: it
// spreads keys for hash tables and partitioning, no more.
const (
	k0 = 0xa0761d6478bd642f
	k1 = 0xe7037ed1a0b428db
	k2 = 0x8ebc6af09c88c6e3
	k3 = 0x589965cc75374cc3

	// publicSeed starts HashColumns. tableSeed starts the hashes the tables use internally,
	// so that a table filled with one hash partition of the data (rows whose HashColumns
	// agree in some bits) still spreads over all its slots.
	publicSeed = 0x1d8e4e27c47d124f
	tableSeed  = 0x2d358dccaa6c78a5

	// nullValue is the value a NULL contributes to a row's hash, whatever its type.
	nullValue = 0x9e3779b97f4a7c15

	canonicalNaN64 = 0x7ff8000000000000
	canonicalNaN32 = 0x7fc00000
)

func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// mix folds the value v of one column into the running row hash h.
func mix(h, v uint64) uint64 { return mum(h^k0, v^k1) }

// hashBytes hashes a byte string; every byte and the length take part.
func hashBytes(p []byte) uint64 {
	n := len(p)
	var a, b uint64
	seed := k2 ^ uint64(n)
	switch {
	case n == 0:
	case n < 4:
		a = uint64(p[0])<<16 | uint64(p[n>>1])<<8 | uint64(p[n-1])
	case n <= 8:
		a = uint64(binary.LittleEndian.Uint32(p))
		b = uint64(binary.LittleEndian.Uint32(p[n-4:]))
	case n <= 16:
		a = binary.LittleEndian.Uint64(p)
		b = binary.LittleEndian.Uint64(p[n-8:])
	default:
		q := p
		for len(q) > 16 {
			seed = mum(binary.LittleEndian.Uint64(q)^k1, binary.LittleEndian.Uint64(q[8:])^seed)
			q = q[16:]
		}
		a = binary.LittleEndian.Uint64(p[n-16:])
		b = binary.LittleEndian.Uint64(p[n-8:])
	}
	return mum(k1^uint64(n), mum(a^k3, b^seed))
}

// normF64 and normF32 map -0 to +0 and every NaN to one NaN, so that values SQL treats as
// equal (for grouping and joining) have the same bits.
func normF64(b uint64) uint64 {
	f := math.Float64frombits(b)
	if f == 0 {
		return 0
	}
	if f != f {
		return canonicalNaN64
	}
	return b
}

func normF32(b uint32) uint32 {
	f := math.Float32frombits(b)
	if f == 0 {
		return 0
	}
	if f != f {
		return canonicalNaN32
	}
	return b
}

// kind is the physical layout of a key column; every supported Arrow type maps to one.
type kind uint8

const (
	kNull kind = iota // arrow.Null: every row is NULL
	kBool
	kFixed1 // 1-byte integers
	kFixed2
	kFixed4 // int32, uint32, date32, time32
	kFixed8 // int64, uint64, date64, time64, timestamp, duration
	kFloat32
	kFloat64
	kFixed16 // decimal128
	kBinary  // string, binary (int32 offsets)
	kLargeBinary
)

// width is the byte width of a fixed-width kind's value (bool: 1 in encoded keys), 0 for
// var-width kinds and NULL.
func (k kind) width() int {
	switch k {
	case kBool, kFixed1:
		return 1
	case kFixed2:
		return 2
	case kFixed4, kFloat32:
		return 4
	case kFixed8, kFloat64:
		return 8
	case kFixed16:
		return 16
	}
	return 0
}

func (k kind) varWidth() bool { return k == kBinary || k == kLargeBinary }

func kindOf(t arrow.DataType) (kind, bool) {
	switch t.ID() {
	case arrow.NULL:
		return kNull, true
	case arrow.BOOL:
		return kBool, true
	case arrow.INT8, arrow.UINT8:
		return kFixed1, true
	case arrow.INT16, arrow.UINT16:
		return kFixed2, true
	case arrow.INT32, arrow.UINT32, arrow.DATE32, arrow.TIME32:
		return kFixed4, true
	case arrow.INT64, arrow.UINT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return kFixed8, true
	case arrow.FLOAT32:
		return kFloat32, true
	case arrow.FLOAT64:
		return kFloat64, true
	case arrow.DECIMAL128:
		return kFixed16, true
	case arrow.STRING, arrow.BINARY:
		return kBinary, true
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return kLargeBinary, true
	}
	return 0, false
}

// CheckKeyTypes reports whether every type can be a hash key here: NULL, BOOLEAN, every
// integer, FLOAT, DOUBLE, DECIMAL (128-bit), VARCHAR and binary (also their large
// variants), DATE, TIME, TIMESTAMP and durations. Planners call it so that an unsupported
// key type is a plan error, not a failure at run time.
func CheckKeyTypes(types []arrow.DataType) error {
	for i, t := range types {
		if _, ok := kindOf(t); !ok {
			return errs.NotImplementedf("hash key %d: type %s cannot be hashed", i, t)
		}
	}
	return nil
}

func kindsOf(types []arrow.DataType) ([]kind, error) {
	if len(types) == 0 {
		return nil, errs.Internalf("hash table needs at least one key column")
	}
	if err := CheckKeyTypes(types); err != nil {
		return nil, err
	}
	ks := make([]kind, len(types))
	for i, t := range types {
		ks[i], _ = kindOf(t)
	}
	return ks, nil
}

// checkKeys verifies that cols match the declared key types and all have n rows.
func checkKeys(types []arrow.DataType, cols []arrow.Array, n int) error {
	if len(cols) != len(types) {
		return errs.Internalf("hash table has %d key columns, got %d", len(types), len(cols))
	}
	for i, c := range cols {
		if !arrow.TypeEqual(c.DataType(), types[i]) {
			return errs.Internalf("hash key %d: expected type %s, got %s", i, types[i], c.DataType())
		}
		if c.Len() != n {
			return errs.Internalf("hash key %d: %d rows, expected %d", i, c.Len(), n)
		}
	}
	return nil
}

// castSlice reinterprets a byte slice as a slice of fixed-width values.
func castSlice[T any](b []byte) []T {
	var z T
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/int(unsafe.Sizeof(z)))
}

// validity returns arr's validity bitmap and its bit offset, or nil when arr has no NULLs.
func validity(arr arrow.Array) ([]byte, int) {
	if arr.NullN() == 0 {
		return nil, 0
	}
	d := arr.Data()
	b := d.Buffers()[0]
	if b == nil { // arrow.Null arrays carry no bitmap; callers treat kNull apart
		return nil, 0
	}
	return b.Bytes(), d.Offset()
}

// fixedValues returns the value bytes of arr's rows (w bytes each), honouring its offset.
func fixedValues(arr arrow.Array, w int) []byte {
	d := arr.Data()
	if d.Len() == 0 {
		return nil
	}
	off := d.Offset()
	return d.Buffers()[1].Bytes()[off*w : (off+d.Len())*w]
}

// boolValues returns the value bitmap of a boolean array and its bit offset.
func boolValues(arr arrow.Array) ([]byte, int) {
	d := arr.Data()
	if d.Len() == 0 {
		return nil, 0
	}
	return d.Buffers()[1].Bytes(), d.Offset()
}

// binaryValues returns the offsets (len rows+1, absolute into data) and the data buffer of a
// string or binary array.
func binaryValues[O int32 | int64](arr arrow.Array) ([]O, []byte) {
	d := arr.Data()
	if d.Len() == 0 {
		return nil, nil
	}
	var z O
	w := int(unsafe.Sizeof(z))
	off := d.Offset()
	offs := castSlice[O](d.Buffers()[1].Bytes()[off*w : (off+d.Len()+1)*w])
	var data []byte
	if b := d.Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	return offs, data
}

// HashColumns hashes row i of the key columns into out[i]; len(out) must equal the number
// of rows. Equal key tuples hash equally whatever batch, slice or offset they come from;
// NULL contributes a fixed value; -0 and +0 hash alike, as do all NaNs. Columns of the same
// value but different types (INT vs BIGINT) may hash differently: callers hash both sides of
// a join on the same coerced types. One pass per column, no allocation.
//
// It panics with an internal error on a type CheckKeyTypes rejects or on a length mismatch:
// both are planner bugs, which the operator's Next wrapper reports as internal errors.
func HashColumns(cols []arrow.Array, out []uint64) {
	hashColumns(cols, out, publicSeed)
}

func hashColumns(cols []arrow.Array, out []uint64, seed uint64) {
	for i := range out {
		out[i] = seed
	}
	for ci, c := range cols {
		if c.Len() != len(out) {
			panic(errs.Internalf("hash key %d: %d rows, expected %d", ci, c.Len(), len(out)))
		}
		k, ok := kindOf(c.DataType())
		if !ok {
			panic(errs.Internalf("hash key %d: type %s cannot be hashed", ci, c.DataType()))
		}
		hashColumn(k, c, out)
	}
}

func hashColumn(k kind, c arrow.Array, out []uint64) {
	n := len(out)
	if n == 0 {
		return
	}
	valid, voff := validity(c)
	switch k {
	case kNull:
		for i := range out {
			out[i] = mix(out[i], nullValue)
		}
	case kBool:
		vals, off := boolValues(c)
		for i := range out {
			v := uint64(vals[uint(off+i)>>3]>>(uint(off+i)&7)) & 1
			if valid != nil && bitutil.BitIsNotSet(valid, voff+i) {
				v = nullValue
			}
			out[i] = mix(out[i], v)
		}
	case kFixed1:
		hashFixed(castSlice[uint8](fixedValues(c, 1)), valid, voff, out)
	case kFixed2:
		hashFixed(castSlice[uint16](fixedValues(c, 2)), valid, voff, out)
	case kFixed4:
		hashFixed(castSlice[uint32](fixedValues(c, 4)), valid, voff, out)
	case kFixed8:
		hashFixed(castSlice[uint64](fixedValues(c, 8)), valid, voff, out)
	case kFloat32:
		vals := castSlice[uint32](fixedValues(c, 4))
		for i, b := range vals {
			v := uint64(normF32(b))
			if valid != nil && bitutil.BitIsNotSet(valid, voff+i) {
				v = nullValue
			}
			out[i] = mix(out[i], v)
		}
	case kFloat64:
		vals := castSlice[uint64](fixedValues(c, 8))
		for i, b := range vals {
			v := normF64(b)
			if valid != nil && bitutil.BitIsNotSet(valid, voff+i) {
				v = nullValue
			}
			out[i] = mix(out[i], v)
		}
	case kFixed16:
		vals := castSlice[[2]uint64](fixedValues(c, 16))
		for i, d := range vals {
			v := mum(d[0]^k2, d[1]^k3)
			if valid != nil && bitutil.BitIsNotSet(valid, voff+i) {
				v = nullValue
			}
			out[i] = mix(out[i], v)
		}
	case kBinary:
		offs, data := binaryValues[int32](c)
		hashBinary(offs, data, valid, voff, out)
	case kLargeBinary:
		offs, data := binaryValues[int64](c)
		hashBinary(offs, data, valid, voff, out)
	}
}

func hashFixed[T uint8 | uint16 | uint32 | uint64](vals []T, valid []byte, voff int, out []uint64) {
	out = out[:len(vals)]
	if valid == nil {
		for i, v := range vals {
			out[i] = mix(out[i], uint64(v))
		}
		return
	}
	for i, v := range vals {
		x := uint64(v)
		if bitutil.BitIsNotSet(valid, voff+i) {
			x = nullValue
		}
		out[i] = mix(out[i], x)
	}
}

func hashBinary[O int32 | int64](offs []O, data []byte, valid []byte, voff int, out []uint64) {
	for i := range out {
		v := uint64(nullValue)
		if valid == nil || bitutil.BitIsSet(valid, voff+i) {
			v = hashBytes(data[offs[i]:offs[i+1]])
		}
		out[i] = mix(out[i], v)
	}
}
