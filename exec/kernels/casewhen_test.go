package kernels

import (
	"errors"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Row by row: row 0 takes the first branch (both conditions true), rows 1 and 2 the second
// (the first is false, then NULL: not taken), row 3 the ELSE, row 4 the first (the second
// condition is NULL but never reached).
const (
	cond1 = `[true, false, null, false, true]`
	cond2 = `[true, true, true, false, null]`
)

func TestCaseWhen(t *testing.T) {
	cases := []struct {
		name              string
		dt                arrow.DataType
		then1, then2, els string // els "" means no ELSE
		want              string
	}{
		{"bigint", planner.Int64, `[1, 2, 3, 4, 5]`, `[10, 20, 30, 40, 50]`, `[100, 200, 300, 400, null]`, `[1, 20, 30, 400, 5]`},
		{"no else", planner.Int64, `[1, 2, 3, 4, 5]`, `[10, 20, 30, 40, 50]`, "", `[1, 20, 30, null, 5]`},
		{"null then", planner.Int64, `[null, 2, 3, 4, 5]`, `[10, 20, 30, 40, 50]`, `[100, 200, 300, 400, 500]`, `[null, 20, 30, 400, 5]`},
		{"tinyint", planner.Int8, `[1, 2, 3, 4, 5]`, `[10, 20, 30, 40, 50]`, `[100, 101, 102, 103, 104]`, `[1, 20, 30, 103, 5]`},
		{"smallint", planner.Int16, `[1, 2, 3, 4, 5]`, `[10, 20, null, 40, 50]`, `[100, 101, 102, 103, 104]`, `[1, 20, null, 103, 5]`},
		{"float", planner.Float32, `[1.5, 2, 3, 4, 5]`, `[10, 20, 30, 40, 50]`, `[0.5, 0.5, 0.5, 0.5, 0.5]`, `[1.5, 20, 30, 0.5, 5]`},
		{"double", planner.Float64, `[1.5, 2, 3, 4, 5]`, `[10, 20, 30, 40, 50]`, `[0.5, 0.5, 0.5, 0.5, 0.5]`, `[1.5, 20, 30, 0.5, 5]`},
		{"string", planner.String, `["a", "b", "c", "d", "e"]`, `["A", "B", "C", "D", "E"]`, `["x", "y", "z", "w", null]`, `["a", "B", "C", "w", "e"]`},
		{"bool", planner.Boolean, `[true, true, true, true, true]`, `[false, false, false, false, false]`, `[true, false, true, false, null]`,
			`[true, false, false, false, true]`},
		{"decimal", planner.Decimal(5, 2), `["1.00", "2.00", "3.00", "4.00", "5.00"]`, `["0.10", "0.20", "0.30", "0.40", "0.50"]`,
			`["-1.00", "-2.00", "-3.00", "-4.00", "-5.00"]`, `["1.00", "0.20", "0.30", "-4.00", "5.00"]`},
		{"date", planner.Date, `["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]`,
			`["2000-01-01", "2000-01-02", "2000-01-03", "2000-01-04", "2000-01-05"]`, "",
			`["2024-01-01", "2000-01-02", "2000-01-03", null, "2024-01-05"]`},
		{"timestamp", planner.Timestamp, `["2024-01-01 10:00:00", null, null, null, "2024-01-05 00:00:01"]`,
			`[null, "2000-01-02 00:00:00", "2000-01-03 00:00:00", null, null]`, `[null, null, null, "1999-12-31 23:59:59", null]`,
			`["2024-01-01 10:00:00", "2000-01-02 00:00:00", "2000-01-03 00:00:00", "1999-12-31 23:59:59", "2024-01-05 00:00:01"]`},
	}
	for _, c := range cases {
		for _, k := range []int{1, 4} {
			t.Run(c.name, func(t *testing.T) {
				mem := newMem(t)
				in := []arrow.Array{
					fromJSON(t, mem, planner.Boolean, rep(cond1, k)),
					fromJSON(t, mem, planner.Boolean, rep(cond2, k)),
					fromJSON(t, mem, c.dt, rep(c.then1, k)),
					fromJSON(t, mem, c.dt, rep(c.then2, k)),
				}
				if c.els != "" {
					in = append(in, fromJSON(t, mem, c.dt, rep(c.els, k)))
				}
				want := fromJSON(t, mem, c.dt, rep(c.want, k))
				checkKernel(t, want, func(in []arrow.Array) (arrow.Array, error) {
					var els arrow.Array
					if len(in) == 5 {
						els = in[4]
					}
					return CaseWhen(mem, []arrow.Array{in[0], in[1]}, []arrow.Array{in[2], in[3]}, els, c.dt)
				}, in...)
			})
		}
	}
}

func TestCaseWhenNullTyped(t *testing.T) {
	mem := newMem(t)
	n := array.NewNull(3)
	defer n.Release()
	cond := fromJSON(t, mem, planner.Boolean, `[true, null, false]`)
	then := fromJSON(t, mem, planner.String, `["a", "b", "c"]`)
	// ELSE NULL arriving NULL-typed, and a NULL-typed condition (never taken).
	checkKernel(t, fromJSON(t, mem, planner.String, `["a", null, null]`), func(in []arrow.Array) (arrow.Array, error) {
		return CaseWhen(mem, []arrow.Array{in[0]}, []arrow.Array{in[1]}, in[2], planner.String)
	}, cond, then, n)
	checkKernel(t, fromJSON(t, mem, planner.String, `["a", "b", "c"]`), func(in []arrow.Array) (arrow.Array, error) {
		return CaseWhen(mem, []arrow.Array{in[0]}, []arrow.Array{in[1]}, in[1], planner.String)
	}, n, then)
	if _, err := CaseWhen(mem, []arrow.Array{cond}, []arrow.Array{then}, nil, planner.Int64); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("VARCHAR branch for BIGINT: want an internal error, got %v", err)
	}
	if _, err := CaseWhen(mem, []arrow.Array{then}, []arrow.Array{then}, nil, planner.String); !errors.Is(err, errs.ErrInternal) {
		t.Fatalf("VARCHAR condition: want an internal error, got %v", err)
	}
}
