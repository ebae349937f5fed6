package udf

import (
	"encoding/binary"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// Optional interfaces of aggregates, and what aggregates that keep their rows share: ORDER
// BY keys encoded into comparable bytes, grouping collected rows by group, building LIST
// state columns.

// SortOrder is the direction of one ORDER BY key inside an aggregate call. NULLs sort
// first when NullsFirst, else last, whatever Desc says.
type SortOrder struct {
	Desc       bool
	NullsFirst bool
}

// OrderedAggregateFunction is an AggregateFunction that accepts ORDER BY inside its call,
// as in group_concat(x ORDER BY y DESC). The order keys reach the accumulator as extra
// arguments: its Update gets the value arguments followed by one array per key. The keys
// travel inside the partial state, so StateTypes(args) (of the value arguments only) is the
// state with or without ORDER BY, and Merge, State and Final are as for any aggregate.
// NewAccumulator is the accumulator of a call without ORDER BY.
type OrderedAggregateFunction interface {
	AggregateFunction
	// CheckOrder checks at bind time that keys of these types can order the call; the error
	// names the function and the key.
	CheckOrder(keys []arrow.DataType) error
	// NewOrderedAccumulator returns an empty accumulator for value arguments of types args
	// ordered by keys of types keys, one SortOrder per key.
	NewOrderedAccumulator(args, keys []arrow.DataType, order []SortOrder, mem memory.Allocator) (GroupAccumulator, error)
}

// ArgumentCaster is implemented by aggregates that take some arguments converted: after
// ReturnType accepted the argument types, the binder casts argument i to CastArgs(args)[i]
// (nil leaves it alone) with the engine's CAST, and the accumulator sees the cast types.
// group_concat reads every value as VARCHAR this way, so its text is CAST's.
type ArgumentCaster interface {
	CastArgs(args []arrow.DataType) []arrow.DataType
}

// ---------------------------------------------------------------------------------------
// Order keys as comparable bytes.

// isScalarType reports whether t is one of the scalar types (no nesting) whose values
// order keys, hashes and casts to VARCHAR handle.
func isScalarType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.NULL, arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL128, arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return true
	}
	return false
}

// checkKeyType reports whether values of t can be encoded as an order key.
func checkKeyType(name string, i int, t arrow.DataType) error {
	if isScalarType(t) {
		return nil
	}
	return errs.Planf("%s cannot order by %s (ORDER BY key %d)", name, TypeName(t), i+1)
}

// keyEncoder appends the encoding of one row's order keys to a byte slice, such that
// comparing two rows' encodings bytewise orders the rows as the keys and their SortOrders
// say: numbers by value (NaN above every number, -0 equal to 0), DECIMAL by value at the
// column's scale, BOOLEAN false first, VARCHAR and binary bytewise (Ember's collation),
// dates and times by value. Each key is a marker byte (NULL first: 0, a value: 1, NULL
// last: 2) then the value's bytes, inverted for DESC; variable-length values are escaped
// (0x00 → 0x00 0xFF) and end in 0x00 0x00, so a prefix sorts first. Per batch, set binds
// the key arrays (one type switch per key and batch); no per-row allocation beyond dst.
type keyEncoder struct {
	name  string
	order []SortOrder
	cols  []keyCol
}

type keyCol struct {
	valid []byte
	off   int
	enc   func(dst []byte, i int) []byte // appends the ascending encoding of row i
}

func newKeyEncoder(name string, keys []arrow.DataType, order []SortOrder) (*keyEncoder, error) {
	if len(keys) != len(order) {
		return nil, errs.Internalf("%s: %d order keys with %d directions", name, len(keys), len(order))
	}
	for i, t := range keys {
		if err := checkKeyType(name, i, t); err != nil {
			return nil, err
		}
	}
	return &keyEncoder{name: name, order: order, cols: make([]keyCol, len(keys))}, nil
}

