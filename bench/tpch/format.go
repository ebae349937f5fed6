package tpch

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Text forms of the values that have no digits of their own, as sqllogictest spells them.
const (
	NullText  = "NULL"
	EmptyText = "(empty)"
)

// FormatRows renders the batches of one result as text, row by row, with FormatValue.
// It reads the batches and neither retains nor releases them; the strings it returns stay
// valid after the batches are released.
func FormatRows(batches []arrow.RecordBatch) ([][]string, error) {
	var rows [][]string
	for _, b := range batches {
		for r := 0; r < int(b.NumRows()); r++ {
			row := make([]string, b.NumCols())
			for c := range row {
				s, err := FormatValue(b.Column(c), r)
				if err != nil {
					return nil, fmt.Errorf("column %q: %w", b.ColumnName(c), err)
				}
				row[c] = s
			}
			rows = append(rows, row)
		}
	}
	return rows, nil
}

// FormatValue renders value i of arr the way the fixtures and the answer checks compare it,
// which is how MySQL's text protocol and DuckDB print it:
//   - NULL as NULL, the empty string as (empty) (sqllogictest's spelling);
//   - integers in decimal; booleans as true and false;
//   - decimals exactly, with as many fraction digits as the type's scale (2.50, not 2.5);
//   - doubles in shortest round-trip form, as DuckDB prints them (see FormatFloat);
//   - dates as 2006-01-02, timestamps as 2006-01-02 15:04:05 with a fraction when non-zero.
//
// The result never aliases arr's buffers, so it outlives the batch. Other types (nested,
// binary, intervals) are not needed by TPC-H and return an error.
func FormatValue(arr arrow.Array, i int) (string, error) {
	if arr.IsNull(i) {
		return NullText, nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i)), nil
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10), nil
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10), nil
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10), nil
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10), nil
	case *array.Uint8:
		return strconv.FormatUint(uint64(a.Value(i)), 10), nil
	case *array.Uint16:
		return strconv.FormatUint(uint64(a.Value(i)), 10), nil
	case *array.Uint32:
		return strconv.FormatUint(uint64(a.Value(i)), 10), nil
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10), nil
	case *array.Float32:
		return FormatFloat(float64(a.Value(i)), 32), nil
	case *array.Float64:
		return FormatFloat(a.Value(i), 64), nil
	case *array.Decimal32:
		return formatDecimal(big.NewInt(int64(a.Value(i))), scaleOf(a)), nil
	case *array.Decimal64:
		return formatDecimal(big.NewInt(int64(a.Value(i))), scaleOf(a)), nil
	case *array.Decimal128:
		return formatDecimal(a.Value(i).BigInt(), scaleOf(a)), nil
	case *array.Decimal256:
		return formatDecimal(a.Value(i).BigInt(), scaleOf(a)), nil
	case *array.String:
		return textValue(a.Value(i)), nil
	case *array.LargeString:
		return textValue(a.Value(i)), nil
	case *array.StringView:
		return textValue(a.Value(i)), nil
	case *array.Date32:
		return a.Value(i).FormattedString(), nil
	case *array.Date64:
		return a.Value(i).FormattedString(), nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return formatTimestamp(a.Value(i).ToTime(unit)), nil
	case *array.Dictionary:
		return FormatValue(a.Dictionary(), a.GetValueIndex(i))
	}
	return "", fmt.Errorf("cannot format values of type %s", arr.DataType())
}

// TypeLetter is the sqllogictest column letter for a result type: I for integers, R for
// decimals and floating point, T for everything else (text, dates, timestamps, booleans).
func TypeLetter(dt arrow.DataType) byte {
	if d, ok := dt.(*arrow.DictionaryType); ok {
		dt = d.ValueType
	}
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return 'I'
	case arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return 'R'
	}
	return 'T'
}

func scaleOf(a arrow.Array) int32 { return a.DataType().(arrow.DecimalType).GetScale() }

// textValue copies s: arrow-go's string arrays hand out strings that alias their buffers,
// which may be C memory (DuckDB's) that is freed when the batch is released.
func textValue(s string) string {
	if s == "" {
		return EmptyText
	}
	return strings.Clone(s)
}

// formatDecimal writes unscaled × 10^-scale with exactly scale fraction digits.
func formatDecimal(unscaled *big.Int, scale int32) string {
	digits := new(big.Int).Abs(unscaled).String()
	sign := ""
	if unscaled.Sign() < 0 {
		sign = "-"
	}
	if scale <= 0 {
		if digits != "0" {
			digits += strings.Repeat("0", int(-scale))
		}
		return sign + digits
	}
	if len(digits) <= int(scale) {
		digits = strings.Repeat("0", int(scale)-len(digits)+1) + digits
	}
	point := len(digits) - int(scale)
	return sign + digits[:point] + "." + digits[point:]
}

// FormatFloat prints a float the way DuckDB 1.1 casts a DOUBLE to text (and Python's repr):
// the shortest digits that read back to the same value, in positional form with at least
// one fraction digit when the decimal exponent is in [-4, 15], otherwise in scientific form
// with a signed exponent of at least two digits (1e+16, 1e-05); inf, -inf and nan.
// bitSize is 32 for a FLOAT, whose shortest digits are those of the float32.
func FormatFloat(v float64, bitSize int) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	sci := strconv.FormatFloat(v, 'e', -1, bitSize) // d.ddde±XX
	mant, expText, _ := strings.Cut(sci, "e")
	exp, _ := strconv.Atoi(expText)
	sign := ""
	if strings.HasPrefix(mant, "-") {
		sign, mant = "-", mant[1:]
	}
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp > 15 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, es, exp)
	}
	var intPart, frac string
	switch {
	case exp < 0:
		intPart, frac = "0", strings.Repeat("0", -exp-1)+digits
	case exp+1 >= len(digits):
		intPart, frac = digits+strings.Repeat("0", exp+1-len(digits)), "0"
	default:
		intPart, frac = digits[:exp+1], digits[exp+1:]
	}
	return sign + intPart + "." + frac
}

func formatTimestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05.999999999")
}
