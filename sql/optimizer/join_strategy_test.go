package optimizer

import (
	"slices"
	"strings"
	"testing"

	"github.com/embersql/ember/sql/planner"
)

func TestJoinStrategy(t *testing.T) {
	scan := func(name string, rows int64, distinct int64) planner.Plan {
		return planner.NewScan(&statsTable{name: name, cols: []string{"a", "b"}, rows: rows, distinct: []int64{distinct, -1}}, "")
	}
	fact := scan("fact", 1_000_000, 1000)
	small := scan("small", 1000, 1000)
	big := scan("big", 500_000, 1000)
	atLimit := scan("at_limit", 100_000, 1000)
	overLimit := scan("over_limit", 100_001, 1000)
	// 500,000 rows, a = 7 keeps 1/1000 of them: 500 rows.
	filtered := filter(t, big, eq(col(t, big, "big.a"), lit(7)))
	// Tables without statistics count 1000 rows; "!" columns are NOT NULL.
	nn1, nn2 := planner.NewScan(newTable("nn1", "a!"), ""), planner.NewScan(newTable("nn2", "a!"), "")

	on := func(l, r planner.Plan) planner.Expr {
		return eq(planner.NewColumnRef(l.Schema()[0]), planner.NewColumnRef(r.Schema()[0]))
	}
	subquery := func(l, r planner.Plan, typ planner.JoinType, cond, cmp planner.Expr) planner.Plan {
		var mark planner.Column
		if typ == planner.LeftMark {
			mark = planner.NewColumn("mark", "", planner.Boolean, true)
		}
		j, err := planner.NewSubqueryJoin(l, r, typ, cond, cmp, mark)
		return must(t, j, err)
	}
	cases := []struct {
		name      string
		plan      planner.Plan
		threshold int64
		want      planner.JoinStrategy
	}{
		{"small build side", join(t, fact, small, planner.InnerJoin, on(fact, small)), 100_000, planner.BroadcastJoin},
		{"large build side", join(t, fact, big, planner.InnerJoin, on(fact, big)), 100_000, planner.ShuffleJoin},
		{"build side at the threshold", join(t, fact, atLimit, planner.InnerJoin, on(fact, atLimit)), 100_000, planner.BroadcastJoin},
		{"build side one row over", join(t, fact, overLimit, planner.InnerJoin, on(fact, overLimit)), 100_000, planner.ShuffleJoin},
		{"filtered build side", join(t, fact, filtered, planner.InnerJoin, on(fact, filtered)), 100_000, planner.BroadcastJoin},
		{"left join", join(t, fact, small, planner.LeftJoin, on(fact, small)), 100_000, planner.BroadcastJoin},
		{"right join never broadcasts", join(t, fact, small, planner.RightJoin, on(fact, small)), 100_000, planner.ShuffleJoin},
		{"full join never broadcasts", join(t, fact, small, planner.FullJoin, on(fact, small)), 100_000, planner.ShuffleJoin},
		{"semi join", subquery(fact, small, planner.LeftSemi, on(fact, small), nil), 100_000, planner.BroadcastJoin},
		{"anti join, large build", subquery(fact, big, planner.LeftAnti, on(fact, big), nil), 100_000, planner.ShuffleJoin},
		{"mark join", subquery(fact, small, planner.LeftMark, on(fact, small), nil), 100_000, planner.BroadcastJoin},
		{"single join", join(t, fact, small, planner.LeftSingle, on(fact, small)), 100_000, planner.BroadcastJoin},
		{"expression key", join(t, fact, small, planner.InnerJoin,
			eq(bin(planner.OpAdd, col(t, fact, "fact.a"), lit(1)), col(t, small, "small.a"))), 100_000, planner.BroadcastJoin},
		// NOT IN over a nullable comparison and no other condition: null-aware, broadcast
		// whatever the size.
		{"null-aware key", subquery(fact, big, planner.LeftAnti, nil, on(fact, big)), 100_000, planner.BroadcastJoin},
		// An IN comparison over NOT NULL sides is a plain key, decided by size (1000 > 500).
		{"non-null comparison key", subquery(nn1, nn2, planner.LeftSemi, nil, on(nn1, nn2)), 500, planner.ShuffleJoin},
		{"no equality: nested loop", join(t, fact, small, planner.InnerJoin,
			bin(planner.OpLt, col(t, fact, "fact.a"), col(t, small, "small.a"))), 100_000, planner.UndecidedJoin},
		{"equality reading both sides", join(t, fact, small, planner.InnerJoin,
			eq(col(t, fact, "fact.a"), bin(planner.OpAdd, col(t, fact, "fact.b"), col(t, small, "small.a")))), 100_000, planner.UndecidedJoin},
		{"cross join", join(t, fact, small, planner.CrossJoin, nil), 100_000, planner.UndecidedJoin},
		{"threshold 0 disables", join(t, fact, small, planner.InnerJoin, on(fact, small)), 0, planner.UndecidedJoin},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := &Context{BroadcastThresholdRows: c.threshold}
			out, err := JoinStrategy{}.Apply(c.plan, ctx)
			if err != nil {
				t.Fatal(err)
			}
			j, ok := out.(*planner.Join)
			if !ok {
				t.Fatalf("got %T, want a join", out)
			}
			if j.Strategy != c.want {
				t.Fatalf("strategy %q, want %q:\n%s", j.Strategy, c.want, planner.Explain(out))
			}
			if (c.want == planner.UndecidedJoin) != (out == c.plan) {
				t.Errorf("changed=%v, but the strategy is %q", out != c.plan, j.Strategy)
			}
			if err := CheckPlan(out); err != nil {
				t.Fatal(err)
			}
			again, err := JoinStrategy{}.Apply(out, ctx)
			if err != nil {
				t.Fatal(err)
			}
			if again != out {
				t.Errorf("a second run changed the plan:\n%s", planner.Explain(again))
			}
		})
	}
}

