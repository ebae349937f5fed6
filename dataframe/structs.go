package dataframe

import (
	"reflect"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Go structs as Arrow batches, for Session.FromStructs.
//
// Column types by field type: bool BOOLEAN; int8, int16, int32, int64 TINYINT .. BIGINT and
// int BIGINT; uint8 .. uint64 unsigned Arrow integers and uint uint64; float32 FLOAT;
// float64 DOUBLE; string VARCHAR; []byte binary; time.Time timestamp[us, UTC] (its instant;
// sub-microsecond digits are dropped); []T of one of those scalars (or of a pointer to one,
// for NULL elements) an ARRAY<T>; *T of any of these the same type, nullable, nil being
// NULL. A nil slice in a non-pointer field is an empty value, not NULL. Named types count
// by their kind (type Celsius float64 is DOUBLE). Other fields (maps, structs, interfaces,
// arrays, nested slices, pointers to pointers) are refused.

var timeType = reflect.TypeFor[time.Time]()

// utcMicros is the Arrow type of a time.Time field.
var utcMicros arrow.DataType = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// appendFunc appends the Go value v to a builder of the column's type.
type appendFunc func(b array.Builder, v reflect.Value)

// structColumn is one column of a struct type: the field (an index path, through embedded
// structs) and how its values are appended.
type structColumn struct {
	index []int
	field arrow.Field
	app   appendFunc
}

// schemaFromStruct returns the schema FromStructs derives from a struct type (or a pointer
// to one): one column per exported field in field order, named by its `ember:"name"` tag
// or else the field's name; `ember:"-"` and unexported fields are skipped, and the fields
// of an embedded struct without a tag name are flattened into the outer one, as
// encoding/json does. Errors: t is not a struct (ErrPlan), a field's type is unsupported
// (ErrNotImplemented, naming the field and its type), two fields map to one column name
// ignoring case, or there is no column at all (ErrPlan).
func schemaFromStruct(t reflect.Type) (*arrow.Schema, error) {
	cols, err := structColumns(t)
	if err != nil {
		return nil, err
	}
	return columnsSchema(cols), nil
}

func columnsSchema(cols []structColumn) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.field
	}
	return arrow.NewSchema(fields, nil)
}

// recordFromStructs converts rows, a slice of structs or of pointers to structs, into one
// batch allocated from mem (the caller owns it) with schemaFromStruct's schema of the
// element type; an empty slice gives a batch of no rows. A nil element pointer is an error
// (ErrPlan), as is rows of any other kind (naming its type).
func recordFromStructs(mem memory.Allocator, rows any) (arrow.RecordBatch, error) {
	v := reflect.ValueOf(rows)
	if !v.IsValid() || v.Kind() != reflect.Slice {
		return nil, errs.Planf("FromStructs needs a slice of structs or of pointers to structs, not %T", rows)
	}
	et := v.Type().Elem()
	ptr := et.Kind() == reflect.Pointer
	if ptr {
		et = et.Elem()
	}
	if et.Kind() != reflect.Struct || et == timeType {
		return nil, errs.Planf("FromStructs needs a slice of structs or of pointers to structs, not %T", rows)
	}
	cols, err := structColumns(et)
	if err != nil {
		return nil, err
	}
	rb := array.NewRecordBuilder(mem, columnsSchema(cols))
	defer rb.Release()
	rb.Reserve(v.Len())
	for i := 0; i < v.Len(); i++ {
		e := v.Index(i)
		if ptr {
			if e.IsNil() {
				return nil, errs.Planf("FromStructs: element %d is a nil %s", i, v.Type().Elem())
			}
			e = e.Elem()
		}
		for c, col := range cols {
			col.app(rb.Field(c), e.FieldByIndex(col.index))
		}
	}
	return rb.NewRecordBatch(), nil
}

// structColumns lists the columns of struct type t (or *t); see schemaFromStruct.
func structColumns(t reflect.Type) ([]structColumn, error) {
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct || t == timeType {
		return nil, errs.Planf("FromStructs needs a struct type, not %v", t)
	}
	var cols []structColumn
	if err := addStructColumns(&cols, t, nil); err != nil {
		return nil, err
	}
	if len(cols) == 0 {
		return nil, errs.Planf("struct %s has no exported fields to make columns of", t)
	}
	seen := make(map[string]string, len(cols))
	for _, c := range cols {
		k := strings.ToLower(c.field.Name)
		if prev, ok := seen[k]; ok {
			return nil, errs.Planf("struct %s: two fields make the column %q (and %q); rename one with an `ember:\"name\"` tag",
				t, prev, c.field.Name)
		}
		seen[k] = c.field.Name
	}
	return cols, nil
}

// addStructColumns appends the columns of t's fields, whose index paths start with prefix.
func addStructColumns(cols *[]structColumn, t reflect.Type, prefix []int) error {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("ember"), ",")
		if tag == "-" {
			continue
		}
		index := append(append([]int(nil), prefix...), i)
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct && f.Type != timeType {
			if err := addStructColumns(cols, f.Type, index); err != nil {
				return err
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag != "" {
			name = tag
		}
		dt, nullable, app, ok := goColumnType(f.Type)
		if !ok {
			return errs.NotImplementedf("struct %s field %s: type %s is not supported (use bool, integers, floats, string, []byte, time.Time, a slice of those, or a pointer to any of them)",
				t, f.Name, f.Type)
		}
		*cols = append(*cols, structColumn{index: index, field: arrow.Field{Name: name, Type: dt, Nullable: nullable}, app: app})
	}
	return nil
}

