package parser

import (
	"reflect"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// tableCalls returns the table function calls of a query's derived tables, in the order
// TiDB's AST visits them.
func tableCalls(t *testing.T, q *Query) []TableFunctionCall {
	t.Helper()
	v := &derivedFinder{}
	q.Node.Accept(v)
	var out []TableFunctionCall
	for _, sel := range v.sels {
		if c, ok := q.TableFunction(sel); ok {
			out = append(out, c)
		}
	}
	return out
}

type derivedFinder struct{ sels []*ast.SelectStmt }

func (v *derivedFinder) Enter(n ast.Node) (ast.Node, bool) {
	if s, ok := n.(*ast.SelectStmt); ok {
		v.sels = append(v.sels, s)
	}
	return n, false
}

func (v *derivedFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func TestTableFunctionCalls(t *testing.T) {
	type call struct {
		name      string
		args      []string
		cols      []string
		line, col int // of the name
	}
	tests := []struct {
		sql   string
		alias []string // the derived tables' aliases, in FROM order
		calls []call
	}{
		{"SELECT * FROM range(10)", []string{"range"},
			[]call{{name: "range", args: []string{"10"}, line: 1, col: 15}}},
		{"SELECT x.* FROM generate_series(1, 10, -2 * 3) AS x(v)", []string{"x"},
			[]call{{name: "generate_series", args: []string{"1", "10", "-2*3"}, cols: []string{"v"}, line: 1, col: 17}}},
		{"SELECT 1;\nSELECT *\n  FROM t JOIN `My Fn`('a''b', CAST(1 AS INTEGER)) AS m ON true,\n  range(2)", []string{"m", "range"},
			[]call{{name: "My Fn", args: []string{"_utf8mb4'a''b'", "cast(1 as signed)"}, line: 3, col: 15}, {name: "range", args: []string{"2"}, line: 4, col: 3}}},
		{"SELECT * FROM f() z", []string{"z"}, []call{{name: "f", line: 1, col: 15}}},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			stmts, err := Parse(tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			q := stmts[len(stmts)-1].(*Query)
			got := tableCalls(t, q)
			if len(got) != len(tc.calls) {
				t.Fatalf("got %d calls %+v, want %d", len(got), got, len(tc.calls))
			}
			for i, want := range tc.calls {
				g := got[i]
				var args []string
				for _, a := range g.Args {
					args = append(args, restore(t, a))
				}
				line, col := q.Position(g.Offset)
				if g.Name != want.name || !reflect.DeepEqual(args, want.args) || !reflect.DeepEqual(g.Columns, want.cols) ||
					line != want.line || col != want.col {
					t.Errorf("call %d: got %s(%q) cols %q at %d:%d, want %s(%q) cols %q at %d:%d",
						i, g.Name, args, g.Columns, line, col, want.name, want.args, want.cols, want.line, want.col)
				}
			}
			var aliases []string
			q.Node.Accept(&aliasFinder{out: &aliases})
			if !reflect.DeepEqual(aliases, tc.alias) {
				t.Errorf("aliases %q, want %q", aliases, tc.alias)
			}
			if !reflect.DeepEqual(q.Text(), q.SQL) || q.Node.Text() != q.SQL {
				t.Errorf("statement text %q, want the original %q", q.Node.Text(), q.SQL)
			}
		})
	}
}

type aliasFinder struct{ out *[]string }

func (v *aliasFinder) Enter(n ast.Node) (ast.Node, bool) {
	if ts, ok := n.(*ast.TableSource); ok {
		if _, derived := ts.Source.(*ast.SelectStmt); derived {
			*v.out = append(*v.out, ts.AsName.O)
		}
	}
	return n, false
}

func (v *aliasFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// TestTableFunctionNotACall checks that a derived table the user wrote is no table
// function call.
func TestTableFunctionNotACall(t *testing.T) {
	stmts, err := Parse("SELECT * FROM (SELECT f(1)) AS rng")
	if err != nil {
		t.Fatal(err)
	}
	if calls := tableCalls(t, stmts[0].(*Query)); len(calls) != 0 {
		t.Errorf("got calls %+v", calls)
	}
}

// TestTableFunctionErrors checks that errors in and around a table function call point at
// the text the user wrote.
func TestTableFunctionErrors(t *testing.T) {
	checkParseErrors(t, []parseErrorCase{
		{"SELECT * FROM range(1,, 2)", 1, 23, "syntax error"},
		{"SELECT *\nFROM range(3) AS r(a b)", 2, 19, "syntax error"},
		{"SELECT * FROM __ember_table_function('range', 1)", 1, 15, "identifiers starting with __ember_ are reserved by Ember"},
		{"SELECT * FROM range(3) WHERE id >", 1, 34, "syntax error at end of statement"},
	})
}
