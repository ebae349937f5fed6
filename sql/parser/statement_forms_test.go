package parser

import (
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

func TestStatementForms(t *testing.T) {
	cases := []struct {
		sql                string
		cascade, overwrite bool
	}{
		{"DROP DATABASE d CASCADE", true, false},
		{"DROP SCHEMA IF EXISTS d CASCADE;", true, false},
		{"DROP DATABASE d", false, false},
		{"INSERT OVERWRITE t SELECT 1", false, true},
		{"INSERT OVERWRITE TABLE t (a) VALUES (1)", false, true},
		{"INSERT INTO t VALUES ('OVERWRITE')", false, false},
	}
	for _, c := range cases {
		stmts, err := Parse(c.sql)
		if err != nil {
			t.Fatalf("%s: %v", c.sql, err)
		}
		q := stmts[0].(*Query)
		if q.Cascade() != c.cascade || q.Overwrite() != c.overwrite {
			t.Errorf("%s: cascade=%v overwrite=%v, want %v %v", c.sql, q.Cascade(), q.Overwrite(), c.cascade, c.overwrite)
		}
	}
}

func TestSetDottedName(t *testing.T) {
	stmts, err := Parse("SET ember.optimizer.disabled_rules = 'JoinReorder'")
	if err != nil {
		t.Fatal(err)
	}
	set, ok := stmts[0].(*Query).Node.(*ast.SetStmt)
	if !ok || len(set.Variables) != 1 || set.Variables[0].Name != "ember.optimizer.disabled_rules" {
		t.Fatalf("got %#v", stmts[0].(*Query).Node)
	}
}
