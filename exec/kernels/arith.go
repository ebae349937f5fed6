package kernels

import (
	"math"
	"math/big"
	"math/bits"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Arith returns a new array holding l op r for op in + - * / DIV %, of result type out.
// The binder has coerced the operands:
//   - BIGINT op BIGINT → BIGINT for + - * DIV %; overflow is an execution error.
//   - FLOAT/DOUBLE op the same type → that type; a non-finite result from finite operands is
//     an execution error (as MySQL and DuckDB), and DIV yields BIGINT (truncated).
//   - DECIMAL (or BIGINT, read as DECIMAL(19,0)) → DECIMAL(p,s) = out. Each operand keeps its
//     scale; the exact result is rounded half away from zero to out's scale, computed in
//     128-bit integers (math/big only when an intermediate exceeds 128 bits) and an
//     execution error when it does not fit out's precision. DIV on decimals yields BIGINT.
//
// Division and modulo by zero give NULL, as in MySQL. Rows where an operand is NULL are
// NULL and never raise errors. Inputs stay owned by the caller. O(n).
func Arith(mem memory.Allocator, op planner.BinaryOp, l, r arrow.Array, out arrow.DataType) (arrow.Array, error) {
	if !op.IsArithmetic() {
		return nil, errs.Internalf("arith: %q is not an arithmetic operator", op)
	}
	n := l.Len()
	if err := checkLen("arith", n, r); err != nil {
		return nil, err
	}
	if isNullType(l) || isNullType(r) {
		return allNull(mem, out, n)
	}
	lt, rt := l.DataType().ID(), r.DataType().ID()
	switch {
	case out.ID() == arrow.INT64 && lt == arrow.INT64 && rt == arrow.INT64 && op != planner.OpDiv:
		return arithInt64(mem, op, l, r)
	case out.ID() == arrow.INT64 && op == planner.OpIntDiv && lt == arrow.FLOAT64 && rt == arrow.FLOAT64:
		return floatIntDiv[float64](mem, l, r)
	case out.ID() == arrow.INT64 && op == planner.OpIntDiv && lt == arrow.FLOAT32 && rt == arrow.FLOAT32:
		return floatIntDiv[float32](mem, l, r)
	case out.ID() == arrow.INT64 && op == planner.OpIntDiv && decimalLike(lt) && decimalLike(rt):
		return decimalIntDiv(mem, l, r)
	case out.ID() == arrow.FLOAT64 && lt == arrow.FLOAT64 && rt == arrow.FLOAT64 && op != planner.OpIntDiv:
		return arithFloat[float64](mem, op, l, r, out)
	case out.ID() == arrow.FLOAT32 && lt == arrow.FLOAT32 && rt == arrow.FLOAT32 && op != planner.OpIntDiv:
		return arithFloat[float32](mem, op, l, r, out)
	case out.ID() == arrow.DECIMAL128 && decimalLike(lt) && decimalLike(rt) && op != planner.OpIntDiv:
		return arithDecimal(mem, op, l, r, out.(*arrow.Decimal128Type))
	}
	return nil, errs.Internalf("arith: no kernel for %s %s %s with result %s",
		planner.TypeString(l.DataType()), op, planner.TypeString(r.DataType()), planner.TypeString(out))
}

func decimalLike(id arrow.Type) bool { return id == arrow.DECIMAL128 || id == arrow.INT64 }

// ---- BIGINT ----

func arithInt64(mem memory.Allocator, op planner.BinaryOp, l, r arrow.Array) (arrow.Array, error) {
	n := l.Len()
	a, b := values[int64](l), values[int64](r)
	vo := newValidOut(mem, n, validBits(l), validBits(r))
	buf, out := newValues[int64](mem, n)
	var ovf bool
	switch op {
	case planner.OpAdd:
		ovf = addInt64(a, b, out)
	case planner.OpSub:
		ovf = subInt64(a, b, out)
	case planner.OpMul:
		ovf = mulInt64(a, b, out)
	case planner.OpIntDiv:
		ovf = divInt64(a, b, out, vo)
	case planner.OpMod:
		modInt64(a, b, out, vo)
	}
	if ovf {
		for i := range a {
			if vo.valid(i) && int64Overflows(op, a[i], b[i]) {
				vo.release()
				buf.Release()
				return nil, errs.Execf("bigint overflow in %d %s %d", a[i], op, b[i])
			}
		}
	}
	return finish(arrow.PrimitiveTypes.Int64, n, vo, buf), nil
}

// The loops below compute every row (NULL rows hold arbitrary values) and OR an overflow
// witness into an accumulator, so they stay branch-free; arithInt64 then looks for a valid
// row that overflowed.

func addInt64(a, b, out []int64) bool {
	b, out = b[:len(a)], out[:len(a)]
	var acc int64
	for i, x := range a {
		y := b[i]
		s := x + y
		out[i] = s
		acc |= (x ^ s) & (y ^ s)
	}
	return acc < 0
}

func subInt64(a, b, out []int64) bool {
	b, out = b[:len(a)], out[:len(a)]
	var acc int64
	for i, x := range a {
		y := b[i]
		s := x - y
		out[i] = s
		acc |= (x ^ y) & (x ^ s)
	}
	return acc < 0
}

// mulInt64 derives the signed high word of the 128-bit product from the unsigned one; the
// product fits in 64 bits exactly when that word is the sign extension of the low word.
func mulInt64(a, b, out []int64) bool {
	b, out = b[:len(a)], out[:len(a)]
	var acc int64
	for i, x := range a {
		y := b[i]
		hi, lo := bits.Mul64(uint64(x), uint64(y))
		shi := int64(hi) - (x>>63)&y - (y>>63)&x
		out[i] = int64(lo)
		acc |= shi ^ (int64(lo) >> 63)
	}
	return acc != 0
}

func divInt64(a, b, out []int64, vo *validOut) bool {
	b, out = b[:len(a)], out[:len(a)]
	ovf := false
	for i, x := range a {
		y := b[i]
		if y == 0 {
			out[i] = 0
			vo.setNull(i)
			continue
		}
		if y == -1 && x == math.MinInt64 {
			ovf = true
		}
		out[i] = x / y
	}
	return ovf
}

func modInt64(a, b, out []int64, vo *validOut) {
	b, out = b[:len(a)], out[:len(a)]
	for i, x := range a {
		y := b[i]
		if y == 0 {
			out[i] = 0
			vo.setNull(i)
			continue
		}
		out[i] = x % y // Go, like MySQL, gives the remainder the dividend's sign
	}
}

func int64Overflows(op planner.BinaryOp, x, y int64) bool {
	switch op {
	case planner.OpAdd:
		s := x + y
		return (x^s)&(y^s) < 0
	case planner.OpSub:
		s := x - y
		return (x^y)&(x^s) < 0
	case planner.OpMul:
		hi, lo := bits.Mul64(uint64(x), uint64(y))
		return int64(hi)-(x>>63)&y-(y>>63)&x != int64(lo)>>63
	case planner.OpIntDiv:
		return x == math.MinInt64 && y == -1
	}
	return false
}

// ---- FLOAT / DOUBLE ----

func arithFloat[T float32 | float64](mem memory.Allocator, op planner.BinaryOp, l, r arrow.Array, dt arrow.DataType) (arrow.Array, error) {
	n := l.Len()
	a, b := values[T](l), values[T](r)
	b = b[:len(a)]
	vo := newValidOut(mem, n, validBits(l), validBits(r))
	buf, out := newValues[T](mem, n)
	out = out[:len(a)]
	var bad byte
	switch op {
	case planner.OpAdd:
		for i, x := range a {
			s := x + b[i]
			out[i] = s
			bad |= b2u(s-s != 0)
		}
	case planner.OpSub:
		for i, x := range a {
			s := x - b[i]
			out[i] = s
			bad |= b2u(s-s != 0)
		}
	case planner.OpMul:
		for i, x := range a {
			s := x * b[i]
			out[i] = s
			bad |= b2u(s-s != 0)
		}
	case planner.OpDiv:
		for i, x := range a {
			y := b[i]
			if y == 0 {
				out[i] = 0
				vo.setNull(i)
				continue
			}
			s := x / y
			out[i] = s
			bad |= b2u(s-s != 0)
		}
	case planner.OpMod:
		for i, x := range a {
			y := b[i]
			if y == 0 {
				out[i] = 0
				vo.setNull(i)
				continue
			}
			out[i] = T(math.Mod(float64(x), float64(y)))
		}
	}
	if bad != 0 {
		for i, x := range a {
			y := b[i]
			if vo.valid(i) && isFinite(float64(x)) && isFinite(float64(y)) && !isFinite(float64(out[i])) {
				vo.release()
				buf.Release()
				return nil, errs.Execf("%s overflow in %s %s %s", strings.ToLower(planner.TypeString(dt)),
					formatFloat(float64(x), bitSize(dt)), op, formatFloat(float64(y), bitSize(dt)))
			}
		}
	}
	return finish(dt, n, vo, buf), nil
}

func isFinite(f float64) bool { return !math.IsInf(f, 0) && !math.IsNaN(f) }

func bitSize(dt arrow.DataType) int {
	if dt.ID() == arrow.FLOAT32 {
		return 32
	}
	return 64
}

// floatIntDiv is DIV on floats: the quotient truncated toward zero, as BIGINT.
func floatIntDiv[T float32 | float64](mem memory.Allocator, l, r arrow.Array) (arrow.Array, error) {
	n := l.Len()
	a, b := values[T](l), values[T](r)
	vo := newValidOut(mem, n, validBits(l), validBits(r))
	buf, out := newValues[int64](mem, n)
	for i, x := range a {
		y := b[i]
		if y == 0 {
			out[i] = 0
			vo.setNull(i)
			continue
		}
		q := math.Trunc(float64(x) / float64(y))
		if q >= -(1<<63) && q < 1<<63 {
			out[i] = int64(q)
			continue
		}
		out[i] = 0
		if vo.valid(i) {
			vo.release()
			buf.Release()
			bs := bitSize(l.DataType())
			return nil, errs.Execf("bigint overflow in %s DIV %s", formatFloat(float64(x), bs), formatFloat(float64(y), bs))
		}
	}
	return finish(arrow.PrimitiveTypes.Int64, n, vo, buf), nil
}

// ---- DECIMAL ----

// decOperand is a DECIMAL operand's values and scale; BIGINT operands are read as
// DECIMAL(19,0) (converted into a Go slice, not on the allocator).
type decOperand struct {
	vals  []decimal128.Num
	scale int32
}

func decOperandOf(a arrow.Array) decOperand {
	if dt, ok := a.DataType().(*arrow.Decimal128Type); ok {
		return decOperand{vals: values[decimal128.Num](a), scale: dt.Scale}
	}
	ints := values[int64](a)
	vals := make([]decimal128.Num, len(ints))
	for i, x := range ints {
		vals[i] = decimal128.FromI64(x)
	}
	return decOperand{vals: vals}
}

// decStatus is the outcome of one decimal operation.
type decStatus uint8

const (
	decOK decStatus = iota
	decNull
	decOverflow
)

func arithDecimal(mem memory.Allocator, op planner.BinaryOp, l, r arrow.Array, dt *arrow.Decimal128Type) (arrow.Array, error) {
	n := l.Len()
	x, y := decOperandOf(l), decOperandOf(r)
	vo := newValidOut(mem, n, validBits(l), validBits(r))
	buf, out := newValues[decimal128.Num](mem, n)
	fast := decFast64For(op, x.scale, y.scale, dt.Scale, dt.Precision)
	for i := range out {
		if !vo.valid(i) {
			out[i] = decimal128.Num{}
			continue
		}
		if fast.ok {
			if v, ok := fast.apply(x.vals[i], y.vals[i]); ok {
				out[i] = v
				continue
			}
		}
		v, st := decArith(op, x.vals[i], y.vals[i], x.scale, y.scale, dt.Scale, dt.Precision)
		switch st {
		case decOK:
			out[i] = v
		case decNull:
			out[i] = decimal128.Num{}
			vo.setNull(i)
		default:
			vo.release()
			buf.Release()
			return nil, errs.Execf("decimal overflow in %s %s %s: the result does not fit %s",
				planner.FormatDecimal(x.vals[i], x.scale), op, planner.FormatDecimal(y.vals[i], y.scale),
				planner.TypeString(dt))
		}
	}
	return finish(dt, n, vo, buf), nil
}

// decFast64 is the 64-bit path of decimal +, − and ×: when both operands fit in int64 and
// the result scale needs no rounding (the larger operand scale for + and −, their sum for
// ×, as MySQL types them), the result is exact int64 arithmetic, checked for overflow and
// for the result's precision. Operands or results outside int64 take decArith's 128-bit
// path, which gives the same answer.
type decFast64 struct {
	ok         bool
	op         planner.BinaryOp
	mulX, mulY int64 // scale alignment factors for + and −
	limit      uint64
}

// decFast64For says whether the operation and scales allow the 64-bit path.
func decFast64For(op planner.BinaryOp, sx, sy, so, po int32) decFast64 {
	f := decFast64{op: op, mulX: 1, mulY: 1, limit: math.MaxUint64}
	switch op {
	case planner.OpAdd, planner.OpSub:
		s := max(sx, sy)
		if so != s || s-sx > 18 || s-sy > 18 {
			return f
		}
		f.mulX, f.mulY = int64(pow10[s-sx].lo), int64(pow10[s-sy].lo)
	case planner.OpMul:
		if so != sx+sy {
			return f
		}
	default:
		return f
	}
	if po < 20 {
		f.limit = pow10[po].lo // |result| < 10^po
	}
	f.ok = true
	return f
}

// int64Of returns n as an int64 when it fits.
func int64Of(n decimal128.Num) (int64, bool) {
	lo, hi := n.LowBits(), n.HighBits()
	if (hi == 0 && lo <= math.MaxInt64) || (hi == -1 && lo > math.MaxInt64) {
		return int64(lo), true
	}
	return 0, false
}

// mulChecked64 multiplies with an overflow check.
func mulChecked64(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	hi, lo := bits.Mul64(absU64(a), absU64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		return -int64(lo), true
	}
	return int64(lo), true
}

func absU64(a int64) uint64 {
	if a < 0 {
		return uint64(-a)
	}
	return uint64(a)
}

// apply computes x op y on the 64-bit path; ok is false when it cannot (the caller then
// takes the 128-bit path).
func (f decFast64) apply(x, y decimal128.Num) (decimal128.Num, bool) {
	a, okA := int64Of(x)
	b, okB := int64Of(y)
	if !okA || !okB || a == math.MinInt64 || b == math.MinInt64 {
		return decimal128.Num{}, false
	}
	var r int64
	switch f.op {
	case planner.OpAdd, planner.OpSub:
		var ok1, ok2 bool
		if a, ok1 = mulChecked64(a, f.mulX); !ok1 {
			return decimal128.Num{}, false
		}
		if b, ok2 = mulChecked64(b, f.mulY); !ok2 {
			return decimal128.Num{}, false
		}
		if f.op == planner.OpSub {
			b = -b
		}
		r = a + b
		if (a^r)&(b^r) < 0 {
			return decimal128.Num{}, false
		}
	default:
		var ok bool
		if r, ok = mulChecked64(a, b); !ok {
			return decimal128.Num{}, false
		}
	}
	if r == math.MinInt64 || absU64(r) >= f.limit {
		return decimal128.Num{}, false // let the 128-bit path report the overflow
	}
	return decimal128.FromI64(r), true
}

// rescaleMag changes the scale of a magnitude, rounding half away from zero when the scale
// shrinks; overflow reports a result beyond 128 bits.
func rescaleMag(m u128, from, to int32) (u128, bool) {
	if to >= from {
		return m.scaleUp(to - from)
	}
	return m.scaleDown(from - to), false
}

// decArith computes x op y for op in + - * / % on scaled decimals (scales sx, sy) with
// result scale so and precision po.
func decArith(op planner.BinaryOp, x, y decimal128.Num, sx, sy, so, po int32) (decimal128.Num, decStatus) {
	mx, nx := absNum(x)
	my, ny := absNum(y)
	var (
		m   u128
		neg bool
		ov  bool
	)
	switch op {
	case planner.OpAdd, planner.OpSub:
		if op == planner.OpSub {
			ny = !ny
		}
		s := max(sx, sy)
		var ox, oy bool
		mx, ox = mx.scaleUp(s - sx)
		my, oy = my.scaleUp(s - sy)
		if ox || oy {
			return decimal128.Num{}, decOverflow
		}
		switch {
		case nx == ny:
			m, ov = mx.add(my)
			neg = nx
		case my.less(mx):
			m, neg = mx.sub(my), nx
		default:
			m, neg = my.sub(mx), ny
		}
		if !ov {
			m, ov = rescaleMag(m, s, so)
		}
	case planner.OpMul:
		neg = nx != ny
		m, ov = mx.mul(my)
		if ov {
			return bigDecArith(op, mx, my, neg, sx, sy, so, po)
		}
		m, ov = rescaleMag(m, sx+sy, so)
	case planner.OpDiv:
		if my.isZero() {
			return decimal128.Num{}, decNull
		}
		neg = nx != ny
		// result = x/10^sx / (y/10^sy) * 10^so = x * 10^(so-sx+sy) / y
		k := so - sx + sy
		num, den := mx, my
		if k >= 0 {
			num, ov = mx.scaleUp(k)
		} else {
			den, ov = my.scaleUp(-k)
		}
		if ov {
			return bigDecArith(op, mx, my, neg, sx, sy, so, po)
		}
		m = num.divRound(den)
	case planner.OpMod:
		if my.isZero() {
			return decimal128.Num{}, decNull
		}
		neg = nx // MySQL: the remainder has the dividend's sign
		s := max(sx, sy)
		ax, ox := mx.scaleUp(s - sx)
		ay, oy := my.scaleUp(s - sy)
		if ox || oy {
			return bigDecArith(op, mx, my, neg, sx, sy, so, po)
		}
		_, m = ax.divmod(ay)
		m, ov = rescaleMag(m, s, so)
	}
	if ov || !m.fits(po) {
		return decimal128.Num{}, decOverflow
	}
	return m.toNum(neg), decOK
}

// bigDecArith is decArith's exact slow path for * / % when an intermediate needs more than
// 128 bits. mx and my are the unscaled magnitudes.
func bigDecArith(op planner.BinaryOp, mx, my u128, neg bool, sx, sy, so, po int32) (decimal128.Num, decStatus) {
	bx, by := mx.bigInt(), my.bigInt()
	var res *big.Int
	switch op {
	case planner.OpMul:
		res = bigRescale(new(big.Int).Mul(bx, by), sx+sy, so)
	case planner.OpDiv:
		k := so - sx + sy
		if k >= 0 {
			bx.Mul(bx, bigPow10(k))
		} else {
			by.Mul(by, bigPow10(-k))
		}
		res = bigDivRound(bx, by)
	case planner.OpMod:
		s := max(sx, sy)
		bx.Mul(bx, bigPow10(s-sx))
		by.Mul(by, bigPow10(s-sy))
		res = bigRescale(new(big.Int).Rem(bx, by), s, so)
	}
	m, ok := fromBig(res)
	if !ok || !m.fits(po) {
		return decimal128.Num{}, decOverflow
	}
	return m.toNum(neg), decOK
}

func bigRescale(b *big.Int, from, to int32) *big.Int {
	if to >= from {
		return b.Mul(b, bigPow10(to-from))
	}
	return bigDivRound(b, bigPow10(from-to))
}

// decimalIntDiv is DIV on decimals: the truncated quotient as BIGINT.
func decimalIntDiv(mem memory.Allocator, l, r arrow.Array) (arrow.Array, error) {
	n := l.Len()
	x, y := decOperandOf(l), decOperandOf(r)
	vo := newValidOut(mem, n, validBits(l), validBits(r))
	buf, out := newValues[int64](mem, n)
	s := max(x.scale, y.scale)
	for i := range out {
		out[i] = 0
		if !vo.valid(i) {
			continue
		}
		mx, nx := absNum(x.vals[i])
		my, ny := absNum(y.vals[i])
		if my.isZero() {
			vo.setNull(i)
			continue
		}
		ax, ox := mx.scaleUp(s - x.scale)
		ay, oy := my.scaleUp(s - y.scale)
		var q u128
		if ox || oy {
			bx := mx.bigInt()
			bx.Mul(bx, bigPow10(s-x.scale))
			by := my.bigInt()
			by.Mul(by, bigPow10(s-y.scale))
			q, _ = fromBig(bx.Quo(bx, by)) // |q| <= |x| < 2^128
		} else {
			q, _ = ax.divmod(ay)
		}
		neg := nx != ny
		switch {
		case q.hi == 0 && q.lo <= math.MaxInt64:
			out[i] = int64(q.lo)
			if neg {
				out[i] = -out[i]
			}
		case neg && q.hi == 0 && q.lo == 1<<63:
			out[i] = math.MinInt64
		default:
			vo.release()
			buf.Release()
			return nil, errs.Execf("bigint overflow in %s DIV %s",
				planner.FormatDecimal(x.vals[i], x.scale), planner.FormatDecimal(y.vals[i], y.scale))
		}
	}
	return finish(arrow.PrimitiveTypes.Int64, n, vo, buf), nil
}

// ---- negation ----

// Negate returns a new array of -a, of a's type: signed integers (negating the type's
// minimum is an overflow error), floats and decimals (never overflow). NULL stays NULL.
func Negate(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	switch a.DataType().ID() {
	case arrow.NULL:
		return array.NewNull(a.Len()), nil
	case arrow.INT8:
		return negateInt[int8](mem, a)
	case arrow.INT16:
		return negateInt[int16](mem, a)
	case arrow.INT32:
		return negateInt[int32](mem, a)
	case arrow.INT64:
		return negateInt[int64](mem, a)
	case arrow.FLOAT32:
		return negateFloat[float32](mem, a), nil
	case arrow.FLOAT64:
		return negateFloat[float64](mem, a), nil
	case arrow.DECIMAL128:
		in := values[decimal128.Num](a)
		buf, out := newValues[decimal128.Num](mem, len(in))
		for i, x := range in {
			out[i] = x.Negate()
		}
		return finish(a.DataType(), a.Len(), newValidOut(mem, a.Len(), validBits(a)), buf), nil
	}
	return nil, errs.Internalf("negate: no kernel for %s", planner.TypeString(a.DataType()))
}

func negateInt[T int8 | int16 | int32 | int64](mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
	in := values[T](a)
	buf, out := newValues[T](mem, len(in))
	var acc T
	for i, x := range in {
		out[i] = -x
		acc |= x & -x // negative only for the type's minimum
	}
	vo := newValidOut(mem, a.Len(), validBits(a))
	if acc < 0 {
		for i, x := range in {
			if x < 0 && -x < 0 && vo.valid(i) {
				vo.release()
				buf.Release()
				return nil, errs.Execf("%s overflow in -(%d)", strings.ToLower(planner.TypeString(a.DataType())), x)
			}
		}
	}
	return finish(a.DataType(), a.Len(), vo, buf), nil
}

func negateFloat[T float32 | float64](mem memory.Allocator, a arrow.Array) arrow.Array {
	in := values[T](a)
	buf, out := newValues[T](mem, len(in))
	for i, x := range in {
		out[i] = -x
	}
	return finish(a.DataType(), a.Len(), newValidOut(mem, a.Len(), validBits(a)), buf)
}
