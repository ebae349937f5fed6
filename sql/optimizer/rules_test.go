package optimizer

import (
	"testing"

	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// ruleCase is one hand-built plan for one rule. after == "" means the rule must not fire
// (and must return the very same plan).
type ruleCase struct {
	name   string
	build  func(t *testing.T) planner.Plan
	before string
	after  string
	noEval bool
}

// runRuleCases runs rule alone (a fixed-point batch, invariant checks on) over each case,
// checking the plan text before and after and whether the trace says the rule fired.
func runRuleCases(t *testing.T, rule Rule, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.build(t)
			if got, want := planner.Explain(p), dedent(tc.before); got != want {
				t.Fatalf("plan built:\n%s\nwant:\n%s", got, want)
			}
			opts := Options{Eval: intEval, CheckInvariants: true}
			if tc.noEval {
				opts.Eval = nil
			}
			o := New([]Batch{{Name: "test", Strategy: FixedPoint(10), Rules: []Rule{rule}}}, opts)
			out, tr, err := o.Optimize(p)
			if err != nil {
				t.Fatal(err)
			}
			if tc.after == "" {
				if tr.Fired(rule.Name()) || out != p {
					t.Fatalf("%s fired but must not; plan after:\n%s", rule.Name(), planner.Explain(out))
				}
				return
			}
			if !tr.Fired(rule.Name()) {
				t.Fatalf("%s did not fire", rule.Name())
			}
			if got, want := planner.Explain(out), dedent(tc.after); got != want {
				t.Fatalf("plan after:\n%s\nwant:\n%s", got, want)
			}
			if len(tr.Unconverged) > 0 {
				t.Fatalf("did not converge in 10 passes:\n%s", tr)
			}
		})
	}
}

func tScan() *planner.Scan { return planner.NewScan(newTable("t", "a", "b", "c"), "") }
func uScan() *planner.Scan { return planner.NewScan(newTable("u", "x", "y"), "") }
func vScan() *planner.Scan { return planner.NewScan(newTable("v", "z", "w"), "") }

