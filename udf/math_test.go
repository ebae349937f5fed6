package udf

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

func TestMathFunctions(t *testing.T) {
	runScalarCases(t, []scalarCase{
		{"abs", []col{{i64, `[-3, 0, null, 9223372036854775807]`}}, []string{"3", "0", "NULL", "9223372036854775807"}},
		{"abs", []col{{dec(5, 2), `["-2.50", "1.00"]`}}, []string{"2.50", "1.00"}},
		{"sign", []col{{f64, `[-0.5, 0, 3]`}}, []string{"-1", "0", "1"}},
		{"round", []col{{dec(5, 3), `["1.298", "-1.298", "9.995", "-0.500"]`}, {i64, `[1, 1, 2, 0]`}},
			[]string{"1.300", "-1.300", "10.000", "-1.000"}},
		{"round", []col{{i64, `[1250, -1250, 1249, 7]`}, {i64, `[-2, -2, -2, 3]`}}, []string{"1300", "-1300", "1200", "7"}},
		{"round", []col{{f64, `[2.5, 3.5, -2.5, 0.125]`}, {i64, `[0, 0, 0, 2]`}}, []string{"2", "4", "-2", "0.12"}},
		{"truncate", []col{{dec(5, 3), `["1.999", "-1.999", "12.345"]`}, {i64, `[1, 1, -1]`}}, []string{"1.900", "-1.900", "10.000"}},
		{"truncate", []col{{f64, `[-1.999, 1.999]`}, {i64, `[1, -1]`}}, []string{"-1.9", "0"}},
		{"floor", []col{{dec(5, 2), `["1.23", "-1.23", "-2.00", "0.00"]`}}, []string{"1", "-2", "-2", "0"}},
		{"ceil", []col{{dec(5, 2), `["1.23", "-1.23", "2.00"]`}}, []string{"2", "-1", "2"}},
		{"floor", []col{{dec(30, 1), `["-12345678901234567890.5", "7.0"]`}}, []string{"-12345678901234567891", "7"}},
		{"sqrt", []col{{f64, `[4, -1, null]`}}, []string{"2", "NULL", "NULL"}},
		{"log", []col{{f64, `[2, 1, -2, 10]`}, {f64, `[8, 100, 4, 0]`}}, []string{"3", "NULL", "NULL", "NULL"}},
		{"greatest", []col{{str, `["b", "a", null]`}, {str, `["a", "c", "z"]`}}, []string{"b", "c", "NULL"}},
		{"least", []col{{date, `[19000, 19001]`}, {date, `[19001, 19000]`}, {date, `[19002, 18000]`}}, []string{"2022-01-08", "2019-04-14"}},
		{"greatest", []col{{dec(4, 1), `["1.5", "-2.0"]`}, {dec(4, 1), `["1.4", "-1.9"]`}}, []string{"1.5", "-1.9"}},
		{"greatest", []col{{boolT, `[true, false]`}, {boolT, `[false, false]`}}, []string{"true", "false"}},
		{"pi", nil, []string{"3.141592653589793", "3.141592653589793", "3.141592653589793"}},
	})
}

func TestMathErrors(t *testing.T) {
	tests := []struct {
		fn   string
		cols []col
		want string
	}{
		{"abs", []col{{i64, `[-9223372036854775808]`}}, "abs overflows BIGINT"},
		{"round", []col{{i64, `[9223372036854775807]`}, {i64, `[-1]`}}, "round overflows BIGINT"},
		{"exp", []col{{f64, `[1000]`}}, "exp: DOUBLE value is out of range"},
		{"power", []col{{f64, `[0]`}, {f64, `[-1]`}}, "power: DOUBLE value is out of range"},
		{"cot", []col{{f64, `[0]`}}, "cot: DOUBLE value is out of range"},
	}
	for _, tc := range tests {
		t.Run(tc.fn, func(t *testing.T) {
			_, _, err := evalScalar(t, context.Background(), tc.fn, tc.cols...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, errs.ErrExecution) {
				t.Fatalf("got %v, want an execution error containing %q", err, tc.want)
			}
		})
	}
}

func TestRoundFloatIsMySQLs(t *testing.T) {
	tests := []struct {
		x        float64
		d        int64
		truncate bool
		want     float64
	}{
		{2.5, 0, false, 2}, {-2.5, 0, false, -2}, {1.298, 1, false, 1.3}, {23.298, -1, false, 20},
		{155, -1, false, 160}, {145, -1, false, 140}, {1e300, 400, false, 1e300}, {1e300, 10, false, 1e300}, {12345, -400, false, 0},
		{1.999, 1, true, 1.9}, {-1.999, 1, true, -1.9}, {199, -2, true, 100}, {-199, -2, true, -100},
	}
	for _, tc := range tests {
		if got := roundFloat(tc.x, tc.d, tc.truncate); got != tc.want {
			t.Errorf("roundFloat(%v, %d, %v) = %v, want %v", tc.x, tc.d, tc.truncate, got, tc.want)
		}
	}
}

