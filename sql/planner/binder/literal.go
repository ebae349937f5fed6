package binder

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
)

// bindValue turns a TiDB literal into a typed planner.Literal: integers are BIGINT (an
// unsigned one past BIGINT's range is DECIMAL(20,0)), TRUE/FALSE BOOLEAN, 1.5 a DECIMAL of
// exactly its digits (DECIMAL(2,1)), 1e3 a DOUBLE, strings VARCHAR, and NULL of type NULL
// until a coercion gives it the type it is used as.
func (s *state) bindValue(v ast.ValueExpr) (planner.Expr, error) {
	switch x := v.GetValue().(type) {
	case nil:
		return planner.NewLiteral(nil, planner.Null), nil
	case int64:
		if mysql.HasIsBooleanFlag(v.GetType().GetFlag()) {
			return planner.NewLiteral(x != 0, planner.Boolean), nil
		}
		return planner.NewLiteral(x, planner.Int64), nil
	case uint64:
		if x <= math.MaxInt64 {
			return planner.NewLiteral(int64(x), planner.Int64), nil
		}
		lit, _ := decimalLiteral(strconv.FormatUint(x, 10))
		return lit, nil
	case float64:
		return planner.NewLiteral(x, planner.Float64), nil
	case float32:
		return planner.NewLiteral(float64(x), planner.Float64), nil
	case string:
		return planner.NewLiteral(x, planner.String), nil
	case fmt.Stringer:
		if v.GetType().GetType() != mysql.TypeNewDecimal {
			break
		}
		// TiDB's decimal value (test_driver.MyDecimal); its text is the literal's digits. One
		// of more than 38 digits is read as a DOUBLE, as MySQL does past its 65.
		str := x.String()
		if lit, ok := decimalLiteral(str); ok {
			return lit, nil
		}
		f, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, errs.Planf("invalid numeric literal %s", str)
		}
		return planner.NewLiteral(f, planner.Float64), nil
	}
	return nil, errs.NotImplementedf("literal %s of kind %T is not supported", s.text(v), v.GetValue())
}

// decimalLiteral reads "[-+]digits[.digits]" as a DECIMAL literal whose precision is its
// significant integer digits plus its fraction digits (0.05 is DECIMAL(2,2), 1.50 is
// DECIMAL(3,2)). ok is false for other syntax or more than 38 digits.
func decimalLiteral(str string) (*planner.Literal, bool) {
	neg := false
	if str != "" && (str[0] == '-' || str[0] == '+') {
		neg = str[0] == '-'
		str = str[1:]
	}
	intPart, frac, _ := strings.Cut(str, ".")
	if intPart == "" && frac == "" {
		return nil, false
	}
	for _, part := range []string{intPart, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return nil, false
			}
		}
	}
	intPart = strings.TrimLeft(intPart, "0")
	p, sc := int32(len(intPart)+len(frac)), int32(len(frac))
	if p > planner.MaxDecimalPrecision {
		return nil, false
	}
	if p == 0 {
		p = 1
	}
	digits := intPart + frac
	if digits == "" {
		digits = "0"
	}
	bi, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return nil, false
	}
	if neg {
		bi.Neg(bi)
	}
	return planner.NewLiteral(decimal128.FromBigInt(bi), planner.Decimal(p, sc)), true
}

// parseNumber reads a string as a number literal: BIGINT when it is an integer that fits,
// DECIMAL when it is a plain decimal, DOUBLE for exponent syntax.
func parseNumber(str string) (*planner.Literal, bool) {
	str = strings.TrimSpace(str)
	if i, err := strconv.ParseInt(str, 10, 64); err == nil {
		return planner.NewLiteral(i, planner.Int64), true
	}
	if lit, ok := decimalLiteral(str); ok {
		return lit, true
	}
	if f, err := strconv.ParseFloat(str, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
		return planner.NewLiteral(f, planner.Float64), true
	}
	return nil, false
}

var dateLayouts = []string{"2006-01-02", "2006-1-2"}

var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-1-2 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006-1-2",
}

// parseDate reads 'yyyy-mm-dd' (one-digit month and day allowed).
func parseDate(str string) (arrow.Date32, bool) {
	str = strings.TrimSpace(str)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, str); err == nil {
			return arrow.Date32FromTime(t), true
		}
	}
	return 0, false
}

// parseTimestamp reads 'yyyy-mm-dd[ hh:mm[:ss[.ffffff]]]' as microseconds since the epoch
// (no time zone).
func parseTimestamp(str string) (arrow.Timestamp, bool) {
	str = strings.TrimSpace(str)
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, str); err == nil {
			return arrow.Timestamp(t.UnixMicro()), true
		}
	}
	return 0, false
}

// parseTemporal reads a string as a DATE literal when it is a date alone, else as a TIMESTAMP
// literal; ok is false when it is neither.
func parseTemporal(str string) (*planner.Literal, bool) {
	if d, ok := parseDate(str); ok {
		return planner.NewLiteral(d, planner.Date), true
	}
	if ts, ok := parseTimestamp(str); ok {
		return planner.NewLiteral(ts, planner.Timestamp), true
	}
	return nil, false
}

