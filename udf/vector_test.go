package udf

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

func TestVectorTypeHelpers(t *testing.T) {
	if !arrow.TypeEqual(VectorType(3), VectorOf(3)) || TypeName(VectorType(3)) != "VECTOR(3)" {
		t.Errorf("VectorType(3) = %s", VectorType(3))
	}
	for _, tc := range []struct {
		t  arrow.DataType
		n  int
		ok bool
	}{
		{VectorType(5), 5, true},
		{arrow.FixedSizeListOf(2, tF32), 2, true}, // nullable element, as files may have it
		{arrow.FixedSizeListOf(2, tF64), 0, false},
		{ArrayOf(tF32), 0, false},
		{tF32, 0, false},
	} {
		if n, ok := VectorDim(tc.t); n != tc.n || ok != tc.ok {
			t.Errorf("VectorDim(%s) = %d, %v; want %d, %v", tc.t, n, ok, tc.n, tc.ok)
		}
	}
}

func TestVectorMatrix(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	full := argArray(t, mem, arrArg{VectorOf(2), `[[1, 2], [3, 4], [5, 6], [7, 8]]`}, false)
	defer full.Release()
	child := full.(*array.FixedSizeList).ListValues().(*array.Float32).Float32Values()
	for _, tc := range []struct {
		from, to int64
		want     []float32
	}{
		{0, 4, []float32{1, 2, 3, 4, 5, 6, 7, 8}},
		{1, 3, []float32{3, 4, 5, 6}},
		{3, 4, []float32{7, 8}},
		{2, 2, nil},
	} {
		part := array.NewSlice(full, tc.from, tc.to)
		vals, rows, dim, err := VectorMatrix(part)
		part.Release()
		if err != nil || rows != int(tc.to-tc.from) || dim != 2 || !slices.Equal(vals, tc.want) {
			t.Errorf("rows [%d,%d): got %v, %d×%d, %v; want %v", tc.from, tc.to, vals, rows, dim, err, tc.want)
			continue
		}
		// Zero copy: the view starts at the slice's first element of the child buffer.
		if len(vals) > 0 && unsafe.SliceData(vals) != &child[tc.from*2] {
			t.Errorf("rows [%d,%d): the values were copied", tc.from, tc.to)
		}
	}

	withNull := argArray(t, mem, arrArg{VectorOf(2), `[[1, 2], null, [5, 6]]`}, false)
	defer withNull.Release()
	if _, _, _, err := VectorMatrix(withNull); !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), "NULL in row 1") {
		t.Errorf("NULL row: %v", err)
	}
	// Slicing the NULL row away makes the column usable.
	tail := array.NewSlice(withNull, 2, 3)
	defer tail.Release()
	if vals, rows, _, err := VectorMatrix(tail); err != nil || rows != 1 || !slices.Equal(vals, []float32{5, 6}) {
		t.Errorf("after the NULL row: %v %d %v", vals, rows, err)
	}

	nullElem := argArray(t, mem, arrArg{arrow.FixedSizeListOf(2, tF32), `[[1, 2], [3, null]]`}, false)
	defer nullElem.Release()
	if _, _, _, err := VectorMatrix(nullElem); !errors.Is(err, errs.ErrExecution) || !strings.Contains(err.Error(), "NULL element in row 1") {
		t.Errorf("NULL element: %v", err)
	}
	first := array.NewSlice(nullElem, 0, 1)
	defer first.Release()
	if vals, _, _, err := VectorMatrix(first); err != nil || !slices.Equal(vals, []float32{1, 2}) {
		t.Errorf("a slice before the NULL element: %v %v", vals, err)
	}

	ints := argArray(t, mem, arrArg{arrow.FixedSizeListOf(2, tInt), `[[1, 2]]`}, false)
	defer ints.Release()
	floats := argArray(t, mem, arrArg{tF32, `[1]`}, false)
	defer floats.Release()
	for _, a := range []arrow.Array{ints, floats} {
		if _, _, _, err := VectorMatrix(a); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "expected a VECTOR column") {
			t.Errorf("VectorMatrix(%s): %v", a.DataType(), err)
		}
	}
}

