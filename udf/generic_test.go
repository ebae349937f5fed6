package udf

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

func TestGenericEval(t *testing.T) {
	hypot2 := Scalar2("hypot2", func(a, b float64) float64 { return a*a + b*b })
	tests := []struct {
		name string
		fn   ScalarFunction
		args []arrArg
		n    int
		want arrArg
	}{
		{"float64", hypot2, []arrArg{{tF64, `[3, null, 1.5, -2]`}, {tF64, `[4, 1, null, 0]`}}, 4, arrArg{tF64, `[25, null, null, 4]`}},
		{"int64", Scalar1("twice", func(a int64) int64 { return 2 * a }), []arrArg{{tInt, `[1, -7, null, 9007199254740993]`}}, 4,
			arrArg{tInt, `[2, -14, null, 18014398509481986]`}},
		{"int32 to float32", Scalar1("half", func(a int32) float32 { return float32(a) / 2 }), []arrArg{{tInt32, `[1, null, -3]`}}, 3,
			arrArg{tF32, `[0.5, null, -1.5]`}},
		{"float32 to int32", Scalar1("trunc32", func(a float32) int32 { return int32(a) }), []arrArg{{tF32, `[1.9, -2.5, null]`}}, 3,
			arrArg{tInt32, `[1, -2, null]`}},
		{"bool", Scalar2("xor", func(a, b bool) bool { return a != b }), []arrArg{{tBool, `[true, true, false, null, false]`}, {tBool, `[false, true, true, true, false]`}}, 5,
			arrArg{tBool, `[true, false, true, null, false]`}},
		{"string", Scalar2("glue", func(a, b string) string { return a + "|" + b }), []arrArg{{tStr, `["a", "", null, "héllo"]`}, {tStr, `["b", "", "x", "wörld"]`}}, 4,
			arrArg{tStr, `["a|b", "|", null, "héllo|wörld"]`}},
		{"string to int64", Scalar1("len", func(s string) int64 { return int64(len(s)) }), []arrArg{{tStr, `["abc", null, ""]`}}, 3, arrArg{tInt, `[3, null, 0]`}},
		{"three mixed", Scalar3("pick", func(c bool, a int64, s string) string {
			if c {
				return fmt.Sprint(a)
			}
			return s
		}), []arrArg{{tBool, `[true, false, null, true]`}, {tInt, `[1, 2, 3, null]`}, {tStr, `["x", "y", "z", "w"]`}}, 4,
			arrArg{tStr, `["1", "y", null, null]`}},
		{"no rows", hypot2, []arrArg{{tF64, `[]`}, {tF64, `[]`}}, 0, arrArg{tF64, `[]`}},
		{"all NULL", hypot2, []arrArg{{tF64, `[null, null]`}, {tF64, `[1, 2]`}}, 2, arrArg{tF64, `[null, null]`}},
		{"NULL type", hypot2, []arrArg{{arrow.Null, `[null, null]`}, {tF64, `[1, 2]`}}, 2, arrArg{tF64, `[null, null]`}},
	}
	for _, tc := range tests {
		for _, sliced := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/sliced=%v", tc.name, sliced), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
				defer mem.AssertSize(t, 0)
				args := make([]arrow.Array, len(tc.args))
				for i, a := range tc.args {
					args[i] = argArray(t, mem, a, sliced)
					defer args[i].Release()
				}
				got, err := tc.fn.Eval(context.Background(), mem, args, tc.n)
				if err != nil {
					t.Fatal(err)
				}
				defer got.Release()
				want := argArray(t, mem, tc.want, false)
				defer want.Release()
				if !arrow.TypeEqual(got.DataType(), want.DataType()) || !array.Equal(got, want) {
					t.Fatalf("got %s %v, want %s %v", got.DataType(), got, want.DataType(), want)
				}
			})
		}
	}
}

// TestGenericStringsOutliveBatch checks that strings handed to the Go function do not alias
// the batch: a function may keep them after the argument array is released and reused.
func TestGenericStringsOutliveBatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	var kept []string
	keep := Scalar1("keep", func(s string) bool { kept = append(kept, s); return true })
	a := argArray(t, mem, arrArg{tStr, `["alpha", "beta"]`}, true)
	got, err := keep.Eval(context.Background(), mem, []arrow.Array{a}, 2)
	if err != nil {
		t.Fatal(err)
	}
	got.Release()
	// Overwrite the batch's character data, as a reused buffer would be.
	data := a.Data().Buffers()[2].Bytes()
	for i := range data {
		data[i] = 'Z'
	}
	a.Release()
	if strings.Join(kept, ",") != "alpha,beta" {
		t.Errorf("kept %q", kept)
	}
}

