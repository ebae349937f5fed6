package parser

import "testing"

func TestRewrite(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"full join", "SELECT * FROM a FULL JOIN b ON 1", "SELECT * FROM a STRAIGHT_JOIN  b ON 1"},
		{"full outer join", "SELECT * FROM a full outer join b USING (x)", "SELECT * FROM a STRAIGHT_JOIN   b USING (x)"},
		{"comment inside kept", "a FULL/*x*/JOIN b", "a STRAIGHT_JOIN/*x*/ b"},
		{"straight_join operator", "SELECT * FROM a STRAIGHT_JOIN b", "SELECT * FROM a JOIN b"},
		{"straight_join option", "SELECT DISTINCT /*+ hint */ STRAIGHT_JOIN a FROM t", "SELECT DISTINCT /*+ hint */ STRAIGHT_JOIN a FROM t"},
		{"alias full", "SELECT * FROM a AS full JOIN b", "SELECT * FROM a AS full JOIN b"},
		{"natural full", "SELECT * FROM a NATURAL FULL JOIN b", "SELECT * FROM a NATURAL FULL JOIN b"},
		{"show full", "SHOW FULL TABLES", "SHOW FULL TABLES"},
		{"explain verbose", "EXPLAIN VERBOSE SELECT 1", "EXPLAIN FORMAT='verbose' SELECT 1"},
		{"explain logical", "explain Logical SELECT 1", "explain FORMAT='logical' SELECT 1"},
		{"explain physical", "EXPLAIN PHYSICAL SELECT physical FROM t", "EXPLAIN FORMAT='physical' SELECT physical FROM t"},
		{"logical elsewhere untouched", "SELECT logical FROM t", "SELECT logical FROM t"},
		{"verbose elsewhere untouched", "SELECT verbose FROM t", "SELECT verbose FROM t"},
		{"nulls first", "SELECT a FROM t ORDER BY a NULLS FIRST", "SELECT a FROM t ORDER BY  __ember_nulls_first(a)  "},
		{"nulls last with desc", "ORDER BY a DESC NULLS LAST, b", "ORDER BY  __ember_nulls_last(a) DESC  , b"},
		{"nulls on second item", "ORDER BY a, f(b, c) NULLS FIRST", "ORDER BY a,  __ember_nulls_first(f(b, c))  "},
		{"nulls glued to parentheses", "ORDER BY(a)NULLS FIRST", "ORDER BY __ember_nulls_first((a)) "},
		{"nulls in group by untouched", "GROUP BY a NULLS FIRST", "GROUP BY a NULLS FIRST"},
		{"nulls without order by untouched", "SELECT a NULLS FIRST", "SELECT a NULLS FIRST"},
		{"second nulls in an item untouched", "ORDER BY a NULLS FIRST NULLS LAST", "ORDER BY  __ember_nulls_first(a)   NULLS LAST"},
		{"nulls with nothing before", "ORDER BY NULLS FIRST", "ORDER BY NULLS FIRST"},
		{"cast integer", "SELECT CAST(x AS INTEGER), CAST(y AS int), CAST(z AS BIGINT)", "SELECT CAST(x AS SIGNED), CAST(y AS SIGNED), CAST(z AS SIGNED)"},
		{"cast signed integer untouched", "CAST(x AS SIGNED INTEGER)", "CAST(x AS SIGNED INTEGER)"},
		{"cast strings", "CAST(x AS VARCHAR), CAST(x AS TEXT), CAST(x AS String)", "CAST(x AS CHAR), CAST(x AS CHAR), CAST(x AS CHAR)"},
		{"cast varchar with length untouched", "CAST(x AS VARCHAR(3))", "CAST(x AS VARCHAR(3))"},
		{"cast timestamp", "CAST(x AS TIMESTAMP(6))", "CAST(x AS DATETIME(6))"},
		{"cast boolean", "CAST(x AS BOOLEAN)", "CAST(x AS SIGNED ARRAY)"},
		{"cast nested", "CAST(CAST((SELECT a AS b FROM t) AS INT) AS TEXT)", "CAST(CAST((SELECT a AS b FROM t) AS SIGNED) AS CHAR)"},
		{"cast as a name", "SELECT t.cast(x AS INT)", "SELECT t.cast(x AS INT)"},
		{"native types untouched", "CAST(x AS DOUBLE), CAST(x AS DATE), CAST(x AS DECIMAL(9,2))", "CAST(x AS DOUBLE), CAST(x AS DATE), CAST(x AS DECIMAL(9,2))"},
		{"strings, identifiers and comments untouched",
			"SELECT 'FULL JOIN', \"ORDER BY a NULLS FIRST\", `CAST(a AS INT)`, 'it''s CAST(a AS INT)', 'a\\' FULL JOIN' /* FULL JOIN */ # CAST(a AS INT)\n-- ORDER BY a NULLS LAST\nFROM t",
			"SELECT 'FULL JOIN', \"ORDER BY a NULLS FIRST\", `CAST(a AS INT)`, 'it''s CAST(a AS INT)', 'a\\' FULL JOIN' /* FULL JOIN */ # CAST(a AS INT)\n-- ORDER BY a NULLS LAST\nFROM t"},
		{"string right after order by", "ORDER BY 'x' NULLS FIRST", "ORDER BY  __ember_nulls_first('x')  "},
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

// TestRewriteOffsets checks the map from the rewritten text back to the original.
func TestRewriteOffsets(t *testing.T) {
	in := "SELECT a FROM t FULL JOIN u ORDER BY a NULLS FIRST, b"
	//     0         1         2         3         4         5
	//     0123456789012345678901234567890123456789012345678901234
	rw, err := rewrite(in, significant(lex(in)), 0, len(in))
	if err != nil {
		t.Fatal(err)
	}
	// rewritten: "SELECT a FROM t STRAIGHT_JOIN  u ORDER BY  __ember_nulls_first(a)  , b"
	tests := []struct {
		newOff, origStart, origEnd int
	}{
		{0, 0, 0},
		{16, 16, 16}, // start of STRAIGHT_JOIN: FULL; as an end, nothing of it
		{20, 16, 20}, // inside STRAIGHT_JOIN
		{29, 20, 20}, // just after STRAIGHT_JOIN, the space before JOIN
		{30, 25, 21}, // after the deleted JOIN; as an end, just before JOIN
		{31, 26, 26}, // u
		{42, 37, 37}, // inside the inserted marker
		{63, 37, 37}, // a; as an end, the end of the marker
		{64, 38, 38}, // the inserted ')'
		{69, 52, 52}, // b
		{70, 53, 53}, // the end
	}
	for _, tc := range tests {
		if got := rw.origStart(tc.newOff); got != tc.origStart {
			t.Errorf("origStart(%d) = %d, want %d", tc.newOff, got, tc.origStart)
		}
		if got := rw.origEnd(tc.newOff); got != tc.origEnd {
			t.Errorf("origEnd(%d) = %d, want %d", tc.newOff, got, tc.origEnd)
		}
	}
}
