package udf

import (
	"context"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// Nested types and the array and vector functions.
//
// ARRAY<T> is an Arrow list (int32 offsets) whose element field is always the nullable
// "item": two ARRAY<T> of the same T are always arrow.TypeEqual, whoever built them.
// VECTOR(n) is an Arrow FixedSizeList<float32>[n] with a non-nullable element: its elements
// are never NULL, and the n slots of a NULL vector hold zeros when Ember built it, so a
// vector column is one contiguous float32 slice (VectorValues).
//
// Every function reads ARRAY and VECTOR arguments alike through ListOffsets (row i's
// elements are child[offs[i]:offs[i+1]]), and computes over the offsets and the child
// array in whole-batch loops or arrow's take kernel: no value is boxed per row. A NULL
// argument gives NULL unless said otherwise.
//
//	array(x, ...)               ARRAY<T>, T the common type of the arguments (the binder
//	                            unifies them as CASE results); array() is ARRAY<NULL>
//	element_at(a, i)            the element type; 1-based, negative i counts from the end,
//	                            NULL when i is 0 or out of range (Spark with ANSI off, DuckDB)
//	size, cardinality,          BIGINT number of elements (a NULL array gives NULL, as
//	array_length(a)             DuckDB and Spark's ANSI mode; not Spark's legacy -1)
//	array_contains(a, x)        BOOLEAN: true when an element equals x; else NULL when an
//	                            element is NULL (as x IN (...)); else false (Spark)
//	array_position(a, x)        BIGINT 1-based position of the first element equal to x, 0
//	                            when there is none (Spark)
//	array_join(a, sep[, null])  VARCHAR: the elements cast to VARCHAR, joined by sep; NULL
//	                            elements are skipped, or replaced by the third argument (Spark)
//	array_sum, array_avg,       the aggregate of the elements, typed as sum, avg, min and
//	array_min, array_max(a)     max; NULL for an empty array or one of NULLs only
//	vector(x, ...)              VECTOR(n) of numbers and vectors (vector.go)
//	vector_dims(v)              BIGINT n of a VECTOR(n)

// registerArrayFunctions registers the array and vector functions.
func registerArrayFunctions(r *Registry) {
	r.RegisterScalar(arrayFunc{})
	r.RegisterScalar(elementAtFunc{})
	for _, name := range []string{"size", "cardinality", "array_length"} {
		r.RegisterScalar(sizeFunc{name: name})
	}
	r.RegisterScalar(sizeFunc{name: "vector_dims", vectorOnly: true})
	r.RegisterScalar(containsFunc{name: "array_contains"})
	r.RegisterScalar(containsFunc{name: "array_position", position: true})
	r.RegisterScalar(arrayJoinFunc{})
	r.RegisterScalar(arrayAggFunc{name: "array_sum", agg: sumFunc{}})
	r.RegisterScalar(arrayAggFunc{name: "array_avg", agg: avgFunc{}})
	r.RegisterScalar(arrayAggFunc{name: "array_min", agg: minMaxFunc{name: "min"}})
	r.RegisterScalar(arrayAggFunc{name: "array_max", agg: minMaxFunc{name: "max", isMax: true}})
	r.RegisterScalar(vectorFunc{})
}

// ---------------------------------------------------------------------------------------
// Types.

// ArrayOf returns ARRAY<elem>, the canonical list type (its element may be NULL).
func ArrayOf(elem arrow.DataType) arrow.DataType { return arrow.ListOf(elem) }

// VectorOf returns VECTOR(n), the canonical fixed-size float32 vector type.
func VectorOf(n int32) arrow.DataType {
	return arrow.FixedSizeListOfNonNullable(n, arrow.PrimitiveTypes.Float32)
}

// IsArray reports whether t is an ARRAY (an Arrow list with int32 offsets).
func IsArray(t arrow.DataType) bool { return t != nil && t.ID() == arrow.LIST }

// IsVector reports whether t is a VECTOR(n): a fixed-size list of float32.
func IsVector(t arrow.DataType) bool {
	f, ok := t.(*arrow.FixedSizeListType)
	return ok && f.Elem().ID() == arrow.FLOAT32
}

// ElemType returns the element type of an ARRAY or VECTOR type (FLOAT for vectors), nil for
// any other type.
func ElemType(t arrow.DataType) arrow.DataType {
	if IsArray(t) || IsVector(t) {
		return t.(arrow.ListLikeType).Elem()
	}
	return nil
}

// VectorDims returns n of a VECTOR(n) type, 0 for any other type.
func VectorDims(t arrow.DataType) int {
	if !IsVector(t) {
		return 0
	}
	return int(t.(*arrow.FixedSizeListType).Len())
}

// ListOffsets returns the element bounds of the rows of an ARRAY or VECTOR array a: row i's
// elements are child[offs[i]:offs[i+1]], for NULL rows too (whose range need not be empty:
// callers check a's validity). For an ARRAY offs aliases a's offsets buffer (read only); for
// a VECTOR it is computed, len(a)+1 int32s. ok is false for any other type.
func ListOffsets(a arrow.Array) (offs []int32, child arrow.Array, ok bool) {
	switch x := a.(type) {
	case *array.List:
		off := x.Data().Offset()
		return x.Offsets()[off : off+x.Len()+1], x.ListValues(), true
	case *array.FixedSizeList:
		size := int32(x.DataType().(*arrow.FixedSizeListType).Len())
		offs = make([]int32, x.Len()+1)
		base := int32(x.Data().Offset()) * size
		for i := range offs {
			offs[i] = base + int32(i)*size
		}
		return offs, x.ListValues(), true
	}
	return nil, nil, false
}

// VectorValues returns the elements of a VECTOR(n) array as one contiguous float32 slice,
// aliasing the array's buffer (read only, valid while a is retained): row i is
// vals[i*n:(i+1)*n]. NULL rows hold whatever the producer put there (zeros when Ember built
// the array); check a.IsNull(i). O(1), no copy. The error is for an array of another type.
func VectorValues(a *array.FixedSizeList) (vals []float32, n int, err error) {
	if !IsVector(a.DataType()) {
		return nil, 0, errs.Internalf("VectorValues of a %s array", TypeName(a.DataType()))
	}
	n = VectorDims(a.DataType())
	child := a.ListValues()
	if a.Len() == 0 || n == 0 {
		return nil, n, nil
	}
	all := rawValues[float32](child)
	start := a.Data().Offset() * n
	if start+a.Len()*n > len(all) {
		return nil, 0, errs.Internalf("vector array of %d rows has only %d elements", a.Len(), len(all))
	}
	return all[start : start+a.Len()*n], n, nil
}

// ---------------------------------------------------------------------------------------
// Argument coercion.

// ArgUnifier is implemented by scalar functions some of whose argument types must first meet
// in one type (array(1, 2.5), array_contains(a, '3')). udf has no implicit-cast rules of its
// own: the binder finds the common type by its rules for CASE results, or for comparison
// operands when compare is set, casts those arguments to it, and then calls ReturnType with
// the new types. A position -1-i stands for the element type of the ARRAY or VECTOR argument
// i, which is then cast to ARRAY<common type> when its element type differs. (Fixed casts,
// such as array_join's elements to VARCHAR, use the binder's CastArgs convention instead.)
type ArgUnifier interface {
	UnifyArgs(args []arrow.DataType) (positions []int, compare bool)
}

// ---------------------------------------------------------------------------------------
// Shared helpers.

// listArg checks that argument i of a call is an ARRAY or VECTOR (or a bare NULL when
// nullOK) and returns its element type (nil for NULL).
func listArg(name string, args []arrow.DataType, i int, nullOK bool) (arrow.DataType, error) {
	t := args[i]
	if e := ElemType(t); e != nil {
		return e, nil
	}
	if nullOK && t.ID() == arrow.NULL {
		return nil, nil
	}
	return nil, errs.Planf("%s: argument %d must be an ARRAY or VECTOR, got %s", name, i+1, TypeName(t))
}

func argCount(name string, args []arrow.DataType, lo, hi int) error {
	if len(args) >= lo && len(args) <= hi {
		return nil
	}
	switch {
	case lo == hi && lo == 1:
		return errs.Planf("%s takes 1 argument, got %d", name, len(args))
	case lo == hi:
		return errs.Planf("%s takes %d arguments, got %d", name, lo, len(args))
	}
	return errs.Planf("%s takes %d to %d arguments, got %d", name, lo, hi, len(args))
}

// rowValid reports whether row i of a is non-NULL (a NULL-typed array has no valid row).
func rowValid(a arrow.Array, i int) bool {
	return a.DataType().ID() != arrow.NULL && a.IsValid(i)
}

// intArg reads an integer (or NULL-typed) argument as int64 values and a validity function.
func intArg(a arrow.Array) ([]int64, error) {
	n := a.Len()
	out := make([]int64, n)
	switch x := a.(type) {
	case *array.Null:
	case *array.Int8:
		for i, v := range x.Int8Values() {
			out[i] = int64(v)
		}
	case *array.Int16:
		for i, v := range x.Int16Values() {
			out[i] = int64(v)
		}
	case *array.Int32:
		for i, v := range x.Int32Values() {
			out[i] = int64(v)
		}
	case *array.Int64:
		copy(out, x.Int64Values())
	case *array.Uint8:
		for i, v := range x.Uint8Values() {
			out[i] = int64(v)
		}
	case *array.Uint16:
		for i, v := range x.Uint16Values() {
			out[i] = int64(v)
		}
	case *array.Uint32:
		for i, v := range x.Uint32Values() {
			out[i] = int64(v)
		}
	case *array.Uint64:
		for i, v := range x.Uint64Values() {
			out[i] = int64(min(v, math.MaxInt64))
		}
	default:
		return nil, errs.Internalf("expected an integer array, got %s", TypeName(a.DataType()))
	}
	return out, nil
}

// takeElements gathers child[idx[i]] (NULL where !valid[i]) with arrow's take kernel: any
// element type, one pass. The result is owned by the caller.
func takeElements(ctx context.Context, mem memory.Allocator, child arrow.Array, idx []int32, valid []bool) (arrow.Array, error) {
	if child.DataType().ID() == arrow.NULL {
		return array.NewNull(len(idx)), nil
	}
	ib := array.NewInt32Builder(mem)
	defer ib.Release()
	ib.AppendValues(idx, valid)
	ia := ib.NewInt32Array()
	defer ia.Release()
	out, err := compute.TakeArray(compute.WithAllocator(ctx, mem), child, ia)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "take")
	}
	return out, nil
}

