// Command tpchgen generates TPC-H data as Parquet files, one per table, with go-tpc's dbgen
// and DuckDB's Parquet writer (see package tpch, Generate).
//
//	go run ./cmd/tpchgen -sf 1                 # into data/sf1 (relative to bench/)
//	go run ./cmd/tpchgen -sf 0.01 -out /tmp/t  # scale factors below 1 in steps of 0.001
//
// A directory that already holds complete data for the scale factor is left as it is
// (unless -force). The exit status is 1 on any error.
package main
