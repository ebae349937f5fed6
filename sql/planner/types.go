package planner

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/udf"
)

// Ember's SQL types are Arrow types. The canonical instances are:
//
//	BOOLEAN  arrow.FixedWidthTypes.Boolean
//	TINYINT.. BIGINT  arrow.PrimitiveTypes.Int8 .. Int64 (arithmetic widens to Int64)
//	FLOAT, DOUBLE  arrow.PrimitiveTypes.Float32, Float64
//	DECIMAL(p,s)  *arrow.Decimal128Type (p <= 38)
//	VARCHAR  arrow.BinaryTypes.String
//	DATE  arrow.FixedWidthTypes.Date32
//	TIMESTAMP  Timestamp (microseconds, no time zone)
//	ARRAY<T>  ArrayOf(T): an Arrow list (int32 offsets) whose elements may be NULL
//	VECTOR(n)  VectorOf(n): an Arrow FixedSizeList<float32>[n] whose elements are never NULL
//	NULL  arrow.Null (the type of a bare NULL literal before coercion)
var (
	Boolean   arrow.DataType = arrow.FixedWidthTypes.Boolean
	Int8      arrow.DataType = arrow.PrimitiveTypes.Int8
	Int16     arrow.DataType = arrow.PrimitiveTypes.Int16
	Int32     arrow.DataType = arrow.PrimitiveTypes.Int32
	Int64     arrow.DataType = arrow.PrimitiveTypes.Int64
	Float32   arrow.DataType = arrow.PrimitiveTypes.Float32
	Float64   arrow.DataType = arrow.PrimitiveTypes.Float64
	String    arrow.DataType = arrow.BinaryTypes.String
	Date      arrow.DataType = arrow.FixedWidthTypes.Date32
	Timestamp arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond}
	Null      arrow.DataType = arrow.Null
)

// MaxDecimalPrecision is the largest DECIMAL precision Ember stores (Arrow's Decimal128).
const MaxDecimalPrecision = 38

// Decimal returns DECIMAL(p,s), with p capped at MaxDecimalPrecision.
func Decimal(p, s int32) arrow.DataType {
	if p > MaxDecimalPrecision {
		p = MaxDecimalPrecision
	}
	if s > p {
		s = p
	}
	return &arrow.Decimal128Type{Precision: p, Scale: s}
}

// IsInteger reports whether t is a signed or unsigned integer type.
func IsInteger(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return true
	}
	return false
}

// IsFloat reports whether t is FLOAT or DOUBLE.
func IsFloat(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64 || t.ID() == arrow.FLOAT16
}

// IsDecimal reports whether t is a decimal type.
func IsDecimal(t arrow.DataType) bool {
	return t.ID() == arrow.DECIMAL128 || t.ID() == arrow.DECIMAL256
}

// IsNumeric reports whether t is an integer, float or decimal type.
func IsNumeric(t arrow.DataType) bool { return IsInteger(t) || IsFloat(t) || IsDecimal(t) }

// IsString reports whether t is a character string type.
func IsString(t arrow.DataType) bool {
	return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING || t.ID() == arrow.STRING_VIEW
}

// IsTemporal reports whether t is DATE or TIMESTAMP.
func IsTemporal(t arrow.DataType) bool {
	return t.ID() == arrow.DATE32 || t.ID() == arrow.DATE64 || t.ID() == arrow.TIMESTAMP
}

// DecimalParams returns precision and scale of a decimal type, and for integers the
// decimal that holds them exactly (BIGINT is DECIMAL(19,0)).
func DecimalParams(t arrow.DataType) (p, s int32, ok bool) {
	switch tt := t.(type) {
	case *arrow.Decimal128Type:
		return tt.Precision, tt.Scale, true
	case *arrow.Decimal256Type:
		return tt.Precision, tt.Scale, true
	}
	switch t.ID() {
	case arrow.INT8, arrow.UINT8:
		return 3, 0, true
	case arrow.INT16, arrow.UINT16:
		return 5, 0, true
	case arrow.INT32, arrow.UINT32:
		return 10, 0, true
	case arrow.INT64:
		return 19, 0, true
	case arrow.UINT64:
		return 20, 0, true
	}
	return 0, 0, false
}

// TypeString renders a type in SQL spelling, as DESCRIBE and EXPLAIN show it (udf.TypeName,
// shared with the functions' error messages).
func TypeString(t arrow.DataType) string { return udf.TypeName(t) }

// ArrayOf returns ARRAY<elem>. Its element field is always nullable, so two ARRAY<T> types of
// the same T are arrow.TypeEqual whoever built them (udf.ArrayOf).
func ArrayOf(elem arrow.DataType) arrow.DataType { return udf.ArrayOf(elem) }

// VectorOf returns VECTOR(n), the fixed-length float vector of ML feature columns
// (udf.VectorOf).
func VectorOf(n int32) arrow.DataType { return udf.VectorOf(n) }

// IsArray reports whether t is an ARRAY.
func IsArray(t arrow.DataType) bool { return udf.IsArray(t) }

// IsVector reports whether t is a VECTOR(n).
func IsVector(t arrow.DataType) bool { return udf.IsVector(t) }

// IsNested reports whether t is an ARRAY or a VECTOR.
func IsNested(t arrow.DataType) bool { return udf.ElemType(t) != nil }

// ElemType returns the element type of an ARRAY or VECTOR (FLOAT for a vector), nil for
// other types.
func ElemType(t arrow.DataType) arrow.DataType { return udf.ElemType(t) }
