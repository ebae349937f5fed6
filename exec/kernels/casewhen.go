package kernels

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// CaseWhen returns a new array of type out for a searched CASE: row i takes thens[k][i]
// for the first k whose conds[k][i] is true (a NULL condition is not taken), else els[i],
// or NULL when els is nil. conds are BOOLEAN (or NULL-typed); thens and els have type out
// (or are NULL-typed). Every branch has been evaluated in full by the caller; this kernel
// only selects. Two passes: the winning branch per row (an int32 per row, conditions
// scanned last to first so the first true one wins), then a typed gather.
// O(n · len(conds)).
func CaseWhen(mem memory.Allocator, conds []arrow.Array, thens []arrow.Array, els arrow.Array, out arrow.DataType) (arrow.Array, error) {
	if len(conds) != len(thens) {
		return nil, errs.Internalf("case: %d conditions for %d results", len(conds), len(thens))
	}
	srcs := append([]arrow.Array(nil), thens...)
	if els != nil {
		srcs = append(srcs, els)
	}
	if len(srcs) == 0 {
		return nil, errs.Internalf("case: no branches")
	}
	n := srcs[0].Len()
	if err := checkLen("case", n, append(srcs, conds...)...); err != nil {
		return nil, err
	}
	if err := checkBool("case", conds...); err != nil {
		return nil, err
	}
	for _, s := range srcs {
		if !isNullType(s) && !sameValueType(s.DataType(), out) {
			return nil, errs.Internalf("case: branch of type %s for result type %s",
				planner.TypeString(s.DataType()), planner.TypeString(out))
		}
	}
	choice := make([]int32, n)
	def := int32(-1)
	if els != nil {
		def = int32(len(thens))
	}
	for i := range choice {
		choice[i] = def
	}
	for k := len(conds) - 1; k >= 0; k-- {
		v, ok := boolBits(conds[k]), validBits(conds[k])
		for i := range choice {
			if v[i>>3]&(1<<(i&7)) != 0 && bitSet(ok, i) {
				choice[i] = int32(k)
			}
		}
	}
	switch out.ID() {
	case arrow.NULL:
		return array.NewNull(n), nil
	case arrow.BOOL:
		return gatherBool(mem, n, srcs, choice), nil
	case arrow.STRING:
		return gatherString(mem, n, srcs, choice), nil
	case arrow.LIST, arrow.FIXED_SIZE_LIST:
		return gatherNested(mem, out, n, srcs, choice) // list.go
	}
	fw, ok := out.(arrow.FixedWidthDataType)
	if !ok {
		return nil, errs.NotImplementedf("CASE with results of type %s", planner.TypeString(out))
	}
	switch fw.Bytes() {
	case 1:
		return gatherFixed[uint8](mem, out, n, srcs, choice), nil
	case 2:
		return gatherFixed[uint16](mem, out, n, srcs, choice), nil
	case 4:
		return gatherFixed[uint32](mem, out, n, srcs, choice), nil
	case 8:
		return gatherFixed[uint64](mem, out, n, srcs, choice), nil
	case 16:
		return gatherFixed[decimal128.Num](mem, out, n, srcs, choice), nil
	}
	return nil, errs.NotImplementedf("CASE with results of type %s", planner.TypeString(out))
}

// gatherFixed copies row i of srcs[choice[i]] for fixed-width values; only the width
// matters, so T is an unsigned integer (or a 16-byte decimal) of that width.
func gatherFixed[T arrow.FixedWidthType](mem memory.Allocator, dt arrow.DataType, n int, srcs []arrow.Array, choice []int32) arrow.Array {
	vals := make([][]T, len(srcs))
	valid := make([][]byte, len(srcs))
	for k, s := range srcs {
		valid[k] = validBits(s)
		if !isNullType(s) {
			vals[k] = values[T](s)
		}
	}
	buf, out := newValues[T](mem, n)
	vo := newValidOut(mem, n)
	var zero T
	for i := range out {
		c := choice[i]
		if c < 0 || !bitSet(valid[c], i) {
			out[i] = zero
			vo.setNull(i)
			continue
		}
		out[i] = vals[c][i]
	}
	return finish(dt, n, vo, buf)
}

func gatherBool(mem memory.Allocator, n int, srcs []arrow.Array, choice []int32) arrow.Array {
	vals := make([][]byte, len(srcs))
	valid := make([][]byte, len(srcs))
	for k, s := range srcs {
		vals[k], valid[k] = boolBits(s), validBits(s)
	}
	buf, out := newBitmap(mem, n)
	vo := newValidOut(mem, n)
	for i := 0; i < n; i++ {
		c := choice[i]
		if c < 0 || !bitSet(valid[c], i) {
			vo.setNull(i)
			continue
		}
		out[i>>3] |= (vals[c][i>>3] >> (i & 7) & 1) << (i & 7)
	}
	return finish(planner.Boolean, n, vo, buf)
}

func gatherString(mem memory.Allocator, n int, srcs []arrow.Array, choice []int32) arrow.Array {
	strs := make([]*array.String, len(srcs))
	valid := make([][]byte, len(srcs))
	for k, s := range srcs {
		valid[k] = validBits(s)
		strs[k], _ = s.(*array.String)
	}
	total := 0
	for i, c := range choice {
		if c >= 0 && bitSet(valid[c], i) {
			total += strs[c].ValueLen(i)
		}
	}
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.Reserve(n)
	b.ReserveData(total)
	for i, c := range choice {
		if c < 0 || !bitSet(valid[c], i) {
			b.AppendNull()
			continue
		}
		b.Append(strs[c].Value(i))
	}
	return b.NewArray()
}
