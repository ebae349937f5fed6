// Package bench is the root of Ember's benchmark and test-data module. It holds no code:
// see package tpch for the TPC-H tooling and README.md for the commands
// (cmd/tpchgen, cmd/makesample, cmd/makefixtures, cmd/tpchcheck).
//
// The module is separate from the engine's so that the engine never depends on cgo:
// DuckDB, the reference engine, comes in through github.com/marcboeker/go-duckdb.
package bench
