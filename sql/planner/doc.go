// Package planner owns Ember's logical plans: immutable nodes (one file each: Scan, Project,
// Filter, Aggregate, Join (inner, outer, cross, and the semi, anti, mark and single joins of
// decorrelated subqueries), Sort, Limit, Union, SetOp, Distinct, Values, SubqueryAlias,
// Window, Expand (grouping sets), Generate (explode), RecursiveCTE with its WorkTable,
// Apply (a correlated subquery run per outer value), MapPartitions (a registered Go
// function over each partition's batches, opaque to the optimizer) and Repartition (rows
// hashed or dealt into N partitions, or partitions coalesced into N: DataFrame.Repartition
// and Coalesce)), bound typed expressions, schemas of ID-identified columns, the catalog
// interface the binder resolves names against, tree-transform helpers and the EXPLAIN text.
//
// Place in the import table (DESIGN.md): planner imports udf only. It must not import
// sql/parser, TiDB's AST, sql/optimizer or exec.
//
// Invariants:
//   - Columns are identified by ColumnID, never by position. A node's expressions may only
//     reference columns of its children's schemas (checked at construction).
//   - Nodes are never mutated. WithChildren/WithExprs return the receiver when nothing
//     changed, and TransformUp/TransformDown keep that contract, so a rule's "changed" flag
//     is a pointer comparison.
//   - Expression types are fixed by the binder; coercions are explicit Cast nodes.
//
// Subquery expressions (subquery.go) hold a bound plan that reads enclosing queries' columns
// through OuterRef; the optimizer turns them into joins before execution.
//
// How to add a logical node: write sql/planner/<node>.go with a validating constructor and
// the Plan methods, then its physical operator registers itself with
// exec.RegisterNodePlanner in its own file (see exec/window.go).
package planner
