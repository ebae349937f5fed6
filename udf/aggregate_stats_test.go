package udf

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

var u64 = arrow.PrimitiveTypes.Uint64

func TestStatAggregateTypes(t *testing.T) {
	binList := arrow.ListOf(bin)
	tests := []struct {
		fn      string
		args    []arrow.DataType
		want    arrow.DataType
		state   []arrow.DataType
		wantErr string
	}{
		{fn: "stddev_pop", args: []arrow.DataType{i32}, want: f64, state: []arrow.DataType{i64, f64, f64}},
		{fn: "std", args: []arrow.DataType{dec(10, 2)}, want: f64, state: []arrow.DataType{i64, f64, f64}},
		{fn: "var_samp", args: []arrow.DataType{f32}, want: f64, state: []arrow.DataType{i64, f64, f64}},
		{fn: "variance", args: []arrow.DataType{arrow.Null}, want: f64, state: []arrow.DataType{i64, f64, f64}},
		{fn: "stddev_samp", args: []arrow.DataType{str}, wantErr: "stddev_samp does not accept VARCHAR"},
		{fn: "var_pop", args: []arrow.DataType{i32, i32}, wantErr: "var_pop takes exactly 1 argument, got 2"},
		{fn: "bit_and", args: []arrow.DataType{i32}, want: u64, state: []arrow.DataType{u64}},
		{fn: "bit_or", args: []arrow.DataType{boolT}, want: u64, state: []arrow.DataType{u64}},
		{fn: "bit_xor", args: []arrow.DataType{f64}, wantErr: "bit_xor does not accept DOUBLE"},
		{fn: "bit_xor", args: []arrow.DataType{dec(10, 0)}, wantErr: "bit_xor does not accept DECIMAL(10,0)"},
		{fn: "any_value", args: []arrow.DataType{str}, want: str, state: []arrow.DataType{str}},
		{fn: "any_value", args: []arrow.DataType{arrow.ListOf(i64)}, wantErr: "any_value does not accept"},
		{fn: "group_concat", args: []arrow.DataType{str, str}, want: str, state: []arrow.DataType{binList, str}},
		{fn: "group_concat", args: []arrow.DataType{i32, date, str}, want: str, state: []arrow.DataType{binList, str}},
		{fn: "group_concat", args: []arrow.DataType{str}, wantErr: "group_concat takes at least one value and the separator, got 1 arguments"},
		{fn: "group_concat", args: []arrow.DataType{str, i32}, wantErr: "group_concat: the separator must be a string, got INT"},
		{fn: "group_concat", args: []arrow.DataType{arrow.ListOf(i64), str}, wantErr: "group_concat does not accept"},
		{fn: "approx_count_distinct", args: []arrow.DataType{str}, want: i64, state: []arrow.DataType{bin}},
		{fn: "approx_count_distinct", args: []arrow.DataType{str, str}, wantErr: "approx_count_distinct takes exactly 1 argument, got 2"},
		{fn: "percentile_cont", args: []arrow.DataType{i32, f64}, want: f64, state: []arrow.DataType{arrow.ListOf(i32), f64}},
		{fn: "percentile_cont", args: []arrow.DataType{dec(10, 2), dec(2, 1)}, want: f64, state: []arrow.DataType{arrow.ListOf(dec(10, 2)), f64}},
		{fn: "percentile_cont", args: []arrow.DataType{date, f64}, wantErr: "percentile_cont does not accept DATE"},
		{fn: "percentile_cont", args: []arrow.DataType{i32}, wantErr: "percentile_cont takes exactly 2 arguments (x, p), got 1"},
		{fn: "percentile_cont", args: []arrow.DataType{i32, str}, wantErr: "percentile_cont: the percentile must be a number between 0 and 1, got VARCHAR"},
		{fn: "percentile_disc", args: []arrow.DataType{date, f64}, want: date, state: []arrow.DataType{arrow.ListOf(date), f64}},
		{fn: "percentile_disc", args: []arrow.DataType{i32, f64}, want: i32, state: []arrow.DataType{arrow.ListOf(i32), f64}},
		{fn: "percentile_disc", args: []arrow.DataType{str, f64}, wantErr: "percentile_disc does not accept VARCHAR"},
		{fn: "median", args: []arrow.DataType{i64}, want: f64, state: []arrow.DataType{arrow.ListOf(i64), f64}},
		{fn: "median", args: []arrow.DataType{i64, f64}, wantErr: "median takes exactly 1 argument, got 2"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s%v", tc.fn, tc.args), func(t *testing.T) {
			f := aggFunc(t, tc.fn)
			if f.Doc() == "" || !strings.Contains(f.Doc(), tc.fn) && tc.fn != "std" && tc.fn != "variance" {
				t.Errorf("Doc %q does not name the function", f.Doc())
			}
			got, err := f.ReturnType(tc.args)
			states, serr := f.StateTypes(tc.args)
			if tc.wantErr != "" {
				for _, e := range []error{err, serr} {
					if !errors.Is(e, errs.ErrPlan) || !strings.Contains(e.Error(), tc.wantErr) {
						t.Fatalf("error %v, want a plan error containing %q", e, tc.wantErr)
					}
				}
				if _, err := f.NewAccumulator(tc.args, memory.DefaultAllocator); err == nil {
					t.Fatal("NewAccumulator accepted a rejected type")
				}
				return
			}
			if err != nil || serr != nil {
				t.Fatalf("unexpected errors %v, %v", err, serr)
			}
			if !arrow.TypeEqual(got, tc.want) {
				t.Errorf("ReturnType = %s, want %s", got, tc.want)
			}
			if len(states) != len(tc.state) {
				t.Fatalf("StateTypes = %v, want %v", states, tc.state)
			}
			for i := range states {
				if !arrow.TypeEqual(states[i], tc.state[i]) {
					t.Errorf("StateTypes[%d] = %s, want %s", i, states[i], tc.state[i])
				}
			}
		})
	}
}

