package binder

import (
	"errors"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// TestBindBuiltinFunctions binds calls of the real built-ins (udf.NewBuiltins): the special
// argument forms, the casts CastArgs asks for, and the typing rules of funcs.go.
func TestBindBuiltinFunctions(t *testing.T) {
	b := &Binder{Catalog: newCatalog(), Funcs: udf.NewBuiltins()}
	tests := []struct {
		name, sql string
		project   string // the Project line of the plan
		out       string
	}{
		{"substring forms cast to BIGINT", "SELECT substring(c FROM a FOR 2) AS s, substr(c, 1.5) AS s2 FROM t",
			"Project: substring(t.c, CAST(t.a AS BIGINT), 2) AS s, substr(t.c, CAST(1.5 AS BIGINT)) AS s2", "s:VARCHAR, s2:VARCHAR"},
		{"concat casts to VARCHAR", "SELECT concat(c, a, ts) AS x FROM t",
			"Project: concat(t.c, CAST(t.a AS VARCHAR), CAST(t.ts AS VARCHAR)) AS x", "x:VARCHAR"},
		{"trim direction becomes an argument", "SELECT TRIM(LEADING 'x' FROM c) AS l, TRIM(TRAILING FROM c) AS r, TRIM('y' FROM c) AS b FROM t",
			"Project: trim(t.c, 'x', 'LEADING') AS l, trim(t.c, ' ', 'TRAILING') AS r, trim(t.c, 'y') AS b", "l:VARCHAR, r:VARCHAR, b:VARCHAR"},
		{"position and extract", "SELECT position('a' IN c) AS p, EXTRACT(YEAR FROM ts) AS y FROM t",
			"Project: position('a', t.c) AS p, extract('YEAR', t.ts) AS y", "p:BIGINT, y:BIGINT"},
		// DECIMAL(15,2) rounded to 1 place: DECIMAL(15-2+1+1, 1) (one digit for the carry);
		// truncate has no carry: DECIMAL(15-2+0, 0)
		{"round of a decimal with a constant d", "SELECT round(o_totalprice, 1) AS r, truncate(o_totalprice, 0) AS tr, round(o_totalprice, 2) AS same FROM orders",
			"Project: CAST(round(orders.o_totalprice, 1) AS DECIMAL(15,1)) AS r, CAST(truncate(orders.o_totalprice, 0) AS DECIMAL(13,0)) AS tr, CAST(round(orders.o_totalprice, 2) AS DECIMAL(15,2)) AS same",
			"r:DECIMAL(15,1), tr:DECIMAL(13,0), same:DECIMAL(15,2)"},
		{"round of a decimal with a column d", "SELECT round(o_totalprice, o_custkey) AS r FROM orders",
			"Project: round(orders.o_totalprice, orders.o_custkey) AS r", "r:DECIMAL(16,2)"},
		{"round of integers and doubles", "SELECT round(a, -1) AS i, round(b) AS f FROM t",
			"Project: round(CAST(t.a AS BIGINT), -1) AS i, round(t.b) AS f", "i:BIGINT, f:DOUBLE"},
		{"str_to_date with a date-only format is a DATE", "SELECT str_to_date(c, '%d/%m/%Y') AS d, str_to_date(c, '%Y %H') AS ts FROM t",
			"Project: CAST(str_to_date(t.c, '%d/%m/%Y') AS DATE) AS d, str_to_date(t.c, '%Y %H') AS ts", "d:DATE, ts:TIMESTAMP"},
		{"greatest unifies as a comparison", "SELECT greatest(a, b) AS g, least(c, 'x') AS l FROM t",
			"Project: greatest(CAST(t.a AS DOUBLE), t.b) AS g, least(t.c, 'x') AS l", "g:DOUBLE, l:VARCHAR"},
		{"interval with an expression amount", "SELECT date_add(o_orderdate, INTERVAL o_custkey DAY) AS a, date_sub(o_orderdate, INTERVAL o_custkey HOUR) AS b FROM orders",
			"Project: date_add(orders.o_orderdate, orders.o_custkey, 'DAY') AS a, date_add(CAST(orders.o_orderdate AS TIMESTAMP), -orders.o_custkey, 'HOUR') AS b",
			"a:DATE, b:TIMESTAMP"},
		{"interval on a string column", "SELECT c + INTERVAL 1 MONTH AS m, adddate(c, 2) AS d FROM t",
			"Project: date_add(t.c, 1, 'MONTH') AS m, date_add(t.c, 2, 'DAY') AS d", "m:VARCHAR, d:VARCHAR"},
		{"combined and fractional units", "SELECT ts + INTERVAL '1:30' HOUR_MINUTE AS a, ts - INTERVAL '2-1' YEAR_MONTH AS b, ts + INTERVAL 1.5 SECOND AS c FROM t",
			"Project: (t.ts + INTERVAL months=0 days=0 micros=5400000000) AS a, (t.ts + INTERVAL months=-25 days=0 micros=0) AS b, (t.ts + INTERVAL months=0 days=0 micros=1500000) AS c",
			"a:TIMESTAMP, b:TIMESTAMP, c:TIMESTAMP"},
		{"timestampadd", "SELECT timestampadd(MINUTE, 5, ts) AS a, timestampadd(DAY, n, ts) AS b FROM t",
			"Project: (t.ts + INTERVAL months=0 days=0 micros=300000000) AS a, date_add(t.ts, t.n, 'DAY') AS b", "a:TIMESTAMP, b:TIMESTAMP"},
		{"get_format", "SELECT get_format(DATE, 'iso') AS f, get_format(TIME, 'nope') AS g",
			"Project: '%Y-%m-%d' AS f, NULL AS g", "f:VARCHAR, g:VARCHAR"},
		{"if with a numeric condition", "SELECT if(a, 'y', 'n') AS x FROM t",
			"Project: CASE WHEN (t.a <> 0) THEN 'y' ELSE 'n' END AS x", "x:VARCHAR"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := bindSQL(t, b, tc.sql)
			if err != nil {
				t.Fatalf("bind %q: %v", tc.sql, err)
			}
			first := strings.SplitN(planner.Explain(p), "\n", 2)[0]
			if first != tc.project {
				t.Errorf("plan of %q:\ngot:  %s\nwant: %s", tc.sql, first, tc.project)
			}
			if got := outputs(p.Schema()); got != tc.out {
				t.Errorf("outputs of %q:\ngot:  %s\nwant: %s", tc.sql, got, tc.out)
			}
		})
	}
}

