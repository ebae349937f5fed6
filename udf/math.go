package udf

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/embersql/ember/internal/errs"
)

// Math functions, with MySQL's types and corner cases:
//
//	abs, sign, round, truncate, floor, ceil keep integers exact (BIGINT) and DECIMALs exact
//	(DECIMAL); FLOAT, DOUBLE and strings compute in DOUBLE.
//	sqrt, ln, log, log2, log10, exp, power, trigonometry: DOUBLE. Arguments outside the
//	domain (sqrt of a negative, the logarithm of a value <= 0, asin(2)) give NULL, as MySQL
//	does (with a warning there); a result too large for DOUBLE (exp(1000), pow(10, 400),
//	cot(0)) is an execution error, as MySQL's "DOUBLE value is out of range".
//	greatest, least: the binder brings the arguments to one type; NULL if any is NULL.
//	rand: DOUBLE in [0, 1), Volatile.

// registerMathFunctions registers the math functions.
func registerMathFunctions(r *Registry) {
	for _, f := range mathFunctions() {
		r.RegisterScalar(f)
	}
}

func mathFunctions() []*builtinScalar {
	fs := []*builtinScalar{
		{name: "abs", doc: "abs(x) is the absolute value of x, of x's type (integers as BIGINT; abs of the smallest BIGINT is an overflow error).",
			sig: numericSig("abs", 1, 1), eval: evalAbs},
		{name: "sign", doc: "sign(x) is -1, 0 or 1 as x is negative, zero or positive (BIGINT).",
			sig: numericSigRet("sign", 1, 1, int64Type), eval: evalSign},
		{name: "round", doc: "round(x[, d]) rounds x to d decimal places (default 0; negative d rounds left of the point). " +
			"Integers and DECIMALs round half away from zero and stay exact: round(DECIMAL(p,s), d) with a constant d is " +
			"DECIMAL with scale max(d, 0); FLOAT and DOUBLE round half to even, as MySQL (round(2.5e0) = 2).",
			sig: numericSig("round", 1, 2), eval: evalRound(false)},
		{name: "truncate", doc: "truncate(x, d) drops the digits of x after d decimal places (negative d zeroes digits left of the " +
			"point), toward zero; types as round.",
			sig: numericSig("truncate", 2, 2), eval: evalRound(true)},
		{name: "floor", doc: "floor(x) is the largest integer not above x: BIGINT for integers and DECIMALs of up to 17 integer " +
			"digits, DECIMAL(p-s+1,0) for wider DECIMALs, DOUBLE for FLOAT and DOUBLE.",
			sig: intValSig("floor"), eval: evalFloorCeil(false)},
		{name: "ceil", doc: "ceil(x) is the smallest integer not below x; types as floor. Alias ceiling.",
			sig: intValSig("ceil"), eval: evalFloorCeil(true)},
		{name: "sqrt", doc: "sqrt(x) is the square root of x (DOUBLE); NULL for a negative x.",
			sig: fixedSig("sqrt", 1, 1, float64Type, argDouble), eval: floatFunc(func(x float64) (float64, bool) { return math.Sqrt(x), x >= 0 })},
		{name: "ln", doc: "ln(x) is the natural logarithm of x (DOUBLE); NULL for x <= 0.",
			sig: fixedSig("ln", 1, 1, float64Type, argDouble), eval: floatFunc(logOf(math.Log))},
		{name: "log", doc: "log(x) is ln(x); log(b, x) is the logarithm of x to base b (DOUBLE). NULL for x <= 0, b <= 0 or b = 1.",
			sig: fixedSig("log", 1, 2, float64Type, argDouble), eval: evalLog},
		{name: "log2", doc: "log2(x) is the base-2 logarithm of x (DOUBLE); NULL for x <= 0.",
			sig: fixedSig("log2", 1, 1, float64Type, argDouble), eval: floatFunc(logOf(math.Log2))},
		{name: "log10", doc: "log10(x) is the base-10 logarithm of x (DOUBLE); NULL for x <= 0.",
			sig: fixedSig("log10", 1, 1, float64Type, argDouble), eval: floatFunc(logOf(math.Log10))},
		{name: "exp", doc: "exp(x) is e to the power x (DOUBLE); a result too large for DOUBLE is an error.",
			sig: fixedSig("exp", 1, 1, float64Type, argDouble), eval: floatFunc(func(x float64) (float64, bool) { return math.Exp(x), true })},
		{name: "power", doc: "power(x, y) is x to the power y (DOUBLE); a result that is not a finite DOUBLE (pow(0, -1), " +
			"pow(-8, 1/3)) is an error, as MySQL. Alias pow.",
			sig: fixedSig("power", 2, 2, float64Type, argDouble), eval: float2Func(func(x, y float64) (float64, bool) { return math.Pow(x, y), true })},
		{name: "pi", doc: "pi() is the DOUBLE nearest to π (MySQL prints 6 decimals; Ember prints the whole value).",
			sig: fixedSig("pi", 0, 0, float64Type), eval: evalPi},
		{name: "radians", doc: "radians(x) converts x from degrees to radians (DOUBLE).",
			sig: fixedSig("radians", 1, 1, float64Type, argDouble), eval: floatFunc(func(x float64) (float64, bool) { return x * math.Pi / 180, true })},
		{name: "degrees", doc: "degrees(x) converts x from radians to degrees (DOUBLE).",
			sig: fixedSig("degrees", 1, 1, float64Type, argDouble), eval: floatFunc(func(x float64) (float64, bool) { return x * 180 / math.Pi, true })},
		{name: "sin", doc: "sin(x) is the sine of x radians (DOUBLE).",
			sig: fixedSig("sin", 1, 1, float64Type, argDouble), eval: floatFunc(total(math.Sin))},
		{name: "cos", doc: "cos(x) is the cosine of x radians (DOUBLE).",
			sig: fixedSig("cos", 1, 1, float64Type, argDouble), eval: floatFunc(total(math.Cos))},
		{name: "tan", doc: "tan(x) is the tangent of x radians (DOUBLE).",
			sig: fixedSig("tan", 1, 1, float64Type, argDouble), eval: floatFunc(total(math.Tan))},
		{name: "cot", doc: "cot(x) is the cotangent of x radians (DOUBLE); cot(0) is an out-of-range error, as MySQL.",
			sig: fixedSig("cot", 1, 1, float64Type, argDouble), eval: floatFunc(func(x float64) (float64, bool) { return 1 / math.Tan(x), true })},
		{name: "asin", doc: "asin(x) is the arc sine of x in radians (DOUBLE); NULL outside [-1, 1].",
			sig: fixedSig("asin", 1, 1, float64Type, argDouble), eval: floatFunc(func(x float64) (float64, bool) { return math.Asin(x), x >= -1 && x <= 1 })},
		{name: "acos", doc: "acos(x) is the arc cosine of x in radians (DOUBLE); NULL outside [-1, 1].",
			sig: fixedSig("acos", 1, 1, float64Type, argDouble), eval: floatFunc(func(x float64) (float64, bool) { return math.Acos(x), x >= -1 && x <= 1 })},
		{name: "atan", doc: "atan(x) is the arc tangent of x in radians; atan(y, x) that of y/x using both signs for the quadrant (DOUBLE).",
			sig: fixedSig("atan", 1, 2, float64Type, argDouble), eval: evalAtan},
		{name: "atan2", doc: "atan2(y, x) is atan(y, x) (DOUBLE).",
			sig: fixedSig("atan2", 2, 2, float64Type, argDouble), eval: evalAtan},
		{name: "greatest", doc: "greatest(x1, x2, ...) is the largest argument; the binder brings them to one type as for a " +
			"comparison. NULL if any argument is NULL (MySQL).",
			sig: sameTypeSig("greatest"), eval: evalExtreme(1)},
		{name: "least", doc: "least(x1, x2, ...) is the smallest argument; the binder brings them to one type as for a " +
			"comparison. NULL if any argument is NULL (MySQL).",
			sig: sameTypeSig("least"), eval: evalExtreme(-1)},
		{name: "rand", vol: Volatile, doc: "rand() is a random DOUBLE in [0, 1). rand(n) uses MySQL's generator seeded with n: " +
			"with a constant n the query's rows take the successive values of one sequence (the first is MySQL's rand(n); " +
			"with several partitions which row gets which value depends on scheduling), with a column each row is seeded " +
			"by its own value. A NULL seed gives NULL.",
			sig: fixedSig("rand", 0, 1, float64Type, argInt), eval: evalRand, perSite: seededRand},
	}
	return withAliases(fs, map[string][]string{"ceil": {"ceiling"}, "power": {"pow"}})
}

