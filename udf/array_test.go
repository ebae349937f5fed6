package udf

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

var (
	tInt   = arrow.PrimitiveTypes.Int64
	tInt32 = arrow.PrimitiveTypes.Int32
	tF32   = arrow.PrimitiveTypes.Float32
	tF64   = arrow.PrimitiveTypes.Float64
	tStr   = arrow.BinaryTypes.String
	tBool  = arrow.FixedWidthTypes.Boolean
)

func scalarFunc(t *testing.T, name string) ScalarFunction {
	t.Helper()
	f, ok := NewBuiltins().Scalar(name)
	if !ok {
		t.Fatalf("scalar function %q is not registered", name)
	}
	return f
}

func TestArrayTypeNames(t *testing.T) {
	tests := []struct {
		t    arrow.DataType
		want string
	}{
		{ArrayOf(tInt), "ARRAY<BIGINT>"},
		{ArrayOf(ArrayOf(tStr)), "ARRAY<ARRAY<VARCHAR>>"},
		{ArrayOf(arrow.Null), "ARRAY<NULL>"},
		{VectorOf(3), "VECTOR(3)"},
		{arrow.FixedSizeListOf(2, tInt), "ARRAY<BIGINT>[2]"},
	}
	for _, tc := range tests {
		if got := TypeName(tc.t); got != tc.want {
			t.Errorf("TypeName(%s) = %q, want %q", tc.t, got, tc.want)
		}
	}
	if !arrow.TypeEqual(ArrayOf(tInt), arrow.ListOf(tInt)) || IsArray(VectorOf(2)) || !IsVector(VectorOf(2)) ||
		IsVector(arrow.FixedSizeListOf(2, tInt)) || ElemType(tInt) != nil || !arrow.TypeEqual(ElemType(VectorOf(2)), tF32) ||
		VectorDims(VectorOf(7)) != 7 || VectorDims(ArrayOf(tF32)) != 0 {
		t.Error("type helpers disagree with their documentation")
	}
}

