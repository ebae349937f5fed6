package binder

import (
	"errors"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// The plans below are worked out from window.go's rules: one Window node per PARTITION BY /
// ORDER BY, stacked in order of first use; a repeated call is computed once; the default
// frame is RANGE UNBOUNDED PRECEDING to CURRENT ROW with ORDER BY; RANGE offsets become
// key ∓ offset in the key's direction.
var windowBindCases = []struct {
	name string
	sql  string
	plan string
	out  string
}{
	{"calls sharing keys share a node", "SELECT a, row_number() OVER (PARTITION BY c ORDER BY b DESC) AS rn, sum(n) OVER (PARTITION BY c ORDER BY b DESC) AS s, rank() OVER (ORDER BY a) AS r FROM t",
		plan("Project: t.a, row_number() AS rn, sum(t.n) AS s, rank() AS r",
			"  Window: partitionBy=[] orderBy=[t.a ASC NULLS FIRST] funcs=[rank() AS rank()]",
			"    Window: partitionBy=[t.c] orderBy=[t.b DESC NULLS LAST] funcs=[row_number() AS row_number(), sum(t.n) RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW AS sum(t.n)]",
			"      "+scanT),
		"a:INT, rn:BIGINT, s:BIGINT, r:BIGINT"},
	{"a repeated call is computed once", "SELECT count(*) OVER () AS x, count(*) OVER () + 1 AS y FROM t",
		plan("Project: count(*) AS x, (count(*) + 1) AS y",
			"  Window: partitionBy=[] orderBy=[] funcs=[count(*) ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING AS count(*)]",
			"    "+scanT),
		"x:BIGINT, y:BIGINT"},
	{"window over an aggregate", "SELECT c, sum(sum(n)) OVER (ORDER BY c) AS s FROM t GROUP BY c ORDER BY s",
		plan("Sort: s ASC NULLS FIRST",
			"  Project: t.c, sum(sum(t.n)) AS s",
			"    Window: partitionBy=[] orderBy=[t.c ASC NULLS FIRST] funcs=[sum(sum(t.n)) RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW AS sum(sum(t.n))]",
			"      Aggregate: groupBy=[t.c] aggs=[sum(t.n) AS sum(t.n)]",
			"        "+scanT),
		"c:VARCHAR, s:BIGINT"},
	// b is DOUBLE: b - 1.5 and b + 2 are DOUBLE. Under DESC, 1 HOUR PRECEDING is ts + 1 hour.
	{"range offsets", "SELECT sum(n) OVER (ORDER BY b RANGE BETWEEN 1.5 PRECEDING AND 2 FOLLOWING) AS s, count(*) OVER (ORDER BY ts DESC RANGE INTERVAL 1 HOUR PRECEDING) AS k FROM t",
		plan("Project: sum(t.n) AS s, count(*) AS k",
			"  Window: partitionBy=[] orderBy=[t.ts DESC NULLS LAST] funcs=[count(*) RANGE BETWEEN INTERVAL 1 HOUR PRECEDING AND CURRENT ROW AS count(*)]",
			"    Window: partitionBy=[] orderBy=[t.b ASC NULLS FIRST] funcs=[sum(t.n) RANGE BETWEEN 1.5 PRECEDING AND 2 FOLLOWING AS sum(t.n)]",
			"      "+scanT),
		"s:BIGINT, k:BIGINT"},
	// lag's value and default meet in one type (INT and BIGINT: BIGINT).
	{"named window and ORDER BY a window", "SELECT a, lag(a, 2, n) OVER w AS l FROM t WINDOW w AS (ORDER BY a) ORDER BY row_number() OVER w",
		plan("Project: t.a, l",
			"  Sort: row_number() ASC NULLS FIRST",
			"    Project: t.a, lag(CAST(t.a AS BIGINT), 2, t.n) AS l, row_number()",
			"      Window: partitionBy=[] orderBy=[t.a ASC NULLS FIRST] funcs=[lag(CAST(t.a AS BIGINT), 2, t.n) AS lag(CAST(t.a AS BIGINT), 2, t.n), row_number() AS row_number()]",
			"        "+scanT),
		"a:INT, l:BIGINT"},
	{"frame of a value function", "SELECT first_value(c) OVER (PARTITION BY a ORDER BY n ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS f, ntile(3) OVER (PARTITION BY a ORDER BY n) AS q FROM t",
		plan("Project: first_value(t.c) AS f, ntile(3) AS q",
			"  Window: partitionBy=[t.a] orderBy=[t.n ASC NULLS FIRST] funcs=[first_value(t.c) ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING AS first_value(t.c), ntile(3) AS ntile(3)]",
			"    "+scanT),
		"f:VARCHAR, q:BIGINT"},
}

func TestBindWindow(t *testing.T) {
	b := newBinder()
	for _, tc := range windowBindCases {
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

// TestBindWindowRangeValues checks the boundary expressions of RANGE offsets: key - n for n
// PRECEDING under ASC, key + n under DESC, INTERVALs as date arithmetic.
func TestBindWindowRangeValues(t *testing.T) {
	cases := []struct{ sql, key, start, end string }{
		{"SELECT count(*) OVER (ORDER BY n RANGE BETWEEN 3 PRECEDING AND 1 FOLLOWING) FROM t", "t.n", "(t.n - 3)", "(t.n + 1)"},
		{"SELECT count(*) OVER (ORDER BY n DESC RANGE BETWEEN 3 PRECEDING AND 1 FOLLOWING) FROM t", "t.n", "(t.n + 3)", "(t.n - 1)"},
		{"SELECT count(*) OVER (ORDER BY ts RANGE BETWEEN INTERVAL 2 DAY PRECEDING AND CURRENT ROW) FROM t", "t.ts",
			"(t.ts + INTERVAL months=0 days=-2 micros=0)", ""},
	}
	for _, c := range cases {
		p, err := bindSQL(t, newBinder(), c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		var w *planner.Window
		planner.WalkPlan(p, func(n planner.Plan) bool {
			if x, ok := n.(*planner.Window); ok {
				w = x
			}
			return true
		})
		if w == nil {
			t.Fatalf("%s: no Window node", c.sql)
		}
		f := w.Funcs[0].Frame
		str := func(e planner.Expr) string {
			if e == nil {
				return ""
			}
			return e.String()
		}
		if str(f.RangeKey) != c.key || str(f.Start.Value) != c.start || str(f.End.Value) != c.end {
			t.Errorf("%s: key %q start %q end %q, want %q %q %q", c.sql, str(f.RangeKey), str(f.Start.Value), str(f.End.Value), c.key, c.start, c.end)
		}
	}
}

func TestBindWindowErrors(t *testing.T) {
	cases := []struct{ sql, msg string }{
		{"SELECT a FROM t WHERE row_number() OVER () > 1", "window function row_number is not allowed in WHERE at line 1, column 23"},
		{"SELECT ntile(0) OVER () FROM t", "the bucket count of ntile must be a positive integer, got 0 in 0"},
		{"SELECT nth_value(a, n) OVER () FROM t", "n of nth_value must be an integer constant, got n"},
		{"SELECT sum(a) OVER (ORDER BY c RANGE 1 PRECEDING) FROM t", "a RANGE frame offset needs a numeric ORDER BY key, got VARCHAR"},
		{"SELECT max(c) OVER (w) FROM t WINDOW v AS ()", `unknown window "w"`},
		{"SELECT rank() OVER (ORDER BY lag(a) OVER ()) FROM t", "window functions cannot be nested"},
	}
	for _, c := range cases {
		_, err := bindSQL(t, newBinder(), c.sql)
		if err == nil || !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s:\n got %v\nwant a plan error containing %q", c.sql, err, c.msg)
		}
	}
}
