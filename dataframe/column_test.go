package dataframe

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
)

type score float64 // a named type: Lit reads its underlying kind

// columnCases are rendered Columns and their expected text: String() (the select item, or the
// ORDER BY item of an ordering Column). TestColumnSQL checks the text, TestColumnParses that
// Ember's parser accepts every one of them.
func columnCases() []struct {
	name string
	col  Column
	want string
} {
	i7 := 7
	ts := time.Date(2024, 2, 29, 13, 4, 5, 123456789, time.FixedZone("CET", 3600))
	w := WindowPartitionBy("d").OrderBy(Col("t").Desc())
	gt1 := Col("a").Gt(1)
	return []struct {
		name string
		col  Column
		want string
	}{
		// names
		{"col", Col("a"), "`a`"},
		{"col qualified", Col("t.c"), "`t`.`c`"},
		{"col db qualified", Col("db.t.c"), "`db`.`t`.`c`"},
		{"col star", Col("*"), "*"},
		{"col table star", Col("t.*"), "`t`.*"},
		{"col quoted dot", Col("`a.b`"), "`a.b`"},
		{"col doubled backquote", Col("`we``ird`.x"), "`we``ird`.`x`"},
		{"col space", Col("my col"), "`my col`"},
		{"col keyword", Col("order"), "`order`"},
		{"col quoted star is a name", Col("`*`"), "`*`"},
		{"col unicode", Col("ünï"), "`ünï`"},
		// literals
		{"null", Lit(nil), "NULL"},
		{"true", Lit(true), "TRUE"},
		{"false", Lit(false), "FALSE"},
		{"int", Lit(42), "42"},
		{"int8", Lit(int8(-7)), "-7"},
		{"max uint64", Lit(uint64(math.MaxUint64)), "18446744073709551615"},
		{"min int64", Lit(int64(math.MinInt64)), "-9223372036854775808"},
		{"float", Lit(1.5), "1.5e0"},
		{"float32 shortest", Lit(float32(0.1)), "0.1e0"},
		{"float big", Lit(1e21), "1e+21"},
		{"float small", Lit(1e-7), "1e-07"},
		{"float negative", Lit(-2.5), "-2.5e0"},
		{"named float", Lit(score(2)), "2e0"},
		{"string quote", Lit("it's"), "'it''s'"},
		{"string backslash", Lit(`a\b`), `'a\\b'`},
		{"string controls", Lit("l1\nl2\r\t\x00\x1a"), `'l1\nl2\r\t\0\Z'`},
		{"string empty", Lit(""), "''"},
		{"string comment-like", Lit("-- x /* y */ # z"), "'-- x /* y */ # z'"},
		{"timestamp utc micros", Lit(ts), "TIMESTAMP '2024-02-29 12:04:05.123456'"},
		{"timestamp whole seconds", Lit(time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)), "TIMESTAMP '1999-12-31 23:59:59'"},
		{"pointer", Lit(&i7), "7"},
		{"nil pointer", Lit((*int)(nil)), "NULL"},
		{"valuer null", Lit(sql.NullInt64{}), "NULL"},
		{"valuer string", Lit(sql.NullString{String: "x", Valid: true}), "'x'"},
		{"lit of column", Lit(Col("a")), "`a`"},
		{"lit of column pointer", Lit(&gt1), "`a` > 1"},
		{"nil valuer pointer", Lit((*nilValuer)(nil)), "NULL"},
		{"date", Date(2024, time.February, 29), "DATE '2024-02-29'"},
		{"decimal", Decimal("1.50"), "1.50"},
		{"decimal negative", Decimal("-0.05"), "-0.05"},
		{"expr", Expr("a + 1"), "a + 1"},
		{"expr operand", Expr("a + 1").Multiply(2), "(a + 1) * 2"},
		{"expr argument", Sum(Expr("x * y")), "sum((x * y))"},
		// arithmetic
		{"plus", Col("a").Plus(1), "`a` + 1"},
		{"plus string literal", Col("a").Plus("x"), "`a` + 'x'"},
		{"plus chain", Col("a").Plus(1).Plus(2), "`a` + 1 + 2"},
		{"minus right nested", Col("a").Minus(Col("b").Minus(Col("c"))), "`a` - (`b` - `c`)"},
		{"sum times", Col("a").Plus(1).Multiply(Col("b")), "(`a` + 1) * `b`"},
		{"times plus", Col("a").Multiply(Col("b")).Plus(1), "`a` * `b` + 1"},
		{"divide nested", Col("a").Divide(Col("b").Multiply(2)), "`a` / (`b` * 2)"},
		{"divide then times", Col("a").Divide(Col("b")).Multiply(2), "`a` / `b` * 2"},
		{"mod", Col("a").Mod(3), "`a` % 3"},
		{"minus negative", Col("a").Minus(-1), "`a` - -1"},
		{"negative times", Lit(-1).Multiply(Col("a")), "-1 * `a`"},
		// comparisons
		{"eq", Col("a").EqualTo(1), "`a` = 1"},
		{"ne string", Col("a").NotEqual("x"), "`a` <> 'x'"},
		{"gt", Col("a").Gt(1), "`a` > 1"},
		{"ge", Col("a").Ge(1.5), "`a` >= 1.5e0"},
		{"lt", Col("a").Lt(Col("b")), "`a` < `b`"},
		{"le", Col("a").Le(Date(2024, 1, 1)), "`a` <= DATE '2024-01-01'"},
		{"eq null safe", Col("a").EqNullSafe(nil), "`a` <=> NULL"},
		{"compare sums", Col("a").Plus(1).Gt(Col("b").Multiply(2)), "`a` + 1 > `b` * 2"},
		{"compare comparison", Col("a").Gt(1).EqualTo(false), "(`a` > 1) = FALSE"},
		// logic
		{"and", gt1.And(Col("b").Lt(2)), "`a` > 1 AND `b` < 2"},
		{"or", gt1.Or(Col("b").IsNull()), "`a` > 1 OR `b` IS NULL"},
		{"and or", Col("a").And(Col("b")).Or(Col("c")), "`a` AND `b` OR `c`"},
		{"or and", Col("a").Or(Col("b")).And(Col("c")), "(`a` OR `b`) AND `c`"},
		{"and right nested", Col("a").And(Col("b").And(Col("c"))), "`a` AND (`b` AND `c`)"},
		{"not and", Not(Col("a").And(Col("b"))), "NOT (`a` AND `b`)"},
		{"not comparison", Col("a").EqualTo(1).Not(), "NOT `a` = 1"},
		{"not not", Not(Not(Col("a"))), "NOT (NOT `a`)"},
		{"is null", Col("a").IsNull(), "`a` IS NULL"},
		{"is not null sum", Col("a").Plus(1).IsNotNull(), "`a` + 1 IS NOT NULL"},
		{"is null comparison", Col("a").EqualTo(1).IsNull(), "(`a` = 1) IS NULL"},
		{"in", Col("a").IsIn(1, 2, 3), "`a` IN (1, 2, 3)"},
		{"in strings", Col("a").IsIn("x", "y'z"), "`a` IN ('x', 'y''z')"},
		{"in slice spread", Col("a").IsIn([]int64{4, 5}, 6), "`a` IN (4, 5, 6)"},
		{"in column and null", Col("a").IsIn(Col("b"), nil), "`a` IN (`b`, NULL)"},
		{"in of comparison", Col("a").Gt(1).IsIn(true), "(`a` > 1) IN (TRUE)"},
		{"between", Col("a").Between(1, 10), "`a` BETWEEN 1 AND 10"},
		{"between and", Col("a").Between(1, 10).And(Col("b")), "(`a` BETWEEN 1 AND 10) AND `b`"},
		{"between sums", Col("a").Plus(1).Between(Col("lo"), Col("hi").Minus(1)), "`a` + 1 BETWEEN `lo` AND `hi` - 1"},
		{"between dates", Col("d").Between(Date(2024, 1, 1), Date(2024, 12, 31)), "`d` BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'"},
		{"between compared", Col("a").Between(1, 2).EqualTo(true), "(`a` BETWEEN 1 AND 2) = TRUE"},
		{"like", Col("s").Like(`a%\_`), `` + "`s`" + ` LIKE 'a%\\_'`},
		{"rlike", Col("s").RLike("^a.*$"), "`s` REGEXP '^a.*$'"},
		{"starts with", Col("s").StartsWith("ab"), "starts_with(`s`, 'ab')"},
		{"ends with", Col("s").EndsWith(Col("t")), "ends_with(`s`, `t`)"},
		// aliases and casts
		{"alias", Col("a").Plus(1).Alias("b c"), "`a` + 1 AS `b c`"},
		{"as backquote", Col("a").As("x`y"), "`a` AS `x``y`"},
		{"alias dropped as operand", Col("a").Alias("b").Plus(1), "`a` + 1"},
		{"cast int", Col("a").Cast("int"), "CAST(`a` AS INT)"},
		{"cast signed integer", Col("a").Cast(" signed  integer "), "CAST(`a` AS SIGNED)"},
		{"cast bigint", Col("a").Cast("BIGINT"), "CAST(`a` AS BIGINT)"},
		{"cast decimal", Col("a").Cast("decimal( 10 , 2 )"), "CAST(`a` AS DECIMAL(10,2))"},
		{"cast decimal bare", Col("a").Cast("decimal"), "CAST(`a` AS DECIMAL)"},
		{"cast varchar", Col("a").Cast("varchar"), "CAST(`a` AS VARCHAR)"},
		{"cast string", Col("a").Cast("string"), "CAST(`a` AS STRING)"},
		{"cast text", Col("a").Cast("text"), "CAST(`a` AS TEXT)"},
		{"cast char n", Col("a").Cast("char(5)"), "CAST(`a` AS CHAR(5))"},
		{"cast date", Col("a").Cast("date"), "CAST(`a` AS DATE)"},
		{"cast datetime", Col("a").Cast("datetime"), "CAST(`a` AS DATETIME)"},
		{"cast timestamp fsp", Col("a").Cast("timestamp(3)"), "CAST(`a` AS TIMESTAMP(3))"},
		{"cast boolean", Col("a").Cast("boolean"), "CAST(`a` AS BOOLEAN)"},
		{"cast bool", Col("a").Cast("bool"), "CAST(`a` AS BOOL)"},
		{"cast double", Col("a").Cast("double"), "CAST(`a` AS DOUBLE)"},
		{"cast float", Col("a").Cast("float"), "CAST(`a` AS FLOAT)"},
		{"cast real", Col("a").Cast("real"), "CAST(`a` AS REAL)"},
		{"cast vector", Col("a").Cast("vector(3)"), "CAST(`a` AS VECTOR(3))"},
		{"cast of sum", Col("a").Plus(1).Cast("double"), "CAST(`a` + 1 AS DOUBLE)"},
		{"cast of expr", Expr("a+1").Cast("double"), "CAST((a+1) AS DOUBLE)"},
		// ordering
		{"asc", Col("a").Asc(), "`a` ASC"},
		{"desc", Col("a").Desc(), "`a` DESC"},
		{"asc nulls first", Col("a").AscNullsFirst(), "`a` ASC NULLS FIRST"},
		{"asc nulls last", Col("a").AscNullsLast(), "`a` ASC NULLS LAST"},
		{"desc nulls first", Col("a").DescNullsFirst(), "`a` DESC NULLS FIRST"},
		{"desc nulls last", Col("a").Plus(1).DescNullsLast(), "`a` + 1 DESC NULLS LAST"},
		{"ordering drops alias", Col("a").Alias("x").Desc(), "`a` DESC"},
		// CASE
		{"when", When(gt1, "big"), "CASE WHEN `a` > 1 THEN 'big' END"},
		{"when when otherwise", When(gt1, "big").When(Col("a").Gt(0), "small").Otherwise(nil),
			"CASE WHEN `a` > 1 THEN 'big' WHEN `a` > 0 THEN 'small' ELSE NULL END"},
		{"case operand", When(gt1, Col("b")).Otherwise(0).Plus(1), "CASE WHEN `a` > 1 THEN `b` ELSE 0 END + 1"},
		{"case alias", When(gt1, 1).Alias("x"), "CASE WHEN `a` > 1 THEN 1 END AS `x`"},
		{"case of between", When(Col("a").Between(1, 2), Col("a").Plus(1)), "CASE WHEN `a` BETWEEN 1 AND 2 THEN `a` + 1 END"},
		// aggregates and scalars
		{"sum", Sum("x"), "sum(`x`)"},
		{"sum expression", Sum(Col("x").Multiply(2)), "sum(`x` * 2)"},
		{"avg", Avg("x"), "avg(`x`)"},
		{"mean", Mean(Col("t.x")), "avg(`t`.`x`)"},
		{"count star", Count("*"), "count(*)"},
		{"count col star", Count(Col("*")), "count(*)"},
		{"count", Count("x"), "count(`x`)"},
		{"count distinct", CountDistinct("a", Col("b")), "count(DISTINCT `a`, `b`)"},
		{"approx count distinct", ApproxCountDistinct("a"), "approx_count_distinct(`a`)"},
		{"min", Min("a"), "min(`a`)"},
		{"max", Max("a"), "max(`a`)"},
		{"any value", AnyValue("a"), "any_value(`a`)"},
		{"stddev samp", StddevSamp("a"), "stddev_samp(`a`)"},
		{"stddev pop", StddevPop("a"), "stddev_pop(`a`)"},
		{"var samp", VarSamp("a"), "var_samp(`a`)"},
		{"var pop", VarPop("a"), "var_pop(`a`)"},
		{"aggregate operand", Sum("a").Divide(Count("*")).Alias("m"), "sum(`a`) / count(*) AS `m`"},
		{"abs", Abs("a"), "abs(`a`)"},
		{"sqrt", Sqrt(Col("a").Plus(1)), "sqrt(`a` + 1)"},
		{"round", Round("a", 2), "round(`a`, 2)"},
		{"round negative", Round("a", -1), "round(`a`, -1)"},
		{"lower", Lower("s"), "lower(`s`)"},
		{"upper", Upper("s"), "upper(`s`)"},
		{"length", Length("s"), "char_length(`s`)"},
		{"concat", Concat("a", Lit("-"), "b"), "concat(`a`, '-', `b`)"},
		{"coalesce", Coalesce("a", 0), "coalesce(`a`, 0)"},
		{"substring", Substring("s", 2, 3), "substring(`s`, 2, 3)"},
		{"call model", Call("predict", Col("features")), "predict(`features`)"},
		{"call literal args", Call("date_format", Col("d"), "%Y"), "date_format(`d`, '%Y')"},
		{"call no args", Call("pi"), "pi()"},
		// windows
		{"row number", RowNumber().Over(w), "row_number() OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"over empty", Sum("x").Over(WindowSpec{}), "sum(`x`) OVER ()"},
		{"rows unbounded", Sum("x").Over(WindowOrderBy("t").RowsBetween(UnboundedPreceding, CurrentRow)),
			"sum(`x`) OVER (ORDER BY `t` ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"},
		{"rows offsets", Avg("x").Over(WindowOrderBy("t").RowsBetween(-3, 2)),
			"avg(`x`) OVER (ORDER BY `t` ROWS BETWEEN 3 PRECEDING AND 2 FOLLOWING)"},
		{"rows empty frame", Sum("x").Over(WindowOrderBy("t").RowsBetween(-3, -1)),
			"sum(`x`) OVER (ORDER BY `t` ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING)"},
		{"range", Sum("x").Over(WindowPartitionBy("p").OrderBy("t").RangeBetween(-10, UnboundedFollowing)),
			"sum(`x`) OVER (PARTITION BY `p` ORDER BY `t` RANGE BETWEEN 10 PRECEDING AND UNBOUNDED FOLLOWING)"},
		{"window keys", Min("x").Over(WindowPartitionBy("a", Col("b").Plus(1)).OrderBy(Col("t").AscNullsLast(), "u")),
			"min(`x`) OVER (PARTITION BY `a`, `b` + 1 ORDER BY `t` ASC NULLS LAST, `u`)"},
		{"partition replaced", Count("*").Over(WindowPartitionBy("a").PartitionBy("b")), "count(*) OVER (PARTITION BY `b`)"},
		{"rank", Rank().Over(w), "rank() OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"dense rank", DenseRank().Over(w), "dense_rank() OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"percent rank", PercentRank().Over(w), "percent_rank() OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"cume dist", CumeDist().Over(w), "cume_dist() OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"ntile", NTile(4).Over(w), "ntile(4) OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"lag", Lag("x", 1).Over(w), "lag(`x`, 1) OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"lag default", Lag("x", 2, 0).Over(w), "lag(`x`, 2, 0) OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"lead default string", Lead("x", 1, "none").Over(w), "lead(`x`, 1, 'none') OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"first value", FirstValue("x").Over(w), "first_value(`x`) OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"last value", LastValue("x").Over(w), "last_value(`x`) OVER (PARTITION BY `d` ORDER BY `t` DESC)"},
		{"window share", Sum("x").Over(w).Divide(Sum("x").Over(WindowSpec{})).Alias("share"),
			"sum(`x`) OVER (PARTITION BY `d` ORDER BY `t` DESC) / sum(`x`) OVER () AS `share`"},
		{"window order by expr", RowNumber().Over(WindowOrderBy(Expr("a + b"))), "row_number() OVER (ORDER BY (a + b))"},
	}
}

func TestColumnSQL(t *testing.T) {
	for _, tc := range columnCases() {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.col.Err(); err != nil {
				t.Fatalf("Err() = %v", err)
			}
			if got := tc.col.String(); got != tc.want {
				t.Errorf("String() = %s\nwant       %s", got, tc.want)
			}
			if tc.col.hasAs || tc.col.dir != sortNone {
				if strings.Contains(tc.col.SQL(), " AS `") || strings.HasSuffix(tc.col.SQL(), "SC") {
					t.Errorf("SQL() = %s holds the alias or sort order", tc.col.SQL())
				}
			} else if tc.col.SQL() != tc.want {
				t.Errorf("SQL() = %s, want %s", tc.col.SQL(), tc.want)
			}
		})
	}
}

