// Column: the typed expression builder of the DataFrame API (Spark's Column and functions).
//
// # How Columns render
//
// A DataFrame is SQL text that the session parses, binds and optimizes, so a Column is an
// unresolved expression kept as SQL text in Ember's dialect (MySQL as TiDB parses it, plus
// the extensions of sql/parser: NULLS FIRST/LAST, CAST to INTEGER/STRING/BOOLEAN/TIMESTAMP).
// Nothing is resolved here: an unknown column or function is an error of the binder when the
// DataFrame runs. The rules:
//
//   - Identifiers are always back-quoted (a back quote inside is doubled): Col("t.c") is
//     `t`.`c`. Function names are written as given, lower case for the built-in helpers.
//   - Literals: NULL, TRUE/FALSE, integers as digits, floats with an exponent (1.5e0, so
//     they bind as DOUBLE, not DECIMAL), strings in '...' with a quote doubled and
//     backslash, newline, return, tab, NUL and Ctrl-Z written as MySQL's escapes, time.Time
//     as TIMESTAMP 'yyyy-mm-dd hh:mm:ss[.ffffff]' in UTC, Date as DATE 'yyyy-mm-dd', Decimal
//     as its digits.
//   - Each Column records the precedence of its outermost operator (prec); an operator
//     parenthesizes an operand only where MySQL's precedence needs it, so the text stays
//     readable (a + b + c, (a + b) * c). Expr's raw text is always parenthesized as an
//     operand or argument.
//   - A Column keeps the first error of its construction (a NaN literal, a bad CAST type, a
//     bad name); every Column derived from it carries that error, and the DataFrame action
//     that uses it returns it. SQL() of a Column with an error is not meaningful.
//   - The alias and the sort order are not part of SQL(): they belong to a select item
//     (selectSQL) and an ORDER BY item (orderSQL). An alias is dropped when the Column is an
//     operand; a sort order is refused there.
//
// Arguments typed any follow one rule. Where a function takes a column (Sum, Avg, Lower,
// Concat, Coalesce, CountDistinct, the first argument of Round, Substring, Lag, ...; and
// PartitionBy/OrderBy), a string is a column NAME (as Spark's functions taking colName) and
// other Go values are literals. Where a method takes an operand (Plus, EqualTo, IsIn,
// Between, When's value, Otherwise, Lag's default, Call's arguments), a string is a string
// LITERAL. A Column is always itself.
//
// # How to add a function
//
// A function of the SQL registry needs no code: Call("name", args...) reaches it. To give it
// a typed helper, add a one-line func next to its family below (aggregates, scalars,
// windows) returning call("sql_name", ...) over columnOf(x) for column arguments and
// valueOf(x) for operands, and add a row to columnCases in column_test.go: TestColumnSQL
// checks its text and TestColumnParses that Ember's parser accepts it.

package dataframe

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
)

// Precedence of a Column's outermost operator, lowest first (MySQL's order). An operand of
// a lower precedence than its operator is parenthesized.
const (
	precRaw     = iota // Expr's text: unknown, so always parenthesized as an operand
	precOr             // OR
	precAnd            // AND
	precNot            // NOT
	precBetween        // BETWEEN ... AND ...
	precCompare        // = <=> <> < <= > >= IS NULL LIKE REGEXP IN
	precAdd            // + -
	precMul            // * / %
	precUnary          // a negative number: -1
	precAtom           // names, literals, calls, CASE ... END, CAST(...), windows
)

// Sort direction and NULLS placement of an ordering Column (Asc, Desc, ...).
type sortDir uint8

const (
	sortNone sortDir = iota
	sortAsc
	sortDesc
)

type nullsPlace uint8

const (
	nullsDefault nullsPlace = iota // NULLs first under ASC, last under DESC (MySQL, Spark)
	nullsFirst
	nullsLast
)

// Column is an unresolved SQL expression of the DataFrame API, rendered as SQL text in
// Ember's dialect. Columns are immutable values: every method returns a new Column and
// leaves its receiver unchanged, so one Column may be reused in many expressions. The zero
// Column is invalid (Err reports it once it is used).
type Column struct {
	sql   string
	prec  int8
	alias string
	hasAs bool // alias set (Alias/As)
	dir   sortDir
	nulls nullsPlace
	// whens holds the WHEN ... THEN ... arms of a CASE built by When and not yet closed by
	// Otherwise; nil for any other Column. sql already renders them with an implicit ELSE
	// NULL. Never appended in place (copied first), so Columns never share arms.
	whens []string
	err   error
}

// SQL returns the expression's SQL text, without its alias or sort order.
func (c Column) SQL() string { return c.sql }

// String returns the Column as a select item (with " AS `alias`") or, for an ordering
// Column, as an ORDER BY item; a Column with an error shows the error.
func (c Column) String() string {
	if err := c.Err(); err != nil {
		return "<invalid column: " + err.Error() + ">"
	}
	if c.dir != sortNone {
		return c.orderSQL()
	}
	return c.selectSQL()
}

// Err returns the first error made while building the Column or any Column it was built
// from (an unsupported literal, a bad name, CAST type or window frame), or nil. The
// DataFrame action using the Column returns this error. The errors are plan errors
// (errors.Is(err, errs.ErrPlan)), except Expr's parse errors (errs.ErrParse).
func (c Column) Err() error {
	if c.err == nil && c.sql == "" {
		return errs.Planf("empty Column: build Columns with Col, Lit, Expr or a function")
	}
	return c.err
}

