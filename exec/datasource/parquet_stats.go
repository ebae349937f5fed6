package datasource

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// This file reads Parquet statistics (column chunk Statistics in the footer, and the
// ColumnIndex of the page index) as colStats in the Ember type the reader returns. It
// trusts a bound only where its meaning is certain, and otherwise leaves it unknown:
//   - min_value/max_value unless the file's column order for the column is not the
//     type-defined order; the deprecated min/max only for BOOLEAN, INT32, INT64, FLOAT and
//     DOUBLE without an unsigned annotation (their old signed order is the right one);
//   - never for INT96, unsigned integers, lists, or DECIMAL over BYTE_ARRAY; DECIMAL over
//     FIXED_LEN_BYTE_ARRAY only when min <= max (parquet-go compares those bytewise,
//     which is the numeric order when all values have one sign, and gives min > max when
//     they do not);
//   - a float bound that is NaN is dropped, and NaN values are assumed possible beyond
//     the bounds (writers leave them out);
//   - a string upper bound of only 0xFF bytes is dropped (parquet-go's truncation of page
//     bounds can turn a longer value into it);
//   - null_count only when the writer wrote statistics at all (a bound, or a count above
//     zero); a REQUIRED column has no NULLs.

// chunkStats returns the statistics of the column chunk of the flat column pc in row
// group rg (rows rows) of a file with metadata md.
func chunkStats(md *format.FileMetaData, rg int, pc pqField, rows int64) colStats {
	if pc.list != nil || rg >= len(md.RowGroups) {
		return colStats{nullCount: -1}
	}
	leaf := pc.leaf.Index()
	cols := md.RowGroups[rg].Columns
	if leaf < 0 || leaf >= len(cols) {
		return colStats{nullCount: -1}
	}
	st := &cols[leaf].MetaData.Statistics
	cs := colStats{nan: isFloatType(pc.field.Type), nullCount: -1}
	present := st.MinValue != nil || st.MaxValue != nil || st.Min != nil || st.Max != nil || st.NullCount > 0
	switch {
	case pc.leaf.MaxDefinitionLevel() == 0:
		cs.nulls, cs.nullCount = noNulls, 0
	case !present:
	case st.NullCount == 0:
		cs.nulls, cs.nullCount = noNulls, 0
	case st.NullCount >= rows:
		cs.nulls = allNulls
	default:
		cs.nulls = someNulls
	}
	if present {
		cs.nullCount = st.NullCount
	}
	lo, hi := st.MinValue, st.MaxValue
	if lo == nil || hi == nil || !typeDefinedOrder(md, leaf) {
		lo, hi = nil, nil
		if signedOrder(pc.leaf.Type()) {
			lo, hi = st.Min, st.Max
		}
	}
	if lo != nil && hi != nil {
		cs.min, cs.max = decodeBounds(lo, hi, pc.leaf.Type(), pc.field.Type)
	}
	return cs
}

// pageStats returns the statistics of every page of a flat column's chunk from its
// column index; firstRows are the pages' first row indexes (from the offset index) and
// rows the row group's row count. nil when the index does not fit the pages.
func pageStats(md *format.FileMetaData, leaf int, ci *format.ColumnIndex, pc pqField, firstRows []int64, rows int64) []colStats {
	n := len(firstRows)
	if pc.list != nil || len(ci.NullPages) != n || len(ci.MinValues) != n || len(ci.MaxValues) != n {
		return nil
	}
	ordered := typeDefinedOrder(md, leaf)
	out := make([]colStats, n)
	for i := range out {
		cs := colStats{nan: isFloatType(pc.field.Type)}
		end := rows
		if i+1 < n {
			end = firstRows[i+1]
		}
		switch {
		case ci.NullPages[i]:
			cs.nulls = allNulls
		case pc.leaf.MaxDefinitionLevel() == 0:
			cs.nulls = noNulls
		case len(ci.NullCounts) == n && ci.NullCounts[i] == 0:
			cs.nulls = noNulls
		case len(ci.NullCounts) == n && ci.NullCounts[i] >= end-firstRows[i]:
			cs.nulls = allNulls
		case len(ci.NullCounts) == n:
			cs.nulls = someNulls
		}
		if cs.nulls != allNulls && ordered {
			cs.min, cs.max = decodeBounds(ci.MinValues[i], ci.MaxValues[i], pc.leaf.Type(), pc.field.Type)
		}
		out[i] = cs
	}
	return out
}

