// Command tpchcheck runs the 22 TPC-H queries on Ember and checks the answers.
//
//	cd bench && go run ./cmd/tpchcheck -sf 1                  # all 22, through the Go API
//	go run ./cmd/tpchcheck -sf 1 -via shell -queries 1,3,5-7  # through the shell binary
//
// It generates the data for the scale factor if data/sf<N> does not hold it yet (as
// tpchgen does), registers the eight Parquet files as tables (CREATE TABLE t USING parquet
// LOCATION '...'), runs each query's script (tpch.QueryScript: go-tpc's MySQL text; for
// Q15 its view, the query and the view's drop, in one session) and compares the rows:
//
//   - at SF 1 with go-tpc's published answers (tpch/answer.go), under go-tpc's rules
//     (tpch.CheckRows: text columns exact, sums within 100, averages and ratios within
//     0.01 after rounding to 3 decimals);
//   - at any other scale with DuckDB's rows for the same files, under the same rules.
//
// Engines (engine in main.go): api.go runs Ember in this process through
// dataframe.Session (-via api); shell.go builds ./cmd/shell with go build -o into a
// temporary directory and runs one batch-mode process per query, reading its TSV output
// (-via shell); duckEngine runs DuckDB on the translated texts (-engine duckdb, which
// validates the data and this checker against the published answers).
//
// Output: one line per query, PASS, FAIL (rows differ; the first difference) or ERROR (the
// engine failed, panicked or ran past -timeout; its message), with the time, then a
// summary. The exit status is 1 unless every query passed. A query that errors does not
// stop the others; through the API, one that ignores its cancellation is abandoned after
// 30 s and the check goes on in a new session.
package main
