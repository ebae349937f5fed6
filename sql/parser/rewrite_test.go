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
		// Table functions in FROM become derived tables (see tableFunction).
		{"table function", "SELECT * FROM range(10)", "SELECT * FROM (SELECT __ember_table_function('range', 10)) AS `range`"},
		{"table function without arguments", "SELECT * FROM f()", "SELECT * FROM (SELECT __ember_table_function('f')) AS `f`"},
		{"table function with alias", "SELECT * FROM range(1, 5) r WHERE r.id > 1",
			"SELECT * FROM (SELECT __ember_table_function('range', 1, 5)) r WHERE r.id > 1"},
		{"table function with AS alias and columns", "SELECT x.* FROM generate_series(1, 10, 2) AS x(v)",
			"SELECT x.* FROM (SELECT __ember_table_function('generate_series', 1, 10, 2), __ember_table_columns('v')) AS x"},
		{"table function with quoted columns", "FROM f(1) x (`a b`, c)",
			"FROM (SELECT __ember_table_function('f', 1), __ember_table_columns('a b', 'c')) x  "},
		{"table functions in a FROM list", "SELECT * FROM t, range(2), u, range (3) AS b",
			"SELECT * FROM t, (SELECT __ember_table_function('range', 2)) AS `range`, u, (SELECT __ember_table_function ('range', 3)) AS b"},
		{"table function joined", "SELECT * FROM t JOIN range(5) r ON t.a = r.id LEFT OUTER JOIN range(2) USING (id)",
			"SELECT * FROM t JOIN (SELECT __ember_table_function('range', 5)) r ON t.a = r.id LEFT OUTER JOIN (SELECT __ember_table_function('range', 2)) AS `range` USING (id)"},
		{"table function in a full join", "SELECT * FROM range(3) FULL JOIN t ON true",
			"SELECT * FROM (SELECT __ember_table_function('range', 3)) AS `range` STRAIGHT_JOIN  t ON true"},
		{"table function after an ON condition", "FROM t JOIN u ON t.a = f(u.b, 1), range(2) r",
			"FROM t JOIN u ON t.a = f(u.b, 1), (SELECT __ember_table_function('range', 2)) r"},
		{"table function in a parenthesized join", "FROM (t, range(2) r)", "FROM (t, (SELECT __ember_table_function('range', 2)) r)"},
		{"table function in a subquery", "SELECT (SELECT count(*) FROM range(3)), a FROM t WHERE a IN (SELECT id FROM range(4) x)",
			"SELECT (SELECT count(*) FROM (SELECT __ember_table_function('range', 3)) AS `range`), a FROM t WHERE a IN (SELECT id FROM (SELECT __ember_table_function('range', 4)) x)"},
		{"table function arguments rewritten too", "FROM range(CAST('3' AS INTEGER), a[1]) r",
			"FROM (SELECT __ember_table_function('range', CAST('3' AS SIGNED), element_at(a, 1))) r"},
		{"quoted table function name", "FROM `my fn`(1)", "FROM (SELECT __ember_table_function('my fn', 1)) AS `my fn`"},
		{"table function named with quotes", "FROM `it's`(1)", "FROM (SELECT __ember_table_function('it''s', 1)) AS `it's`"},
		{"select option straight_join", "SELECT STRAIGHT_JOIN f(a) FROM t", "SELECT STRAIGHT_JOIN f(a) FROM t"},
		{"straight_join operator before a table function", "FROM t STRAIGHT_JOIN range(2) r ON true",
			"FROM t JOIN (SELECT __ember_table_function('range', 2)) r ON true"},
		{"calls outside FROM untouched", "SELECT f(a), g(b) FROM t WHERE h(c) GROUP BY a, k(b) ORDER BY a, m(c) LIMIT 1, 2",
			"SELECT f(a), g(b) FROM t WHERE h(c) GROUP BY a, k(b) ORDER BY a, m(c) LIMIT 1, 2"},
		{"FROM inside function calls untouched", "SELECT EXTRACT(YEAR FROM f(d)), SUBSTRING(s FROM abs(2)), TRIM(LEADING 'x' FROM g(s)) FROM t",
			"SELECT EXTRACT(YEAR FROM f(d)), SUBSTRING(s FROM abs(2)), TRIM(LEADING 'x' FROM g(s)) FROM t"},
		{"file and qualified tables untouched", "SELECT * FROM parquet.`/x(1)`, db.t, db.f(1)", "SELECT * FROM parquet.`/x(1)`, db.t, db.f(1)"},
		{"derived tables untouched", "SELECT * FROM (SELECT 1) AS s, (WITH c AS (SELECT 1) SELECT * FROM c) d",
			"SELECT * FROM (SELECT 1) AS s, (WITH c AS (SELECT 1) SELECT * FROM c) d"},
		{"insert column list untouched", "INSERT INTO t (a, b) SELECT a, f(b) FROM u", "INSERT INTO t (a, b) SELECT a, f(b) FROM u"},
		{"using, partition and index hints untouched", "SELECT * FROM t PARTITION (p0, p1) JOIN u USE INDEX (i, j) USING (a, b)",
			"SELECT * FROM t PARTITION (p0, p1) JOIN u USE INDEX (i, j) USING (a, b)"},
		{"lateral and values untouched", "SELECT * FROM t JOIN LATERAL (SELECT 1) x, VALUES (1)", "SELECT * FROM t JOIN LATERAL (SELECT 1) x, VALUES (1)"},
		{"table function in strings and comments untouched", "SELECT 'FROM range(3)' FROM t /* JOIN range(2) */ -- , range(1)\n",
			"SELECT 'FROM range(3)' FROM t /* JOIN range(2) */ -- , range(1)\n"},
		{"unclosed table function untouched", "SELECT * FROM range(3", "SELECT * FROM range(3"},
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
