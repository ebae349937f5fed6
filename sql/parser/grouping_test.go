package parser

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

func TestGroupingRewrite(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"rollup", "GROUP BY ROLLUP(a, b)", "GROUP BY __ember_rollup(a, b)"},
		{"cube after a plain key", "GROUP BY a, cube (b, c) HAVING x", "GROUP BY a, __ember_cube (b, c) HAVING x"},
		{"grouping sets", "GROUP BY GROUPING SETS ((a, b), (a), (), c)",
			"GROUP BY __ember_grouping_sets  (__ember_set(a, b), __ember_set(a), __ember_set(), c)"},
		{"empty set", "GROUP BY ()", "GROUP BY __ember_set()"},
		{"nested in grouping sets", "GROUP BY GROUPING SETS (ROLLUP(a), (b), GROUPING SETS ((c)))",
			"GROUP BY __ember_grouping_sets  (__ember_rollup(a), __ember_set(b), __ember_grouping_sets  (__ember_set(c)))"},
		{"composite rollup elements untouched", "GROUP BY ROLLUP((a, b), c)", "GROUP BY __ember_rollup((a, b), c)"},
		{"a set element that is an expression", "GROUP BY GROUPING SETS ((a + 1) * 2, b)",
			"GROUP BY __ember_grouping_sets  ((a + 1) * 2, b)"},
		{"parenthesized expression key untouched", "GROUP BY (a + b) * 2, x", "GROUP BY (a + b) * 2, x"},
		{"row key untouched", "GROUP BY a, (b, c)", "GROUP BY a, (b, c)"},
		{"with rollup untouched", "GROUP BY a, b WITH ROLLUP", "GROUP BY a, b WITH ROLLUP"},
		{"names untouched", "GROUP BY rollup, t.cube, grouping", "GROUP BY rollup, t.cube, grouping"},
		{"qualified call untouched", "GROUP BY t.rollup(a)", "GROUP BY t.rollup(a)"},
		{"not a whole element", "GROUP BY CUBE(a) + 1", "GROUP BY CUBE(a) + 1"},
		{"outside GROUP BY untouched", "SELECT cube(a) FROM t GROUP BY x ORDER BY b, rollup(c)",
			"SELECT cube(a) FROM t GROUP BY x ORDER BY b, rollup(c)"},
		{"subquery ends the list", "SELECT (SELECT 1 FROM u GROUP BY x), rollup(y) FROM t",
			"SELECT (SELECT 1 FROM u GROUP BY x), rollup(y) FROM t"},
		{"subquery in a key", "GROUP BY ROLLUP(a) HAVING a IN (SELECT x FROM u GROUP BY CUBE(x))",
			"GROUP BY __ember_rollup(a) HAVING a IN (SELECT x FROM u GROUP BY __ember_cube(x))"},
		{"comment between keyword and list", "GROUP BY ROLLUP/*(x*/(a)", "GROUP BY __ember_rollup/*(x*/(a)"},
		{"strings and comments untouched", "GROUP BY 'ROLLUP(a)', /* CUBE(a) */ b, `GROUPING SETS`",
			"GROUP BY 'ROLLUP(a)', /* CUBE(a) */ b, `GROUPING SETS`"},
		{"grouping function untouched", "SELECT grouping(a) FROM t GROUP BY ROLLUP(a)",
			"SELECT grouping(a) FROM t GROUP BY __ember_rollup(a)"},
		{"after a semicolon-free end", "GROUP BY CUBE(a)", "GROUP BY __ember_cube(a)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rw, err := rewrite(tc.in, significant(lex(tc.in)), 0, len(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if rw.text != tc.want {
				t.Errorf("got  %q\nwant %q", rw.text, tc.want)
			}
		})
	}
}