// selectSQL renders the Column as a select-list item: the expression and its alias.
func (c Column) selectSQL() string {
	if c.hasAs {
		return c.sql + " AS " + sqlIdent(c.alias)
	}
	return c.sql
}

// orderSQL renders the Column as an ORDER BY item: the expression, ASC or DESC when the
// Column is an ordering one, and NULLS FIRST/LAST when one was asked for. The alias is not
// rendered.
func (c Column) orderSQL() string {
	s := c.sql
	switch c.dir {
	case sortAsc:
		s += " ASC"
	case sortDesc:
		s += " DESC"
	}
	switch c.nulls {
	case nullsFirst:
		s += " NULLS FIRST"
	case nullsLast:
		s += " NULLS LAST"
	}
	return s
}

// ---- constructors ----

// Col returns the column called name: "c", "t.c" or "db.t.c" (qualified), "*" or "t.*".
// A part may be back-quoted to hold dots or spaces ("`a.b`" is one column named a.b; a
// back quote inside a quoted part is doubled, as in SQL); unquoted parts may hold any
// character but '.' and '`'. Every part is rendered back-quoted, so reserved words and odd
// names need no care: Col("order") is `order`. Resolution happens when the DataFrame runs.
func Col(name string) Column {
	parts, err := splitName(name)
	if err != nil {
		return errColumn(err)
	}
	q := make([]string, len(parts))
	for i, p := range parts {
		if p.star {
			q[i] = "*"
		} else {
			q[i] = sqlIdent(p.name)
		}
	}
	return Column{sql: strings.Join(q, "."), prec: precAtom}
}

// namePart is one dot-separated part of a column name: an identifier, or an unquoted *.
type namePart struct {
	name string
	star bool
}

// splitName splits a column name at dots outside back quotes and unquotes its parts.
func splitName(name string) ([]namePart, error) {
	if name == "" {
		return nil, errs.Planf("Col: empty column name")
	}
	var parts []namePart
	for i := 0; ; {
		var part namePart
		if name[i] == '`' {
			var b strings.Builder
			j := i + 1
			for {
				k := strings.IndexByte(name[j:], '`')
				if k < 0 {
					return nil, errs.Planf("Col: unterminated back quote in column name %q", name)
				}
				b.WriteString(name[j : j+k])
				j += k + 1
				if j < len(name) && name[j] == '`' {
					b.WriteByte('`')
					j++
					continue
				}
				break
			}
			part.name, i = b.String(), j
			if part.name == "" {
				return nil, errs.Planf("Col: empty quoted part in column name %q", name)
			}
		} else {
			j := i
			for j < len(name) && name[j] != '.' {
				if name[j] == '`' {
					return nil, errs.Planf("Col: back quote inside an unquoted part of column name %q (quote the part: `a``b`)", name)
				}
				j++
			}
			part.name, i = name[i:j], j
			if part.name == "" {
				return nil, errs.Planf("Col: empty part in column name %q", name)
			}
			part.star = part.name == "*"
		}
		parts = append(parts, part)
		if i == len(name) {
			break
		}
		if name[i] != '.' {
			return nil, errs.Planf("Col: expected '.' after a quoted part in column name %q", name)
		}
		i++
		if i == len(name) {
			return nil, errs.Planf("Col: column name %q ends with '.'", name)
		}
	}
	if len(parts) > 3 {
		return nil, errs.Planf("Col: column name %q has %d parts; at most db.table.column", name, len(parts))
	}
	for _, p := range parts[:len(parts)-1] {
		if p.star {
			return nil, errs.Planf("Col: '*' must be the last part of column name %q", name)
		}
	}
	return parts, nil
}

// Lit returns a literal: nil (and a nil pointer) is NULL; bool is TRUE/FALSE; Go's integers
// are BIGINT (a uint64 past BIGINT's range binds as DECIMAL(20,0)); float32 and float64
// are DOUBLE (NaN and ±Inf have no SQL form: error); a string is VARCHAR (it must be valid
// UTF-8); time.Time is a TIMESTAMP of its UTC wall clock, truncated to microseconds (years
// 0 to 9999); a driver.Valuer (sql.NullInt64, ...) is its Value; a pointer is its target; a
// Column (or *Column) is returned as it is. []byte (BINARY strings are not supported),
// time.Duration and other types are errors kept in the Column. See Date and Decimal for
// DATE and DECIMAL literals. Named types (type Score float64) are literals of their
// underlying kind.
func Lit(v any) Column {
	switch x := v.(type) {
	case Column:
		return x
	case *Column:
		if x == nil {
			return errColumn(errs.Planf("Lit: a nil *Column"))
		}
		return *x
	}
	s, prec, err := literal(v)
	if err != nil {
		return errColumn(err)
	}
	return Column{sql: s, prec: prec}
}

