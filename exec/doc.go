// Package exec owns physical execution: the physical planner (logical plan → physical
// nodes with exchanges), compiled vectorized expressions, the operators, the Exchange that
// cuts a plan into stages, and the local scheduler that runs tasks (stage, partition) on a
// pool sized to the cores. Subpackages: kernels (expression kernels), hashtable (hashing and
// hash tables), datasource (Parquet, CSV, JSON, in-memory sources).
//
// Place in the import table (DESIGN.md): exec imports sql/planner, udf and its own
// subpackages; it must not import sql/optimizer, sql/parser, dataframe or ml.
//
// Shapes:
//   - A Node describes work for each of its Partitioning().N partitions; Execute(tc, p)
//     instantiates the Operator of partition p. Operators are pulled (Open/Next/Close), always
//     through the Next function of this package, which checks cancellation, converts panics to
//     internal errors and records per-node metrics for EXPLAIN ANALYZE.
//   - Ownership: a batch returned by Next belongs to the caller, who releases it or hands it
//     on. Operators release what they still hold in Close.
//   - Exchange is the only stage boundary. Its map side routes rows by hash (PartitionOf over
//     hashtable.HashColumns), batches round-robin, or everything to one or all consumers,
//     gathering small batches into batches of about BatchSize rows; the shuffle data stays in
//     memory until every stage reading it has finished.
//   - Retries and commits (scheduler.go): a task whose attempt fails with an error marked
//     Retryable runs again (Config.MaxTaskAttempts, TaskContext.Attempt); a map task
//     publishes its shuffle output only when the attempt succeeds, so retries never
//     duplicate rows. TaskContext.OnSuccess hooks run once, for a task's first successful
//     attempt (accumulators).
//
// MapPartitionsExec (map_partitions.go) runs a udf.PartitionFunc, found by name in
// PhysicalPlanner.Funcs, over each partition's batches on a goroutine of its own, checking
// every batch it writes against the declared schema.
//
// BatchedCallExec (batched_call.go; planned in batched_plan.go under Projects, Filters and
// aggregate arguments) runs the calls of a udf.BatchedFunction in calls of its preferred
// rows, several at once per partition, and appends the results in input order.
//
// Repartition (repartition.go): a logical Repartition plans to an Exchange (hash on its keys,
// or round-robin, into N) or, for a coalesce, to CoalesceExec, which reads neighbouring
// child partitions one after the other in one task, with no exchange.
//
// Joins: HashJoinExec and NestedLoopJoinExec share joinState (join_common.go), which also
// gives the subquery joins their meaning: semi and anti joins, mark joins (a three-valued
// boolean column for IN and EXISTS) and single joins (at most one match per row), with IN's
// NULL logic through Cmp and the null-aware broadcast key. ApplyExec runs a correlated
// subquery per distinct outer value when the optimizer could not decorrelate it.
//
// Scans: pushed filters become pruning hints (scan_prune.go) that skip Parquet row groups
// and pages by their statistics and hive partition files by folder values. Runtime filters
// (runtime_filter*.go): a hash join's build side (RuntimeFilterBuildExec) merges the bounds
// and a bloom filter of its keys across partitions; probe scans skip row groups and drop
// rows with them (inner, semi and right joins only); a derived filter carries a join's filter
// on to a decorrelated subquery's aggregate input on the build side of a single or semi join
// above it (runtime_filter_derive.go). The scheduler makes a stage whose scans
// use a filter wait for it without holding a task slot. A Filter right above a scan hands
// its predicate down (scan_filter.go); a Parquet reader applies it and the runtime filters
// between decoding their columns and the others (late materialization). Broadcast or
// shuffle is the optimizer's choice (planner.Join.Strategy); which side of a shuffled join
// is built is decided again at run time from the exchanged rows (join.go, swapBuildSide).
//
// How to add a physical operator: write exec/<operator>.go with the Node (state its
// partitioning, order, memory use and who releases its batches) and its Operator, and
// register its planning in the same file: func init() { RegisterNodePlanner(...) } (see
// window.go, setop.go, apply.go).
package exec
