// Command makefixtures writes the expected results of TPC-H queries over the sample data as
// sqllogictest files, testdata/slt/tpch/qNN.slt, for Ember's CI. DuckDB computes them over
// the same Parquet files (testdata/sample/tpch) that the files register for Ember.
//
//	cd bench && go run ./cmd/makefixtures            # queries 1, 3, 5, 6 and 10
//	go run ./cmd/makefixtures -queries 1,6           # a subset
//
// Each file registers the tables the query names, with paths relative to the repository
// root (the runner runs from there), then holds the query in go-tpc's MySQL text
// (tpch.Query) and the rows DuckDB returns for its DuckDB translation (tpch.ToDuckDB).
// The result types, and so the expected text, follow MySQL's rules, which Ember follows:
//
//   - DECIMAL(15,2) columns keep scale 2; a product adds the scales, so
//     l_extendedprice * (1 - l_discount) has scale 4 and
//     l_extendedprice * (1 - l_discount) * (1 + l_tax) scale 6; sum keeps its argument's
//     scale: sum_disc_price prints 4 fraction digits, sum_charge 6;
//   - avg of a DECIMAL(p,s) has scale s+4 (MySQL's div_precision_increment), rounded half
//     away from zero: avg(l_quantity) prints 6 fraction digits. DuckDB's own avg returns
//     a DOUBLE, so the translation computes MySQL's exact value instead;
//   - count is BIGINT; dates print as 2006-01-02; decimals print exactly their scale.
//
// Column letters: I for integers, R for decimals and floats, T for the rest. Every query
// here has an ORDER BY, so rows are compared in order (no sort mode); the command fails if
// the ORDER BY leaves the order of the written rows open (see checkTies).
package main
