package driver

import (
	"bytes"
	"database/sql"
	sqldriver "database/sql/driver"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/sql/planner"
)

// rows reads a Result's batches row by row. It owns the Result: Close releases its batches
// (database/sql calls Close when Next reports io.EOF, when the Rows are closed, and when the
// query's context ends). A Result without a schema (DDL) has no columns and no rows.
type rows struct {
	res *dataframe.Result
	// batch is the index of the batch being read, row the next row in it.
	batch, row int
	// readers read the columns of the current batch; built once per batch, so that the
	// type of each column is looked at once per batch, not once per value.
	readers []reader
}

// reader returns row i of one column as a driver value (nil for NULL).
type reader func(i int) sqldriver.Value

var (
	_ sqldriver.Rows                           = (*rows)(nil)
	_ sqldriver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
	_ sqldriver.RowsColumnTypePrecisionScale   = (*rows)(nil)
	_ sqldriver.RowsColumnTypeNullable         = (*rows)(nil)
	_ sqldriver.RowsColumnTypeScanType         = (*rows)(nil)
)

func newRows(res *dataframe.Result) *rows { return &rows{res: res, batch: -1} }

// field returns column i's Arrow field.
func (r *rows) field(i int) arrow.Field { return r.res.Schema.Field(i) }

// Columns returns the column names.
func (r *rows) Columns() []string {
	if r.res.Schema == nil {
		return nil
	}
	names := make([]string, r.res.Schema.NumFields())
	for i := range names {
		names[i] = r.field(i).Name
	}
	return names
}

// Close releases the result's Arrow memory. It may be called more than once.
func (r *rows) Close() error {
	if r.res != nil {
		r.res.Release()
	}
	r.readers = nil
	return nil
}

// Next fills dest with the next row: int64 for the integer types, float64 for DOUBLE and
// FLOAT, bool, string for VARCHAR (a copy: the row outlives the batch), Decimal for DECIMAL,
// time.Time in UTC for DATE (midnight) and TIMESTAMP, []byte for BINARY, and the text the
// shell shows for ARRAY, VECTOR and other nested types; nil for NULL.
func (r *rows) Next(dest []sqldriver.Value) error {
	if r.res.Schema == nil {
		return io.EOF
	}
	for r.batch < 0 || r.row >= int(r.res.Batches[r.batch].NumRows()) {
		if r.batch+1 >= len(r.res.Batches) {
			return io.EOF
		}
		r.batch++
		r.row = 0
		b := r.res.Batches[r.batch]
		r.readers = r.readers[:0]
		for c := 0; c < int(b.NumCols()); c++ {
			r.readers = append(r.readers, readerOf(b.Column(c)))
		}
	}
	for c, read := range r.readers {
		dest[c] = read(r.row)
	}
	r.row++
	return nil
}

// readerOf returns the reader of an array, chosen by its type.
func readerOf(arr arrow.Array) reader {
	switch a := arr.(type) {
	case *array.Null:
		return func(int) sqldriver.Value { return nil }
	case *array.Boolean:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i)
		}
	case *array.Int8:
		return intReader(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Int16:
		return intReader(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Int32:
		return intReader(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Int64:
		return intReader(a, a.Value)
	case *array.Uint8:
		return intReader(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Uint16:
		return intReader(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Uint32:
		return intReader(a, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Float16:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return float64(a.Value(i).Float32())
		}
	case *array.Float32:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return float64(a.Value(i))
		}
	case *array.Float64:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i)
		}
	case *array.String:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return strings.Clone(a.Value(i))
		}
	case *array.LargeString:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return strings.Clone(a.Value(i))
		}
	case *array.Binary:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return bytes.Clone(a.Value(i))
		}
	case *array.Date32:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i).ToTime()
		}
	case *array.Date64:
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i).ToTime()
		}
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		return func(i int) sqldriver.Value {
			if a.IsNull(i) {
				return nil
			}
			return a.Value(i).ToTime(unit)
		}
	case *array.Decimal128, *array.Decimal256:
		return func(i int) sqldriver.Value {
			if arr.IsNull(i) {
				return nil
			}
			return Decimal(format.Value(arr, i))
		}
	}
	// ARRAY, VECTOR, structs, maps, unsigned 64-bit integers, ...: the shell's text.
	return func(i int) sqldriver.Value {
		if arr.IsNull(i) {
			return nil
		}
		return format.Value(arr, i)
	}
}

