package binder

import (
	"errors"
	"regexp"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// The plans below follow the shape documented at the top of grouping.go; grouping ids are
// worked out by hand: with keys (a, c), the set (a, c) has id 0, (a) id 1 (c absent, the low
// bit), (c) id 2, () id 3. grouping() of all keys in order is the id itself.
var groupingCases = []struct {
	name, sql, plan string
	nullable        []bool // of the output columns
}{
	{"with rollup", "SELECT a, c, count(*) FROM t GROUP BY a, c WITH ROLLUP",
		plan("Project: t.a, t.c, count(*)",
			"  Aggregate: groupBy=[t.a, t.c, grouping_id] aggs=[count(*) AS count(*)]",
			"    Expand: [t.a, t.c, 0], [t.a, NULL, 1], [NULL, NULL, 3] AS [a, c, grouping_id]",
			"      Project: t.a, t.c",
			"        "+scanT),
		[]bool{true, true, false}},
	{"aggregate of a key reads the input column", "SELECT n, sum(n) FROM t GROUP BY ROLLUP(n)",
		plan("Project: t.n, sum(t.n) AS sum(n)",
			"  Aggregate: groupBy=[t.n, grouping_id] aggs=[sum(t.n) AS sum(t.n)]",
			"    Expand: [t.n, t.n, 0], [t.n, NULL, 1] AS [n, n, grouping_id]",
			"      Project: t.n",
			"        "+scanT),
		[]bool{true, true}},
	{"cube and grouping bits", "SELECT grouping(c), grouping(c, a), grouping_id() FROM t GROUP BY CUBE(a, c)",
		plan("Project: (grouping_id % 2) AS grouping(c), (((grouping_id % 2) * 2) + ((grouping_id DIV 2) % 2)) AS grouping(c, a), grouping_id AS grouping_id()",
			"  Aggregate: groupBy=[t.a, t.c, grouping_id] aggs=[]",
			"    Expand: [t.a, t.c, 0], [t.a, NULL, 1], [NULL, t.c, 2], [NULL, NULL, 3] AS [a, c, grouping_id]",
			"      Project: t.a, t.c",
			"        "+scanT),
		[]bool{true, true, false}},
	{"repeated sets and a computed key", "SELECT a + 1, count(*) FROM t GROUP BY a + 1, ROLLUP(a + 1)",
		plan("Project: (CAST(t.a AS BIGINT) + 1) AS a + 1, count(*)",
			"  Aggregate: groupBy=[(CAST(t.a AS BIGINT) + 1), grouping_id, grouping_set] aggs=[count(*) AS count(*)]",
			"    Expand: [(CAST(t.a AS BIGINT) + 1), 0, 0], [(CAST(t.a AS BIGINT) + 1), 0, 1] AS [(CAST(t.a AS BIGINT) + 1), grouping_id, grouping_set]",
			"      Project: t.a",
			"        "+scanT),
		[]bool{true, false}},
	{"grouping sets in having and order by", "SELECT c FROM t GROUP BY GROUPING SETS ((c), ()) HAVING grouping(c) = 0 ORDER BY grouping(c), c",
		plan("Project: t.c",
			"  Sort: grouping_id ASC NULLS FIRST, t.c ASC NULLS FIRST",
			"    Project: t.c, grouping_id",
			"      Filter: (grouping_id = 0)",
			"        Aggregate: groupBy=[t.c, grouping_id] aggs=[]",
			"          Expand: [t.c, 0], [NULL, 1] AS [c, grouping_id]",
			"            Project: t.c",
			"              "+scanT),
		nil},
	{"grouping under a plain group by", "SELECT c, grouping(c) FROM t GROUP BY c",
		plan("Project: t.c, 0 AS grouping(c)",
			"  Aggregate: groupBy=[t.c] aggs=[]",
			"    "+scanT),
		[]bool{true, false}},
}

func TestBindGroupingSets(t *testing.T) {
	b := newBinder()
	for _, tc := range groupingCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := bindSQL(t, b, tc.sql)
			if err != nil {
				t.Fatalf("bind %q: %v", tc.sql, err)
			}
			got := planner.Explain(p)
			if got != tc.plan {
				t.Errorf("plan of %q:\ngot:\n%s\nwant:\n%s", tc.sql, got, tc.plan)
			}
			for i, want := range tc.nullable {
				if c := p.Schema()[i]; c.Nullable != want {
					t.Errorf("output %s nullable=%v, want %v", c.Name, c.Nullable, want)
				}
			}
		})
	}
}

func TestBindGroupingErrors(t *testing.T) {
	tests := []struct {
		sql  string
		kind error
		msg  string // a regexp
	}{
		{"SELECT a, grouping(b) FROM t GROUP BY ROLLUP(a)", errs.ErrPlan, `argument b of grouping\(\) is not a GROUP BY key`},
		{"SELECT a FROM t WHERE grouping(a) = 0 GROUP BY ROLLUP(a)", errs.ErrPlan, `grouping\(\) is only allowed in the select list, HAVING and ORDER BY of a query with GROUP BY at line 1, column 23`},
		{"SELECT grouping_id(a) FROM t", errs.ErrPlan, `grouping_id\(\) is only allowed`},
		{"SELECT a, max(grouping(a)) FROM t GROUP BY ROLLUP(a)", errs.ErrPlan, `grouping\(\) cannot be used inside an aggregate function`},
		{"SELECT a, grouping() FROM t GROUP BY ROLLUP(a)", errs.ErrPlan, `grouping\(\) needs at least one argument`},
		{"SELECT a, b FROM t GROUP BY ROLLUP(a)", errs.ErrPlan, `column "t.b" in SELECT must appear in the GROUP BY clause`},
		{"SELECT a, count(*) AS k FROM t GROUP BY GROUPING SETS ((a), (k))", errs.ErrPlan, `cannot GROUP BY k: it refers to an aggregate function`},
		{"SELECT a FROM t GROUP BY ROLLUP(a, 2)", errs.ErrPlan, `GROUP BY position 2 is not in the select list \(1 to 1\)`},
	}
	b := newBinder()
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			_, err := bindSQL(t, b, tc.sql)
			if !errors.Is(err, tc.kind) {
				t.Fatalf("got %v, want a %v", err, tc.kind)
			}
			if !regexp.MustCompile(tc.msg).MatchString(err.Error()) {
				t.Errorf("error %q does not match %q", err, tc.msg)
			}
		})
	}
}
