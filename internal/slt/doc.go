// Package slt is Ember's sqllogictest runner: it parses .slt files (statement ok,
// statement error <regex>, query <types> [nosort|rowsort|valuesort], ----, include, halt,
// # comments) and runs them through an Executor, reporting each mismatch with its file and
// line. The end-to-end SQL tests (slt_test.go at the repository root... see
// internal/slt/slt_test.go) run every file under testdata/slt/ in a fresh session, in
// parallel, at several batch sizes and partition counts; `go test ./internal/slt -rewrite`
// regenerates expected results.
//
// Values: NULL is "NULL", the empty string is "(empty)", everything else as the shell's
// formatter renders it (decimals with exactly their scale, dates yyyy-mm-dd).
//
// Place in the import table: an internal test harness; it imports nothing of the engine
// (the test file wires in dataframe).
package slt