// TestColumnParses proves that every rendered Column is valid in Ember's dialect: each is
// parsed by sql/parser as a select item (or, for ordering Columns, an ORDER BY item).
func TestColumnParses(t *testing.T) {
	for _, tc := range columnCases() {
		t.Run(tc.name, func(t *testing.T) {
			q := "SELECT " + tc.col.selectSQL() + " FROM t"
			if tc.col.dir != sortNone {
				q = "SELECT 1 FROM t ORDER BY " + tc.col.orderSQL()
			}
			stmts, err := parser.Parse(q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if len(stmts) != 1 {
				t.Fatalf("%s: %d statements", q, len(stmts))
			}
		})
	}
}

func TestColumnErrors(t *testing.T) {
	nan := Lit(math.NaN())
	good := Col("a")
	cases := []struct {
		name string
		col  Column
		want string // in the error's text
	}{
		{"zero column", Column{}, "empty Column"},
		{"zero column operand", good.Plus(Column{}), "empty Column"},
		{"col empty", Col(""), "empty column name"},
		{"col empty part", Col("a..b"), "empty part"},
		{"col trailing dot", Col("a."), "ends with '.'"},
		{"col unterminated", Col("`a"), "unterminated back quote"},
		{"col empty quoted", Col("``"), "empty quoted part"},
		{"col backquote inside", Col("a`b"), "back quote inside"},
		{"col junk after quote", Col("`a`b"), "expected '.'"},
		{"col star not last", Col("*.a"), "must be the last part"},
		{"col four parts", Col("a.b.c.d"), "at most db.table.column"},
		{"nan", nan, "NaN"},
		{"inf", Lit(math.Inf(-1)), "-Inf"},
		{"float32 nan", Lit(float32(math.NaN())), "NaN"},
		{"bytes", Lit([]byte("x")), "[]byte"},
		{"duration", Lit(time.Second), "time.Duration"},
		{"struct", Lit(struct{}{}), "no SQL literal"},
		{"invalid utf8", Lit("\xff"), "UTF-8"},
		{"year 10000", Lit(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)), "0 to 9999"},
		{"valuer error", Lit(failingValuer{}), "valuer broke"},
		{"nil column pointer", Lit((*Column)(nil)), "nil *Column"},
		{"date feb 29", Date(2023, time.February, 29), "not a valid date"},
		{"date month 13", Date(2024, 13, 1), "not a valid date"},
		{"date year", Date(-1, 1, 1), "not a valid date"},
		{"decimal exponent", Decimal("1e5"), "not a decimal"},
		{"decimal empty", Decimal(""), "not a decimal"},
		{"decimal dot", Decimal("1."), "not a decimal"},
		{"decimal 39 digits", Decimal(strings.Repeat("9", 39)), "at most 38"},
		{"expr empty", Expr(" "), "empty expression"},
		{"cast unsigned", good.Cast("unsigned"), "no unsigned"},
		{"cast varchar n", good.Cast("varchar(10)"), "no VARCHAR(n)"},
		{"cast binary", good.Cast("binary"), "unsupported type"},
		{"cast json", good.Cast("json"), "unsupported type"},
		{"cast decimal precision", good.Cast("decimal(40,2)"), "precision must be 1 to 38"},
		{"cast decimal scale", good.Cast("decimal(5,6)"), "scale is more than"},
		{"cast fsp", good.Cast("timestamp(7)"), "0 to 6"},
		{"cast vector bare", good.Cast("vector"), "parameters"},
		{"cast vector zero", good.Cast("vector(0)"), "at least one dimension"},
		{"cast malformed", good.Cast("int("), "malformed"},
		{"cast malformed number", good.Cast("decimal(a)"), "malformed"},
		{"cast int with length", good.Cast("int(11)"), "parameters"},
		// a Column's error is kept by every Column built from it, first error first
		{"plus keeps", nan.Plus(1), "NaN"},
		{"operand keeps", good.Plus(math.NaN()), "NaN"},
		{"first error first", good.Plus(nan).Plus(math.Inf(1)), "NaN"},
		{"and keeps", good.Gt(1).And(nan.Gt(1)), "NaN"},
		{"not keeps", Not(nan), "NaN"},
		{"alias keeps", nan.Alias("x"), "NaN"},
		{"alias empty", good.Alias(""), "empty name"},
		{"cast keeps first", nan.Cast("bogus"), "NaN"},
		{"ordering keeps", nan.Asc(), "NaN"},
		{"sum keeps", Sum(nan), "NaN"},
		{"count bad name", Count(Col("")), "empty column name"},
		{"is null keeps", nan.IsNull(), "NaN"},
		{"in empty", good.IsIn(), "empty value list"},
		{"in keeps", good.IsIn(1, math.NaN()), "NaN"},
		{"between keeps", good.Between(math.NaN(), 1), "NaN"},
		{"like utf8", good.Like("\xff"), "UTF-8"},
		{"sort order as operand", good.Desc().Plus(1), "sort order `a` DESC cannot be used as a value"},
		{"sort order as argument", Sum(good.Desc()), "cannot be used as a value"},
		{"when cond keeps", When(nan.Gt(1), 1).Otherwise(2), "NaN"},
		{"when value keeps", When(good.Gt(1), 1).When(good, math.NaN()), "NaN"},
		{"otherwise keeps", When(good.Gt(1), 1).Otherwise(math.NaN()), "NaN"},
		{"when on column", good.When(good, 1), "not a CASE"},
		{"otherwise twice", When(good, 1).Otherwise(1).Otherwise(2), "not a CASE"},
		{"when after otherwise", When(good, 1).Otherwise(1).When(good, 2), "not a CASE"},
		{"when after alias", When(good, 1).Alias("x").When(good, 2), "not a CASE"},
		{"otherwise on column", good.Otherwise(1), "not a CASE"},
		{"call bad name", Call("drop table", good), "not a function name"},
		{"call digit name", Call("1f"), "not a function name"},
		{"call reserved", Call("__EMBER_nulls_first", good), "reserved"},
		{"call keeps", Call("f", math.NaN()), "NaN"},
		{"count distinct none", CountDistinct(), "no columns"},
		{"coalesce none", Coalesce(), "no arguments"},
		{"ntile zero", NTile(0), "at least 1"},
		{"lag negative", Lag("x", -1), "non-negative"},
		{"lag two defaults", Lag("x", 1, 1, 2), "at most one default"},
		{"lead keeps", Lead(nan, 1), "NaN"},
		{"window partition keeps", Sum("x").Over(WindowPartitionBy(Col("a..b"))), "empty part"},
		{"window order keeps", Sum("x").Over(WindowOrderBy(nan)), "NaN"},
		{"window partition sort order", Sum("x").Over(WindowPartitionBy(good.Desc())), "cannot be used as a value"},
		{"frame reversed", Sum("x").Over(WindowOrderBy("t").RowsBetween(2, 1)), "start 2 is after its end 1"},
		{"frame starts unbounded following", Sum("x").Over(WindowOrderBy("t").RowsBetween(UnboundedFollowing, UnboundedFollowing)), "cannot start at UnboundedFollowing"},
		{"frame ends unbounded preceding", Sum("x").Over(WindowOrderBy("t").RangeBetween(UnboundedPreceding, UnboundedPreceding)), "RangeBetween: a frame cannot end at UnboundedPreceding"},
		{"frame error survives replacement", Sum("x").Over(WindowOrderBy("t").RowsBetween(2, 1).RowsBetween(0, 1)), "after its end"},
		{"over keeps column error first", nan.Over(WindowOrderBy("t").RowsBetween(2, 1)), "NaN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.col.Err()
			if err == nil {
				t.Fatalf("no error; SQL %s", tc.col.SQL())
			}
			if !errors.Is(err, errs.ErrPlan) {
				t.Errorf("error %v is not a plan error", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if !strings.HasPrefix(tc.col.String(), "<invalid column: ") {
				t.Errorf("String() = %s", tc.col.String())
			}
		})
	}
}

type nilValuer struct{ v int64 }

func (n *nilValuer) Value() (driver.Value, error) { return n.v, nil } // panics on nil

type failingValuer struct{}

func (failingValuer) Value() (driver.Value, error) { return nil, errors.New("valuer broke") }

func TestExprParseErrors(t *testing.T) {
	cases := []struct{ text, want string }{
		{"a +", "syntax error at the end of the expression"},
		{"f(1,", "syntax error at the end of the expression"},
		{"a AS b", `line 1 column 3: syntax error near "AS"`},
		{"ä\n AS b", `line 2 column 2: syntax error near "AS"`},
		{"1; DROP TABLE t", "line 1 column 2"},
		{"a -- comment", "line 1 column 2"},
		{"'open", `line 1 column 1: unterminated string literal near "'open"`},
	}
	for _, tc := range cases {
		err := Expr(tc.text).Err()
		if err == nil {
			t.Errorf("Expr(%q): no error", tc.text)
			continue
		}
		if !errors.Is(err, errs.ErrParse) || !strings.Contains(err.Error(), "is not one SQL expression: "+tc.want) {
			t.Errorf("Expr(%q): %v, want %s", tc.text, err, tc.want)
		}
	}
}

// TestColumnImmutable: building from a Column or WindowSpec never changes it, also where
// CASE arms and window keys are slices.
func TestColumnImmutable(t *testing.T) {
	base := When(Col("a").Gt(1), 1)
	x := base.When(Col("a").Gt(0), 2)
	y := base.When(Col("b").Gt(0), 3)
	if want := "CASE WHEN `a` > 1 THEN 1 END"; base.SQL() != want {
		t.Errorf("base = %s, want %s", base.SQL(), want)
	}
	if strings.Contains(x.SQL(), "`b`") || strings.Contains(y.SQL(), "`a` > 0") {
		t.Errorf("arms shared: %s / %s", x.SQL(), y.SQL())
	}
	if z := base.Otherwise(0); !strings.HasSuffix(z.SQL(), "ELSE 0 END") || base.SQL() != "CASE WHEN `a` > 1 THEN 1 END" {
		t.Errorf("Otherwise changed its receiver: %s / %s", z.SQL(), base.SQL())
	}
	w := WindowPartitionBy("a")
	w2 := w.OrderBy("b").RowsBetween(-1, 0)
	if got := w.sql(); got != "(PARTITION BY `a`)" {
		t.Errorf("w = %s", got)
	}
	if got := w2.sql(); got != "(PARTITION BY `a` ORDER BY `b` ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)" {
		t.Errorf("w2 = %s", got)
	}
	c := Col("a")
	_ = c.Alias("x").Desc()
	if c.String() != "`a`" {
		t.Errorf("Col changed: %s", c.String())
	}
}

// colSession runs Columns over a two-row table in a fresh session on a checked allocator.
type colSession struct {
	t *testing.T
	s *Session
}

const colTable = "(SELECT 1 AS id, 10 AS a, 4 AS b, 3 AS c, 'x' AS s UNION ALL " +
	"SELECT 2, 20, 5, NULL, 'yy') AS t"

func newColSession(t *testing.T) colSession {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	s, err := NewSession(WithInMemoryCatalog(), WithPartitions(2), WithAllocator(mem))
	if err != nil {
		t.Fatal(err)
	}
	return colSession{t: t, s: s}
}

// column runs SELECT c FROM colTable ORDER BY id and returns the result's type and its
// values (NULL for nulls) joined by ",".
func (cs colSession) column(c Column) (arrow.DataType, string) {
	cs.t.Helper()
	if err := c.Err(); err != nil {
		cs.t.Fatalf("%s: %v", c.SQL(), err)
	}
	q := "SELECT " + c.selectSQL() + " FROM " + colTable + " ORDER BY id"
	res, err := cs.s.Exec(context.Background(), q)
	if err != nil {
		cs.t.Fatalf("%s: %v", q, err)
	}
	defer res.Release()
	var vals []string
	for _, b := range res.Batches {
		col := b.Column(0)
		for i := 0; i < col.Len(); i++ {
			if col.IsNull(i) {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, col.ValueStr(i))
			}
		}
	}
	return res.Schema.Field(0).Type, strings.Join(vals, ",")
}