// seededRand is rand(seed) at one call site whose seed is a constant: the first Eval seeds
// MySQL's generator from the seed and every later row, of any batch or partition, takes the
// next value of that one sequence (under a mutex). Each call site gets its own, so two
// rand(3) in a query both start at MySQL's first rand(3) value.
func seededRand(f *builtinScalar, constant []bool) *builtinScalar {
	if len(constant) != 1 || !constant[0] {
		return f
	}
	st := &randSequence{}
	g := *f
	g.perSite = nil
	g.eval = func(c *scalarCall) (arrow.Array, error) {
		seeds := c.ints(0)
		st.mu.Lock()
		defer st.mu.Unlock()
		return mapFixed(c, float64Type, func(i int) (float64, bool) {
			if !st.seeded {
				st.gen = newMySQLRand(seeds[i])
				st.seeded = true
			}
			return st.gen.next(), true
		})
	}
	return &g
}

type randSequence struct {
	mu     sync.Mutex
	seeded bool
	gen    mysqlRand
}

// mysqlRand is MySQL's my_rnd generator (mysys/my_rnd.cc) with Item_func_rand's seeding.
type mysqlRand struct{ seed1, seed2 uint64 }

const mysqlRandMax = 0x3FFFFFFF

func newMySQLRand(seed int64) mysqlRand {
	tmp := uint64(uint32(seed))
	return mysqlRand{
		seed1: uint64(uint32(tmp*0x10001+55555555)) % mysqlRandMax,
		seed2: uint64(uint32(tmp*0x10000001)) % mysqlRandMax,
	}
}

