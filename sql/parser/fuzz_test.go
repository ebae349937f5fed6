package parser

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// seeds are shared by both fuzz targets, next to the committed corpora under
// testdata/fuzz/.
var seeds = []string{
	"SELECT 1; SELECT 2",
	"SELECT 'a;b', \"c;d\", `e;f` FROM t -- ;\n; /* ; */ SELECT 1--1;",
	"SELECT * FROM a FULL OUTER JOIN b ON a.k = b.k ORDER BY 1 DESC NULLS LAST",
	"SELECT CAST(a AS BOOLEAN), CAST(b AS INTEGER), CAST(c AS STRING) FROM t",
	"CREATE OR REPLACE TEMPORARY VIEW v (a) AS SELECT 1 UNION SELECT 2",
	"CREATE TABLE t (a INT) USING csv OPTIONS (header 'true') LOCATION '/x'",
	"SELECT 'unterminated",
	"/* open",
	"SELECT 1e999999, 0." + strings.Repeat("1", 90),
	"SELECT a FROM t ORDER BY (a) NULLS FIRST, b NULLS",
	"#\n-- \n--x;\n\\';'\\",
}

func FuzzSplitStatements(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, script string) {
		complete, rest := SplitStatements(script)
		// Each statement is a non-empty piece of the script, in order, and rest is its tail.
		from := 0
		for _, s := range complete {
			i := strings.Index(script[from:], s)
			if s == "" || i < 0 {
				t.Fatalf("statement %q not found in order in %q", s, script)
			}
			from += i + len(s)
		}
		if rest != "" && (!strings.HasSuffix(script, rest) || len(script)-len(rest) < from) {
			t.Fatalf("rest %q is not the tail of %q", rest, script)
		}
		// Joining the statements again gives them back; the rest splits into nothing more.
		if complete != nil {
			again, againRest := SplitStatements(strings.Join(complete, ";") + ";")
			if !reflect.DeepEqual(again, complete) || againRest != "" {
				t.Fatalf("re-split %q gave %q, %q", complete, again, againRest)
			}
		}
		if again, againRest := SplitStatements(rest); again != nil || againRest != rest {
			t.Fatalf("rest %q split into %q, %q", rest, again, againRest)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		stmts, err := Parse(sql)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is a %T, not an *Error", err, err)
			}
			if pe.Line < 1 || pe.Line > strings.Count(sql, "\n")+1 || pe.Column < 1 {
				t.Fatalf("error %v outside the text", pe)
			}
			return
		}
		for _, s := range stmts {
			if !strings.Contains(sql, s.Text()) {
				t.Fatalf("statement text %q not in the input", s.Text())
			}
		}
	})
}