// TestColumnEval runs rendered Columns through the whole SQL pipeline: the text binds, and
// parentheses and literals mean what the builder meant.
func TestColumnEval(t *testing.T) {
	cs := newColSession(t)
	cases := []struct {
		name string
		col  Column
		want string
	}{
		{"right operand grouped", Col("a").Minus(Col("b").Minus(Col("c"))), "9,NULL"},
		{"sum times", Col("a").Minus(Col("b")).Multiply(2), "12,30"},
		{"divide then times", Col("a").Divide(Col("b")).Multiply(Col("b")), "10,20"},
		{"compare sums", Col("a").Plus(1).Gt(Col("b").Multiply(3)), "false,true"},
		{"not and", Not(Col("a").Gt(15).And(Col("b").Gt(4))), "true,false"},
		{"or and", Col("a").Gt(15).Or(Col("b").Lt(5)).And(Col("c").IsNotNull()), "true,false"},
		{"is null", Col("c").IsNull(), "false,true"},
		{"null safe", Col("c").EqNullSafe(nil), "false,true"},
		{"in", Col("a").IsIn(20, 30), "false,true"},
		{"between", Col("a").Between(5, 10), "true,false"},
		{"between and", Col("a").Between(5, 10).And(Col("b").EqualTo(4)), "true,false"},
		{"like", Col("s").Like("y%"), "false,true"},
		{"like escaped underscore", Lit("a_b").Like(`a\_b`).And(Not(Lit("axb").Like(`a\_b`))), "true,true"},
		{"rlike", Col("s").RLike("^y+$"), "false,true"},
		{"case", When(Col("a").Gt(15), "big").Otherwise("small"), "small,big"},
		{"case else null", When(Col("a").Gt(15), "big"), "NULL,big"},
		{"coalesce", Coalesce("c", 0), "3,0"},
		{"length counts characters", Length(Lit("héllo")), "5,5"},
		{"substring", Substring("s", 1, 1), "x,y"},
		{"concat", Concat("s", Lit("-"), Col("a").Cast("string")), "x-10,yy-20"},
		{"cast decimal", Lit("1.25").Cast("decimal(5,1)"), "1.3,1.3"},
		{"cast boolean", Col("a").Minus(10).Cast("boolean"), "false,true"},
		{"running sum", Sum("a").Over(WindowOrderBy("id").RowsBetween(UnboundedPreceding, CurrentRow)), "10,30"},
		{"row number desc", RowNumber().Over(WindowOrderBy(Col("a").Desc())), "2,1"},
		{"lag default", Lag("a", 1, 0).Over(WindowOrderBy("id")), "0,10"},
		{"window over nulls last", RowNumber().Over(WindowOrderBy(Col("c").AscNullsLast())), "1,2"},
		{"window over nulls first", RowNumber().Over(WindowOrderBy(Col("c").AscNullsFirst())), "2,1"},
		{"qualified", Col("t.a").Plus(Col("t.b")), "14,25"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := cs.column(tc.col); got != tc.want {
				t.Errorf("%s = %s, want %s", tc.col.SQL(), got, tc.want)
			}
		})
	}
}