// newListArray assembles an ARRAY of n rows from its offsets (n+1 values), validity (nil:
// no NULLs) and child, which it retains (the caller keeps its own reference).
func newListArray(mem memory.Allocator, n int, offs []int32, valid []bool, child arrow.Array) arrow.Array {
	ob := newBuffer(mem, (n+1)*arrow.Int32SizeBytes)
	copy(arrow.Int32Traits.CastFromBytes(ob.Bytes()), offs)
	vb, nulls := validityFromBools(mem, valid)
	data := array.NewData(ArrayOf(child.DataType()), n, []*memory.Buffer{vb, ob}, []arrow.ArrayData{child.Data()}, nulls, 0)
	ob.Release()
	if vb != nil {
		vb.Release()
	}
	out := array.MakeFromData(data)
	data.Release()
	return out
}

// validityFromBools turns a per-row validity slice into a bitmap (nil when valid is nil or
// all true) and its NULL count.
func validityFromBools(mem memory.Allocator, valid []bool) (*memory.Buffer, int) {
	if valid == nil {
		return nil, 0
	}
	return validityBuffer(mem, len(valid), func(i int) bool { return valid[i] })
}

// ---------------------------------------------------------------------------------------
// array(x, ...)

type arrayFunc struct{}

func (arrayFunc) Name() string           { return "array" }
func (arrayFunc) Volatility() Volatility { return Immutable }
func (arrayFunc) Doc() string {
	return "array(x, ...): an ARRAY of the arguments, brought to their common type."
}