func (r *mysqlRand) next() float64 {
	r.seed1 = (r.seed1*3 + r.seed2) % mysqlRandMax
	r.seed2 = (r.seed1 + r.seed2 + 33) % mysqlRandMax
	return float64(r.seed1) / float64(mysqlRandMax)
}

func evalRand(c *scalarCall) (arrow.Array, error) {
	if len(c.args) == 0 {
		return mapFixed(c, float64Type, func(int) (float64, bool) { return rand.Float64(), true })
	}
	seeds := c.ints(0)
	return mapFixed(c, float64Type, func(i int) (float64, bool) {
		g := newMySQLRand(seeds[i])
		return g.next(), true
	})
}

// ---------------------------------------------------------------------------------------
// Signatures.

// numericParam returns what a numeric-preserving function computes x in: BIGINT for
// integers and booleans, x's DECIMAL, DOUBLE for floats, strings and NULL.
func numericParam(name string, i int, t arrow.DataType) (arrow.DataType, error) {
	id := t.ID()
	switch {
	case isIntegerID(id) || id == arrow.BOOL:
		return int64Type, nil
	case id == arrow.DECIMAL128:
		return t, nil
	case isFloatID(id) || isStringID(id) || id == arrow.NULL:
		return float64Type, nil
	}
	return nil, errs.Planf("%s: argument %d must be a number, got %s", name, i, TypeName(t))
}

