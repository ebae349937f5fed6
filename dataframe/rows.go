package dataframe

import (
	"bytes"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/sql/planner"
)

// Row is one row of a collected result: one Go value per column, in column order (see
// rowsFromBatches for the value of each type).
type Row []any

// rowsFromBatches converts batches into rows of Go values. The rows own their values
// (strings and byte slices are copied), so the caller may release the batches afterwards;
// rowsFromBatches itself does not release them.
//
// Values: nil for NULL; bool; int64 for every signed integer, uint64 for every unsigned
// one; float64 for FLOAT and DOUBLE; string for VARCHAR; []byte for binary; time.Time for
// DATE (midnight UTC) and TIMESTAMP (any unit, in its zone when it has one, else UTC);
// DECIMAL as a string with exactly its scale's digits ("12.30"), as the driver package
// returns it; []any for ARRAY and VECTOR (elements converted the same way); map[string]any
// for a struct; a dictionary's decoded value. Another type (time of day, intervals, maps,
// unions, extensions) is ErrNotImplemented naming the column and the type.
//
// Complexity: the type of each column is inspected once per batch; each value costs one
// interface conversion (and one allocation for non-scalar values).
func rowsFromBatches(batches []arrow.RecordBatch) ([]Row, error) {
	total := 0
	for _, b := range batches {
		total += int(b.NumRows())
	}
	rows := make([]Row, 0, total)
	var getters []valueGetter
	for _, b := range batches {
		n, nc := int(b.NumRows()), int(b.NumCols())
		getters = getters[:0]
		for c := 0; c < nc; c++ {
			g, err := getterOf(b.Column(c))
			if err != nil {
				return nil, errs.Wrap(errs.ErrNotImplemented, err, "column %q", b.ColumnName(c))
			}
			getters = append(getters, g)
		}
		// One backing array for all the cells of the batch.
		cells := make([]any, n*nc)
		for i := 0; i < n; i++ {
			row := cells[i*nc : (i+1)*nc : (i+1)*nc]
			for c, g := range getters {
				row[c] = g(i)
			}
			rows = append(rows, Row(row))
		}
	}
	return rows, nil
}

// valueGetter returns element i of one array as a Go value (nil for NULL).
type valueGetter func(i int) any

// getterOf returns the getter of an array, chosen by its type.
func getterOf(arr arrow.Array) (valueGetter, error) {
	switch a := arr.(type) {
	case *array.Null:
		return func(int) any { return nil }, nil
	case *array.Boolean:
		return orNil(a, func(i int) any { return a.Value(i) }), nil
	case *array.Int8:
		return orNil(a, func(i int) any { return int64(a.Value(i)) }), nil
	case *array.Int16:
		return orNil(a, func(i int) any { return int64(a.Value(i)) }), nil
	case *array.Int32:
		return orNil(a, func(i int) any { return int64(a.Value(i)) }), nil
	case *array.Int64:
		return orNil(a, func(i int) any { return a.Value(i) }), nil
	case *array.Uint8:
		return orNil(a, func(i int) any { return uint64(a.Value(i)) }), nil
	case *array.Uint16:
		return orNil(a, func(i int) any { return uint64(a.Value(i)) }), nil
	case *array.Uint32:
		return orNil(a, func(i int) any { return uint64(a.Value(i)) }), nil
	case *array.Uint64:
		return orNil(a, func(i int) any { return a.Value(i) }), nil
	case *array.Float16:
		return orNil(a, func(i int) any { return float64(a.Value(i).Float32()) }), nil
	case *array.Float32:
		return orNil(a, func(i int) any { return float64(a.Value(i)) }), nil
	case *array.Float64:
		return orNil(a, func(i int) any { return a.Value(i) }), nil
	// Strings and bytes are copied: a row outlives the batch, whose buffers may be reused
	// or freed by a non-Go allocator.
	case *array.String:
		return orNil(a, func(i int) any { return strings.Clone(a.Value(i)) }), nil
	case *array.LargeString:
		return orNil(a, func(i int) any { return strings.Clone(a.Value(i)) }), nil
	case *array.StringView:
		return orNil(a, func(i int) any { return strings.Clone(a.Value(i)) }), nil
	case *array.Binary:
		return orNil(a, func(i int) any { return bytes.Clone(a.Value(i)) }), nil
	case *array.LargeBinary:
		return orNil(a, func(i int) any { return bytes.Clone(a.Value(i)) }), nil
	case *array.BinaryView:
		return orNil(a, func(i int) any { return bytes.Clone(a.Value(i)) }), nil
	case *array.FixedSizeBinary:
		return orNil(a, func(i int) any { return bytes.Clone(a.Value(i)) }), nil
	case *array.Date32:
		return orNil(a, func(i int) any { return a.Value(i).ToTime() }), nil
	case *array.Date64:
		return orNil(a, func(i int) any { return a.Value(i).ToTime() }), nil
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		loc := time.UTC
		if tt.TimeZone != "" {
			z, err := tt.GetZone()
			if err != nil {
				return nil, errs.NotImplementedf("timestamp time zone %q: %v", tt.TimeZone, err)
			}
			if z != nil {
				loc = z
			}
		}
		return orNil(a, func(i int) any { return a.Value(i).ToTime(tt.Unit).In(loc) }), nil
	case *array.Decimal32, *array.Decimal64, *array.Decimal128, *array.Decimal256:
		// format.Value is the text the driver package returns as a Decimal.
		return orNil(a, func(i int) any { return format.Value(a, i) }), nil
	case *array.Dictionary:
		dict, err := getterOf(a.Dictionary())
		if err != nil {
			return nil, err
		}
		return orNil(a, func(i int) any { return dict(a.GetValueIndex(i)) }), nil
	case *array.List, *array.LargeList, *array.FixedSizeList:
		ll := a.(array.ListLike)
		elem, err := getterOf(ll.ListValues())
		if err != nil {
			return nil, err
		}
		return orNil(a, func(i int) any {
			start, end := ll.ValueOffsets(i)
			out := make([]any, end-start)
			for j := range out {
				out[j] = elem(int(start) + j)
			}
			return out
		}), nil
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		fields := make([]valueGetter, a.NumField())
		for f := range fields {
			g, err := getterOf(a.Field(f))
			if err != nil {
				return nil, errs.Wrap(errs.ErrNotImplemented, err, "struct field %q", st.Field(f).Name)
			}
			fields[f] = g
		}
		return orNil(a, func(i int) any {
			m := make(map[string]any, len(fields))
			for f, g := range fields {
				m[st.Field(f).Name] = g(i)
			}
			return m
		}), nil
	}
	return nil, errs.NotImplementedf("cannot convert values of type %s to Go values", planner.TypeString(arr.DataType()))
}

// orNil wraps a getter of non-NULL values: NULL is nil.
func orNil(a arrow.Array, get valueGetter) valueGetter {
	if a.NullN() == 0 {
		return get
	}
	return func(i int) any {
		if a.IsNull(i) {
			return nil
		}
		return get(i)
	}
}