func TestArrayReturnTypes(t *testing.T) {
	tests := []struct {
		fn      string
		args    []arrow.DataType
		want    arrow.DataType
		wantErr string
	}{
		{fn: "array", args: []arrow.DataType{tInt, tInt}, want: ArrayOf(tInt)},
		{fn: "array", args: nil, want: ArrayOf(arrow.Null)},
		{fn: "array", args: []arrow.DataType{tInt, tStr}, wantErr: "array: elements of types BIGINT and VARCHAR have no common type"},
		{fn: "element_at", args: []arrow.DataType{ArrayOf(tStr), tInt32}, want: tStr},
		{fn: "element_at", args: []arrow.DataType{VectorOf(3), tInt}, want: tF32},
		{fn: "element_at", args: []arrow.DataType{arrow.Null, tInt}, want: arrow.Null},
		{fn: "element_at", args: []arrow.DataType{tStr, tInt}, wantErr: "element_at: argument 1 must be an ARRAY or VECTOR, got VARCHAR"},
		{fn: "element_at", args: []arrow.DataType{ArrayOf(tInt), tF64}, wantErr: "element_at: the index must be an integer, got DOUBLE"},
		{fn: "element_at", args: []arrow.DataType{ArrayOf(tInt)}, wantErr: "element_at takes 2 arguments, got 1"},
		{fn: "size", args: []arrow.DataType{VectorOf(2)}, want: tInt},
		{fn: "cardinality", args: []arrow.DataType{ArrayOf(tStr)}, want: tInt},
		{fn: "vector_dims", args: []arrow.DataType{ArrayOf(tF32)}, wantErr: "vector_dims: the argument must be a VECTOR, got ARRAY<FLOAT>"},
		{fn: "array_contains", args: []arrow.DataType{ArrayOf(tInt), tInt}, want: tBool},
		{fn: "array_contains", args: []arrow.DataType{ArrayOf(tInt), tStr}, wantErr: "array_contains: cannot look for VARCHAR in ARRAY<BIGINT>"},
		{fn: "array_position", args: []arrow.DataType{ArrayOf(tStr), tStr}, want: tInt},
		{fn: "array_join", args: []arrow.DataType{ArrayOf(tStr), tStr}, want: tStr},
		{fn: "array_join", args: []arrow.DataType{ArrayOf(tInt), tInt}, want: tStr},
		{fn: "array_join", args: []arrow.DataType{tStr, tStr}, wantErr: "array_join: argument 1 must be an ARRAY or VECTOR, got VARCHAR"},
		{fn: "array_sum", args: []arrow.DataType{ArrayOf(tInt32)}, want: tInt},
		{fn: "array_avg", args: []arrow.DataType{VectorOf(4)}, want: tF64},
		{fn: "array_min", args: []arrow.DataType{ArrayOf(tStr)}, want: tStr},
		{fn: "array_sum", args: []arrow.DataType{ArrayOf(tStr)}, wantErr: "array_sum: sum does not accept elements of type VARCHAR"},
		{fn: "vector", args: []arrow.DataType{tF32, tInt, arrow.Null}, want: VectorOf(3)},
		{fn: "vector", args: []arrow.DataType{tF32, tStr}, wantErr: "vector: argument 2 must be a number, got VARCHAR"},
		{fn: "vector", args: nil, wantErr: "vector takes at least 1 argument"},
	}
	for _, tc := range tests {
		t.Run(tc.fn+"/"+tc.wantErr, func(t *testing.T) {
			got, err := scalarFunc(t, tc.fn).ReturnType(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, errs.ErrPlan) {
					t.Fatalf("error %v, want a plan error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !arrow.TypeEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestArrayArgCoercion(t *testing.T) {
	unify := []struct {
		fn        string
		args      []arrow.DataType
		positions []int
		compare   bool
	}{
		{"array", []arrow.DataType{tInt, tStr, tF64}, []int{0, 1, 2}, false},
		{"array", nil, []int{}, false},
		{"array_contains", []arrow.DataType{ArrayOf(tInt), tStr}, []int{-1, 1}, true},
		{"array_position", []arrow.DataType{VectorOf(2), tInt}, []int{-1, 1}, true},
		{"array_position", []arrow.DataType{arrow.Null, tInt}, nil, false},
		{"array_contains", []arrow.DataType{ArrayOf(tInt)}, nil, false},
	}
	for _, tc := range unify {
		positions, compare := scalarFunc(t, tc.fn).(ArgUnifier).UnifyArgs(tc.args)
		if !slices.Equal(positions, tc.positions) || compare != tc.compare {
			t.Errorf("%s%v: UnifyArgs = %v, %v; want %v, %v", tc.fn, tc.args, positions, compare, tc.positions, tc.compare)
		}
	}
	type caster interface {
		CastArgs(args []arrow.DataType) []arrow.DataType
	}
	casts := []struct {
		fn   string
		args []arrow.DataType
		want []arrow.DataType
	}{
		{"array_join", []arrow.DataType{ArrayOf(tInt), tStr}, []arrow.DataType{ArrayOf(tStr), nil}},
		{"array_join", []arrow.DataType{ArrayOf(tStr), tInt, arrow.Null}, []arrow.DataType{nil, tStr, nil}},
		{"array_join", []arrow.DataType{VectorOf(2), tStr}, []arrow.DataType{ArrayOf(tStr), nil}},
		{"vector", []arrow.DataType{tInt, tF64, tF32}, []arrow.DataType{tF32, tF32, tF32}},
	}
	for _, tc := range casts {
		got := scalarFunc(t, tc.fn).(caster).CastArgs(tc.args)
		if !slices.EqualFunc(got, tc.want, func(a, b arrow.DataType) bool { return (a == nil) == (b == nil) && (a == nil || arrow.TypeEqual(a, b)) }) {
			t.Errorf("%s%v: CastArgs = %v, want %v", tc.fn, tc.args, got, tc.want)
		}
	}
}

// arrArg is one argument of an Eval case: a type and its rows as JSON.
type arrArg struct {
	t    arrow.DataType
	rows string
}

func TestArrayEval(t *testing.T) {
	l := ArrayOf
	tests := []struct {
		name string
		fn   string
		args []arrArg
		n    int
		want arrArg
	}{
		{"array", "array", []arrArg{{tInt, `[1, 2, null]`}, {tInt, `[3, null, 4]`}}, 3, arrArg{l(tInt), `[[1, 3], [2, null], [null, 4]]`}},
		{"array of strings", "array", []arrArg{{tStr, `["a", null]`}}, 2, arrArg{l(tStr), `[["a"], [null]]`}},
		{"array of arrays", "array", []arrArg{{l(tInt), `[[1], null]`}, {l(tInt), `[[], [2]]`}}, 2, arrArg{l(l(tInt)), `[[[1], []], [null, [2]]]`}},
		{"empty array", "array", nil, 2, arrArg{l(arrow.Null), `[[], []]`}},
		{"array of NULLs", "array", []arrArg{{arrow.Null, `[null, null]`}}, 2, arrArg{l(arrow.Null), `[[null], [null]]`}},
		{"element_at", "element_at", []arrArg{{l(tInt), `[[10, 20, 30], [10, 20, 30], [1], null, [], [5, null]]`}, {tInt32, `[2, -3, 0, 1, 1, 2]`}}, 6,
			arrArg{tInt, `[20, 10, null, null, null, null]`}},
		{"element_at out of range", "element_at", []arrArg{{l(tStr), `[["a", "b"], ["a", "b"], ["a"]]`}, {tInt, `[3, -3, null]`}}, 3, arrArg{tStr, `[null, null, null]`}},
		{"element_at of a vector", "element_at", []arrArg{{VectorOf(2), `[[1, 2], [3, 4]]`}, {tInt, `[2, -2]`}}, 2, arrArg{tF32, `[2, 3]`}},
		{"size", "size", []arrArg{{l(tInt), `[[1, 2], [], null, [null]]`}}, 4, arrArg{tInt, `[2, 0, null, 1]`}},
		{"vector_dims", "vector_dims", []arrArg{{VectorOf(3), `[[1, 2, 3], null]`}}, 2, arrArg{tInt, `[3, null]`}},
		{"array_contains", "array_contains", []arrArg{{l(tInt), `[[1, 2, null], [1, 2, null], [1, 2], null, [], [1]]`}, {tInt, `[2, 3, 3, 1, 1, null]`}}, 6,
			arrArg{tBool, `[true, null, false, null, false, null]`}},
		{"array_contains strings", "array_contains", []arrArg{{l(tStr), `[["a", "bc"], ["abc"]]`}, {tStr, `["bc", "bc"]`}}, 2, arrArg{tBool, `[true, false]`}},
		{"array_position", "array_position", []arrArg{{l(tF64), `[[5, 6, 7, 6], [5, 6], [null, 6], null]`}, {tF64, `[6, 8, 6, 6]`}}, 4, arrArg{tInt, `[2, 0, 2, null]`}},
		{"array_join", "array_join", []arrArg{{l(tStr), `[["a", null, "c"], [], null, ["x"]]`}, {tStr, `["-", "-", "-", null]`}}, 4, arrArg{tStr, `["a-c", "", null, null]`}},
		{"array_join replacing NULLs", "array_join", []arrArg{{l(tStr), `[["a", null, "c"], [null]]`}, {tStr, `[", ", ","]`}, {tStr, `["?", null]`}}, 2, arrArg{tStr, `["a, ?, c", null]`}},
		{"array_sum", "array_sum", []arrArg{{l(tInt), `[[1, 2, 3], [], null, [null], [-4]]`}}, 5, arrArg{tInt, `[6, null, null, null, -4]`}},
		{"array_max", "array_max", []arrArg{{l(tStr), `[["b", "c", "a"], [null, "z"]]`}}, 2, arrArg{tStr, `["c", "z"]`}},
		{"array_avg of a vector", "array_avg", []arrArg{{VectorOf(2), `[[1, 2], null]`}}, 2, arrArg{tF64, `[1.5, null]`}},
		{"vector", "vector", []arrArg{{tF32, `[1, null, 5]`}, {tF32, `[2, 3, -1.5]`}}, 3, arrArg{VectorOf(2), `[[1, 2], null, [5, -1.5]]`}},
	}
	for _, tc := range tests {
		for _, sliced := range []bool{false, true} {
			t.Run(tc.name, func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
				defer mem.AssertSize(t, 0)
				args := make([]arrow.Array, len(tc.args))
				for i, a := range tc.args {
					args[i] = argArray(t, mem, a, sliced)
					defer args[i].Release()
				}
				got, err := scalarFunc(t, tc.fn).Eval(context.Background(), mem, args, tc.n)
				if err != nil {
					t.Fatal(err)
				}
				defer got.Release()
				want := argArray(t, mem, tc.want, false)
				defer want.Release()
				if !arrow.TypeEqual(got.DataType(), want.DataType()) || !array.Equal(got, want) {
					t.Fatalf("sliced=%v: got %s %v, want %s %v", sliced, got.DataType(), got, want.DataType(), want)
				}
			})
		}
	}
}

// argArray builds an array of a.t from a.rows; sliced builds it with a NULL row in front and
// slices that off, so that the array has an offset.
func argArray(t *testing.T, mem memory.Allocator, a arrArg, sliced bool) arrow.Array {
	t.Helper()
	rows := a.rows
	if sliced {
		rows = "[null, " + strings.TrimPrefix(rows, "[")
		if strings.TrimSpace(a.rows) == "[]" {
			rows = "[null]"
		}
	}
	if a.t.ID() == arrow.NULL {
		n := strings.Count(rows, "null")
		full := array.NewNull(n)
		if !sliced {
			return full
		}
		defer full.Release()
		return array.NewSlice(full, 1, int64(n))
	}
	full, _, err := array.FromJSON(mem, a.t, strings.NewReader(rows))
	if err != nil {
		t.Fatalf("FromJSON(%s, %s): %v", a.t, rows, err)
	}
	if !sliced {
		return full
	}
	defer full.Release()
	return array.NewSlice(full, 1, int64(full.Len()))
}

func TestVectorValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	args := []arrow.Array{argArray(t, mem, arrArg{tF32, `[1, 2, null, 4]`}, false), argArray(t, mem, arrArg{tF32, `[5, 6, 7, 8]`}, false)}
	defer args[0].Release()
	defer args[1].Release()
	v, err := scalarFunc(t, "vector").Eval(context.Background(), mem, args, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Release()
	// A NULL vector holds zeros; a slice views the rows it keeps.
	for _, tc := range []struct {
		from, to int64
		want     []float32
	}{
		{0, 4, []float32{1, 5, 2, 6, 0, 0, 4, 8}},
		{1, 3, []float32{2, 6, 0, 0}},
		{3, 3, nil},
	} {
		part := array.NewSlice(v, tc.from, tc.to).(*array.FixedSizeList)
		vals, n, err := VectorValues(part)
		part.Release()
		if err != nil || n != 2 || !slices.Equal(vals, tc.want) {
			t.Errorf("rows [%d,%d): got %v, %d, %v; want %v, 2", tc.from, tc.to, vals, n, err, tc.want)
		}
	}
	other := argArray(t, mem, arrArg{arrow.FixedSizeListOf(2, tInt), `[[1, 2]]`}, false)
	defer other.Release()
	if _, _, err := VectorValues(other.(*array.FixedSizeList)); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("VectorValues of a BIGINT list: %v, want an internal error", err)
	}
}

func TestListOffsets(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	list := argArray(t, mem, arrArg{ArrayOf(tInt), `[[1], [2, 3], [], [4]]`}, true) // [[1], [2, 3], [], [4]] at offset 1
	defer list.Release()
	offs, child, ok := ListOffsets(list)
	if !ok || !slices.Equal(offs, []int32{0, 1, 3, 3, 4}) || child.Len() != 4 {
		t.Errorf("list: %v %v %v", offs, child, ok)
	}
	vec := argArray(t, mem, arrArg{VectorOf(2), `[[1, 2], [3, 4], [5, 6]]`}, true)
	defer vec.Release()
	if offs, _, ok := ListOffsets(vec); !ok || !slices.Equal(offs, []int32{2, 4, 6, 8}) {
		t.Errorf("vector: %v %v", offs, ok)
	}
	if _, _, ok := ListOffsets(array.NewNull(1)); ok {
		t.Error("ListOffsets of a NULL array")
	}
}
