package udf

import (
	"context"
	"fmt"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// Generic scalar functions: a plain Go function becomes a vectorized ScalarFunction in one
// line,
//
//	hypot2 := udf.Scalar2("hypot2", func(a, b float64) float64 { return a*a + b*b },
//		udf.WithDoc("hypot2(a, b) is a² + b²."))
//
// Each parameter and the result is one of the Go types of Value, standing for one SQL
// type. A NULL argument makes the row NULL without calling the function. Eval reads the
// arguments' value buffers in place (a []float64 aliasing the Arrow buffer, a bitmap for
// BOOLEAN, the offsets and one string per batch for VARCHAR) and writes a typed buffer:
// nothing is boxed per row; the cost per row is about an indirect call. The Go function
// may run on several goroutines at once (partitions run in parallel): it must be safe for
// that.
//
// Binding follows the built-ins' convention (ReturnType checks, CastArgs names the casts
// the binder inserts): a BIGINT or INT parameter accepts any integer type, a DOUBLE or
// FLOAT parameter any integer, floating-point or DECIMAL type, a VARCHAR parameter any
// string type, a BOOLEAN parameter BOOLEAN only; a NULL literal fits anywhere. The casts are
// the binder's checked casts (an INT parameter given BIGINT 2^40 is an execution error).

// Value is the set of Go types a generic scalar function takes and returns: int64
// (BIGINT), int32 (INT), float64 (DOUBLE), float32 (FLOAT), bool (BOOLEAN) and string
// (VARCHAR).
type Value interface {
	int64 | int32 | float64 | float32 | bool | string
}

// Option configures a generic scalar function.
type Option func(*funcOptions)

type funcOptions struct {
	doc string
	vol Volatility
}

// WithDoc sets the function's Doc, the text SHOW FUNCTIONS and DESCRIBE FUNCTION print.
func WithDoc(doc string) Option { return func(o *funcOptions) { o.doc = doc } }

// WithVolatility sets the function's volatility (default Immutable: the optimizer may fold
// calls over constants). Use Volatile for functions with side effects or randomness.
func WithVolatility(v Volatility) Option { return func(o *funcOptions) { o.vol = v } }

// Scalar1 makes f a scalar function of one argument named name (lower-cased).
func Scalar1[A, R Value](name string, f func(A) R, opts ...Option) ScalarFunction {
	return newGoScalar(name, opts, func(args []arrow.Array, w *writer[R]) func(lo, hi int) error {
		a := newReader[A](args[0])
		return func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				if !w.skip(i) {
					w.set(i, f(a.at(i)))
				}
			}
			return nil
		}
	}, sqlTypeOf[A]())
}

// Scalar2 makes f a scalar function of two arguments.
func Scalar2[A, B, R Value](name string, f func(A, B) R, opts ...Option) ScalarFunction {
	return newGoScalar(name, opts, func(args []arrow.Array, w *writer[R]) func(lo, hi int) error {
		a, b := newReader[A](args[0]), newReader[B](args[1])
		return func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				if !w.skip(i) {
					w.set(i, f(a.at(i), b.at(i)))
				}
			}
			return nil
		}
	}, sqlTypeOf[A](), sqlTypeOf[B]())
}

// Scalar3 makes f a scalar function of three arguments.
func Scalar3[A, B, C, R Value](name string, f func(A, B, C) R, opts ...Option) ScalarFunction {
	return newGoScalar(name, opts, func(args []arrow.Array, w *writer[R]) func(lo, hi int) error {
		a, b, c := newReader[A](args[0]), newReader[B](args[1]), newReader[C](args[2])
		return func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				if !w.skip(i) {
					w.set(i, f(a.at(i), b.at(i), c.at(i)))
				}
			}
			return nil
		}
	}, sqlTypeOf[A](), sqlTypeOf[B](), sqlTypeOf[C]())
}

// Scalar1E is Scalar1 for a function that can fail: its first error stops the query with
// an execution error naming the function (errors of Ember's taxonomy keep their kind).
func Scalar1E[A, R Value](name string, f func(A) (R, error), opts ...Option) ScalarFunction {
	return newGoScalar(name, opts, func(args []arrow.Array, w *writer[R]) func(lo, hi int) error {
		a := newReader[A](args[0])
		return func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				if w.skip(i) {
					continue
				}
				v, err := f(a.at(i))
				if err != nil {
					return err
				}
				w.set(i, v)
			}
			return nil
		}
	}, sqlTypeOf[A]())
}

