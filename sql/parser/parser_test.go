package parser

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/mysql"
)

// parseOne parses sql and requires exactly one statement.
func parseOne(t *testing.T, sql string) Statement {
	t.Helper()
	stmts, err := Parse(sql)
	if err != nil {
		t.Fatalf("Parse(%q): %v", sql, err)
	}
	if len(stmts) != 1 {
		t.Fatalf("Parse(%q): %d statements, want 1", sql, len(stmts))
	}
	return stmts[0]
}

func parseQueryOne(t *testing.T, sql string) *Query {
	t.Helper()
	q, ok := parseOne(t, sql).(*Query)
	if !ok {
		t.Fatalf("Parse(%q) is not a *Query", sql)
	}
	return q
}

// visitor calls fn on every node before its children.
type visitor func(ast.Node)

func (v visitor) Enter(n ast.Node) (ast.Node, bool) { v(n); return n, false }
func (v visitor) Leave(n ast.Node) (ast.Node, bool) { return n, true }

func walk(n ast.Node, fn func(ast.Node)) { n.Accept(visitor(fn)) }

func TestParseStatements(t *testing.T) {
	tests := []struct {
		name  string
		sql   string
		texts []string
		types []string
	}{
		{"single", "SELECT 1", []string{"SELECT 1"}, []string{"*parser.Query"}},
		{"single with semicolon", "SELECT 1;", []string{"SELECT 1"}, []string{"*parser.Query"}},
		{"two", "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}, []string{"*parser.Query", "*parser.Query"}},
		{"last without semicolon", "SELECT 1;\nSELECT 2", []string{"SELECT 1", "SELECT 2"}, []string{"*parser.Query", "*parser.Query"}},
		{"comments and empty statements", "  SELECT 1 ;;\n-- only a comment\n;/* c */ SELECT 'a;b' -- t\n; ",
			[]string{"SELECT 1", "SELECT 'a;b'"}, []string{"*parser.Query", "*parser.Query"}},
		{"empty", "", nil, nil},
		{"only separators", " ; ;", nil, nil},
		{"only comments", "/* x */ -- y", nil, nil},
		{"mixed kinds",
			"CREATE TABLE t USING parquet LOCATION '/d'; CREATE VIEW v AS SELECT * FROM t; DROP TABLE t",
			[]string{"CREATE TABLE t USING parquet LOCATION '/d'", "CREATE VIEW v AS SELECT * FROM t", "DROP TABLE t"},
			[]string{"*parser.CreateTableUsing", "*parser.CreateView", "*parser.Query"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stmts, err := Parse(tc.sql)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var texts, types []string
			for _, s := range stmts {
				texts = append(texts, s.Text())
				types = append(types, fmt.Sprintf("%T", s))
			}
			if !reflect.DeepEqual(texts, tc.texts) || !reflect.DeepEqual(types, tc.types) {
				t.Errorf("got %q %v, want %q %v", texts, types, tc.texts, tc.types)
			}
			for _, s := range stmts {
				if q, ok := s.(*Query); ok && q.Node.Text() != q.SQL {
					t.Errorf("node text %q, want %q", q.Node.Text(), q.SQL)
				}
			}
		})
	}
}

// fromTrees renders the FROM clause of every SELECT in q, sorted: "(a FULL b)".
func fromTrees(q *Query) []string {
	var render func(ast.ResultSetNode) string
	render = func(n ast.ResultSetNode) string {
		switch x := n.(type) {
		case *ast.Join:
			if x.Right == nil {
				return render(x.Left)
			}
			op := "JOIN"
			switch {
			case q.IsFullJoin(x):
				op = "FULL"
			case x.Tp == ast.LeftJoin:
				op = "LEFT"
			case x.Tp == ast.RightJoin:
				op = "RIGHT"
			}
			if x.StraightJoin {
				op += "+STRAIGHT"
			}
			return "(" + render(x.Left) + " " + op + " " + render(x.Right) + ")"
		case *ast.TableSource:
			if x.AsName.O != "" {
				return x.AsName.O
			}
			return render(x.Source)
		case *ast.TableName:
			return x.Name.O
		}
		return fmt.Sprintf("%T", n)
	}
	var out []string
	walk(q.Node, func(n ast.Node) {
		if s, ok := n.(*ast.SelectStmt); ok && s.From != nil {
			out = append(out, render(s.From.TableRefs))
		}
	})
	sort.Strings(out)
	return out
}

func TestFullJoin(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"full", "SELECT * FROM a FULL JOIN b ON a.x = b.x", []string{"(a FULL b)"}},
		{"full outer using, lower case", "select * from a full outer join b using (x)", []string{"(a FULL b)"}},
		{"after left join", "SELECT * FROM a LEFT JOIN b ON 1=1 FULL JOIN c ON 1=1", []string{"((a LEFT b) FULL c)"}},
		{"several", "SELECT * FROM a FULL JOIN b ON 1=1 JOIN c ON 1=1 FULL OUTER JOIN d ON 1=1",
			[]string{"(((a FULL b) JOIN c) FULL d)"}},
		{"subqueries",
			"SELECT * FROM (SELECT * FROM a FULL JOIN b ON 1=1) s JOIN c ON 1=1 WHERE EXISTS (SELECT 1 FROM d FULL OUTER JOIN e ON 1=1)",
			[]string{"(a FULL b)", "(d FULL e)", "(s JOIN c)"}},
		{"union", "SELECT * FROM a FULL JOIN b ON 1=1 UNION SELECT * FROM c RIGHT JOIN d ON 1=1",
			[]string{"(a FULL b)", "(c RIGHT d)"}},
		// TiDB alone reads "a full JOIN b" as a join of a aliased full.
		{"bare full after table", "SELECT * FROM a full JOIN b ON 1=1", []string{"(a FULL b)"}},
		{"alias named full", "SELECT * FROM a AS full JOIN b ON 1=1", []string{"(full JOIN b)"}},
		{"straight_join operator is an inner join", "SELECT * FROM a STRAIGHT_JOIN b ON 1=1", []string{"(a JOIN b)"}},
		{"select option straight_join kept",
			"SELECT SQL_NO_CACHE STRAIGHT_JOIN * FROM a STRAIGHT_JOIN b FULL JOIN c ON 1=1",
			[]string{"((a JOIN b) FULL c)"}},
		{"alias sql_cache before straight_join", "SELECT * FROM a sql_cache STRAIGHT_JOIN b", []string{"(sql_cache JOIN b)"}},
		{"words in strings and comments", "SELECT 'a FULL JOIN b' FROM a /* FULL JOIN c */ JOIN b ON 1=1 -- FULL JOIN",
			[]string{"(a JOIN b)"}},
		{"qualified name full", "SELECT * FROM db.full JOIN b ON 1=1", []string{"(full JOIN b)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := parseQueryOne(t, tc.sql)
			if got := fromTrees(q); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("select option survives", func(t *testing.T) {
		q := parseQueryOne(t, "SELECT STRAIGHT_JOIN a FROM t FULL JOIN u ON 1=1")
		if !q.Node.(*ast.SelectStmt).SelectStmtOpts.StraightJoin {
			t.Error("SELECT STRAIGHT_JOIN option lost")
		}
	})
	t.Run("natural full join is not supported", func(t *testing.T) {
		if _, err := Parse("SELECT * FROM a NATURAL FULL JOIN b"); err == nil {
			t.Error("want an error")
		}
	})
}

// restoreExpr renders e without quotes: "a", "a+1", "#2" for a position.
func restoreExpr(t *testing.T, e ast.ExprNode) string {
	if p, ok := e.(*ast.PositionExpr); ok {
		return fmt.Sprintf("#%d", p.N)
	}
	var sb strings.Builder
	if err := e.Restore(format.NewRestoreCtx(format.RestoreStringSingleQuotes|format.RestoreKeyWordUppercase, &sb)); err != nil {
		t.Error(err) // not Fatal: also called from goroutines
	}
	return sb.String()
}

// orderBys renders every ORDER BY list of q, sorted: "a DESC NULLS LAST, b".
func orderBys(t *testing.T, q *Query) []string {
	var out []string
	walk(q.Node, func(n ast.Node) {
		o, ok := n.(*ast.OrderByClause)
		if !ok {
			return
		}
		var items []string
		for _, it := range o.Items {
			s := restoreExpr(t, it.Expr)
			if it.Desc {
				s += " DESC"
			}
			if first, explicit := q.NullsOrder(it); explicit {
				s += map[bool]string{true: " NULLS FIRST", false: " NULLS LAST"}[first]
			}
			items = append(items, s)
		}
		out = append(out, strings.Join(items, ", "))
	})
	sort.Strings(out)
	return out
}

func TestNullsOrder(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want []string
	}{
		{"first", "SELECT a FROM t ORDER BY a NULLS FIRST", []string{"a NULLS FIRST"}},
		{"per item", "SELECT a FROM t ORDER BY a DESC NULLS LAST, b, c ASC NULLS FIRST, d DESC",
			[]string{"a DESC NULLS LAST, b, c NULLS FIRST, d DESC"}},
		{"position stays a position", "SELECT a, b FROM t ORDER BY 2 NULLS LAST, 1", []string{"#2 NULLS LAST, #1"}},
		{"expression", "SELECT a FROM t ORDER BY f(a, b) + 1 DESC NULLS FIRST", []string{"F(a, b)+1 DESC NULLS FIRST"}}, // Restore writes function names upper-case
		{"union", "SELECT a FROM t UNION SELECT b FROM u ORDER BY a nulls last", []string{"a NULLS LAST"}},
		{"nested", "SELECT a FROM (SELECT a FROM t ORDER BY a DESC NULLS FIRST LIMIT 3) s ORDER BY a",
			[]string{"a", "a DESC NULLS FIRST"}},
		{"union of ordered queries",
			"(SELECT a FROM t ORDER BY a NULLS LAST LIMIT 1) UNION ALL (SELECT a FROM u ORDER BY a DESC NULLS FIRST LIMIT 1)",
			[]string{"a DESC NULLS FIRST", "a NULLS LAST"}},
		{"window", "SELECT ROW_NUMBER() OVER (PARTITION BY g ORDER BY a NULLS LAST) FROM t", []string{"a NULLS LAST"}},
		{"group_concat", "SELECT GROUP_CONCAT(a ORDER BY b DESC NULLS FIRST) FROM t", []string{"b DESC NULLS FIRST"}},
		{"subquery in an item", "SELECT a FROM t ORDER BY (SELECT MAX(b) FROM u ORDER BY b NULLS FIRST) NULLS LAST",
			[]string{"(SELECT MAX(b) FROM u ORDER BY b) NULLS LAST", "b NULLS FIRST"}},
		{"words in strings", "SELECT 'NULLS FIRST', `nulls` FROM t ORDER BY a /* NULLS LAST */", []string{"a"}},
		{"none", "SELECT a FROM t ORDER BY a DESC, b", []string{"a DESC, b"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := parseQueryOne(t, tc.sql)
			if got := orderBys(t, q); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("group by is not an order", func(t *testing.T) {
		if _, err := Parse("SELECT a FROM t GROUP BY a NULLS FIRST"); err == nil {
			t.Error("want an error")
		}
	})
}

func TestCast(t *testing.T) {
	tests := []struct {
		typ     string
		want    byte // mysql.Type*
		boolean bool
	}{
		{"INTEGER", mysql.TypeLonglong, false},
		{"int", mysql.TypeLonglong, false},
		{"BIGINT", mysql.TypeLonglong, false},
		{"SIGNED INTEGER", mysql.TypeLonglong, false},
		{"VARCHAR", mysql.TypeVarString, false},
		{"TEXT", mysql.TypeVarString, false},
		{"string", mysql.TypeVarString, false},
		{"CHAR", mysql.TypeVarString, false},
		{"TIMESTAMP", mysql.TypeDatetime, false},
		{"TIMESTAMP(3)", mysql.TypeDatetime, false},
		{"BOOLEAN", mysql.TypeTiny, true},
		{"bool", mysql.TypeTiny, true},
		{"DOUBLE", mysql.TypeDouble, false},
		{"REAL", mysql.TypeDouble, false},
		{"FLOAT", mysql.TypeFloat, false},
		{"DECIMAL(10, 2)", mysql.TypeNewDecimal, false},
		{"DATE", mysql.TypeDate, false},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			field := "CAST(a AS " + tc.typ + ")"
			q := parseQueryOne(t, "SELECT "+field+" FROM t")
			f := q.Node.(*ast.SelectStmt).Fields.Fields[0]
			c, ok := f.Expr.(*ast.FuncCastExpr)
			if !ok {
				t.Fatalf("field is %T", f.Expr)
			}
			if c.Tp.GetType() != tc.want || IsBooleanCast(c) != tc.boolean || c.Tp.IsArray() {
				t.Errorf("type %v (boolean %v, array %v), want type %d boolean %v", c.Tp, IsBooleanCast(c), c.Tp.IsArray(), tc.want, tc.boolean)
			}
			if tc.want == mysql.TypeLonglong && mysql.HasUnsignedFlag(c.Tp.GetFlag()) {
				t.Error("unsigned")
			}
			if f.Text() != field {
				t.Errorf("field text %q, want the original %q", f.Text(), field)
			}
		})
	}
	t.Run("timestamp precision", func(t *testing.T) {
		c := parseQueryOne(t, "SELECT CAST(a AS TIMESTAMP(3))").Node.(*ast.SelectStmt).Fields.Fields[0].Expr.(*ast.FuncCastExpr)
		if c.Tp.GetDecimal() != 3 {
			t.Errorf("decimal %d, want 3", c.Tp.GetDecimal())
		}
	})
	t.Run("nested", func(t *testing.T) {
		c := parseQueryOne(t, "SELECT CAST(CAST(a AS BOOLEAN) AS STRING)").Node.(*ast.SelectStmt).Fields.Fields[0].Expr.(*ast.FuncCastExpr)
		inner := c.Expr.(*ast.FuncCastExpr)
		if c.Tp.GetType() != mysql.TypeVarString || !IsBooleanCast(inner) {
			t.Errorf("outer %v inner %v", c.Tp, inner.Tp)
		}
	})
}

func TestPosition(t *testing.T) {
	sql := "SELECT 1;\nSELECT CAST(a AS BOOLEAN), x FROM t FULL JOIN u ON t.k = u.k\n  ORDER BY x NULLS FIRST, yy"
	stmts, err := Parse(sql)
	if err != nil {
		t.Fatal(err)
	}
	q := stmts[1].(*Query)
	found := map[string][2]int{}
	walk(q.Node, func(n ast.Node) {
		if c, ok := n.(*ast.ColumnNameExpr); ok {
			line, col := q.Position(c.OriginTextPosition())
			found[c.Name.Name.O+"@"+fmt.Sprint(len(found))] = [2]int{line, col}
		}
	})
	// Expected positions, counted by hand: line 2 "SELECT CAST(a AS BOOLEAN), x FROM t FULL JOIN u ON t.k = u.k",
	// line 3 "  ORDER BY x NULLS FIRST, yy".
	want := map[[2]int]bool{{2, 13}: true, {2, 28}: true, {2, 52}: true, {2, 58}: true, {3, 12}: true, {3, 27}: true}
	for name, pos := range found {
		if !want[pos] {
			t.Errorf("%s at %v, not at any expected position", name, pos)
		}
		delete(want, pos)
	}
	if len(want) != 0 {
		t.Errorf("positions not found: %v (got %v)", want, found)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name       string
		sql        string
		line, col  int
		msg, near  string
		errorsText string // the whole Error(), when set
	}{
		{name: "misspelt FROM", sql: "SELECT * FORM t", line: 1, col: 10, msg: "syntax error", near: "FORM",
			errorsText: `line 1 column 10: syntax error near "FORM"`},
		{name: "third line of a script", sql: "SELECT 1;\nSELECT 2;\nSELECT * FORM t", line: 3, col: 10, msg: "syntax error", near: "FORM"},
		{name: "third line of a statement", sql: "SELECT a,\n  b\nFROM t WHERE a = = 1", line: 3, col: 18, msg: "syntax error", near: "="},
		// The end of a statement is just after its last token.
		{name: "end of statement", sql: "SELECT 1;\nSELECT a FROM t WHERE ;", line: 2, col: 22, msg: "syntax error at end of statement",
			errorsText: "line 2 column 22: syntax error at end of statement"},
		{name: "characters not bytes", sql: "SELECT 'é';\nSELECT 'ü' + FROM t", line: 2, col: 14, msg: "syntax error", near: "FROM"},
		{name: "after a FULL JOIN rewrite", sql: "SELECT * FROM a FULL OUTER JOIN b ON 1=1 WHERE x = = 1", line: 1, col: 52, near: "="},
		{name: "after a NULLS rewrite", sql: "SELECT a FROM t ORDER BY a NULLS FIRST, , b", line: 1, col: 41, near: ","},
		{name: "after CAST rewrites", sql: "SELECT CAST(a AS INTEGER),\n  CAST(b AS BOOLEAN)\nFROM t WHERE", line: 3, col: 13,
			msg: "syntax error at end of statement"},
		{name: "two NULLS in an item", sql: "SELECT a FROM t ORDER BY a NULLS FIRST NULLS LAST", line: 1, col: 40, near: "NULLS"},
		{name: "in the rewritten CAST type", sql: "SELECT CAST(a AS VARCHAR(10)) FROM t", line: 1, col: 18, near: "VARCHAR"},
		{name: "unterminated string", sql: "SELECT 1;\nSELECT 'abc", line: 2, col: 8, msg: "unterminated string literal", near: "'abc"},
		{name: "unterminated identifier", sql: "SELECT `abc", line: 1, col: 8, msg: "unterminated quoted identifier"},
		{name: "unterminated comment", sql: "SELECT 1; /* x", line: 1, col: 11, msg: "unterminated comment"},
		{name: "reserved identifier", sql: "SELECT __EMBER_nulls_first(a) FROM t", line: 1, col: 8, near: "__EMBER_nulls_first"},
		{name: "reserved quoted identifier", sql: "SELECT `__ember_x` FROM t", line: 1, col: 8},
		{name: "cast to array", sql: "SELECT CAST(a AS SIGNED ARRAY) FROM t", line: 1, col: 25, msg: "CAST to an ARRAY type is not supported"},
		{name: "error without a position", sql: "SELECT 1;\n  SELECT CAST(a AS FLOAT(60))", line: 2, col: 3,
			msg: "Too-big precision 60 specified for 'CAST'. Maximum is 53"},
		{name: "in a view's query", sql: "CREATE VIEW v AS\nSELECT * FORM t", line: 2, col: 10, near: "FORM"},
		{name: "in a CTAS query", sql: "CREATE TABLE t USING csv AS\n  SELECT a FROM s FULL JOIN u ON", line: 2, col: 33,
			msg: "syntax error at end of statement"},
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
			if tc.errorsText != "" && pe.Error() != tc.errorsText {
				t.Errorf("Error() = %q, want %q", pe.Error(), tc.errorsText)
			}
		})
	}
}

