package binder

import (
	"strings"
	"testing"

	"github.com/embersql/ember/sql/planner"
)

const (
	scanT        = "Scan: t [a, b, c, d, ts, n]"
	scanU        = "Scan: u [a, e]"
	scanOrders   = "Scan: orders [o_orderkey, o_custkey, o_orderdate, o_totalprice, o_orderstatus]"
	scanLineitem = "Scan: lineitem [l_orderkey, l_quantity, l_extendedprice, l_discount, l_tax, l_returnflag, l_shipdate, l_comment]"
)

// plan joins EXPLAIN lines, each already indented as Explain indents (two spaces a level).
func plan(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// The expected plans and types below are derived by hand from the rules in coerce.go and
// doc.go; the comments give the arithmetic where it is not obvious.
var bindCases = []struct {
	name string
	sql  string
	plan string
	out  string // output columns as name:TYPE
}{
	// Projections, names, stars.
	{"columns and alias", "SELECT a, b AS bee FROM t",
		plan("Project: t.a, t.b AS bee", "  "+scanT), "a:INT, bee:DOUBLE"},
	{"case-insensitive names", "SELECT A, T.B FROM T",
		plan("Project: t.a, t.b", "  "+scanT), "a:INT, b:DOUBLE"},
	{"star", "SELECT * FROM u",
		plan("Project: u.a, u.e", "  "+scanU), "a:INT, e:BIGINT"},
	{"qualified star and column", "SELECT u.*, t.c FROM t, u",
		plan("Project: u.a, u.e, t.c", "  Join: Cross", "    "+scanT, "    "+scanU), "a:INT, e:BIGINT, c:VARCHAR"},
	{"expression text names the column", "SELECT a+n,  upper( c ) FROM t",
		plan("Project: (CAST(t.a AS BIGINT) + t.n) AS a+n, upper(t.c) AS upper( c )", "  "+scanT), "a+n:BIGINT, upper( c ):VARCHAR"},
	{"select without from", "SELECT 1 + 1 AS two",
		plan("Project: (1 + 1) AS two", "  Values: ()"), "two:BIGINT"},
	{"repeated column gets its own output", "SELECT a, a FROM t",
		plan("Project: t.a, t.a", "  "+scanT), "a:INT, a:INT"},

	// Literals: 1.5 is DECIMAL(2,1), 0.05 DECIMAL(2,2), 1e3 DOUBLE.
	{"literals", "SELECT 123, 1.5, 0.05, 1e3, 'x' AS s, TRUE AS b, NULL AS z, DATE '1998-12-01' AS dt, TIMESTAMP '1998-12-01 10:30:00' AS tm",
		plan("Project: 123 AS 123, 1.5 AS 1.5, 0.05 AS 0.05, 1000 AS 1e3, 'x' AS s, true AS b, NULL AS z, DATE '1998-12-01' AS dt, TIMESTAMP '1998-12-01 10:30:00' AS tm", "  Values: ()"),
		"123:BIGINT, 1.5:DECIMAL(2,1), 0.05:DECIMAL(2,2), 1e3:DOUBLE, s:VARCHAR, b:BOOLEAN, z:NULL, dt:DATE, tm:TIMESTAMP"},
	{"negative literal folds", "SELECT -1 AS x, -2.50 AS y", plan("Project: -1 AS x, -2.50 AS y", "  Values: ()"), "x:BIGINT, y:DECIMAL(3,2)"},

	{"bigint bounds", "SELECT -9223372036854775808 AS x, 9223372036854775808 AS y",
		plan("Project: -9223372036854775808 AS x, 9223372036854775808 AS y", "  Values: ()"), "x:BIGINT, y:DECIMAL(19,0)"},
	{"null strings in arithmetic and intervals", "SELECT CAST(NULL AS CHAR) + INTERVAL 1 DAY AS x, CAST(NULL AS CHAR) + 1 AS y",
		plan("Project: (NULL + INTERVAL months=0 days=1 micros=0) AS x, (NULL + 1) AS y", "  Values: ()"), "x:DATE, y:DOUBLE"},

	// Arithmetic.
	{"int arithmetic widens to bigint", "SELECT -a AS x, n DIV 2 AS y, n % 3 AS z FROM t",
		plan("Project: -CAST(t.a AS BIGINT) AS x, (t.n DIV 2) AS y, (t.n % 3) AS z", "  "+scanT), "x:BIGINT, y:BIGINT, z:BIGINT"},
	// a is INT = DECIMAL(10,0), 2 is DECIMAL(1,0): scale 0+4, precision 10-0+0+0+4 = 14.
	{"int division is decimal", "SELECT a / 2 AS q FROM t",
		plan("Project: (CAST(t.a AS DECIMAL(10,0)) / 2) AS q", "  "+scanT), "q:DECIMAL(14,4)"},
	// 1 - l_discount: DECIMAL(15,2) operands, result (16,2); times (15,2): (31,4).
	{"decimal revenue", "SELECT l_extendedprice * (1 - l_discount) AS rev FROM lineitem",
		plan("Project: (lineitem.l_extendedprice * (1.00 - lineitem.l_discount)) AS rev", "  "+scanLineitem), "rev:DECIMAL(31,4)"},
	// (15,2)+(2,1): int digits max(13,1)=13, scale 2 → operands (15,2), result (16,2).
	{"decimal plus decimal literal", "SELECT l_quantity + 1.5 AS x FROM lineitem",
		plan("Project: (lineitem.l_quantity + 1.50) AS x", "  "+scanLineitem), "x:DECIMAL(16,2)"},
	// (15,2)/(15,2): scale 2+4=6, precision 15-2+2+2+4 = 21.
	{"decimal division", "SELECT l_quantity / l_discount AS x FROM lineitem",
		plan("Project: (lineitem.l_quantity / lineitem.l_discount) AS x", "  "+scanLineitem), "x:DECIMAL(21,6)"},
	// (15,2)*(15,2)=(30,4); *(15,2)=(45,6) → capped: 39 int digits, scale max(38-39, min(6,6)) = 6.
	{"decimal precision capped", "SELECT l_quantity * l_discount * l_tax AS x FROM lineitem",
		plan("Project: ((lineitem.l_quantity * lineitem.l_discount) * lineitem.l_tax) AS x", "  "+scanLineitem), "x:DECIMAL(38,6)"},
	{"float with string", "SELECT b + '1.5' AS x, b * a AS y FROM t",
		plan("Project: (t.b + 1.5) AS x, (t.b * CAST(t.a AS DOUBLE)) AS y", "  "+scanT), "x:DOUBLE, y:DOUBLE"},
	{"string column in arithmetic is double", "SELECT c + 1 AS x FROM t",
		plan("Project: (CAST(t.c AS DOUBLE) + 1) AS x", "  "+scanT), "x:DOUBLE"},
	{"null adopts the other operand", "SELECT l_quantity + NULL AS x FROM lineitem",
		plan("Project: (lineitem.l_quantity + NULL) AS x", "  "+scanLineitem), "x:DECIMAL(16,2)"},

	// Comparisons and predicates.
	{"int column against literals keeps its type", "SELECT a FROM t WHERE a > 1 AND a <> '5'",
		plan("Project: t.a", "  Filter: ((t.a > 1) AND (t.a <> 5))", "    "+scanT), "a:INT"},
	{"date against strings", "SELECT o_orderkey FROM orders WHERE o_orderdate >= '1994-01-01' AND o_orderdate < DATE '1995-01-01'",
		plan("Project: orders.o_orderkey",
			"  Filter: ((orders.o_orderdate >= DATE '1994-01-01') AND (orders.o_orderdate < DATE '1995-01-01'))",
			"    "+scanOrders), "o_orderkey:BIGINT"},
	{"date against timestamp string", "SELECT o_orderkey FROM orders WHERE o_orderdate < '1995-01-01 12:00:00'",
		plan("Project: orders.o_orderkey",
			"  Filter: (CAST(orders.o_orderdate AS TIMESTAMP) < TIMESTAMP '1995-01-01 12:00:00')",
			"    "+scanOrders), "o_orderkey:BIGINT"},
	{"timestamp against date", "SELECT a FROM t WHERE ts >= DATE '2020-01-02'",
		plan("Project: t.a", "  Filter: (t.ts >= TIMESTAMP '2020-01-02 00:00:00')", "    "+scanT), "a:INT"},
	{"between with decimals", "SELECT l_orderkey FROM lineitem WHERE l_discount BETWEEN 0.05 AND 0.07",
		plan("Project: lineitem.l_orderkey",
			"  Filter: ((lineitem.l_discount >= 0.05) AND (lineitem.l_discount <= 0.07))",
			"    "+scanLineitem), "l_orderkey:BIGINT"},
	{"not between", "SELECT a FROM t WHERE a NOT BETWEEN 1 AND 2",
		plan("Project: t.a", "  Filter: NOT ((t.a >= 1) AND (t.a <= 2))", "    "+scanT), "a:INT"},
	{"string column against number", "SELECT a FROM t WHERE c = 1",
		plan("Project: t.a", "  Filter: (CAST(t.c AS DOUBLE) = 1)", "    "+scanT), "a:INT"},
	{"bool against int", "SELECT a FROM t WHERE d = 1",
		plan("Project: t.a", "  Filter: (CAST(t.d AS BIGINT) = 1)", "    "+scanT), "a:INT"},
	// a is DECIMAL(10,0), 1 DECIMAL(1,0), 2.5 DECIMAL(2,1): 10 integer digits, scale 1.
	{"in list common type", "SELECT a IN (1, 2.5) AS x, c NOT IN ('p', NULL) AS y FROM t",
		plan("Project: CAST(t.a AS DECIMAL(11,1)) IN (1.0, 2.5) AS x, t.c NOT IN ('p', NULL) AS y", "  "+scanT), "x:BOOLEAN, y:BOOLEAN"},
	{"like, is null, not, or, xor", "SELECT a FROM t WHERE c LIKE 'a%' ESCAPE '!' OR c NOT LIKE 'b_' AND NOT d XOR true OR ts IS NOT NULL",
		plan("Project: t.a",
			"  Filter: ((t.c LIKE 'a%' OR ((t.c NOT LIKE 'b_' AND NOT t.d) <> true)) OR t.ts IS NOT NULL)",
			"    "+scanT), "a:INT"},
	{"is true and is not false", "SELECT d IS TRUE AS x, d IS NOT FALSE AS y FROM t",
		plan("Project: CASE WHEN t.d THEN true ELSE false END AS x, CASE WHEN NOT t.d THEN false ELSE true END AS y", "  "+scanT),
		"x:BOOLEAN, y:BOOLEAN"},

	// CASE and the functions the binder rewrites into it.
	{"simple case", "SELECT CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE NULL END AS w FROM t",
		plan("Project: CASE WHEN (t.a = 1) THEN 'one' WHEN (t.a = 2) THEN 'two' ELSE NULL END AS w", "  "+scanT), "w:VARCHAR"},
	{"searched case result supertype", "SELECT CASE WHEN b > 0 THEN 1 ELSE 1.5 END AS w FROM t",
		plan("Project: CASE WHEN (t.b > 0) THEN 1.0 ELSE 1.5 END AS w", "  "+scanT), "w:DECIMAL(2,1)"},
	{"case without else", "SELECT CASE WHEN d THEN a END AS w FROM t",
		plan("Project: CASE WHEN t.d THEN t.a END AS w", "  "+scanT), "w:INT"},
	{"coalesce if nullif", "SELECT coalesce(c, 'none') AS x, IF(d, 1, 0) AS y, nullif(a, 0) AS z FROM t",
		plan("Project: CASE WHEN t.c IS NOT NULL THEN t.c ELSE 'none' END AS x, CASE WHEN t.d THEN 1 ELSE 0 END AS y, CASE WHEN (t.a = 0) THEN NULL ELSE t.a END AS z", "  "+scanT),
		"x:VARCHAR, y:BIGINT, z:INT"},

	// CAST.
	{"casts", "SELECT CAST(a AS SIGNED) AS i, CAST(c AS DECIMAL(10,2)) AS d, CAST(a AS DOUBLE) AS f, CAST(b AS CHAR) AS s, CAST(c AS DATE) AS dt, CAST(c AS DATETIME) AS tm, CAST(NULL AS DATE) AS nd FROM t",
		plan("Project: CAST(t.a AS BIGINT) AS i, CAST(t.c AS DECIMAL(10,2)) AS d, CAST(t.a AS DOUBLE) AS f, CAST(t.b AS VARCHAR) AS s, CAST(t.c AS DATE) AS dt, CAST(t.c AS TIMESTAMP) AS tm, NULL AS nd", "  "+scanT),
		"i:BIGINT, d:DECIMAL(10,2), f:DOUBLE, s:VARCHAR, dt:DATE, tm:TIMESTAMP, nd:DATE"},

	// Intervals.
	{"date plus and minus intervals", "SELECT o_orderdate + INTERVAL 3 MONTH AS a, date_sub(o_orderdate, INTERVAL '90' DAY) AS b, DATE '1998-12-01' - INTERVAL 1 YEAR AS c, date_add(o_orderdate, INTERVAL 2 WEEK) AS d, o_orderdate + INTERVAL 1 QUARTER AS e FROM orders",
		plan("Project: (orders.o_orderdate + INTERVAL months=3 days=0 micros=0) AS a, (orders.o_orderdate + INTERVAL months=0 days=-90 micros=0) AS b, (DATE '1998-12-01' + INTERVAL months=-12 days=0 micros=0) AS c, (orders.o_orderdate + INTERVAL months=0 days=14 micros=0) AS d, (orders.o_orderdate + INTERVAL months=3 days=0 micros=0) AS e", "  "+scanOrders),
		"a:DATE, b:DATE, c:DATE, d:DATE, e:DATE"},
	{"time units make a timestamp", "SELECT o_orderdate + INTERVAL 1 HOUR AS h, ts - INTERVAL 2 MINUTE AS m, ts + INTERVAL 3 SECOND AS s FROM orders, t",
		plan("Project: (orders.o_orderdate + INTERVAL months=0 days=0 micros=3600000000) AS h, (t.ts + INTERVAL months=0 days=0 micros=-120000000) AS m, (t.ts + INTERVAL months=0 days=0 micros=3000000) AS s",
			"  Join: Cross", "    "+scanOrders, "    "+scanT),
		"h:TIMESTAMP, m:TIMESTAMP, s:TIMESTAMP"},

	// Aggregation.
	{"group by with aggregates", "SELECT l_returnflag, sum(l_quantity), count(*), avg(l_discount) AS a FROM lineitem GROUP BY l_returnflag",
		plan("Project: lineitem.l_returnflag, sum(lineitem.l_quantity) AS sum(l_quantity), count(*), avg(lineitem.l_discount) AS a",
			"  Aggregate: groupBy=[lineitem.l_returnflag] aggs=[sum(lineitem.l_quantity) AS sum(lineitem.l_quantity), count(*) AS count(*), avg(lineitem.l_discount) AS avg(lineitem.l_discount)]",
			"    "+scanLineitem),
		"l_returnflag:VARCHAR, sum(l_quantity):DECIMAL(25,2), count(*):BIGINT, a:DECIMAL(19,6)"},
	{"global aggregate, count distinct, count(1)", "SELECT count(DISTINCT o_custkey), count(1), max(o_orderdate) FROM orders",
		plan("Project: count(DISTINCT orders.o_custkey) AS count(DISTINCT o_custkey), count(*) AS count(1), max(orders.o_orderdate) AS max(o_orderdate)",
			"  Aggregate: groupBy=[] aggs=[count(DISTINCT orders.o_custkey) AS count(DISTINCT orders.o_custkey), count(*) AS count(*), max(orders.o_orderdate) AS max(orders.o_orderdate)]",
			"    "+scanOrders),
		"count(DISTINCT o_custkey):BIGINT, count(1):BIGINT, max(o_orderdate):DATE"},
	// The same aggregate twice is computed once.
	{"having with alias and new aggregate", "SELECT o_custkey, count(*) AS cnt FROM orders GROUP BY o_custkey HAVING cnt > 2 AND sum(o_totalprice) > 100 AND count(*) < 9",
		plan("Project: orders.o_custkey, count(*) AS cnt",
			"  Filter: (((count(*) > 2) AND (sum(orders.o_totalprice) > 100.00)) AND (count(*) < 9))",
			"    Aggregate: groupBy=[orders.o_custkey] aggs=[count(*) AS count(*), sum(orders.o_totalprice) AS sum(orders.o_totalprice)]",
			"      "+scanOrders),
		"o_custkey:BIGINT, cnt:BIGINT"},
	{"group by ordinal", "SELECT a + 1 AS x, count(*) FROM t GROUP BY 1",
		plan("Project: (CAST(t.a AS BIGINT) + 1) AS x, count(*)",
			"  Aggregate: groupBy=[(CAST(t.a AS BIGINT) + 1)] aggs=[count(*) AS count(*)]",
			"    "+scanT), "x:BIGINT, count(*):BIGINT"},
	{"group by alias", "SELECT a + 1 AS x, count(*) FROM t GROUP BY x",
		plan("Project: (CAST(t.a AS BIGINT) + 1) AS x, count(*)",
			"  Aggregate: groupBy=[(CAST(t.a AS BIGINT) + 1)] aggs=[count(*) AS count(*)]",
			"    "+scanT), "x:BIGINT, count(*):BIGINT"},
	{"expression over group key and aggregate", "SELECT (a + 1) * 2 AS x, sum(n) / count(*) AS y FROM t GROUP BY a + 1",
		plan("Project: ((CAST(t.a AS BIGINT) + 1) * 2) AS x, (CAST(sum(t.n) AS DECIMAL(19,0)) / CAST(count(*) AS DECIMAL(19,0))) AS y",
			"  Aggregate: groupBy=[(CAST(t.a AS BIGINT) + 1)] aggs=[sum(t.n) AS sum(t.n), count(*) AS count(*)]",
			"    "+scanT), "x:BIGINT, y:DECIMAL(23,4)"},
	{"having without group by", "SELECT count(*) FROM t HAVING count(*) > 1",
		plan("Project: count(*)", "  Filter: (count(*) > 1)", "    Aggregate: groupBy=[] aggs=[count(*) AS count(*)]", "      "+scanT),
		"count(*):BIGINT"},
	{"user aggregate spelled as a call is still an aggregate", "SELECT c, `Max`(b) FROM t GROUP BY c",
		plan("Project: t.c, max(t.b) AS `Max`(b)", "  Aggregate: groupBy=[t.c] aggs=[max(t.b) AS max(t.b)]", "    "+scanT),
		"c:VARCHAR, `Max`(b):DOUBLE"},

	// TPC-H Q1's shape. sum of DECIMAL(31,4) is DECIMAL(41,4) in the test registry, which
	// planner.Decimal caps at 38.
	{"tpch q1 shape", `SELECT l_returnflag, sum(l_quantity) AS sum_qty,
       sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, avg(l_discount) AS avg_disc,
       count(*) AS count_order
FROM lineitem
WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
GROUP BY l_returnflag
ORDER BY l_returnflag`,
		plan("Sort: lineitem.l_returnflag ASC NULLS FIRST",
			"  Project: lineitem.l_returnflag, sum(lineitem.l_quantity) AS sum_qty, sum((lineitem.l_extendedprice * (1.00 - lineitem.l_discount))) AS sum_disc_price, avg(lineitem.l_discount) AS avg_disc, count(*) AS count_order",
			"    Aggregate: groupBy=[lineitem.l_returnflag] aggs=[sum(lineitem.l_quantity) AS sum(lineitem.l_quantity), sum((lineitem.l_extendedprice * (1.00 - lineitem.l_discount))) AS sum((lineitem.l_extendedprice * (1.00 - lineitem.l_discount))), avg(lineitem.l_discount) AS avg(lineitem.l_discount), count(*) AS count(*)]",
			"      Filter: (lineitem.l_shipdate <= (DATE '1998-12-01' + INTERVAL months=0 days=-90 micros=0))",
			"        "+scanLineitem),
		"l_returnflag:VARCHAR, sum_qty:DECIMAL(25,2), sum_disc_price:DECIMAL(38,4), avg_disc:DECIMAL(19,6), count_order:BIGINT"},

	// ORDER BY, DISTINCT, LIMIT.
	{"order by alias, position, hidden column", "SELECT a AS x, b FROM t ORDER BY x DESC, 2, c",
		plan("Project: x, t.b",
			"  Sort: x DESC NULLS LAST, t.b ASC NULLS FIRST, t.c ASC NULLS FIRST",
			"    Project: t.a AS x, t.b, t.c",
			"      "+scanT), "x:INT, b:DOUBLE"},
	{"order by expression in select list", "SELECT a + 1 FROM t ORDER BY a + 1 DESC",
		plan("Sort: a + 1 DESC NULLS LAST", "  Project: (CAST(t.a AS BIGINT) + 1) AS a + 1", "    "+scanT),
		"a + 1:BIGINT"},
	{"order by aggregate not selected", "SELECT o_custkey FROM orders GROUP BY o_custkey ORDER BY count(*) DESC LIMIT 10",
		plan("Project: orders.o_custkey",
			"  Limit: count=10",
			"    Sort: count(*) DESC NULLS LAST",
			"      Project: orders.o_custkey, count(*)",
			"        Aggregate: groupBy=[orders.o_custkey] aggs=[count(*) AS count(*)]",
			"          "+scanOrders), "o_custkey:BIGINT"},
	{"nulls first and last", "SELECT a FROM t ORDER BY a DESC NULLS FIRST, b NULLS LAST",
		plan("Project: t.a",
			"  Sort: t.a DESC NULLS FIRST, t.b ASC NULLS LAST",
			"    Project: t.a, t.b",
			"      "+scanT), "a:INT"},
	{"distinct", "SELECT DISTINCT c FROM t ORDER BY c",
		plan("Sort: t.c ASC NULLS FIRST", "  Distinct", "    Project: t.c", "      "+scanT), "c:VARCHAR"},
	{"limit offset, count", "SELECT a FROM t LIMIT 5, 10",
		plan("Limit: count=10 offset=5", "  Project: t.a", "    "+scanT), "a:INT"},
	{"limit count offset", "SELECT a FROM t LIMIT 10 OFFSET 5",
		plan("Limit: count=10 offset=5", "  Project: t.a", "    "+scanT), "a:INT"},

	// Set operations.
	{"union all widens", "SELECT a FROM t UNION ALL SELECT e FROM u",
		plan("Union: all",
			"  Project: CAST(t.a AS BIGINT) AS a", "    Project: t.a", "      "+scanT,
			"  Project: u.e", "    "+scanU), "a:BIGINT"},
	// The literal branch is BIGINT, so the INT branches are widened above their Distinct.
	{"union distinct then all", "SELECT a FROM t UNION SELECT a FROM u UNION ALL SELECT 1 ORDER BY 1 DESC LIMIT 3",
		plan("Limit: count=3",
			"  Sort: a DESC NULLS LAST",
			"    Union: all",
			"      Project: CAST(a AS BIGINT) AS a",
			"        Distinct",
			"          Union: all",
			"            Project: t.a", "              "+scanT,
			"            Project: u.a", "              "+scanU,
			"      Project: 1 AS 1", "        Values: ()"), "a:BIGINT"},
	{"union of number and string is a string", "SELECT a FROM t UNION ALL SELECT c FROM t",
		plan("Union: all",
			"  Project: CAST(t.a AS VARCHAR) AS a", "    Project: t.a", "      "+scanT,
			"  Project: t.c", "    "+scanT), "a:VARCHAR"},

	// FROM: joins, subqueries, views, files, CTEs.
	{"inner join", "SELECT o_orderkey, l_quantity FROM orders JOIN lineitem ON o_orderkey = l_orderkey",
		plan("Project: orders.o_orderkey, lineitem.l_quantity",
			"  Join: Inner on (orders.o_orderkey = lineitem.l_orderkey)",
			"    "+scanOrders, "    "+scanLineitem), "o_orderkey:BIGINT, l_quantity:DECIMAL(15,2)"},
	{"left and right joins with aliases", "SELECT o.o_orderkey FROM orders o LEFT JOIN lineitem l ON o.o_orderkey = l.l_orderkey RIGHT OUTER JOIN t ON t.n = o.o_custkey",
		plan("Project: o.o_orderkey",
			"  Join: Right on (t.n = o.o_custkey)",
			"    Join: Left on (o.o_orderkey = l.l_orderkey)",
			"      "+scanOrders, "      "+scanLineitem,
			"    "+scanT), "o_orderkey:BIGINT"},
	{"full and cross joins", "SELECT t.a FROM t FULL OUTER JOIN u ON t.a = u.a CROSS JOIN orders",
		plan("Project: t.a",
			"  Join: Cross",
			"    Join: Full on (t.a = u.a)", "      "+scanT, "      "+scanU,
			"    "+scanOrders), "a:INT"},
	{"derived table", "SELECT x.a, x.s FROM (SELECT a, sum(b) AS s FROM t GROUP BY a) AS x WHERE x.s > 1",
		plan("Project: x.a, x.s",
			"  Filter: (x.s > 1)",
			"    SubqueryAlias: x",
			"      Project: t.a, sum(t.b) AS s",
			"        Aggregate: groupBy=[t.a] aggs=[sum(t.b) AS sum(t.b)]",
			"          "+scanT), "a:INT, s:DOUBLE"},
	{"view", "SELECT * FROM big_orders WHERE o_orderkey = 7",
		plan("Project: big_orders.o_orderkey, big_orders.o_totalprice",
			"  Filter: (big_orders.o_orderkey = 7)",
			"    SubqueryAlias: big_orders",
			"      Project: orders.o_orderkey, orders.o_totalprice",
			"        Filter: (orders.o_totalprice > 1000.00)",
			"          "+scanOrders), "o_orderkey:BIGINT, o_totalprice:DECIMAL(15,2)"},
	{"aliased view", "SELECT b.o_orderkey FROM big_orders b",
		plan("Project: b.o_orderkey",
			"  SubqueryAlias: b",
			"    SubqueryAlias: big_orders",
			"      Project: orders.o_orderkey, orders.o_totalprice",
			"        Filter: (orders.o_totalprice > 1000.00)",
			"          "+scanOrders), "o_orderkey:BIGINT"},
	{"file table", "SELECT f.x, y FROM parquet.`/data/f.parquet` AS f",
		plan("Project: f.x, f.y", "  Scan: /data/f.parquet [x, y]"), "x:BIGINT, y:VARCHAR"},
	{"cte referenced twice", "WITH k AS (SELECT o_orderkey FROM orders) SELECT k1.o_orderkey FROM k k1 JOIN k k2 ON k1.o_orderkey = k2.o_orderkey",
		plan("Project: k1.o_orderkey",
			"  Join: Inner on (k1.o_orderkey = k2.o_orderkey)",
			"    SubqueryAlias: k1", "      Project: orders.o_orderkey", "        "+scanOrders,
			"    SubqueryAlias: k2", "      Project: orders.o_orderkey", "        "+scanOrders), "o_orderkey:BIGINT"},
	{"cte column list", "WITH k(id) AS (SELECT o_orderkey FROM orders) SELECT id FROM k",
		plan("Project: k.id", "  SubqueryAlias: k", "    Project: orders.o_orderkey AS id", "      Project: orders.o_orderkey", "        "+scanOrders),
		"id:BIGINT"},
}

func TestBind(t *testing.T) {
	b := newBinder()
	for _, tc := range bindCases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := bindSQL(t, b, tc.sql)
			if err != nil {
				t.Fatalf("bind %q: %v", tc.sql, err)
			}
			if got := planner.Explain(p); got != tc.plan {
				t.Errorf("plan of %q:\ngot:\n%s\nwant:\n%s", tc.sql, got, tc.plan)
			}
			if got := outputs(p.Schema()); got != tc.out {
				t.Errorf("outputs of %q:\ngot:  %s\nwant: %s", tc.sql, got, tc.out)
			}
		})
	}
}
