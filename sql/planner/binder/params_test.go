package binder

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
)

// testDecimal is a DecimalParam.
type testDecimal string

func (d testDecimal) DecimalString() string { return string(d) }

// parseTrees parses a script and returns its statements' query trees.
func parseTrees(t *testing.T, sql string) []*parser.Query {
	t.Helper()
	stmts, err := parser.Parse(sql)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	out := make([]*parser.Query, len(stmts))
	for i, st := range stmts {
		q, ok := st.(*parser.Query)
		if !ok {
			t.Fatalf("statement %d of %q is %T, not a query", i+1, sql, st)
		}
		out[i] = q
	}
	return out
}

func stmtsOf(qs []*parser.Query) []parser.Statement {
	out := make([]parser.Statement, len(qs))
	for i, q := range qs {
		out[i] = q
	}
	return out
}

// bindWithParams parses one query, gives its markers params and binds it.
func bindWithParams(t *testing.T, b *Binder, sql string, params ...any) (planner.Plan, error) {
	t.Helper()
	qs := parseTrees(t, sql)
	if err := SetParams(stmtsOf(qs), params); err != nil {
		return nil, err
	}
	return b.BindQuery(qs[0])
}

func TestParamTypes(t *testing.T) {
	// 2024-01-02 04:04:05.123456 at UTC+1 is 03:04:05.123456 UTC.
	at := time.Date(2024, 1, 2, 4, 4, 5, 123456789, time.FixedZone("x", 3600))
	cases := []struct {
		name  string
		param any
		typ   arrow.DataType
		text  string // the literal as EXPLAIN shows it
	}{
		{"int64", int64(-7), planner.Int64, "-7"},
		{"int", 12, planner.Int64, "12"},
		{"int8", int8(-3), planner.Int64, "-3"},
		{"uint32", uint32(4000000000), planner.Int64, "4000000000"},
		{"uint64 in range", uint64(5), planner.Int64, "5"},
		{"uint64 past bigint", uint64(18446744073709551615), planner.Decimal(20, 0), "18446744073709551615"},
		{"float64", 2.5, planner.Float64, "2.5"},
		{"float32", float32(0.5), planner.Float64, "0.5"},
		{"string", "it's", planner.String, "'it''s'"},
		{"bytes", []byte("ab"), planner.String, "'ab'"},
		{"bool", true, planner.Boolean, "true"},
		{"nil", nil, planner.Null, "NULL"},
		{"time in UTC, microseconds", at, planner.Timestamp, "TIMESTAMP '2024-01-02 03:04:05.123456'"},
		{"decimal", testDecimal("-012.50"), planner.Decimal(4, 2), "-12.50"},
		{"decimal fraction only", testDecimal("0.05"), planner.Decimal(2, 2), "0.05"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := bindWithParams(t, newBinder(), "SELECT ?", c.param)
			if err != nil {
				t.Fatal(err)
			}
			sch := p.Schema()
			if len(sch) != 1 || !arrow.TypeEqual(sch[0].Type, c.typ) {
				t.Fatalf("schema %v, want one column of type %s", sch, c.typ)
			}
			if sch[0].Name != "?" {
				t.Errorf("column name %q, want ?", sch[0].Name)
			}
			if got := planner.Explain(p); !strings.Contains(got, "Project: "+c.text+" AS ?") {
				t.Errorf("plan does not show the literal %s:\n%s", c.text, got)
			}
		})
	}
}

