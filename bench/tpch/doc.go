// Package tpch is Ember's TPC-H tooling, used only by the bench module's commands (never by
// the engine, which must not depend on cgo): it generates TPC-H data as Parquet files,
// knows the 22 queries and their published SF1 answers, checks results against them, runs
// the reference engine (DuckDB), renders Arrow results as text, and times Ember and DuckDB
// side by side (RunBench, for cmd/tpchbench).
//
// Where it sits: bench/ is its own Go module (github.com/embersql/ember/bench) that requires
// the engine through a replace of ../; this package imports go-tpc, go-duckdb, arrow-go and,
// in the side-by-side benchmark only (bench*.go), the engine's dataframe package. The
// commands under bench/cmd import it and, for tpchcheck, the engine's dataframe package.
//
// Sources of truth:
//   - data: github.com/pingcap/go-tpc v1.0.12, package tpch/dbgen (a Go port of TPC-H's
//     dbgen). Fractional scale factors (0.001 to 0.999) are made as TPC-H's dbgen makes them
//     (scale.go explains how and why it reaches into dbgen);
//   - Parquet layout: DuckDB's writer (Generate), so that Ember reads files written by an
//     independent implementation, in the layout most users' files have;
//   - queries, answers and comparison classes: go-tpc's tpch package (queries.go, check.go);
//     Q15's view, which go-tpc keeps in its command, is copied in queries.go and checked
//     against go-tpc's file by a test.
//
// Files: schema.go (the DDL), scale.go (scale factors, dbgen set-up), generate.go (data
// generation and its cache), queries.go (texts, scripts, answers, query lists), check.go
// (answer comparison), duckdb.go (the reference engine and the MySQL-to-DuckDB
// translation), mysqldiv.go (MySQL's exact decimal division for DuckDB), format.go (text
// form of Arrow values, shared by fixtures and checks), bench.go, benchengine.go,
// benchchild.go, benchreport.go (the side-by-side benchmark: a child process per engine and
// query, timed in alternation, with its peak RSS from rss.go; commit.go names the commit a
// report measured), scan.go (scan throughput:
// bytes of Parquet read per second for wide and narrow projections of lineitem, both
// engines).
//
// How to add:
//   - a statement around a query (as Q15's view): in QueryScript, with a test;
//   - a MySQL construct DuckDB spells differently: a rewrite in ToDuckDB with a test case
//     in duckdb_test.go; untranslated constructs must fail, not pass through;
//   - a value type to the text form: a case in FormatValue and TypeLetter, with tests.
package tpch
