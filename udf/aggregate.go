package udf

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// The built-in aggregates: count, sum, avg, min, max. Each is an AggregateFunction whose
// GroupAccumulator keeps one slot per group in Go slices indexed by group id and folds whole
// batches in tight per-type loops (one type switch per batch, none per row; no per-row
// allocation). DISTINCT is the caller's business: exec deduplicates before these run.
//
// Types (Ember's SQL types are Arrow types, see sql/planner/types.go):
//
//	count(*), count(x, ...)  BIGINT, never NULL; counts rows where every argument is non-NULL
//	sum(integer)             BIGINT, overflow is an execution error
//	sum(FLOAT|DOUBLE)        DOUBLE
//	sum(DECIMAL(p,s))        DECIMAL(min(p+22,38),s) (MySQL's), exact; a sum beyond that
//	                         precision is an execution error
//	avg(integer)             DECIMAL(d+4,4), d the type's digits (INT: DECIMAL(14,4), MySQL's)
//	avg(DECIMAL(p,s))        DECIMAL(min(p+4,38),min(s+4,38)), rounded half away from zero
//	avg(FLOAT|DOUBLE)        DOUBLE
//	min, max                 the input type: BOOLEAN, integers, FLOAT, DOUBLE, DECIMAL,
//	                         VARCHAR, binary, DATE, TIME, TIMESTAMP
//
// sum, avg, min and max return NULL for a group without a non-NULL input. A bare NULL
// argument (type NULL) is accepted: sum and avg give DOUBLE, min and max NULL. Floating
// min and max order NaN above every other value, as Spark and PostgreSQL do.

// registerAggregates registers the built-in aggregate functions.
func registerAggregates(r *Registry) {
	r.RegisterAggregate(countFunc{})
	r.RegisterAggregate(sumFunc{})
	r.RegisterAggregate(avgFunc{})
	r.RegisterAggregate(minMaxFunc{name: "min"})
	r.RegisterAggregate(minMaxFunc{name: "max", isMax: true})
}

var (
	int64Type   arrow.DataType = arrow.PrimitiveTypes.Int64
	float64Type arrow.DataType = arrow.PrimitiveTypes.Float64
)

// decimalType is DECIMAL(38,s).
func decimalType(s int32) *arrow.Decimal128Type {
	return &arrow.Decimal128Type{Precision: decimal128.MaxPrecision, Scale: s}
}

// decimalOf is DECIMAL(min(p,38),min(s,38)).
func decimalOf(p, s int32) *arrow.Decimal128Type {
	return &arrow.Decimal128Type{Precision: min(p, decimal128.MaxPrecision), Scale: min(s, decimal128.MaxScale)}
}

// integerDigits is the number of decimal digits of the widest value of an integer type.
func integerDigits(id arrow.Type) int32 {
	switch id {
	case arrow.INT8, arrow.UINT8:
		return 3
	case arrow.INT16, arrow.UINT16:
		return 5
	case arrow.INT32, arrow.UINT32:
		return 10
	case arrow.UINT64:
		return 20
	}
	return 19
}

func isIntegerID(id arrow.Type) bool {
	switch id {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

func oneArg(name string, args []arrow.DataType) (arrow.DataType, error) {
	if len(args) != 1 {
		return nil, errs.Planf("%s takes exactly 1 argument, got %d", name, len(args))
	}
	return args[0], nil
}

func rejectType(name string, t arrow.DataType) error {
	return errs.Planf("%s does not accept %s", name, TypeName(t))
}

// ---------------------------------------------------------------------------------------
// Shared helpers: reading Arrow buffers and building result arrays.

// rawValues returns the fixed-width values of a's rows as a []T (T must have the type's
// width), honouring a's offset, without copying.
func rawValues[T any](a arrow.Array) []T {
	d := a.Data()
	n := d.Len()
	if n == 0 {
		return nil
	}
	buf := d.Buffers()[1].Bytes()
	base := (*T)(unsafe.Pointer(unsafe.SliceData(buf)))
	return unsafe.Slice(base, d.Offset()+n)[d.Offset():]
}

// validityOf returns a's validity bitmap and bit offset, or nil when a has no NULLs.
func validityOf(a arrow.Array) ([]byte, int) {
	if a.NullN() == 0 {
		return nil, 0
	}
	return a.Data().Buffers()[0].Bytes(), a.Data().Offset()
}

// binaryOffsets returns the offsets (absolute into data, len rows+1) and data of a string
// or binary array of either offset width.
func binaryOffsets[O int32 | int64](a arrow.Array) ([]O, []byte) {
	d := a.Data()
	if d.Len() == 0 {
		return nil, nil
	}
	base := (*O)(unsafe.Pointer(unsafe.SliceData(d.Buffers()[1].Bytes())))
	offs := unsafe.Slice(base, d.Offset()+d.Len()+1)[d.Offset():]
	var data []byte
	if b := d.Buffers()[2]; b != nil {
		data = b.Bytes()
	}
	return offs, data
}

// skipBatch checks the batch shape and reports whether it holds no non-NULL value (which
// covers arrays of type NULL, whose rows are all NULL but carry no bitmap).
func skipBatch(name string, a arrow.Array, groups []uint32) (bool, error) {
	if a.Len() != len(groups) {
		return false, errs.Internalf("%s: argument has %d rows, groups %d", name, a.Len(), len(groups))
	}
	return a.NullN() == a.Len(), nil
}

func checkArgs(name string, args []arrow.Array, want int) error {
	if len(args) != want {
		return errs.Internalf("%s: accumulator got %d arrays, expected %d", name, len(args), want)
	}
	return nil
}

// extend returns s grown to length n, new elements set to fill.
func extend[T any](s []T, n int, fill T) []T {
	old := len(s)
	if n <= old {
		return s
	}
	if n > cap(s) {
		ns := make([]T, old, max(n, 2*cap(s)))
		copy(ns, s)
		s = ns
	}
	s = s[:n]
	for i := old; i < n; i++ {
		s[i] = fill
	}
	return s
}

func newBuffer(mem memory.Allocator, size int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(size)
	return b
}

// validityBuffer returns a bitmap with bit g set where valid(g), and the NULL count; nil
// when nothing is NULL.
func validityBuffer(mem memory.Allocator, n int, valid func(g int) bool) (*memory.Buffer, int) {
	nulls := 0
	for g := range n {
		if !valid(g) {
			nulls++
		}
	}
	if nulls == 0 {
		return nil, 0
	}
	b := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	bm := b.Bytes()
	clear(bm)
	for g := range n {
		if valid(g) {
			bitutil.SetBit(bm, g)
		}
	}
	return b, nulls
}

func makeArray(dt arrow.DataType, n, nulls int, bufs ...*memory.Buffer) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	a := array.MakeFromData(data)
	data.Release()
	return a
}

// fixedArray copies vals (one per group) into a new array of type dt, whose values must be
// T-sized; valid(g) false makes group g NULL.
func fixedArray[T any](mem memory.Allocator, dt arrow.DataType, vals []T, valid func(g int) bool) arrow.Array {
	n := len(vals)
	var z T
	size := n * int(unsafe.Sizeof(z))
	data := newBuffer(mem, size)
	if n > 0 {
		copy(data.Bytes(), unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(vals))), size))
	}
	vb, nulls := validityBuffer(mem, n, valid)
	return makeArray(dt, n, nulls, vb, data)
}

