package driver_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/driver"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
)

// openDB opens an in-memory database on a checked allocator, with one connection (an
// in-memory catalog belongs to its connection), and at the end checks that closing the
// database left no Arrow memory behind.
func openDB(t *testing.T, cfg driver.Config) *sql.DB {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	cfg.Allocator = mem
	db := sql.OpenDB(driver.NewConnector(cfg))
	if cfg.InMemory {
		db.SetMaxOpenConns(1)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		mem.AssertSize(t, 0)
	})
	return db
}

func memDB(t *testing.T) *sql.DB {
	return openDB(t, driver.Config{InMemory: true, Partitions: 2})
}

// writeFile writes a file under dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustExec(t *testing.T, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, query string, args ...any) sql.Result {
	t.Helper()
	res, err := db.ExecContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return res
}

// allTypes is one row of every result type over the table p of typesDB.
const allTypes = "SELECT ti, si, i, 4000000000 AS bi, f, 2.25e0 AS d, CAST(-12.5 AS DECIMAL(10,2)) AS dc, " +
	"'héllo' AS s, DATE '2024-02-29' AS dt, TIMESTAMP '2024-02-29 13:14:15.123456' AS ts, " +
	"true AS b, `array`(1, NULL, 3) AS arr, `vector`(1, 2.5) AS vec FROM p WHERE ti = 1"

// typesDB is memDB with a table p of the narrow types SQL literals cannot make: TINYINT and
// SMALLINT (NOT NULL), INT and FLOAT (nullable), in two rows, the second with NULLs.
func typesDB(t *testing.T, cfg driver.Config) *sql.DB {
	t.Helper()
	db := openDB(t, cfg)
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "ti", Type: arrow.PrimitiveTypes.Int8},
		{Name: "si", Type: arrow.PrimitiveTypes.Int16},
		{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "f", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	}, nil)
	rec, _, err := array.RecordFromJSON(mem, schema, strings.NewReader(
		`[{"ti": 1, "si": 2, "i": 3, "f": 0.5}, {"ti": -1, "si": -2, "i": null, "f": null}]`))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "p.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := datasource.WriteParquet(f, schema, []arrow.RecordBatch{rec}, datasource.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, "CREATE TABLE p USING parquet LOCATION '"+path+"'")
	return db
}

func TestQueryEveryType(t *testing.T) {
	db := typesDB(t, driver.Config{InMemory: true, Partitions: 2})
	var (
		ti, si, i, bi int64
		f, d          float64
		dec           driver.Decimal
		decText       string
		s             string
		dt, ts        time.Time
		b             bool
		arr, vec      string
	)
	// The DECIMAL column is read twice: as a Decimal and as a string.
	row := db.QueryRow("SELECT *, dc FROM (" + allTypes + ") x")
	if err := row.Scan(&ti, &si, &i, &bi, &f, &d, &dec, &s, &dt, &ts, &b, &arr, &vec, &decText); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(ti, si, i, bi, f, d, dec, s, b, arr, vec, decText)
	want := fmt.Sprint(1, 2, 3, 4000000000, 0.5, 2.25, "-12.50", "héllo", true, "[1, NULL, 3]", "[1, 2.5]", "-12.50")
	if got != want {
		t.Errorf("values\n  %s\nwant\n  %s", got, want)
	}
	if wantDate := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC); !dt.Equal(wantDate) || dt.Location() != time.UTC {
		t.Errorf("date %v, want %v in UTC", dt, wantDate)
	}
	if wantTS := time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC); !ts.Equal(wantTS) || ts.Location() != time.UTC {
		t.Errorf("timestamp %v, want %v in UTC", ts, wantTS)
	}

	// Scanned into any, every value has the driver's Go type.
	rows, err := db.Query(allTypes)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vals := make([]any, 13)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatalf("no row: %v", rows.Err())
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	wantTypes := "int64 int64 int64 int64 float64 float64 driver.Decimal string time.Time time.Time bool string string"
	var types []string
	for _, v := range vals {
		types = append(types, reflect.TypeOf(v).String())
	}
	if got := strings.Join(types, " "); got != wantTypes {
		t.Errorf("Go types\n  %s\nwant\n  %s", got, wantTypes)
	}
	if rows.Next() {
		t.Error("a second row")
	}
	if err := rows.Err(); err != nil {
		t.Error(err)
	}
}

