package datasource

import (
	"bufio"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// This file holds what the CSV and JSON readers share: parsing text into Ember values
// without allocating, the builders that collect one column of a batch, and the type
// lattice of schema inference.

// unsafeString views b as a string without copying. The string must not outlive b's
// current contents; strconv does not retain its argument (its errors copy it).
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// parseInt64 parses an optionally signed decimal integer; no spaces, no underscores.
func parseInt64(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	neg := false
	switch b[0] {
	case '-':
		neg = true
		b = b[1:]
	case '+':
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var u uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		u = u*10 + uint64(c-'0') // at most 19 digits: cannot wrap a uint64
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// isFloatSyntax reports whether b is [+-]digits[.digits][(e|E)[+-]digits] with at least one
// mantissa digit, or one of Spark's NaN, Infinity, +Infinity, -Infinity.
func isFloatSyntax(b []byte) bool {
	switch string(b) {
	case "NaN", "Infinity", "+Infinity", "-Infinity":
		return true
	}
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		i++
	}
	digits := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
		digits++
	}
	if i < len(b) && b[i] == '.' {
		i++
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		exp := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(b)
}

// parseFloat parses b as a float of the given bit size (32 or 64).
func parseFloat(b []byte, bits int) (float64, bool) {
	if !isFloatSyntax(b) {
		return 0, false
	}
	f, err := strconv.ParseFloat(unsafeString(b), bits)
	if err != nil {
		// Out of range: ParseFloat returns ±Inf with ErrRange; Spark keeps the infinity.
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// parseBool accepts true and false in any case.
func parseBool(b []byte) (v, ok bool) {
	switch len(b) {
	case 4:
		if (b[0]|0x20) == 't' && (b[1]|0x20) == 'r' && (b[2]|0x20) == 'u' && (b[3]|0x20) == 'e' {
			return true, true
		}
	case 5:
		if (b[0]|0x20) == 'f' && (b[1]|0x20) == 'a' && (b[2]|0x20) == 'l' && (b[3]|0x20) == 's' && (b[4]|0x20) == 'e' {
			return false, true
		}
	}
	return false, false
}

// digits parses b[i:i+n] as an unsigned decimal number.
func digits(b []byte, i, n int) (int, bool) {
	if i+n > len(b) {
		return 0, false
	}
	v := 0
	for _, c := range b[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian date
// (Howard Hinnant's algorithm; valid for every int32 year).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func daysInMonth(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseISODate parses yyyy-[m]m-[d]d at the start of b and returns the days since the
// epoch and the number of bytes used.
func parseISODate(b []byte) (int64, int, bool) {
	y, ok := digits(b, 0, 4)
	if !ok || len(b) < 8 || b[4] != '-' {
		return 0, 0, false
	}
	i := 5
	num := func() (int, bool) {
		if i+2 <= len(b) && b[i+1] >= '0' && b[i+1] <= '9' {
			v, ok := digits(b, i, 2)
			i += 2
			return v, ok
		}
		v, ok := digits(b, i, 1)
		i++
		return v, ok
	}
	m, ok := num()
	if !ok || i >= len(b) || b[i] != '-' {
		return 0, 0, false
	}
	i++
	d, ok := num()
	if !ok || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m) {
		return 0, 0, false
	}
	return daysFromCivil(y, m, d), i, true
}

// parseDate parses a whole yyyy-mm-dd date into days since the epoch.
func parseDate(b []byte) (int32, bool) {
	days, n, ok := parseISODate(b)
	if !ok || n != len(b) {
		return 0, false
	}
	return int32(days), true
}

const microsPerDay = 86400 * 1000000

// parseTimestamp parses yyyy-mm-dd[( |T)hh:mm[:ss[.fraction]]][Z|(+|-)hh[:]mm] into
// microseconds since the epoch. An offset converts the value to UTC; without one the value
// is taken as is (TIMESTAMP has no time zone). Digits past microseconds are truncated.
func parseTimestamp(b []byte) (int64, bool) {
	days, i, ok := parseISODate(b)
	if !ok {
		return 0, false
	}
	micros := days * microsPerDay
	if i == len(b) {
		return micros, true
	}
	if b[i] != ' ' && b[i] != 'T' {
		return 0, false
	}
	i++
	h, ok1 := digits(b, i, 2)
	if !ok1 || i+2 >= len(b) || b[i+2] != ':' {
		return 0, false
	}
	mi, ok2 := digits(b, i+3, 2)
	if !ok2 || h > 23 || mi > 59 {
		return 0, false
	}
	i += 5
	sec, frac := 0, int64(0)
	if i < len(b) && b[i] == ':' {
		s, ok := digits(b, i+1, 2)
		if !ok || s > 59 {
			return 0, false
		}
		sec = s
		i += 3
		if i < len(b) && b[i] == '.' {
			i++
			nd := 0
			for i < len(b) && b[i] >= '0' && b[i] <= '9' {
				if nd < 6 {
					frac = frac*10 + int64(b[i]-'0')
				}
				nd++
				i++
			}
			if nd == 0 || nd > 9 {
				return 0, false
			}
			for k := min(nd, 6); k < 6; k++ {
				frac *= 10
			}
		}
	}
	micros += (int64(h)*3600+int64(mi)*60+int64(sec))*1000000 + frac
	if i == len(b) {
		return micros, true
	}
	switch b[i] {
	case 'Z':
		return micros, i+1 == len(b)
	case '+', '-':
		oh, ok := digits(b, i+1, 2)
		if !ok {
			return 0, false
		}
		j := i + 3
		if j < len(b) && b[j] == ':' {
			j++
		}
		om, ok := digits(b, j, 2)
		if !ok || j+2 != len(b) || oh > 18 || om > 59 {
			return 0, false
		}
		off := int64(oh*3600+om*60) * 1000000
		if b[i] == '+' {
			return micros - off, true
		}
		return micros + off, true
	}
	return 0, false
}

var pow10 = [...]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000, 10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
	1000000000000000, 10000000000000000, 100000000000000000, 1000000000000000000}

// parseDecimal parses [+-]digits[.digits] (or an exponent form, on the slow path) as a
// DECIMAL(prec, scale), rounding extra fraction digits half away from zero. It fails on
// overflow of the precision.
func parseDecimal(b []byte, prec, scale int32) (decimal128.Num, bool) {
	neg := false
	s := b
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	// Fast path: at most 18 significant digits kept, plain notation.
	var u uint64
	nd, fracDigits, kept := 0, 0, 0
	dot := false
	roundUp := false
	fast := len(s) > 0
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			nd++
			if dot {
				fracDigits++
				if fracDigits > int(scale) {
					if fracDigits == int(scale)+1 && c >= '5' {
						roundUp = true
					}
					continue
				}
			}
			if kept >= 18 {
				fast = false
			}
			u = u*10 + uint64(c-'0')
			if u != 0 {
				kept++
			}
		case c == '.' && !dot:
			dot = true
		default:
			fast = false
		}
		if !fast {
			break
		}
	}
	if fast && nd > 0 {
		for k := min(fracDigits, int(scale)); k < int(scale); k++ {
			if kept >= 18 {
				fast = false
				break
			}
			u *= 10
			if u != 0 {
				kept++
			}
		}
		if fast {
			if roundUp {
				u++
			}
			if prec < 19 && u >= pow10[prec] {
				return decimal128.Num{}, false
			}
			n := decimal128.FromU64(u)
			if neg {
				n = n.Negate()
			}
			return n, true
		}
	}
	// Slow path (many digits, exponents): math/big. NaN and Infinity are not decimals.
	if !isFloatSyntax(b) || strings.HasSuffix(unsafeString(b), "NaN") || strings.HasSuffix(unsafeString(b), "Infinity") {
		return decimal128.Num{}, false
	}
	n, err := decimal128.FromString(unsafeString(b), prec, scale)
	if err != nil {
		return decimal128.Num{}, false
	}
	return n, true
}

// javaLayout translates a Spark (java.time) date-time pattern into a Go time layout. It
// supports the letters y, M, d, H, h, m, s, S, a, E, X, Z and quoted literals.
func javaLayout(pattern string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(pattern); {
		c := pattern[i]
		if c == '\'' {
			j := strings.IndexByte(pattern[i+1:], '\'')
			if j < 0 {
				return "", errs.Planf("date-time pattern %q: unterminated quote", pattern)
			}
			if j == 0 {
				out.WriteByte('\'')
			} else {
				out.WriteString(pattern[i+1 : i+1+j])
			}
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			out.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(pattern) && pattern[i+n] == c {
			n++
		}
		var lay string
		switch {
		case c == 'y' && n == 2:
			lay = "06"
		case c == 'y' || c == 'u':
			lay = "2006"
		case c == 'M' && n == 1:
			lay = "1"
		case c == 'M' && n == 2:
			lay = "01"
		case c == 'M' && n == 3:
			lay = "Jan"
		case c == 'M':
			lay = "January"
		case c == 'd' && n == 1:
			lay = "2"
		case c == 'd':
			lay = "02"
		case c == 'H':
			lay = "15"
		case c == 'h' && n == 1:
			lay = "3"
		case c == 'h':
			lay = "03"
		case c == 'm' && n == 1:
			lay = "4"
		case c == 'm':
			lay = "04"
		case c == 's' && n == 1:
			lay = "5"
		case c == 's':
			lay = "05"
		case c == 'S':
			// Go accepts fractional seconds only after a '.' or ',' already written.
			lay = strings.Repeat("0", n)
			if s := out.String(); len(s) == 0 || (s[len(s)-1] != '.' && s[len(s)-1] != ',') {
				return "", errs.NotImplementedf("date-time pattern %q: fraction of second must follow '.' or ','", pattern)
			}
		case c == 'a':
			lay = "PM"
		case c == 'E' && n <= 3:
			lay = "Mon"
		case c == 'E':
			lay = "Monday"
		case c == 'X' || c == 'x':
			lay = "Z07:00"
		case c == 'Z':
			lay = "-0700"
		default:
			return "", errs.NotImplementedf("date-time pattern %q: letter %q is not supported", pattern, string(c))
		}
		out.WriteString(lay)
		i += n
	}
	return out.String(), nil
}

// textFormats are the optional date and timestamp layouts (Go layouts) of a text source.
// An empty layout means the ISO forms of parseDate and parseTimestamp.
type textFormats struct {
	dateLayout, timestampLayout string
}

func newTextFormats(o options) (textFormats, error) {
	var f textFormats
	var err error
	if p, ok := o["dateformat"]; ok && p != "" {
		if f.dateLayout, err = javaLayout(p); err != nil {
			return f, err
		}
	}
	if p, ok := o["timestampformat"]; ok && p != "" {
		if f.timestampLayout, err = javaLayout(p); err != nil {
			return f, err
		}
	}
	return f, nil
}

func (f *textFormats) date(b []byte) (int32, bool) {
	if f.dateLayout == "" {
		return parseDate(b)
	}
	t, err := time.Parse(f.dateLayout, unsafeString(b))
	if err != nil {
		return 0, false
	}
	return int32(daysFromCivil(t.Year(), int(t.Month()), t.Day())), true
}

func (f *textFormats) timestamp(b []byte) (int64, bool) {
	if f.timestampLayout == "" {
		return parseTimestamp(b)
	}
	t, err := time.Parse(f.timestampLayout, unsafeString(b))
	if err != nil {
		return 0, false
	}
	return t.UnixMicro(), true
}

// textColumn collects the values of one column of a batch from text. appendText returns
// false when the text is not a value of the column's type (the caller reports where).
type textColumn interface {
	appendText(b []byte) bool
	appendNull()
	// newArray returns the collected values and resets the column for the next batch.
	newArray() arrow.Array
	release()
}

// textTypeSupported reports whether text can be read as type dt.
func textTypeSupported(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32,
		arrow.FLOAT64, arrow.DECIMAL128, arrow.DATE32, arrow.STRING:
		return true
	case arrow.TIMESTAMP:
		ts := dt.(*arrow.TimestampType)
		return ts.Unit == arrow.Microsecond && ts.TimeZone == ""
	}
	return false
}

// checkTextSchema rejects a given schema with a column text cannot be read as (JSON also
// reads arrays of scalars).
func checkTextSchema(format, table string, schema *arrow.Schema) error {
	for _, f := range schema.Fields() {
		t := f.Type
		if format == "json" && planner.IsArray(t) {
			t = planner.ElemType(t)
		}
		if !textTypeSupported(t) {
			return errs.NotImplementedf("%s table %s column %q: reading text as %s is not supported",
				format, table, f.Name, planner.TypeString(f.Type))
		}
	}
	return nil
}

// newTextColumn returns a column collecting values of type dt (textTypeSupported, or for
// JSON an ARRAY of such a type), allocating from mem.
func newTextColumn(dt arrow.DataType, mem memory.Allocator, f *textFormats) (textColumn, error) {
	if !textTypeSupported(dt) && !(planner.IsArray(dt) && textTypeSupported(planner.ElemType(dt))) {
		return nil, errs.NotImplementedf("reading text into type %s is not supported", planner.TypeString(dt))
	}
	return textColumnOf(array.NewBuilder(mem, dt), f), nil
}

// textColumnOf wraps a builder of a supported type (see newTextColumn) as a textColumn; the
// column owns the builder.
func textColumnOf(b array.Builder, f *textFormats) textColumn {
	switch x := b.(type) {
	case *array.BooleanBuilder:
		return &boolText{b: x}
	case *array.Int8Builder:
		return &intText[int8]{b: x, lo: math.MinInt8, hi: math.MaxInt8}
	case *array.Int16Builder:
		return &intText[int16]{b: x, lo: math.MinInt16, hi: math.MaxInt16}
	case *array.Int32Builder:
		return &intText[int32]{b: x, lo: math.MinInt32, hi: math.MaxInt32}
	case *array.Int64Builder:
		return &intText[int64]{b: x, lo: math.MinInt64, hi: math.MaxInt64}
	case *array.Float32Builder:
		return &float32Text{b: x}
	case *array.Float64Builder:
		return &float64Text{b: x}
	case *array.Decimal128Builder:
		d := x.Type().(*arrow.Decimal128Type)
		return &decimalText{b: x, prec: d.Precision, scale: d.Scale}
	case *array.Date32Builder:
		return &dateText{b: x, f: f}
	case *array.TimestampBuilder:
		return &timestampText{b: x, f: f}
	case *array.StringBuilder:
		return &stringText{b: x}
	case *array.ListBuilder:
		return &listText{b: x, elem: textColumnOf(x.ValueBuilder(), f)}
	}
	panic("textColumnOf: unsupported builder " + b.Type().String()) // newTextColumn checked the type
}

type boolText struct{ b *array.BooleanBuilder }

func (c *boolText) appendText(s []byte) bool {
	v, ok := parseBool(s)
	if ok {
		c.b.Append(v)
	}
	return ok
}
func (c *boolText) appendNull()           { c.b.AppendNull() }
func (c *boolText) newArray() arrow.Array { return c.b.NewArray() }
func (c *boolText) release()              { c.b.Release() }

// intBuilder is what the Arrow integer builders have in common.
type intBuilder[T int8 | int16 | int32 | int64] interface {
	Append(T)
	AppendNull()
	NewArray() arrow.Array
	Release()
}

type intText[T int8 | int16 | int32 | int64] struct {
	b      intBuilder[T]
	lo, hi int64
}

func (c *intText[T]) appendText(s []byte) bool {
	v, ok := parseInt64(s)
	if !ok || v < c.lo || v > c.hi {
		return false
	}
	c.b.Append(T(v))
	return true
}
func (c *intText[T]) appendNull()           { c.b.AppendNull() }
func (c *intText[T]) newArray() arrow.Array { return c.b.NewArray() }
func (c *intText[T]) release()              { c.b.Release() }

type float32Text struct{ b *array.Float32Builder }

func (c *float32Text) appendText(s []byte) bool {
	v, ok := parseFloat(s, 32)
	if ok {
		c.b.Append(float32(v))
	}
	return ok
}
func (c *float32Text) appendNull()           { c.b.AppendNull() }
func (c *float32Text) newArray() arrow.Array { return c.b.NewArray() }
func (c *float32Text) release()              { c.b.Release() }

type float64Text struct{ b *array.Float64Builder }

func (c *float64Text) appendText(s []byte) bool {
	v, ok := parseFloat(s, 64)
	if ok {
		c.b.Append(v)
	}
	return ok
}
func (c *float64Text) appendNull()           { c.b.AppendNull() }
func (c *float64Text) newArray() arrow.Array { return c.b.NewArray() }
func (c *float64Text) release()              { c.b.Release() }

type decimalText struct {
	b           *array.Decimal128Builder
	prec, scale int32
}

func (c *decimalText) appendText(s []byte) bool {
	v, ok := parseDecimal(s, c.prec, c.scale)
	if ok {
		c.b.Append(v)
	}
	return ok
}
func (c *decimalText) appendNull()           { c.b.AppendNull() }
func (c *decimalText) newArray() arrow.Array { return c.b.NewArray() }
func (c *decimalText) release()              { c.b.Release() }

type dateText struct {
	b *array.Date32Builder
	f *textFormats
}

func (c *dateText) appendText(s []byte) bool {
	v, ok := c.f.date(s)
	if ok {
		c.b.Append(arrow.Date32(v))
	}
	return ok
}
func (c *dateText) appendNull()           { c.b.AppendNull() }
func (c *dateText) newArray() arrow.Array { return c.b.NewArray() }
func (c *dateText) release()              { c.b.Release() }

type timestampText struct {
	b *array.TimestampBuilder
	f *textFormats
}

func (c *timestampText) appendText(s []byte) bool {
	v, ok := c.f.timestamp(s)
	if ok {
		c.b.Append(arrow.Timestamp(v))
	}
	return ok
}
func (c *timestampText) appendNull()           { c.b.AppendNull() }
func (c *timestampText) newArray() arrow.Array { return c.b.NewArray() }
func (c *timestampText) release()              { c.b.Release() }

type stringText struct{ b *array.StringBuilder }

// appendText copies s into the builder's data buffer (BinaryBuilder.Append takes bytes, so
// no string is allocated).
func (c *stringText) appendText(s []byte) bool { c.b.BinaryBuilder.Append(s); return true }
func (c *stringText) appendNull()              { c.b.AppendNull() }
func (c *stringText) newArray() arrow.Array    { return c.b.NewArray() }
func (c *stringText) release()                 { c.b.Release() }

// listText collects a JSON array of scalars per row into an ARRAY column: appendText gets
// the array's JSON text and appends its elements through elem, the column of the list
// builder's value builder (owned by the list builder). A nested element fails the row.
type listText struct {
	b    *array.ListBuilder
	elem textColumn
	p    jsonParser // walks the array text; reused for every row
}

func (c *listText) appendText(s []byte) bool {
	p := &c.p
	p.b, p.i = s, 0
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return false
	}
	p.i++
	c.b.Append(true)
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		return true
	}
	for {
		p.ws()
		kind, v, err := p.value()
		switch {
		case err != nil || kind == jsonNested:
			return false
		case kind == jsonNull:
			c.elem.appendNull()
		case !c.elem.appendText(v):
			return false
		}
		p.ws()
		if p.i >= len(p.b) {
			return false
		}
		p.i++
		switch p.b[p.i-1] {
		case ']':
			return true
		case ',':
		default:
			return false
		}
	}
}
func (c *listText) appendNull()           { c.b.AppendNull() }
func (c *listText) newArray() arrow.Array { return c.b.NewArray() }
func (c *listText) release()              { c.b.Release() }

