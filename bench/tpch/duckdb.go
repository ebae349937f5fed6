package tpch

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"regexp"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/marcboeker/go-duckdb"
)

// DuckDB is one connection to a private in-memory DuckDB database (DuckDB 1.1.3 through
// github.com/marcboeker/go-duckdb). It is not safe for concurrent use.
type DuckDB struct {
	db      *sql.DB
	conn    *sql.Conn
	version string
}

// mysqlAvgMacro defines ember_mysql_avg(x), which ToDuckDB puts in place of avg(x). DuckDB's
// avg of a DECIMAL is a DOUBLE; MySQL's (and Ember's) is exact: a DECIMAL with 4 more
// fraction digits (div_precision_increment) than its argument, rounded half away from
// zero. For the DECIMAL(15,2) columns that TPC-H averages, that is scale 6, computed here
// in integers: n = sum(x)·10^6 (exact, since x has 2 fraction digits), c = count(x),
// result = round(n / c) / 10^6 with ties away from zero, typed DECIMAL(38,6). The CASE
// refuses an argument whose sum is not DECIMAL(p,2) rather than round it wrongly, and
// integer division by a zero count gives NULL, as avg of no rows does.
const mysqlAvgMacro = `CREATE MACRO ember_mysql_avg(x) AS CASE
	WHEN typeof(sum(x)) NOT LIKE 'DECIMAL(%,2)'
		THEN error('ember_mysql_avg: argument must be DECIMAL(p,2), its sum is ' || typeof(sum(x)))
	ELSE CAST(
		sign(CAST(sum(x) * 100 AS HUGEINT)) *
		((2 * abs(CAST(sum(x) * 100 AS HUGEINT)) * 10000 + count(x)) // (2 * count(x)))
		AS DECIMAL(31,0)) * CAST('0.000001' AS DECIMAL(7,6))
	END`

// OpenDuckDB opens a fresh in-memory database and defines the helpers that ToDuckDB's
// translations use.
func OpenDuckDB(ctx context.Context) (*DuckDB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	d := &DuckDB{db: db, conn: conn}
	if err := conn.QueryRowContext(ctx, "SELECT version()").Scan(&d.version); err != nil {
		d.Close()
		return nil, fmt.Errorf("duckdb: %w", err)
	}
	for _, m := range []string{mysqlAvgMacro, mysqlDivMacro} {
		if err := d.Exec(ctx, m); err != nil {
			d.Close()
			return nil, err
		}
	}
	return d, nil
}

// Version is DuckDB's version string, such as v1.1.3.
func (d *DuckDB) Version() string { return d.version }

// Close closes the connection and the database.
func (d *DuckDB) Close() error {
	cerr := d.conn.Close()
	if err := d.db.Close(); err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	if cerr != nil {
		return fmt.Errorf("duckdb: %w", cerr)
	}
	return nil
}

// Exec runs statements that return no rows.
func (d *DuckDB) Exec(ctx context.Context, query string) error {
	if _, err := d.conn.ExecContext(ctx, query); err != nil {
		return fmt.Errorf("duckdb: %w", err)
	}
	return nil
}

// QueryInt runs a query that returns one integer.
func (d *DuckDB) QueryInt(ctx context.Context, query string) (int64, error) {
	var n int64
	if err := d.conn.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return 0, fmt.Errorf("duckdb: %w", err)
	}
	return n, nil
}

