package exec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// countingCTE is the plan of
//
//	WITH RECURSIVE r(n) AS (VALUES (1), (1) UNION [ALL] SELECT step(n) FROM r WHERE n < stop)
//
// where step(n) is n + 1, or n % 3 + 1 with cycle (which never stops under UNION ALL).
// stop <= 0 drops the WHERE.
func countingCTE(t *testing.T, distinct, cycle bool, stop int64) planner.Plan {
	t.Helper()
	one := planner.NewLiteral(int64(1), planner.Int64)
	anchorCol := planner.NewColumn("n", "", planner.Int64, false)
	anchor, err := planner.NewValues([][]planner.Expr{{one}, {one}}, []planner.Column{anchorCol})
	if err != nil {
		t.Fatal(err)
	}
	id := planner.NewWorkTableID()
	workCol := planner.NewColumn("n", "", planner.Int64, true)
	var term planner.Plan = planner.NewWorkTable(id, "r", []planner.Column{workCol})
	n := planner.NewColumnRef(workCol)
	if stop > 0 {
		cond := &planner.Binary{Op: planner.OpLt, Left: n, Right: planner.NewLiteral(stop, planner.Int64), Typ: planner.Boolean}
		if term, err = planner.NewFilter(term, cond); err != nil {
			t.Fatal(err)
		}
	}
	var next planner.Expr = n
	if cycle {
		next = &planner.Binary{Op: planner.OpMod, Left: n, Right: planner.NewLiteral(int64(3), planner.Int64), Typ: planner.Int64}
	}
	next = &planner.Binary{Op: planner.OpAdd, Left: next, Right: one, Typ: planner.Int64}
	if term, err = planner.NewProject(term, []planner.Expr{next}, []planner.Column{planner.NewColumn("n", "", planner.Int64, true)}); err != nil {
		t.Fatal(err)
	}
	p, err := planner.NewRecursiveCTE("r", anchor, term, id, distinct, []planner.Column{planner.NewColumn("n", "", planner.Int64, true)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRecursiveExec(t *testing.T) {
	seq := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, fmt.Sprint(i))
		}
		return out
	}
	cases := []struct {
		name            string
		distinct, cycle bool
		stop            int64
		limit           int64 // > 0: a LIMIT above
		bound           func(r *RecursiveExec)
		want            []string // sorted; nil when an error is expected
		err             error
		msg             string
	}{
		// The anchor's two 1s make two chains 1..5 under UNION ALL, one under UNION.
		{name: "union all", stop: 5, want: slices.Sorted(slices.Values(append(seq(1, 5), seq(1, 5)...)))},
		{name: "union", distinct: true, stop: 5, want: seq(1, 5)},
		{name: "union ends a cycle", distinct: true, cycle: true, want: seq(1, 3)},
		{name: "limit stops the recursion", limit: 7, want: []string{"1", "1", "2", "2", "3", "3", "4"}},
		// Iterations 1 and 2 produce 2 and 3; the 3rd reads 3 and produces nothing (MySQL
		// counts the same way: n < 1000 passes cte_max_recursion_depth = 1000).
		{name: "iterations at the bound", stop: 3, bound: func(r *RecursiveExec) { r.MaxIterations = 3 },
			want: []string{"1", "1", "2", "2", "3", "3"}},
		// The 3rd produces 4, so a 4th must run.
		{name: "iterations past the bound", stop: 4, bound: func(r *RecursiveExec) { r.MaxIterations = 3 },
			err: errs.ErrResourceExhausted, msg: `recursive query "r" exceeded 3 iterations`},
		{name: "cycle under union all", cycle: true, bound: func(r *RecursiveExec) { r.MaxIterations = 50 },
			err: errs.ErrResourceExhausted, msg: "exceeded 50 iterations"},
		{name: "rows", stop: 100, bound: func(r *RecursiveExec) { r.MaxRows = 10 },
			err: errs.ErrResourceExhausted, msg: `recursive query "r" produced more than 10 rows`},
		{name: "bytes", stop: 100, bound: func(r *RecursiveExec) { r.MaxBytes = 1 },
			err: errs.ErrResourceExhausted, msg: `recursive query "r" holds more than 1 bytes`},
	}
	for _, tc := range cases {
		for _, parts := range []int{1, 4} {
			for _, batch := range []int{1, 8192} {
				t.Run(fmt.Sprintf("%s/parts=%d/batch=%d", tc.name, parts, batch), func(t *testing.T) {
					mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
					defer mem.AssertSize(t, 0)
					pp := &PhysicalPlanner{Partitions: parts}
					n, err := pp.Plan(countingCTE(t, tc.distinct, tc.cycle, tc.stop))
					if err != nil {
						t.Fatal(err)
					}
					r, ok := n.(*RecursiveExec)
					if !ok {
						t.Fatalf("planned %T, want *RecursiveExec", n)
					}
					if r.MaxIterations != DefaultMaxRecursion || r.MaxRows != DefaultMaxRecursiveRows || r.MaxBytes != DefaultMaxRecursiveBytes {
						t.Errorf("bounds %d, %d, %d are not the defaults", r.MaxIterations, r.MaxRows, r.MaxBytes)
					}
					if tc.bound != nil {
						tc.bound(r)
					}
					if tc.limit > 0 {
						n = &LimitExec{Child: n, Count: tc.limit}
					}
					ex, err := Run(context.Background(), n, Config{Parallelism: 2, BatchSize: batch, Mem: mem})
					if tc.err != nil {
						if err == nil {
							ex.Release()
						}
						if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.msg) {
							t.Fatalf("got %v, want a %v error with %q", err, tc.err, tc.msg)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					defer ex.Release()
					if got := rowsOf(ex.Batches); !slices.Equal(got, tc.want) {
						t.Errorf("got %v, want %v", got, tc.want)
					}
				})
			}
		}
	}
}

func TestWorkTableOutsideIteration(t *testing.T) {
	w := &WorkTableExec{ID: planner.NewWorkTableID(), Name: "r", Parts: 1, schema: setOpSchema}
	_, err := Run(context.Background(), w, Config{})
	if !errors.Is(err, errs.ErrInternal) || !strings.Contains(err.Error(), "outside its iteration") {
		t.Fatalf("got %v, want an internal error", err)
	}
}