// sepCol is a JSON separator column of n rows.
func sepCol(sep string, n int) string {
	return "[" + strings.TrimSuffix(strings.Repeat(strconv.Quote(sep)+",", n), ",") + "]"
}

func TestStatAggregateResults(t *testing.T) {
	// 2, 4, 4, 4, 5, 5, 7, 9: mean 5, squared deviations sum to 32, so the population
	// variance is 4 (stddev 2) and the sample variance 32/7.
	eight := []batch{
		{args: []string{"[2, 4, null, 4]"}, groups: []uint32{0, 0, 0, 0}},
		{args: []string{"[4, 5, 5, 7, 9, 3]"}, groups: []uint32{0, 0, 0, 0, 0, 1}},
	}
	// 1 <= x <= 10 in group 0: sorted 1 2 4 10.
	four := []batch{
		{args: []string{"[10, 2, null]", "[0.25, 0.25, 0.25]"}, groups: []uint32{0, 0, 1}},
		{args: []string{"[4, 1, 7]", "[0.25, 0.25, 0.25]"}, groups: []uint32{0, 0, 2}},
	}
	tests := []struct {
		name      string
		fn        string
		argTypes  []arrow.DataType
		batches   []batch
		numGroups int
		want      []string
	}{
		{"var_pop", "var_pop", []arrow.DataType{i32}, eight, 3, []string{"4", "0", "NULL"}},
		{"stddev_pop", "stddev_pop", []arrow.DataType{i32}, eight, 3, []string{"2", "0", "NULL"}},
		{"var_samp", "var_samp", []arrow.DataType{i64}, eight, 3, []string{strconv.FormatFloat(32.0/7, 'g', -1, 64), "NULL", "NULL"}},
		{"stddev_samp", "stddev_samp", []arrow.DataType{u8}, eight, 3, []string{strconv.FormatFloat(math.Sqrt(32.0/7), 'g', -1, 64), "NULL", "NULL"}},
		{"var_pop decimal", "var_pop", []arrow.DataType{dec(5, 1)}, []batch{
			{args: []string{`["1.5", "2.5", null]`}, groups: []uint32{0, 0, 1}},
		}, 2, []string{"0.25", "NULL"}},
		{"var_pop null", "var_pop", []arrow.DataType{arrow.Null}, []batch{{args: []string{"[null]"}, groups: []uint32{0}}}, 1, []string{"NULL"}},
		// 12 = 1100, 10 = 1010, -1 = all ones: AND 8, OR all ones, XOR 12^10^-1 = ^6.
		{"bit_and", "bit_and", []arrow.DataType{i32}, []batch{
			{args: []string{"[12, 10, -1, null]"}, groups: []uint32{0, 0, 0, 1}},
		}, 3, []string{"8", "18446744073709551615", "18446744073709551615"}},
		{"bit_or", "bit_or", []arrow.DataType{i32}, []batch{
			{args: []string{"[12, 10, -1, null]"}, groups: []uint32{0, 0, 1, 2}},
		}, 3, []string{"14", "18446744073709551615", "0"}},
		{"bit_xor", "bit_xor", []arrow.DataType{i64}, []batch{
			{args: []string{"[12, 10]"}, groups: []uint32{0, 0}},
			{args: []string{"[-1]"}, groups: []uint32{0}},
		}, 2, []string{"18446744073709551609", "0"}},
		{"bit_or boolean", "bit_or", []arrow.DataType{boolT}, []batch{
			{args: []string{"[false, true, false]"}, groups: []uint32{0, 0, 1}},
		}, 2, []string{"1", "0"}},
		{"any_value", "any_value", []arrow.DataType{str}, []batch{
			{args: []string{`[null, "x", "x", null]`}, groups: []uint32{0, 0, 1, 2}},
		}, 3, []string{"x", "x", "NULL"}},
		{"group_concat", "group_concat", []arrow.DataType{str, str}, []batch{
			{args: []string{`["a", null, "b", ""]`, sepCol("; ", 4)}, groups: []uint32{0, 0, 1, 2}},
		}, 4, []string{"a", "b", "", "NULL"}},
		{"group_concat of two values", "group_concat", []arrow.DataType{str, str, str}, []batch{
			{args: []string{`["a", "b", null]`, `["1", "2", "3"]`, sepCol("|", 3)}, groups: []uint32{0, 1, 1}},
		}, 2, []string{"a1", "b2"}},
		{"approx_count_distinct", "approx_count_distinct", []arrow.DataType{str}, []batch{
			{args: []string{`["a", "b", "a", null, "c"]`}, groups: []uint32{0, 0, 0, 1, 0}},
			{args: []string{`["b", "d", ""]`}, groups: []uint32{0, 2, 2}},
		}, 4, []string{"3", "0", "2", "0"}},
		{"approx_count_distinct doubles", "approx_count_distinct", []arrow.DataType{f64}, []batch{
			{args: []string{`[0, -0, 1.5, "NaN", "NaN", 1.5]`}, groups: []uint32{0, 0, 0, 0, 0, 0}},
		}, 1, []string{"3"}},
		// p = 0.25 of 1 2 4 10: position 0.75 between 1 and 2.
		{"percentile_cont", "percentile_cont", []arrow.DataType{i32, f64}, four, 3, []string{"1.75", "NULL", "7"}},
		// the first value whose cumulative share 0.25, 0.5, ... reaches 0.25.
		{"percentile_disc", "percentile_disc", []arrow.DataType{i32, f64}, four, 3, []string{"1", "NULL", "7"}},
		{"percentile_disc p=0.3", "percentile_disc", []arrow.DataType{i64, f64}, []batch{
			{args: []string{"[4, 3, 2, 1]", "[0.3, 0.3, 0.3, 0.3]"}, groups: []uint32{0, 0, 0, 0}},
		}, 1, []string{"2"}},
		{"percentile_cont p=1", "percentile_cont", []arrow.DataType{f64, f64}, []batch{
			{args: []string{"[3.5, -1, 2]", "[1, 1, 1]"}, groups: []uint32{0, 0, 0}},
		}, 1, []string{"3.5"}},
		{"median even", "median", []arrow.DataType{i32}, []batch{
			{args: []string{"[10, 2, 4, 1, null]"}, groups: []uint32{0, 0, 0, 0, 1}},
		}, 2, []string{"3", "NULL"}},
		{"median decimal", "median", []arrow.DataType{dec(6, 2)}, []batch{
			{args: []string{`["1.25", "-3.00", "2.00"]`}, groups: []uint32{0, 0, 0}},
		}, 1, []string{"1.25"}},
		{"percentile_disc date", "percentile_disc", []arrow.DataType{date, f64}, []batch{
			{args: []string{`["2020-01-03", "2020-01-01", "2020-01-02"]`, "[0.5, 0.5, 0.5]"}, groups: []uint32{0, 0, 0}},
		}, 1, []string{"2020-01-02"}},
		{"median null", "median", []arrow.DataType{arrow.Null}, []batch{{args: []string{"[null]"}, groups: []uint32{0}}}, 1, []string{"NULL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			f := aggFunc(t, tc.fn)
			wantType, err := f.ReturnType(tc.argTypes)
			if err != nil {
				t.Fatal(err)
			}
			for _, run := range []struct {
				name string
				fn   func(*testing.T, memory.Allocator, AggregateFunction, []arrow.DataType, []batch, int) (arrow.Array, error)
			}{{"single phase", singlePhase}, {"two phase", twoPhase}} {
				got, err := run.fn(t, mem, f, tc.argTypes, tc.batches, tc.numGroups)
				if err != nil {
					t.Fatalf("%s: %v", run.name, err)
				}
				if !arrow.TypeEqual(got.DataType(), wantType) {
					t.Errorf("%s: result type %s, want %s", run.name, got.DataType(), wantType)
				}
				if r := render(got); fmt.Sprint(r) != fmt.Sprint(tc.want) {
					t.Errorf("%s: got %q, want %q", run.name, r, tc.want)
				}
				got.Release()
			}
		})
	}
}

