package format

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// NullText is how every text mode except csv and tsv shows a NULL.
const NullText = "NULL"

// Value renders row i of arr as text, the way every mode shows it: NullText for a NULL,
// DECIMAL with exactly its scale's digits, DOUBLE in shortest form, DATE as yyyy-mm-dd,
// TIMESTAMP as yyyy-mm-dd hh:mm:ss[.fraction], BOOLEAN as true/false, strings raw.
func Value(arr arrow.Array, i int) string {
	s, null := text(arr, i)
	if null {
		return NullText
	}
	return s
}

// text renders row i of arr and reports whether it is NULL (s is then empty).
func text(arr arrow.Array, i int) (s string, null bool) {
	if arr.IsNull(i) {
		return "", true
	}
	switch a := arr.(type) {
	case *array.Null:
		return "", true
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i)), false
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10), false
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10), false
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10), false
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10), false
	case *array.Uint8:
		return strconv.FormatUint(uint64(a.Value(i)), 10), false
	case *array.Uint16:
		return strconv.FormatUint(uint64(a.Value(i)), 10), false
	case *array.Uint32:
		return strconv.FormatUint(uint64(a.Value(i)), 10), false
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10), false
	case *array.Float16:
		return formatFloat(float64(a.Value(i).Float32()), 32), false
	case *array.Float32:
		return formatFloat(float64(a.Value(i)), 32), false
	case *array.Float64:
		return formatFloat(a.Value(i), 64), false
	case *array.Decimal32:
		return formatDecimal(big.NewInt(int64(a.Value(i))), scaleOf(a.DataType())), false
	case *array.Decimal64:
		return formatDecimal(big.NewInt(int64(a.Value(i))), scaleOf(a.DataType())), false
	case *array.Decimal128:
		return formatDecimal(a.Value(i).BigInt(), scaleOf(a.DataType())), false
	case *array.Decimal256:
		return formatDecimal(a.Value(i).BigInt(), scaleOf(a.DataType())), false
	// Strings are cloned: Value's result may outlive the batch, whose buffers may be reused
	// or freed by a non-Go allocator.
	case *array.String:
		return strings.Clone(a.Value(i)), false
	case *array.LargeString:
		return strings.Clone(a.Value(i)), false
	case *array.StringView:
		return strings.Clone(a.Value(i)), false
	case *array.Binary:
		return formatBinary(a.Value(i)), false
	case *array.LargeBinary:
		return formatBinary(a.Value(i)), false
	case *array.BinaryView:
		return formatBinary(a.Value(i)), false
	case *array.FixedSizeBinary:
		return formatBinary(a.Value(i)), false
	case *array.Date32:
		return a.Value(i).ToTime().Format(time.DateOnly), false
	case *array.Date64:
		return a.Value(i).ToTime().Format(time.DateOnly), false
	case *array.Timestamp:
		return formatTimestamp(a, i), false
	case *array.Time32:
		unit := a.DataType().(*arrow.Time32Type).Unit
		return formatTimeOfDay(time.Duration(a.Value(i)) * unit.Multiplier()), false
	case *array.Time64:
		unit := a.DataType().(*arrow.Time64Type).Unit
		return formatTimeOfDay(time.Duration(a.Value(i)) * unit.Multiplier()), false
	case *array.Dictionary:
		return text(a.Dictionary(), a.GetValueIndex(i))
	case array.ListLike:
		return formatList(a, i), false
	case *array.Struct:
		return formatStruct(a, i), false
	}
	return arr.ValueStr(i), false
}

// formatFloat renders v in the shortest form that reads back as the same value at the given
// bit size, without an exponent for magnitudes in [1e-6, 1e16), with one otherwise (1e+20).
// NaN and infinities use Spark's spelling.
func formatFloat(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	if abs := math.Abs(v); abs == 0 || (abs >= 1e-6 && abs < 1e16) {
		return strconv.FormatFloat(v, 'f', -1, bits)
	}
	return strconv.FormatFloat(v, 'g', -1, bits)
}

