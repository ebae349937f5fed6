package parser

import (
	"reflect"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

func TestFunctionForms(t *testing.T) {
	tests := []struct {
		sql  string
		want Statement // SQL fields are checked separately
	}{
		{"SHOW FUNCTIONS", &ShowFunctions{Scope: "all"}},
		{"show functions like 'vec%'", &ShowFunctions{Scope: "all", Like: "vec%", HasLike: true}},
		{"SHOW FUNCTIONS 'a\\_b'", &ShowFunctions{Scope: "all", Like: "a\\_b", HasLike: true}},
		{"SHOW USER FUNCTIONS", &ShowFunctions{Scope: "user"}},
		{"SHOW SYSTEM FUNCTIONS LIKE \"s%\"", &ShowFunctions{Scope: "system", Like: "s%", HasLike: true}},
		{"SHOW ALL FUNCTIONS", &ShowFunctions{Scope: "all"}},
		{"DESCRIBE FUNCTION abs", &DescribeFunction{Name: "abs"}},
		{"desc function `my f`", &DescribeFunction{Name: "my f"}},
		{"DESC FUNCTION EXTENDED vector", &DescribeFunction{Name: "vector", Extended: true}},
		{"DESCRIBE FUNCTION extended", &DescribeFunction{Name: "extended"}},
		{"DESCRIBE FUNCTION 'abs'", &DescribeFunction{Name: "abs"}},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			st := parseOne(t, tc.sql)
			if st.Text() != tc.sql {
				t.Errorf("text %q", st.Text())
			}
			switch x := st.(type) {
			case *ShowFunctions:
				x.SQL = ""
			case *DescribeFunction:
				x.SQL = ""
			}
			if !reflect.DeepEqual(st, tc.want) {
				t.Errorf("got  %#v\nwant %#v", st, tc.want)
			}
		})
	}
}

// TestFunctionFormsLeaveOthers checks that other SHOW and DESCRIBE statements still reach
// TiDB with their meaning: a bare DESCRIBE FUNCTION and DESCRIBE `function` describe a table
// named function.
func TestFunctionFormsLeaveOthers(t *testing.T) {
	for _, sql := range []string{"SHOW TABLES", "SHOW FUNCTION STATUS", "DESCRIBE t", "DESC function", "DESCRIBE `function` x", "SHOW USER"} {
		t.Run(sql, func(t *testing.T) {
			stmts, err := Parse(sql)
			if sql == "SHOW USER" {
				if err == nil {
					t.Errorf("parsed %T", stmts[0])
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			q, ok := stmts[0].(*Query)
			if !ok {
				t.Fatalf("got %T, want a *Query", stmts[0])
			}
			switch q.Node.(type) {
			case *ast.ShowStmt, *ast.ExplainStmt:
			default:
				t.Errorf("node %T", q.Node)
			}
		})
	}
}

func TestFunctionFormsErrors(t *testing.T) {
	tests := []parseErrorCase{
		{"SHOW FUNCTIONS LIKE", 1, 20, "expected a quoted LIKE pattern at end of statement"},
		{"SHOW FUNCTIONS LIKE abs", 1, 21, "expected a quoted LIKE pattern"},
		{"SHOW FUNCTIONS abs", 1, 16, "expected LIKE or the end of the statement"},
		{"SHOW FUNCTIONS LIKE 'a' 'b'", 1, 25, "expected the end of the statement"},
		{"DESCRIBE FUNCTION abs x", 1, 23, "expected the end of the statement"},
		{"DESCRIBE FUNCTION 1", 1, 19, "expected a function name"},
		{"DESC FUNCTION EXTENDED abs(1)", 1, 27, "expected the end of the statement"},
	}
	checkParseErrors(t, tests)
}
