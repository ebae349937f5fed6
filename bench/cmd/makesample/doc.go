// Command makesample regenerates the sample dataset that Ember's shell opens with, under
// testdata/sample of the repository:
//
//	tpch/<table>.parquet  TPC-H at SF 0.001 (about 6000 lineitem rows), as tpchgen writes it
//	iris.parquet          the iris data (150 rows) from iris.csv, which make_iris.py writes
//
// Run it from bench/: go run ./cmd/makesample (testdata/sample/README.md has the details).
// The TPC-H part is kept if it is complete for the scale factor, unless -force.
package main
