package binder

import (
	"errors"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// setOpCases cover INTERSECT/EXCEPT grouping and typing, recursive CTEs and USING joins. The
// plans are derived by hand from the rules in setop.go and from.go: INTERSECT binds tighter,
// UNION and EXCEPT fold left to right, branch types meet as UNION's do.
var setOpCases = []struct {
	name string
	sql  string
	plan string
	out  string
}{
	{"intersect", "SELECT a FROM t INTERSECT SELECT a FROM u",
		plan("Intersect: distinct", "  Project: t.a", "    "+scanT, "  Project: u.a", "    "+scanU), "a:INT"},
	{"except all", "SELECT a FROM t EXCEPT ALL SELECT a FROM u",
		plan("Except: all", "  Project: t.a", "    "+scanT, "  Project: u.a", "    "+scanU), "a:INT"},
	// INT and BIGINT meet in BIGINT; the output is named after the left.
	{"types unify, names from the left", "SELECT a AS x FROM t INTERSECT ALL SELECT e FROM u",
		plan("Intersect: all", "  Project: CAST(x AS BIGINT) AS x", "    Project: t.a AS x", "      "+scanT, "  Project: u.e", "    "+scanU), "x:BIGINT"},
	// a UNION (b INTERSECT c): INTERSECT first.
	{"intersect binds tighter than union", "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3",
		plan("Distinct", "  Union: all", "    Project: 1 AS 1", "      Values: ()",
			"    Intersect: distinct", "      Project: 2 AS 2", "        Values: ()", "      Project: 3 AS 3", "        Values: ()"), "1:BIGINT"},
	// (a UNION ALL b) EXCEPT c, then INTERSECT d binds to c.
	{"except folds the union so far", "SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3 INTERSECT SELECT 4",
		plan("Except: distinct", "  Union: all", "    Project: 1 AS 1", "      Values: ()", "    Project: 2 AS 2", "      Values: ()",
			"  Intersect: distinct", "    Project: 3 AS 3", "      Values: ()", "    Project: 4 AS 4", "      Values: ()"), "1:BIGINT"},
	{"recursive cte", "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM r WHERE k < 3) SELECT k FROM r",
		plan("Project: r.k", "  SubqueryAlias: r", "    RecursiveCTE: r (union all)", "      Project: 1 AS k", "        Project: 1 AS 1", "          Values: ()",
			"      Project: (r.k + 1) AS k + 1", "        Filter: (r.k < 3)", "          SubqueryAlias: r", "            WorkTable: r"), "k:BIGINT"},
	// The recursive SELECT is cast to the anchor's INT; UNION makes it distinct.
	{"recursive cte cast to the anchor", "WITH RECURSIVE r AS (SELECT a FROM t UNION SELECT r.a + 1 FROM r JOIN u ON u.a = r.a) SELECT * FROM r",
		plan("Project: r.a", "  SubqueryAlias: r", "    RecursiveCTE: r (union)", "      Project: t.a", "        "+scanT,
			"      Project: CAST(r.a + 1 AS INT) AS r.a + 1", "        Project: (CAST(r.a AS BIGINT) + 1) AS r.a + 1",
			"          Join: Inner on (u.a = r.a)", "            SubqueryAlias: r", "              WorkTable: r", "            "+scanU), "a:INT"},
	{"with recursive without recursion", "WITH RECURSIVE r AS (SELECT e FROM u) SELECT e FROM r",
		plan("Project: r.e", "  SubqueryAlias: r", "    Project: u.e", "      "+scanU), "e:BIGINT"},
	// USING: merged column first, then every column of both sides.
	{"using keeps both sides qualified", "SELECT t.a, u.a, u.e FROM t LEFT JOIN u USING (a)",
		plan("Project: t.a, u.a, u.e", "  Project: t.a, t.a, t.b, t.c, t.d, t.ts, t.n, u.a, u.e",
			"    Join: Left on (t.a = u.a)", "      "+scanT, "      "+scanU), "a:INT, a:INT, e:BIGINT"},
	{"full using coalesces", "SELECT u.e FROM t FULL JOIN u USING (a)",
		plan("Project: u.e", "  Project: CASE WHEN t.a IS NOT NULL THEN t.a ELSE u.a END AS a, t.a, t.b, t.c, t.d, t.ts, t.n, u.a, u.e",
			"    Join: Full on (t.a = u.a)", "      "+scanT, "      "+scanU), "e:BIGINT"},
	{"natural join without common columns is a cross join", "SELECT count(*) AS c FROM orders NATURAL JOIN u",
		plan("Project: count(*) AS c", "  Aggregate: groupBy=[] aggs=[count(*) AS count(*)]", "    Project: orders.o_orderkey, orders.o_custkey, orders.o_orderdate, orders.o_totalprice, orders.o_orderstatus, u.a, u.e",
			"      Join: Cross", "        "+scanOrders, "        "+scanU), "c:BIGINT"},
}

func TestBindSetOpsRecursionUsing(t *testing.T) {
	b := newBinder()
	for _, tc := range setOpCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := bindSQL(t, b, tc.sql)
			if err != nil {
				t.Fatalf("bind %q: %v", tc.sql, err)
			}
			if got := planner.Explain(p); got != tc.plan {
				t.Errorf("plan of %q:\ngot:\n%s\nwant:\n%s", tc.sql, got, tc.plan)
			}
			if got := outputs(p.Schema()); got != tc.out {
				t.Errorf("outputs of %q:\ngot:  %s\nwant: %s", tc.sql, got, tc.out)
			}
		})
	}
}