// literal renders v as a SQL literal and its precedence (a negative number is a unary
// minus).
func literal(v any) (string, int8, error) {
	num := func(s string) (string, int8, error) {
		if strings.HasPrefix(s, "-") {
			return s, precUnary, nil
		}
		return s, precAtom, nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return "NULL", precAtom, nil // also before a driver.Valuer's method runs on nil
	}
	switch x := v.(type) {
	case nil:
		return "NULL", precAtom, nil
	case Column:
		return "", 0, errs.Planf("Lit: a Column inside a %T is not a value", v)
	case bool:
		if x {
			return "TRUE", precAtom, nil
		}
		return "FALSE", precAtom, nil
	case string:
		if !utf8.ValidString(x) {
			return "", 0, errs.Planf("Lit: string %q is not valid UTF-8", x)
		}
		return quoteString(x), precAtom, nil
	case []byte:
		return "", 0, errs.Planf("Lit: []byte literals are not supported (Ember has no BINARY strings); convert to string for text")
	case time.Time:
		s, err := timestampLiteral(x)
		return s, precAtom, err
	case time.Duration:
		return "", 0, errs.Planf("Lit: time.Duration %s has no SQL literal; write an interval with Expr(\"INTERVAL n unit\")", x)
	case driver.Valuer:
		dv, err := x.Value()
		if err != nil {
			return "", 0, errs.Wrap(errs.ErrPlan, err, "Lit: %T.Value", v)
		}
		if _, again := dv.(driver.Valuer); again {
			return "", 0, errs.Planf("Lit: %T.Value returned another driver.Valuer", v)
		}
		return literal(dv)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return num(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return num(strconv.FormatUint(rv.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return "", 0, errs.Planf("Lit: %v has no SQL literal", f)
		}
		bits := 64
		if rv.Kind() == reflect.Float32 {
			bits = 32
		}
		s := strconv.FormatFloat(f, 'g', -1, bits)
		if !strings.ContainsAny(s, "e") {
			s += "e0" // an exponent makes MySQL read a DOUBLE, not a DECIMAL
		}
		return num(s)
	case reflect.String:
		return literal(rv.String())
	case reflect.Bool:
		return literal(rv.Bool())
	case reflect.Pointer:
		return literal(rv.Elem().Interface())
	}
	return "", 0, errs.Planf("Lit: values of type %T have no SQL literal", v)
}

// quoteString renders s as a MySQL string literal: ' doubled, backslash and the control
// characters MySQL's escapes name written as escapes (the text stays on one line).
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			b.WriteString("''")
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case 0:
			b.WriteString(`\0`)
		case 0x1a:
			b.WriteString(`\Z`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// timestampLiteral renders t's UTC wall clock as TIMESTAMP 'yyyy-mm-dd hh:mm:ss[.ffffff]',
// truncated to microseconds (Ember's TIMESTAMP resolution).
func timestampLiteral(t time.Time) (string, error) {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return "", errs.Planf("Lit: time %s is outside the years 0 to 9999 of TIMESTAMP", t.Format(time.RFC3339))
	}
	s := t.Format("2006-01-02 15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return "TIMESTAMP '" + s + "'", nil
}

// Date returns the DATE literal year-month-day (DATE 'yyyy-mm-dd'). An invalid date
// (February 30, month 13, a year outside 0 to 9999) is an error kept in the Column.
func Date(year int, month time.Month, day int) Column {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	if t.Year() != year || t.Month() != month || t.Day() != day || year < 0 || year > 9999 {
		return errColumn(errs.Planf("Date: %04d-%02d-%02d is not a valid date", year, int(month), day))
	}
	return Column{sql: "DATE '" + t.Format("2006-01-02") + "'", prec: precAtom}
}

// Decimal returns an exact DECIMAL literal from its text "[-]digits[.digits]" (at most 38
// digits, Ember's DECIMAL precision): Decimal("1.50") binds as DECIMAL(3,2), as the SQL
// literal 1.50 does. Other text is an error kept in the Column.
func Decimal(s string) Column {
	intPart, frac, hasDot := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	ok := intPart != "" && (!hasDot || frac != "")
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				ok = false
			}
		}
	}
	if !ok {
		return errColumn(errs.Planf("Decimal: %q is not a decimal number ([-]digits[.digits])", s))
	}
	if digits := len(strings.TrimLeft(intPart, "0")) + len(frac); digits > 38 {
		return errColumn(errs.Planf("Decimal: %q has %d digits; DECIMAL holds at most 38", s, digits))
	}
	if strings.HasPrefix(s, "-") {
		return Column{sql: s, prec: precUnary}
	}
	return Column{sql: s, prec: precAtom}
}

// Expr returns a Column of raw SQL text in Ember's dialect, as Spark's expr(): for example
// Expr("date_add(d, INTERVAL 1 DAY)"). The text must be one expression (no alias: use
// Alias); it is checked at once by parsing SELECT (text) FROM t, and a parse error is kept
// in the Column. As an operand or argument the text is parenthesized.
func Expr(sql string) Column {
	if strings.TrimSpace(sql) == "" {
		return errColumn(errs.Planf("Expr: empty expression"))
	}
	const prefix, suffix = "SELECT (", ") FROM t"
	stmts, err := parser.Parse(prefix + sql + suffix)
	if err != nil {
		return errColumn(errs.Wrap(errs.ErrParse, exprPosition(err, sql, len(prefix), suffix), "Expr(%q) is not one SQL expression", sql))
	}
	if len(stmts) != 1 {
		return errColumn(errs.Parsef("Expr(%q) is not one SQL expression: it holds a ';'", sql))
	}
	return Column{sql: sql, prec: precRaw}
}

// exprPosition moves a parse error of the text prefix+sql+suffix to the position in sql,
// or says that the expression ended too early when it points past sql.
func exprPosition(err error, sql string, prefix int, suffix string) error {
	var pe *parser.Error
	if !errors.As(err, &pe) {
		return err
	}
	e := *pe
	e.Near = strings.TrimSuffix(e.Near, suffix)
	if e.Line == 1 {
		e.Column -= prefix // the prefix is ASCII: characters are bytes
	}
	lines := strings.Split(sql, "\n")
	if e.Line > len(lines) || e.Line == len(lines) && e.Column > utf8.RuneCountInString(lines[len(lines)-1]) {
		return fmt.Errorf("%s at the end of the expression", e.Msg)
	}
	return &e
}