func TestConstantFolding(t *testing.T) {
	filterT := func(cond func(t *testing.T, s planner.Plan) planner.Expr) func(t *testing.T) planner.Plan {
		return func(t *testing.T) planner.Plan {
			s := tScan()
			return filter(t, s, cond(t, s))
		}
	}
	a := func(t *testing.T, s planner.Plan) planner.Expr { return col(t, s, "a") }
	runRuleCases(t, ConstantFolding{}, []ruleCase{
		{
			name: "arithmetic",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return gt(a(t, s), bin(planner.OpMul, bin(planner.OpAdd, lit(1), lit(2)), lit(3)))
			}),
			before: `
				Filter: (t.a > ((1 + 2) * 3))
				  Scan: t [a, b, c]
				`,
			after: `
				Filter: (t.a > 9)
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "x and true",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return and(gt(a(t, s), lit(1)), lit(true))
			}),
			before: `
				Filter: ((t.a > 1) AND true)
				  Scan: t [a, b, c]
				`,
			after: `
				Filter: (t.a > 1)
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "true and x, no evaluator needed",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return and(lit(true), gt(a(t, s), lit(1)))
			}),
			noEval: true,
			before: `
				Filter: (true AND (t.a > 1))
				  Scan: t [a, b, c]
				`,
			after: `
				Filter: (t.a > 1)
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "x or false",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return bin(planner.OpOr, gt(a(t, s), lit(1)), lit(false))
			}),
			before: `
				Filter: ((t.a > 1) OR false)
				  Scan: t [a, b, c]
				`,
			after: `
				Filter: (t.a > 1)
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "x or true removes the filter",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return bin(planner.OpOr, gt(a(t, s), lit(1)), lit(true))
			}),
			before: `
				Filter: ((t.a > 1) OR true)
				  Scan: t [a, b, c]
				`,
			after: `
				Scan: t [a, b, c]
				`,
		},
		{
			name: "x and false empties the relation",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return and(gt(a(t, s), lit(1)), lit(false))
			}),
			before: `
				Filter: ((t.a > 1) AND false)
				  Scan: t [a, b, c]
				`,
			after: "Values: \n",
		},
		{
			name: "null condition empties the relation",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return lit(nil)
			}),
			before: `
				Filter: NULL
				  Scan: t [a, b, c]
				`,
			after: "Values: \n",
		},
		{
			name: "not not x",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return not(not(gt(a(t, s), lit(1))))
			}),
			before: `
				Filter: NOT NOT (t.a > 1)
				  Scan: t [a, b, c]
				`,
			after: `
				Filter: (t.a > 1)
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "not true in a projection",
			build: func(t *testing.T) planner.Plan {
				return project(t, tScan(), []string{"x"}, not(lit(true)))
			},
			noEval: true,
			before: `
				Project: NOT true AS x
				  Scan: t [a, b, c]
				`,
			after: `
				Project: false AS x
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "immutable function over literals",
			build: func(t *testing.T) planner.Plan {
				return project(t, tScan(), []string{"d"}, call("twice", udf.Immutable, lit(21)))
			},
			before: `
				Project: twice(21) AS d
				  Scan: t [a, b, c]
				`,
			after: `
				Project: 42 AS d
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "aggregate arguments fold but the call stays",
			build: func(t *testing.T) planner.Plan {
				return aggregate(t, tScan(), nil, nil,
					[]*planner.AggregateCall{aggCall("sum", bin(planner.OpAdd, lit(1), lit(1)))}, []string{"s"})
			},
			before: `
				Aggregate: groupBy=[] aggs=[sum((1 + 1)) AS s]
				  Scan: t [a, b, c]
				`,
			after: `
				Aggregate: groupBy=[] aggs=[sum(2) AS s]
				  Scan: t [a, b, c]
				`,
		},
		// Refusals.
		{
			name: "volatile function",
			build: func(t *testing.T) planner.Plan {
				return project(t, tScan(), []string{"r"}, bin(planner.OpAdd, call("rand", udf.Volatile), lit(1)))
			},
			before: `
				Project: (rand() + 1) AS r
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "stable function",
			build: func(t *testing.T) planner.Plan {
				return project(t, tScan(), []string{"n"}, call("twice", udf.Stable, lit(1)))
			},
			before: `
				Project: twice(1) AS n
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "evaluation error is left for run time",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return gt(a(t, s), bin(planner.OpIntDiv, lit(1), lit(0)))
			}),
			before: `
				Filter: (t.a > (1 DIV 0))
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "no evaluator",
			build: filterT(func(t *testing.T, s planner.Plan) planner.Expr {
				return gt(a(t, s), bin(planner.OpAdd, lit(1), lit(2)))
			}),
			noEval: true,
			before: `
				Filter: (t.a > (1 + 2))
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "simplification that would change the type",
			build: func(t *testing.T) planner.Plan {
				bareNull := planner.NewLiteral(nil, planner.Null)
				return project(t, tScan(), []string{"n"}, bin(planner.OpAnd, bareNull, lit(true)))
			},
			noEval: true,
			before: `
				Project: (NULL AND true) AS n
				  Scan: t [a, b, c]
				`,
		},
	})
}

func TestFilterPushdown(t *testing.T) {
	runRuleCases(t, FilterPushdown{}, []ruleCase{
		{
			name: "through a projection into the scan",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				p := project(t, s, []string{"", "bb"}, col(t, s, "a"), bin(planner.OpAdd, col(t, s, "b"), lit(1)))
				return filter(t, p, gt(col(t, p, "bb"), lit(5)))
			},
			before: `
				Filter: (bb > 5)
				  Project: t.a, (t.b + 1) AS bb
				    Scan: t [a, b, c]
				`,
			after: `
				Project: t.a, (t.b + 1) AS bb
				  Filter: ((t.b + 1) > 5)
				    Scan: t [a, b, c] filters=[((t.b + 1) > 5)]
				`,
		},
		{
			name: "cross join with an equality becomes an inner join",
			build: func(t *testing.T) planner.Plan {
				j := join(t, tScan(), uScan(), planner.CrossJoin, nil)
				return filter(t, j, and(eq(col(t, j, "a"), col(t, j, "x")), gt(col(t, j, "b"), lit(1)), gt(col(t, j, "y"), lit(3))))
			},
			before: `
				Filter: (((t.a = u.x) AND (t.b > 1)) AND (u.y > 3))
				  Join: Cross
				    Scan: t [a, b, c]
				    Scan: u [x, y]
				`,
			after: `
				Join: Inner on (t.a = u.x)
				  Filter: (t.b > 1)
				    Scan: t [a, b, c] filters=[(t.b > 1)]
				  Filter: (u.y > 3)
				    Scan: u [x, y] filters=[(u.y > 3)]
				`,
		},
		{
			name: "three tables in FROM",
			build: func(t *testing.T) planner.Plan {
				j := join(t, join(t, tScan(), uScan(), planner.CrossJoin, nil), vScan(), planner.CrossJoin, nil)
				return filter(t, j, and(eq(col(t, j, "a"), col(t, j, "x")), eq(col(t, j, "y"), col(t, j, "z"))))
			},
			before: `
				Filter: ((t.a = u.x) AND (u.y = v.z))
				  Join: Cross
				    Join: Cross
				      Scan: t [a, b, c]
				      Scan: u [x, y]
				    Scan: v [z, w]
				`,
			after: `
				Join: Inner on (u.y = v.z)
				  Join: Inner on (t.a = u.x)
				    Scan: t [a, b, c]
				    Scan: u [x, y]
				  Scan: v [z, w]
				`,
		},
		{
			name: "inner join ON conjunct on one side goes below",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				return join(t, l, r, planner.InnerJoin, and(eq(col(t, l, "a"), col(t, r, "x")), gt(col(t, l, "b"), lit(1))))
			},
			before: `
				Join: Inner on ((t.a = u.x) AND (t.b > 1))
				  Scan: t [a, b, c]
				  Scan: u [x, y]
				`,
			after: `
				Join: Inner on (t.a = u.x)
				  Filter: (t.b > 1)
				    Scan: t [a, b, c] filters=[(t.b > 1)]
				  Scan: u [x, y]
				`,
		},
		{
			name: "left join: only the preserved side from above",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				j := join(t, l, r, planner.LeftJoin, eq(col(t, l, "a"), col(t, r, "x")))
				return filter(t, j, and(gt(col(t, j, "b"), lit(1)), gt(col(t, j, "y"), lit(3))))
			},
			before: `
				Filter: ((t.b > 1) AND (u.y > 3))
				  Join: Left on (t.a = u.x)
				    Scan: t [a, b, c]
				    Scan: u [x, y]
				`,
			after: `
				Filter: (u.y > 3)
				  Join: Left on (t.a = u.x)
				    Filter: (t.b > 1)
				      Scan: t [a, b, c] filters=[(t.b > 1)]
				    Scan: u [x, y]
				`,
		},
		{
			name: "left join: ON conjunct on the right side filters the right input",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				return join(t, l, r, planner.LeftJoin, and(eq(col(t, l, "a"), col(t, r, "x")), gt(col(t, r, "y"), lit(3)), gt(col(t, l, "b"), lit(1))))
			},
			before: `
				Join: Left on (((t.a = u.x) AND (u.y > 3)) AND (t.b > 1))
				  Scan: t [a, b, c]
				  Scan: u [x, y]
				`,
			after: `
				Join: Left on ((t.a = u.x) AND (t.b > 1))
				  Scan: t [a, b, c]
				  Filter: (u.y > 3)
				    Scan: u [x, y] filters=[(u.y > 3)]
				`,
		},
		{
			name: "right join mirrors left",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				j := join(t, l, r, planner.RightJoin, eq(col(t, l, "a"), col(t, r, "x")))
				return filter(t, j, and(gt(col(t, j, "b"), lit(1)), gt(col(t, j, "y"), lit(3))))
			},
			before: `
				Filter: ((t.b > 1) AND (u.y > 3))
				  Join: Right on (t.a = u.x)
				    Scan: t [a, b, c]
				    Scan: u [x, y]
				`,
			after: `
				Filter: (t.b > 1)
				  Join: Right on (t.a = u.x)
				    Scan: t [a, b, c]
				    Filter: (u.y > 3)
				      Scan: u [x, y] filters=[(u.y > 3)]
				`,
		},
		{
			name: "below an aggregate on a group column",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				ag := aggregate(t, s, []planner.Expr{col(t, s, "a")}, []string{"a"},
					[]*planner.AggregateCall{aggCall("count", col(t, s, "b"))}, []string{"cnt"})
				return filter(t, ag, and(gt(col(t, ag, "a"), lit(1)), gt(col(t, ag, "cnt"), lit(5))))
			},
			before: `
				Filter: ((a > 1) AND (cnt > 5))
				  Aggregate: groupBy=[t.a] aggs=[count(t.b) AS cnt]
				    Scan: t [a, b, c]
				`,
			after: `
				Filter: (cnt > 5)
				  Aggregate: groupBy=[t.a] aggs=[count(t.b) AS cnt]
				    Filter: (t.a > 1)
				      Scan: t [a, b, c] filters=[(t.a > 1)]
				`,
		},
		{
			name: "into every union branch",
			build: func(t *testing.T) planner.Plan {
				ts, us := tScan(), uScan()
				l := project(t, ts, nil, col(t, ts, "a"))
				r := project(t, us, nil, col(t, us, "x"))
				u, err := planner.NewUnion([]planner.Plan{l, r}, []planner.Column{planner.NewColumn("a", "", planner.Int64, true)})
				un := must(t, u, err)
				return filter(t, un, gt(col(t, un, "a"), lit(1)))
			},
			before: `
				Filter: (a > 1)
				  Union: all
				    Project: t.a
				      Scan: t [a, b, c]
				    Project: u.x
				      Scan: u [x, y]
				`,
			after: `
				Union: all
				  Project: t.a
				    Filter: (t.a > 1)
				      Scan: t [a, b, c] filters=[(t.a > 1)]
				  Project: u.x
				    Filter: (u.x > 1)
				      Scan: u [x, y] filters=[(u.x > 1)]
				`,
		},
		{
			name: "through an alias and a sort, merging filters",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				srt, err := planner.NewSort(s, []planner.SortKey{{Expr: col(t, s, "c"), NullsFirst: true}})
				al := planner.NewSubqueryAlias(must(t, srt, err), "q")
				f := filter(t, al, gt(col(t, al, "b"), lit(2)))
				return filter(t, f, gt(col(t, f, "q.a"), lit(1)))
			},
			before: `
				Filter: (q.a > 1)
				  Filter: (q.b > 2)
				    SubqueryAlias: q
				      Sort: t.c ASC NULLS FIRST
				        Scan: t [a, b, c]
				`,
			after: `
				SubqueryAlias: q
				  Sort: t.c ASC NULLS FIRST
				    Filter: ((t.a > 1) AND (t.b > 2))
				      Scan: t [a, b, c] filters=[(t.a > 1), (t.b > 2)]
				`,
		},
		{
			name: "non-deterministic conjunct stays, the rest moves",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				srt, err := planner.NewSort(s, []planner.SortKey{{Expr: col(t, s, "a"), NullsFirst: true}})
				so := must(t, srt, err)
				return filter(t, so, and(gt(call("rand", udf.Volatile), lit(1)), gt(col(t, so, "b"), lit(2))))
			},
			before: `
				Filter: ((rand() > 1) AND (t.b > 2))
				  Sort: t.a ASC NULLS FIRST
				    Scan: t [a, b, c]
				`,
			after: `
				Filter: (rand() > 1)
				  Sort: t.a ASC NULLS FIRST
				    Filter: (t.b > 2)
				      Scan: t [a, b, c] filters=[(t.b > 2)]
				`,
		},
		// Refusals.
		{
			name: "not below a limit",
			build: func(t *testing.T) planner.Plan {
				l, err := planner.NewLimit(tScan(), 0, 5)
				lim := must(t, l, err)
				return filter(t, lim, gt(col(t, lim, "a"), lit(1)))
			},
			before: `
				Filter: (t.a > 1)
				  Limit: count=5
				    Scan: t [a, b, c]
				`,
		},
		{
			name: "not into the null-supplying side of a left join",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				j := join(t, l, r, planner.LeftJoin, eq(col(t, l, "a"), col(t, r, "x")))
				return filter(t, j, &planner.IsNull{E: col(t, j, "y")})
			},
			before: `
				Filter: u.y IS NULL
				  Join: Left on (t.a = u.x)
				    Scan: t [a, b, c]
				    Scan: u [x, y]
				`,
		},
		{
			name: "left join ON conjunct on the preserved side stays",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				return join(t, l, r, planner.LeftJoin, and(eq(col(t, l, "a"), col(t, r, "x")), gt(col(t, l, "b"), lit(1))))
			},
			before: `
				Join: Left on ((t.a = u.x) AND (t.b > 1))
				  Scan: t [a, b, c]
				  Scan: u [x, y]
				`,
		},
		{
			name: "nothing crosses a full join",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				j := join(t, l, r, planner.FullJoin, and(eq(col(t, l, "a"), col(t, r, "x")), gt(col(t, r, "y"), lit(1))))
				return filter(t, j, gt(col(t, j, "b"), lit(1)))
			},
			before: `
				Filter: (t.b > 1)
				  Join: Full on ((t.a = u.x) AND (u.y > 1))
				    Scan: t [a, b, c]
				    Scan: u [x, y]
				`,
		},
		{
			name: "not through a non-deterministic projection",
			build: func(t *testing.T) planner.Plan {
				p := project(t, tScan(), []string{"r"}, call("rand", udf.Volatile))
				return filter(t, p, gt(col(t, p, "r"), lit(1)))
			},
			before: `
				Filter: (r > 1)
				  Project: rand() AS r
				    Scan: t [a, b, c]
				`,
		},
		{
			name: "not below an aggregate on a computed group key",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				ag := aggregate(t, s, []planner.Expr{bin(planner.OpAdd, col(t, s, "a"), lit(1))}, []string{"k"}, nil, nil)
				return filter(t, ag, gt(col(t, ag, "k"), lit(1)))
			},
			before: `
				Filter: (k > 1)
				  Aggregate: groupBy=[(t.a + 1)] aggs=[]
				    Scan: t [a, b, c]
				`,
		},
		{
			name: "constant conjunct stays above a global aggregate",
			build: func(t *testing.T) planner.Plan {
				ag := aggregate(t, tScan(), nil, nil, []*planner.AggregateCall{aggCall("count")}, []string{"n"})
				return filter(t, ag, eq(lit(1), lit(0)))
			},
			before: `
				Filter: (1 = 0)
				  Aggregate: groupBy=[] aggs=[count(*) AS n]
				    Scan: t [a, b, c]
				`,
		},
		{
			name: "a cross join without an equality stays a cross join",
			build: func(t *testing.T) planner.Plan {
				j := join(t, tScan(), uScan(), planner.CrossJoin, nil)
				return filter(t, j, gt(col(t, j, "a"), col(t, j, "x")))
			},
			before: `
				Filter: (t.a > u.x)
				  Join: Cross
				    Scan: t [a, b, c]
				    Scan: u [x, y]
				`,
		},
		{
			name: "function calls are not handed to the scan",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				return filter(t, s, gt(call("twice", udf.Immutable, col(t, s, "a")), lit(1)))
			},
			before: `
				Filter: (twice(t.a) > 1)
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "already pushed",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				c := gt(col(t, s, "a"), lit(1))
				return filter(t, s.WithFilters([]planner.Expr{c}), c)
			},
			before: `
				Filter: (t.a > 1)
				  Scan: t [a, b, c] filters=[(t.a > 1)]
				`,
		},
	})
}