func TestGenericErrors(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		fn   ScalarFunction
		kind error
		msg  string
	}{
		{"error", Scalar1E("safe_sqrt", func(x float64) (float64, error) {
			if x < 0 {
				return 0, boom
			}
			return math.Sqrt(x), nil
		}), errs.ErrExecution, "safe_sqrt: boom"},
		{"taxonomy error keeps its kind", Scalar2E("checked", func(x, _ float64) (string, error) {
			if x < 0 {
				return "", errs.Planf("negative")
			}
			return "ok", nil
		}), errs.ErrPlan, "checked: plan error: negative"},
		{"panic", Scalar3("boom", func(x, _, _ float64) bool {
			if x < 0 {
				panic("negative")
			}
			return true
		}), errs.ErrExecution, "boom panicked: negative"},
		{"error with a string result", Scalar3E("fails", func(x, _, _ float64) (string, error) {
			if x < 0 {
				return "", boom
			}
			return "ok", nil
		}), errs.ErrExecution, "fails: boom"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			nargs := strings.Count(tc.fn.(Signed).Signature(), ",") + 1
			args := make([]arrow.Array, nargs)
			for i := range args {
				args[i] = argArray(t, mem, arrArg{tF64, `[4, 1, -1, 9]`}, false)
				defer args[i].Release()
			}
			got, err := tc.fn.Eval(context.Background(), mem, args, 4)
			if err == nil {
				got.Release()
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want a %v containing %q", err, tc.kind, tc.msg)
			}
			if tc.kind == errs.ErrExecution && tc.name == "error" && !errors.Is(err, boom) {
				t.Errorf("%v does not wrap the function's error", err)
			}
		})
	}
}

func TestGenericCanceled(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	calls := 0
	f := Scalar1("count_calls", func(s string) string { calls++; return s })
	a := argArray(t, mem, arrArg{tStr, `["a", "b"]`}, false)
	defer a.Release()
	got, err := f.Eval(ctx, mem, []arrow.Array{a}, 2)
	if err == nil {
		got.Release()
	}
	if !errors.Is(err, errs.ErrCanceled) || calls != 0 {
		t.Errorf("got %v after %d calls, want a canceled error before any call", err, calls)
	}
}

func TestGenericBinding(t *testing.T) {
	hypot2 := Scalar2("HyPot2", func(a, b float64) float64 { return a*a + b*b },
		WithDoc("hypot2(a, b) is a² + b²."), WithVolatility(Volatile))
	if hypot2.Name() != "hypot2" || hypot2.Doc() != "hypot2(a, b) is a² + b²." || hypot2.Volatility() != Volatile {
		t.Errorf("name %q doc %q volatility %v", hypot2.Name(), hypot2.Doc(), hypot2.Volatility())
	}
	if s := hypot2.(Signed).Signature(); s != "hypot2(DOUBLE, DOUBLE) -> DOUBLE" {
		t.Errorf("signature %q", s)
	}
	plain := Scalar1("plain", func(s string) bool { return s == "" })
	if plain.Doc() != "" || plain.Volatility() != Immutable || plain.(Signed).Signature() != "plain(VARCHAR) -> BOOLEAN" {
		t.Errorf("defaults: doc %q volatility %v signature %q", plain.Doc(), plain.Volatility(), plain.(Signed).Signature())
	}
	dec := &arrow.Decimal128Type{Precision: 10, Scale: 2}
	i32 := Scalar3("f3", func(a int32, b bool, c string) int64 { return 0 })
	caster := func(f ScalarFunction) interface {
		CastArgs([]arrow.DataType) []arrow.DataType
	} {
		return f.(interface {
			CastArgs([]arrow.DataType) []arrow.DataType
		})
	}
	tests := []struct {
		fn    ScalarFunction
		args  []arrow.DataType
		err   string
		casts []arrow.DataType
	}{
		{hypot2, []arrow.DataType{tF64, tF64}, "", []arrow.DataType{nil, nil}},
		{hypot2, []arrow.DataType{tInt32, dec}, "", []arrow.DataType{tF64, tF64}},
		{hypot2, []arrow.DataType{arrow.Null, tF32}, "", []arrow.DataType{nil, tF64}},
		{hypot2, []arrow.DataType{tF64, tStr}, "hypot2: argument 2 must be DOUBLE, got VARCHAR", nil},
		{hypot2, []arrow.DataType{tBool, tF64}, "hypot2: argument 1 must be DOUBLE, got BOOLEAN", nil},
		{hypot2, []arrow.DataType{tF64}, "hypot2 takes 2 arguments, got 1", nil},
		{i32, []arrow.DataType{tInt, tBool, arrow.BinaryTypes.LargeString}, "", []arrow.DataType{tInt32, nil, tStr}},
		{i32, []arrow.DataType{tF64, tBool, tStr}, "f3: argument 1 must be INT, got DOUBLE", nil},
		{i32, []arrow.DataType{tInt32, tInt, tStr}, "f3: argument 2 must be BOOLEAN, got BIGINT", nil},
		{i32, []arrow.DataType{tInt32, tBool, tInt}, "f3: argument 3 must be VARCHAR, got BIGINT", nil},
		{i32, []arrow.DataType{tInt32, tBool, VectorOf(2)}, "f3: argument 3 must be VARCHAR, got VECTOR(2)", nil},
	}
	for _, tc := range tests {
		ret, err := tc.fn.ReturnType(tc.args)
		if tc.err != "" {
			if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s%v: got %v, want a plan error %q", tc.fn.Name(), tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s%v: %v", tc.fn.Name(), tc.args, err)
			continue
		}
		if !arrow.TypeEqual(ret, sqlTypeOf[float64]()) && tc.fn == hypot2 || !arrow.TypeEqual(ret, tInt) && tc.fn == i32 {
			t.Errorf("%s%v returns %s", tc.fn.Name(), tc.args, ret)
		}
		casts := caster(tc.fn).CastArgs(tc.args)
		for i, c := range casts {
			if (c == nil) != (tc.casts[i] == nil) || c != nil && !arrow.TypeEqual(c, tc.casts[i]) {
				t.Errorf("%s%v: CastArgs = %v, want %v", tc.fn.Name(), tc.args, casts, tc.casts)
				break
			}
		}
	}
}