func TestColumnTypes(t *testing.T) {
	db := typesDB(t, driver.Config{InMemory: true, Partitions: 2})
	dir := t.TempDir()
	writeFile(t, dir, "n.csv", "k,v\n1,x\n,y\n")
	mustExec(t, db, "CREATE TABLE n USING csv OPTIONS (header 'true') LOCATION '"+dir+"/n.csv'")
	rows, err := db.Query("SELECT x.*, n.k, n.v FROM (" + allTypes + ") x, n LIMIT 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, dbType string
		nullable     bool
		scan         string
	}{
		{"ti", "TINYINT", false, "int64"},
		{"si", "SMALLINT", false, "int64"},
		{"i", "INT", true, "sql.NullInt64"},
		{"bi", "BIGINT", false, "int64"},
		{"f", "FLOAT", true, "sql.NullFloat64"},
		{"d", "DOUBLE", false, "float64"},
		{"dc", "DECIMAL", false, "driver.Decimal"},
		{"s", "VARCHAR", false, "string"},
		{"dt", "DATE", false, "time.Time"},
		{"ts", "TIMESTAMP", false, "time.Time"},
		{"b", "BOOLEAN", false, "bool"},
		// array(1, NULL, 3) and vector(1, 2.5) are constants the optimizer folds into
		// literals that are not NULL.
		{"arr", "ARRAY", false, "string"},
		{"vec", "VECTOR", false, "string"},
		{"k", "BIGINT", true, "sql.NullInt64"},
		{"v", "VARCHAR", true, "sql.NullString"},
	}
	if len(cts) != len(want) {
		t.Fatalf("%d columns, want %d", len(cts), len(want))
	}
	for i, w := range want {
		ct := cts[i]
		nullable, ok := ct.Nullable()
		got := fmt.Sprintf("%s %s %v %v %s", ct.Name(), ct.DatabaseTypeName(), nullable, ok, ct.ScanType())
		if exp := fmt.Sprintf("%s %s %v true %s", w.name, w.dbType, w.nullable, w.scan); got != exp {
			t.Errorf("column %d: %s, want %s", i+1, got, exp)
		}
		p, s, ok := ct.DecimalSize()
		if w.dbType == "DECIMAL" {
			if !ok || p != 10 || s != 2 {
				t.Errorf("column %s: DecimalSize %d, %d, %v; want 10, 2, true", w.name, p, s, ok)
			}
		} else if ok {
			t.Errorf("column %s: DecimalSize reports %d, %d for a %s", w.name, p, s, w.dbType)
		}
	}
}

