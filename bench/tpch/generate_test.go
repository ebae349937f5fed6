package tpch

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// Generating SF 0.01 must give what TPC-H's dbgen gives at SF 0.01 (it is also what
// DuckDB's tpch extension makes): 60175 lineitem rows, and a first lineitem row with part
// key 1552, as the reference generator's scaled key ranges produce. The files must read
// back in DuckDB with the TPC-H types. Generate runs dbgen once per process, so this is
// the package's only test that generates.
func TestGenerate(t *testing.T) {
	if testing.Short() {
		t.Skip("generates data (about 10 s)")
	}
	ctx := context.Background()
	dir := t.TempDir()
	m, err := Generate(ctx, Options{ScaleFactor: 0.01, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	wantRows := map[string]int64{"nation": 25, "region": 5, "supplier": 100, "customer": 1500,
		"part": 2000, "partsupp": 8000, "orders": 15000, "lineitem": 60175}
	for name, n := range wantRows {
		if m.Rows[name] != n {
			t.Errorf("%s: %d rows, want %d", name, m.Rows[name], n)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	wantNames := []string{"_manifest.json", "customer.parquet", "lineitem.parquet", "nation.parquet",
		"orders.parquet", "part.parquet", "partsupp.parquet", "region.parquet", "supplier.parquet"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("directory holds %v, want %v (no temporary files left)", names, wantNames)
	}

	d, err := OpenDuckDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.RegisterParquet(ctx, "lineitem", TablePath(dir, "lineitem")); err != nil {
		t.Fatal(err)
	}
	got := duckRows(t, d, "SELECT * FROM lineitem LIMIT 1")
	want := "1 1552 93 1 17.00 24710.35 0.04 0.02 N O 1996-03-13 1996-02-12 1996-03-22 DELIVER IN PERSON TRUCK egular courts above the"
	if len(got) != 1 || strings.Join(got[0], " ") != want {
		t.Errorf("first lineitem row %v, want %s", got, want)
	}
	types := duckRows(t, d, "SELECT string_agg(column_type, ',' ORDER BY column_name) FROM (DESCRIBE lineitem) WHERE column_name IN ('l_orderkey','l_linenumber','l_extendedprice','l_shipdate','l_comment')")
	if wantTypes := "VARCHAR,DECIMAL(15,2),INTEGER,BIGINT,DATE"; types[0][0] != wantTypes {
		t.Errorf("lineitem types %s, want %s", types[0][0], wantTypes)
	}
	groups := duckRows(t, d, "SELECT max(row_group_num_rows), min(compression) FROM parquet_metadata("+SQLString(TablePath(dir, "lineitem"))+")")
	if groups[0][0] != "60175" || groups[0][1] != "SNAPPY" {
		t.Errorf("row groups / compression: %v", groups[0])
	}

	// A second call is answered from the manifest; forcing it would rerun dbgen, which
	// cannot run twice in a process.
	if m2, err := Generate(ctx, Options{ScaleFactor: 0.01, Dir: dir}); err != nil || m2.Rows["lineitem"] != 60175 {
		t.Errorf("cached Generate: %v, %v", m2, err)
	}
	if _, err := Generate(ctx, Options{ScaleFactor: 0.01, Dir: dir, Force: true}); err == nil || !strings.Contains(err.Error(), "already ran") {
		t.Errorf("second dbgen run: %v, want the already-ran error", err)
	}
}