// TestGenericWrongArrays: Eval refuses arrays of types the binder would have cast.
func TestGenericWrongArrays(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	f := Scalar1("twice", func(a int64) int64 { return 2 * a })
	a := argArray(t, mem, arrArg{tInt32, `[1]`}, false)
	defer a.Release()
	if _, err := f.Eval(context.Background(), mem, []arrow.Array{a}, 1); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("INT array for a BIGINT parameter: %v", err)
	}
	if _, err := f.Eval(context.Background(), mem, []arrow.Array{a}, 2); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("wrong length: %v", err)
	}
	if _, err := f.Eval(context.Background(), mem, nil, 1); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("no arguments: %v", err)
	}
}

// TestGenericNoAllocsPerRow checks that the per-row path allocates nothing: the allocations
// of one Eval do not grow with the number of rows.
func TestGenericNoAllocsPerRow(t *testing.T) {
	hypot2 := Scalar2("hypot2", func(a, b float64) float64 { return a*a + b*b })
	glue := Scalar2("glue", func(a, b string) int64 { return int64(len(a) + len(b)) })
	for _, tc := range []struct {
		f ScalarFunction
		t arrow.DataType
	}{{hypot2, tF64}, {glue, tStr}} {
		allocs := func(n int) float64 {
			b := array.NewBuilder(memory.DefaultAllocator, tc.t)
			defer b.Release()
			for i := range n {
				if i%7 == 3 {
					b.AppendNull()
					continue
				}
				switch bb := b.(type) {
				case *array.Float64Builder:
					bb.Append(float64(i))
				case *array.StringBuilder:
					bb.Append("row")
				}
			}
			a := b.NewArray()
			defer a.Release()
			args := []arrow.Array{a, a}
			return testing.AllocsPerRun(20, func() {
				r, err := tc.f.Eval(context.Background(), memory.DefaultAllocator, args, n)
				if err != nil {
					t.Fatal(err)
				}
				r.Release()
			})
		}
		small, large := allocs(10), allocs(10000)
		if large > small+2 {
			t.Errorf("%s: %v allocations for 10 rows, %v for 10000", tc.f.Name(), small, large)
		}
	}
}

func BenchmarkScalar2Float64(b *testing.B) {
	hypot2 := Scalar2("hypot2", func(x, y float64) float64 { return x*x + y*y })
	bld := array.NewFloat64Builder(memory.DefaultAllocator)
	for i := range 8192 {
		bld.Append(float64(i))
	}
	a := bld.NewArray()
	bld.Release()
	defer a.Release()
	args := []arrow.Array{a, a}
	b.ResetTimer()
	for range b.N {
		r, err := hypot2.Eval(context.Background(), memory.DefaultAllocator, args, 8192)
		if err != nil {
			b.Fatal(err)
		}
		r.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*8192), "ns/row")
}