func TestNulls(t *testing.T) {
	// batch_size 1: every row is its own batch.
	db := openDB(t, driver.Config{InMemory: true, Partitions: 1, BatchSize: 1})
	dir := t.TempDir()
	writeFile(t, dir, "t.csv", "id,i,d,s,dt,ts,b\n"+
		"1,10,1.5,a,2024-01-01,2024-01-01 10:00:00,true\n"+
		"2,,,,,,\n"+
		"3,30,,c,,2024-03-03 03:03:03,false\n")
	mustExec(t, db, "CREATE TABLE t USING csv OPTIONS (header 'true') LOCATION '"+dir+"/t.csv'")
	rows, err := db.Query("SELECT id, i, d, CAST(d AS DECIMAL(5,2)), s, dt, ts, b, NULL FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var (
			id  int64
			i   sql.NullInt64
			d   sql.NullFloat64
			dec sql.Null[driver.Decimal]
			s   sql.NullString
			dt  sql.NullTime
			ts  sql.NullTime
			b   sql.NullBool
			n   any
		)
		if err := rows.Scan(&id, &i, &d, &dec, &s, &dt, &ts, &b, &n); err != nil {
			t.Fatal(err)
		}
		show := func(valid bool, v any) string {
			if !valid {
				return "NULL"
			}
			if tt, ok := v.(time.Time); ok {
				return tt.Format("2006-01-02 15:04:05")
			}
			return fmt.Sprint(v)
		}
		lines = append(lines, strings.Join([]string{fmt.Sprint(id), show(i.Valid, i.Int64), show(d.Valid, d.Float64),
			show(dec.Valid, dec.V), show(s.Valid, s.String), show(dt.Valid, dt.Time), show(ts.Valid, ts.Time),
			show(b.Valid, b.Bool), show(n != nil, n)}, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"1 10 1.5 1.50 a 2024-01-01 00:00:00 2024-01-01 10:00:00 true NULL",
		"2 NULL NULL NULL NULL NULL NULL NULL NULL",
		"3 30 NULL NULL c NULL 2024-03-03 03:03:03 false NULL",
	}
	if got := strings.Join(lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("rows\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}

	// A NULL does not scan into a plain int64 or a Decimal.
	var plain int64
	if err := db.QueryRow("SELECT i FROM t WHERE id = 2").Scan(&plain); err == nil {
		t.Error("NULL scanned into an int64")
	}
	var dec driver.Decimal
	if err := db.QueryRow("SELECT CAST(NULL AS DECIMAL(3,1))").Scan(&dec); err == nil || !strings.Contains(err.Error(), "sql.Null[driver.Decimal]") {
		t.Errorf("NULL into a Decimal: %v", err)
	}
}

func TestParameters(t *testing.T) {
	db := memDB(t)
	at := time.Date(2024, 7, 1, 12, 30, 45, 987654321, time.FixedZone("UTC+2", 2*3600))
	cases := []struct {
		name  string
		arg   any
		want  string // the value read back, through fmt
		dbTyp string
	}{
		{"int64", int64(-42), "-42", "BIGINT"},
		{"int", 7, "7", "BIGINT"},
		{"uint64 past bigint", uint64(1 << 63), "9223372036854775808", "DECIMAL"},
		{"float64", 0.25, "0.25", "DOUBLE"},
		{"string", "o'k", "o'k", "VARCHAR"},
		{"bytes", []byte("raw"), "raw", "VARCHAR"},
		{"bool", false, "false", "BOOLEAN"},
		{"time to UTC microseconds", at, "2024-07-01 10:30:45.987654 +0000 UTC", "TIMESTAMP"},
		{"decimal", driver.Decimal("12.50"), "12.50", "DECIMAL"},
		{"decimal pointer", ptr(driver.Decimal("-0.001")), "-0.001", "DECIMAL"},
		{"nil", nil, "<nil>", "NULL"},
	}
	stmt, err := db.Prepare("SELECT ?")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := stmt.Query(c.arg)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			cts, err := rows.ColumnTypes()
			if err != nil {
				t.Fatal(err)
			}
			if got := cts[0].DatabaseTypeName(); got != c.dbTyp {
				t.Errorf("type %s, want %s", got, c.dbTyp)
			}
			if !rows.Next() {
				t.Fatalf("no row: %v", rows.Err())
			}
			var v any
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(v); got != c.want {
				t.Errorf("read back %s, want %s", got, c.want)
			}
		})
	}

	// The DECIMAL parameter keeps its digits: DECIMAL(4,2).
	rows, err := db.Query("SELECT ?", driver.Decimal("12.50"))
	if err != nil {
		t.Fatal(err)
	}
	cts, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	if p, s, ok := cts[0].DecimalSize(); !ok || p != 4 || s != 2 {
		t.Errorf("DecimalSize %d, %d, %v; want 4, 2, true", p, s, ok)
	}
	rows.Close()
}

func ptr[T any](v T) *T { return &v }

func TestPreparedStatementReused(t *testing.T) {
	db := memDB(t)
	dir := t.TempDir()
	writeFile(t, dir, "items.csv", "id,name,price\n1,apple,0.5\n2,pear,0.75\n3,plum,0.2\n4,fig,1.25\n")
	mustExec(t, db, "CREATE TABLE items USING csv OPTIONS (header 'true') LOCATION '"+dir+"/items.csv'")
	stmt, err := db.Prepare("SELECT name FROM items WHERE price >= ? AND name <> ? ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	cases := []struct {
		minPrice float64
		not      string
		want     string
	}{
		{0.5, "x", "apple,pear,fig"},
		{0.5, "pear", "apple,fig"},
		{0, "plum", "apple,pear,fig"},
		{2, "", ""},
		{0.75, "apple", "pear,fig"},
	}
	for _, c := range cases {
		rows, err := stmt.Query(c.minPrice, c.not)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, n)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if got := strings.Join(names, ","); got != c.want {
			t.Errorf("price >= %v, name <> %q: %s, want %s", c.minPrice, c.not, got, c.want)
		}
	}
	// QueryRow on a prepared statement, and Exec of a query (its rows are dropped).
	var n int64
	count, err := db.Prepare("SELECT count(*) FROM items WHERE id > ?")
	if err != nil {
		t.Fatal(err)
	}
	defer count.Close()
	for _, c := range []struct{ above, want int64 }{{0, 4}, {2, 2}, {4, 0}} {
		if err := count.QueryRow(c.above).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("count above %d: %d, want %d", c.above, n, c.want)
		}
	}
	if _, err := count.Exec(1); err != nil {
		t.Fatal(err)
	}
	// count(?) counts the rows for a non-NULL argument and nothing for a NULL one.
	countArg, err := db.Prepare("SELECT count(?) FROM items")
	if err != nil {
		t.Fatal(err)
	}
	defer countArg.Close()
	for _, c := range []struct {
		arg  any
		want int64
	}{{1, 4}, {nil, 0}, {"x", 4}, {nil, 0}} {
		if err := countArg.QueryRow(c.arg).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != c.want {
			t.Errorf("count(%v): %d, want %d", c.arg, n, c.want)
		}
	}
}