// numericSig: the first argument as numericParam, the others BIGINT (round's d); the
// result has the first parameter's type, a DECIMAL one more digit of precision (the carry
// of rounding up) unless the function cannot grow it.
func numericSig(name string, lo, hi int) func([]arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
	return func(args []arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
		if err := checkArity(name, args, lo, hi); err != nil {
			return nil, nil, err
		}
		p, err := numericParam(name, 1, args[0])
		if err != nil {
			return nil, nil, err
		}
		params := []arrow.DataType{p}
		for i, t := range args[1:] {
			q, err := paramType(name, i+2, t, argInt)
			if err != nil {
				return nil, nil, err
			}
			params = append(params, q)
		}
		ret := p
		if d, ok := p.(*arrow.Decimal128Type); ok && name == "round" {
			ret = &arrow.Decimal128Type{Precision: min(d.Precision+1, decimal128.MaxPrecision), Scale: d.Scale}
		}
		return params, ret, nil
	}
}

// numericSigRet is numericSig with a fixed result type.
func numericSigRet(name string, lo, hi int, ret arrow.DataType) func([]arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
	sig := numericSig(name, lo, hi)
	return func(args []arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
		params, _, err := sig(args)
		return params, ret, err
	}
}

// intValSig is floor's and ceil's: see their Doc.
func intValSig(name string) func([]arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
	sig := numericSig(name, 1, 1)
	return func(args []arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
		params, ret, err := sig(args)
		if err != nil {
			return nil, nil, err
		}
		if d, ok := ret.(*arrow.Decimal128Type); ok {
			ret = floorCeilType(d)
		}
		return params, ret, nil
	}
}

// floorCeilType is the type of floor and ceil of a DECIMAL(p,s): BIGINT when p-s <= 17,
// else DECIMAL(p-s+1, 0).
func floorCeilType(d *arrow.Decimal128Type) arrow.DataType {
	intDigits := d.Precision - d.Scale
	if intDigits <= 17 {
		return int64Type
	}
	return &arrow.Decimal128Type{Precision: min(intDigits+1, decimal128.MaxPrecision), Scale: 0}
}

// sameTypeSig accepts two or more arguments of one comparable type (the binder unified
// them) and returns it.
func sameTypeSig(name string) func([]arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
	return func(args []arrow.DataType) ([]arrow.DataType, arrow.DataType, error) {
		if err := checkArity(name, args, 2, -1); err != nil {
			return nil, nil, err
		}
		var t arrow.DataType
		for i, a := range args {
			id := a.ID()
			if !(isNumericID(id) || isStringID(id) || isTemporalID(id) || id == arrow.BOOL || id == arrow.NULL) {
				return nil, nil, errs.Planf("%s: argument %d cannot be compared: %s", name, i+1, TypeName(a))
			}
			if id == arrow.NULL {
				continue
			}
			if t == nil {
				t = a
			} else if !arrow.TypeEqual(t, a) {
				return nil, nil, errs.Planf("%s: arguments of types %s and %s must be brought to one type first", name, TypeName(t), TypeName(a))
			}
		}
		if t == nil {
			t = arrow.Null
		}
		params := make([]arrow.DataType, len(args))
		for i := range params {
			params[i] = t
		}
		return params, t, nil
	}
}

// ---------------------------------------------------------------------------------------
// Evaluation.

// floatFunc is a DOUBLE → DOUBLE function; f's ok=false gives NULL, and a non-finite
// result from a finite argument is MySQL's out-of-range error.
func floatFunc(f func(float64) (float64, bool)) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		xs := c.floats(0)
		return mapFixed(c, float64Type, func(i int) (float64, bool) {
			v, ok := f(xs[i])
			x := xs[i]
			if ok && (math.IsInf(v, 0) && !math.IsInf(x, 0) || math.IsNaN(v) && !math.IsNaN(x)) {
				c.fail(errs.Execf("%s: DOUBLE value is out of range for %v", c.name, xs[i]))
				return 0, false
			}
			return v, ok
		})
	}
}

// float2Func is a (DOUBLE, DOUBLE) → DOUBLE function; non-finite results are errors.
func float2Func(f func(x, y float64) (float64, bool)) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		xs, ys := c.floats(0), c.floats(1)
		return mapFixed(c, float64Type, func(i int) (float64, bool) {
			v, ok := f(xs[i], ys[i])
			if ok && (math.IsInf(v, 0) || math.IsNaN(v)) {
				c.fail(errs.Execf("%s: DOUBLE value is out of range for (%v, %v)", c.name, xs[i], ys[i]))
				return 0, false
			}
			return v, ok
		})
	}
}

