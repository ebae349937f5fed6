package format

import (
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestValueAndJSON(t *testing.T) {
	tsUS := &arrow.TimestampType{Unit: arrow.Microsecond}
	tsS := &arrow.TimestampType{Unit: arrow.Second}
	tsUTC := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	tsPlus2 := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "+02:00"}
	tests := []struct {
		name string
		dt   arrow.DataType
		json string // one-element JSON array, unless build is set
		// build makes the array when JSON cannot express the value exactly.
		build    func(mem memory.Allocator) arrow.Array
		want     string
		wantJSON string
	}{
		{name: "null", dt: arrow.PrimitiveTypes.Int32, json: `[null]`, want: "NULL", wantJSON: "null"},
		{name: "null type", dt: arrow.Null, json: `[null]`, want: "NULL", wantJSON: "null"},
		{name: "bool", dt: arrow.FixedWidthTypes.Boolean, json: `[true]`, want: "true", wantJSON: "true"},
		{name: "int8", dt: arrow.PrimitiveTypes.Int8, json: `[-128]`, want: "-128", wantJSON: "-128"},
		{name: "uint64 max", build: func(mem memory.Allocator) arrow.Array {
			b := array.NewUint64Builder(mem)
			defer b.Release()
			b.Append(math.MaxUint64)
			return b.NewArray()
		}, want: "18446744073709551615", wantJSON: "18446744073709551615"},
		{name: "double tenth", dt: arrow.PrimitiveTypes.Float64, json: `[0.1]`, want: "0.1", wantJSON: "0.1"},
		{name: "double half", dt: arrow.PrimitiveTypes.Float64, json: `[2.5]`, want: "2.5", wantJSON: "2.5"},
		{name: "double integral", dt: arrow.PrimitiveTypes.Float64, json: `[3]`, want: "3", wantJSON: "3"},
		{name: "double 1e15", dt: arrow.PrimitiveTypes.Float64, json: `[1e15]`,
			want: "1000000000000000", wantJSON: "1000000000000000"},
		{name: "double 1e20", dt: arrow.PrimitiveTypes.Float64, json: `[1e20]`, want: "1e+20", wantJSON: "1e+20"},
		{name: "double tiny", dt: arrow.PrimitiveTypes.Float64, json: `[1e-7]`, want: "1e-07", wantJSON: "1e-07"},
		{name: "double small", dt: arrow.PrimitiveTypes.Float64, json: `[0.000123]`, want: "0.000123", wantJSON: "0.000123"},
		{name: "double NaN", dt: arrow.PrimitiveTypes.Float64, build: float64s(math.NaN()), want: "NaN", wantJSON: `"NaN"`},
		{name: "double -inf", dt: arrow.PrimitiveTypes.Float64, build: float64s(math.Inf(-1)),
			want: "-Infinity", wantJSON: `"-Infinity"`},
		{name: "float 0.1", dt: arrow.PrimitiveTypes.Float32, json: `[0.1]`, want: "0.1", wantJSON: "0.1"},
		{name: "decimal trailing zeros", build: decimals(10, 2, 123450), want: "1234.50", wantJSON: "1234.50"},
		{name: "decimal below one", build: decimals(10, 2, -5), want: "-0.05", wantJSON: "-0.05"},
		{name: "decimal zero", build: decimals(10, 2, 0), want: "0.00", wantJSON: "0.00"},
		{name: "decimal scale 0", build: decimals(5, 0, 7), want: "7", wantJSON: "7"},
		{name: "decimal negative scale", build: decimals(5, -2, 12), want: "1200", wantJSON: "1200"},
		{name: "decimal256 38 digits", build: func(mem memory.Allocator) arrow.Array {
			b := array.NewDecimal256Builder(mem, &arrow.Decimal256Type{Precision: 40, Scale: 3})
			defer b.Release()
			n, err := decimal256.FromString("12345678901234567890123456789012345.678", 40, 3)
			if err != nil {
				panic(err)
			}
			b.Append(n)
			return b.NewArray()
		}, want: "12345678901234567890123456789012345.678", wantJSON: "12345678901234567890123456789012345.678"},
		{name: "string raw", dt: arrow.BinaryTypes.String, json: `["it's \"x\""]`, want: `it's "x"`, wantJSON: `"it's \"x\""`},
		{name: "large string", dt: arrow.BinaryTypes.LargeString, json: `["a"]`, want: "a", wantJSON: `"a"`},
		{name: "binary", build: func(mem memory.Allocator) arrow.Array {
			b := array.NewBinaryBuilder(mem, arrow.BinaryTypes.Binary)
			defer b.Release()
			b.Append([]byte("ab\x00\xff\\"))
			return b.NewArray()
		}, want: `ab\x00\xFF\x5C`, wantJSON: `"ab\\x00\\xFF\\x5C"`},
		{name: "date32", dt: arrow.FixedWidthTypes.Date32, json: `["2024-02-29"]`, want: "2024-02-29", wantJSON: `"2024-02-29"`},
		{name: "date32 before epoch", dt: arrow.FixedWidthTypes.Date32, json: `["1969-12-31"]`,
			want: "1969-12-31", wantJSON: `"1969-12-31"`},
		{name: "date64", dt: arrow.FixedWidthTypes.Date64, json: `["2000-01-01"]`, want: "2000-01-01", wantJSON: `"2000-01-01"`},
		{name: "timestamp whole seconds", dt: tsUS, json: `["2024-01-15 10:30:00"]`,
			want: "2024-01-15 10:30:00", wantJSON: `"2024-01-15 10:30:00"`},
		{name: "timestamp micros", dt: tsUS, json: `["2024-01-15 10:30:00.123456"]`,
			want: "2024-01-15 10:30:00.123456", wantJSON: `"2024-01-15 10:30:00.123456"`},
		{name: "timestamp half second", dt: tsUS, json: `["1999-12-31 23:59:59.5"]`,
			want: "1999-12-31 23:59:59.5", wantJSON: `"1999-12-31 23:59:59.5"`},
		{name: "timestamp seconds unit", dt: tsS, json: `["2024-01-15 00:00:01"]`,
			want: "2024-01-15 00:00:01", wantJSON: `"2024-01-15 00:00:01"`},
		{name: "timestamp utc", dt: tsUTC, json: `["2024-01-15T10:30:00Z"]`,
			want: "2024-01-15 10:30:00", wantJSON: `"2024-01-15 10:30:00"`},
		{name: "timestamp in a zone shows its wall time", dt: tsPlus2, json: `["2024-01-15T10:30:00Z"]`,
			want: "2024-01-15 12:30:00", wantJSON: `"2024-01-15 12:30:00"`},
		{name: "time of day", dt: arrow.FixedWidthTypes.Time64us, json: `["01:02:03.25"]`,
			want: "01:02:03.25", wantJSON: `"01:02:03.25"`},
		{name: "list", dt: arrow.ListOf(arrow.PrimitiveTypes.Int32), json: `[[1, null, 3]]`,
			want: "[1, NULL, 3]", wantJSON: "[1,null,3]"},
		{name: "list of strings", dt: arrow.ListOf(arrow.BinaryTypes.String), json: `[["a", null, "c d"]]`,
			want: "[a, NULL, c d]", wantJSON: `["a",null,"c d"]`},
		{name: "empty list", dt: arrow.ListOf(arrow.PrimitiveTypes.Int64), json: `[[]]`, want: "[]", wantJSON: "[]"},
		{name: "NULL list", dt: arrow.ListOf(arrow.PrimitiveTypes.Int64), json: `[null]`, want: "NULL", wantJSON: "null"},
		{name: "nested list", dt: arrow.ListOf(arrow.ListOf(arrow.PrimitiveTypes.Int64)), json: `[[[1, 2], [], null]]`,
			want: "[[1, 2], [], NULL]", wantJSON: "[[1,2],[],null]"},
		{name: "vector", dt: arrow.FixedSizeListOfNonNullable(3, arrow.PrimitiveTypes.Float32), json: `[[1, 2.5, -0.1]]`,
			want: "[1, 2.5, -0.1]", wantJSON: "[1,2.5,-0.1]"},
		{name: "struct", dt: arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32},
			arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}),
			json: `[{"a": 1, "b": "x"}]`, want: "{a: 1, b: x}", wantJSON: `{"a":1,"b":"x"}`},
		{name: "map", dt: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64),
			json: `[[{"key": "k", "value": 1}, {"key": "z", "value": null}]]`,
			want: "{k=1, z=NULL}", wantJSON: `{"k":1,"z":null}`},
		{name: "dictionary", build: func(mem memory.Allocator) arrow.Array {
			dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
			b := array.NewDictionaryBuilder(mem, dt).(*array.BinaryDictionaryBuilder)
			defer b.Release()
			if err := b.AppendString("red"); err != nil {
				panic(err)
			}
			return b.NewArray()
		}, want: "red", wantJSON: `"red"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			var arr arrow.Array
			if tc.build != nil {
				arr = tc.build(mem)
			} else {
				var err error
				arr, _, err = array.FromJSON(mem, tc.dt, strings.NewReader(tc.json))
				if err != nil {
					t.Fatalf("FromJSON: %v", err)
				}
			}
			defer arr.Release()
			if got := Value(arr, 0); got != tc.want {
				t.Errorf("Value = %q, want %q", got, tc.want)
			}
			if got := string(appendJSON(nil, arr, 0)); got != tc.wantJSON {
				t.Errorf("JSON = %s, want %s", got, tc.wantJSON)
			}
		})
	}
}

func float64s(vs ...float64) func(memory.Allocator) arrow.Array {
	return func(mem memory.Allocator) arrow.Array {
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		b.AppendValues(vs, nil)
		return b.NewArray()
	}
}

// decimals builds a decimal128(precision, scale) array of the given unscaled values.
func decimals(precision, scale int32, unscaled ...int64) func(memory.Allocator) arrow.Array {
	return func(mem memory.Allocator) arrow.Array {
		b := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: precision, Scale: scale})
		defer b.Release()
		for _, u := range unscaled {
			b.Append(decimal128.FromI64(u))
		}
		return b.NewArray()
	}
}

func TestTypeName(t *testing.T) {
	tests := []struct {
		dt   arrow.DataType
		want string
	}{
		{arrow.PrimitiveTypes.Int32, "int"},
		{arrow.PrimitiveTypes.Int64, "bigint"},
		{arrow.PrimitiveTypes.Uint16, "smallint unsigned"},
		{arrow.PrimitiveTypes.Float64, "double"},
		{&arrow.Decimal128Type{Precision: 10, Scale: 2}, "decimal(10,2)"},
		{arrow.BinaryTypes.String, "varchar"},
		{arrow.BinaryTypes.StringView, "varchar"},
		{arrow.BinaryTypes.Binary, "binary"},
		{arrow.FixedWidthTypes.Date32, "date"},
		{&arrow.TimestampType{Unit: arrow.Microsecond}, "timestamp"},
		{&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, "timestamp"},
		{arrow.FixedWidthTypes.Boolean, "boolean"},
		{arrow.ListOf(arrow.PrimitiveTypes.Int32), "array<int>"},
		{arrow.ListOf(arrow.ListOf(arrow.BinaryTypes.String)), "array<array<varchar>>"},
		{arrow.FixedSizeListOfNonNullable(3, arrow.PrimitiveTypes.Float32), "vector(3)"},
		{arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Int64), "array<bigint>"},
		{arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64), "map<varchar,double>"},
		{arrow.StructOf(arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int32},
			arrow.Field{Name: "b", Type: arrow.BinaryTypes.String}), "struct<a:int,b:varchar>"},
	}
	for _, tc := range tests {
		if got := TypeName(tc.dt); got != tc.want {
			t.Errorf("TypeName(%s) = %q, want %q", tc.dt, got, tc.want)
		}
	}
}
