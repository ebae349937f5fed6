package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

func TestAnalyzeForms(t *testing.T) {
	cases := []struct {
		sql    string
		tables string // db.name, comma-separated
		choice ast.ColumnChoice
		cols   string
	}{
		{"ANALYZE TABLE t", "t", ast.DefaultChoice, ""},
		{"ANALYZE TABLE t COMPUTE STATISTICS", "t", ast.DefaultChoice, ""},
		{"analyze table d.t compute statistics;", "d.t", ast.DefaultChoice, ""},
		{"ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS a, `b c`", "t", ast.ColumnList, "a,b c"},
		{"ANALYZE TABLE t COMPUTE STATISTICS FOR ALL COLUMNS", "t", ast.AllColumns, ""},
		{"ANALYZE TABLE `compute` COMPUTE STATISTICS", "compute", ast.DefaultChoice, ""},
		{"ANALYZE TABLE stats, d.u COMPUTE STATISTICS", "stats,d.u", ast.DefaultChoice, ""},
		// TiDB's own forms pass unchanged.
		{"ANALYZE TABLE t COLUMNS a", "t", ast.ColumnList, "a"},
		{"ANALYZE TABLE t ALL COLUMNS", "t", ast.AllColumns, ""},
	}
	for _, c := range cases {
		stmts, err := Parse(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		n, ok := stmts[0].(*Query).Node.(*ast.AnalyzeTableStmt)
		if !ok {
			t.Errorf("%s: got %T", c.sql, stmts[0].(*Query).Node)
			continue
		}
		var tables, cols []string
		for _, tn := range n.TableNames {
			name := tn.Name.O
			if tn.Schema.O != "" {
				name = tn.Schema.O + "." + name
			}
			tables = append(tables, name)
		}
		for _, col := range n.ColumnNames {
			cols = append(cols, col.O)
		}
		if got := strings.Join(tables, ","); got != c.tables {
			t.Errorf("%s: tables %q, want %q", c.sql, got, c.tables)
		}
		if got := strings.Join(cols, ","); got != c.cols || n.ColumnChoice != c.choice {
			t.Errorf("%s: columns %q choice %v, want %q %v", c.sql, got, n.ColumnChoice, c.cols, c.choice)
		}
		if stmts[0].Text() != strings.TrimSuffix(c.sql, ";") {
			t.Errorf("%s: text %q", c.sql, stmts[0].Text())
		}
	}
}

func TestShowStats(t *testing.T) {
	cases := []struct {
		sql, table string
		stats      bool
	}{
		{"SHOW STATS t", "t", true},
		{"show stats for d.t", "d.t", true},
		{"SHOW STATS `for`", "for", true},
		{"SHOW STATS stats", "stats", true},
		{"SHOW COLUMNS FROM t", "t", false},
	}
	for _, c := range cases {
		stmts, err := Parse(c.sql)
		if err != nil {
			t.Errorf("%s: %v", c.sql, err)
			continue
		}
		q := stmts[0].(*Query)
		n, ok := q.Node.(*ast.ShowStmt)
		if !ok || n.Tp != ast.ShowColumns {
			t.Errorf("%s: got %#v", c.sql, q.Node)
			continue
		}
		name := n.Table.Name.O
		if n.Table.Schema.O != "" {
			name = n.Table.Schema.O + "." + name
		}
		if name != c.table || q.ShowStats() != c.stats {
			t.Errorf("%s: table %q stats %v, want %q %v", c.sql, name, q.ShowStats(), c.table, c.stats)
		}
	}
}

// TestAnalyzeFormErrors: what the rewrite does not accept is TiDB's syntax error, at the
// place the user wrote.
func TestAnalyzeFormErrors(t *testing.T) {
	cases := []struct{ sql, at string }{
		{"ANALYZE TABLE t COMPUTE STATISTICS NOSCAN", "NOSCAN"},
		{"ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS", ""},
		{"SHOW STATS", ""},
	}
	for _, c := range cases {
		_, err := Parse(c.sql)
		var pe *Error
		if !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want a parse error", c.sql, err)
			continue
		}
		if c.at != "" && !strings.Contains(err.Error(), c.at) {
			t.Errorf("%s: %v does not point at %s", c.sql, err, c.at)
		}
	}
}
