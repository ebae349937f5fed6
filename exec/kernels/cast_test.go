package kernels

import (
	"errors"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func TestCast(t *testing.T) {
	i8, i32, i64, f32, f64 := planner.Int8, planner.Int32, planner.Int64, planner.Float32, planner.Float64
	str, date, ts, boolean := planner.String, planner.Date, planner.Timestamp, planner.Boolean
	u8, u64 := arrow.PrimitiveTypes.Uint8, arrow.PrimitiveTypes.Uint64
	dec := planner.Decimal
	tsMilli := &arrow.TimestampType{Unit: arrow.Millisecond}
	cases := []struct {
		name     string
		from, to arrow.DataType
		in, want string
	}{
		// integers
		{"bigint to tinyint", i64, i8, `[1, -128, 127, null]`, `[1, -128, 127, null]`},
		{"int to bigint", i32, i64, `[-5, null, 2147483647]`, `[-5, null, 2147483647]`},
		{"bigint to tinyint unsigned", i64, u8, `[0, 255]`, `[0, 255]`},
		{"bigint to double", i64, f64, `[1, -2, null]`, `[1, -2, null]`},
		{"bigint to float", i64, f32, `[3]`, `[3]`},
		{"bigint to decimal", i64, dec(5, 2), `[1, -12, null, 999]`, `["1.00", "-12.00", null, "999.00"]`},
		{"tinyint to decimal", i8, dec(3, 0), `[-128]`, `["-128"]`},
		{"bigint to boolean", i64, boolean, rep(`[0, 5, -1, null]`, 3), rep(`[false, true, true, null]`, 3)},
		{"bigint to varchar", i64, str, `[0, -42, "9223372036854775807", null]`, `["0", "-42", "9223372036854775807", null]`},
		{"bigint unsigned to varchar", u64, str, `["18446744073709551615"]`, `["18446744073709551615"]`},
		// booleans
		{"boolean to bigint", boolean, i64, `[true, false, null]`, `[1, 0, null]`},
		{"boolean to decimal", boolean, dec(3, 1), `[true, false]`, `["1.0", "0.0"]`},
		{"boolean to double", boolean, f64, `[true, false]`, `[1, 0]`},
		{"boolean to varchar", boolean, str, `[true, false, null]`, `["true", "false", null]`},
		// decimals: half away from zero when the scale shrinks
		{"decimal rounding", dec(5, 2), dec(4, 1), `["1.25", "1.24", "-1.25", "-1.35", null]`, `["1.3", "1.2", "-1.3", "-1.4", null]`},
		{"decimal widening", dec(6, 2), dec(8, 4), `["1.25", "-0.01"]`, `["1.2500", "-0.0100"]`},
		{"decimal to bigint", dec(10, 2), i64, `["2.50", "-2.50", "2.49", null]`, `[3, -3, 2, null]`},
		{"decimal to tinyint", dec(10, 2), i8, `["127.49"]`, `[127]`},
		{"decimal to bigint minimum", dec(20, 1), i64, `["-9223372036854775808.4", "9223372036854775807.4"]`,
			`["-9223372036854775808", "9223372036854775807"]`},
		// 1 + 2^-24 is halfway between two FLOATs; 10^-30 above it must round up. Through a
		// DOUBLE it would land on the halfway point first and round to even, down to 1.
		{"decimal to float rounds once", dec(38, 30), f32,
			`["1.000000059604644775390625000001", "-1.000000059604644775390625000001", "0.1", "-16777217", null]`,
			`[1.0000001, -1.0000001, 0.1, -16777216, null]`},
		{"decimal to double", dec(10, 3), f64, `["0.100", "-1.250", "12345.678"]`, `[0.1, -1.25, 12345.678]`},
		{"wide decimal to double", dec(38, 10), f64, `["1234567890123456789012345678.1234567890"]`,
			`[1234567890123456789012345678.123456789]`},
		{"decimal to varchar", dec(5, 2), str, `["1.50", "-0.05", "0.00", null]`, `["1.50", "-0.05", "0.00", null]`},
		{"decimal scale 0 to varchar", dec(5, 0), str, `["12", "-3"]`, `["12", "-3"]`},
		{"wide decimal to varchar", dec(38, 2), str, `["-123456789012345678901234567890123456.78"]`,
			`["-123456789012345678901234567890123456.78"]`},
		{"decimal to boolean", dec(5, 2), boolean, `["0.00", "0.01"]`, `[false, true]`},
		// floats: to integers rounds half away from zero; to decimals from the shortest repr
		{"double to bigint", f64, i64, `[1.5, -1.5, 2.4, -2.6, null]`, `[2, -2, 2, -3, null]`},
		{"double to decimal", f64, dec(10, 2), `[0.125, 1.005, -0.125, 1e-10, 2.675, null]`,
			`["0.13", "1.01", "-0.13", "0.00", "2.68", null]`},
		{"double to wide decimal", f64, dec(20, 0), `[1e19]`, `["10000000000000000000"]`},
		{"float to decimal", f32, dec(5, 2), `[0.1]`, `["0.10"]`},
		{"double to float", f64, f32, `[1.5, null]`, `[1.5, null]`},
		{"float to double", f32, f64, `[0.5]`, `[0.5]`},
		{"double to varchar", f64, str,
			`[1.5, 100, 0.001, 1e20, 1.5e-7, 123456789012345, 0.30000000000000004, -2.5, 0, 1e15, 0.00001, null]`,
			`["1.5", "100", "0.001", "1e+20", "1.5e-07", "123456789012345", "0.30000000000000004", "-2.5", "0", "1e+15", "0.00001", null]`},
		{"float to varchar", f32, str, `[0.1, 16777216]`, `["0.1", "16777216"]`},
		{"double to boolean", f64, boolean, `[0, 2.5]`, `[false, true]`},
		// dates and timestamps
		{"date to varchar", date, str, `["2024-02-29", "1969-12-31", "0001-01-01", null]`, `["2024-02-29", "1969-12-31", "0001-01-01", null]`},
		{"date to timestamp", date, ts, `["2024-02-29", "1969-12-31", null]`, `["2024-02-29 00:00:00", "1969-12-31 00:00:00", null]`},
		{"timestamp to date", ts, date, `["2024-01-05 10:20:30", "1969-12-31 23:00:00", "1970-01-01 00:00:00"]`,
			`["2024-01-05", "1969-12-31", "1970-01-01"]`},
		{"timestamp to varchar", ts, str, `["2024-01-05 10:20:30.5", "1969-12-31 23:59:59.000001", "2024-01-05 00:00:00", null]`,
			`["2024-01-05 10:20:30.5", "1969-12-31 23:59:59.000001", "2024-01-05 00:00:00", null]`},
		{"timestamp to milliseconds", ts, tsMilli, `["2024-01-05 10:20:30.5009", "1969-12-31 23:59:59.9995"]`,
			`["2024-01-05 10:20:30.500", "1969-12-31 23:59:59.999"]`},
		{"milliseconds to varchar", tsMilli, str, `["2024-01-05 10:20:30.5"]`, `["2024-01-05 10:20:30.5"]`},
		// strings, trimmed
		{"varchar to bigint", str, i64, `[" 42 ", "-7", null, "+3"]`, `[42, -7, null, 3]`},
		{"varchar to tinyint", str, i8, `["127", "-128"]`, `[127, -128]`},
		{"varchar to double", str, f64, `["1.5", " -2e3 ", "1e-3", null]`, `[1.5, -2000, 0.001, null]`},
		{"varchar to decimal", str, dec(5, 2), `["1.005", "-1.005", "12", ".5", "1e2", "-0", "0.004999", " 3.14 ", "5.", null, "0.000000000000000000000000000000000000000000001"]`,
			`["1.01", "-1.01", "12.00", "0.50", "100.00", "0.00", "0.00", "3.14", "5.00", null, "0.00"]`},
		{"varchar to wide decimal", str, dec(38, 0), `["99999999999999999999999999999999999999", "1.5e37", "-0000000000000000000000000000000000000000000000001"]`,
			`["99999999999999999999999999999999999999", "15000000000000000000000000000000000000", "-1"]`},
		{"varchar to date", str, date, `["2024-02-29", "2024-1-5", "2024-01-05 10:00:00", " 2000-12-31 "]`,
			`["2024-02-29", "2024-01-05", "2024-01-05", "2000-12-31"]`},
		{"varchar to timestamp", str, ts,
			`["2024-01-05 10:20:30.5", "2024-01-05", "2024-01-05T01:02:03", "2024-01-05 1:02", "2024-01-05 10:20:30.1234567", "2024-01-05 23:59:59.9999999"]`,
			`["2024-01-05 10:20:30.5", "2024-01-05 00:00:00", "2024-01-05 01:02:03", "2024-01-05 01:02:00", "2024-01-05 10:20:30.123457", "2024-01-06 00:00:00"]`},
		{"varchar to boolean", str, boolean, `["true", "F", "yes", "0", " 1 ", "N", null]`, `[true, false, true, false, true, false, null]`},
		{"same type", i64, i64, `[1, null]`, `[1, null]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			in := fromJSON(t, mem, c.from, c.in)
			want := fromJSON(t, mem, c.to, c.want)
			checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) { return Cast(mem, in[0], c.to) }, in)
		})
	}
}

func TestCastNullTyped(t *testing.T) {
	for _, to := range []arrow.DataType{planner.Int64, planner.String, planner.Decimal(5, 2), planner.Boolean, planner.Date, planner.Null} {
		mem := newMem(t)
		n := array.NewNull(3)
		got, err := Cast(mem, n, to)
		n.Release()
		if err != nil {
			t.Fatalf("NULL to %s: %v", to, err)
		}
		if !arrow.TypeEqual(got.DataType(), to) || got.Len() != 3 || got.NullN() != 3 {
			t.Fatalf("NULL to %s: got %v (%s, %d nulls)", to, got, got.DataType(), got.NullN())
		}
		got.Release()
	}
}

func TestCastErrors(t *testing.T) {
	i8, i32, i64, f32, f64 := planner.Int8, planner.Int32, planner.Int64, planner.Float32, planner.Float64
	str, date, ts, boolean := planner.String, planner.Date, planner.Timestamp, planner.Boolean
	dec := planner.Decimal
	cases := []struct {
		from, to arrow.DataType
		in, err  string
	}{
		{i64, i8, `[1, 300]`, "cannot cast 300 to TINYINT: out of range"},
		{i64, arrow.PrimitiveTypes.Uint8, `[-1]`, "cannot cast -1 to TINYINT UNSIGNED: out of range"},
		{i64, dec(5, 2), `[1000]`, "cannot cast 1000 to DECIMAL(5,2): out of range"},
		{dec(5, 2), dec(3, 1), `["99.99"]`, "cannot cast 99.99 to DECIMAL(3,1): out of range"},
		{dec(20, 0), i64, `["9223372036854775808"]`, "cannot cast 9223372036854775808 to BIGINT: out of range"},
		{dec(20, 1), i64, `["-9223372036854775808.5"]`, "cannot cast -9223372036854775808.5 to BIGINT: out of range"},
		{dec(38, 0), i64, `["-99999999999999999999999999999999999999"]`, "cannot cast -99999999999999999999999999999999999999 to BIGINT: out of range"},
		{dec(38, 0), dec(38, 1), `["10000000000000000000000000000000000000"]`, "cannot cast 10000000000000000000000000000000000000 to DECIMAL(38,1): out of range"},
		{dec(5, 3), dec(3, 2), `["9.995", "-9.995"]`, "cannot cast 9.995 to DECIMAL(3,2): out of range"},
		{dec(5, 3), dec(3, 2), `["-9.995"]`, "cannot cast -9.995 to DECIMAL(3,2): out of range"},
		{i64, dec(38, 20), `["1000000000000000000"]`, "cannot cast 1000000000000000000 to DECIMAL(38,20): out of range"},
		{f64, dec(38, 0), `[1e38]`, "cannot cast 1e+38 to DECIMAL(38,0): out of range"},
		{dec(10, 1), i8, `["127.5"]`, "cannot cast 127.5 to TINYINT: out of range"},
		{f64, i64, `[1e19]`, "cannot cast 1e+19 to BIGINT: out of range"},
		{f64, i32, `[3e9]`, "cannot cast 3e+09 to INT: out of range"},
		{f64, dec(3, 2), `[10]`, "cannot cast 10 to DECIMAL(3,2): out of range"},
		{f64, f32, `[1e300]`, "cannot cast 1e+300 to FLOAT: out of range"},
		{boolean, dec(1, 1), `[true]`, "cannot cast true to DECIMAL(1,1): out of range"},
		{str, i64, `["1", "abc"]`, "cannot cast 'abc' to BIGINT"},
		{str, i64, `["1.5"]`, "cannot cast '1.5' to BIGINT"},
		{str, i64, `[""]`, "cannot cast '' to BIGINT"},
		{str, i8, `["300"]`, "cannot cast '300' to TINYINT: out of range"},
		{str, f64, `["x"]`, "cannot cast 'x' to DOUBLE"},
		{str, f64, `["1e400"]`, "cannot cast '1e400' to DOUBLE: out of range"},
		{str, dec(5, 2), `["1e3"]`, "cannot cast '1e3' to DECIMAL(5,2): out of range"},
		{str, dec(5, 2), `["999.995"]`, "cannot cast '999.995' to DECIMAL(5,2): out of range"},
		{str, dec(5, 2), `["1.2.3"]`, "cannot cast '1.2.3' to DECIMAL(5,2)"},
		{str, dec(5, 2), `["1e"]`, "cannot cast '1e' to DECIMAL(5,2)"},
		{str, dec(5, 2), `["-"]`, "cannot cast '-' to DECIMAL(5,2)"},
		{str, dec(5, 2), `["."]`, "cannot cast '.' to DECIMAL(5,2)"},
		{str, dec(5, 2), `["1 2"]`, "cannot cast '1 2' to DECIMAL(5,2)"},
		{str, date, `["2023-02-29"]`, "cannot cast '2023-02-29' to DATE"},
		{str, date, `["2024-13-01"]`, "cannot cast '2024-13-01' to DATE"},
		{str, date, `["24-01-01"]`, "cannot cast '24-01-01' to DATE"},
		{str, ts, `["2024-01-05 25:00:00"]`, "cannot cast '2024-01-05 25:00:00' to TIMESTAMP"},
		{str, ts, `["2024-01-05 10:61"]`, "cannot cast '2024-01-05 10:61' to TIMESTAMP"},
		{str, ts, `["2024-01-05x"]`, "cannot cast '2024-01-05x' to TIMESTAMP"},
		{str, boolean, `["maybe"]`, "cannot cast 'maybe' to BOOLEAN"},
	}
	for _, c := range cases {
		t.Run(c.err, func(t *testing.T) {
			mem := newMem(t)
			got, err := Cast(mem, fromJSON(t, mem, c.from, c.in), c.to)
			if got != nil {
				got.Release()
			}
			wantErr(t, err, c.err)
			if !errors.Is(err, errs.ErrExecution) {
				t.Fatalf("%v is not an execution error", err)
			}
		})
	}

	mem := newMem(t)
	if _, err := Cast(mem, fromJSON(t, mem, date, `["2024-01-01"]`), i64); !errors.Is(err, errs.ErrNotImplemented) {
		t.Fatalf("DATE to BIGINT: want not implemented, got %v", err)
	}
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	fb.AppendValues([]float64{math.NaN()}, nil)
	nan := fb.NewArray()
	defer nan.Release()
	_, err := Cast(mem, nan, i64)
	wantErr(t, err, "cannot cast NaN to BIGINT")
}

// A NULL row whose slot holds an out-of-range value must not fail the cast.
func TestCastIgnoresNullSlots(t *testing.T) {
	mem := newMem(t)
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues([]int64{300, 1}, []bool{false, true})
	in := b.NewArray()
	defer in.Release()
	want := fromJSON(t, mem, planner.Int8, `[null, 1]`)
	checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) { return Cast(mem, in[0], planner.Int8) }, in)
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.AppendValues([]string{"abc", "2"}, []bool{false, true})
	s := sb.NewArray()
	defer s.Release()
	checkKernel(t, fromJSON(t, mem, planner.Int64, `[null, 2]`),
		func(in []arrow.Array) (arrow.Array, error) { return Cast(mem, in[0], planner.Int64) }, s)
}