// errColumn is a Column that only carries err.
func errColumn(err error) Column {
	return Column{sql: "__ember_invalid", prec: precAtom, err: err}
}

// ---- argument conventions ----

// valueOf turns an operand argument into a Column: a Column is itself, anything else a
// literal (a string is a string literal).
func valueOf(v any) Column {
	if c, ok := v.(Column); ok {
		return c
	}
	return Lit(v)
}

// columnOf turns a column argument into a Column: a Column is itself, a string a column
// name (Col), anything else a literal.
func columnOf(v any) Column {
	switch x := v.(type) {
	case Column:
		return x
	case string:
		return Col(x)
	}
	return Lit(v)
}

// firstErr returns the first error of cs: a Column's own error, or the refusal of a sort
// order used as a value.
func firstErr(cs ...Column) error {
	for _, c := range cs {
		if err := c.Err(); err != nil {
			return err
		}
		if c.dir != sortNone {
			return errs.Planf("sort order %s cannot be used as a value; use it in OrderBy or WindowSpec.OrderBy", c.orderSQL())
		}
	}
	return nil
}

// operand renders c as an operand of an operator of precedence prec: parenthesized when its
// own precedence is below prec, or equal to it and strict (a right operand, or either
// operand of a non-associative operator).
func operand(c Column, prec int8, strict bool) string {
	if c.prec < prec || (strict && c.prec == prec) || c.prec == precRaw {
		return "(" + c.sql + ")"
	}
	return c.sql
}

// arg renders c as a function argument or a CASE part: only raw Expr text is parenthesized.
func arg(c Column) string {
	if c.prec == precRaw {
		return "(" + c.sql + ")"
	}
	return c.sql
}

// derived builds a Column from parts whose first error it carries.
func derived(sql string, prec int8, from ...Column) Column {
	if err := firstErr(from...); err != nil {
		return Column{sql: sql, prec: prec, err: err}
	}
	return Column{sql: sql, prec: prec}
}

func binary(l Column, op string, prec int8, assoc bool, r Column) Column {
	return derived(operand(l, prec, !assoc)+" "+op+" "+operand(r, prec, true), prec, l, r)
}

// ---- operators ----

// Plus returns c + other (other: a Column or a Go value, a string being a literal).
func (c Column) Plus(other any) Column { return binary(c, "+", precAdd, true, valueOf(other)) }

// Minus returns c - other.
func (c Column) Minus(other any) Column { return binary(c, "-", precAdd, true, valueOf(other)) }

// Multiply returns c * other.
func (c Column) Multiply(other any) Column { return binary(c, "*", precMul, true, valueOf(other)) }

// Divide returns c / other with Ember's SQL semantics (MySQL's: integers divide into a
// DECIMAL, division by zero is NULL; Spark's divide gives a DOUBLE).
func (c Column) Divide(other any) Column { return binary(c, "/", precMul, true, valueOf(other)) }

// Mod returns c % other (MySQL's: the sign of c, NULL for 0).
func (c Column) Mod(other any) Column { return binary(c, "%", precMul, true, valueOf(other)) }

func (c Column) compare(op string, other any) Column {
	return binary(c, op, precCompare, false, valueOf(other))
}

// EqualTo returns c = other.
func (c Column) EqualTo(other any) Column { return c.compare("=", other) }

// NotEqual returns c <> other.
func (c Column) NotEqual(other any) Column { return c.compare("<>", other) }

// Gt returns c > other.
func (c Column) Gt(other any) Column { return c.compare(">", other) }

// Ge returns c >= other.
func (c Column) Ge(other any) Column { return c.compare(">=", other) }

// Lt returns c < other.
func (c Column) Lt(other any) Column { return c.compare("<", other) }

// Le returns c <= other.
func (c Column) Le(other any) Column { return c.compare("<=", other) }

// EqNullSafe returns c <=> other: true when both are NULL, false when one is.
func (c Column) EqNullSafe(other any) Column { return c.compare("<=>", other) }

// logical joins two conditions; a BETWEEN operand is parenthesized for readability (its own
// AND would otherwise sit next to the connective).
func logical(l Column, op string, prec int8, r Column) Column {
	ls, rs := operand(l, prec, false), operand(r, prec, true)
	if l.prec == precBetween {
		ls = "(" + l.sql + ")"
	}
	if r.prec == precBetween {
		rs = "(" + r.sql + ")"
	}
	return derived(ls+" "+op+" "+rs, prec, l, r)
}

// And returns c AND other (three-valued logic).
func (c Column) And(other Column) Column { return logical(c, "AND", precAnd, other) }

// Or returns c OR other (three-valued logic).
func (c Column) Or(other Column) Column { return logical(c, "OR", precOr, other) }

// Not returns NOT c.
func (c Column) Not() Column { return derived("NOT "+operand(c, precNot, true), precNot, c) }

// Not returns NOT c (Spark's not(col)).
func Not(c Column) Column { return c.Not() }

// IsNull returns c IS NULL.
func (c Column) IsNull() Column {
	return derived(operand(c, precCompare, true)+" IS NULL", precCompare, c)
}

// IsNotNull returns c IS NOT NULL.
func (c Column) IsNotNull() Column {
	return derived(operand(c, precCompare, true)+" IS NOT NULL", precCompare, c)
}