func TestLongNumericLiteral(t *testing.T) {
	digits := strings.Repeat("9", 500)
	tests := []struct {
		name      string
		sql       string
		line, col int
	}{
		{"integer", "SELECT " + digits, 1, 8},
		{"decimal on line 2", "SELECT 1;\nSELECT a + 1." + digits + " FROM t", 2, 12},
		{"in a view", "CREATE VIEW v AS SELECT " + digits, 1, 25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.sql)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if pe.Line != tc.line || pe.Column != tc.col || !strings.Contains(pe.Msg, "too long") {
				t.Errorf("got %v, want line %d column %d, too long", pe, tc.line, tc.col)
			}
		})
	}
	// The parser that panicked is not reused; the next parse still works.
	parseQueryOne(t, "SELECT 1")
}

func TestFileTableName(t *testing.T) {
	q := parseQueryOne(t, "SELECT * FROM parquet.`/tmp/x.parquet`")
	tn := q.Node.(*ast.SelectStmt).From.TableRefs.Left.(*ast.TableSource).Source.(*ast.TableName)
	if tn.Schema.O != "parquet" || tn.Name.O != "/tmp/x.parquet" {
		t.Errorf("schema %q name %q", tn.Schema.O, tn.Name.O)
	}
}

// TestParseConcurrent runs Parse from several goroutines (run with -race): the pooled TiDB
// parsers must never be shared.
func TestParseConcurrent(t *testing.T) {
	sqls := []string{
		"SELECT a FROM t FULL JOIN u ON t.k = u.k ORDER BY a NULLS FIRST",
		"SELECT * FORM t",
		"SELECT " + strings.Repeat("7", 100),
		"CREATE VIEW v AS SELECT CAST(a AS BOOLEAN) FROM t",
	}
	outcome := func(sql string) string {
		stmts, err := Parse(sql)
		if err != nil {
			return err.Error()
		}
		var b strings.Builder
		for _, s := range stmts {
			fmt.Fprintf(&b, "%T %s;", s, s.Text())
			if q, ok := s.(*Query); ok {
				fmt.Fprint(&b, fromTrees(q), orderBys(t, q))
			}
		}
		return b.String()
	}
	want := make([]string, len(sqls))
	for i, s := range sqls {
		want[i] = outcome(s)
	}
	done := make(chan error)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				k := (g + i) % len(sqls)
				if got := outcome(sqls[k]); got != want[k] {
					done <- fmt.Errorf("%q: got %s, want %s", sqls[k], got, want[k])
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	const q = "SELECT l_returnflag, sum(l_quantity) FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag ORDER BY 1 NULLS LAST"
	for b.Loop() {
		if _, err := Parse(q); err != nil {
			b.Fatal(err)
		}
	}
}