// newTextColumns makes one textColumn per field; on error it releases those made.
func newTextColumns(schema *arrow.Schema, mem memory.Allocator, f *textFormats) ([]textColumn, error) {
	cols := make([]textColumn, schema.NumFields())
	for i, fld := range schema.Fields() {
		c, err := newTextColumn(fld.Type, mem, f)
		if err != nil {
			releaseTextColumns(cols)
			return nil, errs.Wrap(errs.ErrNotImplemented, err, "column %q", fld.Name)
		}
		cols[i] = c
	}
	return cols, nil
}

func releaseTextColumns(cols []textColumn) {
	for _, c := range cols {
		if c != nil {
			c.release()
		}
	}
}

// buildBatch turns the collected columns into a batch of n rows (owned by the caller).
func buildBatch(schema *arrow.Schema, cols []textColumn, n int) arrow.RecordBatch {
	arrs := make([]arrow.Array, len(cols))
	for i, c := range cols {
		arrs[i] = c.newArray()
	}
	b := array.NewRecordBatch(schema, arrs, int64(n))
	releaseArrays(arrs)
	return b
}

// inferKind is a point of the inference lattice: kindNull below everything, kindString
// above everything, INT64 < DOUBLE and DATE < TIMESTAMP; any other pair meets at STRING.
// kindList+k (JSON only) is an ARRAY of kind k: two arrays meet in the array of their
// element kinds' meet, an array and a scalar at STRING.
type inferKind uint8

