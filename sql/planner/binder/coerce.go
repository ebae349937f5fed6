package binder

import (
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// This file is the whole of the binder's implicit type coercion. doc.go states the rules in
// prose; the tables below are the rules. A coercion is always an explicit planner.Cast (or a
// literal rewritten to the new type at bind time), never left to the executor.

// family groups the types that coerce alike.
type family uint8

const (
	famNull family = iota
	famBool
	famInt
	famDecimal
	famFloat
	famString
	famDate
	famTimestamp
	famOther // binary, nested and other types: only equal types meet
)

func familyOf(t arrow.DataType) family {
	switch {
	case t.ID() == arrow.NULL:
		return famNull
	case t.ID() == arrow.BOOL:
		return famBool
	case planner.IsInteger(t):
		return famInt
	case planner.IsDecimal(t):
		return famDecimal
	case planner.IsFloat(t):
		return famFloat
	case planner.IsString(t):
		return famString
	case t.ID() == arrow.DATE32 || t.ID() == arrow.DATE64:
		return famDate
	case t.ID() == arrow.TIMESTAMP:
		return famTimestamp
	}
	return famOther
}

func (f family) numeric() bool  { return f == famInt || f == famDecimal || f == famFloat }
func (f family) temporal() bool { return f == famDate || f == famTimestamp }

// famPair is an unordered pair of families, stored with a <= b.
type famPair struct{ a, b family }

func pairOf(a, b family) famPair {
	if a > b {
		a, b = b, a
	}
	return famPair{a, b}
}

// coerceCtx selects the supertype table.
type coerceCtx uint8

const (
	// compareCtx: the operands of = <> < <= > >=, BETWEEN, IN lists and simple CASE.
	compareCtx coerceCtx = iota
	// unionCtx: CASE/IF/COALESCE results and UNION branches, where strings win.
	unionCtx
)

// compareTable gives the family both sides of a comparison become. A missing pair is a type
// error. Before it applies, a string literal facing a number is read as a number and one
// facing a date or timestamp as a temporal literal (see unify), so the string rows below
// apply to non-literal strings only.
var compareTable = map[famPair]family{
	{famBool, famBool}:           famBool,
	{famBool, famInt}:            famInt,
	{famBool, famDecimal}:        famDecimal,
	{famBool, famFloat}:          famFloat,
	{famInt, famInt}:             famInt,
	{famInt, famDecimal}:         famDecimal,
	{famInt, famFloat}:           famFloat,
	{famInt, famString}:          famFloat,
	{famDecimal, famDecimal}:     famDecimal,
	{famDecimal, famFloat}:       famFloat,
	{famDecimal, famString}:      famFloat,
	{famFloat, famFloat}:         famFloat,
	{famFloat, famString}:        famFloat,
	{famString, famString}:       famString,
	{famString, famDate}:         famDate,
	{famString, famTimestamp}:    famTimestamp,
	{famDate, famDate}:           famDate,
	{famDate, famTimestamp}:      famTimestamp,
	{famTimestamp, famTimestamp}: famTimestamp,
}

// unionTable is compareTable except that a string meeting a number, boolean or temporal
// value makes the result a string (as in MySQL's CASE and Spark's UNION).
var unionTable = merged(compareTable, map[famPair]family{
	{famBool, famString}:      famString,
	{famInt, famString}:       famString,
	{famDecimal, famString}:   famString,
	{famFloat, famString}:     famString,
	{famString, famDate}:      famString,
	{famString, famTimestamp}: famString,
})

func merged(base, over map[famPair]family) map[famPair]family {
	out := make(map[famPair]family, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// castTable lists, per source family, the families an explicit CAST may produce.
var castTable = map[family][]family{
	famNull:      {famNull, famBool, famInt, famDecimal, famFloat, famString, famDate, famTimestamp, famOther},
	famBool:      {famBool, famInt, famDecimal, famFloat, famString},
	famInt:       {famBool, famInt, famDecimal, famFloat, famString},
	famDecimal:   {famBool, famInt, famDecimal, famFloat, famString},
	famFloat:     {famBool, famInt, famDecimal, famFloat, famString},
	famString:    {famBool, famInt, famDecimal, famFloat, famString, famDate, famTimestamp},
	famDate:      {famString, famDate, famTimestamp},
	famTimestamp: {famString, famDate, famTimestamp},
	famOther:     {famString},
}

func canCast(from, to arrow.DataType) bool {
	if arrow.TypeEqual(from, to) {
		return true
	}
	if planner.IsNested(from) || planner.IsNested(to) {
		return canCastNested(from, to)
	}
	for _, f := range castTable[familyOf(from)] {
		if f == familyOf(to) {
			return true
		}
	}
	return false
}

// commonType returns the type every expression of exprs becomes under ctx. When the types
// cannot meet, ok is false and a, b name the first two that failed.
func commonType(ctx coerceCtx, exprs []planner.Expr) (t arrow.DataType, a, b arrow.DataType, ok bool) {
	table := compareTable
	if ctx == unionCtx {
		table = unionTable
	}
	var first arrow.DataType
	same := true
	fam := famNull
	for _, e := range exprs {
		et := e.Type()
		f := familyOf(et)
		if f == famNull {
			continue
		}
		if first == nil {
			first, fam = et, f
			continue
		}
		if arrow.TypeEqual(first, et) {
			continue
		}
		if at, ok := commonArrayType(ctx, first, et); ok {
			first = at // ARRAY<A> and ARRAY<B> meet in ARRAY<common type of A and B>
			continue
		}
		same = false
		r, found := table[pairOf(fam, f)]
		if !found {
			return nil, first, et, false
		}
		fam = r
	}
	if first == nil {
		return planner.Null, nil, nil, true
	}
	if same {
		return first, nil, nil, true
	}
	return concreteType(fam, exprs), nil, nil, true
}

// commonArrayType returns ARRAY<T> for two ARRAY types whose element types meet in T under
// ctx (ARRAY<NULL>, the type of array(), meets every ARRAY).
func commonArrayType(ctx coerceCtx, a, b arrow.DataType) (arrow.DataType, bool) {
	if !planner.IsArray(a) || !planner.IsArray(b) {
		return nil, false
	}
	elems := []planner.Expr{
		planner.NewColumnRef(planner.Column{Type: planner.ElemType(a)}),
		planner.NewColumnRef(planner.Column{Type: planner.ElemType(b)}),
	}
	t, _, _, ok := commonType(ctx, elems)
	if !ok {
		return nil, false
	}
	return planner.ArrayOf(t), true
}

// concreteType picks the type of a result family given the expressions that meet in it.
func concreteType(fam family, exprs []planner.Expr) arrow.DataType {
	switch fam {
	case famBool:
		return planner.Boolean
	case famInt:
		return commonIntType(exprs)
	case famDecimal:
		var intDigits, scale int32
		for _, e := range exprs {
			if familyOf(e.Type()) == famNull {
				continue
			}
			p, s := decimalParamsOf(e)
			intDigits, scale = max(intDigits, p-s), max(scale, s)
		}
		return adjustDecimal(intDigits+scale, scale)
	case famFloat:
		for _, e := range exprs {
			if f := familyOf(e.Type()); f != famNull && e.Type().ID() != arrow.FLOAT32 {
				return planner.Float64
			}
		}
		return planner.Float32
	case famString:
		return planner.String
	case famDate:
		return planner.Date
	case famTimestamp:
		return planner.Timestamp
	}
	return planner.Null
}

// commonIntType is the one integer type of the non-literal operands when they agree and every
// integer literal fits in it (so `int_col = 5` leaves the column alone); BIGINT otherwise.
func commonIntType(exprs []planner.Expr) arrow.DataType {
	var t arrow.DataType
	for _, e := range exprs {
		if _, isLit := e.(*planner.Literal); isLit || !planner.IsInteger(e.Type()) {
			continue
		}
		if t == nil {
			t = e.Type()
		} else if !arrow.TypeEqual(t, e.Type()) {
			return planner.Int64
		}
	}
	if t == nil || t.ID() == arrow.UINT64 {
		return planner.Int64
	}
	for _, e := range exprs {
		if lit, ok := e.(*planner.Literal); ok && lit.Value != nil {
			if v, isInt := lit.Value.(int64); !isInt || !intFits(v, t) {
				return planner.Int64
			}
		}
	}
	return t
}

func intFits(v int64, t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8:
		return v >= math.MinInt8 && v <= math.MaxInt8
	case arrow.INT16:
		return v >= math.MinInt16 && v <= math.MaxInt16
	case arrow.INT32:
		return v >= math.MinInt32 && v <= math.MaxInt32
	case arrow.INT64:
		return true
	case arrow.UINT8:
		return v >= 0 && v <= math.MaxUint8
	case arrow.UINT16:
		return v >= 0 && v <= math.MaxUint16
	case arrow.UINT32:
		return v >= 0 && v <= math.MaxUint32
	case arrow.UINT64:
		return v >= 0
	}
	return false
}

// decimalParamsOf returns the precision and scale e needs as a decimal: an integer literal
// needs only its digits (7 is DECIMAL(1,0)), a boolean DECIMAL(1,0), other integers the
// decimal that holds their type (BIGINT is DECIMAL(19,0)).
func decimalParamsOf(e planner.Expr) (p, s int32) {
	if lit, ok := e.(*planner.Literal); ok {
		if v, ok := lit.Value.(int64); ok {
			return digitsOf(v), 0
		}
	}
	if e.Type().ID() == arrow.BOOL {
		return 1, 0
	}
	p, s, _ = planner.DecimalParams(e.Type())
	return p, s
}

func digitsOf(v int64) int32 {
	n := int32(1)
	for v >= 10 || v <= -10 {
		v /= 10
		n++
	}
	return n
}

// adjustDecimal caps a decimal result at Ember's precision 38 the way MySQL caps at its 65:
// the scale MySQL's rules give is kept (at most 30, MySQL's maximum) and the integer digits
// give way. A value that then does not fit is an execution error (overflow), never silently
// wrong; so 100.00 * sum(x) / sum(y) shows the ten fractional digits MySQL shows.
func adjustDecimal(p, s int32) arrow.DataType {
	const maxScale = 30
	if p < 1 {
		p = 1
	}
	s = min(s, maxScale)
	if p <= planner.MaxDecimalPrecision {
		return planner.Decimal(p, s)
	}
	return planner.Decimal(planner.MaxDecimalPrecision, s)
}

// arithTable gives the family both operands of + - * / DIV % are brought to, after NULLs
// adopted the other operand's type and strings became DOUBLE. A missing pair is an error.
var arithTable = map[famPair]family{
	{famInt, famInt}:         famInt,
	{famInt, famDecimal}:     famDecimal,
	{famInt, famFloat}:       famFloat,
	{famDecimal, famDecimal}: famDecimal,
	{famDecimal, famFloat}:   famFloat,
	{famFloat, famFloat}:     famFloat,
}

// decimalRule says how one operator types decimal operands (integers taking part count as
// DECIMAL(digits,0)). unify brings both operands to DECIMAL(max int digits + max scale, max
// scale); otherwise each keeps its own decimal type. result computes the result from the
// operands' (p, s) after that step; nil means the operands' common type; bigint means the
// result is BIGINT.
type decimalRule struct {
	unify  bool
	bigint bool
	result func(p1, s1, p2, s2 int32) (p, s int32)
}

var decimalRules = map[planner.BinaryOp]decimalRule{
	// One more integer digit for the carry.
	planner.OpAdd: {unify: true, result: func(p1, s1, _, _ int32) (int32, int32) { return p1 + 1, s1 }},
	planner.OpSub: {unify: true, result: func(p1, s1, _, _ int32) (int32, int32) { return p1 + 1, s1 }},
	planner.OpMul: {result: func(p1, s1, p2, s2 int32) (int32, int32) { return p1 + p2, s1 + s2 }},
	// Scale s1+4 (MySQL's div_precision_increment). Integer digits: dividing by the smallest
	// nonzero divisor 10^-s2 adds s2 digits to the p1-s1 of the dividend.
	planner.OpDiv:    {result: func(p1, s1, _, s2 int32) (int32, int32) { return p1 - s1 + s2 + s1 + 4, s1 + 4 }},
	planner.OpIntDiv: {unify: true, bigint: true},
	planner.OpMod:    {unify: true},
}

// arithTypes returns the types the operands of op must be cast to and the result type, or
// ok=false when the operand families do not combine. l and r are already free of NULL and
// string types (see binder.arith).
func arithTypes(op planner.BinaryOp, l, r planner.Expr) (lt, rt, res arrow.DataType, ok bool) {
	fam, found := arithTable[pairOf(familyOf(l.Type()), familyOf(r.Type()))]
	if !found {
		return nil, nil, nil, false
	}
	if fam == famInt && op == planner.OpDiv {
		// MySQL: integer / integer is a DECIMAL.
		fam = famDecimal
	}
	switch fam {
	case famInt:
		return planner.Int64, planner.Int64, planner.Int64, true
	case famFloat:
		res = planner.Float64
		if op == planner.OpIntDiv {
			res = planner.Int64
		}
		return planner.Float64, planner.Float64, res, true
	}
	rule := decimalRules[op]
	p1, s1 := decimalParamsOf(l)
	p2, s2 := decimalParamsOf(r)
	if rule.unify {
		intDigits, scale := max(p1-s1, p2-s2), max(s1, s2)
		lt = adjustDecimal(intDigits+scale, scale)
		rt = lt
		p1, s1, _ = planner.DecimalParams(lt)
		p2, s2 = p1, s1
	} else {
		lt, rt = planner.Decimal(p1, s1), planner.Decimal(p2, s2)
	}
	switch {
	case rule.bigint:
		res = planner.Int64
	case rule.result == nil:
		res = lt
	default:
		res = adjustDecimal(rule.result(p1, s1, p2, s2))
	}
	return lt, rt, res, true
}

// castTo returns e as type t: e itself when it has that type, a literal of type t when e is
// a literal that converts exactly at bind time, and a planner.Cast otherwise. A string
// literal that cannot be read as t is a plan error naming where (in).
func castTo(e planner.Expr, t arrow.DataType, in string) (planner.Expr, error) {
	if arrow.TypeEqual(e.Type(), t) {
		return e, nil
	}
	if lit, ok := e.(*planner.Literal); ok {
		v, folded, err := foldLiteral(lit, t, in)
		if err != nil {
			return nil, err
		}
		if folded {
			return planner.NewLiteral(v, t), nil
		}
	}
	return &planner.Cast{E: e, To: t}, nil
}

// foldLiteral converts a literal's value to type t when that is exact; folded is false when
// the conversion is left to a Cast at run time.
func foldLiteral(lit *planner.Literal, t arrow.DataType, in string) (v any, folded bool, err error) {
	if lit.Value == nil {
		return nil, true, nil
	}
	to := familyOf(t)
	switch x := lit.Value.(type) {
	case string:
		switch {
		case to.numeric():
			n, ok := parseNumber(x)
			if !ok {
				return nil, false, errs.Planf("cannot convert %s to a number in %s", lit, in)
			}
			if arrow.TypeEqual(n.Typ, t) {
				return n.Value, true, nil
			}
			return foldLiteral(n, t, in)
		case to == famDate:
			d, ok := parseDate(x)
			if !ok {
				return nil, false, errs.Planf("cannot convert %s to DATE in %s", lit, in)
			}
			return d, true, nil
		case to == famTimestamp:
			ts, ok := parseTimestamp(x)
			if !ok {
				return nil, false, errs.Planf("cannot convert %s to TIMESTAMP in %s", lit, in)
			}
			return ts, true, nil
		}
	case int64:
		switch to {
		case famInt:
			if intFits(x, t) {
				return x, true, nil
			}
		case famDecimal:
			p, s, _ := planner.DecimalParams(t)
			// Check the digits first: the multiplication wraps past 128 bits.
			if digitsOf(x)+s <= p {
				return decimal128.FromI64(x).Mul(decimal128.GetScaleMultiplier(int(s))), true, nil
			}
		case famFloat:
			return float64(x), true, nil
		}
	case float64:
		if to == famFloat {
			if t.ID() == arrow.FLOAT32 {
				return float64(float32(x)), true, nil
			}
			return x, true, nil
		}
	case decimal128.Num:
		_, s1, _ := planner.DecimalParams(lit.Typ)
		switch to {
		case famDecimal:
			p, s, _ := planner.DecimalParams(t)
			// Check the digits first: IncreaseScaleBy panics past 128 bits.
			if s >= s1 && x.FitsInPrecision(p-(s-s1)) {
				return x.IncreaseScaleBy(s - s1), true, nil
			}
		case famFloat:
			return x.ToFloat64(s1), true, nil
		}
	case arrow.Date32:
		if to == famTimestamp {
			return arrow.Timestamp(int64(x) * 86400 * 1_000_000), true, nil
		}
	}
	return nil, false, nil
}

// canCastNested is canCast when either side is an ARRAY or VECTOR: anything becomes VARCHAR,
// NULL becomes anything, ARRAY<A> becomes ARRAY<B> when A casts to B, VECTOR becomes ARRAY<B>
// when FLOAT casts to B, and ARRAY<numeric> becomes VECTOR(n) (the lengths are checked at run
// time).
func canCastNested(from, to arrow.DataType) bool {
	switch {
	case familyOf(to) == famString || familyOf(from) == famNull:
		return true
	case planner.IsNested(from) && planner.IsArray(to):
		return canCast(planner.ElemType(from), planner.ElemType(to))
	case planner.IsArray(from) && planner.IsVector(to):
		e := planner.ElemType(from)
		return planner.IsNumeric(e) || familyOf(e) == famNull
	}
	return false
}

// unifyArgs brings the arguments a function implementing udf.ArgUnifier names (array(1,
// 2.5), array_contains(a, '3')) to their common type, found as unify finds it for CASE
// results or comparison operands. An ARRAY argument whose element type joins the group is
// cast to ARRAY<common type> when its element type differs.
func (s *state) unifyArgs(f udf.ScalarFunction, args []planner.Expr, at ast.Node) ([]planner.Expr, error) {
	u, ok := f.(udf.ArgUnifier)
	if !ok {
		return args, nil
	}
	positions, compare := u.UnifyArgs(argTypes(args))
	if len(positions) == 0 {
		return args, nil
	}
	group := make([]planner.Expr, len(positions))
	for k, p := range positions {
		if p >= 0 {
			group[k] = args[p]
		} else {
			// The element type of ARRAY argument -1-p joins as a stand-in column.
			group[k] = planner.NewColumnRef(planner.Column{Name: "element", Type: planner.ElemType(args[-1-p].Type())})
		}
	}
	ctx := unionCtx
	if compare {
		ctx = compareCtx
	}
	group, t, err := s.unify(ctx, group, at)
	if err != nil {
		return nil, err
	}
	args = append([]planner.Expr(nil), args...)
	for k, p := range positions {
		switch {
		case p >= 0:
			args[p] = group[k]
		case !arrow.TypeEqual(planner.ElemType(args[-1-p].Type()), t):
			if args[-1-p], err = castTo(args[-1-p], planner.ArrayOf(t), s.text(at)); err != nil {
				return nil, err
			}
		}
	}
	return args, nil
}
