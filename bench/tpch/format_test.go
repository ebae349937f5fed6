package tpch

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestFormatValue(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	tests := []struct {
		name string
		typ  arrow.DataType
		json string
		want []string
	}{
		{"int64", arrow.PrimitiveTypes.Int64, `[1, -42, null]`, []string{"1", "-42", "NULL"}},
		{"int32", arrow.PrimitiveTypes.Int32, `[2147483647]`, []string{"2147483647"}},
		{"bool", arrow.FixedWidthTypes.Boolean, `[true, false]`, []string{"true", "false"}},
		// Exactly the scale's digits, including trailing zeros and a leading "0.".
		{"decimal(15,2)", &arrow.Decimal128Type{Precision: 15, Scale: 2}, `["711.56", "17", "-0.05", "0"]`,
			[]string{"711.56", "17.00", "-0.05", "0.00"}},
		{"decimal(38,6)", &arrow.Decimal128Type{Precision: 38, Scale: 6}, `["25.522006", "0.000001", "-1234567890123.5"]`,
			[]string{"25.522006", "0.000001", "-1234567890123.500000"}},
		{"decimal(10,0)", &arrow.Decimal128Type{Precision: 10, Scale: 0}, `["120"]`, []string{"120"}},
		{"decimal64(18,4)", &arrow.Decimal64Type{Precision: 18, Scale: 4}, `["53758257134.87"]`, []string{"53758257134.8700"}},
		{"string", arrow.BinaryTypes.String, `["MIDDLE EAST", "", " lead space", null]`,
			[]string{"MIDDLE EAST", "(empty)", " lead space", "NULL"}},
		{"date32", arrow.FixedWidthTypes.Date32, `["1995-03-05", "1970-01-01"]`, []string{"1995-03-05", "1970-01-01"}},
		{"timestamp", &arrow.TimestampType{Unit: arrow.Microsecond}, `["1992-01-01T10:00:00.5", "1992-01-01T00:00:00"]`,
			[]string{"1992-01-01 10:00:00.5", "1992-01-01 00:00:00"}},
		{"float64", arrow.PrimitiveTypes.Float64, `[100, 0.1, 1e16]`, []string{"100.0", "0.1", "1e+16"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			arr, _, err := array.FromJSON(mem, tc.typ, strings.NewReader(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			defer arr.Release()
			for i, want := range tc.want {
				got, err := FormatValue(arr, i)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("value %d: got %q, want %q", i, got, want)
				}
			}
		})
	}
}

func TestFormatValueRejectsNested(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	arr, _, err := array.FromJSON(mem, arrow.ListOf(arrow.PrimitiveTypes.Int64), strings.NewReader(`[[1]]`))
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	if _, err := FormatValue(arr, 0); err == nil {
		t.Fatal("formatting a list succeeded, want an error")
	}
}

// The expectations are what DuckDB 1.1.3 prints for CAST(x AS VARCHAR) (checked by hand
// with DuckDB), which is also Python's repr.
func TestFormatFloat(t *testing.T) {
	tests := []struct {
		v    float64
		bits int
		want string
	}{
		{0, 64, "0.0"},
		{100, 64, "100.0"},
		{0.1, 64, "0.1"},
		{0.0001, 64, "0.0001"},
		{0.00001, 64, "1e-05"},
		{-2.5e-7, 64, "-2.5e-07"},
		{1e15, 64, "1000000000000000.0"},
		{1e16, 64, "1e+16"},
		{123456789012345678, 64, "1.2345678901234568e+17"},
		{1.0 / 3, 64, "0.3333333333333333"},
		{1e100, 64, "1e+100"},
		{float64(float32(0.1)), 32, "0.1"},
	}
	for _, tc := range tests {
		if got := FormatFloat(tc.v, tc.bits); got != tc.want {
			t.Errorf("FormatFloat(%v, %d) = %q, want %q", tc.v, tc.bits, got, tc.want)
		}
	}
}

func TestTypeLetter(t *testing.T) {
	tests := []struct {
		typ  arrow.DataType
		want byte
	}{
		{arrow.PrimitiveTypes.Int64, 'I'},
		{arrow.PrimitiveTypes.Uint8, 'I'},
		{&arrow.Decimal128Type{Precision: 38, Scale: 6}, 'R'},
		{arrow.PrimitiveTypes.Float64, 'R'},
		{arrow.BinaryTypes.String, 'T'},
		{arrow.FixedWidthTypes.Date32, 'T'},
		{arrow.FixedWidthTypes.Boolean, 'T'},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.PrimitiveTypes.Int64}, 'I'},
	}
	for _, tc := range tests {
		if got := TypeLetter(tc.typ); got != tc.want {
			t.Errorf("TypeLetter(%s) = %c, want %c", tc.typ, got, tc.want)
		}
	}
}