// IsIn returns c IN (values...). Values are operands (a string is a literal); a slice or
// array argument (other than []byte) is spread, so IsIn(ids) works for ids []int64. An
// empty list is an error (SQL has no empty IN list).
func (c Column) IsIn(values ...any) Column {
	var items []Column
	for _, v := range values {
		rv := reflect.ValueOf(v)
		if _, isBytes := v.([]byte); !isBytes && (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array) {
			for i := 0; i < rv.Len(); i++ {
				items = append(items, valueOf(rv.Index(i).Interface()))
			}
			continue
		}
		items = append(items, valueOf(v))
	}
	if len(items) == 0 {
		return errColumn(firstErrOr(errs.Planf("IsIn: empty value list"), c))
	}
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = arg(it)
	}
	return derived(operand(c, precCompare, true)+" IN ("+strings.Join(parts, ", ")+")",
		precCompare, append([]Column{c}, items...)...)
}

// firstErrOr returns the first error of cs, or err when they have none (a Column's own
// error comes before the error of the call using it).
func firstErrOr(err error, cs ...Column) error {
	if e := firstErr(cs...); e != nil {
		return e
	}
	return err
}

// Between returns c BETWEEN lo AND hi (both bounds included; operands).
func (c Column) Between(lo, hi any) Column {
	l, h := valueOf(lo), valueOf(hi)
	return derived(operand(c, precCompare, true)+" BETWEEN "+operand(l, precCompare, true)+
		" AND "+operand(h, precCompare, true), precBetween, c, l, h)
}

// Like returns c LIKE pattern: % and _ are wildcards, \ escapes them; case-sensitive.
func (c Column) Like(pattern string) Column {
	p := Lit(pattern)
	return derived(operand(c, precCompare, true)+" LIKE "+p.sql, precCompare, c, p)
}

// RLike returns c REGEXP pattern (Go's RE2 syntax; regexp_like).
func (c Column) RLike(pattern string) Column {
	p := Lit(pattern)
	return derived(operand(c, precCompare, true)+" REGEXP "+p.sql, precCompare, c, p)
}

// StartsWith returns starts_with(c, prefix) (prefix: an operand).
func (c Column) StartsWith(prefix any) Column { return call("starts_with", c, valueOf(prefix)) }

// EndsWith returns ends_with(c, suffix) (suffix: an operand).
func (c Column) EndsWith(suffix any) Column { return call("ends_with", c, valueOf(suffix)) }

// Alias returns c named name in a select list (rendered `AS name`, any name allowed). The
// alias is dropped where c is an operand, and by ordering methods (Asc, ...).
func (c Column) Alias(name string) Column {
	if name == "" && c.err == nil {
		return Column{sql: c.sql, prec: c.prec, err: errs.Planf("Alias: empty name for %s", c.sql)}
	}
	out := c.closed()
	out.alias, out.hasAs = name, true
	return out
}

// As is Alias.
func (c Column) As(name string) Column { return c.Alias(name) }

// closed returns c without an open CASE's arms (When after it is an error).
func (c Column) closed() Column {
	c.whens = nil
	return c
}

// castTypes are the CAST target types accepted, by upper-case name, with the number of
// parameters allowed (min, max). They are those Ember's binder supports (after the parser's
// rewrites of INTEGER, INT, BIGINT, VARCHAR, TEXT, STRING, TIMESTAMP and BOOLEAN).
var castTypes = map[string][2]int{
	"SIGNED": {0, 0}, "INTEGER": {0, 0}, "INT": {0, 0}, "BIGINT": {0, 0},
	"DOUBLE": {0, 0}, "REAL": {0, 0}, "FLOAT": {0, 0},
	"DECIMAL": {0, 2},
	"CHAR":    {0, 1}, "VARCHAR": {0, 0}, "TEXT": {0, 0}, "STRING": {0, 0},
	"DATE": {0, 0}, "DATETIME": {0, 1}, "TIMESTAMP": {0, 1},
	"BOOLEAN": {0, 0}, "BOOL": {0, 0},
	"VECTOR": {1, 1},
}

// Cast returns CAST(c AS typ). typ is one of (case-insensitive): SIGNED [INTEGER], INTEGER,
// INT, BIGINT (all BIGINT); DOUBLE, REAL, FLOAT; DECIMAL[(p[,s])] (p ≤ 38, s ≤ p); CHAR[(n)],
// VARCHAR, TEXT, STRING (all VARCHAR); DATE; DATETIME[(n)], TIMESTAMP[(n)] (n ≤ 6);
// BOOLEAN, BOOL; VECTOR(n). Others are errors kept in the Column: UNSIGNED (Ember has no
// unsigned integers), VARCHAR(n) (MySQL's CAST has no such type; use CHAR(n)), BINARY, TIME
// and JSON (not supported).
func (c Column) Cast(typ string) Column {
	t, err := castType(typ)
	if err != nil {
		return errColumn(firstErrOr(err, c))
	}
	return derived("CAST("+arg(c)+" AS "+t+")", precAtom, c)
}

