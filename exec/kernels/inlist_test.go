package kernels

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func TestInList(t *testing.T) {
	cases := []struct {
		name    string
		dt      arrow.DataType
		a       string
		items   []any // nil: a NULL constant of a's type
		negated bool
		want    string
	}{
		{"in", planner.Int64, `[1, 2, null, 4]`, []any{int64(1), int64(3)}, false, `[true, false, null, false]`},
		{"in with null", planner.Int64, `[1, 2, null, 4]`, []any{int64(1), int64(3), nil}, false, `[true, null, null, null]`},
		{"not in", planner.Int64, `[1, 2, null, 4]`, []any{int64(1), int64(3)}, true, `[false, true, null, true]`},
		{"not in with null", planner.Int64, `[1, 2, null, 4]`, []any{int64(1), int64(3), nil}, true, `[false, null, null, null]`},
		{"null first", planner.Int64, `[1, 2]`, []any{nil, int64(2)}, false, `[null, true]`},
		{"only null", planner.Int64, `[1, null]`, []any{nil}, false, `[null, null]`},
		{"strings", planner.String, rep(`["x", "y", null]`, 4), []any{"y", "z"}, false, rep(`[false, true, null]`, 4)},
		{"decimals", planner.Decimal(5, 2), `["1.50", "2.00"]`, []any{mustDecimal("2.00", 5, 2)}, false, `[false, true]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			a := fromJSON(t, mem, c.dt, c.a)
			list := make([]arrow.Array, len(c.items))
			for i, v := range c.items {
				x, err := MakeConstant(mem, v, c.dt, a.Len())
				if err != nil {
					t.Fatal(err)
				}
				defer x.Release()
				list[i] = x
			}
			want := fromJSON(t, mem, planner.Boolean, c.want)
			checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) {
				return InList(mem, in[0], in[1:], c.negated)
			}, append([]arrow.Array{a}, list...)...)
		})
	}
}

// A bare NULL literal arrives NULL-typed; it must behave like a typed NULL. Items may also
// be non-constant columns.
func TestInListNullTypedAndColumns(t *testing.T) {
	mem := newMem(t)
	a := fromJSON(t, mem, planner.Int64, `[1, 2, 3]`)
	n := array.NewNull(3)
	defer n.Release()
	col := fromJSON(t, mem, planner.Int64, `[1, null, 5]`)
	checkKernel(t, fromJSON(t, mem, planner.Boolean, `[true, null, null]`),
		func(in []arrow.Array) (arrow.Array, error) { return InList(mem, in[0], in[1:], false) }, a, n, col)
	checkKernel(t, fromJSON(t, mem, planner.Boolean, `[false, null, true]`),
		func(in []arrow.Array) (arrow.Array, error) { return InList(mem, in[0], in[1:], true) }, a, col)
	f := fromJSON(t, mem, planner.Float64, `[1, 2, 3]`)
	if _, err := InList(mem, a, []arrow.Array{f}, false); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("mixed types: want an internal error, got %v", err)
	}
}
