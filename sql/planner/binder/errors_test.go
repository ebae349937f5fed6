package binder

import (
	"errors"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Positions are counted by hand: column = characters before the name on its line + 1.
var errorCases = []struct {
	name string
	sql  string
	kind error
	msg  string // the whole error text
}{
	{"unknown column with suggestion", "SELECT l_quantit FROM lineitem", errs.ErrPlan,
		`plan error: unknown column "l_quantit" at line 1, column 8; did you mean "l_quantity"?`},
	{"unknown column on a later line", "SELECT a,\n  zzz\nFROM t", errs.ErrPlan,
		`plan error: unknown column "zzz" at line 2, column 3`},
	{"unknown qualified column", "SELECT t.cc FROM t", errs.ErrPlan,
		`plan error: unknown column "t.cc" at line 1, column 8; did you mean "t.c"?`},
	{"unknown table with suggestion", "SELECT *\nFROM lineitm", errs.ErrPlan,
		`plan error: unknown table "lineitm" at line 2, column 6; did you mean "lineitem"?`},
	{"unknown database", "SELECT * FROM mydb.t", errs.ErrPlan,
		`plan error: unknown database "mydb"`},
	{"unknown function with suggestion", "SELECT uper(c) FROM t", errs.ErrPlan,
		`plan error: unknown function "uper" at line 1, column 8; did you mean "upper"?`},
	{"ambiguous column", "SELECT a FROM t, u", errs.ErrPlan,
		`plan error: column "a" is ambiguous at line 1, column 8; it could refer to t.a or u.a`},
	{"duplicate alias", "SELECT 1 FROM t JOIN t ON true", errs.ErrPlan,
		`plan error: table name or alias "t" is used twice in FROM at line 1, column 15; give one of them another alias`},
	{"date against boolean", "SELECT o_orderkey FROM orders WHERE o_orderdate = true", errs.ErrPlan,
		`plan error: cannot compare DATE with BOOLEAN in o_orderdate = true`},
	{"int against a non-number", "SELECT a FROM t WHERE a = 'x'", errs.ErrPlan,
		`plan error: cannot compare INT with 'x' in a = 'x': it is not a number`},
	{"date against a non-date", "SELECT 1 FROM orders WHERE o_orderdate < 'soon'", errs.ErrPlan,
		`plan error: cannot compare DATE with 'soon' in o_orderdate < 'soon': it is not a date or timestamp`},
	{"date arithmetic", "SELECT o_orderdate + 1 FROM orders", errs.ErrPlan,
		`plan error: cannot apply + to DATE and BIGINT in o_orderdate + 1`},
	{"bad cast", "SELECT CAST(ts AS SIGNED) FROM t", errs.ErrPlan,
		`plan error: cannot cast TIMESTAMP to BIGINT in cast(ts as signed)`},
	{"decimal too wide", "SELECT CAST(a AS DECIMAL(40,2)) FROM t", errs.ErrPlan,
		`plan error: DECIMAL precision 40 is more than the maximum 38 in cast(a as decimal(40, 2))`},
	{"non-boolean where", "SELECT a FROM t WHERE c", errs.ErrPlan,
		`plan error: the WHERE condition must be BOOLEAN, got VARCHAR in c`},
	{"non-boolean and", "SELECT a FROM t WHERE d AND c", errs.ErrPlan,
		`plan error: an operand of AND must be BOOLEAN, got VARCHAR in d and c`},
	{"non-grouped column", "SELECT a, b FROM t GROUP BY a", errs.ErrPlan,
		`plan error: column "t.b" in SELECT must appear in the GROUP BY clause or be used in an aggregate function at line 1, column 11`},
	{"non-grouped column beside an aggregate", "SELECT c, count(*) FROM t", errs.ErrPlan,
		`plan error: column "t.c" in SELECT must appear in the GROUP BY clause or be used in an aggregate function at line 1, column 8`},
	{"non-grouped column in order by", "SELECT a FROM t GROUP BY a ORDER BY b", errs.ErrPlan,
		`plan error: column "t.b" in ORDER BY must appear in the GROUP BY clause or be used in an aggregate function at line 1, column 37`},
	{"aggregate in where", "SELECT a FROM t WHERE sum(b) > 1", errs.ErrPlan,
		`plan error: aggregate function sum is not allowed in WHERE at line 1, column 23`},
	{"aggregate in group by", "SELECT count(*) FROM t GROUP BY 1", errs.ErrPlan,
		`plan error: cannot GROUP BY 1: it refers to an aggregate function`},
	{"nested aggregate", "SELECT sum(max(b)) FROM t", errs.ErrPlan,
		`plan error: aggregate function calls cannot be nested: max(b)`},
	{"group by position out of range", "SELECT a FROM t GROUP BY 3", errs.ErrPlan,
		`plan error: GROUP BY position 3 is not in the select list (1 to 1)`},
	{"order by position out of range", "SELECT a FROM t ORDER BY 0", errs.ErrPlan,
		`plan error: ORDER BY position 0 is not in the select list (1 to 1)`},
	{"distinct with hidden order key", "SELECT DISTINCT a FROM t ORDER BY b", errs.ErrPlan,
		`plan error: ORDER BY b must appear in the select list of a SELECT DISTINCT`},
	{"star without from", "SELECT *", errs.ErrPlan, `plan error: SELECT * needs a FROM clause`},
	{"unknown star qualifier", "SELECT x.* FROM t", errs.ErrPlan,
		`plan error: unknown table "x" in x.* at line 1, column 8; did you mean "t"?`},
	{"union width", "SELECT a FROM t UNION SELECT a, e FROM u", errs.ErrPlan,
		`plan error: each UNION branch must have the same number of columns: the first has 1, branch 2 has 2`},
	{"union types", "SELECT ts FROM t UNION ALL SELECT d FROM t", errs.ErrPlan,
		`plan error: UNION column 1 (ts) has incompatible types TIMESTAMP and BOOLEAN`},
	{"case result types", "SELECT CASE WHEN d THEN ts ELSE 1 END FROM t", errs.ErrPlan,
		`plan error: incompatible types TIMESTAMP and BIGINT in case when d then ts else 1 end`},
	{"interval not constant", "SELECT date_add(o_orderdate, INTERVAL o_custkey DAY) FROM orders", errs.ErrPlan,
		`plan error: INTERVAL value must be an integer constant, got o_custkey`},
	{"interval on a number", "SELECT n + INTERVAL 1 DAY FROM t", errs.ErrPlan,
		`plan error: date_add expects a DATE or TIMESTAMP, got BIGINT in date_add(n, interval 1 day)`},
	{"bad date literal", "SELECT DATE '1998-13-01'", errs.ErrPlan,
		`plan error: invalid DATE literal '1998-13-01' at line 1, column 8`},
	{"view cycle", "SELECT * FROM loop1", errs.ErrPlan,
		`in view "loop1": in view "loop2": plan error: view "loop1" refers to itself (through loop1 -> loop2 -> loop1)`},
	{"error inside a view", "SELECT * FROM bad_view", errs.ErrPlan,
		`in view "bad_view": plan error: unknown column "nope" at line 1, column 8`},
	{"missing file", "SELECT x FROM parquet.`/missing`", errs.ErrPlan,
		`plan error: cannot read parquet "/missing": parquet file /missing does not exist`},
	{"derived table without alias", "SELECT * FROM (SELECT 1)", errs.ErrPlan, ""},

	{"in subquery two columns", "SELECT a FROM t WHERE a IN (SELECT a, b FROM t)", errs.ErrPlan,
		"plan error: the subquery of a in (select a,b from t) must return one column, not 2"},
	{"scalar subquery two columns", "SELECT (SELECT 1, 2)", errs.ErrPlan,
		"plan error: a subquery used as a value must return one column, not 2: (select 1,2)"},
	{"row in subquery", "SELECT a FROM t WHERE (a, b) IN (SELECT a, b FROM t)", errs.ErrNotImplemented,
		"not implemented: a row compared with a subquery is not supported: row(a,b) in (select a,b from t)"},
	{"unknown column in subquery", "SELECT a FROM t WHERE EXISTS (SELECT 1 FROM t x WHERE x.zz = t.a)", errs.ErrPlan,
		`plan error: unknown column "x.zz" at line 1, column 55; did you mean "x.a"?`},
	{"intersect column count", "SELECT a FROM t INTERSECT SELECT a, b FROM t", errs.ErrPlan, ""},
	{"using unknown column", "SELECT * FROM t JOIN t u USING (zz)", errs.ErrPlan, ""},
	{"window in where", "SELECT a FROM t WHERE row_number() OVER () > 1", errs.ErrPlan, ""},
	{"unsigned cast", "SELECT CAST(a AS UNSIGNED) FROM t", errs.ErrNotImplemented, ""},
}

func TestBindErrors(t *testing.T) {
	b := newBinder()
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := bindSQL(t, b, tc.sql)
			if err == nil {
				t.Fatalf("bind %q: no error, plan:\n%s", tc.sql, planner.Explain(p))
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("bind %q: error %q is not of kind %v", tc.sql, err, tc.kind)
			}
			if tc.msg != "" && err.Error() != tc.msg {
				t.Errorf("bind %q:\ngot:  %s\nwant: %s", tc.sql, err, tc.msg)
			}
		})
	}
}