func overflowError(name string, t arrow.DataType) error {
	return errs.Execf("%s overflows %s", name, TypeName(t))
}

// ---------------------------------------------------------------------------------------
// count

type countFunc struct{}

func (countFunc) Name() string { return "count" }

func (countFunc) ReturnType([]arrow.DataType) (arrow.DataType, error) { return int64Type, nil }

func (countFunc) Volatility() Volatility { return Immutable }

func (countFunc) Doc() string {
	return "count(*) counts rows; count(x, ...) counts rows where every argument is non-NULL. " +
		"Returns BIGINT, 0 for an empty group."
}

func (countFunc) StateTypes([]arrow.DataType) ([]arrow.DataType, error) {
	return []arrow.DataType{int64Type}, nil
}

func (countFunc) NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error) {
	return &countAcc{mem: mem, nargs: len(args)}, nil
}

// countAcc keeps one int64 per group. Memory: 8 bytes per group.
type countAcc struct {
	mem     memory.Allocator
	nargs   int
	counts  []int64
	bitmaps []bitmapAt // per-batch scratch: validity bitmaps of the arguments with NULLs
}

type bitmapAt struct {
	bits []byte
	off  int
}

func (a *countAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	if err := checkArgs("count", args, a.nargs); err != nil {
		return err
	}
	a.counts = extend(a.counts, numGroups, 0)
	counts := a.counts
	if len(args) == 0 {
		for _, g := range groups {
			counts[g]++
		}
		return nil
	}
	bms := a.bitmaps[:0]
	for _, c := range args {
		if skip, err := skipBatch("count", c, groups); err != nil || skip {
			return err
		}
		if valid, off := validityOf(c); valid != nil {
			bms = append(bms, bitmapAt{valid, off})
		}
	}
	a.bitmaps = bms
	switch len(bms) {
	case 0:
		for _, g := range groups {
			counts[g]++
		}
	case 1:
		valid, off := bms[0].bits, bms[0].off
		for i, g := range groups {
			if bitutil.BitIsSet(valid, off+i) {
				counts[g]++
			}
		}
	default:
	rows:
		for i, g := range groups {
			for _, b := range bms {
				if bitutil.BitIsNotSet(b.bits, b.off+i) {
					continue rows
				}
			}
			counts[g]++
		}
	}
	return nil
}

func (a *countAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if err := checkArgs("count", states, 1); err != nil {
		return err
	}
	a.counts = extend(a.counts, numGroups, 0)
	return addCounts("count", states[0], groups, a.counts)
}

// addCounts adds an Int64 count column into counts[groups[i]]; NULL counts as 0.
func addCounts(name string, c arrow.Array, groups []uint32, counts []int64) error {
	if skip, err := skipBatch(name, c, groups); err != nil || skip {
		return err
	}
	if c.DataType().ID() != arrow.INT64 {
		return errs.Internalf("%s: count state has type %s", name, c.DataType())
	}
	vals := rawValues[int64](c)
	valid, off := validityOf(c)
	for i, g := range groups {
		if valid == nil || bitutil.BitIsSet(valid, off+i) {
			counts[g] += vals[i]
		}
	}
	return nil
}

func (a *countAcc) State(numGroups int) ([]arrow.Array, error) {
	f, err := a.Final(numGroups)
	if err != nil {
		return nil, err
	}
	return []arrow.Array{f}, nil
}

func (a *countAcc) Final(numGroups int) (arrow.Array, error) {
	a.counts = extend(a.counts, numGroups, 0)
	return fixedArray(a.mem, int64Type, a.counts[:numGroups], func(int) bool { return true }), nil
}

func (a *countAcc) Release() { a.counts = nil }

// ---------------------------------------------------------------------------------------
// sum and avg

type sumFunc struct{}

func (sumFunc) Name() string { return "sum" }

func (sumFunc) Volatility() Volatility { return Immutable }

func (sumFunc) Doc() string {
	return "sum(x) adds the non-NULL values of x: integers give BIGINT (overflow is an error), " +
		"FLOAT and DOUBLE give DOUBLE, DECIMAL(p,s) gives an exact DECIMAL(min(p+22,38),s) as in MySQL " +
		"(a sum beyond it is an error). NULL for a group without non-NULL values."
}

func (f sumFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	t, err := oneArg("sum", args)
	if err != nil {
		return nil, err
	}
	switch {
	case isIntegerID(t.ID()):
		return int64Type, nil
	case t.ID() == arrow.FLOAT32, t.ID() == arrow.FLOAT64, t.ID() == arrow.NULL:
		return float64Type, nil
	case t.ID() == arrow.DECIMAL128:
		dt := t.(*arrow.Decimal128Type)
		return decimalOf(dt.Precision+22, dt.Scale), nil
	}
	return nil, rejectType("sum", t)
}