func TestSubscriptRewrite(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"name", "SELECT a[1]", "SELECT element_at(a, 1)"},
		{"qualified name, expression index", "SELECT t.a[i + 1] FROM t", "SELECT element_at(t.a, i + 1) FROM t"},
		{"chained", "a[1][2]", "element_at(element_at(a, 1), 2)"},
		{"call", "f(x, y)[2]", "element_at(f(x, y), 2)"},
		{"qualified call", "db.f(x)[2]", "element_at(db.f(x), 2)"},
		{"parenthesized", "(a)[1]", "element_at((a), 1)"},
		{"parenthesized after a keyword", "WHERE (a)[1] > 0", "WHERE element_at((a), 1) > 0"},
		{"quoted identifier", "`a b`[1]", "element_at(`a b`, 1)"},
		{"nested index", "a[b[1]]", "element_at(a, element_at(b, 1))"},
		{"space before the bracket", "a [1]", "element_at(a , 1)"},
		{"call result chained", "split(s, ',')[1][2]", "element_at(element_at(split(s, ','), 1), 2)"},
		{"array literal untouched", "SELECT ARRAY[1, 2]", "SELECT ARRAY[1, 2]"},
		{"array call", "SELECT array(1, 2)[1], map(k, v)[k]", "SELECT element_at(`array`(1, 2), 1), element_at(map(k, v), k)"},
		{"keyword before a parenthesis", "x IN (a)[1]", "x IN element_at((a), 1)"},
		{"after a keyword untouched", "SELECT [1]", "SELECT [1]"},
		{"after a number untouched", "SELECT 1[2]", "SELECT 1[2]"},
		{"after a string untouched", "SELECT 's'[1]", "SELECT 's'[1]"},
		{"after END untouched", "CASE WHEN x THEN y END[1]", "CASE WHEN x THEN y END[1]"},
		{"unclosed untouched", "SELECT a[1", "SELECT a[1"},
		{"strings and comments untouched", "SELECT 'a[1]', `b[1]` /* c[1] */ # d[1]\n-- e[1]\n",
			"SELECT 'a[1]', `b[1]` /* c[1] */ # d[1]\n-- e[1]\n"},
		{"inside NULLS FIRST", "ORDER BY a[1] NULLS FIRST", "ORDER BY  __ember_nulls_first(element_at(a, 1))  "},
		{"in a grouping set", "GROUP BY ROLLUP(a[1], b)", "GROUP BY __ember_rollup(element_at(a, 1), b)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rw, err := rewrite(tc.in, significant(lex(tc.in)), 0, len(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if rw.text != tc.want {
				t.Errorf("got  %q\nwant %q", rw.text, tc.want)
			}
		})
	}
}

