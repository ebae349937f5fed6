// Package dataframe owns Session, Ember's SparkSession: the catalog (databases, external
// and managed tables persisted in the warehouse's catalog.json, temporary tables and views),
// the configuration, the session's function registry (a child of the built-ins), and the
// SQL pipeline parse → bind → optimize → physical plan → run.
//
// Files: catalog.go (databases, tables, views, the catalog file), statements.go (the
// statement switch, SHOW, DESCRIBE, EXPLAIN, views), managed.go (CREATE TABLE, INSERT,
// TRUNCATE over exec/datasource/tablestore, constraint checks), dml.go (UPDATE, DELETE),
// alter.go (ALTER TABLE, indexes, SHOW CREATE TABLE), ctas_using.go (Spark's CREATE TABLE
// USING parquet ... AS SELECT), memlimit.go (the per-session memory limit), settings.go (SET
// and SHOW VARIABLES), analyze.go (ANALYZE TABLE, SHOW STATS, statistics handed to the
// optimizer), explain.go (EXPLAIN in all its forms). The DataFrame API itself comes with a later
// issue and will build logical plans through the same pipeline.
//
// Place in the import table (DESIGN.md): dataframe imports exec, sql/optimizer,
// sql/planner/binder, sql/parser, sql/planner and udf; it must not import ml or cmd.
//
// How to add a statement: give it a case in statements.go's execStatement (Ember's own
// statements are types of sql/parser; TiDB's are ast nodes under *parser.Query), and
// .slt cases under testdata/slt/.
package dataframe