// total wraps a function defined everywhere.
func total(f func(float64) float64) func(float64) (float64, bool) {
	return func(x float64) (float64, bool) { return f(x), true }
}

// logOf wraps a logarithm: NULL for x <= 0.
func logOf(f func(float64) float64) func(float64) (float64, bool) {
	return func(x float64) (float64, bool) {
		if x <= 0 {
			return 0, false
		}
		return f(x), true
	}
}

func evalLog(c *scalarCall) (arrow.Array, error) {
	if len(c.args) == 1 {
		return floatFunc(logOf(math.Log))(c)
	}
	return float2Func(func(b, x float64) (float64, bool) {
		if b <= 0 || b == 1 || x <= 0 {
			return 0, false
		}
		return math.Log(x) / math.Log(b), true
	})(c)
}

func evalAtan(c *scalarCall) (arrow.Array, error) {
	if len(c.args) == 1 {
		return floatFunc(total(math.Atan))(c)
	}
	return float2Func(func(y, x float64) (float64, bool) { return math.Atan2(y, x), true })(c)
}

func evalPi(c *scalarCall) (arrow.Array, error) {
	return mapFixed(c, float64Type, func(int) (float64, bool) { return math.Pi, true })
}

func evalAbs(c *scalarCall) (arrow.Array, error) {
	switch t := c.args[0].DataType().(type) {
	case *arrow.Decimal128Type:
		xs := fixedValues[decimal128.Num](c.args[0])
		return mapFixed(c, t, func(i int) (decimal128.Num, bool) { return xs[i].Abs(), true })
	}
	if c.args[0].DataType().ID() == arrow.INT64 {
		xs := c.ints(0)
		return mapFixed(c, int64Type, func(i int) (int64, bool) {
			x := xs[i]
			if x == math.MinInt64 {
				c.fail(overflowError("abs", int64Type))
				return 0, false
			}
			if x < 0 {
				x = -x
			}
			return x, true
		})
	}
	xs := c.floats(0)
	return mapFixed(c, float64Type, func(i int) (float64, bool) { return math.Abs(xs[i]), true })
}