// Query runs a query and returns its result as Arrow batches, which the caller releases.
// DuckDB exports DECIMAL as decimal128 with its width and scale, DATE as date32, VARCHAR
// as utf8 and BIGINT as int64. Columns computed by ember_mysql_div (see ToDuckDB) come back
// as MySQL's exact quotients, DECIMAL(38, dividend's scale + 4), computed in Go from the
// exact operands that DuckDB returns (mysqldiv.go).
func (d *DuckDB) Query(ctx context.Context, query string) (*arrow.Schema, []arrow.RecordBatch, error) {
	var (
		schema  *arrow.Schema
		batches []arrow.RecordBatch
	)
	err := d.conn.Raw(func(dc any) error {
		dconn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		ar, err := duckdb.NewArrowFromConn(dconn)
		if err != nil {
			return err
		}
		rdr, err := ar.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rdr.Release()
		schema = rdr.Schema()
		for rdr.Next() {
			b := rdr.RecordBatch()
			b.Retain()
			batches = append(batches, b)
		}
		return rdr.Err()
	})
	if err != nil {
		for _, b := range batches {
			b.Release()
		}
		return nil, nil, fmt.Errorf("duckdb: %w", err)
	}
	return applyDivisions(memory.DefaultAllocator, schema, batches)
}

// RegisterParquet makes table a view over a Parquet file.
func (d *DuckDB) RegisterParquet(ctx context.Context, table, path string) error {
	return d.Exec(ctx, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS SELECT * FROM read_parquet(%s)", table, SQLString(path)))
}

// SQLString quotes s as a SQL string literal (for DuckDB and Ember alike).
func SQLString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

var (
	// date_add('1995-01-01', interval '3' month), date_sub('1998-12-01', interval 108 day)
	mysqlDateArith = regexp.MustCompile(`(?i)\bdate_(add|sub)\(\s*'(\d{4}-\d{2}-\d{2})'\s*,\s*interval\s+('-?\d+'|-?\d+)\s+(day|month|year)\s*\)`)
	mysqlDateFunc  = regexp.MustCompile(`(?i)\bdate_(add|sub)\s*\(`)
	mysqlAvg       = regexp.MustCompile(`(?i)\bavg\s*\(`)
)

// ToDuckDB translates a TPC-H query from go-tpc's MySQL text to DuckDB's dialect, so that
// DuckDB computes what MySQL (and Ember) would:
//   - date_add('D', interval N unit) and date_sub(...) become (DATE 'D' ± INTERVAL N unit):
//     DuckDB's date_sub is a difference of dates, not a subtraction of an interval;
//   - avg(x) becomes ember_mysql_avg(x), MySQL's exact decimal average (see OpenDuckDB);
//   - a / b becomes ember_mysql_div(a, b), whose column Query turns into MySQL's exact
//     decimal quotient (mysqldiv.go): DuckDB's own / of decimals is a DOUBLE;
//   - comparisons of DATE columns with string literals ('1995-03-13') stay: DuckDB casts
//     the literal to DATE, as MySQL does.
//
// Result types then follow MySQL's decimal rules, which DuckDB shares for + - * and sum:
// the scale of a product is the sum of the scales, so with DECIMAL(15,2) columns
// sum(l_extendedprice * (1 - l_discount)) has scale 4 and
// sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) scale 6; a sum keeps its argument's
// scale; avg and / add 4 to the scale of their argument or dividend. Any date_add or
// date_sub of another shape, and any division operand the rewrite cannot delimit, is an
// error, not a guess. The result is one statement; translate a Script statement by
// statement.
func ToDuckDB(mysql string) (string, error) {
	q := mysqlDateArith.ReplaceAllStringFunc(mysql, func(m string) string {
		p := mysqlDateArith.FindStringSubmatch(m)
		op := "+"
		if strings.EqualFold(p[1], "sub") {
			op = "-"
		}
		return fmt.Sprintf("(DATE '%s' %s INTERVAL %s %s)", p[2], op, p[3], strings.ToUpper(p[4]))
	})
	if loc := mysqlDateFunc.FindStringIndex(q); loc != nil {
		return "", fmt.Errorf("tpch: cannot translate %q for DuckDB", q[loc[0]:min(len(q), loc[0]+40)])
	}
	return rewriteDivisions(mysqlAvg.ReplaceAllString(q, "ember_mysql_avg("))
}
