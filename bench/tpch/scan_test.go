package tpch

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// ParquetColumnBytes over the SF 0.01 lineitem file agrees, column by column, with
// DuckDB's own reading of the footer (parquet_metadata), and sums additively.
func TestScanBytesMatchDuckDB(t *testing.T) {
	dir := benchData(t)
	path := TablePath(dir, ScanTable)
	all, err := TableColumns(ScanTable)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 16 || all[0] != "l_orderkey" || all[15] != "l_comment" {
		t.Fatalf("lineitem columns: %v", all)
	}
	ctx := context.Background()
	d, err := OpenDuckDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	groups, err := d.QueryInt(ctx, fmt.Sprintf("SELECT count(DISTINCT row_group_id) FROM parquet_metadata(%s)", SQLString(path)))
	if err != nil {
		t.Fatal(err)
	}
	var sum ScanBytes
	for _, c := range all {
		b, err := ParquetColumnBytes(path, []string{c})
		if err != nil {
			t.Fatal(err)
		}
		meta := fmt.Sprintf("FROM parquet_metadata(%s) WHERE path_in_schema = %s", SQLString(path), SQLString(c))
		comp, err := d.QueryInt(ctx, "SELECT sum(total_compressed_size)::BIGINT "+meta)
		if err != nil {
			t.Fatal(err)
		}
		uncomp, err := d.QueryInt(ctx, "SELECT sum(total_uncompressed_size)::BIGINT "+meta)
		if err != nil {
			t.Fatal(err)
		}
		if b.Compressed != comp || b.Uncompressed != uncomp || int64(b.Chunks) != groups || int64(b.RowGroups) != groups {
			t.Errorf("%s: %+v, DuckDB says compressed %d, uncompressed %d, %d row groups", c, b, comp, uncomp, groups)
		}
		if b.Rows != 60175 || b.Compressed <= 0 || b.Uncompressed < b.Compressed/2 {
			t.Errorf("%s: %+v", c, b)
		}
		sum.Compressed += b.Compressed
		sum.Uncompressed += b.Uncompressed
		sum.Chunks += b.Chunks
	}
	wide, err := ParquetColumnBytes(path, all)
	if err != nil {
		t.Fatal(err)
	}
	if wide.Compressed != sum.Compressed || wide.Uncompressed != sum.Uncompressed || wide.Chunks != 16*wide.RowGroups {
		t.Errorf("all columns %+v, the sum of each alone %+v", wide, sum)
	}
	for _, bad := range [][]string{{"l_nosuch"}, {"l_tax", "l_tax"}, {"L_TAX"}} {
		if _, err := ParquetColumnBytes(path, bad); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

// One timed run of each default projection at SF 0.01: both engines return every row
// and the report has a row per projection with its bytes.
func TestRunScan(t *testing.T) {
	dir := benchData(t)
	rep, err := RunScan(context.Background(), ScanConfig{ScaleFactor: 0.01, Dir: dir, Runs: 2, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 4 || rep.Threads != 2 {
		t.Fatalf("%d results, %d threads", len(rep.Results), rep.Threads)
	}
	wide := rep.Results[0].Bytes
	for _, r := range rep.Results {
		if len(r.EmberTimes) != 2 || len(r.DuckDBTimes) != 2 || r.EmberBatches < 1 || r.DuckDBBatches < 1 {
			t.Errorf("%s: times %v %v, batches %d %d", r.Projection.Name, r.EmberTimes, r.DuckDBTimes, r.EmberBatches, r.DuckDBBatches)
		}
		if r.Bytes.Rows != 60175 || r.Bytes.Chunks != len(r.Projection.Columns)*r.Bytes.RowGroups {
			t.Errorf("%s: %+v", r.Projection.Name, r.Bytes)
		}
		if r.Projection.Name != "wide" && (r.Bytes.Compressed >= wide.Compressed || r.Bytes.Uncompressed >= wide.Uncompressed) {
			t.Errorf("%s reads %+v, no less than wide's %+v", r.Projection.Name, r.Bytes, wide)
		}
	}
	md := rep.Markdown()
	for _, want := range []string{"| wide | all 16 | ", "| narrow | l_extendedprice, l_shipdate | ", "| strings | l_shipmode, l_comment | ", "DuckDB v1.1.3", "(60175 rows, "} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	if _, err := RunScan(context.Background(), ScanConfig{ScaleFactor: 0.01, Dir: dir, Runs: 1,
		Projections: []ScanProjection{{"bad", []string{"l_nosuch"}}}}); err == nil || !strings.Contains(err.Error(), "l_nosuch") {
		t.Errorf("unknown column: %v", err)
	}
}