// TestJoinStrategyNested: both joins of a tree are marked, each by its own build side, and a
// mark survives its parent being rebuilt.
func TestJoinStrategyNested(t *testing.T) {
	fact := planner.NewScan(&statsTable{name: "fact", cols: []string{"a", "b"}, rows: 1_000_000, distinct: []int64{1000, 1000}}, "")
	dim := planner.NewScan(&statsTable{name: "dim", cols: []string{"a"}, rows: 1000, distinct: []int64{1000}}, "")
	mid := planner.NewScan(&statsTable{name: "mid", cols: []string{"b"}, rows: 800_000, distinct: []int64{1000}}, "")
	inner := join(t, fact, dim, planner.InnerJoin, eq(col(t, fact, "fact.a"), col(t, dim, "dim.a")))
	outer := join(t, inner, mid, planner.InnerJoin, eq(col(t, inner, "fact.b"), col(t, mid, "mid.b")))
	out, err := JoinStrategy{}.Apply(outer, &Context{BroadcastThresholdRows: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	want := dedent(`
		Join: Inner on (fact.b = mid.b) strategy=shuffle
		  Join: Inner on (fact.a = dim.a) strategy=broadcast
		    Scan: fact [a, b]
		    Scan: dim [a]
		  Scan: mid [b]
		`)
	if got := planner.Explain(out); got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	// A parent rebuilt over new children keeps its mark.
	top := out.(*planner.Join)
	rebuilt, err := top.WithChildren([]planner.Plan{top.Left.(*planner.Join).WithStrategy(planner.UndecidedJoin, false), top.Right})
	if err != nil {
		t.Fatal(err)
	}
	if s := rebuilt.(*planner.Join).Strategy; s != planner.ShuffleJoin {
		t.Errorf("WithChildren dropped the strategy: %q", s)
	}
	if s := top.Left.(*planner.Join).Strategy; s != planner.BroadcastJoin {
		t.Errorf("inner join: %q", s)
	}
}

// TestJoinStrategyInDefaultBatches: the rule runs last in the default batches when a
// threshold is set, and not at all without one (so the other rules' goldens do not change).
func TestJoinStrategyInDefaultBatches(t *testing.T) {
	ts, us := tScan(), uScan()
	j := join(t, ts, us, planner.InnerJoin, eq(col(t, ts, "b"), col(t, us, "x")))
	for _, threshold := range []int64{0, 100_000} {
		out, tr, err := New(DefaultBatches(), Options{Eval: intEval, CheckInvariants: true, BroadcastThresholdRows: threshold}).Optimize(j)
		if err != nil {
			t.Fatal(err)
		}
		fired := tr.Fired("JoinStrategy")
		if fired != (threshold > 0) {
			t.Errorf("threshold %d: JoinStrategy fired=%v", threshold, fired)
		}
		if threshold > 0 {
			if rules := tr.Rules(); rules[len(rules)-1] != "JoinStrategy" {
				t.Errorf("JoinStrategy is not the last rule to fire: %v", rules)
			}
			if !strings.Contains(planner.Explain(out), "strategy=broadcast") {
				t.Errorf("no broadcast join:\n%s", planner.Explain(out))
			}
		}
	}
	if !slices.Contains(RuleNames(), "JoinStrategy") {
		t.Errorf("RuleNames() lacks JoinStrategy: %v", RuleNames())
	}
}

func TestEstimateRows(t *testing.T) {
	fact := planner.NewScan(&statsTable{name: "fact", cols: []string{"a"}, rows: 1_000_000, distinct: []int64{1000}}, "")
	dim := planner.NewScan(&statsTable{name: "dim", cols: []string{"a"}, rows: 1000, distinct: []int64{1000}}, "")
	f := filter(t, dim, eq(col(t, dim, "dim.a"), lit(3)))
	j := join(t, fact, f, planner.InnerJoin, eq(col(t, fact, "fact.a"), col(t, f, "dim.a")))
	got := EstimateRows(j)
	// dim.a = 3 keeps 1/1000 of dim: 1 row, joined with fact on a key of 1000 values: 1000.
	want := map[planner.Plan]float64{fact: 1_000_000, dim: 1000, f: 1, j: 1000}
	if len(got) != len(want) {
		t.Fatalf("%d nodes estimated, want %d", len(got), len(want))
	}
	for p, w := range want {
		if g := got[p]; g < w*0.99 || g > w*1.01 {
			t.Errorf("%s: %.1f rows, want %.0f", p, g, w)
		}
	}
}

// TestJoinStrategyBuildLeft: a shuffled semi or anti join builds its smaller (left) side
// when it has no subquery comparison; otherwise, or when broadcast, the right side.
func TestJoinStrategyBuildLeft(t *testing.T) {
	scan := func(name string, rows int64) planner.Plan {
		return planner.NewScan(&statsTable{name: name, cols: []string{"a", "b"}, rows: rows, distinct: []int64{rows, -1}}, "")
	}
	outer, big, small := scan("outer_side", 50_000), scan("big", 5_000_000), scan("small", 10)
	on := func(l, r planner.Plan) planner.Expr {
		return eq(planner.NewColumnRef(l.Schema()[0]), planner.NewColumnRef(r.Schema()[0]))
	}
	sub := func(l, r planner.Plan, typ planner.JoinType, cond, cmp planner.Expr) planner.Plan {
		j, err := planner.NewSubqueryJoin(l, r, typ, cond, cmp, planner.Column{})
		return must(t, j, err)
	}
	for _, c := range []struct {
		name      string
		plan      planner.Plan
		strategy  planner.JoinStrategy
		buildLeft bool
	}{
		{"EXISTS over a larger side", sub(outer, big, planner.LeftSemi, on(outer, big), nil), planner.ShuffleJoin, true},
		{"NOT EXISTS over a larger side", sub(outer, big, planner.LeftAnti, on(outer, big), nil), planner.ShuffleJoin, true},
		{"EXISTS over a smaller side", sub(big, outer, planner.LeftSemi, on(big, outer), nil), planner.ShuffleJoin, false},
		{"small subquery side broadcasts", sub(outer, small, planner.LeftSemi, on(outer, small), nil), planner.BroadcastJoin, false},
		{"IN comparison (NULL logic per outer row)", sub(outer, big, planner.LeftSemi, nil, on(outer, big)), planner.BroadcastJoin, false},
		{"inner join", join(t, outer, big, planner.InnerJoin, on(outer, big)), planner.ShuffleJoin, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := JoinStrategy{}.Apply(c.plan, &Context{BroadcastThresholdRows: 100})
			if err != nil {
				t.Fatal(err)
			}
			j := out.(*planner.Join)
			if j.Strategy != c.strategy || j.BuildLeft != c.buildLeft {
				t.Fatalf("strategy %q build left %v, want %q %v:\n%s", j.Strategy, j.BuildLeft, c.strategy, c.buildLeft, planner.Explain(out))
			}
			if got := strings.Contains(j.String(), "build=left"); got != c.buildLeft {
				t.Errorf("String() = %q", j.String())
			}
			// Rebuilding the join over the same children keeps the choice.
			again, err := j.WithExprs(j.Exprs())
			if err != nil {
				t.Fatal(err)
			}
			if again.(*planner.Join).BuildLeft != c.buildLeft {
				t.Errorf("WithExprs dropped BuildLeft")
			}
		})
	}
}