func (arrayFunc) UnifyArgs(args []arrow.DataType) ([]int, bool) {
	all := make([]int, len(args))
	for i := range all {
		all[i] = i
	}
	return all, false
}

func (arrayFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if len(args) == 0 {
		return ArrayOf(arrow.Null), nil
	}
	for _, t := range args[1:] {
		if !arrow.TypeEqual(t, args[0]) {
			return nil, errs.Planf("array: elements of types %s and %s have no common type", TypeName(args[0]), TypeName(t))
		}
	}
	return ArrayOf(args[0]), nil
}

// Eval interleaves the k arguments: row i is [args[0][i], ..., args[k-1][i]], gathered by
// one take over the concatenated arguments. O(n·k).
func (arrayFunc) Eval(ctx context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	k := len(args)
	if int64(n)*int64(k) > math.MaxInt32 {
		return nil, errs.ResourceExhaustedf("array: %d rows of %d elements exceed 2^31 elements in one batch", n, k)
	}
	offs := make([]int32, n+1)
	for i := range offs {
		offs[i] = int32(i * k)
	}
	var child arrow.Array
	switch {
	case k == 0:
		child = array.NewNull(0)
	case args[0].DataType().ID() == arrow.NULL:
		child = array.NewNull(n * k)
	default:
		all, err := array.Concatenate(args, mem)
		if err != nil {
			return nil, errs.Wrap(errs.ErrInternal, err, "array")
		}
		defer all.Release()
		idx := make([]int32, n*k)
		for i := 0; i < n; i++ {
			for j := 0; j < k; j++ {
				idx[i*k+j] = int32(j*n + i)
			}
		}
		if child, err = takeElements(ctx, mem, all, idx, nil); err != nil {
			return nil, err
		}
	}
	defer child.Release()
	return newListArray(mem, n, offs, nil, child), nil
}