func TestProjectionPruning(t *testing.T) {
	runRuleCases(t, ProjectionPruning{}, []ruleCase{
		{
			name: "scan columns",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				return project(t, s, nil, col(t, s, "c"), col(t, s, "a"))
			},
			before: `
				Project: t.c, t.a
				  Scan: t [a, b, c]
				`,
			after: `
				Project: t.c, t.a
				  Scan: t [a, c]
				`,
		},
		{
			name: "filter columns are kept below the filter",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				f := filter(t, s, gt(col(t, s, "b"), lit(1)))
				return project(t, f, nil, col(t, f, "a"))
			},
			before: `
				Project: t.a
				  Filter: (t.b > 1)
				    Scan: t [a, b, c]
				`,
			after: `
				Project: t.a
				  Filter: (t.b > 1)
				    Scan: t [a, b]
				`,
		},
		{
			name: "scan filter columns are kept",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				fs := s.WithFilters([]planner.Expr{gt(col(t, s, "c"), lit(1))})
				return project(t, fs, nil, col(t, fs, "a"))
			},
			before: `
				Project: t.a
				  Scan: t [a, b, c] filters=[(t.c > 1)]
				`,
			after: `
				Project: t.a
				  Scan: t [a, c] filters=[(t.c > 1)]
				`,
		},
		{
			name: "join inputs, narrowed above a filter",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				rf := filter(t, r, gt(col(t, r, "y"), lit(1)))
				j := join(t, l, rf, planner.InnerJoin, eq(col(t, l, "b"), col(t, rf, "x")))
				return project(t, j, nil, col(t, j, "a"))
			},
			before: `
				Project: t.a
				  Join: Inner on (t.b = u.x)
				    Scan: t [a, b, c]
				    Filter: (u.y > 1)
				      Scan: u [x, y]
				`,
			after: `
				Project: t.a
				  Join: Inner on (t.b = u.x)
				    Scan: t [a, b]
				    Project: u.x
				      Filter: (u.y > 1)
				        Scan: u [x, y]
				`,
		},
		{
			name: "unused projections and aggregates",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				ag := aggregate(t, s, []planner.Expr{col(t, s, "a")}, []string{"a"},
					[]*planner.AggregateCall{aggCall("count", col(t, s, "b")), aggCall("sum", col(t, s, "c"))}, []string{"cnt", "total"})
				p := project(t, ag, []string{"", "twice"}, col(t, ag, "cnt"), bin(planner.OpMul, col(t, ag, "total"), lit(2)))
				return project(t, p, nil, col(t, p, "cnt"))
			},
			before: `
				Project: cnt
				  Project: cnt, (total * 2) AS twice
				    Aggregate: groupBy=[t.a] aggs=[count(t.b) AS cnt, sum(t.c) AS total]
				      Scan: t [a, b, c]
				`,
			after: `
				Project: cnt
				  Project: cnt
				    Aggregate: groupBy=[t.a] aggs=[count(t.b) AS cnt]
				      Scan: t [a, b]
				`,
		},
		{
			name: "a global aggregate keeps one aggregate, a scan one column",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				ag := aggregate(t, s, nil, nil,
					[]*planner.AggregateCall{aggCall("count"), aggCall("sum", col(t, s, "c"))}, []string{"n", "total"})
				return project(t, ag, []string{"one"}, lit(1))
			},
			before: `
				Project: 1 AS one
				  Aggregate: groupBy=[] aggs=[count(*) AS n, sum(t.c) AS total]
				    Scan: t [a, b, c]
				`,
			after: `
				Project: 1 AS one
				  Aggregate: groupBy=[] aggs=[count(*) AS n]
				    Scan: t [a]
				`,
		},
		{
			name: "sort input narrowed",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				f := filter(t, s, gt(col(t, s, "c"), lit(1)))
				srt, err := planner.NewSort(f, []planner.SortKey{{Expr: col(t, f, "b"), NullsFirst: true}})
				so := must(t, srt, err)
				return project(t, so, nil, col(t, so, "a"))
			},
			before: `
				Project: t.a
				  Sort: t.b ASC NULLS FIRST
				    Filter: (t.c > 1)
				      Scan: t [a, b, c]
				`,
			after: `
				Project: t.a
				  Sort: t.b ASC NULLS FIRST
				    Project: t.a, t.b
				      Filter: (t.c > 1)
				        Scan: t [a, b, c]
				`,
		},
		{
			name: "union positions",
			build: func(t *testing.T) planner.Plan {
				ts, us := tScan(), uScan()
				l := project(t, ts, nil, col(t, ts, "a"), col(t, ts, "b"))
				r := project(t, us, nil, col(t, us, "x"), col(t, us, "y"))
				u, err := planner.NewUnion([]planner.Plan{l, r}, []planner.Column{
					planner.NewColumn("p", "", planner.Int64, true), planner.NewColumn("q", "", planner.Int64, true)})
				un := must(t, u, err)
				return project(t, un, nil, col(t, un, "q"))
			},
			before: `
				Project: q
				  Union: all
				    Project: t.a, t.b
				      Scan: t [a, b, c]
				    Project: u.x, u.y
				      Scan: u [x, y]
				`,
			after: `
				Project: q
				  Union: all
				    Project: t.b
				      Scan: t [b]
				    Project: u.y
				      Scan: u [y]
				`,
		},
		{
			name: "values columns",
			build: func(t *testing.T) planner.Plan {
				out := []planner.Column{planner.NewColumn("x", "v", planner.Int64, false), planner.NewColumn("y", "v", planner.Int64, false)}
				v, err := planner.NewValues([][]planner.Expr{{lit(1), lit(2)}, {lit(3), lit(4)}}, out)
				vals := must(t, v, err)
				return project(t, vals, nil, col(t, vals, "y"))
			},
			before: `
				Project: v.y
				  Values: (1, 2), (3, 4)
				`,
			after: `
				Project: v.y
				  Values: (2), (4)
				`,
		},
		{
			name: "group keys stay, unused input columns go",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				ag := aggregate(t, s, []planner.Expr{col(t, s, "a"), col(t, s, "b")}, []string{"a", "b"}, nil, nil)
				return project(t, ag, nil, col(t, ag, "a"))
			},
			before: `
				Project: a
				  Aggregate: groupBy=[t.a, t.b] aggs=[]
				    Scan: t [a, b, c]
				`,
			after: `
				Project: a
				  Aggregate: groupBy=[t.a, t.b] aggs=[]
				    Scan: t [a, b]
				`,
		},
		// Refusals.
		{
			name: "root schema stays",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				return filter(t, s, gt(col(t, s, "a"), lit(1)))
			},
			before: `
				Filter: (t.a > 1)
				  Scan: t [a, b, c]
				`,
		},
		{
			name: "nothing below a distinct",
			build: func(t *testing.T) planner.Plan {
				d := planner.NewDistinct(tScan())
				return project(t, d, nil, col(t, d, "a"))
			},
			before: `
				Project: t.a
				  Distinct
				    Scan: t [a, b, c]
				`,
		},
	})
}