func TestBindBuiltinFunctionErrors(t *testing.T) {
	b := &Binder{Catalog: newCatalog(), Funcs: udf.NewBuiltins()}
	tests := []struct {
		sql  string
		kind error
		want string
	}{
		{"SELECT str_to_date(c, '%H:%i') FROM t", errs.ErrNotImplemented, "time-only format"},
		{"SELECT greatest(1)", errs.ErrPlan, "GREATEST takes at least 2 arguments, got 1"},
		{"SELECT greatest(ts, 1) FROM t", errs.ErrPlan, "cannot compare TIMESTAMP with BIGINT"},
		{"SELECT year(a) FROM t", errs.ErrPlan, "year: argument 1 must be a DATE, TIMESTAMP or string, got INT"},
		{"SELECT left(c, 'x') FROM t", errs.ErrPlan, "cannot convert 'x' to a number"},
		{"SELECT date_add(ts, INTERVAL n DAY_HOUR) FROM t", errs.ErrNotImplemented, "INTERVAL DAY_HOUR needs a constant amount"},
		{"SELECT ts + INTERVAL '1:2:3:4' HOUR_MINUTE FROM t", errs.ErrPlan, "invalid INTERVAL '1:2:3:4' HOUR_MINUTE"},
		{"SELECT TIMESTAMPADD(DAY, 1, a) FROM t", errs.ErrPlan, "expects a DATE or TIMESTAMP, got INT"},
		{"SELECT coalesce()", errs.ErrPlan, "COALESCE takes at least 1 argument, got 0"},
		{"SELECT if(c, 1, 2) FROM t", errs.ErrPlan, "the condition of IF must be BOOLEAN, got VARCHAR"},
	}
	for _, tc := range tests {
		_, err := bindSQL(t, b, tc.sql)
		if err == nil || !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("bind %q: got %v, want %v containing %q", tc.sql, err, tc.kind, tc.want)
		}
	}
}

// TestBindRandPerCallSite: rand with a constant seed gets a function of its own at each call
// site (each continues its own sequence); with a column seed the registry's function serves.
func TestBindRandPerCallSite(t *testing.T) {
	b := &Binder{Catalog: newCatalog(), Funcs: udf.NewBuiltins()}
	p, err := bindSQL(t, b, "SELECT rand(3) AS x, rand(3) AS y, rand(a) AS z, rand() AS w FROM t")
	if err != nil {
		t.Fatal(err)
	}
	proj, ok := p.(*planner.Project)
	if !ok {
		t.Fatalf("got %T", p)
	}
	var fns []udf.ScalarFunction
	for _, e := range proj.Exprs() {
		for e != nil {
			if f, ok := e.(*planner.ScalarFunc); ok {
				fns = append(fns, f.Fn)
				break
			}
			kids := e.Children()
			if len(kids) == 0 {
				break
			}
			e = kids[0]
		}
	}
	if len(fns) != 4 {
		t.Fatalf("found %d rand calls in %s", len(fns), planner.Explain(p))
	}
	reg, _ := b.Funcs.Scalar("rand")
	if fns[0] == fns[1] || fns[0] == reg || fns[1] == reg {
		t.Error("each rand(3) needs its own sequence")
	}
	if fns[2] != reg || fns[3] != reg {
		t.Error("rand(a) and rand() need no state of their own")
	}
	if fns[0].Volatility() != udf.Volatile {
		t.Error("rand is Volatile")
	}
}