func scaleOf(dt arrow.DataType) int32 {
	if d, ok := dt.(arrow.DecimalType); ok {
		return d.GetScale()
	}
	return 0
}

// formatDecimal renders the unscaled integer n with exactly scale digits after the point
// (no point when scale is 0; trailing zeros when the scale is negative).
func formatDecimal(n *big.Int, scale int32) string {
	digits := n.String()
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	switch {
	case scale < 0:
		if digits != "0" {
			digits += strings.Repeat("0", int(-scale))
		}
	case scale > 0:
		if len(digits) <= int(scale) {
			digits = strings.Repeat("0", int(scale)-len(digits)+1) + digits
		}
		cut := len(digits) - int(scale)
		digits = digits[:cut] + "." + digits[cut:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// formatBinary shows printable ASCII bytes as themselves and every other byte as \xHH,
// as DuckDB does for BLOBs.
func formatBinary(b []byte) string {
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			sb.WriteByte(c)
			continue
		}
		sb.WriteString(`\x`)
		sb.WriteByte(hex[c>>4])
		sb.WriteByte(hex[c&0xf])
	}
	return sb.String()
}

// formatTimestamp renders a timestamp as yyyy-mm-dd hh:mm:ss with the fraction of a second
// only when it is not zero, trailing zeros trimmed. A zoned timestamp shows the wall time in
// its zone without an offset, as Spark shows its (session-zone) TIMESTAMP; a naive one the
// wall time it stores.
func formatTimestamp(a *array.Timestamp, i int) string {
	tt := a.DataType().(*arrow.TimestampType)
	t := a.Value(i).ToTime(tt.Unit)
	if tt.TimeZone != "" {
		if loc, err := tt.GetZone(); err == nil && loc != nil {
			t = t.In(loc)
		}
	}
	return t.Format("2006-01-02 15:04:05.999999999")
}

func formatTimeOfDay(d time.Duration) string {
	return time.Unix(0, 0).UTC().Add(d).Format("15:04:05.999999999")
}

// formatList renders a list as [a, b, NULL]; a map (a list of key/value structs) as
// {k=v, k2=v2}.
func formatList(a array.ListLike, i int) string {
	start, end := a.ValueOffsets(i)
	values := a.ListValues()
	if m, ok := a.(*array.Map); ok {
		keys, items := m.Keys(), m.Items()
		var sb strings.Builder
		sb.WriteByte('{')
		for j := start; j < end; j++ {
			if j > start {
				sb.WriteString(", ")
			}
			sb.WriteString(Value(keys, int(j)))
			sb.WriteByte('=')
			sb.WriteString(Value(items, int(j)))
		}
		sb.WriteByte('}')
		return sb.String()
	}
	var sb strings.Builder
	sb.WriteByte('[')
	for j := start; j < end; j++ {
		if j > start {
			sb.WriteString(", ")
		}
		sb.WriteString(Value(values, int(j)))
	}
	sb.WriteByte(']')
	return sb.String()
}

// formatStruct renders a struct as {name: value, name2: value2}.
func formatStruct(a *array.Struct, i int) string {
	st := a.DataType().(*arrow.StructType)
	var sb strings.Builder
	sb.WriteByte('{')
	for f := 0; f < a.NumField(); f++ {
		if f > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(st.Field(f).Name)
		sb.WriteString(": ")
		sb.WriteString(Value(a.Field(f), i))
	}
	sb.WriteByte('}')
	return sb.String()
}

// isNumeric reports whether values of dt are right-aligned (and unquoted in JSON).
func isNumeric(dt arrow.DataType) bool {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		return isNumeric(d.ValueType)
	}
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

// TypeName names an Arrow type in lower-case SQL as Ember's docs and DESCRIBE spell it (int,
// bigint, double, decimal(10,2), varchar, date, timestamp, array<int>, vector(3),
// struct<a:int>, map<string,int>); the table mode prints it under each column name. Types
// Spark lacks keep a readable SQL-like name.
func TypeName(dt arrow.DataType) string {
	switch t := dt.(type) {
	case *arrow.NullType:
		return "void"
	case *arrow.BooleanType:
		return "boolean"
	case *arrow.Int8Type:
		return "tinyint"
	case *arrow.Int16Type:
		return "smallint"
	case *arrow.Int32Type:
		return "int"
	case *arrow.Int64Type:
		return "bigint"
	case *arrow.Uint8Type:
		return "tinyint unsigned"
	case *arrow.Uint16Type:
		return "smallint unsigned"
	case *arrow.Uint32Type:
		return "int unsigned"
	case *arrow.Uint64Type:
		return "bigint unsigned"
	case *arrow.Float16Type:
		return "half"
	case *arrow.Float32Type:
		return "float"
	case *arrow.Float64Type:
		return "double"
	case arrow.DecimalType:
		return "decimal(" + strconv.Itoa(int(t.GetPrecision())) + "," + strconv.Itoa(int(t.GetScale())) + ")"
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return "varchar"
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType, *arrow.FixedSizeBinaryType:
		return "binary"
	case *arrow.Date32Type, *arrow.Date64Type:
		return "date"
	case *arrow.TimestampType:
		return "timestamp"
	case *arrow.Time32Type, *arrow.Time64Type:
		return "time"
	case *arrow.DictionaryType:
		return TypeName(t.ValueType)
	case *arrow.MapType:
		return "map<" + TypeName(t.KeyType()) + "," + TypeName(t.ItemType()) + ">"
	case *arrow.FixedSizeListType:
		if t.Elem().ID() == arrow.FLOAT32 {
			return "vector(" + strconv.Itoa(int(t.Len())) + ")"
		}
		return "array<" + TypeName(t.Elem()) + ">"
	case arrow.ListLikeType:
		return "array<" + TypeName(t.Elem()) + ">"
	case *arrow.StructType:
		var sb strings.Builder
		sb.WriteString("struct<")
		for i, f := range t.Fields() {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(f.Name)
			sb.WriteByte(':')
			sb.WriteString(TypeName(f.Type))
		}
		sb.WriteByte('>')
		return sb.String()
	}
	return dt.String()
}

// appendJSON appends row i of arr as a JSON value: numbers for numeric types (decimals with
// their exact digits), true/false, null for NULL, arrays for lists, objects for structs and
// maps (keys rendered as text), and strings for everything else (NaN and infinities too,
// as Spark writes them).
func appendJSON(b []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return append(b, "null"...)
	}
	switch a := arr.(type) {
	case *array.Null:
		return append(b, "null"...)
	case *array.Boolean:
		return strconv.AppendBool(b, a.Value(i))
	case *array.Dictionary:
		return appendJSON(b, a.Dictionary(), a.GetValueIndex(i))
	case *array.Map:
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		b = append(b, '{')
		for j := start; j < end; j++ {
			if j > start {
				b = append(b, ',')
			}
			b = appendJSONString(b, Value(keys, int(j)))
			b = append(b, ':')
			b = appendJSON(b, items, int(j))
		}
		return append(b, '}')
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		values := a.ListValues()
		b = append(b, '[')
		for j := start; j < end; j++ {
			if j > start {
				b = append(b, ',')
			}
			b = appendJSON(b, values, int(j))
		}
		return append(b, ']')
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		b = append(b, '{')
		for f := 0; f < a.NumField(); f++ {
			if f > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, st.Field(f).Name)
			b = append(b, ':')
			b = appendJSON(b, a.Field(f), i)
		}
		return append(b, '}')
	}
	s, _ := text(arr, i)
	if isNumeric(arr.DataType()) && s != "NaN" && s != "Infinity" && s != "-Infinity" {
		return append(b, s...)
	}
	return appendJSONString(b, s)
}

// appendJSONString appends s as a JSON string literal. Unlike encoding/json it leaves <, >
// and & alone; invalid UTF-8 becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[r>>4], hex[r&0xf])
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}