// StateTypes is the running sum, in the result type (DECIMAL(38,s) for DECIMAL, so that a
// partition's sum may pass the result's precision); NULL while no value was seen.
func (f sumFunc) StateTypes(args []arrow.DataType) ([]arrow.DataType, error) {
	t, err := f.ReturnType(args)
	if err != nil {
		return nil, err
	}
	if dt, ok := t.(*arrow.Decimal128Type); ok {
		t = decimalType(dt.Scale)
	}
	return []arrow.DataType{t}, nil
}

func (f sumFunc) NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error) {
	t, err := f.ReturnType(args)
	if err != nil {
		return nil, err
	}
	switch tt := t.(type) {
	case *arrow.Decimal128Type:
		return &decimalSumAcc{mem: mem, name: "sum", scale: tt.Scale, outType: tt}, nil
	}
	if t.ID() == arrow.FLOAT64 {
		return &floatSumAcc{mem: mem, name: "sum"}, nil
	}
	return &intSumAcc{mem: mem}, nil
}

type avgFunc struct{}

func (avgFunc) Name() string { return "avg" }

func (avgFunc) Volatility() Volatility { return Immutable }

func (avgFunc) Doc() string {
	return "avg(x) is the mean of the non-NULL values of x, with MySQL's types: integers of d digits " +
		"give DECIMAL(d+4,4) (INT: DECIMAL(14,4)), DECIMAL(p,s) gives DECIMAL(p+4,s+4) (at most 38), " +
		"rounded half away from zero; FLOAT and DOUBLE give DOUBLE. NULL for a group without non-NULL " +
		"values."
}

func (avgFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	t, err := oneArg("avg", args)
	if err != nil {
		return nil, err
	}
	switch {
	case isIntegerID(t.ID()):
		return decimalOf(integerDigits(t.ID())+4, 4), nil
	case t.ID() == arrow.FLOAT32, t.ID() == arrow.FLOAT64, t.ID() == arrow.NULL:
		return float64Type, nil
	case t.ID() == arrow.DECIMAL128:
		dt := t.(*arrow.Decimal128Type)
		return decimalOf(dt.Precision+4, dt.Scale+4), nil
	}
	return nil, rejectType("avg", t)
}

// avgInput returns the scale of the exact running sum (0 for integers) and whether the
// input is exact at all (integer or decimal).
func avgInput(t arrow.DataType) (scale int32, exact bool) {
	if dt, ok := t.(*arrow.Decimal128Type); ok {
		return dt.Scale, true
	}
	return 0, isIntegerID(t.ID())
}

// StateTypes is the running sum (DECIMAL(38,s) for exact inputs, DOUBLE otherwise) and the
// non-NULL count (BIGINT). Neither is NULL.
func (f avgFunc) StateTypes(args []arrow.DataType) ([]arrow.DataType, error) {
	if _, err := f.ReturnType(args); err != nil {
		return nil, err
	}
	if s, exact := avgInput(args[0]); exact {
		return []arrow.DataType{decimalType(s), int64Type}, nil
	}
	return []arrow.DataType{float64Type, int64Type}, nil
}

func (f avgFunc) NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error) {
	t, err := f.ReturnType(args)
	if err != nil {
		return nil, err
	}
	if s, exact := avgInput(args[0]); exact {
		return &decimalSumAcc{mem: mem, name: "avg", avg: true, scale: s, outType: t.(*arrow.Decimal128Type)}, nil
	}
	return &floatSumAcc{mem: mem, name: "avg", avg: true}, nil
}

// intSumAcc is sum over integers: an int64 sum and a non-NULL count per group (16 bytes).
type intSumAcc struct {
	mem    memory.Allocator
	sums   []int64
	counts []int64
}

func (a *intSumAcc) grow(n int) {
	a.sums = extend(a.sums, n, 0)
	a.counts = extend(a.counts, n, 0)
}

func (a *intSumAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	if err := checkArgs("sum", args, 1); err != nil {
		return err
	}
	a.grow(numGroups)
	c := args[0]
	if skip, err := skipBatch("sum", c, groups); err != nil || skip {
		return err
	}
	valid, off := validityOf(c)
	switch c.DataType().ID() {
	case arrow.INT8:
		return sumInts(rawValues[int8](c), valid, off, groups, a.sums, a.counts)
	case arrow.INT16:
		return sumInts(rawValues[int16](c), valid, off, groups, a.sums, a.counts)
	case arrow.INT32:
		return sumInts(rawValues[int32](c), valid, off, groups, a.sums, a.counts)
	case arrow.INT64:
		return sumInts(rawValues[int64](c), valid, off, groups, a.sums, a.counts)
	case arrow.UINT8:
		return sumInts(rawValues[uint8](c), valid, off, groups, a.sums, a.counts)
	case arrow.UINT16:
		return sumInts(rawValues[uint16](c), valid, off, groups, a.sums, a.counts)
	case arrow.UINT32:
		return sumInts(rawValues[uint32](c), valid, off, groups, a.sums, a.counts)
	case arrow.UINT64:
		vals := rawValues[uint64](c)
		for i, v := range vals {
			if v > math.MaxInt64 && (valid == nil || bitutil.BitIsSet(valid, off+i)) {
				return overflowError("sum", int64Type)
			}
		}
		return sumInts(vals, valid, off, groups, a.sums, a.counts)
	}
	return errs.Internalf("sum: unexpected input type %s", c.DataType())
}

// sumInts adds vals into sums[groups[i]] with overflow checks, counting non-NULL values.
// uint64 values must have been checked to fit int64.
func sumInts[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](vals []T, valid []byte, off int, groups []uint32, sums, counts []int64) error {
	vals = vals[:len(groups)]
	for i, g := range groups {
		if valid != nil && bitutil.BitIsNotSet(valid, off+i) {
			continue
		}
		v := int64(vals[i])
		s := sums[g]
		r := s + v
		if (s^r)&(v^r) < 0 {
			return overflowError("sum", int64Type)
		}
		sums[g] = r
		counts[g]++
	}
	return nil
}