func TestRoundDecimal(t *testing.T) {
	big := decimal128.FromI64(1).Mul(decimal128.GetScaleMultiplier(37)) // 10^37, 38 digits
	tests := []struct {
		n        decimal128.Num
		s        int32
		d        int64
		truncate bool
		want     decimal128.Num
		ok       bool
	}{
		{decimal128.FromI64(1250), 2, 0, false, decimal128.FromI64(1300), true},
		{decimal128.FromI64(-1250), 2, 0, false, decimal128.FromI64(-1300), true},
		{decimal128.FromI64(-1249), 2, 0, false, decimal128.FromI64(-1200), true},
		{decimal128.FromI64(-1299), 2, 0, true, decimal128.FromI64(-1200), true},
		{decimal128.FromI64(1250), 2, 1, false, decimal128.FromI64(1250), true},
		{decimal128.FromI64(5), 0, -40, false, decimal128.Num{}, true},
		{decimal128.FromI64(5), 2, 4, false, decimal128.FromI64(5), true},
		{big.Add(big.Mul(decimal128.FromI64(5)).Sub(big)), 1, -36, false, big.Mul(decimal128.FromI64(5)), true}, // 5e37 stays
		{big.Mul(decimal128.FromI64(9)).Add(big.Mul(decimal128.FromI64(9)).ReduceScaleBy(1, false)), 0, -37, false, decimal128.Num{}, false},
	}
	for i, tc := range tests {
		got, ok := roundDecimal(tc.n, tc.s, tc.d, tc.truncate)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("case %d: roundDecimal(%s, %d, %d, %v) = %s, %v; want %s, %v", i, tc.n.BigInt(), tc.s, tc.d, tc.truncate,
				got.BigInt(), ok, tc.want.BigInt(), tc.ok)
		}
	}
}

// MySQL's manual lists the first values of RAND(3): 0.9057697559760601, 0.37307905813034536,
// 0.14808605345719125.
var mysqlRand3 = []float64{0.9057697559760601, 0.37307905813034536, 0.14808605345719125}

func TestMySQLRandSequence(t *testing.T) {
	g := newMySQLRand(3)
	for i, want := range mysqlRand3 {
		if got := g.next(); got != want {
			t.Errorf("value %d: %v, want %v", i, got, want)
		}
	}
	if g := newMySQLRand(1); g.next() != 0.40540353712197724 {
		t.Errorf("rand(1) is not MySQL's 0.40540353712197724")
	}
}

func TestSeededRandPerCallSite(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	r, _ := NewBuiltins().Scalar("rand")
	site := r.(interface {
		ForCallSite([]bool) ScalarFunction
	})
	if site.ForCallSite([]bool{false}) != r || site.ForCallSite(nil) != r {
		t.Fatal("rand with a column seed or without one needs no state of its own")
	}
	one, other := site.ForCallSite([]bool{true}), site.ForCallSite([]bool{true})
	var got []float64
	for _, js := range []string{`[3, 3]`, `[3]`} { // two batches continue one sequence
		seeds := fromJSON(t, mem, i64, js)
		n := seeds.Len()
		out, err := one.Eval(context.Background(), mem, []arrow.Array{seeds}, n)
		seeds.Release()
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			got = append(got, out.(interface{ Value(int) float64 }).Value(i))
		}
		out.Release()
	}
	for i, want := range mysqlRand3 {
		if got[i] != want {
			t.Errorf("row %d: %v, want %v", i, got[i], want)
		}
	}
	seeds := fromJSON(t, mem, i64, `[3]`)
	defer seeds.Release()
	out, err := other.Eval(context.Background(), mem, []arrow.Array{seeds}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if v := out.(interface{ Value(int) float64 }).Value(0); v != mysqlRand3[0] {
		t.Errorf("a second call site starts its own sequence: got %v", v)
	}
}

func TestUnseededRandInRange(t *testing.T) {
	got, _, err := evalScalar(t, context.Background(), "rand")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range got {
		if f, err := strconv.ParseFloat(v, 64); err != nil || f < 0 || f >= 1 || math.IsNaN(f) {
			t.Errorf("rand() = %v", v)
		}
	}
}