// ---------------------------------------------------------------------------------------
// element_at(a, i)

type elementAtFunc struct{}

func (elementAtFunc) Name() string           { return "element_at" }
func (elementAtFunc) Volatility() Volatility { return Immutable }
func (elementAtFunc) Doc() string {
	return "element_at(a, i): element i of an ARRAY or VECTOR, 1-based; negative i counts from the end; NULL when out of range."
}

func (f elementAtFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if err := argCount("element_at", args, 2, 2); err != nil {
		return nil, err
	}
	elem, err := listArg("element_at", args, 0, true)
	if err != nil {
		return nil, err
	}
	if !isIntegerID(args[1].ID()) && args[1].ID() != arrow.NULL {
		return nil, errs.Planf("element_at: the index must be an integer, got %s", TypeName(args[1]))
	}
	if elem == nil {
		return arrow.Null, nil
	}
	return elem, nil
}

// Eval computes one child index per row (O(n)) and gathers them with one take.
func (elementAtFunc) Eval(ctx context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	offs, child, ok := ListOffsets(args[0])
	if !ok {
		return array.NewNull(n), nil // element_at(NULL, i)
	}
	ks, err := intArg(args[1])
	if err != nil {
		return nil, err
	}
	idx := make([]int32, n)
	valid := make([]bool, n)
	for r := 0; r < n; r++ {
		if !rowValid(args[0], r) || !rowValid(args[1], r) {
			continue
		}
		start, end, k := int64(offs[r]), int64(offs[r+1]), ks[r]
		switch {
		case k > 0 && k <= end-start:
			idx[r], valid[r] = int32(start+k-1), true
		case k < 0 && -k <= end-start:
			idx[r], valid[r] = int32(end+k), true
		}
	}
	return takeElements(ctx, mem, child, idx, valid)
}

// ---------------------------------------------------------------------------------------
// size(a), cardinality(a), array_length(a), vector_dims(v)

type sizeFunc struct {
	name       string
	vectorOnly bool
}