// intReader reads an integer column through get.
func intReader(a arrow.Array, get func(int) int64) reader {
	return func(i int) sqldriver.Value {
		if a.IsNull(i) {
			return nil
		}
		return get(i)
	}
}

// ColumnTypeDatabaseTypeName returns the SQL type name of column i, upper case without
// parameters: BIGINT, INT, SMALLINT, TINYINT, DOUBLE, FLOAT, DECIMAL, VARCHAR, DATE,
// TIMESTAMP, BOOLEAN, ARRAY, VECTOR, BINARY, NULL (a bare NULL's column), else the upper-cased
// type name the shell shows (STRUCT<...>, MAP<...>).
func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	return databaseTypeName(r.field(i).Type)
}

func databaseTypeName(t arrow.DataType) string {
	switch {
	case planner.IsVector(t):
		return "VECTOR"
	case planner.IsArray(t):
		return "ARRAY"
	case planner.IsDecimal(t):
		return "DECIMAL"
	}
	switch t.ID() {
	case arrow.INT64:
		return "BIGINT"
	case arrow.INT32:
		return "INT"
	case arrow.INT16:
		return "SMALLINT"
	case arrow.INT8:
		return "TINYINT"
	case arrow.FLOAT64:
		return "DOUBLE"
	case arrow.FLOAT32:
		return "FLOAT"
	case arrow.STRING, arrow.LARGE_STRING:
		return "VARCHAR"
	case arrow.DATE32:
		return "DATE"
	case arrow.TIMESTAMP:
		return "TIMESTAMP"
	case arrow.BOOL:
		return "BOOLEAN"
	case arrow.BINARY:
		return "BINARY"
	case arrow.NULL:
		return "NULL"
	}
	return strings.ToUpper(format.TypeName(t))
}

// ColumnTypePrecisionScale returns a DECIMAL column's precision and scale (ok is false for
// other types).
func (r *rows) ColumnTypePrecisionScale(i int) (precision, scale int64, ok bool) {
	t := r.field(i).Type
	if !planner.IsDecimal(t) {
		return 0, 0, false
	}
	p, s, _ := planner.DecimalParams(t)
	return int64(p), int64(s), true
}

// ColumnTypeNullable reports whether column i may hold NULL, as the plan's schema says.
func (r *rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	return r.field(i).Nullable, true
}

// ColumnTypeScanType returns the Go type to scan column i into: int64, float64, string,
// bool, time.Time, Decimal or []byte, or for a nullable column sql.NullInt64, NullFloat64,
// NullString, NullBool, NullTime, sql.Null[Decimal] ([]byte holds NULL as nil); any for a
// column of NULLs.
func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	f := r.field(i)
	pick := func(plain, nullable reflect.Type) reflect.Type {
		if f.Nullable {
			return nullable
		}
		return plain
	}
	t := f.Type
	switch {
	case planner.IsDecimal(t):
		return pick(reflect.TypeFor[Decimal](), reflect.TypeFor[sql.Null[Decimal]]())
	case planner.IsInteger(t) && t.ID() != arrow.UINT64:
		return pick(reflect.TypeFor[int64](), reflect.TypeFor[sql.NullInt64]())
	case planner.IsFloat(t):
		return pick(reflect.TypeFor[float64](), reflect.TypeFor[sql.NullFloat64]())
	case planner.IsTemporal(t):
		return pick(reflect.TypeFor[time.Time](), reflect.TypeFor[sql.NullTime]())
	}
	switch t.ID() {
	case arrow.BOOL:
		return pick(reflect.TypeFor[bool](), reflect.TypeFor[sql.NullBool]())
	case arrow.BINARY:
		return reflect.TypeFor[[]byte]()
	case arrow.NULL:
		return reflect.TypeFor[any]()
	}
	return pick(reflect.TypeFor[string](), reflect.TypeFor[sql.NullString]())
}