func TestParameterErrors(t *testing.T) {
	db := memDB(t)
	cases := []struct {
		name  string
		query string
		args  []any
		msg   string
	}{
		{"too few", "SELECT ?, ?", []any{1}, "the SQL has 2 parameter markers (?) but 1 argument was given"},
		{"too many", "SELECT ?", []any{1, 2}, "the SQL has 1 parameter marker (?) but 2 arguments were given"},
		{"none given", "SELECT ? + 1", nil, "the SQL has 1 parameter marker (?) but 0 arguments were given"},
		{"named", "SELECT ?", []any{sql.Named("x", 1)}, `named parameter "x" is not supported`},
		{"bad decimal", "SELECT ?", []any{driver.Decimal("1.2.3")}, `parameter 1: plan error: "1.2.3" is not a decimal number`},
		{"marker in a view", "CREATE TEMPORARY VIEW pv AS SELECT ? AS x", []any{1}, "view pv cannot use parameters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.Exec(c.query, c.args...)
			if err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want one containing %q", err, c.msg)
			}
			// The prepared form reports the same.
			stmt, err := db.Prepare(c.query)
			if err != nil {
				t.Fatal(err)
			}
			defer stmt.Close()
			if _, err := stmt.Exec(c.args...); err == nil || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("prepared: error %v, want one containing %q", err, c.msg)
			}
		})
	}
	// A failed CREATE VIEW left nothing behind.
	if _, err := db.Query("SELECT * FROM pv"); err == nil || !strings.Contains(err.Error(), `unknown table "pv"`) {
		t.Errorf("view pv after its failed CREATE: %v", err)
	}
	// Syntax errors surface at Prepare.
	if _, err := db.Prepare("SELEC 1"); err == nil || !errors.Is(err, errs.ErrParse) {
		t.Errorf("Prepare of bad SQL: %v, want a parse error", err)
	}
}

func TestExecDDLAndResults(t *testing.T) {
	db := memDB(t)
	dir := t.TempDir()
	writeFile(t, dir, "a.csv", "x\n1\n2\n3\n")
	res := mustExec(t, db, "CREATE TABLE a USING csv OPTIONS (header 'true') LOCATION '"+dir+"/a.csv'")
	if n, err := res.RowsAffected(); err != nil || n != 0 {
		t.Errorf("RowsAffected of DDL: %d, %v; want 0, nil", n, err)
	}
	if _, err := res.LastInsertId(); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("LastInsertId: %v, want not supported", err)
	}
	var sum int64
	if err := db.QueryRow("SELECT sum(x) FROM a").Scan(&sum); err != nil || sum != 6 {
		t.Errorf("sum: %d, %v; want 6", sum, err)
	}
	mustExec(t, db, "DROP TABLE a")
	if _, err := db.Query("SELECT * FROM a"); err == nil || !strings.Contains(err.Error(), `unknown table "a"`) {
		t.Errorf("after DROP TABLE: %v", err)
	}
	// A DDL statement through Query has no columns and no rows.
	rows, err := db.Query("CREATE TEMPORARY VIEW one AS SELECT 1 AS x")
	if err != nil {
		t.Fatal(err)
	}
	cols, err := rows.Columns()
	if err != nil || len(cols) != 0 || rows.Next() {
		t.Errorf("DDL through Query: columns %v, %v", cols, err)
	}
	rows.Close()
	// Transactions are refused.
	if _, err := db.Begin(); err == nil || !strings.Contains(err.Error(), "transactions are not supported") {
		t.Errorf("Begin: %v", err)
	}
}