func (f sizeFunc) Name() string         { return f.name }
func (sizeFunc) Volatility() Volatility { return Immutable }
func (f sizeFunc) Doc() string {
	if f.vectorOnly {
		return f.name + "(v): the number of dimensions n of a VECTOR(n), as BIGINT."
	}
	return f.name + "(a): the number of elements of an ARRAY or VECTOR, as BIGINT."
}

func (f sizeFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if err := argCount(f.name, args, 1, 1); err != nil {
		return nil, err
	}
	if f.vectorOnly && !IsVector(args[0]) && args[0].ID() != arrow.NULL {
		return nil, errs.Planf("%s: the argument must be a VECTOR, got %s", f.name, TypeName(args[0]))
	}
	if _, err := listArg(f.name, args, 0, true); err != nil {
		return nil, err
	}
	return int64Type, nil
}

func (sizeFunc) Eval(_ context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	offs, _, ok := ListOffsets(args[0])
	if !ok {
		return array.NewNull(n), nil
	}
	sizes := make([]int64, n)
	for i := range sizes {
		sizes[i] = int64(offs[i+1] - offs[i])
	}
	return fixedArray(mem, int64Type, sizes, func(i int) bool { return rowValid(args[0], i) }), nil
}

// ---------------------------------------------------------------------------------------
// array_contains(a, x), array_position(a, x)

type containsFunc struct {
	name     string
	position bool
}

func (f containsFunc) Name() string         { return f.name }
func (containsFunc) Volatility() Volatility { return Immutable }
func (f containsFunc) Doc() string {
	if f.position {
		return "array_position(a, x): the 1-based position of the first element of a equal to x, 0 when none is."
	}
	return "array_contains(a, x): whether an element of a equals x (NULL when none does but one is NULL)."
}

// UnifyArgs brings the element type and x to one type, as the operands of x = element.
func (f containsFunc) UnifyArgs(args []arrow.DataType) ([]int, bool) {
	if len(args) != 2 || ElemType(args[0]) == nil {
		return nil, false // ReturnType reports it
	}
	return []int{-1, 1}, true
}

func (f containsFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if err := argCount(f.name, args, 2, 2); err != nil {
		return nil, err
	}
	elem, err := listArg(f.name, args, 0, true)
	if err != nil {
		return nil, err
	}
	if elem != nil && args[1].ID() != arrow.NULL && !arrow.TypeEqual(elem, args[1]) {
		return nil, errs.Planf("%s: cannot look for %s in %s", f.name, TypeName(args[1]), TypeName(args[0]))
	}
	if f.position {
		return int64Type, nil
	}
	return arrow.FixedWidthTypes.Boolean, nil
}

// Eval scans each row's elements with a typed equality (one type switch per batch).
// O(total elements).
func (f containsFunc) Eval(_ context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	offs, child, ok := ListOffsets(args[0])
	resType := arrow.DataType(arrow.FixedWidthTypes.Boolean)
	if f.position {
		resType = int64Type
	}
	if !ok || args[1].DataType().ID() == arrow.NULL || child.DataType().ID() == arrow.NULL {
		if ok && f.position && args[1].DataType().ID() != arrow.NULL {
			// ARRAY<NULL>: no element equals anything.
			return fixedArray(mem, int64Type, make([]int64, n), func(i int) bool { return rowValid(args[0], i) && rowValid(args[1], i) }), nil
		}
		return nullOf(mem, resType, n)
	}
	eq, err := equalFunc(child, args[1])
	if err != nil {
		return nil, err
	}
	pos := make([]int64, n)
	valid := make([]bool, n)
	for r := 0; r < n; r++ {
		if !args[0].IsValid(r) || !args[1].IsValid(r) {
			continue
		}
		valid[r] = true
		sawNull := false
		for j := int(offs[r]); j < int(offs[r+1]); j++ {
			if child.IsNull(j) {
				sawNull = true
				continue
			}
			if eq(j, r) {
				pos[r] = int64(j-int(offs[r])) + 1
				break
			}
		}
		if !f.position && pos[r] == 0 && sawNull {
			valid[r] = false
		}
	}
	isValid := func(i int) bool { return valid[i] }
	if f.position {
		return fixedArray(mem, int64Type, pos, isValid), nil
	}
	bits := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	bm := bits.Bytes()
	clear(bm)
	for i, p := range pos {
		if p > 0 {
			bitutil.SetBit(bm, i)
		}
	}
	vb, nulls := validityBuffer(mem, n, isValid)
	return makeArray(resType, n, nulls, vb, bits), nil
}

