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
// what TiDB makes of `expr ± INTERVAL n unit` (ADDDATE(expr, n) arrives with unit DAY).
func (s *state) bindDateAdd(ctx *exprCtx, fn *ast.FuncCallExpr, negate bool) (planner.Expr, error) {
	if len(fn.Args) != 3 {
		return nil, errs.NotImplementedf("%s needs an INTERVAL argument in %s", fn.FnName.L, s.text(fn))
	}
	return s.bindDateArith(ctx, fn, fn.Args[0], fn.Args[1], fn.Args[2], negate)
}

// bindDateArith binds date ± INTERVAL amount unit (also TIMESTAMPADD(unit, amount, date)):
//   - a constant amount (an integer, a quoted integer, a decimal for SECOND, or the
//     'd h:m:s.f'-style string of a combined unit such as DAY_HOUR) on a DATE, TIMESTAMP,
//     NULL or string literal (read at bind time) is planner.AddInterval; a DATE plus a unit
//     below DAY becomes a TIMESTAMP;
//   - otherwise (an amount that is an expression, or a string column) it is the registry's
//     date_add(date, amount, 'UNIT') (udf/datetime.go), with the amount cast to BIGINT
//     (negated for subtraction) and a DATE cast to TIMESTAMP for units below DAY; a string
//     column gives a string, as in MySQL.
func (s *state) bindDateArith(ctx *exprCtx, at ast.Node, dateNode, amountNode, unitNode ast.ExprNode, negate bool) (planner.Expr, error) {
	name := "date_add"
	if fn, ok := at.(*ast.FuncCallExpr); ok {
		name = fn.FnName.L
	}
	unitExpr, ok := unitNode.(*ast.TimeUnitExpr)
	if !ok {
		return nil, errs.Planf("%s needs an INTERVAL argument in %s", name, s.text(at))
	}
	e, err := s.bindExpr(ctx, dateNode)
	if err != nil {
		return nil, err
	}
	switch familyOf(e.Type()) {
	case famNull:
		e = planner.NewLiteral(nil, planner.Date)
	case famString:
		if lit, isLit := e.(*planner.Literal); isLit {
			str, isStr := lit.Value.(string)
			if !isStr {
				e = planner.NewLiteral(nil, planner.Date)
				break
			}
			t, ok := parseTemporal(str)
			if !ok {
				return nil, errs.Planf("cannot convert %s to DATE or TIMESTAMP in %s", lit, s.text(at))
			}
			e = t
		}
	case famDate, famTimestamp:
	default:
		return nil, errs.Planf("%s expects a DATE or TIMESTAMP, got %s in %s", name, planner.TypeString(e.Type()), s.text(at))
	}
	months, days, micros, isConst, err := s.constantInterval(amountNode, unitExpr.Unit, at)
	if err != nil {
		return nil, err
	}
	if isConst && familyOf(e.Type()) == famString {
		// a combined unit on a string column: read the column as a TIMESTAMP
		if _, simple := intervalUnits[unitExpr.Unit]; !simple {
			e = &planner.Cast{E: e, To: planner.Timestamp}
		} else {
			isConst = false
		}
	}
	if isConst {
		if negate {
			months, days, micros = -months, -days, -micros
		}
		typ := e.Type()
		if familyOf(typ) == famDate && micros != 0 {
			typ = planner.Timestamp
		}
		return &planner.AddInterval{E: e, Months: int32(months), Days: int32(days), Micros: micros, Typ: typ}, nil
	}
	unit, simple := intervalUnits[unitExpr.Unit]
	if !simple {
		return nil, errs.NotImplementedf("INTERVAL %s needs a constant amount in %s", unitExpr.Unit, s.text(at))
	}
	f, found := s.funcs().Scalar("date_add")
	caster, isCaster := f.(argCaster)
	if !found || !isCaster {
		// a registry without the built-ins: only constant intervals
		return nil, errs.Planf("INTERVAL value must be an integer constant, got %s", s.text(amountNode))
	}
	n, err := s.bindExpr(ctx, amountNode)
	if err != nil {
		return nil, err
	}
	if familyOf(e.Type()) == famDate && unit.micros != 0 {
		e = &planner.Cast{E: e, To: planner.Timestamp}
	}
	if familyOf(n.Type()) == famNull {
		n = planner.NewLiteral(nil, planner.Int64)
	}
	if n, err = castTo(n, planner.Int64, s.text(at)); err != nil {
		return nil, err
	}
	if negate {
		n = &planner.Negate{E: n}
	}
	return s.scalarCall(f, caster, []planner.Expr{e, n, planner.NewLiteral(unitExpr.Unit.String(), planner.String)}, at)
}

