package kernels

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// zeroedVector checks that the NULL rows of a VECTOR array hold zeros.
func zeroedVector(t *testing.T, a arrow.Array) {
	t.Helper()
	vals, d, err := udf.VectorValues(a.(*array.FixedSizeList))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) && slices.ContainsFunc(vals[i*d:(i+1)*d], func(f float32) bool { return f != 0 }) {
			t.Fatalf("NULL vector row %d holds %v", i, vals[i*d:(i+1)*d])
		}
	}
}

func TestNestedConstant(t *testing.T) {
	ints, strs, vec2 := planner.ArrayOf(planner.Int64), planner.ArrayOf(planner.ArrayOf(planner.String)), planner.VectorOf(2)
	tests := []struct {
		name string
		v    any
		t    arrow.DataType
		n    int
		want string
	}{
		{"array", []any{int64(1), nil, int64(3)}, ints, 3, `[[1, null, 3], [1, null, 3], [1, null, 3]]`},
		{"empty array", []any{}, ints, 2, `[[], []]`},
		{"NULL array", nil, ints, 2, `[null, null]`},
		{"no rows", []any{int64(1)}, ints, 0, `[]`},
		{"array of arrays", []any{[]any{"a"}, nil, []any{}}, strs, 2, `[[["a"], null, []], [["a"], null, []]]`},
		{"vector", []any{1.0, 2.5}, vec2, 2, `[[1, 2.5], [1, 2.5]]`},
		{"NULL vector", nil, vec2, 2, `[null, null]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			got, err := MakeConstant(mem, tc.v, tc.t, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			assertEqual(t, fromJSON(t, mem, tc.t, tc.want), got)
			if planner.IsVector(tc.t) {
				zeroedVector(t, got)
			}
			if tc.n > 0 && !reflect.DeepEqual(ScalarAt(got, tc.n-1), tc.v) {
				t.Fatalf("ScalarAt = %#v, want %#v", ScalarAt(got, tc.n-1), tc.v)
			}
		})
	}
	mem := newMem(t)
	for _, bad := range []struct {
		v any
		t arrow.DataType
	}{{[]any{1.0}, vec2}, {[]any{1.0, nil}, vec2}, {int64(1), ints}, {[]any{"x"}, ints}} {
		if _, err := MakeConstant(mem, bad.v, bad.t, 1); !errors.Is(err, errs.ErrInternal) {
			t.Errorf("MakeConstant(%v, %s): %v, want an internal error", bad.v, planner.TypeString(bad.t), err)
		}
	}
}

func TestNestedCast(t *testing.T) {
	ints, doubles, strs := planner.ArrayOf(planner.Int64), planner.ArrayOf(planner.Float64), planner.ArrayOf(planner.String)
	vec2 := planner.VectorOf(2)
	tests := []struct {
		name     string
		from, to arrow.DataType
		in, want string
	}{
		{"array elements", ints, doubles, `[[1, null], null, [], [2, 3]]`, `[[1, null], null, [], [2, 3]]`},
		{"strings to numbers", strs, ints, `[[" 7", null], ["-2"], null]`, `[[7, null], [-2], null]`},
		{"vector to array", vec2, doubles, `[[1, 2.5], null, [0, -1]]`, `[[1, 2.5], null, [0, -1]]`},
		{"array to vector", doubles, vec2, `[[1, 2.5], null, [0, -1]]`, `[[1, 2.5], null, [0, -1]]`},
		{"array to VARCHAR", ints, planner.String, `[[1, null], [], null, [3]]`, `["[1, NULL]", "[]", null, "[3]"]`},
		{"vector to VARCHAR", vec2, planner.String, `[[1, 0.5], null]`, `["[1, 0.5]", null]`},
		{"nested array to VARCHAR", planner.ArrayOf(strs), planner.String, `[[["a", null], []], null]`, `["[[a, NULL], []]", null]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			want := fromJSON(t, mem, tc.to, tc.want)
			checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) {
				out, err := Cast(mem, in[0], tc.to)
				if err == nil && planner.IsVector(tc.to) {
					zeroedVector(t, out)
				}
				return out, err
			}, fromJSON(t, mem, tc.from, tc.in))
		})
	}
	errTests := []struct {
		name     string
		from, to arrow.DataType
		in, want string
		kind     error
	}{
		{"too short", ints, vec2, `[[1, 2], [3]]`, "cannot cast [3] to VECTOR(2): it has 1 elements, not 2", errs.ErrExecution},
		{"NULL element", ints, vec2, `[[1, null]]`, "cannot cast [1, NULL] to VECTOR(2): a VECTOR element cannot be NULL", errs.ErrExecution},
		{"bad element", strs, ints, `[["1", "x"]]`, "cannot cast 'x' to BIGINT", errs.ErrExecution},
		{"VARCHAR to array", planner.String, ints, `["[1]"]`, "cast from VARCHAR to ARRAY<BIGINT>", errs.ErrNotImplemented},
		{"other vector size", vec2, planner.VectorOf(3), `[[1, 2]]`, "cast from VECTOR(2) to VECTOR(3)", errs.ErrNotImplemented},
	}
	for _, tc := range errTests {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			_, err := Cast(mem, fromJSON(t, mem, tc.from, tc.in), tc.to)
			wantErr(t, err, tc.want)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("error %v is not %v", err, tc.kind)
			}
		})
	}
}

func TestCaseWhenNested(t *testing.T) {
	ints, vec2 := planner.ArrayOf(planner.Int64), planner.VectorOf(2)
	tests := []struct {
		name             string
		t                arrow.DataType
		then, els, want  string
		nullElse, noElse bool
	}{
		{name: "arrays", t: ints, then: `[[1], [2, null], [3], null]`, els: `[[9], [], null, [8]]`, want: `[[1], [], null, [8]]`},
		{name: "arrays, NULL else", t: ints, then: `[[1], [2], [3], [4]]`, nullElse: true, want: `[[1], null, null, null]`},
		{name: "arrays, no else", t: ints, then: `[[1], [2], [3], [4]]`, noElse: true, want: `[[1], null, null, null]`},
		{name: "vectors", t: vec2, then: `[[1, 2], [3, 4], [5, 6], null]`, els: `[[7, 8], null, [9, 9], [0, 1]]`, want: `[[1, 2], null, [9, 9], [0, 1]]`},
		{name: "vectors, NULL else", t: vec2, then: `[[1, 2], [3, 4], [5, 6], [7, 8]]`, nullElse: true, want: `[[1, 2], null, null, null]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mem := newMem(t)
			cond := fromJSON(t, mem, planner.Boolean, `[true, false, null, false]`)
			in := []arrow.Array{cond, fromJSON(t, mem, tc.t, tc.then)}
			switch {
			case tc.nullElse:
				in = append(in, array.NewNull(4))
			case !tc.noElse:
				in = append(in, fromJSON(t, mem, tc.t, tc.els))
			}
			checkKernel(t, fromJSON(t, mem, tc.t, tc.want), func(in []arrow.Array) (arrow.Array, error) {
				var els arrow.Array
				if len(in) == 3 {
					els = in[2]
				}
				out, err := CaseWhen(mem, in[:1], in[1:2], els, tc.t)
				if err == nil && planner.IsVector(tc.t) {
					zeroedVector(t, out)
				}
				return out, err
			}, in...)
		})
	}
}