// set binds the key arrays of one batch; they must outlive the appendRow calls.
func (e *keyEncoder) set(keys []arrow.Array) error {
	if len(keys) != len(e.cols) {
		return errs.Internalf("%s: got %d order keys, expected %d", e.name, len(keys), len(e.cols))
	}
	for k, a := range keys {
		c := &e.cols[k]
		c.valid, c.off = validityOf(a)
		if a.DataType().ID() == arrow.NULL {
			c.enc = nil
			continue
		}
		enc, err := keyEncodeFunc(e.name, a)
		if err != nil {
			return err
		}
		c.enc = enc
	}
	return nil
}

// appendRow appends row i's encoding to dst.
func (e *keyEncoder) appendRow(dst []byte, i int) []byte {
	for k := range e.cols {
		c, o := &e.cols[k], e.order[k]
		if c.enc == nil || c.valid != nil && bitutil.BitIsNotSet(c.valid, c.off+i) {
			if o.NullsFirst {
				dst = append(dst, 0)
			} else {
				dst = append(dst, 2)
			}
			continue
		}
		dst = append(dst, 1)
		start := len(dst)
		dst = c.enc(dst, i)
		if o.Desc {
			for j := start; j < len(dst); j++ {
				dst[j] = ^dst[j]
			}
		}
	}
	return dst
}

func keyEncodeFunc(name string, a arrow.Array) (func([]byte, int) []byte, error) {
	switch a.DataType().ID() {
	case arrow.BOOL:
		bm, off := a.Data().Buffers()[1].Bytes(), a.Data().Offset()
		return func(dst []byte, i int) []byte {
			if bitutil.BitIsSet(bm, off+i) {
				return append(dst, 1)
			}
			return append(dst, 0)
		}, nil
	case arrow.INT8:
		return signedKey(rawValues[int8](a)), nil
	case arrow.INT16:
		return signedKey(rawValues[int16](a)), nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return signedKey(rawValues[int32](a)), nil
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return signedKey(rawValues[int64](a)), nil
	case arrow.UINT8:
		return unsignedKey(rawValues[uint8](a)), nil
	case arrow.UINT16:
		return unsignedKey(rawValues[uint16](a)), nil
	case arrow.UINT32:
		return unsignedKey(rawValues[uint32](a)), nil
	case arrow.UINT64:
		return unsignedKey(rawValues[uint64](a)), nil
	case arrow.FLOAT32:
		vals := rawValues[float32](a)
		return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint64(dst, floatKey(float64(vals[i]))) }, nil
	case arrow.FLOAT64:
		vals := rawValues[float64](a)
		return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint64(dst, floatKey(vals[i])) }, nil
	case arrow.DECIMAL128:
		vals := rawValues[decimal128.Num](a)
		return func(dst []byte, i int) []byte {
			dst = binary.BigEndian.AppendUint64(dst, uint64(vals[i].HighBits())^(1<<63))
			return binary.BigEndian.AppendUint64(dst, vals[i].LowBits())
		}, nil
	case arrow.STRING, arrow.BINARY:
		offs, data := binaryOffsets[int32](a)
		return func(dst []byte, i int) []byte { return appendEscaped(dst, data[offs[i]:offs[i+1]]) }, nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		offs, data := binaryOffsets[int64](a)
		return func(dst []byte, i int) []byte { return appendEscaped(dst, data[offs[i]:offs[i+1]]) }, nil
	}
	return nil, errs.Internalf("%s: cannot order by %s", name, a.DataType())
}

func signedKey[T int8 | int16 | int32 | int64](vals []T) func([]byte, int) []byte {
	return func(dst []byte, i int) []byte {
		return binary.BigEndian.AppendUint64(dst, uint64(int64(vals[i]))^(1<<63))
	}
}

func unsignedKey[T uint8 | uint16 | uint32 | uint64](vals []T) func([]byte, int) []byte {
	return func(dst []byte, i int) []byte { return binary.BigEndian.AppendUint64(dst, uint64(vals[i])) }
}