// Scalar2E is Scalar2 for a function that can fail (see Scalar1E).
func Scalar2E[A, B, R Value](name string, f func(A, B) (R, error), opts ...Option) ScalarFunction {
	return newGoScalar(name, opts, func(args []arrow.Array, w *writer[R]) func(lo, hi int) error {
		a, b := newReader[A](args[0]), newReader[B](args[1])
		return func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				if w.skip(i) {
					continue
				}
				v, err := f(a.at(i), b.at(i))
				if err != nil {
					return err
				}
				w.set(i, v)
			}
			return nil
		}
	}, sqlTypeOf[A](), sqlTypeOf[B]())
}

// Scalar3E is Scalar3 for a function that can fail (see Scalar1E).
func Scalar3E[A, B, C, R Value](name string, f func(A, B, C) (R, error), opts ...Option) ScalarFunction {
	return newGoScalar(name, opts, func(args []arrow.Array, w *writer[R]) func(lo, hi int) error {
		a, b, c := newReader[A](args[0]), newReader[B](args[1]), newReader[C](args[2])
		return func(lo, hi int) error {
			for i := lo; i < hi; i++ {
				if w.skip(i) {
					continue
				}
				v, err := f(a.at(i), b.at(i), c.at(i))
				if err != nil {
					return err
				}
				w.set(i, v)
			}
			return nil
		}
	}, sqlTypeOf[A](), sqlTypeOf[B](), sqlTypeOf[C]())
}

// goScalar is the ScalarFunction the generic helpers build. bind is called once per Eval
// with the (cast) argument arrays and the result's writer; it returns the loop that calls
// the Go function for rows [lo, hi) and writes the results, skipping the rows with a NULL
// argument (writer.skip). Eval runs that loop over chunks of rows, checking ctx between
// them, so the per-row path of fixed-width types has one indirect call, the Go function's
// (BOOLEAN and VARCHAR add one per argument and one for the result).
type goScalar[R Value] struct {
	name   string
	doc    string
	vol    Volatility
	params []arrow.DataType
	ret    arrow.DataType
	bind   func(args []arrow.Array, w *writer[R]) func(lo, hi int) error
}

// evalChunk is the number of rows between two checks of the context.
const evalChunk = 4096

func newGoScalar[R Value](name string, opts []Option, bind func([]arrow.Array, *writer[R]) func(lo, hi int) error, params ...arrow.DataType) *goScalar[R] {
	o := funcOptions{vol: Immutable}
	for _, opt := range opts {
		opt(&o)
	}
	return &goScalar[R]{name: strings.ToLower(name), doc: o.doc, vol: o.vol, params: params, ret: sqlTypeOf[R](), bind: bind}
}

func (g *goScalar[R]) Name() string           { return g.name }
func (g *goScalar[R]) Doc() string            { return g.doc }
func (g *goScalar[R]) Volatility() Volatility { return g.vol }

// Signature renders the SQL signature, e.g. hypot2(DOUBLE, DOUBLE) -> DOUBLE.
func (g *goScalar[R]) Signature() string {
	ps := make([]string, len(g.params))
	for i, p := range g.params {
		ps[i] = TypeName(p)
	}
	return fmt.Sprintf("%s(%s) -> %s", g.name, strings.Join(ps, ", "), TypeName(g.ret))
}

// ReturnType checks the number of arguments and that each can be cast to its parameter's
// type (see the top of the file); the error names the function, the argument's position
// and both types.
func (g *goScalar[R]) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	if err := checkArity(g.name, args, len(g.params), len(g.params)); err != nil {
		return nil, err
	}
	for i, t := range args {
		if !acceptsArg(g.params[i], t) {
			return nil, errs.Planf("%s: argument %d must be %s, got %s", g.name, i+1, TypeName(g.params[i]), TypeName(t))
		}
	}
	return g.ret, nil
}

// CastArgs returns the parameter type for each argument of another type (nil for one that
// already has it, and for a NULL-typed one, which Eval treats as all NULL).
func (g *goScalar[R]) CastArgs(args []arrow.DataType) []arrow.DataType {
	to := make([]arrow.DataType, len(args))
	for i, t := range args {
		if i < len(g.params) && t.ID() != arrow.NULL && !arrow.TypeEqual(t, g.params[i]) {
			to[i] = g.params[i]
		}
	}
	return to
}