func TestBindExpr(t *testing.T) {
	b := newBinder()
	scan := func(name string) planner.Schema {
		tbl, _, _ := b.Catalog.LookupTable("", name)
		return planner.NewScan(tbl, "").Schema()
	}
	cases := []struct {
		sql, input   string
		expr, name   string
		typ, errText string
	}{
		{sql: "l_extendedprice * (1 - l_discount)", input: "lineitem",
			expr: "(lineitem.l_extendedprice * (1.00 - lineitem.l_discount))", name: "l_extendedprice * (1 - l_discount)", typ: "DECIMAL(31,4)"},
		{sql: "a + 1 AS y", input: "t", expr: "(CAST(t.a AS BIGINT) + 1)", name: "y", typ: "BIGINT"},
		{sql: "C", input: "t", expr: "t.c", name: "c", typ: "VARCHAR"},
		{sql: "o_orderdate >= '1995-03-15'", input: "orders", expr: "(orders.o_orderdate >= DATE '1995-03-15')", name: "o_orderdate >= '1995-03-15'", typ: "BOOLEAN"},
		{sql: "a + zzz", input: "t", errText: `plan error: unknown column "zzz" at line 1, column 5`},
		{sql: "sum(a)", input: "t", errText: `plan error: aggregate function sum is not allowed in expression at line 1, column 1`},
		{sql: "a, b", input: "t", errText: `plan error: expected one expression, got "a, b"`},
		{sql: "a FROM t", input: "t", errText: `plan error: expected one expression, got "a FROM t"`},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			e, name, err := b.BindNamedExpr(tc.sql, scan(tc.input))
			if tc.errText != "" {
				if err == nil || err.Error() != tc.errText {
					t.Fatalf("BindNamedExpr(%q): got error %v, want %s", tc.sql, err, tc.errText)
				}
				return
			}
			if err != nil {
				t.Fatalf("BindNamedExpr(%q): %v", tc.sql, err)
			}
			if e.String() != tc.expr || name != tc.name || planner.TypeString(e.Type()) != tc.typ {
				t.Errorf("BindNamedExpr(%q) = %s %q %s, want %s %q %s", tc.sql, e, name, planner.TypeString(e.Type()), tc.expr, tc.name, tc.typ)
			}
			e2, err := b.BindExpr(tc.sql, scan(tc.input))
			if err != nil || e2.String() != e.String() {
				t.Errorf("BindExpr(%q) = %v, %v; want %s", tc.sql, e2, err, e)
			}
		})
	}
}

