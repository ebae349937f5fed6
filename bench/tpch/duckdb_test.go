package tpch

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func duckRows(t *testing.T, d *DuckDB, q string) [][]string {
	t.Helper()
	_, batches, err := d.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	rows, err := FormatRows(batches)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// ember_mysql_avg must give MySQL's exact average: scale 2+4, ties rounded away from zero.
func TestMySQLAvgMacro(t *testing.T) {
	ctx := context.Background()
	d, err := OpenDuckDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// g=1: 0.01 over 32 rows = 0.0003125, a tie at the 7th digit → 0.000313.
	// g=2: the same, negative → -0.000313. g=3: 37734107.00 / 1478493 = 25.5220058... → 25.522006
	// (go-tpc's q1 answer). g=4: 1 / 3 = 0.333333. g=5: only NULLs → NULL.
	setup := `CREATE TABLE t AS
		SELECT 1 AS g, CAST(CASE WHEN i = 0 THEN 0.01 ELSE 0 END AS DECIMAL(15,2)) AS x FROM range(32) r(i)
		UNION ALL SELECT 2, CAST(CASE WHEN i = 0 THEN -0.01 ELSE 0 END AS DECIMAL(15,2)) FROM range(32) r(i)
		UNION ALL SELECT 3, CAST(CASE WHEN i = 0 THEN 37734107.00 - 1478492 ELSE 1 END AS DECIMAL(15,2)) FROM range(1478493) r(i)
		UNION ALL SELECT 4, CAST(CASE WHEN i = 0 THEN 1 ELSE 0 END AS DECIMAL(15,2)) FROM range(3) r(i)
		UNION ALL SELECT 5, CAST(NULL AS DECIMAL(15,2))`
	if err := d.Exec(ctx, setup); err != nil {
		t.Fatal(err)
	}
	got := duckRows(t, d, "SELECT g, ember_mysql_avg(x), typeof(ember_mysql_avg(x)) FROM t GROUP BY g ORDER BY g")
	want := [][]string{
		{"1", "0.000313", "DECIMAL(38,6)"},
		{"2", "-0.000313", "DECIMAL(38,6)"},
		{"3", "25.522006", "DECIMAL(38,6)"},
		{"4", "0.333333", "DECIMAL(38,6)"},
		{"5", "NULL", "DECIMAL(38,6)"},
	}
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("got %v, want %v", got, want)
	}
	_, _, err = d.Query(ctx, "SELECT ember_mysql_avg(CAST(x AS DECIMAL(15,3))) FROM t")
	if err == nil || !strings.Contains(err.Error(), "must be DECIMAL(p,2)") {
		t.Errorf("a DECIMAL(15,3) argument gave %v, want the macro's error", err)
	}
}

// The translated TPC-H texts must run in DuckDB and keep MySQL's result scales.
func TestToDuckDBRuns(t *testing.T) {
	ctx := context.Background()
	d, err := OpenDuckDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, tb := range Tables {
		if err := d.Exec(ctx, "CREATE TABLE "+tb.Name+" (\n"+tb.Columns+")"); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Exec(ctx, `INSERT INTO lineitem VALUES (1, 1, 1, 1, 17, 21168.23, 0.04, 0.02, 'N', 'O',
		DATE '1996-03-13', DATE '1996-02-12', DATE '1996-03-22', 'DELIVER IN PERSON', 'TRUCK', 'c')`); err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= NumQueries; n++ {
		sc, err := QueryScript(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range sc.Setup {
			if err := d.Exec(ctx, mustToDuckDB(t, st)); err != nil {
				t.Fatalf("q%d setup: %v", n, err)
			}
		}
		dq := mustToDuckDB(t, sc.Query)
		schema, batches, err := d.Query(ctx, dq)
		if err != nil {
			t.Fatalf("q%d: %v\n%s", n, err, dq)
		}
		for _, b := range batches {
			b.Release()
		}
		for _, st := range sc.Teardown {
			if err := d.Exec(ctx, mustToDuckDB(t, st)); err != nil {
				t.Fatalf("q%d teardown: %v", n, err)
			}
		}
		// The divisions keep MySQL's scales: q8 sum(DECIMAL(..,4)) / sum(..), q14
		// 100.00 * sum(..4) / .., q17 sum(DECIMAL(15,2)) / 7.0.
		divScale := map[int]string{8: "decimal(38, 8)", 14: "decimal(38, 10)", 17: "decimal(38, 6)"}
		if want, ok := divScale[n]; ok {
			if got := schema.Field(schema.NumFields() - 1).Type.String(); got != want {
				t.Errorf("q%d quotient type %s, want %s", n, got, want)
			}
		}
		if n == 1 {
			var scales []string
			for _, f := range schema.Fields()[2:9] {
				scales = append(scales, f.Type.String())
			}
			want := "decimal(38, 2) decimal(38, 2) decimal(38, 4) decimal(38, 6) decimal(38, 6) decimal(38, 6) decimal(38, 6)"
			if got := strings.Join(scales, " "); got != want {
				t.Errorf("q1 types %s, want %s", got, want)
			}
		}
	}
}

func mustToDuckDB(t *testing.T, q string) string {
	t.Helper()
	dq, err := ToDuckDB(q)
	if err != nil {
		t.Fatal(err)
	}
	return dq
}