// constantInterval reads INTERVAL amount unit when amount is a constant: months, days and
// microseconds, with isConst false when amount is an expression (the caller binds it). A
// simple unit takes an integer (a decimal for SECOND, giving fractions of a second); a
// combined unit takes its string form ('1 2' DAY_HOUR, '1:30' HOUR_MINUTE, '2-6'
// YEAR_MONTH, ...; parts left out are the leading ones, as in MySQL).
func (s *state) constantInterval(x ast.ExprNode, u ast.TimeUnitType, at ast.Node) (months, days, micros int64, isConst bool, err error) {
	outOfRange := func() error { return errs.Planf("INTERVAL %s %s is out of range in %s", s.text(x), u, s.text(at)) }
	if unit, simple := intervalUnits[u]; simple {
		if u == ast.TimeUnitSecond {
			if f, ok := s.fractionalSeconds(x); ok {
				if math.Abs(f) > 1e15 {
					return 0, 0, 0, false, outOfRange()
				}
				return 0, 0, int64(math.Round(f * 1e6)), true, nil
			}
		}
		n, ok := constantInt(x)
		if !ok {
			return 0, 0, 0, false, nil
		}
		months, days, micros = n*unit.months, n*unit.days, n*unit.micros
		if months != int64(int32(months)) || days != int64(int32(days)) ||
			(unit.micros != 0 && micros/unit.micros != n) {
			return 0, 0, 0, false, outOfRange()
		}
		return months, days, micros, true, nil
	}
	fields, ok := compositeUnits[u]
	if !ok {
		return 0, 0, 0, false, errs.NotImplementedf("INTERVAL unit %s is not supported in %s", u, s.text(at))
	}
	str, neg, ok := constantText(x)
	if !ok {
		return 0, 0, 0, false, nil
	}
	vals, ok := splitInterval(str, len(fields))
	if !ok {
		return 0, 0, 0, false, errs.Planf("invalid INTERVAL '%s' %s in %s", str, u, s.text(at))
	}
	for i, f := range fields {
		v := vals[i]
		switch f {
		case 'Y':
			months += v * 12
		case 'M':
			months += v
		case 'D':
			days += v
		case 'h':
			micros += v * 3600 * 1_000_000
		case 'm':
			micros += v * 60 * 1_000_000
		case 's':
			micros += v * 1_000_000
		case 'f':
			micros += v
		}
		if months > math.MaxInt32 || days > math.MaxInt32 || micros > 1<<62 || v > 1<<40 {
			return 0, 0, 0, false, outOfRange()
		}
	}
	if neg {
		months, days, micros = -months, -days, -micros
	}
	return months, days, micros, true, nil
}

// compositeUnits lists the fields of the combined INTERVAL units, most significant first:
// Y years, M months, D days, h hours, m minutes, s seconds, f microseconds.
var compositeUnits = map[ast.TimeUnitType]string{
	ast.TimeUnitYearMonth:         "YM",
	ast.TimeUnitDayHour:           "Dh",
	ast.TimeUnitDayMinute:         "Dhm",
	ast.TimeUnitDaySecond:         "Dhms",
	ast.TimeUnitDayMicrosecond:    "Dhmsf",
	ast.TimeUnitHourMinute:        "hm",
	ast.TimeUnitHourSecond:        "hms",
	ast.TimeUnitHourMicrosecond:   "hmsf",
	ast.TimeUnitMinuteSecond:      "ms",
	ast.TimeUnitMinuteMicrosecond: "msf",
	ast.TimeUnitSecondMicrosecond: "sf",
}

// splitInterval reads the numbers of a combined interval's text, separated by any
// non-digits, into want fields, right-aligned (missing leading fields are 0). A last field
// of microseconds after a '.' is a fraction (".5" is 500000).
func splitInterval(str string, want int) ([]int64, bool) {
	var nums []int64
	var widths []int
	var seps []byte
	for i := 0; i < len(str); {
		if str[i] < '0' || str[i] > '9' {
			i++
			continue
		}
		j := i
		for j < len(str) && str[j] >= '0' && str[j] <= '9' {
			j++
		}
		if j-i > 12 {
			return nil, false
		}
		v, _ := strconv.ParseInt(str[i:j], 10, 64)
		sep := byte(0)
		if i > 0 {
			sep = str[i-1]
		}
		nums, widths, seps = append(nums, v), append(widths, j-i), append(seps, sep)
		i = j
	}
	if len(nums) == 0 || len(nums) > want {
		return nil, false
	}
	out := make([]int64, want)
	copy(out[want-len(nums):], nums)
	// a fraction of a second: scale the digits after '.' to microseconds
	if k := len(nums) - 1; want > 1 && seps[k] == '.' && widths[k] <= 6 {
		v := out[want-1]
		for w := widths[k]; w < 6; w++ {
			v *= 10
		}
		out[want-1] = v
	}
	return out, true
}

// constantText returns the text of a constant interval amount (a string or a number, either
// negated) and whether it was negated.
func constantText(x ast.ExprNode) (string, bool, bool) {
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
	v, ok := x.(ast.ValueExpr)
	if !ok || v.GetValue() == nil {
		return "", false, false
	}
	str := strings.TrimSpace(fmt.Sprint(v.GetValue()))
	if strings.HasPrefix(str, "-") {
		neg, str = !neg, str[1:]
	}
	return str, neg, true
}

// fractionalSeconds reads a constant non-integer amount (1.5, '0.25', -2.5) as seconds; ok
// is false for integers and expressions, which intervalAmount handles.
func (s *state) fractionalSeconds(x ast.ExprNode) (float64, bool) {
	str, neg, ok := constantText(x)
	if !ok || !strings.Contains(str, ".") {
		return 0, false
	}
	f, err := strconv.ParseFloat(str, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

// intervalAmount reads the constant integer n of INTERVAL n unit (a number, a quoted
// number, or either negated); anything else is a plan error.
func (s *state) intervalAmount(x ast.ExprNode) (int64, error) {
	n, ok := constantInt(x)
	if !ok {
		return 0, errs.Planf("INTERVAL value must be an integer constant, got %s", s.text(x))
	}
	return n, nil
}

// constantInt reads a constant integer amount; ok is false for anything else.
func constantInt(x ast.ExprNode) (int64, bool) {
	str, neg, ok := constantText(x)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(str, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
