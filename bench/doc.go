// Package bench is the root of Ember's benchmark and test-data module. It holds no code:
// see package tpch for the TPC-H tooling, package predict for the model-inference
// benchmark, package train for the training benchmark, and README.md for the commands
// (cmd/tpchgen, cmd/makesample, cmd/makefixtures, cmd/tpchcheck, cmd/tpchbench,
// cmd/joinorder, cmd/predictbench, cmd/trainbench).
//
// The module is separate from the engine's so that the engine never depends on cgo:
// DuckDB, the reference engine, comes in through github.com/marcboeker/go-duckdb.
package bench