// castType validates and normalizes a CAST target type: upper case, single spaces, no
// spaces inside the parentheses.
func castType(typ string) (string, error) {
	s := strings.ToUpper(strings.TrimSpace(typ))
	name, params, hasParams := strings.Cut(s, "(")
	name = strings.Join(strings.Fields(name), " ")
	var nums []int
	if hasParams {
		inner, ok := strings.CutSuffix(strings.TrimSpace(params), ")")
		if !ok {
			return "", errs.Planf("Cast: malformed type %q", typ)
		}
		for _, p := range strings.Split(inner, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil || n < 0 {
				return "", errs.Planf("Cast: malformed type %q", typ)
			}
			nums = append(nums, n)
		}
	}
	switch name {
	case "SIGNED INTEGER", "SIGNED INT":
		name = "SIGNED"
	case "UNSIGNED", "UNSIGNED INTEGER", "UNSIGNED INT":
		return "", errs.Planf("Cast: %q: Ember has no unsigned integers; cast to SIGNED", typ)
	}
	limits, ok := castTypes[name]
	if !ok {
		return "", errs.Planf("Cast: unsupported type %q (SIGNED, INTEGER, BIGINT, DOUBLE, FLOAT, DECIMAL(p,s), CHAR, VARCHAR, STRING, DATE, DATETIME, TIMESTAMP, BOOLEAN, VECTOR(n))", typ)
	}
	if len(nums) < limits[0] || len(nums) > limits[1] {
		if name == "VARCHAR" {
			return "", errs.Planf("Cast: %q: CAST has no VARCHAR(n); use VARCHAR or CHAR(n)", typ)
		}
		return "", errs.Planf("Cast: %q takes %d to %d parameters", typ, limits[0], limits[1])
	}
	switch {
	case name == "DECIMAL" && len(nums) > 0 && (nums[0] < 1 || nums[0] > 38):
		return "", errs.Planf("Cast: %q: DECIMAL precision must be 1 to 38", typ)
	case name == "DECIMAL" && len(nums) == 2 && nums[1] > nums[0]:
		return "", errs.Planf("Cast: %q: DECIMAL scale is more than its precision", typ)
	case (name == "DATETIME" || name == "TIMESTAMP") && len(nums) == 1 && nums[0] > 6:
		return "", errs.Planf("Cast: %q: fractional seconds precision must be 0 to 6", typ)
	case name == "VECTOR" && nums[0] < 1:
		return "", errs.Planf("Cast: %q: VECTOR needs at least one dimension", typ)
	}
	if len(nums) > 0 {
		ps := make([]string, len(nums))
		for i, n := range nums {
			ps[i] = strconv.Itoa(n)
		}
		name += "(" + strings.Join(ps, ",") + ")"
	}
	return name, nil
}

// ---- ordering ----

func (c Column) ordered(d sortDir, n nullsPlace) Column {
	out := c.closed()
	out.alias, out.hasAs = "", false
	out.dir, out.nulls = d, n
	return out
}

// Asc returns c as an ascending sort key (NULLs first, as MySQL and Spark). Ordering
// Columns are for OrderBy and WindowSpec.OrderBy only; as a value they are an error.
func (c Column) Asc() Column { return c.ordered(sortAsc, nullsDefault) }

// Desc returns c as a descending sort key (NULLs last).
func (c Column) Desc() Column { return c.ordered(sortDesc, nullsDefault) }

// AscNullsFirst returns c ASC NULLS FIRST.
func (c Column) AscNullsFirst() Column { return c.ordered(sortAsc, nullsFirst) }

// AscNullsLast returns c ASC NULLS LAST.
func (c Column) AscNullsLast() Column { return c.ordered(sortAsc, nullsLast) }

// DescNullsFirst returns c DESC NULLS FIRST.
func (c Column) DescNullsFirst() Column { return c.ordered(sortDesc, nullsFirst) }

// DescNullsLast returns c DESC NULLS LAST.
func (c Column) DescNullsLast() Column { return c.ordered(sortDesc, nullsLast) }

// ---- CASE ----

// When starts a CASE expression: WHEN cond THEN value (value: an operand). Add arms with
// the When method and close it with Otherwise; without Otherwise the CASE is complete and
// gives NULL when no arm matches (ELSE NULL), as Spark's when.
func When(cond Column, value any) Column {
	return Column{whens: []string{}}.When(cond, value)
}

// When adds an arm WHEN cond THEN value to a CASE started by the package function When.
// On any other Column it is an error kept in the result.
func (c Column) When(cond Column, value any) Column {
	if c.whens == nil {
		return errColumn(firstErrOr(errs.Planf("When: %s is not a CASE started by When (or it was already closed by Otherwise, Alias or an ordering)", c.sql), c))
	}
	v := valueOf(value)
	whens := append(c.whens[:len(c.whens):len(c.whens)], "WHEN "+arg(cond)+" THEN "+arg(v))
	out := Column{sql: "CASE " + strings.Join(whens, " ") + " END", prec: precAtom, whens: whens}
	if len(c.whens) == 0 {
		out.err = firstErr(cond, v)
	} else {
		out.err = firstErr(c, cond, v)
	}
	return out
}

// Otherwise closes a CASE started by When with ELSE value (an operand). On any other Column
// it is an error kept in the result.
func (c Column) Otherwise(value any) Column {
	if c.whens == nil {
		return errColumn(firstErrOr(errs.Planf("Otherwise: %s is not a CASE started by When (or it was already closed)", c.sql), c))
	}
	v := valueOf(value)
	return derived("CASE "+strings.Join(c.whens, " ")+" ELSE "+arg(v)+" END", precAtom, c, v)
}

// ---- functions ----

// call renders name(args...); its Column carries the first error of args.
func call(name string, args ...Column) Column {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = arg(a)
	}
	return derived(name+"("+strings.Join(parts, ", ")+")", precAtom, args...)
}

// Call returns a call of any function in the session's registry, such as a model's UDF:
// Call("predict", Col("features")). Arguments are operands (a string is a string literal;
// pass Col("x") for a column). name must be an identifier (letters, digits, _; not
// starting with a digit); it is written as given and resolved when the DataFrame runs.
func Call(name string, args ...any) Column {
	if !isIdentifier(name) {
		return errColumn(errs.Planf("Call: %q is not a function name (letters, digits and _ only)", name))
	}
	if strings.HasPrefix(strings.ToLower(name), "__ember_") {
		return errColumn(errs.Planf("Call: names starting with __ember_ are reserved: %q", name))
	}
	cs := make([]Column, len(args))
	for i, a := range args {
		cs[i] = valueOf(a)
	}
	return call(name, cs...)
}