func evalSign(c *scalarCall) (arrow.Array, error) {
	switch c.args[0].DataType().ID() {
	case arrow.DECIMAL128:
		xs := fixedValues[decimal128.Num](c.args[0])
		return mapFixed(c, int64Type, func(i int) (int64, bool) { return int64(xs[i].Sign()), true })
	case arrow.INT64:
		xs := c.ints(0)
		return mapFixed(c, int64Type, func(i int) (int64, bool) {
			x := xs[i]
			return int64(b2i(x > 0) - b2i(x < 0)), true
		})
	}
	xs := c.floats(0)
	return mapFixed(c, int64Type, func(i int) (int64, bool) {
		x := xs[i]
		return int64(b2i(x > 0) - b2i(x < 0)), true
	})
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// roundInt rounds x to a multiple of 10^k (k > 0), half away from zero or toward zero;
// ok is false on overflow.
func roundInt(x int64, k int64, truncate bool) (int64, bool) {
	if k > 18 {
		return 0, true
	}
	p := pow10[k]
	q, r := x/p, x%p
	if !truncate && (r >= (p+1)/2 || r <= -(p+1)/2) {
		if x < 0 {
			q--
		} else {
			q++
		}
	}
	v := q * p
	if v/p != q {
		return 0, false
	}
	return v, true
}

// roundDecimal rounds n (of scale s) to d decimal places half away from zero, or toward
// zero when truncate, keeping scale s (the dropped digits become zeros). ok is false when
// the result does not fit 38 digits.
func roundDecimal(n decimal128.Num, s int32, d int64, truncate bool) (decimal128.Num, bool) {
	drop := int64(s) - d
	if drop <= 0 {
		return n, true
	}
	if drop > decimal128.MaxPrecision {
		return decimal128.Num{}, true
	}
	hi, lo := n.HighBits(), n.LowBits()
	if drop <= 18 && ((hi == 0 && lo>>63 == 0) || (hi == -1 && lo>>63 == 1)) {
		if v, ok := roundInt(int64(lo), drop, truncate); ok {
			return decimal128.FromI64(v), true
		}
	}
	m := decimal128.GetScaleMultiplier(int(drop))
	q, r := n.Div(m)
	if !truncate {
		half := decimal128.GetHalfScaleMultiplier(int(drop))
		if r.Abs().GreaterEqual(half) {
			q = q.Add(decimal128.FromI64(int64(n.Sign())))
		}
	}
	v := q.Mul(m)
	if !v.FitsInPrecision(decimal128.MaxPrecision) {
		return decimal128.Num{}, false
	}
	return v, true
}

// shiftDown divides v, a multiple of 10^s, by 10^s.
func shiftDown(v decimal128.Num, s int32) decimal128.Num {
	if s == 0 {
		return v
	}
	hi, lo := v.HighBits(), v.LowBits()
	if s <= 18 && ((hi == 0 && lo>>63 == 0) || (hi == -1 && lo>>63 == 1)) {
		return decimal128.FromI64(int64(lo) / pow10[s])
	}
	return v.ReduceScaleBy(s, false)
}

// roundFloat is MySQL's my_double_round (powers of ten from a table, as MySQL's log_10).
func roundFloat(x float64, d int64, truncate bool) float64 {
	const tableSize = 309 // MySQL's log_10 holds 1e0 .. 1e308
	switch {
	case d <= -tableSize:
		return 0
	case d >= tableSize:
		return x
	}
	abs := d
	if abs < 0 {
		abs = -abs
	}
	tmp := math.Pow10(int(abs))
	div, mul := x/tmp, x*tmp
	switch {
	case d >= 0 && (math.IsInf(mul, 0) || math.IsNaN(mul)):
		return x
	case truncate:
		if x >= 0 {
			if d < 0 {
				return math.Floor(div) * tmp
			}
			return math.Floor(mul) / tmp
		}
		if d < 0 {
			return math.Ceil(div) * tmp
		}
		return math.Ceil(mul) / tmp
	case d < 0:
		return math.RoundToEven(div) * tmp
	}
	return math.RoundToEven(mul) / tmp
}

func evalRound(truncate bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		var ds []int64
		if len(c.args) > 1 {
			ds = c.ints(1)
		}
		dAt := func(i int) int64 {
			if ds == nil {
				return 0
			}
			return ds[i]
		}
		switch t := c.args[0].DataType().(type) {
		case *arrow.Decimal128Type:
			xs := fixedValues[decimal128.Num](c.args[0])
			return mapFixed(c, c.ret, func(i int) (decimal128.Num, bool) {
				v, ok := roundDecimal(xs[i], t.Scale, dAt(i), truncate)
				if !ok || !v.FitsInPrecision(c.ret.(*arrow.Decimal128Type).Precision) {
					c.fail(overflowError(c.name, c.ret))
					return v, false
				}
				return v, true
			})
		}
		if c.args[0].DataType().ID() == arrow.INT64 {
			xs := c.ints(0)
			return mapFixed(c, int64Type, func(i int) (int64, bool) {
				d := dAt(i)
				if d >= 0 {
					return xs[i], true
				}
				v, ok := roundInt(xs[i], -d, truncate)
				if !ok {
					c.fail(overflowError(c.name, int64Type))
				}
				return v, ok
			})
		}
		xs := c.floats(0)
		return mapFixed(c, float64Type, func(i int) (float64, bool) { return roundFloat(xs[i], dAt(i), truncate), true })
	}
}

