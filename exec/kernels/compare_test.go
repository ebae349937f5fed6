package kernels

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

var allComparisons = []planner.BinaryOp{planner.OpEq, planner.OpNe, planner.OpLt, planner.OpLe, planner.OpGt, planner.OpGe}

// For l = [a, b, c, NULL, b] and r = [b, b, a, a, NULL] with a < b < c, every type must give
// these results.
var orderedWant = map[planner.BinaryOp]string{
	planner.OpEq: `[false, true, false, null, null]`,
	planner.OpNe: `[true, false, true, null, null]`,
	planner.OpLt: `[true, false, false, null, null]`,
	planner.OpLe: `[true, true, false, null, null]`,
	planner.OpGt: `[false, false, true, null, null]`,
	planner.OpGe: `[false, true, true, null, null]`,
}

func TestCompareOrdered(t *testing.T) {
	ts := planner.Timestamp
	cases := []struct {
		dt      arrow.DataType
		a, b, c string // JSON literals
	}{
		{planner.Int8, `-1`, `0`, `1`},
		{planner.Int16, `-300`, `0`, `300`},
		{planner.Int32, `-70000`, `5`, `70000`},
		{planner.Int64, `"-9223372036854775808"`, `0`, `"9223372036854775807"`},
		{arrow.PrimitiveTypes.Uint8, `0`, `1`, `255`},
		{arrow.PrimitiveTypes.Uint16, `0`, `1`, `65535`},
		{arrow.PrimitiveTypes.Uint32, `0`, `1`, `4294967295`},
		{arrow.PrimitiveTypes.Uint64, `0`, `1`, `"18446744073709551615"`},
		{planner.Float32, `-1.5`, `0`, `2.5`},
		{planner.Float64, `-1e300`, `-0.5`, `1e300`},
		{planner.Decimal(5, 2), `"-1.50"`, `"0.00"`, `"1.25"`},
		{planner.Decimal(38, 0), `"-18446744073709551616"`, `"-1"`, `"18446744073709551616"`},
		{planner.Decimal(38, 0), `"-99999999999999999999999999999999999999"`, `"99999999999999999999999999999999999998"`, `"99999999999999999999999999999999999999"`},
		{planner.String, `"ab"`, `"z"`, `"é"`},
		{planner.String, `""`, `"a"`, `"a\u0000"`},
		{planner.Date, `"1969-12-31"`, `"2024-01-01"`, `"2024-01-02"`},
		{ts, `"1969-12-31 23:59:59.999999"`, `"2024-01-01 00:00:00"`, `"2024-01-01 00:00:00.000001"`},
	}
	for _, c := range cases {
		l := fmt.Sprintf(`[%s, %s, %s, null, %s]`, c.a, c.b, c.c, c.b)
		r := fmt.Sprintf(`[%s, %s, %s, %s, null]`, c.b, c.b, c.a, c.a)
		for _, k := range []int{1, 3} { // 5 and 15 rows: the tail loop, then the 8-row blocks
			for _, op := range allComparisons {
				t.Run(fmt.Sprintf("%s %s %s x%d", planner.TypeString(c.dt), c.a, op, k), func(t *testing.T) {
					mem := newMem(t)
					lhs := fromJSON(t, mem, c.dt, rep(l, k))
					rhs := fromJSON(t, mem, c.dt, rep(r, k))
					want := fromJSON(t, mem, planner.Boolean, rep(orderedWant[op], k))
					checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) { return Compare(mem, op, in[0], in[1]) }, lhs, rhs)
				})
			}
		}
	}
}

func TestCompareBool(t *testing.T) {
	l := `[false, false, true, true, null, true]`
	r := `[false, true, false, true, true, null]`
	want := map[planner.BinaryOp]string{
		planner.OpEq: `[true, false, false, true, null, null]`,
		planner.OpNe: `[false, true, true, false, null, null]`,
		planner.OpLt: `[false, true, false, false, null, null]`,
		planner.OpLe: `[true, true, false, true, null, null]`,
		planner.OpGt: `[false, false, true, false, null, null]`,
		planner.OpGe: `[true, false, true, true, null, null]`,
	}
	for _, op := range allComparisons {
		t.Run(string(op), func(t *testing.T) {
			mem := newMem(t)
			w := fromJSON(t, mem, planner.Boolean, rep(want[op], 3))
			checkKernel(t, w, func(in []arrow.Array) (arrow.Array, error) { return Compare(mem, op, in[0], in[1]) },
				fromJSON(t, mem, planner.Boolean, rep(l, 3)), fromJSON(t, mem, planner.Boolean, rep(r, 3)))
		})
	}
}