// nullOf returns n NULLs of type t (BOOLEAN or a fixed-width type).
func nullOf(mem memory.Allocator, t arrow.DataType, n int) (arrow.Array, error) {
	b := array.NewBuilder(mem, t)
	defer b.Release()
	b.AppendNulls(n)
	return b.NewArray(), nil
}

// equalFunc returns eq(j, r): whether non-NULL element j of child equals non-NULL row r of x,
// which has child's type. Floats compare as IEEE numbers (NaN equals nothing).
func equalFunc(child, x arrow.Array) (func(j, r int) bool, error) {
	switch child.DataType().ID() {
	case arrow.BOOL:
		c, v := child.(*array.Boolean), x.(*array.Boolean)
		return func(j, r int) bool { return c.Value(j) == v.Value(r) }, nil
	case arrow.INT8, arrow.UINT8:
		return eqFixed[uint8](child, x), nil
	case arrow.INT16, arrow.UINT16:
		return eqFixed[uint16](child, x), nil
	case arrow.INT32, arrow.UINT32, arrow.DATE32:
		return eqFixed[uint32](child, x), nil
	case arrow.INT64, arrow.UINT64, arrow.TIMESTAMP, arrow.DATE64:
		return eqFixed[uint64](child, x), nil
	case arrow.FLOAT32:
		return eqFixed[float32](child, x), nil
	case arrow.FLOAT64:
		return eqFixed[float64](child, x), nil
	case arrow.DECIMAL128:
		return eqFixed[decimal128.Num](child, x), nil
	case arrow.STRING, arrow.BINARY:
		co, cd := binaryOffsets[int32](child)
		xo, xd := binaryOffsets[int32](x)
		return func(j, r int) bool { return string(cd[co[j]:co[j+1]]) == string(xd[xo[r]:xo[r+1]]) }, nil
	}
	return nil, errs.NotImplementedf("comparing elements of type %s", TypeName(child.DataType()))
}

func eqFixed[T comparable](child, x arrow.Array) func(j, r int) bool {
	c, v := rawValues[T](child), rawValues[T](x)
	return func(j, r int) bool { return c[j] == v[r] }
}

// ---------------------------------------------------------------------------------------
// array_join(a, sep[, nullReplacement])

type arrayJoinFunc struct{}

func (arrayJoinFunc) Name() string           { return "array_join" }
func (arrayJoinFunc) Volatility() Volatility { return Immutable }
func (arrayJoinFunc) Doc() string {
	return "array_join(a, sep[, null_replacement]): the elements of a as text, joined by sep; NULL elements are skipped or replaced."
}

func (arrayJoinFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if err := argCount("array_join", args, 2, 3); err != nil {
		return nil, err
	}
	if _, err := listArg("array_join", args, 0, true); err != nil {
		return nil, err
	}
	return arrow.BinaryTypes.String, nil
}

// CastArgs has the binder cast the elements, the separator and the replacement to VARCHAR
// (after ReturnType accepted the arguments), so that Eval sees strings.
func (arrayJoinFunc) CastArgs(args []arrow.DataType) []arrow.DataType {
	to := make([]arrow.DataType, len(args))
	for i, t := range args {
		switch {
		case i == 0 && (t.ID() == arrow.NULL || arrow.TypeEqual(t, ArrayOf(arrow.BinaryTypes.String))):
		case i == 0:
			to[i] = ArrayOf(arrow.BinaryTypes.String)
		case t.ID() != arrow.STRING && t.ID() != arrow.NULL:
			to[i] = arrow.BinaryTypes.String
		}
	}
	return to
}