// floatKey maps a float64 to a uint64 of the same order: negative numbers have all bits
// flipped, others the sign bit set; -0 becomes 0 and every NaN one NaN above +Inf.
func floatKey(v float64) uint64 {
	switch {
	case v == 0:
		v = 0
	case v != v:
		v = math.NaN()
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// appendEscaped appends v with 0x00 escaped as 0x00 0xFF, then the terminator 0x00 0x00.
func appendEscaped(dst, v []byte) []byte {
	for _, c := range v {
		dst = append(dst, c)
		if c == 0 {
			dst = append(dst, 0xFF)
		}
	}
	return append(dst, 0, 0)
}

// ---------------------------------------------------------------------------------------
// Collected rows.

// groupRuns orders n collected entries by group with a counting sort: the entries of group
// g are perm[start[g]:start[g+1]], in their original order. O(n + numGroups) time, 4n + 8
// numGroups bytes.
func groupRuns(groups []uint32, numGroups int) (start []int, perm []int32, err error) {
	if len(groups) > math.MaxInt32 {
		return nil, nil, errs.ResourceExhaustedf("aggregate holds %d values, more than %d", len(groups), math.MaxInt32)
	}
	start = make([]int, numGroups+1)
	for _, g := range groups {
		start[g+1]++
	}
	for g := range numGroups {
		start[g+1] += start[g]
	}
	next := append([]int(nil), start[:numGroups]...)
	perm = make([]int32, len(groups))
	for i, g := range groups {
		perm[next[g]] = int32(i)
		next[g]++
	}
	return start, perm, nil
}

// int32Offsets returns a buffer of the offsets start (which must end at most at
// math.MaxInt32) as int32s, the layout of a list or string column.
func int32Offsets(mem memory.Allocator, start []int) *memory.Buffer {
	b := newBuffer(mem, 4*len(start))
	offs := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b.Bytes()))), len(start))
	for i, s := range start {
		offs[i] = int32(s)
	}
	return b
}

// listArray wraps child (consumed) in a non-NULL LIST column whose row g holds
// child[start[g]:start[g+1]]; start must end at most at math.MaxInt32.
func listArray(mem memory.Allocator, child arrow.Array, start []int) arrow.Array {
	offs := int32Offsets(mem, start)
	data := array.NewData(arrow.ListOf(child.DataType()), len(start)-1, []*memory.Buffer{nil, offs},
		[]arrow.ArrayData{child.Data()}, 0, 0)
	offs.Release()
	child.Release()
	defer data.Release()
	return array.MakeFromData(data)
}

// listRows returns the offsets (absolute into the child, len rows+1) and the child of a
// LIST state column, checking its element type.
func listRows(name string, a arrow.Array, elem arrow.DataType) ([]int32, arrow.Array, error) {
	l, ok := a.(*array.List)
	if !ok || !arrow.TypeEqual(l.DataType().(*arrow.ListType).Elem(), elem) {
		return nil, nil, errs.Internalf("%s: state column has type %s, want list<%s>", name, a.DataType(), elem)
	}
	return l.Offsets(), l.ListValues(), nil
}

// stringColumn returns a VARCHAR column of n copies of s, or of n NULLs when !valid.
func stringColumn(name string, mem memory.Allocator, n int, s string, valid bool) (arrow.Array, error) {
	if !valid {
		s = ""
	}
	if int64(n)*int64(len(s)) > math.MaxInt32 {
		return nil, errs.ResourceExhaustedf("%s: %d copies of a %d-byte string exceed one VARCHAR column", name, n, len(s))
	}
	start := make([]int, n+1)
	for g := range n {
		start[g+1] = start[g] + len(s)
	}
	offs := int32Offsets(mem, start)
	data := newBuffer(mem, n*len(s))
	for g := range n {
		copy(data.Bytes()[g*len(s):], s)
	}
	vb, nulls := validityBuffer(mem, n, func(int) bool { return valid })
	return makeArray(arrow.BinaryTypes.String, n, nulls, vb, offs, data), nil
}