// bigTable creates the table big of n rows (k = 0 .. n-1) from a CSV file.
func bigTable(t *testing.T, db *sql.DB, n int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("k\n")
	for i := range n {
		fmt.Fprintf(&b, "%d\n", i)
	}
	path := writeFile(t, t.TempDir(), "big.csv", b.String())
	mustExec(t, db, "CREATE TABLE big USING csv OPTIONS (header 'true') LOCATION '"+path+"'")
}

// slowQuery pairs 20,000 rows with 20,000 (4e8 pairs, seconds of work): it is still running
// when its context ends.
const slowQuery = "SELECT count(*) FROM big a, big b WHERE a.k + b.k > 0"

func TestCancelStopsARunningQuery(t *testing.T) {
	cases := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				time.Sleep(100 * time.Millisecond)
				cancel()
			}()
			return ctx, cancel
		}, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 100*time.Millisecond)
		}, context.DeadlineExceeded},
	}
	db := openDB(t, driver.Config{InMemory: true, Partitions: 2})
	bigTable(t, db, 20000)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := c.ctx()
			defer cancel()
			var n int64
			err := db.QueryRowContext(ctx, slowQuery).Scan(&n)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v (count %d), want one wrapping %v", err, n, c.want)
			}
			// The engine stopped the query (rather than database/sql giving up on it).
			if !errors.Is(err, errs.ErrCanceled) {
				t.Errorf("error %v is not the engine's canceled error", err)
			}
			// The connection is still usable.
			if err := db.QueryRow("SELECT count(*) FROM big WHERE k < ?", 10).Scan(&n); err != nil || n != 10 {
				t.Errorf("after cancellation: %d, %v; want 10", n, err)
			}
		})
	}
	// Exec is canceled the same way.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := db.ExecContext(ctx, slowQuery); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Exec past its deadline: %v", err)
	}
}

func TestRowsCloseReleasesMemory(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	db := sql.OpenDB(driver.NewConnector(driver.Config{InMemory: true, Partitions: 2, BatchSize: 7, Allocator: mem}))
	db.SetMaxOpenConns(1)
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
		mem.AssertSize(t, 0)
	}()
	bigTable(t, db, 100)
	cases := []struct {
		name string
		read int // rows read before Close; -1 reads them all
	}{
		{"closed before the first row", 0},
		{"closed after a few rows", 3},
		{"closed mid-batch of a later batch", 50},
		{"read to the end", -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, err := db.Query("SELECT k, CAST(k AS VARCHAR) FROM big ORDER BY k")
			if err != nil {
				t.Fatal(err)
			}
			if mem.CurrentAlloc() == 0 {
				t.Error("open rows hold no Arrow memory: the test checks nothing")
			}
			var k int64
			var s string
			got := 0
			for (c.read < 0 || got < c.read) && rows.Next() {
				if err := rows.Scan(&k, &s); err != nil {
					t.Fatal(err)
				}
				if k != int64(got) || s != fmt.Sprint(got) {
					t.Fatalf("row %d is %d, %q", got, k, s)
				}
				got++
			}
			if c.read < 0 && got != 100 {
				t.Errorf("read %d rows, want 100", got)
			}
			if err := rows.Close(); err != nil {
				t.Fatal(err)
			}
			if n := mem.CurrentAlloc(); n != 0 {
				t.Errorf("%d bytes still allocated after Rows.Close", n)
			}
			// A string read before Close stays valid after it (values are copies).
			if got > 0 && s != fmt.Sprint(got-1) {
				t.Errorf("string read before Close changed to %q", s)
			}
		})
	}
	// A query that fails after some batches were made holds nothing: the 1,201st value of a
	// column inferred as BIGINT from the first 1,000 does not read.
	var b strings.Builder
	b.WriteString("k\n")
	for i := range 1200 {
		fmt.Fprintf(&b, "%d\n", i)
	}
	b.WriteString("oops\n")
	path := writeFile(t, t.TempDir(), "bad.csv", b.String())
	mustExec(t, db, "CREATE TABLE bad USING csv OPTIONS (header 'true') LOCATION '"+path+"'")
	if _, err := db.Query("SELECT k + 1 FROM bad"); err == nil || !strings.Contains(err.Error(), "oops") {
		t.Fatalf("query over a bad file: %v, want an error naming the bad value", err)
	}
	if n := mem.CurrentAlloc(); n != 0 {
		t.Errorf("%d bytes allocated after a failed query", n)
	}
}

