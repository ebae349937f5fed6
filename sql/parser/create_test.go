package parser

import (
	"errors"
	"reflect"
	"testing"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

func TestCreateTableUsing(t *testing.T) {
	tests := []struct {
		name   string
		sql    string
		want   CreateTableUsing // SQL is checked against sql, AsSelect separately
		asText string           // the AS query's text, if any
	}{
		{name: "minimal", sql: "CREATE TABLE t USING parquet LOCATION '/tmp/x'",
			want: CreateTableUsing{Name: "t", Format: "parquet", Options: map[string]string{}, Location: "/tmp/x"}},
		{name: "everything, lower case, options first",
			sql: "create or replace temporary table db.`my t` using CSV options (header 'true', Delimiter = ',', 'Path.X' = \"y\") location \"/d\"",
			want: CreateTableUsing{Name: "db.my t", OrReplace: true, Temporary: true, Format: "csv",
				Options: map[string]string{"header": "true", "delimiter": ",", "path.x": "y"}, Location: "/d"}},
		{name: "location first, numbers and booleans",
			sql: "CREATE EXTERNAL TABLE IF NOT EXISTS t USING json LOCATION 's3://b/k' OPTIONS (samplingRatio 0.5, multiLine TRUE, n = 3, a.b.c 'v')",
			want: CreateTableUsing{Name: "t", IfNotExists: true, External: true, Format: "json",
				Options: map[string]string{"samplingratio": "0.5", "multiline": "true", "n": "3", "a.b.c": "v"}, Location: "s3://b/k"}},
		{name: "columns", sql: "CREATE TABLE t (a INT, `b c` DECIMAL(10, 2), m MAP<STRING, INT>, s STRING NOT NULL) USING parquet",
			want: CreateTableUsing{Name: "t", Format: "parquet", Options: map[string]string{}, Columns: []ColumnDef{
				{"a", "INT"}, {"b c", "DECIMAL(10, 2)"}, {"m", "MAP<STRING, INT>"}, {"s", "STRING NOT NULL"}}}},
		{name: "escapes in strings", sql: `CREATE TABLE t USING csv OPTIONS (sep '\t', quote '''') LOCATION 'C:\\data'`,
			want: CreateTableUsing{Name: "t", Format: "csv", Options: map[string]string{"sep": "\t", "quote": "'"}, Location: `C:\data`}},
		{name: "empty options", sql: "CREATE TABLE t USING csv OPTIONS ()",
			want: CreateTableUsing{Name: "t", Format: "csv", Options: map[string]string{}}},
		{name: "as select", sql: "CREATE TABLE t USING parquet OPTIONS (compression 'zstd') LOCATION '/o' AS SELECT a FROM s FULL JOIN u ON s.k = u.k",
			want:   CreateTableUsing{Name: "t", Format: "parquet", Options: map[string]string{"compression": "zstd"}, Location: "/o"},
			asText: "SELECT a FROM s FULL JOIN u ON s.k = u.k"},
		{name: "as select after location, with comments", sql: "CREATE TABLE t USING parquet LOCATION '/o' /* c */ OPTIONS (a 'b') AS\n-- c\nSELECT 1",
			want:   CreateTableUsing{Name: "t", Format: "parquet", Options: map[string]string{"a": "b"}, Location: "/o"},
			asText: "SELECT 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, ok := parseOne(t, tc.sql).(*CreateTableUsing)
			if !ok {
				t.Fatalf("not a *CreateTableUsing")
			}
			if st.Text() != tc.sql {
				t.Errorf("text %q", st.Text())
			}
			got := *st
			got.SQL, got.AsSelect = "", nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			switch {
			case tc.asText == "" && st.AsSelect != nil:
				t.Errorf("unexpected AS query %q", st.AsSelect.SQL)
			case tc.asText != "" && (st.AsSelect == nil || st.AsSelect.SQL != tc.asText):
				t.Errorf("AS query %+v, want %q", st.AsSelect, tc.asText)
			}
		})
	}
	t.Run("full join in the AS query", func(t *testing.T) {
		st := parseOne(t, "CREATE TABLE t USING parquet AS SELECT a FROM s FULL JOIN u ON s.k = u.k").(*CreateTableUsing)
		if got := fromTrees(st.AsSelect); !reflect.DeepEqual(got, []string{"(s FULL u)"}) {
			t.Errorf("got %q", got)
		}
	})
}