func TestParamsInPlace(t *testing.T) {
	cases := []struct {
		name   string
		sql    string
		params []any
		want   []string // substrings of the plan
	}{
		{"in text order", "SELECT ?, a FROM t WHERE c = ? AND n > ?", []any{"first", "second", int64(3)},
			[]string{"Project: 'first' AS ?, t.a", "(t.c = 'second')", "(t.n > 3)"}},
		{"in lists", "SELECT a FROM t WHERE n IN (?, ?, ?)", []any{int64(1), int64(2), int64(3)},
			[]string{"t.n IN (1, 2, 3)"}},
		{"string read as a timestamp", "SELECT a FROM t WHERE ts < ?", []any{"2024-05-06 07:08:09"},
			[]string{"TIMESTAMP '2024-05-06 07:08:09'"}},
		{"in a CTE, a derived table and the outer query", "WITH w AS (SELECT a FROM t WHERE n = ?) SELECT s.a FROM w, (SELECT a, e FROM u WHERE e = ?) s WHERE s.a = ?",
			[]any{int64(10), int64(20), int64(30)}, []string{"(t.n = 10)", "(u.e = 20)", "(s.a = 30)"}},
		{"count of a non-NULL parameter is count(*)", "SELECT count(?) FROM t", []any{int64(1)},
			[]string{"aggs=[count(*) AS count(*)]"}},
		{"count of a NULL parameter counts nothing", "SELECT count(?) FROM t", []any{nil},
			[]string{"aggs=[count(NULL) AS count(NULL)]"}},
		{"LIMIT and OFFSET", "SELECT a FROM t LIMIT ? OFFSET ?", []any{int64(5), int64(2)},
			[]string{"Limit: count=5 offset=2"}},
		{"a marker reused by name is bound each time", "SELECT a + ? AS x FROM t GROUP BY a + ? ORDER BY x", []any{int64(1), int64(1)},
			[]string{"Aggregate"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := bindWithParams(t, newBinder(), c.sql, c.params...)
			if err != nil {
				t.Fatal(err)
			}
			got := planner.Explain(p)
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("plan lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestParamsAcrossStatements(t *testing.T) {
	qs := parseTrees(t, "SELECT ?; SELECT 1; SELECT ?, ?")
	if err := SetParams(stmtsOf(qs), []any{int64(1), "two", 3.5}); err != nil {
		t.Fatal(err)
	}
	want := []string{"Project: 1 AS ?", "Project: 1 AS 1", "Project: 'two' AS ?, 3.5 AS ?"}
	for i, q := range qs {
		p, err := newBinder().BindQuery(q)
		if err != nil {
			t.Fatalf("statement %d: %v", i+1, err)
		}
		if got := planner.Explain(p); !strings.Contains(got, want[i]) {
			t.Errorf("statement %d: plan lacks %q:\n%s", i+1, want[i], got)
		}
	}
}

func TestParamErrors(t *testing.T) {
	withView := newBinder()
	withView.Catalog.(*fakeCatalog).views["pv"] = &fakeView{name: "pv", sql: "SELECT a FROM t WHERE a = ?"}
	cases := []struct {
		name   string
		b      *Binder
		sql    string
		params []any
		set    bool // call SetParams (else bind the markers without values)
		msg    string
	}{
		{"too few", newBinder(), "SELECT ?, ?", []any{int64(1)}, true,
			"plan error: the SQL has 2 parameter markers (?) but 1 argument was given"},
		{"too many", newBinder(), "SELECT ?", []any{int64(1), int64(2)}, true,
			"plan error: the SQL has 1 parameter marker (?) but 2 arguments were given"},
		{"none expected", newBinder(), "SELECT '?'", []any{int64(1)}, true,
			"plan error: the SQL has 0 parameter markers (?) but 1 argument was given"},
		{"unsupported type", newBinder(), "SELECT ?, ?", []any{int64(1), struct{}{}}, true,
			"plan error: parameter 2 has unsupported type struct {}"},
		{"decimal too wide", newBinder(), "SELECT ?", []any{testDecimal(strings.Repeat("9", 39))}, true,
			`plan error: parameter 1: "` + strings.Repeat("9", 39) + `" is not a DECIMAL of at most 38 digits`},
		{"decimal of bad syntax", newBinder(), "SELECT ?", []any{testDecimal("1e5")}, true,
			`plan error: parameter 1: "1e5" is not a DECIMAL of at most 38 digits`},
		{"marker without a value", newBinder(), "SELECT a FROM t WHERE a = ?", nil, false,
			"plan error: parameter marker ? at line 1, column 27 has no value: pass one argument per marker"},
		{"marker without a value on a later line", newBinder(), "SELECT a\nFROM t\nWHERE a = 1 OR  a = ?", nil, false,
			"plan error: parameter marker ? at line 3, column 21 has no value: pass one argument per marker"},
		{"marker in a view", withView, "SELECT * FROM pv", nil, true,
			`in view "pv": plan error: parameter marker ? at line 1, column 27 has no value: view pv cannot use parameters`},
		{"typed like a written literal", newBinder(), "SELECT a FROM t WHERE a = ?", []any{"x"}, true,
			"plan error: cannot compare INT with 'x' in a = ?: it is not a number"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			qs := parseTrees(t, c.sql)
			var err error
			if c.set {
				err = SetParams(stmtsOf(qs), c.params)
			}
			if err == nil {
				_, err = c.b.BindQuery(qs[0])
			}
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, errs.ErrPlan) {
				t.Errorf("error %v is not a plan error", err)
			}
			if err.Error() != c.msg {
				t.Errorf("error\n  %s\nwant\n  %s", err, c.msg)
			}
		})
	}
}

func TestParamsCountCreateStatements(t *testing.T) {
	stmts, err := parser.Parse("CREATE TEMPORARY VIEW v AS SELECT ? AS x; SELECT ?")
	if err != nil {
		t.Fatal(err)
	}
	err = SetParams(stmts, []any{int64(1)})
	if want := "plan error: the SQL has 2 parameter markers (?) but 1 argument was given"; err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	if err := SetParams(stmts, []any{int64(1), int64(2)}); err != nil {
		t.Fatal(err)
	}
	// The view's query binds at CREATE with its value.
	p, err := newBinder().BindQuery(stmts[0].(*parser.CreateView).Query)
	if err != nil {
		t.Fatal(err)
	}
	if got := planner.Explain(p); !strings.Contains(got, "1 AS x") {
		t.Errorf("view query plan lacks its parameter:\n%s", got)
	}
}
