package binder

import (
	"errors"
	"strings"
	"testing"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
)

func parseQ(t *testing.T, sql string) *parser.Query {
	t.Helper()
	st, err := parser.Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	return st[0].(*parser.Query)
}

func TestBindCreateTable(t *testing.T) {
	b := newBinder()
	spec, q, err := b.BindCreateTable(parseQ(t, `CREATE TABLE IF NOT EXISTS db1.t (
		a INT NOT NULL, b BIGINT DEFAULT 7, c VARCHAR(30), d DECIMAL(10,2) DEFAULT '1.5', e DATE,
		f DATETIME, g BOOLEAN, h DOUBLE, i TEXT, j CHAR(3), k SMALLINT, l TINYINT, m FLOAT,
		PRIMARY KEY (b))`))
	if err != nil {
		t.Fatal(err)
	}
	if q != nil || spec.Database != "db1" || spec.Name != "t" || !spec.IfNotExists {
		t.Fatalf("spec = %+v, query %v", spec, q)
	}
	var got []string
	for _, c := range spec.Columns {
		s := c.Name + " " + c.TypeText + " " + planner.TypeString(c.Type)
		if c.NotNull {
			s += " NOT NULL"
		}
		if c.Default != nil {
			s += " DEFAULT " + c.Default.String()
		}
		got = append(got, s)
	}
	want := []string{
		"a INT INT NOT NULL", "b BIGINT BIGINT NOT NULL DEFAULT 7", "c VARCHAR(30) VARCHAR",
		"d DECIMAL(10,2) DECIMAL(10,2) DEFAULT 1.50", "e DATE DATE", "f DATETIME TIMESTAMP",
		"g BOOLEAN BOOLEAN", "h DOUBLE DOUBLE", "i TEXT VARCHAR", "j CHAR(3) VARCHAR",
		"k SMALLINT SMALLINT", "l TINYINT TINYINT", "m FLOAT FLOAT",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("columns:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if spec.Columns[2].MaxChars != 30 || spec.Columns[9].MaxChars != 3 {
		t.Errorf("max chars %d %d", spec.Columns[2].MaxChars, spec.Columns[9].MaxChars)
	}

	for _, c := range []struct{ sql, msg string }{
		{"CREATE TABLE t (a INT, a INT)", `column "a" is declared twice`},
		{"CREATE TABLE t (a INT NOT NULL DEFAULT NULL)", "NOT NULL but its DEFAULT is NULL"},
		{"CREATE TABLE t (a INT DEFAULT 'x')", "DEFAULT of column a"},
		{"CREATE TABLE t (a DECIMAL(50,2))", "precision 50"},
		{"CREATE TABLE t (a INT, PRIMARY KEY (zz))", `unknown column "zz"`},
	} {
		_, _, err := b.BindCreateTable(parseQ(t, c.sql))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one containing %q", c.sql, err, c.msg)
		}
	}
}

func TestBindInsert(t *testing.T) {
	b := newBinder()
	spec, _, err := b.BindCreateTable(parseQ(t, "CREATE TABLE t (a INT NOT NULL, b VARCHAR(5) DEFAULT 'z', c DOUBLE)"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.BindInsert(parseQ(t, "INSERT INTO t (c, a) VALUES (1, '2'), (2.5, 3)"), "t", spec.Columns)
	if err != nil {
		t.Fatal(err)
	}
	want := "Values: (2, 'z', 1), (3, 'z', 2.5)"
	if got := strings.TrimSpace(planner.Explain(p)); got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s", got, want)
	}
	for _, c := range []struct {
		sql  string
		kind error
		msg  string
	}{
		{"INSERT INTO t (zz) VALUES (1)", errs.ErrPlan, `table t has no column "zz"`},
		{"INSERT INTO t (a, a) VALUES (1, 2)", errs.ErrPlan, "listed twice"},
		{"INSERT INTO t VALUES (1, 2)", errs.ErrPlan, "row 1 of INSERT INTO t has 2 values, expected 3"},
		{"INSERT INTO t (a) SELECT 1, 2", errs.ErrPlan, "1 target columns but the query returns 2"},
		{"INSERT INTO t (a) VALUES ('x')", errs.ErrPlan, "row 1"},
		{"REPLACE INTO t VALUES (1, 'a', 1)", errs.ErrNotImplemented, "REPLACE"},
	} {
		_, err := b.BindInsert(parseQ(t, c.sql), "t", spec.Columns)
		if err == nil || !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want %v containing %q", c.sql, err, c.kind, c.msg)
		}
	}
}
