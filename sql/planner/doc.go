// Package planner owns Ember's logical plans: immutable nodes (one file each: Scan, Project,
// Filter, Aggregate, Join, Sort, Limit, Union, Distinct, Values, SubqueryAlias), bound typed
// expressions, schemas of ID-identified columns, the catalog interface the binder resolves
// names against, tree-transform helpers and the EXPLAIN text.
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
// How to add a logical node: write sql/planner/<node>.go with a validating constructor and
// the Plan methods, then add its case to the physical planner (exec/physical_planner.go) and
// one instance to the every-node test (sql/planner/nodes_test.go).
package planner