func TestStatAggregateErrors(t *testing.T) {
	tests := []struct {
		name     string
		fn       string
		argTypes []arrow.DataType
		batches  []batch
		want     string
	}{
		{"p varies", "percentile_cont", []arrow.DataType{i32, f64}, []batch{
			{args: []string{"[1, 2]", "[0.5, 0.25]"}, groups: []uint32{0, 0}},
		}, "percentile_cont: the percentile must be the same constant on every row, got 0.5 and 0.25"},
		{"p varies across batches", "percentile_disc", []arrow.DataType{i32, f64}, []batch{
			{args: []string{"[1]", "[0.5]"}, groups: []uint32{0}},
			{args: []string{"[2]", "[0.75]"}, groups: []uint32{0}},
		}, "the percentile must be the same constant on every row"},
		{"p above 1", "percentile_cont", []arrow.DataType{i32, f64}, []batch{
			{args: []string{"[1]", "[1.5]"}, groups: []uint32{0}},
		}, "percentile_cont: the percentile must be between 0 and 1, got 1.5"},
		{"p NaN", "percentile_cont", []arrow.DataType{i32, f64}, []batch{
			{args: []string{"[1]", `["NaN"]`}, groups: []uint32{0}},
		}, "must be between 0 and 1, got NaN"},
		{"p NULL", "percentile_disc", []arrow.DataType{i32, f64}, []batch{
			{args: []string{"[1]", "[null]"}, groups: []uint32{0}},
		}, "percentile_disc: the percentile must not be NULL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			f := aggFunc(t, tc.fn)
			for _, run := range []func(*testing.T, memory.Allocator, AggregateFunction, []arrow.DataType, []batch, int) (arrow.Array, error){singlePhase, twoPhase} {
				got, err := run(t, mem, f, tc.argTypes, tc.batches, 1)
				if err == nil {
					r := render(got)
					got.Release()
					t.Fatalf("no error, result %v", r)
				}
				if !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error %v, want an execution error containing %q", err, tc.want)
				}
			}
		})
	}
}

