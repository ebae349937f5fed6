package kernels

import (
	"errors"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func arithFn(op planner.BinaryOp, out arrow.DataType) func(mem memory.Allocator) func([]arrow.Array) (arrow.Array, error) {
	return func(mem memory.Allocator) func([]arrow.Array) (arrow.Array, error) {
		return func(in []arrow.Array) (arrow.Array, error) { return Arith(mem, op, in[0], in[1], out) }
	}
}

func TestArith(t *testing.T) {
	i64, f64, f32 := planner.Int64, planner.Float64, planner.Float32
	dec := planner.Decimal
	cases := []struct {
		name       string
		op         planner.BinaryOp
		lt, rt, ot arrow.DataType
		l, r, want string
	}{
		// BIGINT; DIV truncates, % takes the dividend's sign, zero divisors give NULL.
		{"int add", planner.OpAdd, i64, i64, i64, `[1, 5, null, -7, 7]`, `[2, 0, 3, 2, -2]`, `[3, 5, null, -5, 5]`},
		{"int sub", planner.OpSub, i64, i64, i64, `[1, 5, null, -7, 7]`, `[2, 0, 3, 2, -2]`, `[-1, 5, null, -9, 9]`},
		{"int mul", planner.OpMul, i64, i64, i64, `[1, 5, null, -7, 7]`, `[2, 0, 3, 2, -2]`, `[2, 0, null, -14, -14]`},
		{"int div", planner.OpIntDiv, i64, i64, i64, `[1, 5, null, -7, 7]`, `[2, 0, 3, 2, -2]`, `[0, null, null, -3, -3]`},
		{"int mod", planner.OpMod, i64, i64, i64, `[1, 5, null, -7, 7]`, `[2, 0, 3, 2, -2]`, `[1, null, null, -1, 1]`},
		{"int mul at the limits", planner.OpMul, i64, i64, i64,
			`["-4611686018427387904", 3037000499, -1]`, `[2, 3037000499, "9223372036854775807"]`,
			`["-9223372036854775808", "9223372030926249001", "-9223372036854775807"]`},
		{"int min mod -1", planner.OpMod, i64, i64, i64, `["-9223372036854775808"]`, `[-1]`, `[0]`},
		{"int add long", planner.OpAdd, i64, i64, i64, rep(`[1, null, 3]`, 7), rep(`[10, 20, null]`, 7), rep(`[11, null, null]`, 7)},

		// DOUBLE and FLOAT; / and % by zero give NULL.
		{"float add", planner.OpAdd, f64, f64, f64, `[1.5, 2, null, -3, 1]`, `[0.5, 0, 1, 2, 4]`, `[2, 2, null, -1, 5]`},
		{"float sub", planner.OpSub, f64, f64, f64, `[1.5, 2, null, -3, 1]`, `[0.5, 0, 1, 2, 4]`, `[1, 2, null, -5, -3]`},
		{"float mul", planner.OpMul, f64, f64, f64, `[1.5, 2, null, -3, 1]`, `[0.5, 0, 1, 2, 4]`, `[0.75, 0, null, -6, 4]`},
		{"float div", planner.OpDiv, f64, f64, f64, `[1.5, 2, null, -3, 1]`, `[0.5, 0, 1, 2, 4]`, `[3, null, null, -1.5, 0.25]`},
		{"float mod", planner.OpMod, f64, f64, f64, `[1.5, 2, null, -3, 1]`, `[0.5, 0, 1, 2, 4]`, `[0, null, null, -1, 1]`},
		{"float int div", planner.OpIntDiv, f64, f64, i64, `[7.5, -7.5, 1, null]`, `[2, 2, 0, 1]`, `[3, -3, null, null]`},
		{"float32 add", planner.OpAdd, f32, f32, f32, `[1.5, null]`, `[2.25, 1]`, `[3.75, null]`},

		// DECIMAL: * keeps both scales, / adds 4 (MySQL), results round half away from zero.
		{"dec mul", planner.OpMul, dec(15, 2), dec(15, 2), dec(30, 4),
			`["1.50", "-1.10", "2.00", null]`, `["2.25", "3.00", "0.00", "1.00"]`, `["3.3750", "-3.3000", "0.0000", null]`},
		{"dec div thirds", planner.OpDiv, dec(19, 0), dec(19, 0), dec(23, 4),
			`["1", "2", "-2", "2", "1", "0"]`, `["3", "3", "3", "-3", "0", "5"]`,
			`["0.3333", "0.6667", "-0.6667", "-0.6667", null, "0.0000"]`},
		{"dec div scales", planner.OpDiv, dec(10, 2), dec(10, 2), dec(16, 6),
			`["1.00", "10.00"]`, `["3.00", "4.00"]`, `["0.333333", "2.500000"]`},
		{"bigint div as decimal", planner.OpDiv, i64, i64, dec(23, 4), `[1, 2, 7]`, `[3, 3, 0]`, `["0.3333", "0.6667", null]`},
		{"dec add", planner.OpAdd, dec(5, 2), dec(5, 2), dec(6, 2),
			`["1.25", "-2.50", null, "99.99"]`, `["2.50", "1.25", "1.00", "99.99"]`, `["3.75", "-1.25", null, "199.98"]`},
		{"dec sub", planner.OpSub, dec(5, 2), dec(5, 2), dec(6, 2),
			`["1.25", "-2.50", null]`, `["2.50", "1.25", "1.00"]`, `["-1.25", "-3.75", null]`},
		{"dec mod", planner.OpMod, dec(5, 1), dec(5, 1), dec(5, 1),
			`["5.5", "-5.5", "5.5"]`, `["2.0", "2.0", "0.0"]`, `["1.5", "-1.5", null]`},
		{"dec int div", planner.OpIntDiv, dec(5, 1), dec(5, 1), i64,
			`["7.5", "-7.5", "7.5", null]`, `["2.0", "2.0", "0.0", "1.0"]`, `[3, -3, null, null]`},
		{"dec mul rounds to a smaller scale", planner.OpMul, dec(10, 5), dec(10, 5), dec(20, 8),
			`["0.00015", "-0.00015", "0.00015", "-0.00015"]`, `["0.00015", "0.00035", "0.00010", "0.00010"]`,
			`["0.00000002", "-0.00000005", "0.00000002", "-0.00000002"]`},
		{"dec mul beyond 128 bits", planner.OpMul, dec(38, 10), dec(38, 10), dec(38, 18),
			`["1000000000000000000000000000.0000000000"]`, `["0.0000000100"]`,
			`["10000000000000000000.000000000000000000"]`},
		{"dec mul beyond 128 bits rounds a negative tie away from zero", planner.OpMul, dec(38, 10), dec(38, 10), dec(38, 18),
			`["-1234567890123456789012345678.1234567890"]`, `["0.0000000125"]`,
			`["-15432098626543209862.654320976543209863"]`},
		{"dec div ties away from zero", planner.OpDiv, dec(19, 0), dec(19, 0), dec(23, 4),
			`["1", "-1", "5", "-5"]`, `["32", "32", "-20000", "-20000"]`, `["0.0313", "-0.0313", "-0.0003", "0.0003"]`},
		{"dec add of mixed scales", planner.OpAdd, dec(5, 2), dec(5, 1), dec(6, 2),
			`["1.25", "-9.99"]`, `["-0.5", "0.0"]`, `["0.75", "-9.99"]`},
		{"dec mod by a negative divisor", planner.OpMod, dec(5, 1), dec(5, 1), dec(5, 1),
			`["5.5", "-5.5"]`, `["-2.0", "-2.0"]`, `["1.5", "-1.5"]`},
		{"bigint times decimal", planner.OpMul, i64, dec(5, 2), dec(24, 2),
			`[3, -2, "9223372036854775807"]`, `["1.50", "0.25", "-1.00"]`, `["4.50", "-0.50", "-9223372036854775807.00"]`},
		{"dec at the precision limit", planner.OpAdd, dec(38, 0), dec(38, 0), dec(38, 0),
			`["99999999999999999999999999999999999998", "-99999999999999999999999999999999999998"]`, `["1", "-1"]`,
			`["99999999999999999999999999999999999999", "-99999999999999999999999999999999999999"]`},
		{"dec div beyond 128 bits", planner.OpDiv, dec(38, 0), dec(38, 20), dec(38, 4),
			`["100000000000000000000"]`, `["3.00000000000000000000"]`, `["33333333333333333333.3333"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			l := fromJSON(t, mem, c.lt, c.l)
			r := fromJSON(t, mem, c.rt, c.r)
			want := fromJSON(t, mem, c.ot, c.want)
			checkKernel(t, want, arithFn(c.op, c.ot)(mem), l, r)
		})
	}
}

func TestArithErrors(t *testing.T) {
	i64, f64 := planner.Int64, planner.Float64
	dec := planner.Decimal
	cases := []struct {
		name       string
		op         planner.BinaryOp
		lt, rt, ot arrow.DataType
		l, r, err  string
	}{
		{"add", planner.OpAdd, i64, i64, i64, `[1, "9223372036854775807"]`, `[1, 1]`, "bigint overflow in 9223372036854775807 + 1"},
		{"sub", planner.OpSub, i64, i64, i64, `["-9223372036854775808"]`, `[1]`, "bigint overflow in -9223372036854775808 - 1"},
		{"mul", planner.OpMul, i64, i64, i64, `["4611686018427387904"]`, `[2]`, "bigint overflow in 4611686018427387904 * 2"},
		{"mul square", planner.OpMul, i64, i64, i64, `[3037000500]`, `[3037000500]`, "bigint overflow in 3037000500 * 3037000500"},
		{"mul min", planner.OpMul, i64, i64, i64, `["-9223372036854775808"]`, `[-1]`, "bigint overflow"},
		{"div", planner.OpIntDiv, i64, i64, i64, `["-9223372036854775808"]`, `[-1]`, "bigint overflow in -9223372036854775808 DIV -1"},
		{"double", planner.OpMul, f64, f64, f64, `[2, 1e308]`, `[2, 10]`, "double overflow in 1e+308 * 10"},
		{"double div", planner.OpIntDiv, f64, f64, i64, `[1e300]`, `[1]`, "bigint overflow in 1e+300 DIV 1"},
		{"decimal add", planner.OpAdd, dec(38, 0), dec(38, 0), dec(38, 0),
			`["99999999999999999999999999999999999999"]`, `["1"]`,
			"decimal overflow in 99999999999999999999999999999999999999 + 1: the result does not fit DECIMAL(38,0)"},
		{"decimal sub", planner.OpSub, dec(38, 0), dec(38, 0), dec(38, 0),
			`["-99999999999999999999999999999999999999"]`, `["1"]`,
			"decimal overflow in -99999999999999999999999999999999999999 - 1: the result does not fit DECIMAL(38,0)"},
		{"decimal mul at 38 digits", planner.OpMul, dec(38, 0), dec(38, 0), dec(38, 0),
			`["10000000000000000000"]`, `["10000000000000000000"]`,
			"decimal overflow in 10000000000000000000 * 10000000000000000000: the result does not fit DECIMAL(38,0)"},
		{"decimal mul beyond 128 bits", planner.OpMul, dec(38, 0), dec(38, 0), dec(38, 0),
			`["100000000000000000000"]`, `["-100000000000000000000"]`,
			"decimal overflow in 100000000000000000000 * -100000000000000000000: the result does not fit DECIMAL(38,0)"},
		{"decimal mul precision", planner.OpMul, dec(20, 0), dec(20, 0), dec(20, 0),
			`["10000000000"]`, `["10000000000"]`, "decimal overflow in 10000000000 * 10000000000"},
		{"decimal div", planner.OpDiv, dec(38, 0), dec(38, 30), dec(38, 4),
			`["10000000000000000000000000000000000000"]`, `["0.000000000000000000000000000001"]`, "decimal overflow"},
		{"decimal int div", planner.OpIntDiv, dec(38, 0), dec(38, 0), i64,
			`["10000000000000000000000000000000000000"]`, `["3"]`, "bigint overflow in 10000000000000000000000000000000000000 DIV 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			l := fromJSON(t, mem, c.lt, c.l)
			r := fromJSON(t, mem, c.rt, c.r)
			got, err := Arith(mem, c.op, l, r, c.ot)
			if got != nil {
				got.Release()
			}
			wantErr(t, err, c.err)
			if !errors.Is(err, errs.ErrExecution) {
				t.Fatalf("%v is not an execution error", err)
			}
		})
	}
}

// Overflow in a NULL row (whose slot holds an arbitrary value) must not raise an error.
func TestArithOverflowUnderNull(t *testing.T) {
	mem := newMem(t)
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.AppendValues([]int64{math.MaxInt64, 1}, []bool{false, true})
	l := b.NewArray()
	defer l.Release()
	r := fromJSON(t, mem, planner.Int64, `[1, 2]`)
	for _, op := range []planner.BinaryOp{planner.OpAdd, planner.OpMul} {
		got, err := Arith(mem, op, l, r, planner.Int64)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		if got.NullN() != 1 || got.(*array.Int64).Value(1) != map[planner.BinaryOp]int64{planner.OpAdd: 3, planner.OpMul: 2}[op] {
			t.Fatalf("%s: got %v", op, got)
		}
		got.Release()
	}
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	fb.AppendValues([]float64{math.MaxFloat64, 1}, []bool{false, true})
	fl := fb.NewArray()
	defer fl.Release()
	fr := fromJSON(t, mem, planner.Float64, `[10, 2]`)
	got, err := Arith(mem, planner.OpMul, fl, fr, planner.Float64)
	if err != nil {
		t.Fatal(err)
	}
	got.Release()
}

// Non-finite operands are not overflow: IEEE results pass through.
func TestArithNonFiniteOperands(t *testing.T) {
	mem := newMem(t)
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues([]float64{math.Inf(1), math.NaN()}, nil)
	l := b.NewArray()
	defer l.Release()
	r := fromJSON(t, mem, planner.Float64, `[1, 1]`)
	got, err := Arith(mem, planner.OpAdd, l, r, planner.Float64)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Release()
	v := got.(*array.Float64).Float64Values()
	if !math.IsInf(v[0], 1) || !math.IsNaN(v[1]) {
		t.Fatalf("got %v", v)
	}
}

func TestArithNullTyped(t *testing.T) {
	mem := newMem(t)
	l := array.NewNull(3)
	defer l.Release()
	r := fromJSON(t, mem, planner.Int64, `[1, 2, 3]`)
	want := fromJSON(t, mem, planner.Int64, `[null, null, null]`)
	checkKernel(t, want, arithFn(planner.OpAdd, planner.Int64)(mem), l, r)
}

func TestArithBadTypes(t *testing.T) {
	mem := newMem(t)
	l := fromJSON(t, mem, planner.Int64, `[1]`)
	r := fromJSON(t, mem, planner.Float64, `[1]`)
	_, err := Arith(mem, planner.OpAdd, l, r, planner.Int64)
	if !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("want an internal error, got %v", err)
	}
	_, err = Arith(mem, planner.OpEq, l, l, planner.Int64)
	if !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("want an internal error, got %v", err)
	}
}

func TestNegate(t *testing.T) {
	cases := []struct {
		name     string
		dt       arrow.DataType
		in, want string
	}{
		{"bigint", planner.Int64, `[1, -5, null, 0]`, `[-1, 5, null, 0]`},
		{"tinyint", planner.Int8, `[127, -127, null]`, `[-127, 127, null]`},
		{"int", planner.Int32, rep(`[1, null]`, 9), rep(`[-1, null]`, 9)},
		{"double", planner.Float64, `[1.5, -2, null]`, `[-1.5, 2, null]`},
		{"float", planner.Float32, `[1.5, null]`, `[-1.5, null]`},
		{"decimal", planner.Decimal(5, 2), `["1.50", "-0.05", null, "0.00"]`, `["-1.50", "0.05", null, "0.00"]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			in := fromJSON(t, mem, c.dt, c.in)
			want := fromJSON(t, mem, c.dt, c.want)
			checkKernel(t, want, func(a []arrow.Array) (arrow.Array, error) { return Negate(mem, a[0]) }, in)
		})
	}
	for _, c := range []struct {
		dt      arrow.DataType
		in, err string
	}{
		{planner.Int64, `[1, "-9223372036854775808"]`, "bigint overflow in -(-9223372036854775808)"},
		{planner.Int8, `[-128]`, "tinyint overflow in -(-128)"},
	} {
		mem := newMem(t)
		_, err := Negate(mem, fromJSON(t, mem, c.dt, c.in))
		wantErr(t, err, c.err)
	}
}

// Some producers leave the value buffer out of an all-NULL array.
func TestAllNullWithoutValueBuffer(t *testing.T) {
	mem := newMem(t)
	valid := memory.NewResizableBuffer(mem)
	valid.Resize(1)
	valid.Bytes()[0] = 0
	d := array.NewData(planner.Int64, 3, []*memory.Buffer{valid, nil}, nil, 3, 0)
	valid.Release()
	a := array.MakeFromData(d)
	d.Release()
	defer a.Release()
	one := fromJSON(t, mem, planner.Int64, `[1, 2, 3]`)
	nulls := fromJSON(t, mem, planner.Int64, `[null, null, null]`)
	checkKernel(t, nulls, arithFn(planner.OpMul, planner.Int64)(mem), a, one)
	checkKernel(t, fromJSON(t, mem, planner.String, `[null, null, null]`),
		func(in []arrow.Array) (arrow.Array, error) { return Cast(mem, in[0], planner.String) }, a)
	checkKernel(t, fromJSON(t, mem, planner.Boolean, `[null, null, null]`),
		func(in []arrow.Array) (arrow.Array, error) { return Compare(mem, planner.OpLt, in[0], in[1]) }, one, a)
}
