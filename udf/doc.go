// Package udf owns Ember's function interfaces (scalar, aggregate), the function registry
// with per-session child registries, and the built-in function families.
//
// Place in the import table (DESIGN.md): udf is imported by sql/planner, the binder, exec and
// everything above; it must not import sql/*, exec, dataframe or ml.
//
// Functions compute over whole Arrow arrays; nothing here evaluates a row at a time through
// interface{}. Aggregates are grouped accumulators (GroupAccumulator) that the hash
// aggregate drives with dense group indexes, in a partial and a final phase.
//
// MapPartitions functions (partition.go) are PartitionFuncs registered by name
// (Registry.RegisterPartitionFunc): each reads one partition's batches (BatchReader) and
// writes batches of a declared schema (BatchWriter), with commit hooks (OnSuccess) that run
// once per task however often it was retried.
//
// How to add a built-in function:
//  1. write its struct in the family file (aggregate.go, string.go, math.go, datetime.go);
//  2. add one registration line in that family's register function (listed in builtins.go);
//  3. add .slt cases under testdata/slt/functions/.
package udf
