package parser

import (
	"errors"
	"reflect"
	"testing"
)

func TestCacheForms(t *testing.T) {
	tests := []struct {
		sql       string
		want      Statement // SQL fields and queries are checked separately
		wantQuery bool
	}{
		{"CACHE TABLE t", &CacheTable{Name: "t", Options: map[string]string{}}, false},
		{"cache lazy table db.`my t`", &CacheTable{Name: "db.my t", Lazy: true, Options: map[string]string{}}, false},
		{"CACHE TABLE t OPTIONS ('storageLevel' 'DISK_ONLY')", &CacheTable{Name: "t", Options: map[string]string{"storagelevel": "DISK_ONLY"}}, false},
		{"CACHE TABLE t OPTIONS (storageLevel = 'MEMORY_ONLY') AS SELECT a FROM u", &CacheTable{Name: "t", Options: map[string]string{"storagelevel": "MEMORY_ONLY"}}, true},
		{"CACHE TABLE t SELECT 1", &CacheTable{Name: "t", Options: map[string]string{}}, true},
		{"UNCACHE TABLE t", &UncacheTable{Name: "t"}, false},
		{"uncache table if exists d.t", &UncacheTable{Name: "d.t", IfExists: true}, false},
		{"CLEAR CACHE", &ClearCache{}, false},
		{"REFRESH TABLE t", &RefreshTable{Name: "t"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			st := parseOne(t, tc.sql)
			if st.Text() != tc.sql {
				t.Errorf("text %q", st.Text())
			}
			switch x := st.(type) {
			case *CacheTable:
				if (x.Query != nil) != tc.wantQuery || x.Query != nil && !x.Query.IsSelect() {
					t.Errorf("query %+v, want one: %v", x.Query, tc.wantQuery)
				}
				x.Query = nil
				x.SQL = ""
			case *UncacheTable:
				x.SQL = ""
			case *ClearCache:
				x.SQL = ""
			case *RefreshTable:
				x.SQL = ""
			}
			if !reflect.DeepEqual(st, tc.want) {
				t.Errorf("got  %#v\nwant %#v", st, tc.want)
			}
		})
	}
}

func TestCacheFormsErrors(t *testing.T) {
	tests := []parseErrorCase{
		{"CACHE t", 1, 7, "expected TABLE"},
		{"CACHE TABLE", 1, 12, "expected a table name at end of statement"},
		{"CACHE TABLE t AS", 1, 17, "expected a query after AS at end of statement"},
		{"CACHE TABLE t AS DELETE FROM u", 1, 18, "expected a SELECT query after AS"},
		{"CACHE TABLE t OPTIONS (a)", 1, 25, `expected a quoted string, a number, TRUE or FALSE as the value of option "a"`},
		{"UNCACHE t", 1, 9, "expected TABLE"},
		{"UNCACHE TABLE IF t", 1, 18, "expected EXISTS"},
		{"UNCACHE TABLE t u", 1, 17, "expected the end of the statement"},
		{"CLEAR CACHE now", 1, 13, "expected the end of the statement"},
		{"REFRESH TABLE", 1, 14, "expected a table name at end of statement"},
	}
	checkParseErrors(t, tests)
}

// A table called cache or refresh is still a name elsewhere, and CLEAR/REFRESH without their
// second word go to TiDB.
func TestCacheWordsAreNames(t *testing.T) {
	for _, sql := range []string{"SELECT * FROM cache", "SELECT refresh FROM clear"} {
		if _, err := Parse(sql); err != nil {
			t.Errorf("%s: %v", sql, err)
		}
	}
	if _, err := Parse("REFRESH MATERIALIZED VIEW v"); err == nil {
		t.Errorf("REFRESH MATERIALIZED VIEW parsed")
	}
}

// parseErrorCase is a statement that must fail to parse with msg at line:col.
type parseErrorCase struct {
	sql       string
	line, col int
	msg       string
}

// checkParseErrors parses each case's statement and checks the *Error's position and
// message.
func checkParseErrors(t *testing.T, cases []parseErrorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
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