const (
	kindNull inferKind = iota
	kindBool
	kindInt
	kindDouble
	kindDate
	kindTimestamp
	kindString
	kindList // + the element kind
)

func mergeKinds(a, b inferKind) inferKind {
	if a >= kindList || b >= kindList {
		switch {
		case a >= kindList && b >= kindList:
			return kindList + mergeKinds(a-kindList, b-kindList)
		case b == kindNull:
			return a
		case a == kindNull:
			return b
		}
		return kindString
	}
	switch {
	case a == b || b == kindNull:
		return a
	case a == kindNull:
		return b
	case (a == kindInt && b == kindDouble) || (a == kindDouble && b == kindInt):
		return kindDouble
	case (a == kindDate && b == kindTimestamp) || (a == kindTimestamp && b == kindDate):
		return kindTimestamp
	}
	return kindString
}

// kindType is the Ember type of an inferred kind; a column never seen non-null is STRING
// (and an array never seen with a non-null element ARRAY<STRING>).
func kindType(k inferKind) arrow.DataType {
	if k >= kindList {
		return planner.ArrayOf(kindType(k - kindList))
	}
	switch k {
	case kindBool:
		return planner.Boolean
	case kindInt:
		return planner.Int64
	case kindDouble:
		return planner.Float64
	case kindDate:
		return planner.Date
	case kindTimestamp:
		return planner.Timestamp
	}
	return planner.String
}