func evalFloorCeil(ceil bool) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		switch t := c.args[0].DataType().(type) {
		case *arrow.Decimal128Type:
			xs := fixedValues[decimal128.Num](c.args[0])
			intPart := func(i int) decimal128.Num {
				v, _ := roundDecimal(xs[i], t.Scale, 0, true) // toward zero, cannot overflow
				if v != xs[i] && (xs[i].Sign() > 0) == ceil {
					step := decimal128.GetScaleMultiplier(int(t.Scale))
					if ceil {
						v = v.Add(step)
					} else {
						v = v.Sub(step)
					}
				}
				return shiftDown(v, t.Scale)
			}
			if c.ret.ID() == arrow.INT64 {
				return mapFixed(c, int64Type, func(i int) (int64, bool) { return int64(intPart(i).LowBits()), true })
			}
			return mapFixed(c, c.ret, func(i int) (decimal128.Num, bool) { return intPart(i), true })
		}
		if c.args[0].DataType().ID() == arrow.INT64 {
			xs := c.ints(0)
			return mapFixed(c, int64Type, func(i int) (int64, bool) { return xs[i], true })
		}
		xs := c.floats(0)
		f := math.Floor
		if ceil {
			f = math.Ceil
		}
		return mapFixed(c, float64Type, func(i int) (float64, bool) { return f(xs[i]), true })
	}
}

// evalExtreme is greatest (dir 1) and least (dir -1) over arguments of one type.
func evalExtreme(dir int) func(c *scalarCall) (arrow.Array, error) {
	return func(c *scalarCall) (arrow.Array, error) {
		t := c.ret
		switch t.ID() {
		case arrow.INT8:
			return extremeFixed[int8](c, dir, cmpOrdered[int8])
		case arrow.INT16:
			return extremeFixed[int16](c, dir, cmpOrdered[int16])
		case arrow.INT32, arrow.DATE32:
			return extremeFixed[int32](c, dir, cmpOrdered[int32])
		case arrow.INT64, arrow.TIMESTAMP:
			return extremeFixed[int64](c, dir, cmpOrdered[int64])
		case arrow.UINT8:
			return extremeFixed[uint8](c, dir, cmpOrdered[uint8])
		case arrow.UINT16:
			return extremeFixed[uint16](c, dir, cmpOrdered[uint16])
		case arrow.UINT32:
			return extremeFixed[uint32](c, dir, cmpOrdered[uint32])
		case arrow.UINT64:
			return extremeFixed[uint64](c, dir, cmpOrdered[uint64])
		case arrow.FLOAT32:
			return extremeFixed[float32](c, dir, cmpOrdered[float32])
		case arrow.FLOAT64:
			return extremeFixed[float64](c, dir, cmpOrdered[float64])
		case arrow.DECIMAL128:
			return extremeFixed[decimal128.Num](c, dir, decimal128.Num.Cmp)
		case arrow.BOOL:
			return mapBool(c, func(i int) (bool, bool) {
				v := c.args[0].(interface{ Value(int) bool }).Value(i)
				for _, a := range c.args[1:] {
					w := a.(interface{ Value(int) bool }).Value(i)
					if (dir > 0 && w) || (dir < 0 && !w) {
						v = w
					}
				}
				return v, true
			})
		case arrow.STRING:
			ss := make([]interface{ Value(int) string }, len(c.args))
			for j := range ss {
				ss[j] = c.str(j)
			}
			return mapString(c, true, func(dst []byte, i int) ([]byte, bool) {
				v := ss[0].Value(i)
				for _, s := range ss[1:] {
					if w := s.Value(i); (w > v) == (dir > 0) && w != v {
						v = w
					}
				}
				return append(dst, v...), true
			})
		}
		return nil, errs.Internalf("%s: unsupported type %s", c.name, TypeName(t))
	}
}

func cmpOrdered[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func extremeFixed[T arrow.FixedWidthType](c *scalarCall, dir int, cmp func(a, b T) int) (arrow.Array, error) {
	cols := make([][]T, len(c.args))
	for j, a := range c.args {
		cols[j] = fixedValues[T](a)
	}
	return mapFixed(c, c.ret, func(i int) (T, bool) {
		v := cols[0][i]
		for _, col := range cols[1:] {
			if cmp(col[i], v)*dir > 0 {
				v = col[i]
			}
		}
		return v, true
	})
}
