// Command duckq runs SQL statements through DuckDB (in memory) and prints each query's rows
// tab-separated, NULL as NULL, so expected results of .slt files can be checked against a
// reference engine:
//
//	printf "SELECT 1 + 1;\nSELECT 7 / 2;\n" | go run ./cmd/duckq
//
// Statements are separated by semicolons at line ends. Files such as testdata/slt/data/*.csv
// can be read with DuckDB's own functions (read_csv_auto('...')).
package main