// classifyText infers the kind of one non-null text value.
func classifyText(b []byte, f *textFormats) inferKind {
	if _, ok := parseBool(b); ok {
		return kindBool
	}
	if _, ok := parseInt64(b); ok {
		return kindInt
	}
	if isFloatSyntax(b) {
		return kindDouble
	}
	if len(b) >= 6 {
		if _, ok := f.date(b); ok {
			return kindDate
		}
		if _, ok := f.timestamp(b); ok {
			return kindTimestamp
		}
	}
	return kindString
}

// lineReader reads a text file line by line, counting lines, without allocating per line.
type lineReader struct {
	r      *bufio.Reader
	format string // "csv" or "json", for messages
	file   string
	line   int    // lines consumed so far
	long   []byte // holds a line longer than the read buffer
}

// textReadBuffer is the read buffer of the CSV and JSON readers; longer lines still work.
const textReadBuffer = 256 << 10

func newLineReader(r io.Reader, format, file string) lineReader {
	br := bufio.NewReaderSize(r, textReadBuffer)
	if b, err := br.Peek(3); err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		br.Discard(3) // UTF-8 byte order mark
	}
	return lineReader{r: br, format: format, file: file}
}

// readLine returns the next line with its line break (none at the end of the stream),
// valid until the next call; io.EOF when no bytes are left.
func (t *lineReader) readLine() ([]byte, error) {
	line, err := t.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		t.long = append(t.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = t.r.ReadSlice('\n')
			t.long = append(t.long, line...)
		}
		line = t.long
	}
	switch {
	case err == io.EOF && len(line) == 0:
		return nil, io.EOF
	case err != nil && err != io.EOF:
		return nil, errs.Wrap(errs.ErrExecution, err, "%s file %s line %d", t.format, t.file, t.line+1)
	}
	t.line++
	return line, nil
}