// bindTemporalLiteral binds DATE '...' and TIMESTAMP '...' (TiDB parses them as calls of
// internal functions whose one argument is the string).
func (s *state) bindTemporalLiteral(fn *ast.FuncCallExpr, typ arrow.DataType, kind string) (planner.Expr, error) {
	if len(fn.Args) != 1 {
		return nil, errs.Planf("%s literal takes one string", kind)
	}
	v, ok := fn.Args[0].(ast.ValueExpr)
	var str string
	if ok {
		str, ok = v.GetValue().(string)
	}
	if !ok {
		return nil, errs.Planf("%s literal must be a quoted string in %s", kind, s.text(fn))
	}
	if typ.ID() == arrow.DATE32 {
		if d, ok := parseDate(str); ok {
			return planner.NewLiteral(d, typ), nil
		}
	} else if ts, ok := parseTimestamp(str); ok {
		return planner.NewLiteral(ts, typ), nil
	}
	return nil, errs.Planf("invalid %s literal '%s'%s", kind, str, s.at(fn, kind))
}

// intervalUnits maps the supported INTERVAL units to their months, days and microseconds.
var intervalUnits = map[ast.TimeUnitType]struct {
	months, days int64
	micros       int64
}{
	ast.TimeUnitMicrosecond: {micros: 1},
	ast.TimeUnitSecond:      {micros: 1_000_000},
	ast.TimeUnitMinute:      {micros: 60 * 1_000_000},
	ast.TimeUnitHour:        {micros: 3600 * 1_000_000},
	ast.TimeUnitDay:         {days: 1},
	ast.TimeUnitWeek:        {days: 7},
	ast.TimeUnitMonth:       {months: 1},
	ast.TimeUnitQuarter:     {months: 3},
	ast.TimeUnitYear:        {months: 12},
}

// bindDateAdd binds DATE_ADD/DATE_SUB/ADDDATE/SUBDATE(expr, INTERVAL n unit), which is also
// what TiDB makes of `expr ± INTERVAL n unit`, into planner.AddInterval. n must be an integer
// constant (a number, a quoted number, or either negated).
func (s *state) bindDateAdd(ctx *exprCtx, fn *ast.FuncCallExpr, negate bool) (planner.Expr, error) {
	if len(fn.Args) != 3 {
		return nil, errs.NotImplementedf("%s needs an INTERVAL argument in %s", fn.FnName.L, s.text(fn))
	}
	unitExpr, ok := fn.Args[2].(*ast.TimeUnitExpr)
	if !ok {
		return nil, errs.Planf("%s needs an INTERVAL argument in %s", fn.FnName.L, s.text(fn))
	}
	unit, ok := intervalUnits[unitExpr.Unit]
	if !ok {
		return nil, errs.NotImplementedf("INTERVAL unit %s is not supported in %s", unitExpr.Unit, s.text(fn))
	}
	n, err := s.intervalAmount(fn.Args[1])
	if err != nil {
		return nil, err
	}
	if negate {
		n = -n
	}
	e, err := s.bindExpr(ctx, fn.Args[0])
	if err != nil {
		return nil, err
	}
	months, days, micros := n*unit.months, n*unit.days, n*unit.micros
	if months != int64(int32(months)) || days != int64(int32(days)) ||
		(unit.micros != 0 && micros/unit.micros != n) {
		return nil, errs.Planf("INTERVAL %d %s is out of range in %s", n, unitExpr.Unit, s.text(fn))
	}
	switch familyOf(e.Type()) {
	case famNull:
		e = planner.NewLiteral(nil, planner.Date)
	case famString:
		lit, isLit := e.(*planner.Literal)
		if !isLit {
			return nil, errs.Planf("%s expects a DATE or TIMESTAMP, got VARCHAR in %s", fn.FnName.L, s.text(fn))
		}
		str, isStr := lit.Value.(string)
		if !isStr {
			e = planner.NewLiteral(nil, planner.Date)
			break
		}
		t, ok := parseTemporal(str)
		if !ok {
			return nil, errs.Planf("cannot convert %s to DATE or TIMESTAMP in %s", lit, s.text(fn))
		}
		e = t
	case famDate, famTimestamp:
	default:
		return nil, errs.Planf("%s expects a DATE or TIMESTAMP, got %s in %s", fn.FnName.L, planner.TypeString(e.Type()), s.text(fn))
	}
	typ := e.Type()
	if familyOf(typ) == famDate && micros != 0 {
		typ = planner.Timestamp
	}
	return &planner.AddInterval{E: e, Months: int32(months), Days: int32(days), Micros: micros, Typ: typ}, nil
}

// intervalAmount reads the constant n of INTERVAL n unit.
func (s *state) intervalAmount(x ast.ExprNode) (int64, error) {
	neg := false
	for {
		if u, ok := x.(*ast.UnaryOperationExpr); ok && (u.Op == opcode.Minus || u.Op == opcode.Plus) {
			if u.Op == opcode.Minus {
				neg = !neg
			}
			x = u.V
			continue
		}
		if p, ok := x.(*ast.ParenthesesExpr); ok {
			x = p.Expr
			continue
		}
		break
	}
	var n int64
	ok := false
	if v, isVal := x.(ast.ValueExpr); isVal {
		switch val := v.GetValue().(type) {
		case int64:
			n, ok = val, true
		case uint64:
			n, ok = int64(val), val <= math.MaxInt64
		case string:
			i, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
			n, ok = i, err == nil
		}
	}
	if !ok {
		return 0, errs.Planf("INTERVAL value must be an integer constant, got %s", s.text(x))
	}
	if neg {
		n = -n
	}
	return n, nil
}