// typeDefinedOrder reports whether the file does not say that leaf column's statistics
// use an order other than the type-defined one.
func typeDefinedOrder(md *format.FileMetaData, leaf int) bool {
	if len(md.ColumnOrders) == 0 {
		return true // older writers: min_value/max_value were introduced with the type order
	}
	if leaf >= len(md.ColumnOrders) {
		return false
	}
	_, ok := md.ColumnOrders[leaf].Value.(*format.TypeDefinedOrder)
	return ok
}

// signedOrder reports whether the deprecated (signed) min/max are in the right order for
// a leaf type.
func signedOrder(t parquet.Type) bool {
	switch t.Kind() {
	case parquet.Boolean, parquet.Int32, parquet.Int64, parquet.Float, parquet.Double:
		return !unsigned(t)
	}
	return false
}

func unsigned(t parquet.Type) bool {
	if lt := t.LogicalType(); lt != nil {
		if it, ok := lt.Value.(*format.IntType); ok && !it.IsSigned {
			return true
		}
	}
	return false
}

// decodeBounds decodes a pair of PLAIN-encoded bounds of a leaf of type t into
// planner.Literal values of target (the type parquetType chose); nil where unknown.
func decodeBounds(lo, hi []byte, t parquet.Type, target arrow.DataType) (minV, maxV any) {
	minV, ok1 := decodeBound(lo, t, target)
	maxV, ok2 := decodeBound(hi, t, target)
	if !ok1 || !ok2 {
		return nil, nil
	}
	if s, ok := maxV.(string); ok && allFF(s) {
		return nil, nil
	}
	return minV, maxV
}

func allFF(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != 0xFF {
			return false
		}
	}
	return len(s) > 0
}

// decodeBound decodes one PLAIN-encoded bound (no length prefix for byte arrays).
func decodeBound(b []byte, t parquet.Type, target arrow.DataType) (any, bool) {
	kind := t.Kind()
	if unsigned(t) {
		return nil, false
	}
	i32 := func() (int64, bool) {
		if kind != parquet.Int32 || len(b) != 4 {
			return 0, false
		}
		return int64(int32(binary.LittleEndian.Uint32(b))), true
	}
	i64 := func() (int64, bool) {
		if kind != parquet.Int64 || len(b) != 8 {
			return 0, false
		}
		return int64(binary.LittleEndian.Uint64(b)), true
	}
	switch target.ID() {
	case arrow.BOOL:
		if kind != parquet.Boolean || len(b) != 1 {
			return nil, false
		}
		return b[0]&1 != 0, true
	case arrow.INT8, arrow.INT16, arrow.INT32:
		v, ok := i32()
		bits := intWidth(target)
		if !ok || v < -(1<<(bits-1)) || v >= 1<<(bits-1) {
			return nil, false // the reader would wrap such values
		}
		return v, true
	case arrow.INT64:
		v, ok := i64()
		return v, ok
	case arrow.DATE32:
		v, ok := i32()
		return arrow.Date32(v), ok
	case arrow.TIMESTAMP:
		v, ok := i64()
		if !ok {
			return nil, false
		}
		var ts *format.TimestampType
		if lt := t.LogicalType(); lt != nil {
			ts, _ = lt.Value.(*format.TimestampType)
		}
		switch {
		case ts != nil && isUnit[*format.MilliSeconds](ts):
			if v > math.MaxInt64/1000 || v < math.MinInt64/1000 {
				return nil, false
			}
			v *= 1000
		case ts != nil && isUnit[*format.NanoSeconds](ts):
			q := v / 1000
			if v%1000 < 0 {
				q--
			}
			v = q
		}
		return arrow.Timestamp(v), true
	case arrow.FLOAT32:
		if kind != parquet.Float || len(b) != 4 {
			return nil, false
		}
		f := math.Float32frombits(binary.LittleEndian.Uint32(b))
		return float64(f), !math.IsNaN(float64(f))
	case arrow.FLOAT64:
		if kind != parquet.Double || len(b) != 8 {
			return nil, false
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(b))
		return f, !math.IsNaN(f)
	case arrow.STRING:
		if kind != parquet.ByteArray {
			return nil, false
		}
		return string(b), true
	case arrow.DECIMAL128:
		switch kind {
		case parquet.Int32:
			v, ok := i32()
			return decimal128.FromI64(v), ok
		case parquet.Int64:
			v, ok := i64()
			return decimal128.FromI64(v), ok
		case parquet.FixedLenByteArray:
			if len(b) != t.Length() || len(b) > 16 {
				return nil, false
			}
			return decimalFromBigEndian(b)
		}
	}
	return nil, false
}