func TestCreateGoesToTiDB(t *testing.T) {
	tests := []struct {
		sql  string
		want string
	}{
		{"CREATE TABLE t (a INT)", "*ast.CreateTableStmt"},
		{"CREATE TEMPORARY TABLE t (a INT)", "*ast.CreateTableStmt"},
		{"CREATE TABLE IF NOT EXISTS t (a INT, b VARCHAR(3)) AS SELECT 1, 'x'", "*ast.CreateTableStmt"},
		{"CREATE DATABASE d", "*ast.CreateDatabaseStmt"},
		{"CREATE INDEX i ON t (a)", "*ast.CreateIndexStmt"},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			q := parseQueryOne(t, tc.sql)
			if got := reflect.TypeOf(q.Node).String(); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCreateView(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		want     CreateView // SQL and Query checked separately
		nodeType string
	}{
		{name: "plain", sql: "CREATE VIEW v AS SELECT 1",
			want: CreateView{Name: "v", QuerySQL: "SELECT 1"}, nodeType: "*ast.SelectStmt"},
		{name: "everything, union", sql: "CREATE OR REPLACE GLOBAL TEMPORARY VIEW v (x COMMENT 'the x', `y`) AS SELECT a, b FROM t UNION ALL SELECT c, d FROM u",
			want: CreateView{Name: "v", OrReplace: true, Global: true, Temporary: true, Columns: []string{"x", "y"},
				QuerySQL: "SELECT a, b FROM t UNION ALL SELECT c, d FROM u"}, nodeType: "*ast.SetOprStmt"},
		{name: "if not exists, parenthesised", sql: "create temporary view if not exists `v` as (select 1)",
			want: CreateView{Name: "v", Temporary: true, IfNotExists: true, QuerySQL: "(select 1)"}, nodeType: "*ast.SelectStmt"},
		{name: "qualified, with", sql: "CREATE VIEW db.v AS WITH c AS (SELECT 1 AS x) SELECT x FROM c",
			want: CreateView{Name: "db.v", QuerySQL: "WITH c AS (SELECT 1 AS x) SELECT x FROM c"}, nodeType: "*ast.SelectStmt"},
		{name: "rewrites apply", sql: "CREATE OR REPLACE VIEW v AS SELECT CAST(a AS INTEGER) FROM t ORDER BY a NULLS FIRST",
			want: CreateView{Name: "v", OrReplace: true, QuerySQL: "SELECT CAST(a AS INTEGER) FROM t ORDER BY a NULLS FIRST"}, nodeType: "*ast.SelectStmt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, ok := parseOne(t, tc.sql).(*CreateView)
			if !ok {
				t.Fatalf("not a *CreateView")
			}
			if st.Text() != tc.sql {
				t.Errorf("text %q", st.Text())
			}
			if st.Query == nil || st.Query.SQL != st.QuerySQL || reflect.TypeOf(st.Query.Node).String() != tc.nodeType {
				t.Fatalf("query %+v, want a %s", st.Query, tc.nodeType)
			}
			if st.Query.Node.Text() != st.QuerySQL {
				t.Errorf("query node text %q", st.Query.Node.Text())
			}
			got := *st
			got.SQL, got.Query = "", nil
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	t.Run("nulls order in the view query", func(t *testing.T) {
		st := parseOne(t, "CREATE VIEW v AS SELECT a FROM t ORDER BY a DESC NULLS LAST").(*CreateView)
		if got := orderBys(t, st.Query); !reflect.DeepEqual(got, []string{"a DESC NULLS LAST"}) {
			t.Errorf("got %q", got)
		}
		if _, ok := st.Query.Node.(*ast.SelectStmt); !ok {
			t.Errorf("node %T", st.Query.Node)
		}
	})
}

func TestCreateErrors(t *testing.T) {
	tests := []struct {
		name      string
		sql       string
		line, col int
		msg       string
	}{
		{"or replace without using", "CREATE OR REPLACE TABLE t (a INT)", 1, 34,
			"expected USING (Ember's CREATE OR REPLACE and EXTERNAL tables are CREATE TABLE ... USING format) at end of statement"},
		{"external without using", "CREATE EXTERNAL TABLE t (a INT) LOCATION '/x'", 1, 33,
			"expected USING (Ember's CREATE OR REPLACE and EXTERNAL tables are CREATE TABLE ... USING format)"},
		{"no format", "CREATE TABLE t USING", 1, 21, "expected a data source format after USING at end of statement"},
		{"no path", "CREATE TABLE t USING parquet LOCATION", 1, 38, "expected a quoted path after LOCATION at end of statement"},
		{"path not quoted", "CREATE TABLE t USING parquet LOCATION /tmp", 1, 39, "expected a quoted path after LOCATION"},
		{"empty path", "CREATE TABLE t USING parquet LOCATION ''", 1, 39, "LOCATION must not be empty"},
		{"location twice", "CREATE TABLE t USING parquet LOCATION '/a'\n  LOCATION '/b'", 2, 3, "LOCATION given twice"},
		{"options twice", "CREATE TABLE t USING csv OPTIONS (a 'x') OPTIONS (b 'y')", 1, 42, "OPTIONS given twice"},
		{"option twice", "CREATE TABLE t USING csv OPTIONS (a 'x', A 'y')", 1, 42, `option "a" given twice`},
		{"bad option value", "CREATE TABLE t USING csv OPTIONS (a x)", 1, 37,
			`expected a quoted string, a number, TRUE or FALSE as the value of option "a"`},
		{"unclosed options", "CREATE TABLE t USING csv OPTIONS (a 'x'", 1, 40, "expected ')' at end of statement"},
		{"columns with as select", "CREATE TABLE t (a INT) USING parquet AS SELECT 1", 1, 38,
			"a column list cannot be given with AS SELECT (the query defines the columns)"},
		{"external without location", "CREATE EXTERNAL TABLE t USING parquet", 1, 38, "an EXTERNAL table needs a LOCATION"},
		{"or replace and if not exists", "CREATE OR REPLACE TABLE IF NOT EXISTS t USING csv", 1, 25,
			"OR REPLACE and IF NOT EXISTS cannot be used together"},
		{"unknown clause", "CREATE TABLE t USING parquet CLUSTERED BY (a)", 1, 30,
			"expected OPTIONS, PARTITIONED BY, LOCATION, AS or the end of the statement"},
		{"partition list", "CREATE TABLE t USING parquet PARTITIONED BY (a,) AS SELECT 1", 1, 48,
			"expected a partition column"},
		{"column without type", "CREATE TABLE t (a) USING parquet", 1, 18, "expected a type for column a"},
		{"duplicate column", "CREATE TABLE t (a INT, A INT) USING parquet", 1, 24, `duplicate column name "A"`},
		{"not a query after AS", "CREATE TABLE t USING parquet AS DELETE FROM x", 1, 33, "expected a SELECT query after AS"},
		{"global table", "CREATE GLOBAL TEMPORARY TABLE t USING csv", 1, 8, "GLOBAL is only allowed in CREATE GLOBAL TEMPORARY VIEW"},
		{"global view", "CREATE GLOBAL VIEW v AS SELECT 1", 1, 8, "GLOBAL needs TEMPORARY: CREATE GLOBAL TEMPORARY VIEW"},
		{"external view", "CREATE EXTERNAL VIEW v AS SELECT 1", 1, 8, "a view cannot be EXTERNAL"},
		{"qualified temporary view", "CREATE TEMPORARY VIEW db.v AS SELECT 1", 1, 23, "a temporary view name cannot be qualified with a database"},
		{"view without name", "CREATE VIEW AS SELECT 1", 1, 13, "expected a view name"},
		{"view without AS", "CREATE VIEW v SELECT 1", 1, 15, "expected AS"},
		{"view without query", "CREATE VIEW v AS", 1, 17, "expected a query after AS at end of statement"},
		{"view not a select", "CREATE VIEW v AS SHOW TABLES", 1, 18, "expected a SELECT query after AS"},
		{"mysql view options", "CREATE ALGORITHM = MERGE VIEW v AS SELECT 1", 1, 8,
			"view options ALGORITHM, DEFINER and SQL SECURITY are not supported"},
		{"or without replace", "CREATE OR VIEW v AS SELECT 1", 1, 11, "expected REPLACE"},
		{"temporary nothing", "CREATE TEMPORARY FUNCTION f", 1, 18, "expected TABLE, VIEW or MODEL"},
		{"view column list", "CREATE VIEW v (a, ) AS SELECT 1", 1, 19, "expected a column name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.sql)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if pe.Line != tc.line || pe.Column != tc.col || pe.Msg != tc.msg {
				t.Errorf("got %d:%d %q, want %d:%d %q", pe.Line, pe.Column, pe.Msg, tc.line, tc.col, tc.msg)
			}
		})
	}
}