// Merge adds partial sums; the state is the same column as an Update argument.
func (a *intSumAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.Update(states, groups, numGroups)
}

func (a *intSumAcc) State(numGroups int) ([]arrow.Array, error) {
	f, err := a.Final(numGroups)
	if err != nil {
		return nil, err
	}
	return []arrow.Array{f}, nil
}

func (a *intSumAcc) Final(numGroups int) (arrow.Array, error) {
	a.grow(numGroups)
	counts := a.counts
	return fixedArray(a.mem, int64Type, a.sums[:numGroups], func(g int) bool { return counts[g] > 0 }), nil
}

func (a *intSumAcc) Release() { a.sums, a.counts = nil, nil }

// floatSumAcc is sum and avg over FLOAT and DOUBLE: a float64 sum and a non-NULL count per
// group (16 bytes).
type floatSumAcc struct {
	mem    memory.Allocator
	name   string
	avg    bool
	sums   []float64
	counts []int64
}

func (a *floatSumAcc) grow(n int) {
	a.sums = extend(a.sums, n, 0)
	a.counts = extend(a.counts, n, 0)
}

func (a *floatSumAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	if err := checkArgs(a.name, args, 1); err != nil {
		return err
	}
	a.grow(numGroups)
	return a.add(args[0], groups, a.counts)
}

// add adds a float column into the sums, counting non-NULL values into counts (nil: no
// counting).
func (a *floatSumAcc) add(c arrow.Array, groups []uint32, counts []int64) error {
	if skip, err := skipBatch(a.name, c, groups); err != nil || skip {
		return err
	}
	valid, off := validityOf(c)
	switch c.DataType().ID() {
	case arrow.FLOAT32:
		sumFloats(rawValues[float32](c), valid, off, groups, a.sums, counts)
	case arrow.FLOAT64:
		sumFloats(rawValues[float64](c), valid, off, groups, a.sums, counts)
	default:
		return errs.Internalf("%s: unexpected input type %s", a.name, c.DataType())
	}
	return nil
}

func sumFloats[T float32 | float64](vals []T, valid []byte, off int, groups []uint32, sums []float64, counts []int64) {
	vals = vals[:len(groups)]
	for i, g := range groups {
		if valid != nil && bitutil.BitIsNotSet(valid, off+i) {
			continue
		}
		sums[g] += float64(vals[i])
		if counts != nil {
			counts[g]++
		}
	}
}

func (a *floatSumAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if !a.avg {
		return a.Update(states, groups, numGroups)
	}
	if err := checkArgs(a.name, states, 2); err != nil {
		return err
	}
	a.grow(numGroups)
	if err := a.add(states[0], groups, nil); err != nil {
		return err
	}
	return addCounts(a.name, states[1], groups, a.counts)
}

func (a *floatSumAcc) State(numGroups int) ([]arrow.Array, error) {
	a.grow(numGroups)
	if !a.avg {
		f, err := a.Final(numGroups)
		if err != nil {
			return nil, err
		}
		return []arrow.Array{f}, nil
	}
	all := func(int) bool { return true }
	return []arrow.Array{
		fixedArray(a.mem, float64Type, a.sums[:numGroups], all),
		fixedArray(a.mem, int64Type, a.counts[:numGroups], all),
	}, nil
}

func (a *floatSumAcc) Final(numGroups int) (arrow.Array, error) {
	a.grow(numGroups)
	counts := a.counts
	seen := func(g int) bool { return counts[g] > 0 }
	if !a.avg {
		return fixedArray(a.mem, float64Type, a.sums[:numGroups], seen), nil
	}
	means := make([]float64, numGroups)
	for g := range means {
		if counts[g] > 0 {
			means[g] = a.sums[g] / float64(counts[g])
		}
	}
	return fixedArray(a.mem, float64Type, means, seen), nil
}

func (a *floatSumAcc) Release() { a.sums, a.counts = nil, nil }

// decimalSumAcc is sum over DECIMAL and avg over integers and DECIMAL: an exact 128-bit
// sum at the input's scale and a non-NULL count per group (24 bytes). Sums may pass 38
// digits in between (only 128-bit overflow is an error while adding); State checks that
// they fit DECIMAL(38,s), Final that the result fits outType.
type decimalSumAcc struct {
	mem     memory.Allocator
	name    string
	avg     bool
	scale   int32                 // scale of the input and of the running sum
	outType *arrow.Decimal128Type // the result type
	sums    []decimal128.Num
	counts  []int64
}

func (a *decimalSumAcc) grow(n int) {
	a.sums = extend(a.sums, n, decimal128.Num{})
	a.counts = extend(a.counts, n, 0)
}

func (a *decimalSumAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	if err := checkArgs(a.name, args, 1); err != nil {
		return err
	}
	a.grow(numGroups)
	return a.add(args[0], groups, a.counts)
}

