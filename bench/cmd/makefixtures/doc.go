// Command makefixtures writes the expected results of the TPC-H queries over the sample data
// as sqllogictest files, testdata/slt/tpch/qNN.slt, for Ember's CI. DuckDB computes them over
// the same Parquet files (testdata/sample/tpch, SF 0.001) that the files register for Ember.
// It is the source of truth of those files: regenerate them with it, never edit them.
//
//	cd bench && go run ./cmd/makefixtures            # all 22 queries
//	go run ./cmd/makefixtures -queries 1,6           # a subset
//
// Each file registers the tables the query's script names, with paths relative to the
// repository root (the runner runs from there), then holds the script (tpch.QueryScript):
// for Q15 the CREATE VIEW as a statement, the query, and the DROP VIEW as a statement; for
// the others the query alone, in go-tpc's MySQL text, with the rows DuckDB returns for its
// DuckDB translation (tpch.ToDuckDB). The result types, and so the expected text, follow
// MySQL's rules, which Ember follows:
//
//   - DECIMAL(15,2) columns keep scale 2; a product adds the scales, so
//     l_extendedprice * (1 - l_discount) has scale 4 and
//     l_extendedprice * (1 - l_discount) * (1 + l_tax) scale 6; sum keeps its argument's
//     scale: sum_disc_price prints 4 fraction digits, sum_charge 6;
//   - avg of a DECIMAL(p,s) has scale s+4 (MySQL's div_precision_increment), rounded half
//     away from zero: avg(l_quantity) prints 6 fraction digits. DuckDB's own avg returns
//     a DOUBLE, so the translation computes MySQL's exact value instead;
//   - a / b of exact numbers has the dividend's scale plus 4, rounded half away from zero
//     (Q8 prints 8 fraction digits, Q14 10, Q17 6); DuckDB's / returns a DOUBLE, so the
//     quotient is computed exactly from the operands (tpch/mysqldiv.go);
//   - count is BIGINT; dates print as 2006-01-02; decimals print exactly their scale.
//
// Column letters: I for integers, R for decimals and floats, T for the rest. Every query
// with more than one row has an ORDER BY, so rows are compared in order (no sort mode); the
// command fails if the ORDER BY leaves the order of the written rows open (see checkTies).
package main