// TestLiteralRoundTrip: literals come back from the engine as the same Go value and with the
// type the docs promise.
func TestLiteralRoundTrip(t *testing.T) {
	cs := newColSession(t)
	for _, s := range []string{"it's", `back\slash`, "nl\ncr\rtab\tnul\x00sub\x1a", `\%_`,
		"ünï 🔥", `"double"`, "--not a comment", "/* nor this */", "#hash", "`tick`", ""} {
		typ, got := cs.column(Lit(s))
		if typ.ID() != arrow.STRING || got != s+","+s {
			t.Errorf("Lit(%q) came back as %s %q", s, typ, got)
		}
	}
	ts := time.Date(2024, 2, 29, 13, 4, 5, 123456789, time.FixedZone("CET", 3600))
	types := []struct {
		name string
		col  Column
		typ  string
		want string
	}{
		{"int", Lit(42), "int64", "42"},
		{"min int64", Lit(int64(math.MinInt64)), "int64", "-9223372036854775808"},
		{"max uint64", Lit(uint64(math.MaxUint64)), "decimal(20, 0)", "18446744073709551615"},
		{"float is double", Lit(0.1), "float64", "0.1"},
		{"float32 is double", Lit(float32(0.1)), "float64", "0.1"},
		{"float big", Lit(1e21), "float64", "1e+21"},
		{"bool", Lit(true), "bool", "true"},
		{"decimal", Decimal("1.50"), "decimal(3, 2)", "1.5"},
		{"date", Date(2024, time.February, 29), "date32", "2024-02-29"},
		{"timestamp", Lit(ts), "timestamp[us]", "2024-02-29T12:04:05.123456"},
	}
	for _, tc := range types {
		t.Run(tc.name, func(t *testing.T) {
			typ, got := cs.column(tc.col)
			if typ.String() != tc.typ {
				t.Errorf("%s has type %s, want %s", tc.col.SQL(), typ, tc.typ)
			}
			if want := tc.want + "," + tc.want; got != want {
				t.Errorf("%s = %s, want %s", tc.col.SQL(), got, want)
			}
		})
	}
}

// TestSelectExprAliases: SelectExpr items take aliases as a SELECT list does, with or
// without AS, quoted or not; an invalid item still reports its parse error.
func TestSelectExprAliases(t *testing.T) {
	s := dfSession(t, 1)
	df := peopleDF(t, s).OrderBy("name").Limit(1)
	got := df.SelectExpr("age + 1 AS next", "upper(name) shout", "salary * 2 AS `double pay`", "city")
	schema, err := got.Schema()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range schema.Fields() {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "next,shout,double pay,city" {
		t.Errorf("columns %v", names)
	}
	rows := collect(t, got)
	first := collect(t, df.Select("age", "name"))
	if len(rows) != 1 || rows[0][0] != first[0][0].(int64)+1 || rows[0][1] != strings.ToUpper(first[0][1].(string)) {
		t.Errorf("rows %v from %v", rows, first)
	}
	if _, err := df.SelectExpr("age +* 1 AS x").Schema(); err == nil || !errors.Is(err, errs.ErrParse) {
		t.Errorf("invalid item: %v", err)
	}
}