// add adds an integer or decimal column (at the accumulator's scale) into the sums,
// counting non-NULL values into counts (nil: no counting).
func (a *decimalSumAcc) add(c arrow.Array, groups []uint32, counts []int64) error {
	if skip, err := skipBatch(a.name, c, groups); err != nil || skip {
		return err
	}
	valid, off := validityOf(c)
	switch c.DataType().ID() {
	case arrow.DECIMAL128:
		if !sumDecimals(rawValues[decimal128.Num](c), valid, off, groups, a.sums, counts) {
			return overflowError(a.name, decimalType(a.scale))
		}
		return nil
	case arrow.INT8:
		sumIntsWide(rawValues[int8](c), valid, off, groups, a.sums, counts)
	case arrow.INT16:
		sumIntsWide(rawValues[int16](c), valid, off, groups, a.sums, counts)
	case arrow.INT32:
		sumIntsWide(rawValues[int32](c), valid, off, groups, a.sums, counts)
	case arrow.INT64:
		sumIntsWide(rawValues[int64](c), valid, off, groups, a.sums, counts)
	case arrow.UINT8:
		sumIntsWide(rawValues[uint8](c), valid, off, groups, a.sums, counts)
	case arrow.UINT16:
		sumIntsWide(rawValues[uint16](c), valid, off, groups, a.sums, counts)
	case arrow.UINT32:
		sumIntsWide(rawValues[uint32](c), valid, off, groups, a.sums, counts)
	case arrow.UINT64:
		vals := rawValues[uint64](c)[:len(groups)]
		for i, g := range groups {
			if valid != nil && bitutil.BitIsNotSet(valid, off+i) {
				continue
			}
			s := a.sums[g]
			lo, carry := bits.Add64(s.LowBits(), vals[i], 0)
			a.sums[g] = decimal128.New(s.HighBits()+int64(carry), lo)
			if counts != nil {
				counts[g]++
			}
		}
	default:
		return errs.Internalf("%s: unexpected input type %s", a.name, c.DataType())
	}
	return nil
}

// sumIntsWide adds integers into 128-bit sums. It cannot overflow: fewer than 2^63 values
// of magnitude below 2^64 sum to less than 2^127.
func sumIntsWide[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](vals []T, valid []byte, off int, groups []uint32, sums []decimal128.Num, counts []int64) {
	vals = vals[:len(groups)]
	for i, g := range groups {
		if valid != nil && bitutil.BitIsNotSet(valid, off+i) {
			continue
		}
		v := int64(vals[i])
		s := sums[g]
		lo, carry := bits.Add64(s.LowBits(), uint64(v), 0)
		sums[g] = decimal128.New(s.HighBits()+int64(carry)+(v>>63), lo)
		if counts != nil {
			counts[g]++
		}
	}
}

// sumDecimals adds decimals into 128-bit sums; false on signed 128-bit overflow.
func sumDecimals(vals []decimal128.Num, valid []byte, off int, groups []uint32, sums []decimal128.Num, counts []int64) bool {
	vals = vals[:len(groups)]
	for i, g := range groups {
		if valid != nil && bitutil.BitIsNotSet(valid, off+i) {
			continue
		}
		v, s := vals[i], sums[g]
		lo, carry := bits.Add64(s.LowBits(), v.LowBits(), 0)
		hi := s.HighBits() + v.HighBits() + int64(carry)
		if (s.HighBits()^hi)&(v.HighBits()^hi) < 0 {
			return false
		}
		sums[g] = decimal128.New(hi, lo)
		if counts != nil {
			counts[g]++
		}
	}
	return true
}

func (a *decimalSumAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	if !a.avg {
		return a.Update(states, groups, numGroups)
	}
	if err := checkArgs(a.name, states, 2); err != nil {
		return err
	}
	a.grow(numGroups)
	if err := a.add(states[0], groups, nil); err != nil {
		return err
	}
	return addCounts(a.name, states[1], groups, a.counts)
}

// sumArray returns the sums of groups 0..n-1 as t (of the running sum's scale), NULL where
// valid says so.
func (a *decimalSumAcc) sumArray(t *arrow.Decimal128Type, n int, valid func(g int) bool) (arrow.Array, error) {
	for g, s := range a.sums[:n] {
		if valid(g) && !s.FitsInPrecision(t.Precision) {
			return nil, overflowError(a.name, t)
		}
	}
	return fixedArray(a.mem, t, a.sums[:n], valid), nil
}

func (a *decimalSumAcc) State(numGroups int) ([]arrow.Array, error) {
	a.grow(numGroups)
	counts := a.counts
	if !a.avg {
		s, err := a.sumArray(decimalType(a.scale), numGroups, func(g int) bool { return counts[g] > 0 })
		if err != nil {
			return nil, err
		}
		return []arrow.Array{s}, nil
	}
	all := func(int) bool { return true }
	s, err := a.sumArray(decimalType(a.scale), numGroups, all)
	if err != nil {
		return nil, err
	}
	return []arrow.Array{s, fixedArray(a.mem, int64Type, counts[:numGroups], all)}, nil
}

func (a *decimalSumAcc) Final(numGroups int) (arrow.Array, error) {
	a.grow(numGroups)
	counts := a.counts
	seen := func(g int) bool { return counts[g] > 0 }
	t := a.outType
	if !a.avg {
		return a.sumArray(t, numGroups, seen)
	}
	means := make([]decimal128.Num, numGroups)
	for g := range means {
		if counts[g] == 0 {
			continue
		}
		m, ok := divRound(a.sums[g], t.Scale-a.scale, uint64(counts[g]))
		if !ok || !m.FitsInPrecision(t.Precision) {
			return nil, overflowError(a.name, t)
		}
		means[g] = m
	}
	return fixedArray(a.mem, t, means, seen), nil
}

func (a *decimalSumAcc) Release() { a.sums, a.counts = nil, nil }

// divRound returns n * 10^k / d rounded half away from zero, and false when the result
// does not fit 38 digits. 0 <= k <= 4 (avg's scale increase), d > 0. No allocation: 128-bit
// multiply by 10^k, then a two-step 128-by-64-bit long division.
func divRound(n decimal128.Num, k int32, d uint64) (decimal128.Num, bool) {
	neg := n.Sign() < 0
	if neg {
		n = n.Negate()
	}
	hi, lo := uint64(n.HighBits()), n.LowBits()
	if hi>>63 != 0 { // |n| == 2^127 cannot be negated; far beyond 38 digits anyway
		return decimal128.Num{}, false
	}
	if k > 0 {
		m := decimal128.GetScaleMultiplier(int(k)).LowBits()
		h1, l1 := bits.Mul64(lo, m)
		h2, l2 := bits.Mul64(hi, m)
		var carry uint64
		hi, carry = bits.Add64(l2, h1, 0)
		if h2 != 0 || carry != 0 || hi>>63 != 0 {
			return decimal128.Num{}, false
		}
		lo = l1
	}
	qhi, r := hi/d, hi%d
	qlo, r := bits.Div64(r, lo, d)
	if r >= d-r { // 2r >= d without overflow: round the half away from zero
		var carry uint64
		qlo, carry = bits.Add64(qlo, 1, 0)
		qhi += carry
	}
	q := decimal128.New(int64(qhi), qlo)
	if !q.FitsInPrecision(decimal128.MaxPrecision) {
		return decimal128.Num{}, false
	}
	if neg {
		q = q.Negate()
	}
	return q, true
}