func (arrayJoinFunc) Eval(_ context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	b := array.NewStringBuilder(mem)
	defer b.Release()
	offs, child, ok := ListOffsets(args[0])
	if !ok || args[1].DataType().ID() == arrow.NULL {
		b.AppendNulls(n)
		return b.NewArray(), nil
	}
	sep := args[1].(*array.String)
	var elems *array.String
	if child.DataType().ID() == arrow.STRING {
		elems = child.(*array.String)
	}
	var rep *array.String
	if len(args) == 3 {
		if args[2].DataType().ID() == arrow.NULL {
			b.AppendNulls(n)
			return b.NewArray(), nil
		}
		rep = args[2].(*array.String)
	}
	var sb []byte
	for r := 0; r < n; r++ {
		if !args[0].IsValid(r) || !sep.IsValid(r) || (rep != nil && !rep.IsValid(r)) {
			b.AppendNull()
			continue
		}
		sb = sb[:0]
		first := true
		for j := int(offs[r]); j < int(offs[r+1]); j++ {
			var s string
			switch {
			case elems != nil && elems.IsValid(j):
				s = elems.Value(j)
			case rep != nil:
				s = rep.Value(r)
			default:
				continue
			}
			if !first {
				sb = append(sb, sep.Value(r)...)
			}
			first = false
			sb = append(sb, s...)
		}
		b.BinaryBuilder.Append(sb)
	}
	return b.NewArray(), nil
}

// ---------------------------------------------------------------------------------------
// array_sum, array_avg, array_min, array_max

// arrayAggFunc computes an aggregate over each row's elements by running the aggregate's
// grouped accumulator with group = row: one Update over the whole child array, so the
// aggregate's types, overflow checks and NULL handling are the aggregate's own.
type arrayAggFunc struct {
	name string
	agg  AggregateFunction
}

func (f arrayAggFunc) Name() string         { return f.name }
func (arrayAggFunc) Volatility() Volatility { return Immutable }
func (f arrayAggFunc) Doc() string {
	return f.name + "(a): " + f.agg.Name() + " of the elements of an ARRAY or VECTOR; NULL when it has no non-NULL element."
}

func (f arrayAggFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if err := argCount(f.name, args, 1, 1); err != nil {
		return nil, err
	}
	elem, err := listArg(f.name, args, 0, true)
	if err != nil {
		return nil, err
	}
	if elem == nil {
		elem = arrow.Null
	}
	t, err := f.agg.ReturnType([]arrow.DataType{elem})
	if err != nil {
		return nil, errs.Planf("%s: %s does not accept elements of type %s", f.name, f.agg.Name(), TypeName(elem))
	}
	return t, nil
}

// Eval: elements of NULL rows (whose range is normally empty) go to an extra group n that
// is dropped. O(total elements).
func (f arrayAggFunc) Eval(_ context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error) {
	offs, child, ok := ListOffsets(args[0])
	if !ok {
		child = array.NewNull(0)
		defer child.Release()
		offs = make([]int32, n+1)
	}
	acc, err := f.agg.NewAccumulator([]arrow.DataType{child.DataType()}, mem)
	if err != nil {
		return nil, err
	}
	defer acc.Release()
	lo, hi := int(offs[0]), int(offs[n])
	groups := make([]uint32, hi-lo)
	for r := 0; r < n; r++ {
		g := uint32(r)
		if !rowValid(args[0], r) {
			g = uint32(n)
		}
		for j := int(offs[r]); j < int(offs[r+1]); j++ {
			groups[j-lo] = g
		}
	}
	part := array.NewSlice(child, int64(lo), int64(hi))
	defer part.Release()
	if err := acc.Update([]arrow.Array{part}, groups, n+1); err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "%s", f.name)
	}
	res, err := acc.Final(n + 1)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "%s", f.name)
	}
	defer res.Release()
	return array.NewSlice(res, 0, int64(n)), nil
}