// goColumnType maps a field type to its column type, nullability and appender; ok is false
// for an unsupported type.
func goColumnType(t reflect.Type) (dt arrow.DataType, nullable bool, app appendFunc, ok bool) {
	if t.Kind() == reflect.Pointer {
		dt, _, inner, ok := goValueType(t.Elem())
		if !ok {
			return nil, false, nil, false
		}
		return dt, true, nullableAppend(inner), true
	}
	dt, _, app, ok = goValueType(t)
	return dt, false, app, ok
}

// goValueType maps a non-pointer type: a scalar, []byte, or a slice of scalars or of
// pointers to scalars. scalar reports whether t may be a list element.
func goValueType(t reflect.Type) (dt arrow.DataType, scalar bool, app appendFunc, ok bool) {
	if t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 {
		et := t.Elem()
		var elemApp appendFunc
		var elem arrow.DataType
		if et.Kind() == reflect.Pointer {
			var isScalar bool
			elem, isScalar, elemApp, ok = goValueType(et.Elem())
			ok = ok && isScalar
			elemApp = nullableAppend(elemApp)
		} else {
			var isScalar bool
			elem, isScalar, elemApp, ok = goValueType(et)
			ok = ok && isScalar
		}
		if !ok {
			return nil, false, nil, false
		}
		return planner.ArrayOf(elem), false, func(b array.Builder, v reflect.Value) {
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			vb := lb.ValueBuilder()
			for i := 0; i < v.Len(); i++ {
				elemApp(vb, v.Index(i))
			}
		}, true
	}
	dt, app, ok = goScalarType(t)
	return dt, ok && t.Kind() != reflect.Slice, app, ok
}

// goScalarType maps a scalar type, or []byte, to its column type and appender.
func goScalarType(t reflect.Type) (arrow.DataType, appendFunc, bool) {
	if t == timeType {
		return utcMicros, func(b array.Builder, v reflect.Value) {
			tm := v.Interface().(time.Time)
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(tm.UnixMicro()))
		}, true
	}
	switch t.Kind() {
	case reflect.Bool:
		return planner.Boolean, func(b array.Builder, v reflect.Value) { b.(*array.BooleanBuilder).Append(v.Bool()) }, true
	case reflect.Int8:
		return planner.Int8, func(b array.Builder, v reflect.Value) { b.(*array.Int8Builder).Append(int8(v.Int())) }, true
	case reflect.Int16:
		return planner.Int16, func(b array.Builder, v reflect.Value) { b.(*array.Int16Builder).Append(int16(v.Int())) }, true
	case reflect.Int32:
		return planner.Int32, func(b array.Builder, v reflect.Value) { b.(*array.Int32Builder).Append(int32(v.Int())) }, true
	case reflect.Int, reflect.Int64:
		return planner.Int64, func(b array.Builder, v reflect.Value) { b.(*array.Int64Builder).Append(v.Int()) }, true
	case reflect.Uint8:
		return arrow.PrimitiveTypes.Uint8, func(b array.Builder, v reflect.Value) { b.(*array.Uint8Builder).Append(uint8(v.Uint())) }, true
	case reflect.Uint16:
		return arrow.PrimitiveTypes.Uint16, func(b array.Builder, v reflect.Value) { b.(*array.Uint16Builder).Append(uint16(v.Uint())) }, true
	case reflect.Uint32:
		return arrow.PrimitiveTypes.Uint32, func(b array.Builder, v reflect.Value) { b.(*array.Uint32Builder).Append(uint32(v.Uint())) }, true
	case reflect.Uint, reflect.Uint64:
		return arrow.PrimitiveTypes.Uint64, func(b array.Builder, v reflect.Value) { b.(*array.Uint64Builder).Append(v.Uint()) }, true
	case reflect.Float32:
		return planner.Float32, func(b array.Builder, v reflect.Value) { b.(*array.Float32Builder).Append(float32(v.Float())) }, true
	case reflect.Float64:
		return planner.Float64, func(b array.Builder, v reflect.Value) { b.(*array.Float64Builder).Append(v.Float()) }, true
	case reflect.String:
		return planner.String, func(b array.Builder, v reflect.Value) { b.(*array.StringBuilder).Append(v.String()) }, true
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return arrow.BinaryTypes.Binary, func(b array.Builder, v reflect.Value) { b.(*array.BinaryBuilder).Append(v.Bytes()) }, true
		}
	}
	return nil, nil, false
}

// nullableAppend wraps the appender of T as one of *T: a nil pointer is NULL.
func nullableAppend(inner appendFunc) appendFunc {
	return func(b array.Builder, v reflect.Value) {
		if v.IsNil() {
			b.AppendNull()
			return
		}
		inner(b, v.Elem())
	}
}
