package kernels

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// The full Kleene truth tables: l and r range over (true, false, NULL)².
const (
	kleeneL = `[true, true, true, false, false, false, null, null, null]`
	kleeneR = `[true, false, null, true, false, null, true, false, null]`
)

func TestKleene(t *testing.T) {
	cases := []struct {
		name string
		l, r string
		want string
	}{
		{"and", kleeneL, kleeneR, `[true, false, null, false, false, false, null, false, null]`},
		{"or", kleeneL, kleeneR, `[true, true, true, true, false, null, true, null, null]`},
		{"and no nulls", `[true, true, false, false]`, `[true, false, true, false]`, `[true, false, false, false]`},
		{"or no nulls", `[true, true, false, false]`, `[true, false, true, false]`, `[true, true, true, false]`},
	}
	for _, c := range cases {
		for _, k := range []int{1, 3} {
			t.Run(c.name, func(t *testing.T) {
				mem := newMem(t)
				f := And
				if c.name[:2] == "or" {
					f = Or
				}
				l := fromJSON(t, mem, planner.Boolean, rep(c.l, k))
				r := fromJSON(t, mem, planner.Boolean, rep(c.r, k))
				want := fromJSON(t, mem, planner.Boolean, rep(c.want, k))
				checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) { return f(mem, in[0], in[1]) }, l, r)
			})
		}
	}
}

func TestKleeneNullTyped(t *testing.T) {
	mem := newMem(t)
	n := array.NewNull(3)
	defer n.Release()
	r := fromJSON(t, mem, planner.Boolean, `[true, false, null]`)
	and := fromJSON(t, mem, planner.Boolean, `[null, false, null]`)
	or := fromJSON(t, mem, planner.Boolean, `[true, null, null]`)
	checkKernel(t, and, func(in []arrow.Array) (arrow.Array, error) { return And(mem, in[0], in[1]) }, n, r)
	checkKernel(t, or, func(in []arrow.Array) (arrow.Array, error) { return Or(mem, in[0], in[1]) }, r, n)
	i := fromJSON(t, mem, planner.Int64, `[1, 2, 3]`)
	if _, err := And(mem, i, r); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("AND on BIGINT: want an internal error, got %v", err)
	}
}

func TestNot(t *testing.T) {
	mem := newMem(t)
	in := fromJSON(t, mem, planner.Boolean, rep(`[true, false, null]`, 5))
	want := fromJSON(t, mem, planner.Boolean, rep(`[false, true, null]`, 5))
	checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) { return Not(mem, in[0]) }, in)
	n := array.NewNull(2)
	defer n.Release()
	checkKernel(t, fromJSON(t, mem, planner.Boolean, `[null, null]`),
		func(in []arrow.Array) (arrow.Array, error) { return Not(mem, in[0]) }, n)
}

func TestIsNull(t *testing.T) {
	cases := []struct {
		name        string
		dt          arrow.DataType
		in          string
		null, notNl string
	}{
		{"bool", planner.Boolean, kleeneL, `[false, false, false, false, false, false, true, true, true]`,
			`[true, true, true, true, true, true, false, false, false]`},
		{"string", planner.String, rep(`["a", null, ""]`, 4), rep(`[false, true, false]`, 4), rep(`[true, false, true]`, 4)},
		{"no nulls", planner.Int64, `[1, 2, 3]`, `[false, false, false]`, `[true, true, true]`},
		{"decimal", planner.Decimal(5, 2), `[null, "1.00"]`, `[true, false]`, `[false, true]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := newMem(t)
			in := fromJSON(t, mem, c.dt, c.in)
			for _, neg := range []bool{false, true} {
				want := c.null
				if neg {
					want = c.notNl
				}
				checkKernel(t, fromJSON(t, mem, planner.Boolean, want),
					func(in []arrow.Array) (arrow.Array, error) { return IsNull(mem, in[0], neg) }, in)
			}
		})
	}
	mem := newMem(t)
	n := array.NewNull(3)
	defer n.Release()
	checkKernel(t, fromJSON(t, mem, planner.Boolean, `[true, true, true]`),
		func(in []arrow.Array) (arrow.Array, error) { return IsNull(mem, in[0], false) }, n)
}