func TestVectorFunc(t *testing.T) {
	dec := &arrow.Decimal128Type{Precision: 5, Scale: 2}
	f := scalarFunc(t, "vector")
	for _, tc := range []struct {
		args  []arrow.DataType
		want  arrow.DataType
		err   string
		casts []arrow.DataType
	}{
		{[]arrow.DataType{tInt, tF64, dec, tF32}, VectorOf(4), "", []arrow.DataType{tF32, tF32, tF32, tF32}},
		{[]arrow.DataType{VectorOf(3), tInt32, VectorOf(2)}, VectorOf(6), "", []arrow.DataType{nil, tF32, nil}},
		{[]arrow.DataType{arrow.FixedSizeListOf(2, tF32)}, VectorOf(2), "", []arrow.DataType{nil}},
		{[]arrow.DataType{arrow.Null}, VectorOf(1), "", []arrow.DataType{tF32}},
		{nil, nil, "vector takes at least 1 argument", nil},
		{[]arrow.DataType{tF32, tStr}, nil, "vector: argument 2 must be a number, got VARCHAR", nil},
		{[]arrow.DataType{ArrayOf(tF32)}, nil, "vector: argument 1 must be a number, got ARRAY<FLOAT> (cast it to VECTOR(n) first)", nil},
		{[]arrow.DataType{tBool}, nil, "vector: argument 1 must be a number, got BOOLEAN", nil},
	} {
		got, err := f.ReturnType(tc.args)
		if tc.err != "" {
			if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("vector%v: got %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !arrow.TypeEqual(got, tc.want) {
			t.Errorf("vector%v = %v, %v; want %s", tc.args, got, err, tc.want)
			continue
		}
		casts := f.(interface {
			CastArgs([]arrow.DataType) []arrow.DataType
		}).CastArgs(tc.args)
		for i, c := range casts {
			if (c == nil) != (tc.casts[i] == nil) || c != nil && !arrow.TypeEqual(c, tc.casts[i]) {
				t.Errorf("vector%v: CastArgs = %v, want %v", tc.args, casts, tc.casts)
				break
			}
		}
	}
}

func TestVectorEval(t *testing.T) {
	v := VectorOf
	tests := []struct {
		name string
		args []arrArg
		n    int
		want arrArg
	}{
		{"numbers", []arrArg{{tF32, `[1, null, 5]`}, {tF32, `[2, 3, -1.5]`}}, 3, arrArg{v(2), `[[1, 2], null, [5, -1.5]]`}},
		{"concatenation", []arrArg{{v(2), `[[1, 2], [3, 4], null, [7, 8]]`}, {tF32, `[0.5, 1.5, 2.5, null]`}, {v(1), `[[9], [10], [11], [12]]`}}, 4,
			arrArg{v(4), `[[1, 2, 0.5, 9], [3, 4, 1.5, 10], null, null]`}},
		{"one vector", []arrArg{{v(3), `[[1, 2, 3], null]`}}, 2, arrArg{v(3), `[[1, 2, 3], null]`}},
		{"nullable elements", []arrArg{{arrow.FixedSizeListOf(2, tF32), `[[1, null], [3, 4]]`}, {tF32, `[5, 6]`}}, 2,
			arrArg{v(3), `[null, [3, 4, 6]]`}},
		{"NULL type", []arrArg{{arrow.Null, `[null, null]`}, {tF32, `[1, 2]`}}, 2, arrArg{v(2), `[null, null]`}},
		{"no rows", []arrArg{{v(2), `[]`}, {tF32, `[]`}}, 0, arrArg{v(3), `[]`}},
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
				got, err := scalarFunc(t, "vector").Eval(context.Background(), mem, args, tc.n)
				if err != nil {
					t.Fatal(err)
				}
				defer got.Release()
				want := argArray(t, mem, tc.want, false)
				defer want.Release()
				if !arrow.TypeEqual(got.DataType(), want.DataType()) || !array.Equal(got, want) {
					t.Fatalf("sliced=%v: got %s %v, want %s %v", sliced, got.DataType(), got, want.DataType(), want)
				}
				// NULL rows hold zeros (array.go's invariant), so VectorValues is usable.
				vals, d, err := VectorValues(got.(*array.FixedSizeList))
				if err != nil {
					t.Fatal(err)
				}
				for i := 0; i < got.Len(); i++ {
					if got.IsNull(i) && slices.ContainsFunc(vals[i*d:(i+1)*d], func(x float32) bool { return x != 0 }) {
						t.Errorf("NULL row %d holds %v", i, vals[i*d:(i+1)*d])
					}
				}
			})
		}
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	wrong := argArray(t, mem, arrArg{tF64, `[1]`}, false)
	defer wrong.Release()
	if _, err := scalarFunc(t, "vector").Eval(context.Background(), mem, []arrow.Array{wrong}, 1); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("a DOUBLE array the binder should have cast: %v", err)
	}
}
