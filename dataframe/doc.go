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
// optimizer), explain.go (EXPLAIN in all its forms).
//
// The DataFrame API (Spark's, with Go shapes): a DataFrame is a SELECT text over the
// catalog and the session's hidden relations (catalog.hidden: in-memory data, files read
// with options, caches, MapPartitions steps), bound and optimized only by an action, so
// DataFrames and SQL go through the same binder and optimizer. Files: dataframe.go (the
// type, binding, introspection), readers.go (SQL, Table, ReadParquet/CSV/JSON/Arrow,
// FromRecords, FromStructs), transform.go (Select ... Join, GroupBy/Agg, set operations,
// Sample, RandomSplit), column.go (the typed expression builder: Columns render SQL
// text), actions.go (Collect, Count, Take, Show, Describe, Summary, temp views,
// ForeachPartition), writer.go (Write().Mode(...).Parquet/CSV/JSON, SaveAsTable), cache.go
// (Cache, Persist, Unpersist: splits in memory or Arrow IPC files, rebuilt from the lineage
// when lost or when a table the lineage read changed), table_cache.go (CACHE TABLE, UNCACHE
// TABLE, CLEAR CACHE, REFRESH TABLE and Session.CacheTable...: caches of catalog names in
// the same store, which every query naming the table reads), tree_aggregate.go (TreeAggregate: Spark's treeAggregate over dense float64 states, the primitive of ml's trainers), shared.go (RegisterPartitionFunc, MapPartitions, MapBatches, broadcast
// variables, accumulators committed once per task through the scheduler's OnSuccess
// hooks), udf.go (RegisterUDF, RegisterAggregate, RegisterModel), table_functions.go
// (RegisterTableFunction), functions.go (SHOW FUNCTIONS, DESCRIBE
// FUNCTION), extension.go (per-session hooks of packages above dataframe, WithExtensions:
// ml's statements and functions), repartition.go (Repartition, Coalesce: hidden relations over a
// planner.Repartition), metrics.go (what actions read), and the helpers structs.go, rows.go,
// schema_text.go, describe.go.
//
// How to add a DataFrame method: build the new text from d.from() in transform.go (or an
// action in actions.go), keep the first error with d.derive, and test it in
// dataframe_test.go against hand-computed rows.
//
// Place in the import table (DESIGN.md): dataframe imports exec, sql/optimizer,
// sql/planner/binder, sql/parser, sql/planner and udf; it must not import ml or cmd.
//
// How to add a statement: give it a case in statements.go's execStatement (Ember's own
// statements are types of sql/parser; TiDB's are ast nodes under *parser.Query), and
// .slt cases under testdata/slt/.
package dataframe
