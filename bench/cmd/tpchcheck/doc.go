// Command tpchcheck runs TPC-H queries on Ember and checks the answers.
//
//	cd bench && go run ./cmd/tpchcheck -sf 1 -queries 1,3,5,6,10
//
// It generates the data for the scale factor if data/sf<N> does not hold it yet (as
// tpchgen does), registers the eight Parquet files as tables in a fresh Ember session
// (CREATE TABLE t USING parquet LOCATION '...'), runs each query in go-tpc's MySQL text and
// compares the rows:
//
//   - at SF 1 with go-tpc's published answers (tpch/answer.go), under go-tpc's rules
//     (tpch.CheckRows: text columns exact, sums within 100, averages and ratios within
//     0.01 after rounding to 3 decimals);
//   - at any other scale with DuckDB's rows for the same files, under the same rules.
//
// -engine duckdb checks DuckDB itself against the published answers (SF 1 only): it
// validates the generated data and this checker. It prints one line per query, PASS or
// FAIL with the first difference, and exits with status 1 if any query fails.
package main