// ---------------------------------------------------------------------------------------
// min and max

type minMaxFunc struct {
	name  string
	isMax bool
}

func (f minMaxFunc) Name() string { return f.name }

func (minMaxFunc) Volatility() Volatility { return Immutable }

func (f minMaxFunc) Doc() string {
	what := "smallest"
	if f.isMax {
		what = "largest"
	}
	return f.name + "(x) is the " + what + " non-NULL value of x, of x's type (numbers, DECIMAL, " +
		"VARCHAR and binary by bytes, BOOLEAN with false < true, DATE, TIME, TIMESTAMP; NaN above " +
		"every number). NULL for a group without non-NULL values."
}

func (f minMaxFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	t, err := oneArg(f.name, args)
	if err != nil {
		return nil, err
	}
	switch t.ID() {
	case arrow.NULL, arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL128, arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY,
		arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return t, nil
	}
	return nil, rejectType(f.name, t)
}

// StateTypes is the best value so far, in the input type; NULL while none was seen.
func (f minMaxFunc) StateTypes(args []arrow.DataType) ([]arrow.DataType, error) {
	t, err := f.ReturnType(args)
	if err != nil {
		return nil, err
	}
	return []arrow.DataType{t}, nil
}

func (f minMaxFunc) NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error) {
	t, err := f.ReturnType(args)
	if err != nil {
		return nil, err
	}
	b := minMaxBase{mem: mem, name: f.name, dt: t, isMax: f.isMax}
	switch t.ID() {
	case arrow.NULL:
		return &nullMinMaxAcc{b}, nil
	case arrow.BOOL:
		return &boolMinMaxAcc{minMaxBase: b}, nil
	case arrow.INT8:
		return newOrderedAcc[int8](b, math.MaxInt8, math.MinInt8), nil
	case arrow.INT16:
		return newOrderedAcc[int16](b, math.MaxInt16, math.MinInt16), nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return newOrderedAcc[int32](b, math.MaxInt32, math.MinInt32), nil
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return newOrderedAcc[int64](b, math.MaxInt64, math.MinInt64), nil
	case arrow.UINT8:
		return newOrderedAcc[uint8](b, math.MaxUint8, 0), nil
	case arrow.UINT16:
		return newOrderedAcc[uint16](b, math.MaxUint16, 0), nil
	case arrow.UINT32:
		return newOrderedAcc[uint32](b, math.MaxUint32, 0), nil
	case arrow.UINT64:
		return newOrderedAcc[uint64](b, math.MaxUint64, 0), nil
	case arrow.FLOAT32:
		return &floatMinMaxAcc[float32]{minMaxBase: b, init: identity(f.isMax, float32(math.NaN()), float32(math.Inf(-1)))}, nil
	case arrow.FLOAT64:
		return &floatMinMaxAcc[float64]{minMaxBase: b, init: identity(f.isMax, math.NaN(), math.Inf(-1))}, nil
	case arrow.DECIMAL128:
		top := decimal128.GetMaxValue(decimal128.MaxPrecision)
		return &decimalMinMaxAcc{minMaxBase: b, init: identity(f.isMax, top, top.Negate())}, nil
	}
	return &bytesMinMaxAcc{minMaxBase: b}, nil // STRING, BINARY and their large variants
}

// identity returns the starting value of a min (forMin) or max (forMax) fold.
func identity[T any](isMax bool, forMin, forMax T) T {
	if isMax {
		return forMax
	}
	return forMin
}

// minMaxBase is what every min/max accumulator shares. seen[g] says whether group g has a
// value; values start at the fold's identity (the type's largest value for min, smallest
// for max), so the update loops need no "first value" branch.
type minMaxBase struct {
	mem   memory.Allocator
	name  string
	dt    arrow.DataType
	isMax bool
	seen  []bool
}

func (b *minMaxBase) check(args []arrow.Array, groups []uint32) (skip bool, err error) {
	if err := checkArgs(b.name, args, 1); err != nil {
		return false, err
	}
	return skipBatch(b.name, args[0], groups)
}

func (b *minMaxBase) state(final arrow.Array, err error) ([]arrow.Array, error) {
	if err != nil {
		return nil, err
	}
	return []arrow.Array{final}, nil
}

// orderedAcc is min/max over integers, dates, times and timestamps (T is the physical
// type). Memory: sizeof(T)+1 bytes per group.
type orderedAcc[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64] struct {
	minMaxBase
	init T
	vals []T
}

func newOrderedAcc[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64](b minMaxBase, forMin, forMax T) *orderedAcc[T] {
	return &orderedAcc[T]{minMaxBase: b, init: identity(b.isMax, forMin, forMax)}
}

func (a *orderedAcc[T]) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	a.vals = extend(a.vals, numGroups, a.init)
	a.seen = extend(a.seen, numGroups, false)
	if skip, err := a.check(args, groups); err != nil || skip {
		return err
	}
	in := rawValues[T](args[0])[:len(groups)]
	valid, off := validityOf(args[0])
	vals, seen := a.vals, a.seen
	if a.isMax {
		for i, g := range groups {
			if valid == nil || bitutil.BitIsSet(valid, off+i) {
				if v := in[i]; v > vals[g] {
					vals[g] = v
				}
				seen[g] = true
			}
		}
		return nil
	}
	for i, g := range groups {
		if valid == nil || bitutil.BitIsSet(valid, off+i) {
			if v := in[i]; v < vals[g] {
				vals[g] = v
			}
			seen[g] = true
		}
	}
	return nil
}

