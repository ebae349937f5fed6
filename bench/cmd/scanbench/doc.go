// Command scanbench measures scan throughput: how many bytes of Parquet Ember and DuckDB
// read per second from TPC-H's lineitem.parquet, side by side on the same file, for a
// wide projection (all 16 columns), narrow ones (l_extendedprice and l_shipdate;
// l_extendedprice alone) and two text columns (l_shipmode, l_comment).
//
//	cd bench && go run ./cmd/scanbench -sf 1            # 1 warm-up + 5 timed runs per engine and projection
//	go run ./cmd/scanbench -sf 1 -runs 3 -out scan.md
//
// It generates the data if the directory does not hold it yet (tpch.Generate, as tpchgen),
// then hands everything to tpch.RunScan: both engines in this process, each run
// `SELECT <columns> FROM lineitem` with the whole result materialized as Arrow batches and
// released, the engines alternating run by run. The bytes are the projected column
// chunks' compressed and uncompressed sizes from the file's footer
// (tpch.ParquetColumnBytes).
//
// Output: a Markdown table on stdout (and in -out): per projection the bytes, both
// engines' median seconds, the ratio E/D, MB/s of uncompressed and of compressed bytes,
// rows/s and the batches of each result; then how it was measured, the machine, the
// commit and the command. DuckDB's times include go-duckdb's copy of its materialized
// result into Arrow. Progress goes to stderr. The exit status is 1 on
// any error, including a run that does not return every row of the file.
package main