// TestLikeEscape checks what EXPLAIN does not show: the escape character.
func TestLikeEscape(t *testing.T) {
	b := newBinder()
	for _, tc := range []struct {
		sql    string
		escape byte
	}{
		{"c LIKE 'a!%' ESCAPE '!'", '!'},
		{"c LIKE 'a\\%'", '\\'},
	} {
		e, err := b.BindExpr(tc.sql, planner.NewScan(newCatalog().tables["t"], "").Schema())
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		l, ok := e.(*planner.Like)
		if !ok || l.Escape != tc.escape {
			t.Errorf("%s: got %#v, want a Like with escape %q", tc.sql, e, tc.escape)
		}
	}
}

// TestColumnIDs checks the ID invariants the optimizer relies on: no schema holds an ID twice,
// two references to one table, view or CTE get distinct IDs, and a plain column keeps its ID
// through projections.
func TestColumnIDs(t *testing.T) {
	b := newBinder()
	for _, tc := range bindCases {
		p, err := bindSQL(t, b, tc.sql)
		if err != nil {
			t.Fatalf("%s: %v", tc.sql, err)
		}
		planner.WalkPlan(p, func(n planner.Plan) bool {
			seen := map[planner.ColumnID]bool{}
			for _, c := range n.Schema() {
				if seen[c.ID] {
					t.Errorf("%s: node %q repeats the ID of column %s", tc.sql, n, c.Name)
				}
				seen[c.ID] = true
			}
			return true
		})
	}
	p, err := bindSQL(t, b, "SELECT t1.a, t2.a FROM t t1 JOIN t t2 ON t1.a = t2.a")
	if err != nil {
		t.Fatal(err)
	}
	out := p.Schema()
	if out[0].ID == out[1].ID {
		t.Errorf("self join: both sides have column ID %d", out[0].ID)
	}
	scanID := p.Children()[0].Children()[0].Schema()[0].ID
	if out[0].ID != scanID {
		t.Errorf("t1.a has ID %d through the Project, the scan has %d", out[0].ID, scanID)
	}
	if !strings.Contains(planner.Explain(p), "Join: Inner on (t1.a = t2.a)") {
		t.Errorf("self join plan:\n%s", planner.Explain(p))
	}
}
