package udf

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

var (
	i32   = arrow.PrimitiveTypes.Int32
	i64   = arrow.PrimitiveTypes.Int64
	u8    = arrow.PrimitiveTypes.Uint8
	f32   = arrow.PrimitiveTypes.Float32
	f64   = arrow.PrimitiveTypes.Float64
	str   = arrow.BinaryTypes.String
	lstr  = arrow.BinaryTypes.LargeString
	bin   = arrow.BinaryTypes.Binary
	boolT = arrow.FixedWidthTypes.Boolean
	date  = arrow.FixedWidthTypes.Date32
	ts    = &arrow.TimestampType{Unit: arrow.Microsecond}
	dec   = func(p, s int32) arrow.DataType { return &arrow.Decimal128Type{Precision: p, Scale: s} }
)

func aggFunc(t *testing.T, name string) AggregateFunction {
	t.Helper()
	f, ok := NewBuiltins().Aggregate(name)
	if !ok {
		t.Fatalf("aggregate %q is not registered", name)
	}
	return f
}

func TestAggregateTypes(t *testing.T) {
	tests := []struct {
		fn      string
		args    []arrow.DataType
		want    arrow.DataType
		state   []arrow.DataType
		wantErr string
	}{
		{fn: "count", args: nil, want: i64, state: []arrow.DataType{i64}},
		{fn: "count", args: []arrow.DataType{str}, want: i64, state: []arrow.DataType{i64}},
		{fn: "count", args: []arrow.DataType{str, i32}, want: i64, state: []arrow.DataType{i64}},
		{fn: "sum", args: []arrow.DataType{i32}, want: i64, state: []arrow.DataType{i64}},
		{fn: "sum", args: []arrow.DataType{u8}, want: i64, state: []arrow.DataType{i64}},
		{fn: "sum", args: []arrow.DataType{f32}, want: f64, state: []arrow.DataType{f64}},
		{fn: "sum", args: []arrow.DataType{dec(15, 2)}, want: dec(37, 2), state: []arrow.DataType{dec(38, 2)}},
		{fn: "sum", args: []arrow.DataType{dec(20, 4)}, want: dec(38, 4), state: []arrow.DataType{dec(38, 4)}},
		{fn: "sum", args: []arrow.DataType{arrow.Null}, want: f64, state: []arrow.DataType{f64}},
		{fn: "sum", args: []arrow.DataType{str}, wantErr: "sum does not accept VARCHAR"},
		{fn: "sum", args: []arrow.DataType{boolT}, wantErr: "sum does not accept BOOLEAN"},
		{fn: "sum", args: []arrow.DataType{date}, wantErr: "sum does not accept DATE"},
		{fn: "sum", args: nil, wantErr: "sum takes exactly 1 argument, got 0"},
		{fn: "sum", args: []arrow.DataType{i32, i32}, wantErr: "sum takes exactly 1 argument, got 2"},
		{fn: "avg", args: []arrow.DataType{i64}, want: dec(23, 4), state: []arrow.DataType{dec(38, 0), i64}},
		{fn: "avg", args: []arrow.DataType{i32}, want: dec(14, 4), state: []arrow.DataType{dec(38, 0), i64}},
		{fn: "avg", args: []arrow.DataType{u8}, want: dec(7, 4), state: []arrow.DataType{dec(38, 0), i64}},
		{fn: "avg", args: []arrow.DataType{dec(15, 2)}, want: dec(19, 6), state: []arrow.DataType{dec(38, 2), i64}},
		{fn: "avg", args: []arrow.DataType{dec(38, 36)}, want: dec(38, 38), state: []arrow.DataType{dec(38, 36), i64}},
		{fn: "avg", args: []arrow.DataType{f64}, want: f64, state: []arrow.DataType{f64, i64}},
		{fn: "avg", args: []arrow.DataType{ts}, wantErr: "avg does not accept TIMESTAMP"},
		{fn: "min", args: []arrow.DataType{str}, want: str, state: []arrow.DataType{str}},
		{fn: "max", args: []arrow.DataType{dec(10, 3)}, want: dec(10, 3), state: []arrow.DataType{dec(10, 3)}},
		{fn: "max", args: []arrow.DataType{ts}, want: ts, state: []arrow.DataType{ts}},
		{fn: "min", args: []arrow.DataType{boolT}, want: boolT, state: []arrow.DataType{boolT}},
		{fn: "min", args: []arrow.DataType{arrow.ListOf(i64)}, wantErr: "min does not accept "},
		{fn: "max", args: nil, wantErr: "max takes exactly 1 argument, got 0"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s%v", tc.fn, tc.args), func(t *testing.T) {
			f := aggFunc(t, tc.fn)
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

// batch is one Update call: argument columns as JSON (one per argument) and group ids.
type batch struct {
	args   []string
	groups []uint32
}

func fromJSON(t *testing.T, mem memory.Allocator, dt arrow.DataType, js string) arrow.Array {
	t.Helper()
	a, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
	if err != nil {
		t.Fatalf("FromJSON(%s, %s): %v", dt, js, err)
	}
	return a
}

// render returns the values of a as strings, NULL for NULLs, decimals with all digits of
// their scale.
func render(a arrow.Array) []string {
	out := make([]string, a.Len())
	for i := range out {
		switch {
		case a.DataType().ID() == arrow.NULL || a.IsNull(i):
			out[i] = "NULL"
		case a.DataType().ID() == arrow.DECIMAL128:
			out[i] = a.(*array.Decimal128).Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
		default:
			out[i] = a.ValueStr(i)
		}
	}
	return out
}

// feed runs the batches through acc.Update.
func feed(t *testing.T, mem memory.Allocator, acc GroupAccumulator, argTypes []arrow.DataType, batches []batch, numGroups int) error {
	t.Helper()
	for _, b := range batches {
		args := make([]arrow.Array, len(argTypes))
		for i, dt := range argTypes {
			args[i] = fromJSON(t, mem, dt, b.args[i])
		}
		err := acc.Update(args, b.groups, numGroups)
		for _, a := range args {
			a.Release()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// singlePhase returns Final after all batches.
func singlePhase(t *testing.T, mem memory.Allocator, f AggregateFunction, argTypes []arrow.DataType, batches []batch, numGroups int) (arrow.Array, error) {
	t.Helper()
	acc, err := f.NewAccumulator(argTypes, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer acc.Release()
	if err := feed(t, mem, acc, argTypes, batches, numGroups); err != nil {
		return nil, err
	}
	return acc.Final(numGroups)
}

// twoPhase gives each batch its own partial accumulator, whose groups are numbered in
// reverse (partial group p is final group numGroups-1-p), merges the partial states in a
// final accumulator and returns its Final.
func twoPhase(t *testing.T, mem memory.Allocator, f AggregateFunction, argTypes []arrow.DataType, batches []batch, numGroups int) (arrow.Array, error) {
	t.Helper()
	final, err := f.NewAccumulator(argTypes, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer final.Release()
	toFinal := make([]uint32, numGroups)
	for p := range toFinal {
		toFinal[p] = uint32(numGroups - 1 - p)
	}
	for _, b := range batches {
		partial, err := f.NewAccumulator(argTypes, mem)
		if err != nil {
			t.Fatal(err)
		}
		local := batch{args: b.args, groups: make([]uint32, len(b.groups))}
		for i, g := range b.groups {
			local.groups[i] = uint32(numGroups - 1 - int(g))
		}
		if err := feed(t, mem, partial, argTypes, []batch{local}, numGroups); err != nil {
			partial.Release()
			return nil, err
		}
		states, err := partial.State(numGroups)
		partial.Release()
		if err != nil {
			return nil, err
		}
		err = final.Merge(states, toFinal, numGroups)
		for _, s := range states {
			s.Release()
		}
		if err != nil {
			return nil, err
		}
	}
	return final.Final(numGroups)
}

// Shared input: four groups; group 2 never appears, group 3 only with NULLs. By hand:
// group 0 holds 1, 5, -4; group 1 holds 2, 10.
var intBatches = []batch{
	{args: []string{"[1, 2, null, 5]"}, groups: []uint32{0, 1, 3, 0}},
	{args: []string{"[10, null, -4]"}, groups: []uint32{1, 3, 0}},
}

func TestAggregateResults(t *testing.T) {
	thirtyTwo := func(v string) []batch { // one v and 31 zeros in group 0
		vals := strings.Repeat("0, ", 31) + v
		return []batch{{args: []string{"[" + vals + "]"}, groups: make([]uint32, 32)}}
	}
	tests := []struct {
		name      string
		fn        string
		argTypes  []arrow.DataType
		batches   []batch
		numGroups int
		want      []string
	}{
		{"count(*)", "count", nil, []batch{{groups: []uint32{0, 1, 3, 0}}, {groups: []uint32{1, 3, 0}}}, 4, []string{"3", "2", "0", "2"}},
		{"count(int)", "count", []arrow.DataType{i32}, intBatches, 4, []string{"3", "2", "0", "0"}},
		{"count(a, b)", "count", []arrow.DataType{str, i64}, []batch{
			{args: []string{`["x", null, "y", "z"]`, `[1, 2, null, 3]`}, groups: []uint32{0, 0, 0, 1}},
		}, 3, []string{"1", "1", "0"}},
		{"count(null)", "count", []arrow.DataType{arrow.Null}, []batch{{args: []string{"[null, null]"}, groups: []uint32{0, 1}}}, 2, []string{"0", "0"}},
		{"sum(int)", "sum", []arrow.DataType{i32}, intBatches, 4, []string{"2", "12", "NULL", "NULL"}},
		{"sum(bigint)", "sum", []arrow.DataType{i64}, intBatches, 4, []string{"2", "12", "NULL", "NULL"}},
		{"sum(tinyint unsigned)", "sum", []arrow.DataType{u8}, []batch{{args: []string{"[255, 255, 1]"}, groups: []uint32{0, 0, 1}}}, 2, []string{"510", "1"}},
		{"sum(double)", "sum", []arrow.DataType{f64}, []batch{{args: []string{"[1.5, null, 2.25]"}, groups: []uint32{0, 0, 0}}}, 2, []string{"3.75", "NULL"}},
		{"sum(float)", "sum", []arrow.DataType{f32}, []batch{{args: []string{"[0.5, 0.25]"}, groups: []uint32{1, 1}}}, 2, []string{"NULL", "0.75"}},
		{"sum(decimal(15,2))", "sum", []arrow.DataType{dec(15, 2)}, []batch{
			{args: []string{`["9999999999999.99", "0.01", null]`}, groups: []uint32{0, 0, 1}},
			{args: []string{`["-0.10", "0.07", "0.03"]`}, groups: []uint32{0, 2, 2}},
		}, 3, []string{"9999999999999.90", "NULL", "0.10"}},
		{"sum(null)", "sum", []arrow.DataType{arrow.Null}, []batch{{args: []string{"[null]"}, groups: []uint32{0}}}, 1, []string{"NULL"}},
		// 2/3 = 0.66666... rounds to 0.6667; 12/2 = 6.
		{"avg(int)", "avg", []arrow.DataType{i32}, intBatches, 4, []string{"0.6667", "6.0000", "NULL", "NULL"}},
		{"avg(int) rounds half up", "avg", []arrow.DataType{i64}, thirtyTwo("1"), 1, []string{"0.0313"}},     // 1/32 = 0.03125
		{"avg(int) rounds half down", "avg", []arrow.DataType{i64}, thirtyTwo("-1"), 1, []string{"-0.0313"}}, // away from zero
		{"avg(int) exact quarter", "avg", []arrow.DataType{i64}, thirtyTwo("8"), 1, []string{"0.2500"}},
		// 5.00/3 = 1.666666.. at scale 6; -0.01/3 = -0.003333.. -> -0.003333.
		{"avg(decimal(15,2))", "avg", []arrow.DataType{dec(15, 2)}, []batch{
			{args: []string{`["1.00", "2.00", "-0.01", null]`}, groups: []uint32{0, 0, 1, 1}},
			{args: []string{`["2.00", "0", "0"]`}, groups: []uint32{0, 1, 1}},
		}, 2, []string{"1.666667", "-0.003333"}},
		{"avg(double)", "avg", []arrow.DataType{f64}, []batch{{args: []string{"[1.5, null, 2.25]"}, groups: []uint32{0, 0, 0}}}, 2, []string{"1.875", "NULL"}},
		{"min(int)", "min", []arrow.DataType{i32}, intBatches, 4, []string{"-4", "2", "NULL", "NULL"}},
		{"max(int)", "max", []arrow.DataType{i32}, intBatches, 4, []string{"5", "10", "NULL", "NULL"}},
		{"min(double) with NaN and -0", "min", []arrow.DataType{f64}, []batch{
			{args: []string{`["NaN", 3, null, "NaN", -1e300, 0]`}, groups: []uint32{0, 0, 1, 1, 2, 2}},
		}, 3, []string{"3", "NaN", "-1e+300"}},
		{"max(double) with NaN", "max", []arrow.DataType{f64}, []batch{
			{args: []string{`[1, "NaN", 2, "-Inf"]`}, groups: []uint32{0, 0, 1, 2}},
		}, 3, []string{"NaN", "2", "-Inf"}},
		{"min(decimal)", "min", []arrow.DataType{dec(10, 2)}, []batch{
			{args: []string{`["1.50", "-20.00", null, "99999999.99"]`}, groups: []uint32{0, 0, 1, 1}},
		}, 2, []string{"-20.00", "99999999.99"}},
		{"max(decimal)", "max", []arrow.DataType{dec(10, 2)}, []batch{
			{args: []string{`["1.50", "-20.00", "-99999999.99"]`}, groups: []uint32{0, 0, 1}},
		}, 2, []string{"1.50", "-99999999.99"}},
		{"min(varchar)", "min", []arrow.DataType{str}, []batch{
			{args: []string{`["pear", "apple", null, "", "zz"]`}, groups: []uint32{0, 0, 1, 2, 2}},
			{args: []string{`["apples", "aardvark", "b"]`}, groups: []uint32{0, 0, 3}},
		}, 5, []string{"aardvark", "NULL", "", "b", "NULL"}},
		{"max(varchar)", "max", []arrow.DataType{str}, []batch{
			{args: []string{`["pear", "apple", null, "", "zz"]`}, groups: []uint32{0, 0, 1, 2, 2}},
			{args: []string{`["pears", "pea"]`}, groups: []uint32{0, 0}},
		}, 3, []string{"pears", "NULL", "zz"}},
		{"max(large varchar)", "max", []arrow.DataType{lstr}, []batch{
			{args: []string{`["b", "ab", null]`}, groups: []uint32{0, 0, 1}},
		}, 2, []string{"b", "NULL"}},
		// Binary JSON is base64: "YQ==" is "a", "YWI=" is "ab", "Yg==" is "b".
		{"min(binary)", "min", []arrow.DataType{bin}, []batch{
			{args: []string{`["Yg==", "YWI=", "YQ==", null]`}, groups: []uint32{0, 0, 0, 1}},
		}, 2, []string{"YQ==", "NULL"}},
		{"min(boolean)", "min", []arrow.DataType{boolT}, []batch{
			{args: []string{`[true, false, true, null]`}, groups: []uint32{0, 0, 1, 2}},
		}, 3, []string{"false", "true", "NULL"}},
		{"max(boolean)", "max", []arrow.DataType{boolT}, []batch{
			{args: []string{`[true, false, false, null]`}, groups: []uint32{0, 0, 1, 2}},
		}, 3, []string{"true", "false", "NULL"}},
		{"max(date)", "max", []arrow.DataType{date}, []batch{
			{args: []string{`["2020-01-01", "1999-12-31", "2020-01-02"]`}, groups: []uint32{0, 0, 1}},
		}, 2, []string{"2020-01-01", "2020-01-02"}},
		{"min(timestamp)", "min", []arrow.DataType{ts}, []batch{
			{args: []string{`["2020-01-01 10:00:00", "2020-01-01 09:59:59"]`}, groups: []uint32{0, 0}},
		}, 1, []string{"2020-01-01T09:59:59"}},
		{"min(null)", "min", []arrow.DataType{arrow.Null}, []batch{{args: []string{"[null]"}, groups: []uint32{0}}}, 2, []string{"NULL", "NULL"}},
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

func TestAggregateOverflow(t *testing.T) {
	// arrow-go's FromJSON reads integers through float64, so the values here are powers of
	// two it represents exactly: 2^62 + 2^62 = 2^63 is one past the largest BIGINT.
	tests := []struct {
		name     string
		fn       string
		argTypes []arrow.DataType
		batches  []batch
		want     string
	}{
		{"sum bigint", "sum", []arrow.DataType{i64}, []batch{{args: []string{"[4611686018427387904, 4611686018427387904]"}, groups: []uint32{0, 0}}}, "sum overflows BIGINT"},
		{"sum bigint negative", "sum", []arrow.DataType{i64}, []batch{{args: []string{"[-4611686018427387904, -4611686018427387904, -4611686018427387904]"}, groups: []uint32{0, 0, 0}}}, "sum overflows BIGINT"},
		// Each batch alone fits, so two-phase overflows only in Merge.
		{"sum bigint across batches", "sum", []arrow.DataType{i64}, []batch{
			{args: []string{"[4611686018427387904]"}, groups: []uint32{0}},
			{args: []string{"[4611686018427387904]"}, groups: []uint32{0}},
		}, "sum overflows BIGINT"},
		{"sum bigint unsigned", "sum", []arrow.DataType{arrow.PrimitiveTypes.Uint64}, []batch{{args: []string{"[9223372036854775808]"}, groups: []uint32{0}}}, "sum overflows BIGINT"},
		// 38 nines plus 1 no longer fits DECIMAL(38,0).
		{"sum decimal past 38 digits", "sum", []arrow.DataType{dec(38, 0)}, []batch{
			{args: []string{`["99999999999999999999999999999999999999", "1"]`}, groups: []uint32{0, 0}},
		}, "sum overflows DECIMAL(38,0)"},
		// Twice 38 nines passes 2^127: the 128-bit running sum itself overflows.
		{"sum decimal past 128 bits", "sum", []arrow.DataType{dec(38, 0)}, []batch{
			{args: []string{`["99999999999999999999999999999999999999"]`}, groups: []uint32{0}},
			{args: []string{`["99999999999999999999999999999999999999"]`}, groups: []uint32{0}},
		}, "sum overflows DECIMAL(38,0)"},
		// The mean 10^37 needs 38 integer digits, DECIMAL(38,4) has 34.
		{"avg decimal result past 38 digits", "avg", []arrow.DataType{dec(38, 0)}, []batch{
			{args: []string{`["10000000000000000000000000000000000000"]`}, groups: []uint32{0}},
		}, "avg overflows DECIMAL(38,4)"},
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

// TestAggregateRandom checks every function on random data with sliced batches against a
// plain row-at-a-time reference over int64 and string inputs, single and two phase.
func TestAggregateRandom(t *testing.T) {
	const rows, numGroups = 4000, 40 // groups 38 and 39 get only NULLs
	rng := rand.New(rand.NewPCG(1, 2))
	ints := make([]*int64, rows)
	strs := make([]*string, rows)
	groups := make([]uint32, rows)
	for i := range rows {
		groups[i] = uint32(rng.IntN(numGroups))
		if groups[i] >= numGroups-2 || rng.IntN(10) == 0 {
			continue
		}
		v := rng.Int64N(2_000_000_000_000) - 1_000_000_000_000
		ints[i] = &v
		s := strings.Repeat("x", rng.IntN(40)) + fmt.Sprint(v%1000)
		strs[i] = &s
	}
	// Group 0 also gets a strictly growing run of strings, so max(varchar) replaces its
	// value 3000 times with longer ones and must compact its buffer.
	for i := 0; i < 3000; i++ {
		groups[i] = 0
		s := strings.Repeat("z", 100+i)
		strs[i] = &s
	}
	toJSON := func(lo, hi int, asStr bool) string {
		var sb strings.Builder
		sb.WriteByte('[')
		for i := lo; i < hi; i++ {
			if i > lo {
				sb.WriteByte(',')
			}
			switch {
			case asStr && strs[i] != nil:
				fmt.Fprintf(&sb, "%q", *strs[i])
			case !asStr && ints[i] != nil:
				fmt.Fprint(&sb, *ints[i])
			default:
				sb.WriteString("null")
			}
		}
		sb.WriteByte(']')
		return sb.String()
	}
	var intBatches, strBatches []batch
	for lo := 0; lo < rows; {
		hi := min(rows, lo+1+rng.IntN(700))
		intBatches = append(intBatches, batch{args: []string{toJSON(lo, hi, false)}, groups: groups[lo:hi]})
		strBatches = append(strBatches, batch{args: []string{toJSON(lo, hi, true)}, groups: groups[lo:hi]})
		lo = hi
	}

	// Row-at-a-time reference.
	sums := make([]*big.Int, numGroups)
	counts := make([]int64, numGroups)
	mins, maxs := make([]*int64, numGroups), make([]*int64, numGroups)
	smin, smax := make([]*string, numGroups), make([]*string, numGroups)
	for g := range sums {
		sums[g] = new(big.Int)
	}
	for i, g := range groups {
		if v := ints[i]; v != nil {
			sums[g].Add(sums[g], big.NewInt(*v))
			counts[g]++
			if mins[g] == nil || *v < *mins[g] {
				mins[g] = v
			}
			if maxs[g] == nil || *v > *maxs[g] {
				maxs[g] = v
			}
		}
		if s := strs[i]; s != nil {
			if smin[g] == nil || *s < *smin[g] {
				smin[g] = s
			}
			if smax[g] == nil || *s > *smax[g] {
				smax[g] = s
			}
		}
	}
	want := map[string][]string{}
	for g := range numGroups {
		want["count"] = append(want["count"], fmt.Sprint(counts[g]))
		if counts[g] == 0 {
			for _, fn := range []string{"sum", "avg", "min", "max"} {
				want[fn] = append(want[fn], "NULL")
			}
		} else {
			want["sum"] = append(want["sum"], sums[g].String())
			want["min"] = append(want["min"], fmt.Sprint(*mins[g]))
			want["max"] = append(want["max"], fmt.Sprint(*maxs[g]))
			// avg at scale 4, half away from zero: round(|sum| * 10^4 / count) with sign.
			q := new(big.Rat).SetFrac(new(big.Int).Mul(new(big.Int).Abs(sums[g]), big.NewInt(10000)), big.NewInt(counts[g]))
			r := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(q.Num(), big.NewInt(2)), q.Denom()), new(big.Int).Mul(q.Denom(), big.NewInt(2)))
			if sums[g].Sign() < 0 {
				r.Neg(r)
			}
			want["avg"] = append(want["avg"], new(big.Rat).SetFrac(r, big.NewInt(10000)).FloatString(4))
		}
		for _, p := range []struct {
			fn string
			v  *string
		}{{"min(varchar)", smin[g]}, {"max(varchar)", smax[g]}} {
			if p.v == nil {
				want[p.fn] = append(want[p.fn], "NULL")
			} else {
				want[p.fn] = append(want[p.fn], *p.v)
			}
		}
	}

	tests := []struct {
		name, fn string
		argType  arrow.DataType
		batches  []batch
	}{
		{"count", "count", i64, intBatches},
		{"sum", "sum", i64, intBatches},
		{"avg", "avg", i64, intBatches},
		{"min", "min", i64, intBatches},
		{"max", "max", i64, intBatches},
		{"min(varchar)", "min", str, strBatches},
		{"max(varchar)", "max", str, strBatches},
		{"max(varchar)", "max", lstr, strBatches},
	}
	for _, tc := range tests {
		t.Run(tc.name+"/"+tc.argType.String(), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			f := aggFunc(t, tc.fn)
			for _, run := range []func(*testing.T, memory.Allocator, AggregateFunction, []arrow.DataType, []batch, int) (arrow.Array, error){singlePhase, twoPhase} {
				got, err := run(t, mem, f, []arrow.DataType{tc.argType}, tc.batches, numGroups)
				if err != nil {
					t.Fatal(err)
				}
				r := render(got)
				got.Release()
				for g := range r {
					if r[g] != want[tc.name][g] {
						t.Fatalf("group %d: got %.40q, want %.40q", g, r[g], want[tc.name][g])
					}
				}
			}
		})
	}
}

// TestSumBigintBoundaries builds arrays directly: FromJSON cannot carry these values.
func TestSumBigintBoundaries(t *testing.T) {
	const maxI, minI = int64(^uint64(0) >> 1), -int64(^uint64(0)>>1) - 1
	tests := []struct {
		vals    []int64
		want    string
		wantErr bool
	}{
		{vals: []int64{maxI - 1, 1}, want: "9223372036854775807"},
		{vals: []int64{maxI, 1}, wantErr: true},
		{vals: []int64{minI}, want: "-9223372036854775808"},
		{vals: []int64{minI, -1}, wantErr: true},
		{vals: []int64{maxI, minI, maxI}, want: "9223372036854775806"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.vals), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			b := array.NewInt64Builder(mem)
			b.AppendValues(tc.vals, nil)
			arr := b.NewArray()
			b.Release()
			defer arr.Release()
			acc, err := aggFunc(t, "sum").NewAccumulator([]arrow.DataType{i64}, mem)
			if err != nil {
				t.Fatal(err)
			}
			defer acc.Release()
			err = acc.Update([]arrow.Array{arr}, make([]uint32, len(tc.vals)), 1)
			if tc.wantErr {
				if !errors.Is(err, errs.ErrExecution) {
					t.Fatalf("error %v, want an execution error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := acc.Final(1)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if r := render(got); r[0] != tc.want {
				t.Errorf("sum = %s, want %s", r[0], tc.want)
			}
		})
	}
}

// BenchmarkAggregateUpdate folds 8192-row batches into 1000 groups.
func BenchmarkAggregateUpdate(b *testing.B) {
	const n, numGroups = 8192, 1000
	rng := rand.New(rand.NewPCG(3, 4))
	groups := make([]uint32, n)
	for i := range groups {
		groups[i] = uint32(rng.IntN(numGroups))
	}
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	db := array.NewDecimal128Builder(memory.DefaultAllocator, &arrow.Decimal128Type{Precision: 15, Scale: 2})
	sb := array.NewStringBuilder(memory.DefaultAllocator)
	for range n {
		v := rng.Int64N(1_000_000)
		ib.Append(v)
		db.Append(decimal128.FromI64(v))
		sb.Append(fmt.Sprintf("Supplier#%09d", v))
	}
	cols := map[string]arrow.Array{"int64": ib.NewArray(), "decimal": db.NewArray(), "string": sb.NewArray()}
	ib.Release()
	db.Release()
	sb.Release()
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, bc := range []struct{ fn, col string }{
		{"count", "int64"}, {"sum", "int64"}, {"sum", "decimal"}, {"avg", "decimal"},
		{"min", "int64"}, {"max", "string"},
	} {
		b.Run(bc.fn+"/"+bc.col, func(b *testing.B) {
			col := cols[bc.col]
			f, _ := NewBuiltins().Aggregate(bc.fn)
			acc, err := f.NewAccumulator([]arrow.DataType{col.DataType()}, memory.DefaultAllocator)
			if err != nil {
				b.Fatal(err)
			}
			defer acc.Release()
			args := []arrow.Array{col}
			b.ReportAllocs()
			for b.Loop() {
				if err := acc.Update(args, groups, numGroups); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
		})
	}
}
