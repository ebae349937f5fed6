// Package ember holds what belongs to the project as a whole: the embedded sample dataset
// (Sample) that the shell opens a new warehouse with, and the architecture tests that
// enforce DESIGN.md's import table. The engine itself lives in the subpackages; start with
// ARCHITECTURE.md.
//
// How to add a sample table: put its Parquet file under testdata/sample/ (with the script
// that made it, see testdata/sample/README.md) and list it in sample.go's SampleTables.
package ember