var setOpErrorCases = []struct {
	name string
	sql  string
	kind error
	msg  string // a part of the message
}{
	{"intersect column count", "SELECT a, b FROM t INTERSECT SELECT a FROM u", errs.ErrPlan,
		"each INTERSECT branch must have the same number of columns: the first has 2, branch 2 has 1"},
	{"except types", "SELECT ts FROM t EXCEPT SELECT d FROM t", errs.ErrPlan,
		"EXCEPT column 1 (ts) has incompatible types TIMESTAMP and BOOLEAN"},
	{"recursive anchor last", "WITH RECURSIVE r(k) AS (SELECT k FROM r UNION ALL SELECT 1) SELECT * FROM r", errs.ErrPlan,
		`recursive common table expression "r" needs a SELECT that does not refer to it before the ones that do`},
	{"recursive twice", "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT x.k FROM r x JOIN r y ON x.k = y.k) SELECT * FROM r", errs.ErrNotImplemented,
		"only one reference (linear recursion) is supported"},
	{"recursive aggregate", "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT count(*) FROM r) SELECT * FROM r", errs.ErrNotImplemented,
		"may not use GROUP BY, HAVING or aggregate functions"},
	{"recursive outer join", "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT u.e FROM r RIGHT JOIN u ON u.a = r.k) SELECT * FROM r", errs.ErrNotImplemented,
		"may not be on the NULL-filled side of an outer join"},
	{"recursive full join", "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT u.e FROM u FULL JOIN r ON u.a = r.k) SELECT * FROM r", errs.ErrNotImplemented,
		"may not be on the NULL-filled side of an outer join"},
	{"recursive in derived table", "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k FROM (SELECT k FROM r) d) SELECT * FROM r", errs.ErrNotImplemented,
		"referenced inside a derived table or CTE of its recursive part"},
	{"recursive in nested cte", "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT k FROM (WITH w AS (SELECT k FROM r) SELECT k FROM w) d) SELECT * FROM r", errs.ErrNotImplemented,
		"referenced inside a derived table or CTE of its recursive part"},
	{"recursive intersect", "WITH RECURSIVE r(k) AS (SELECT 1 INTERSECT SELECT k FROM r) SELECT * FROM r", errs.ErrNotImplemented,
		"must be joined with UNION or UNION ALL, not INTERSECT"},
	{"recursive cast", "WITH RECURSIVE r(k) AS (SELECT 1 UNION ALL SELECT ts FROM r, t) SELECT * FROM r", errs.ErrPlan,
		"the recursive SELECT gives TIMESTAMP, which cannot be cast to the non-recursive part's BIGINT"},
	{"using unknown", "SELECT * FROM t JOIN u USING (e)", errs.ErrPlan,
		`column "e" in USING is not in the left side of the join`},
	{"using qualified", "SELECT * FROM t JOIN u USING (t.a)", errs.ErrPlan, "in USING must not be qualified"},
	{"using twice", "SELECT * FROM t JOIN u USING (a, A)", errs.ErrPlan, `column "A" appears twice in USING`},
	{"using incomparable", "SELECT * FROM t JOIN (SELECT ts AS a FROM t) x USING (a)", errs.ErrPlan, "cannot compare INT with TIMESTAMP"},
}

func TestBindSetOpsRecursionUsingErrors(t *testing.T) {
	b := newBinder()
	for _, tc := range setOpErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := bindSQL(t, b, tc.sql)
			if err == nil {
				t.Fatalf("bind %q: no error, plan:\n%s", tc.sql, planner.Explain(p))
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("bind %q: error %q is not of kind %v", tc.sql, err, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("bind %q:\ngot:  %s\nwant a message with: %s", tc.sql, err, tc.msg)
			}
		})
	}
}
