package udf

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// TypeName renders a type in SQL spelling (BIGINT, DECIMAL(15,2), VARCHAR, ARRAY<BIGINT>,
// VECTOR(3), ...), as DESCRIBE, EXPLAIN and error messages show it.
func TypeName(t arrow.DataType) string {
	if t == nil {
		return "?"
	}
	switch tt := t.(type) {
	case *arrow.Decimal128Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", tt.Precision, tt.Scale)
	case *arrow.Decimal256Type:
		return fmt.Sprintf("DECIMAL(%d,%d)", tt.Precision, tt.Scale)
	case *arrow.TimestampType:
		if tt.TimeZone != "" {
			return "TIMESTAMP WITH TIME ZONE"
		}
		return "TIMESTAMP"
	case *arrow.ListType:
		return "ARRAY<" + TypeName(tt.Elem()) + ">"
	case *arrow.FixedSizeListType:
		if IsVector(tt) {
			return fmt.Sprintf("VECTOR(%d)", tt.Len())
		}
		return fmt.Sprintf("ARRAY<%s>[%d]", TypeName(tt.Elem()), tt.Len())
	}
	switch t.ID() {
	case arrow.NULL:
		return "NULL"
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.INT8:
		return "TINYINT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT32:
		return "INT"
	case arrow.INT64:
		return "BIGINT"
	case arrow.UINT8:
		return "TINYINT UNSIGNED"
	case arrow.UINT16:
		return "SMALLINT UNSIGNED"
	case arrow.UINT32:
		return "INT UNSIGNED"
	case arrow.UINT64:
		return "BIGINT UNSIGNED"
	case arrow.FLOAT32:
		return "FLOAT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.STRING, arrow.LARGE_STRING, arrow.STRING_VIEW:
		return "VARCHAR"
	case arrow.BINARY, arrow.LARGE_BINARY:
		return "BLOB"
	case arrow.DATE32, arrow.DATE64:
		return "DATE"
	}
	return t.String()
}