// restore renders an expression for comparisons.
func restore(t *testing.T, n ast.Node) string {
	t.Helper()
	var b strings.Builder
	if err := n.Restore(format.NewRestoreCtx(format.RestoreStringSingleQuotes|format.RestoreKeyWordLowercase, &b)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func groupByOf(t *testing.T, q *Query) *ast.GroupByClause {
	t.Helper()
	sel, ok := q.Node.(*ast.SelectStmt)
	if !ok || sel.GroupBy == nil {
		t.Fatalf("%q has no GROUP BY", q.SQL)
	}
	return sel.GroupBy
}

func TestGroupingSets(t *testing.T) {
	tests := []struct {
		name, groupBy string
		sets          [][]string // nil: a plain GROUP BY
		items         []string   // the clause's items after parsing
	}{
		{"plain", "a, b", nil, []string{"a", "b"}},
		{"with rollup", "a, b WITH ROLLUP", [][]string{{"a", "b"}, {"a"}, {}}, []string{"a", "b"}},
		{"rollup", "ROLLUP(a, b)", [][]string{{"a", "b"}, {"a"}, {}}, []string{"a", "b"}},
		{"cube", "CUBE(a, b)", [][]string{{"a", "b"}, {"a"}, {"b"}, {}}, []string{"a", "b"}},
		{"grouping sets", "GROUPING SETS ((a, b), (a), ())", [][]string{{"a", "b"}, {"a"}, {}}, []string{"a", "b", "a"}},
		{"key and rollup", "a, ROLLUP(b, c)", [][]string{{"a", "b", "c"}, {"a", "b"}, {"a"}}, []string{"a", "b", "c"}},
		{"composite rollup element", "ROLLUP((a, b), c)", [][]string{{"a", "b", "c"}, {"a", "b"}, {}}, []string{"a", "b", "c"}},
		{"nested", "GROUPING SETS (a, ROLLUP(b), (c, d + 1))", [][]string{{"a"}, {"b"}, {}, {"c", "d+1"}},
			[]string{"a", "b", "c", "d+1"}},
		{"two cubes", "CUBE(a), CUBE(b)", [][]string{{"a", "b"}, {"a"}, {"b"}, {}}, []string{"a", "b"}},
		{"duplicate sets kept", "a, ROLLUP(a)", [][]string{{"a", "a"}, {"a"}}, []string{"a", "a"}},
		{"empty set", "()", [][]string{{}}, nil},
		{"positions", "ROLLUP(1, 2)", [][]string{{"1", "2"}, {"1"}, {}}, []string{"1", "2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := parseQueryOne(t, "SELECT a FROM t GROUP BY "+tc.groupBy+" HAVING count(*) > 0")
			g := groupByOf(t, q)
			got := q.GroupingSets(g)
			if (got == nil) != (tc.sets == nil) {
				t.Fatalf("GroupingSets = %v, want %v", got, tc.sets)
			}
			var sets [][]string
			for _, s := range got {
				names := []string{}
				for _, e := range s {
					names = append(names, restore(t, e))
				}
				sets = append(sets, names)
			}
			if !reflect.DeepEqual(sets, tc.sets) {
				t.Errorf("sets %q, want %q", sets, tc.sets)
			}
			var items []string
			for _, it := range g.Items {
				items = append(items, restore(t, it.Expr))
			}
			if !reflect.DeepEqual(items, tc.items) {
				t.Errorf("items %q, want %q", items, tc.items)
			}
			if tc.name == "positions" {
				if _, ok := got[0][0].(*ast.PositionExpr); !ok {
					t.Errorf("ROLLUP(1, 2) holds %T, want *ast.PositionExpr", got[0][0])
				}
			}
		})
	}
}

// TestGroupingPositions checks that the expressions of a rewritten GROUP BY and of a
// subscript point at the original text.
func TestGroupingPositions(t *testing.T) {
	sql := "SELECT 1;\nSELECT arr[k], x FROM t\nGROUP BY GROUPING SETS ((x, yy), ROLLUP(zz))"
	stmts, err := Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	q := stmts[1].(*Query)
	found := map[string][2]int{}
	walk(q.Node, func(n ast.Node) {
		if c, ok := n.(*ast.ColumnNameExpr); ok {
			line, col := q.Position(c.OriginTextPosition())
			found[fmt.Sprintf("%s@%d", c.Name.Name.O, len(found))] = [2]int{line, col}
		}
	})
	// Counted by hand: line 2 "SELECT arr[k], x FROM t", line 3
	// "GROUP BY GROUPING SETS ((x, yy), ROLLUP(zz))".
	want := map[[2]int]bool{{2, 8}: true, {2, 12}: true, {2, 16}: true, {3, 26}: true, {3, 29}: true, {3, 41}: true}
	for name, pos := range found {
		if !want[pos] {
			t.Errorf("%s at %v, not at any expected position", name, pos)
		}
		delete(want, pos)
	}
	if len(want) != 0 {
		t.Errorf("positions not found: %v (got %v)", want, found)
	}
	field := q.Node.(*ast.SelectStmt).Fields.Fields[0]
	if field.Text() != "arr[k]" {
		t.Errorf("select field text %q, want %q", field.Text(), "arr[k]")
	}
}

func TestGroupingErrors(t *testing.T) {
	tests := []struct {
		name      string
		sql       string
		line, col int
		msg, near string
	}{
		{name: "too many sets", sql: "SELECT 1 FROM t\nGROUP BY CUBE(a, b, c, d, e, f, g, h, i, j, k, l, m)", line: 2, col: 10,
			msg: "too many grouping sets (at most 4096)", near: "CUBE"},
		{name: "too many sets in a product", sql: "SELECT 1 FROM t GROUP BY CUBE(a, b, c, d, e, f, g), CUBE(h, i, j, k, l, m)", line: 1, col: 53,
			msg: "too many grouping sets (8192, at most 4096)", near: "CUBE"},
		{name: "with rollup and rollup", sql: "SELECT 1 FROM t GROUP BY a, ROLLUP(b) WITH ROLLUP", line: 1, col: 29,
			msg: "WITH ROLLUP cannot be combined with ROLLUP, CUBE, GROUPING SETS or ()", near: "ROLLUP"},
		{name: "nested cube in rollup", sql: "SELECT 1 FROM t GROUP BY ROLLUP(a, CUBE(b))", line: 1, col: 36,
			msg: "ROLLUP and CUBE take expressions or parenthesized lists of expressions", near: "CUBE"},
		// Not rewritten: TiDB's ROLLUP keyword cannot start a call.
		{name: "unclosed rollup", sql: "SELECT 1 FROM t GROUP BY ROLLUP(a", line: 1, col: 32, near: "("},
		{name: "syntax error after a rewrite", sql: "SELECT 1 FROM t GROUP BY GROUPING SETS ((a), ()) HAVING = 1", line: 1, col: 57, near: "="},
		{name: "syntax error after a subscript", sql: "SELECT a[1] FROM t WHERE = 1", line: 1, col: 26, near: "="},
		{name: "syntax error in a subscript", sql: "SELECT a[1 +] FROM t", line: 1, col: 13, near: "]"},
		{name: "reserved marker name", sql: "SELECT 1 FROM t GROUP BY __ember_rollup(a)", line: 1, col: 26},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.sql)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, want an *Error", tc.sql, err)
			}
			if pe.Line != tc.line || pe.Column != tc.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", pe.Line, pe.Column, tc.line, tc.col, pe)
			}
			if tc.msg != "" && pe.Msg != tc.msg {
				t.Errorf("msg %q, want %q", pe.Msg, tc.msg)
			}
			if tc.near != "" && pe.Near != tc.near {
				t.Errorf("near %q, want %q", pe.Near, tc.near)
			}
		})
	}
}