// floatColumn builds a DOUBLE array.
func floatColumn(mem memory.Allocator, xs []float64) arrow.Array {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(xs, nil)
	return b.NewArray()
}

// runChunks folds vals (group groups[i]) through one partial accumulator per chunk of
// chunk rows, merges their states in a final accumulator and returns its Final; chunk <= 0
// runs a single accumulator over everything.
func runChunks(t *testing.T, mem memory.Allocator, newAcc func() GroupAccumulator, cols func(from, to int) []arrow.Array, groups []uint32, numGroups, chunk int) arrow.Array {
	t.Helper()
	final := newAcc()
	defer final.Release()
	if chunk <= 0 {
		chunk = len(groups)
	}
	for from := 0; from < len(groups); from += chunk {
		to := min(from+chunk, len(groups))
		args := cols(from, to)
		acc := final
		if chunk < len(groups) {
			acc = newAcc()
		}
		err := acc.Update(args, groups[from:to], numGroups)
		for _, a := range args {
			a.Release()
		}
		if err != nil {
			t.Fatal(err)
		}
		if acc == final {
			continue
		}
		states, err := acc.State(numGroups)
		acc.Release()
		if err != nil {
			t.Fatal(err)
		}
		ids := make([]uint32, numGroups)
		for g := range ids {
			ids[g] = uint32(g)
		}
		err = final.Merge(states, ids, numGroups)
		for _, s := range states {
			s.Release()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err := final.Final(numGroups)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVarianceStable checks Welford and Chan against a two-pass reference on values with a
// huge mean, where the textbook sum-of-squares formula loses every digit: 1e9 + {4, 7, 13,
// 16} has sample variance 30 exactly.
func TestVarianceStable(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	f := aggFunc(t, "var_samp")
	newAcc := func() GroupAccumulator {
		acc, err := f.NewAccumulator([]arrow.DataType{f64}, mem)
		if err != nil {
			t.Fatal(err)
		}
		return acc
	}
	shifted := []float64{1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16}
	cols := func(xs []float64) func(from, to int) []arrow.Array {
		return func(from, to int) []arrow.Array { return []arrow.Array{floatColumn(mem, xs[from:to])} }
	}
	for _, chunk := range []int{0, 1, 3} {
		got := runChunks(t, mem, newAcc, cols(shifted), make([]uint32, 4), 1, chunk)
		if v := got.(*array.Float64).Value(0); math.Abs(v-30) > 1e-6 {
			t.Errorf("chunk %d: var_samp = %v, want 30", chunk, v)
		}
		got.Release()
	}

	// Random data in 7 groups, merged from chunks of several sizes, against two passes.
	rng := rand.New(rand.NewPCG(3, 4))
	const n, numGroups = 5000, 7
	xs := make([]float64, n)
	groups := make([]uint32, n)
	sums := make([]float64, numGroups)
	counts := make([]float64, numGroups)
	for i := range xs {
		xs[i] = 1e6 + rng.NormFloat64()*3
		groups[i] = uint32(rng.IntN(numGroups))
		sums[groups[i]] += xs[i]
		counts[groups[i]]++
	}
	want := make([]float64, numGroups)
	for i, x := range xs {
		d := x - sums[groups[i]]/counts[groups[i]]
		want[groups[i]] += d * d
	}
	for g := range want {
		want[g] /= counts[g] - 1
	}
	for _, chunk := range []int{0, 1, 17, 1000} {
		got := runChunks(t, mem, newAcc, cols(xs), groups, numGroups, chunk)
		for g := range numGroups {
			if v := got.(*array.Float64).Value(g); math.Abs(v-want[g]) > 1e-9*want[g] {
				t.Errorf("chunk %d group %d: var_samp = %v, want %v", chunk, g, v, want[g])
			}
		}
		got.Release()
	}
}

// TestApproxCountDistinct checks the estimate on large inputs, that merging sketches equals
// sketching the union, and exact counts below the sparse limit. The tolerance 2.5% is three
// standard errors of a 2^14-register sketch (1.04/128 = 0.81%).
func TestApproxCountDistinct(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	f := aggFunc(t, "approx_count_distinct")
	for _, tc := range []struct {
		name     string
		dt       arrow.DataType
		distinct int
		tol      float64 // relative
	}{
		{"ints 100k", i64, 100_000, 0.025},
		{"strings 100k", str, 100_000, 0.025},
		{"ints 20k", i64, 20_000, 0.025},
		{"strings 5000", str, 5000, 0.025},
		{"ints 2000 exact", i64, 2000, 0},
		{"strings 1500 exact", str, 1500, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			newAcc := func() GroupAccumulator {
				acc, err := f.NewAccumulator([]arrow.DataType{tc.dt}, mem)
				if err != nil {
					t.Fatal(err)
				}
				return acc
			}
			// Every value twice, in shuffled order: group 0 gets one copy of each, and the
			// other copy too unless the value is a multiple of 10, whose second copy goes to
			// group 1.
			rng := rand.New(rand.NewPCG(5, uint64(tc.distinct)))
			vals := make([]int, 2*tc.distinct)
			groups := make([]uint32, len(vals))
			for i := range vals {
				vals[i] = i % tc.distinct
				if i >= tc.distinct && vals[i]%10 == 0 {
					groups[i] = 1
				}
			}
			rng.Shuffle(len(vals), func(i, j int) {
				vals[i], vals[j] = vals[j], vals[i]
				groups[i], groups[j] = groups[j], groups[i]
			})
			cols := func(from, to int) []arrow.Array {
				if tc.dt.ID() == arrow.STRING {
					b := array.NewStringBuilder(mem)
					defer b.Release()
					for _, v := range vals[from:to] {
						b.Append(fmt.Sprintf("value-%d", v))
					}
					return []arrow.Array{b.NewArray()}
				}
				b := array.NewInt64Builder(mem)
				defer b.Release()
				for _, v := range vals[from:to] {
					b.Append(int64(v) * 1_000_003)
				}
				return []arrow.Array{b.NewArray()}
			}
			wants := []float64{float64(tc.distinct), float64((tc.distinct + 9) / 10)}
			var first []int64
			for _, chunk := range []int{0, 999, len(vals) / 3} {
				got := runChunks(t, mem, newAcc, cols, groups, 2, chunk)
				est := []int64{got.(*array.Int64).Value(0), got.(*array.Int64).Value(1)}
				got.Release()
				for g, w := range wants {
					if testing.Verbose() && chunk == 0 {
						t.Logf("group %d: estimate %d of %v (%+.2f%%)", g, est[g], w, 100*(float64(est[g])/w-1))
					}
					if math.Abs(float64(est[g])-w) > tc.tol*w {
						t.Errorf("chunk %d group %d: estimate %d, want %v within %.0f%%", chunk, g, est[g], w, 100*tc.tol)
					}
				}
				if first == nil {
					first = est
				} else if !slices.Equal(first, est) {
					t.Errorf("chunk %d: estimate %v differs from the single accumulator's %v", chunk, est, first)
				}
			}
		})
	}
}

func TestHLLEstimatorEdges(t *testing.T) {
	regs := make([]uint8, hllM)
	if e := hllEstimate(regs); e != 0 {
		t.Errorf("empty sketch estimates %v", e)
	}
	// One register at rank 1: linear counting m·ln(m/(m-1)) ≈ 1.
	regs[7] = 1
	if e := hllEstimate(regs); math.Abs(e-1) > 0.01 {
		t.Errorf("one-value sketch estimates %v, want about 1", e)
	}
}

// TestKeyEncoderOrder checks that encoded keys compare as the SQL order says, for every
// direction and NULL order, against a reference comparison of the Go values.
func TestKeyEncoderOrder(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	cases := []struct {
		dt   arrow.DataType
		json string
		less func(a, b any) bool // over non-NULL values as JSON decodes them
	}{
		{i32, `[3, -1, null, 0, -2147483648, 2147483647, 7]`, func(a, b any) bool { return a.(int32) < b.(int32) }},
		{i64, `[3, -1, null, 0, 1099511627776, -1099511627776]`, func(a, b any) bool { return a.(int64) < b.(int64) }},
		{u64, `[3, 0, null, 1099511627776]`, func(a, b any) bool { return a.(uint64) < b.(uint64) }},
		{f64, `[1.5, -0.5, null, "NaN", "-Inf", "Inf", 0, -1e300]`, func(a, b any) bool { return floatLess(a.(float64), b.(float64)) }},
		{str, `["b", "a", "", null, "ab", "a\u0000", "a\u0000b", "\u00ff"]`, func(a, b any) bool { return a.(string) < b.(string) }},
		{dec(10, 2), `["1.50", "-1.50", null, "0.01", "-99999999.99"]`, func(a, b any) bool {
			return a.(string) != b.(string) && mustFloat(a.(string)) < mustFloat(b.(string))
		}},
		{boolT, `[true, false, null]`, func(a, b any) bool { return !a.(bool) && b.(bool) }},
	}
	for _, c := range cases {
		for _, o := range []SortOrder{{}, {Desc: true}, {NullsFirst: true}, {Desc: true, NullsFirst: true}} {
			t.Run(fmt.Sprintf("%s %+v", c.dt, o), func(t *testing.T) {
				a := fromJSON(t, mem, c.dt, c.json)
				defer a.Release()
				enc, err := newKeyEncoder("test", []arrow.DataType{c.dt}, []SortOrder{o})
				if err != nil {
					t.Fatal(err)
				}
				if err := enc.set([]arrow.Array{a}); err != nil {
					t.Fatal(err)
				}
				keys := make([][]byte, a.Len())
				for i := range keys {
					keys[i] = enc.appendRow(nil, i)
				}
				value := func(i int) any {
					switch x := a.(type) {
					case *array.Int32:
						return x.Value(i)
					case *array.Int64:
						return x.Value(i)
					case *array.Uint64:
						return x.Value(i)
					case *array.Float64:
						return x.Value(i)
					case *array.String:
						return x.Value(i)
					case *array.Decimal128:
						return x.Value(i).ToString(2)
					case *array.Boolean:
						return x.Value(i)
					}
					t.Fatalf("unexpected array %T", a)
					return nil
				}
				// want reports whether row i sorts strictly before row j.
				want := func(i, j int) bool {
					ni, nj := a.IsNull(i), a.IsNull(j)
					switch {
					case ni && nj:
						return false
					case ni:
						return o.NullsFirst
					case nj:
						return !o.NullsFirst
					case o.Desc:
						return c.less(value(j), value(i))
					}
					return c.less(value(i), value(j))
				}
				for i := range keys {
					for j := range keys {
						if got := bytes.Compare(keys[i], keys[j]) < 0; got != want(i, j) {
							t.Errorf("row %d (%s) before row %d (%s): encoded %v, want %v", i, a.ValueStr(i), j, a.ValueStr(j), got, want(i, j))
						}
					}
				}
			})
		}
	}
}

func mustFloat(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return v
}

// TestGroupConcatOrdered runs group_concat(x ORDER BY k1 DESC, k2) with partial states.
func TestGroupConcatOrdered(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	f := aggFunc(t, "group_concat").(OrderedAggregateFunction)
	if err := f.CheckOrder([]arrow.DataType{arrow.ListOf(i32)}); err == nil || !errors.Is(err, errs.ErrPlan) {
		t.Errorf("CheckOrder(list) = %v, want a plan error", err)
	}
	argTypes := []arrow.DataType{str, str}
	keyTypes := []arrow.DataType{i32, str}
	order := []SortOrder{{Desc: true}, {NullsFirst: true}}
	newAcc := func() GroupAccumulator {
		acc, err := f.NewOrderedAccumulator(argTypes, keyTypes, order, mem)
		if err != nil {
			t.Fatal(err)
		}
		return acc
	}
	// Group 0: (x, k1, k2) = (a,1,z) (b,2,y) (c,2,null) (d,null,x) (e,2,a) (null,9,q).
	// By k1 DESC (NULLs last), then k2 ASC with NULLs first: c e b a d.
	xs := `["a", "b", "c", "d", "e", null, "g"]`
	k1 := `[1, 2, 2, null, 2, 9, 5]`
	k2 := `["z", "y", null, "x", "a", "q", "w"]`
	groups := []uint32{0, 0, 0, 0, 0, 0, 2}
	all := func(js string, dt arrow.DataType) arrow.Array { return fromJSON(t, mem, dt, js) }
	cols := func(from, to int) []arrow.Array {
		out := []arrow.Array{all(xs, str), all(sepCol("-", 7), str), all(k1, i32), all(k2, str)}
		for i, a := range out {
			s := array.NewSlice(a, int64(from), int64(to))
			a.Release()
			out[i] = s
		}
		return out
	}
	for _, chunk := range []int{0, 1, 2, 4} {
		got := runChunks(t, mem, newAcc, cols, groups, 3, chunk)
		if r := fmt.Sprint(render(got)); r != "[c-e-b-a-d NULL g]" {
			t.Errorf("chunk %d: got %s", chunk, r)
		}
		got.Release()
	}
}