// NaN equals NaN and sorts above +Inf; -0 equals 0 (Spark's total order).
func TestCompareNaN(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	l := []float64{nan, nan, 1, math.Copysign(0, -1), nan, inf, nan, 2, nan}
	r := []float64{nan, 1, nan, 0, inf, nan, nan, 2, -inf}
	want := map[planner.BinaryOp][]bool{
		planner.OpEq: {true, false, false, true, false, false, true, true, false},
		planner.OpLt: {false, false, true, false, false, true, false, false, false},
		planner.OpGt: {false, true, false, false, true, false, false, false, true},
		planner.OpGe: {true, true, false, true, true, false, true, true, true},
	}
	mem := newMem(t)
	lb, rb := array.NewFloat64Builder(mem), array.NewFloat64Builder(mem)
	defer lb.Release()
	defer rb.Release()
	lb.AppendValues(l, nil)
	rb.AppendValues(r, nil)
	la, ra := lb.NewArray(), rb.NewArray()
	defer la.Release()
	defer ra.Release()
	for op, w := range want {
		got, err := Compare(mem, op, la, ra)
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range w {
			if got.(*array.Boolean).Value(i) != x {
				t.Errorf("%v %s %v: got %v, want %v", l[i], op, r[i], !x, x)
			}
		}
		got.Release()
	}
}

func TestCompareNullTypedAndErrors(t *testing.T) {
	mem := newMem(t)
	n := array.NewNull(2)
	defer n.Release()
	i := fromJSON(t, mem, planner.Int64, `[1, 2]`)
	want := fromJSON(t, mem, planner.Boolean, `[null, null]`)
	checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) { return Compare(mem, planner.OpEq, in[0], in[1]) }, i, n)

	// Same scale, different precision: comparable.
	d1 := fromJSON(t, mem, planner.Decimal(5, 2), `["1.00"]`)
	d2 := fromJSON(t, mem, planner.Decimal(10, 2), `["1.00"]`)
	got, err := Compare(mem, planner.OpEq, d1, d2)
	if err != nil {
		t.Fatal(err)
	}
	if !got.(*array.Boolean).Value(0) {
		t.Fatal("1.00 = 1.00 is false")
	}
	got.Release()

	for _, c := range [][2]arrow.Array{
		{i, fromJSON(t, mem, planner.Float64, `[1, 2]`)},
		{d1, fromJSON(t, mem, planner.Decimal(5, 1), `["1.0"]`)},
	} {
		_, err := Compare(mem, planner.OpLt, c[0], c[1])
		if !errors.Is(err, errs.ErrInternal) {
			t.Fatalf("compare %s with %s: want an internal error, got %v", c[0].DataType(), c[1].DataType(), err)
		}
	}
	if _, err := Compare(mem, planner.OpAdd, i, i); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("want an internal error, got %v", err)
	}
}

// TestCompareSlicedStrings: comparisons read string values through the offsets of sliced
// arrays (a non-zero array offset, values not starting at byte 0), against Go's order.
func TestCompareSlicedStrings(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	words := []string{"", "a", "ab", "abc", "b", "DELIVER IN PERSON", "NONE", "AIR", "AIR REG", "é"}
	mk := func(shift int) arrow.Array {
		sb := array.NewStringBuilder(mem)
		defer sb.Release()
		for i := range 120 {
			sb.Append(words[(i*7+shift)%len(words)])
		}
		return sb.NewArray()
	}
	la, ra := mk(0), mk(3)
	defer la.Release()
	defer ra.Release()
	l, r := array.NewSlice(la, 11, 101), array.NewSlice(ra, 29, 119)
	defer l.Release()
	defer r.Release()
	ls, rs := l.(*array.String), r.(*array.String)
	for _, op := range []planner.BinaryOp{planner.OpEq, planner.OpNe, planner.OpLt, planner.OpLe, planner.OpGt, planner.OpGe} {
		got, err := Compare(mem, op, l, r)
		if err != nil {
			t.Fatal(err)
		}
		g := got.(*array.Boolean)
		for i := range ls.Len() {
			x, y := ls.Value(i), rs.Value(i)
			want := map[planner.BinaryOp]bool{planner.OpEq: x == y, planner.OpNe: x != y, planner.OpLt: x < y,
				planner.OpLe: x <= y, planner.OpGt: x > y, planner.OpGe: x >= y}[op]
			if g.Value(i) != want {
				t.Errorf("%q %s %q: got %v", x, op, y, g.Value(i))
			}
		}
		got.Release()
	}
}