func (a *orderedAcc[T]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.Update(states, groups, numGroups)
}

func (a *orderedAcc[T]) State(numGroups int) ([]arrow.Array, error) {
	return a.state(a.Final(numGroups))
}

func (a *orderedAcc[T]) Final(numGroups int) (arrow.Array, error) {
	a.vals = extend(a.vals, numGroups, a.init)
	a.seen = extend(a.seen, numGroups, false)
	seen := a.seen
	return fixedArray(a.mem, a.dt, a.vals[:numGroups], func(g int) bool { return seen[g] }), nil
}

func (a *orderedAcc[T]) Release() { a.vals, a.seen = nil, nil }

// floatMinMaxAcc is min/max over FLOAT and DOUBLE with NaN above every number (a NaN
// identity for min, -Inf for max).
type floatMinMaxAcc[T float32 | float64] struct {
	minMaxBase
	init T
	vals []T
}

// floatLess orders NaN above every number.
func floatLess[T float32 | float64](a, b T) bool {
	return a < b || (a == a && b != b)
}

func (a *floatMinMaxAcc[T]) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	a.vals = extend(a.vals, numGroups, a.init)
	a.seen = extend(a.seen, numGroups, false)
	if skip, err := a.check(args, groups); err != nil || skip {
		return err
	}
	in := rawValues[T](args[0])[:len(groups)]
	valid, off := validityOf(args[0])
	vals, seen, isMax := a.vals, a.seen, a.isMax
	for i, g := range groups {
		if valid == nil || bitutil.BitIsSet(valid, off+i) {
			v := in[i]
			if isMax && floatLess(vals[g], v) || !isMax && floatLess(v, vals[g]) {
				vals[g] = v
			}
			seen[g] = true
		}
	}
	return nil
}

func (a *floatMinMaxAcc[T]) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.Update(states, groups, numGroups)
}

func (a *floatMinMaxAcc[T]) State(numGroups int) ([]arrow.Array, error) {
	return a.state(a.Final(numGroups))
}

func (a *floatMinMaxAcc[T]) Final(numGroups int) (arrow.Array, error) {
	a.vals = extend(a.vals, numGroups, a.init)
	a.seen = extend(a.seen, numGroups, false)
	seen := a.seen
	return fixedArray(a.mem, a.dt, a.vals[:numGroups], func(g int) bool { return seen[g] }), nil
}

func (a *floatMinMaxAcc[T]) Release() { a.vals, a.seen = nil, nil }

// decimalMinMaxAcc is min/max over DECIMAL (17 bytes per group).
type decimalMinMaxAcc struct {
	minMaxBase
	init decimal128.Num
	vals []decimal128.Num
}

func (a *decimalMinMaxAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	a.vals = extend(a.vals, numGroups, a.init)
	a.seen = extend(a.seen, numGroups, false)
	if skip, err := a.check(args, groups); err != nil || skip {
		return err
	}
	in := rawValues[decimal128.Num](args[0])[:len(groups)]
	valid, off := validityOf(args[0])
	vals, seen, isMax := a.vals, a.seen, a.isMax
	for i, g := range groups {
		if valid == nil || bitutil.BitIsSet(valid, off+i) {
			v := in[i]
			if isMax && vals[g].Less(v) || !isMax && v.Less(vals[g]) {
				vals[g] = v
			}
			seen[g] = true
		}
	}
	return nil
}

func (a *decimalMinMaxAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.Update(states, groups, numGroups)
}

func (a *decimalMinMaxAcc) State(numGroups int) ([]arrow.Array, error) {
	return a.state(a.Final(numGroups))
}

func (a *decimalMinMaxAcc) Final(numGroups int) (arrow.Array, error) {
	a.vals = extend(a.vals, numGroups, a.init)
	a.seen = extend(a.seen, numGroups, false)
	seen := a.seen
	return fixedArray(a.mem, a.dt, a.vals[:numGroups], func(g int) bool { return seen[g] }), nil
}

func (a *decimalMinMaxAcc) Release() { a.vals, a.seen = nil, nil }

// boolMinMaxAcc is min/max over BOOLEAN: min is AND, max is OR (false < true).
type boolMinMaxAcc struct {
	minMaxBase
	vals []bool
}

func (a *boolMinMaxAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	a.vals = extend(a.vals, numGroups, !a.isMax)
	a.seen = extend(a.seen, numGroups, false)
	if skip, err := a.check(args, groups); err != nil || skip {
		return err
	}
	c := args[0]
	bm, boff := c.Data().Buffers()[1].Bytes(), c.Data().Offset()
	valid, off := validityOf(c)
	vals, seen := a.vals, a.seen
	for i, g := range groups {
		if valid == nil || bitutil.BitIsSet(valid, off+i) {
			v := bitutil.BitIsSet(bm, boff+i)
			if a.isMax {
				vals[g] = vals[g] || v
			} else {
				vals[g] = vals[g] && v
			}
			seen[g] = true
		}
	}
	return nil
}

func (a *boolMinMaxAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.Update(states, groups, numGroups)
}

func (a *boolMinMaxAcc) State(numGroups int) ([]arrow.Array, error) {
	return a.state(a.Final(numGroups))
}

func (a *boolMinMaxAcc) Final(numGroups int) (arrow.Array, error) {
	a.vals = extend(a.vals, numGroups, !a.isMax)
	a.seen = extend(a.seen, numGroups, false)
	seen := a.seen
	data := newBuffer(a.mem, int(bitutil.BytesForBits(int64(numGroups))))
	clear(data.Bytes())
	for g, v := range a.vals[:numGroups] {
		if v {
			bitutil.SetBit(data.Bytes(), g)
		}
	}
	vb, nulls := validityBuffer(a.mem, numGroups, func(g int) bool { return seen[g] })
	return makeArray(a.dt, numGroups, nulls, vb, data), nil
}