// acceptsArg reports whether an argument of type t may be passed to a parameter of type p.
func acceptsArg(p, t arrow.DataType) bool {
	id := t.ID()
	if id == arrow.NULL || arrow.TypeEqual(p, t) {
		return true
	}
	switch p.ID() {
	case arrow.INT64, arrow.INT32:
		return isIntegerID(id)
	case arrow.FLOAT64, arrow.FLOAT32:
		return isNumericID(id) || id == arrow.DECIMAL256
	case arrow.STRING:
		return isStringID(id)
	}
	return false
}

// Eval runs the function over n rows. The arguments must have the parameter types (the
// binder casts them) or type NULL; they stay the caller's. The result is the caller's. A
// panic of the Go function becomes an execution error naming the function; ctx is checked
// every evalChunk rows.
func (g *goScalar[R]) Eval(ctx context.Context, mem memory.Allocator, args []arrow.Array, n int) (res arrow.Array, err error) {
	if len(args) != len(g.params) {
		return nil, errs.Internalf("%s: called with %d arguments, expected %d", g.name, len(args), len(g.params))
	}
	for i, a := range args {
		if a.Len() != n {
			return nil, errs.Internalf("%s: argument %d has %d rows, expected %d", g.name, i+1, a.Len(), n)
		}
		if a.DataType().ID() == arrow.NULL {
			return array.MakeArrayOfNull(mem, g.ret, n), nil
		}
		if !arrow.TypeEqual(a.DataType(), g.params[i]) {
			return nil, errs.Internalf("%s: argument %d is %s, expected %s", g.name, i+1, TypeName(a.DataType()), TypeName(g.params[i]))
		}
	}
	valid, nulls := andValidity(args, n)
	if nulls == n && n > 0 {
		return array.MakeArrayOfNull(mem, g.ret, n), nil
	}
	w := newWriter[R](mem, n, valid)
	defer func() {
		if r := recover(); r != nil {
			w.release()
			res, err = nil, errs.Execf("%s panicked: %v", g.name, r)
		}
	}()
	run := g.bind(args, w)
	for lo := 0; lo < n; lo += evalChunk {
		if err := ctx.Err(); err != nil {
			w.release()
			return nil, errs.Canceled(err)
		}
		if err := run(lo, min(lo+evalChunk, n)); err != nil {
			w.release()
			return nil, errs.Wrap(errs.ErrExecution, err, "%s", g.name)
		}
	}
	return w.finish(mem, g.ret, nulls), nil
}

// andValidity returns the bitmap of the rows where every argument is valid (nil when no
// argument has a NULL) and the number of NULL rows. O(n) per argument with NULLs.
func andValidity(args []arrow.Array, n int) ([]byte, int) {
	var bits []byte
	for _, a := range args {
		if a.NullN() == 0 {
			continue
		}
		src, off := a.NullBitmapBytes(), a.Data().Offset()
		if bits == nil {
			bits = make([]byte, bitutil.BytesForBits(int64(n)))
			bitutil.CopyBitmap(src, off, n, bits, 0)
			continue
		}
		for i := range n {
			if !bitutil.BitIsSet(src, off+i) {
				bitutil.ClearBit(bits, i)
			}
		}
	}
	if bits == nil {
		return nil, 0
	}
	return bits, n - bitutil.CountSetBits(bits, 0, n)
}

// ---------------------------------------------------------------------------------------
// Typed access to argument and result arrays.

type valueKind uint8

const (
	kindFixed valueKind = iota // int64, int32, float64, float32
	kindBool
	kindString
)

func kindOf[T Value]() valueKind {
	var z T
	switch any(z).(type) {
	case bool:
		return kindBool
	case string:
		return kindString
	}
	return kindFixed
}

// sqlTypeOf returns the Arrow type that stands for T.
func sqlTypeOf[T Value]() arrow.DataType {
	var z T
	switch any(z).(type) {
	case int64:
		return arrow.PrimitiveTypes.Int64
	case int32:
		return arrow.PrimitiveTypes.Int32
	case float64:
		return arrow.PrimitiveTypes.Float64
	case float32:
		return arrow.PrimitiveTypes.Float32
	case bool:
		return arrow.FixedWidthTypes.Boolean
	}
	return arrow.BinaryTypes.String
}

// reader reads one argument array of T's Arrow type. For the fixed-width types vals aliases
// the array's value buffer (from its offset); BOOLEAN and VARCHAR go through get.
type reader[T Value] struct {
	vals []T
	get  func(int) T
}