func TestConnectionsAreSessions(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, driver.Config{Warehouse: dir, Partitions: 2})
	bigTable(t, db, 1000)
	ctx := context.Background()

	// Connections held at the same time are distinct sessions.
	const n = 4
	conns := make([]*sql.Conn, n)
	for i := range conns {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	var wg sync.WaitGroup
	errc := make(chan error, n)
	for g, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- func() error {
				if _, err := c.ExecContext(ctx, fmt.Sprintf("CREATE TEMPORARY VIEW mine AS SELECT k FROM big WHERE k %% %d = %d", n, g)); err != nil {
					return err
				}
				stmt, err := c.PrepareContext(ctx, "SELECT count(*), min(k) FROM mine WHERE k < ?")
				if err != nil {
					return err
				}
				defer stmt.Close()
				for rep, below := range []int64{1000, 500, 100, 1000} {
					var cnt, lo int64
					if err := stmt.QueryRowContext(ctx, below).Scan(&cnt, &lo); err != nil {
						return err
					}
					// k in [0, below) with k % n == g: below/n of them (below is a multiple of n).
					if cnt != below/n || lo != int64(g) {
						return fmt.Errorf("connection %d, run %d: count %d, min %d; want %d, %d", g, rep, cnt, lo, below/n, g)
					}
				}
				return nil
			}()
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Error(err)
		}
	}

	// A temporary view is invisible to other connections.
	if _, err := conns[0].ExecContext(ctx, "CREATE TEMPORARY VIEW only_first AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	var x int64
	if err := conns[0].QueryRowContext(ctx, "SELECT x FROM only_first").Scan(&x); err != nil || x != 1 {
		t.Errorf("own view: %d, %v", x, err)
	}
	if err := conns[1].QueryRowContext(ctx, "SELECT x FROM only_first").Scan(&x); err == nil || !strings.Contains(err.Error(), `unknown table "only_first"`) {
		t.Errorf("another connection's view: %v, want unknown table", err)
	}

	// Another database opened by DSN on the same warehouse sees its tables (not its views).
	other, err := sql.Open("ember", "file:"+dir+"?partitions=1&batch_size=3")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var cnt int64
	if err := other.QueryRow("SELECT count(*) FROM big WHERE k >= ?", 990).Scan(&cnt); err != nil || cnt != 10 {
		t.Errorf("table through another database: %d, %v; want 10", cnt, err)
	}
	if err := other.QueryRow("SELECT count(*) FROM mine").Scan(&cnt); err == nil {
		t.Error("a temporary view is visible through another database")
	}
}

// TestDML: managed tables through database/sql: rows affected, parameters in INSERT,
// UPDATE and DELETE, NULLs, constraint errors, and the rows read back.
func TestDML(t *testing.T) {
	db := openDB(t, driver.Config{Warehouse: t.TempDir(), Partitions: 2})
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mustExec(t, conn, "CREATE TABLE t (id INT NOT NULL, name VARCHAR(8), price DECIMAL(8,2))")
	ins, err := conn.PrepareContext(ctx, "INSERT INTO t VALUES (?, ?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range [][]any{{1, "one", "1.10"}, {2, nil, driver.Decimal("2.25")}, {3, "three", nil}} {
		res, err := ins.ExecContext(ctx, row...)
		if err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			t.Errorf("insert %d: %d rows affected", i, n)
		}
	}
	ins.Close()
	if n, _ := mustExec(t, conn, "UPDATE t SET price = price * 2 WHERE id >= ?", 2).RowsAffected(); n != 2 {
		t.Errorf("UPDATE: %d rows affected, want 2", n)
	}
	if n, _ := mustExec(t, conn, "DELETE FROM t WHERE name IS NULL").RowsAffected(); n != 1 {
		t.Errorf("DELETE: %d rows affected, want 1", n)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO t VALUES (?, ?, ?)", nil, "x", 1); err == nil || !strings.Contains(err.Error(), `column "id" of t cannot be NULL (row 1)`) {
		t.Errorf("NULL into NOT NULL: %v", err)
	}
	rows, err := conn.QueryContext(ctx, "SELECT id, name, price FROM t ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int64
		var name sql.NullString
		var price sql.NullString
		if err := rows.Scan(&id, &name, &price); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %v %v", id, name.String, price))
	}
	rows.Close()
	if want := []string{"1 one {1.10 true}", "3 three { false}"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows %v, want %v", got, want)
	}
}