// TestGroupingSetsInStatements parses grouping sets in the places a GROUP BY can be and next
// to the other rewrites, and counts the clauses that got sets.
func TestGroupingSetsInStatements(t *testing.T) {
	tests := []struct {
		sql  string
		sets int // GROUP BY clauses with grouping sets
	}{
		{"SELECT a FROM t GROUP BY ROLLUP(a) ORDER BY a NULLS FIRST LIMIT 3", 1},
		{"WITH x AS (SELECT a FROM t GROUP BY CUBE(a)) SELECT * FROM x", 1},
		{"SELECT a FROM t GROUP BY ROLLUP(a) UNION ALL SELECT b FROM u GROUP BY b WITH ROLLUP", 2},
		{"SELECT * FROM (SELECT a FROM t GROUP BY GROUPING SETS ((a), ())) s FULL JOIN u ON s.a = u.a", 1},
		{"SELECT a FROM t WHERE a IN (SELECT b FROM u GROUP BY ROLLUP(b)) GROUP BY a", 1},
		{"SELECT CAST(a AS INTEGER) FROM t GROUP BY ROLLUP(CAST(a AS INTEGER)), ()", 1},
		{"CREATE VIEW v AS SELECT a, count(*) FROM t GROUP BY CUBE(a)", 1},
		{"SELECT a FROM t GROUP BY a", 0},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			var q *Query
			switch st := parseOne(t, tc.sql).(type) {
			case *Query:
				q = st
			case *CreateView:
				q = st.Query
			default:
				t.Fatalf("got %T", st)
			}
			n := 0
			walk(q.Node, func(x ast.Node) {
				if g, ok := x.(*ast.GroupByClause); ok && q.GroupingSets(g) != nil {
					n++
				}
			})
			if n != tc.sets {
				t.Errorf("%d GROUP BY clauses with grouping sets, want %d", n, tc.sets)
			}
		})
	}
}