func (r *reader[T]) at(i int) T {
	if r.get == nil {
		return r.vals[i]
	}
	return r.get(i)
}

// newReader builds the reader of a (whose type is sqlTypeOf[T], checked by Eval). VARCHAR
// values are substrings of one string copied from the batch's data once, so a string the
// function keeps stays valid after the batch is released.
func newReader[T Value](a arrow.Array) reader[T] {
	d := a.Data()
	n, off := d.Len(), d.Offset()
	switch kindOf[T]() {
	case kindBool:
		var bits []byte
		if b := d.Buffers()[1]; b != nil {
			bits = b.Bytes()
		}
		get := func(i int) bool { return bits != nil && bitutil.BitIsSet(bits, off+i) }
		return reader[T]{get: any(get).(func(int) T)}
	case kindString:
		offs, data := binaryOffsets[int32](a)
		var s string
		var base int32
		if n > 0 && data != nil {
			base = offs[0]
			s = string(data[offs[0]:offs[n]])
		}
		get := func(i int) string {
			if s == "" {
				return ""
			}
			return s[offs[i]-base : offs[i+1]-base]
		}
		return reader[T]{get: any(get).(func(int) T)}
	}
	if b := d.Buffers()[1]; n > 0 && b != nil && b.Len() > 0 {
		base := (*T)(unsafe.Pointer(unsafe.SliceData(b.Bytes())))
		return reader[T]{vals: unsafe.Slice(base, off+n)[off:]}
	}
	return reader[T]{vals: make([]T, n)} // no value buffer: an all-NULL array
}

// writer builds a result of R's Arrow type row by row; rows are visited in order.
type writer[R Value] struct {
	kind  valueKind
	n     int
	valid []byte         // the rows where every argument is valid; nil: all
	data  *memory.Buffer // fixed-width values or the BOOLEAN value bitmap
	vals  []R
	bits  []byte
	sb    *array.StringBuilder
	setS  func(int, R) // BOOLEAN and VARCHAR
}

func newWriter[R Value](mem memory.Allocator, n int, valid []byte) *writer[R] {
	w := &writer[R]{kind: kindOf[R](), n: n, valid: valid}
	switch w.kind {
	case kindFixed:
		var z R
		w.data = newBuffer(mem, n*int(unsafe.Sizeof(z)))
		if n > 0 {
			w.vals = unsafe.Slice((*R)(unsafe.Pointer(unsafe.SliceData(w.data.Bytes()))), n)
			clear(w.vals)
		}
	case kindBool:
		w.data = newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
		w.bits = w.data.Bytes()
		clear(w.bits)
		set := func(i int, v bool) {
			if v {
				bitutil.SetBit(w.bits, i)
			}
		}
		w.setS = any(set).(func(int, R))
	case kindString:
		w.sb = array.NewStringBuilder(mem)
		w.sb.Reserve(n)
		set := func(_ int, v string) { w.sb.Append(v) }
		w.setS = any(set).(func(int, R))
	}
	return w
}

func (w *writer[R]) set(i int, v R) {
	if w.setS == nil {
		w.vals[i] = v
		return
	}
	w.setS(i, v)
}

// skip reports whether row i has a NULL argument, and then writes the NULL: only the
// string builder needs to hear of it (fixed-width and BOOLEAN values stay zero; the
// validity bitmap is the arguments').
func (w *writer[R]) skip(i int) bool {
	if w.valid == nil || bitutil.BitIsSet(w.valid, i) {
		return false
	}
	if w.sb != nil {
		w.sb.AppendNull()
	}
	return true
}

func (w *writer[R]) release() {
	if w.data != nil {
		w.data.Release()
		w.data = nil
	}
	if w.sb != nil {
		w.sb.Release()
		w.sb = nil
	}
}

// finish returns the result array (owned by the caller), NULL where an argument was.
func (w *writer[R]) finish(mem memory.Allocator, dt arrow.DataType, nulls int) arrow.Array {
	if w.sb != nil {
		out := w.sb.NewArray()
		w.sb.Release()
		w.sb = nil
		return out
	}
	var vb *memory.Buffer
	if w.valid != nil {
		vb = newBuffer(mem, len(w.valid))
		copy(vb.Bytes(), w.valid)
	}
	data := w.data
	w.data = nil
	return makeArray(dt, w.n, nulls, vb, data)
}