func isIdentifier(s string) bool {
	if s == "" || (s[0] >= '0' && s[0] <= '9') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// Aggregates. col is a column argument: a Column or a column name.

// Sum returns sum(col).
func Sum(col any) Column { return call("sum", columnOf(col)) }

// Avg returns avg(col) (DECIMAL for integers and decimals, DOUBLE for floats; see SQL.md).
func Avg(col any) Column { return call("avg", columnOf(col)) }

// Mean is Avg.
func Mean(col any) Column { return Avg(col) }

// Count returns count(col); Count("*") (or Count(Col("*"))) is count(*).
func Count(col any) Column { return call("count", columnOf(col)) }

// CountDistinct returns count(DISTINCT cols...): the number of distinct non-NULL rows of
// cols. At least one column is needed.
func CountDistinct(cols ...any) Column {
	if len(cols) == 0 {
		return errColumn(errs.Planf("CountDistinct: no columns"))
	}
	cs := make([]Column, len(cols))
	for i, c := range cols {
		cs[i] = columnOf(c)
	}
	c := call("count", cs...)
	c.sql = "count(DISTINCT " + strings.TrimPrefix(c.sql, "count(")
	return c
}

// ApproxCountDistinct returns approx_count_distinct(col) (HyperLogLog, 0.8% error).
func ApproxCountDistinct(col any) Column { return call("approx_count_distinct", columnOf(col)) }

// Min returns min(col).
func Min(col any) Column { return call("min", columnOf(col)) }

// Max returns max(col).
func Max(col any) Column { return call("max", columnOf(col)) }

// AnyValue returns any_value(col): one of the group's non-NULL values, unspecified which.
func AnyValue(col any) Column { return call("any_value", columnOf(col)) }

// StddevSamp returns stddev_samp(col) (Spark's stddev; Ember's SQL stddev is the population
// form, as MySQL's).
func StddevSamp(col any) Column { return call("stddev_samp", columnOf(col)) }

// StddevPop returns stddev_pop(col).
func StddevPop(col any) Column { return call("stddev_pop", columnOf(col)) }

// VarSamp returns var_samp(col) (Spark's variance).
func VarSamp(col any) Column { return call("var_samp", columnOf(col)) }

// VarPop returns var_pop(col).
func VarPop(col any) Column { return call("var_pop", columnOf(col)) }

// Scalar functions. Column arguments take names; see the note at the top of the file.

// Abs returns abs(col).
func Abs(col any) Column { return call("abs", columnOf(col)) }

// Sqrt returns sqrt(col) (DOUBLE; NULL for a negative value).
func Sqrt(col any) Column { return call("sqrt", columnOf(col)) }

// Round returns round(col, digits): half away from zero for integers and DECIMAL, half to
// even for DOUBLE (MySQL).
func Round(col any, digits int) Column { return call("round", columnOf(col), Lit(digits)) }

// Lower returns lower(col).
func Lower(col any) Column { return call("lower", columnOf(col)) }

// Upper returns upper(col).
func Upper(col any) Column { return call("upper", columnOf(col)) }

// Length returns char_length(col): the number of characters, as Spark's length (SQL's
// length() counts bytes, as MySQL's; use Call("length", c) for that).
func Length(col any) Column { return call("char_length", columnOf(col)) }

// Concat returns concat(cols...): NULL when any argument is NULL.
func Concat(cols ...any) Column {
	cs := make([]Column, len(cols))
	for i, c := range cols {
		cs[i] = columnOf(c)
	}
	return call("concat", cs...)
}

// Coalesce returns coalesce(cols...): the first non-NULL argument. A string is a column
// name, other Go values are literals: Coalesce("x", 0).
func Coalesce(cols ...any) Column {
	if len(cols) == 0 {
		return errColumn(errs.Planf("Coalesce: no arguments"))
	}
	cs := make([]Column, len(cols))
	for i, c := range cols {
		cs[i] = columnOf(c)
	}
	return call("coalesce", cs...)
}

// Substring returns substring(col, pos, length): 1-based pos (negative counts from the end),
// length in characters.
func Substring(col any, pos, length int) Column {
	return call("substring", columnOf(col), Lit(pos), Lit(length))
}

// ---- windows ----

// Frame bounds of RowsBetween and RangeBetween, as Spark's Window constants. Other values
// are offsets: n < 0 is -n PRECEDING, n > 0 is n FOLLOWING.
const (
	UnboundedPreceding int64 = math.MinInt64
	UnboundedFollowing int64 = math.MaxInt64
	CurrentRow         int64 = 0
)

// WindowSpec is the OVER clause of a window function: PARTITION BY, ORDER BY and a frame.
// It is an immutable value; the zero WindowSpec is OVER () (the whole input as one
// partition). Errors (a bad column, a bad frame) are kept and surface through the Column
// that Over builds.
type WindowSpec struct {
	partition []string
	order     []string
	frame     string
	err       error
}

// WindowPartitionBy returns a WindowSpec partitioned by cols (column arguments).
func WindowPartitionBy(cols ...any) WindowSpec { return WindowSpec{}.PartitionBy(cols...) }

// WindowOrderBy returns a WindowSpec ordered by cols (column arguments; ordering Columns
// keep their direction and NULLS placement).
func WindowOrderBy(cols ...any) WindowSpec { return WindowSpec{}.OrderBy(cols...) }

// PartitionBy returns w with its PARTITION BY replaced by cols.
func (w WindowSpec) PartitionBy(cols ...any) WindowSpec {
	w.partition = make([]string, len(cols))
	for i, v := range cols {
		c := columnOf(v)
		if err := firstErr(c); err != nil && w.err == nil {
			w.err = err
		}
		w.partition[i] = arg(c)
	}
	return w
}

// OrderBy returns w with its ORDER BY replaced by cols.
func (w WindowSpec) OrderBy(cols ...any) WindowSpec {
	w.order = make([]string, len(cols))
	for i, v := range cols {
		c := columnOf(v)
		if err := c.Err(); err != nil && w.err == nil {
			w.err = err
		}
		if c.prec == precRaw {
			c.sql = "(" + c.sql + ")"
		}
		w.order[i] = c.orderSQL()
	}
	return w
}

// RowsBetween returns w with the frame ROWS BETWEEN start AND end (see UnboundedPreceding,
// CurrentRow, UnboundedFollowing; other values are row offsets).
func (w WindowSpec) RowsBetween(start, end int64) WindowSpec { return w.between("ROWS", start, end) }

// RangeBetween returns w with the frame RANGE BETWEEN start AND end: offsets are differences
// of the one ORDER BY key's value.
func (w WindowSpec) RangeBetween(start, end int64) WindowSpec {
	return w.between("RANGE", start, end)
}

func (w WindowSpec) between(kind string, start, end int64) WindowSpec {
	var err error
	switch {
	case start == UnboundedFollowing:
		err = errs.Planf("%sBetween: a frame cannot start at UnboundedFollowing", titleCase(kind))
	case end == UnboundedPreceding:
		err = errs.Planf("%sBetween: a frame cannot end at UnboundedPreceding", titleCase(kind))
	case start > end:
		err = errs.Planf("%sBetween: frame start %d is after its end %d", titleCase(kind), start, end)
	}
	if err != nil && w.err == nil {
		w.err = err
	}
	w.frame = kind + " BETWEEN " + frameBound(start) + " AND " + frameBound(end)
	return w
}

func titleCase(kind string) string { return kind[:1] + strings.ToLower(kind[1:]) }

func frameBound(v int64) string {
	switch {
	case v == UnboundedPreceding:
		return "UNBOUNDED PRECEDING"
	case v == UnboundedFollowing:
		return "UNBOUNDED FOLLOWING"
	case v == 0:
		return "CURRENT ROW"
	case v < 0:
		return strconv.FormatInt(-v, 10) + " PRECEDING"
	}
	return strconv.FormatInt(v, 10) + " FOLLOWING"
}

// sql renders the window's parenthesized specification.
func (w WindowSpec) sql() string {
	var parts []string
	if len(w.partition) > 0 {
		parts = append(parts, "PARTITION BY "+strings.Join(w.partition, ", "))
	}
	if len(w.order) > 0 {
		parts = append(parts, "ORDER BY "+strings.Join(w.order, ", "))
	}
	if w.frame != "" {
		parts = append(parts, w.frame)
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// Over returns c OVER (w): c must be a window function (RowNumber, Lag, ...) or an
// aggregate (Sum, Count, ...); the binder refuses anything else.
func (c Column) Over(w WindowSpec) Column {
	out := derived(c.sql+" OVER "+w.sql(), precAtom, c)
	if out.err == nil {
		out.err = w.err
	}
	return out
}

// Window functions; each needs Over.

// RowNumber returns row_number(): 1, 2, ... within the partition.
func RowNumber() Column { return call("row_number") }

// Rank returns rank(): ties share a rank, gaps follow.
func Rank() Column { return call("rank") }

// DenseRank returns dense_rank(): ties share a rank, no gaps.
func DenseRank() Column { return call("dense_rank") }

// PercentRank returns percent_rank(): (rank - 1) / (rows - 1).
func PercentRank() Column { return call("percent_rank") }

// CumeDist returns cume_dist(): rows up to the last peer / rows.
func CumeDist() Column { return call("cume_dist") }

// NTile returns ntile(n), n ≥ 1.
func NTile(n int) Column {
	if n < 1 {
		return errColumn(errs.Planf("NTile: n must be at least 1, got %d", n))
	}
	return call("ntile", Lit(n))
}

// Lag returns lag(col, offset[, defaultValue]): col offset rows before the current row, or
// defaultValue (an operand; NULL when not given) when there is none. offset ≥ 0.
func Lag(col any, offset int, defaultValue ...any) Column {
	return offsetFunc("lag", col, offset, defaultValue)
}

// Lead returns lead(col, offset[, defaultValue]): col offset rows after the current row.
func Lead(col any, offset int, defaultValue ...any) Column {
	return offsetFunc("lead", col, offset, defaultValue)
}

func offsetFunc(name string, col any, offset int, def []any) Column {
	c := columnOf(col)
	switch {
	case offset < 0:
		return errColumn(firstErrOr(errs.Planf("%s: offset must be non-negative, got %d", name, offset), c))
	case len(def) > 1:
		return errColumn(firstErrOr(errs.Planf("%s: at most one default value, got %d", name, len(def)), c))
	case len(def) == 1:
		return call(name, c, Lit(offset), valueOf(def[0]))
	}
	return call(name, c, Lit(offset))
}

// FirstValue returns first_value(col): col at the first row of the frame.
func FirstValue(col any) Column { return call("first_value", columnOf(col)) }

// LastValue returns last_value(col): col at the last row of the frame.
func LastValue(col any) Column { return call("last_value", columnOf(col)) }