func (a *boolMinMaxAcc) Release() { a.vals, a.seen = nil, nil }

// bytesMinMaxAcc is min/max over VARCHAR and binary, compared bytewise. Each group's best
// value lives in one growing byte buffer at buf[off[g]:off[g]+len[g]]: a better value
// overwrites the old one in place when it fits, else it is appended. The bytes it leaves
// behind are counted and the buffer is compacted once they outweigh the live bytes, so
// memory stays within about twice the live values (plus 12 bytes per group).
type bytesMinMaxAcc struct {
	minMaxBase
	buf     []byte
	off     []int
	lens    []int32 // -1: no value yet
	garbage int
}

func (a *bytesMinMaxAcc) grow(n int) {
	a.off = extend(a.off, n, 0)
	a.lens = extend(a.lens, n, -1)
}

func (a *bytesMinMaxAcc) Update(args []arrow.Array, groups []uint32, numGroups int) error {
	a.grow(numGroups)
	if skip, err := a.check(args, groups); err != nil || skip {
		return err
	}
	c := args[0]
	switch c.DataType().ID() {
	case arrow.STRING, arrow.BINARY:
		offs, data := binaryOffsets[int32](c)
		return foldBytes(a, offs, data, c, groups)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		offs, data := binaryOffsets[int64](c)
		return foldBytes(a, offs, data, c, groups)
	}
	return errs.Internalf("%s: unexpected input type %s", a.name, c.DataType())
}

func foldBytes[O int32 | int64](a *bytesMinMaxAcc, offs []O, data []byte, c arrow.Array, groups []uint32) error {
	valid, voff := validityOf(c)
	for i, g := range groups {
		if valid != nil && bitutil.BitIsNotSet(valid, voff+i) {
			continue
		}
		v := data[offs[i]:offs[i+1]]
		l := a.lens[g]
		if l >= 0 {
			cur := a.buf[a.off[g] : a.off[g]+int(l)]
			if a.isMax && string(v) <= string(cur) || !a.isMax && string(v) >= string(cur) {
				continue
			}
		}
		if len(v) > math.MaxInt32 {
			return errs.Execf("%s: value of %d bytes is too long", a.name, len(v))
		}
		a.set(g, v)
	}
	if a.garbage > 1<<16 && a.garbage > len(a.buf)-a.garbage {
		a.compact()
	}
	return nil
}

func (a *bytesMinMaxAcc) set(g uint32, v []byte) {
	l := int(a.lens[g])
	if len(v) <= l {
		copy(a.buf[a.off[g]:], v)
		a.garbage += l - len(v)
	} else {
		if l > 0 {
			a.garbage += l
		}
		a.off[g] = len(a.buf)
		a.buf = append(a.buf, v...)
	}
	a.lens[g] = int32(len(v))
}

// compact copies the live values into a fresh buffer. Cost: O(live bytes + groups).
func (a *bytesMinMaxAcc) compact() {
	nb := make([]byte, 0, len(a.buf)-a.garbage)
	for g, l := range a.lens {
		if l >= 0 {
			o := a.off[g]
			a.off[g] = len(nb)
			nb = append(nb, a.buf[o:o+int(l)]...)
		}
	}
	a.buf, a.garbage = nb, 0
}

func (a *bytesMinMaxAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.Update(states, groups, numGroups)
}

func (a *bytesMinMaxAcc) State(numGroups int) ([]arrow.Array, error) {
	return a.state(a.Final(numGroups))
}

func (a *bytesMinMaxAcc) Final(numGroups int) (arrow.Array, error) {
	a.grow(numGroups)
	lens := a.lens[:numGroups]
	total := 0
	for _, l := range lens {
		total += max(int(l), 0)
	}
	large := a.dt.ID() == arrow.LARGE_STRING || a.dt.ID() == arrow.LARGE_BINARY
	if !large && total > math.MaxInt32 {
		return nil, errs.Execf("%s: %d bytes of results exceed the 2 GiB of one %s column", a.name, total, TypeName(a.dt))
	}
	width := 4
	if large {
		width = 8
	}
	offBuf := newBuffer(a.mem, width*(numGroups+1))
	dataBuf := newBuffer(a.mem, total)
	data := dataBuf.Bytes()
	pos := 0
	for g, l := range lens {
		if large {
			*(*int64)(unsafe.Pointer(&offBuf.Bytes()[8*g])) = int64(pos)
		} else {
			*(*int32)(unsafe.Pointer(&offBuf.Bytes()[4*g])) = int32(pos)
		}
		if l > 0 {
			pos += copy(data[pos:], a.buf[a.off[g]:a.off[g]+int(l)])
		}
	}
	if large {
		*(*int64)(unsafe.Pointer(&offBuf.Bytes()[8*numGroups])) = int64(pos)
	} else {
		*(*int32)(unsafe.Pointer(&offBuf.Bytes()[4*numGroups])) = int32(pos)
	}
	vb, nulls := validityBuffer(a.mem, numGroups, func(g int) bool { return lens[g] >= 0 })
	return makeArray(a.dt, numGroups, nulls, vb, offBuf, dataBuf), nil
}

func (a *bytesMinMaxAcc) Release() { a.buf, a.off, a.lens = nil, nil, nil }

// nullMinMaxAcc is min/max over a bare NULL argument: every result is NULL.
type nullMinMaxAcc struct{ minMaxBase }

func (a *nullMinMaxAcc) Update(args []arrow.Array, groups []uint32, _ int) error {
	_, err := a.check(args, groups)
	return err
}

func (a *nullMinMaxAcc) Merge(states []arrow.Array, groups []uint32, numGroups int) error {
	return a.Update(states, groups, numGroups)
}

func (a *nullMinMaxAcc) State(numGroups int) ([]arrow.Array, error) {
	return a.state(a.Final(numGroups))
}

func (a *nullMinMaxAcc) Final(numGroups int) (arrow.Array, error) {
	return array.NewNull(numGroups), nil
}

func (a *nullMinMaxAcc) Release() {}
