// Package hashtable owns Ember's key hashing and the hash tables behind hash aggregation and
// hash joins: HashColumns (the row hash that hash exchanges and partitioned operators use),
// GroupMap (distinct key tuples to dense group ids, for GROUP BY and DISTINCT) and JoinTable
// with ProbeIter (build side and bounded-output probing of an equi-join).
//
// Place in the import table (DESIGN.md): a leaf under exec. It imports only arrow-go and
// internal/errs; exec imports it. It knows nothing of plans, expressions or operators.
//
// Everything works on whole Arrow arrays, one pass per column, with reusable buffers: there
// is no per-row interface{} and no per-row allocation. Key equality is GROUP BY equality
// (NULL = NULL, -0 = +0, NaN = NaN); JoinTable additionally never matches a NULL key.
// Two storage layouts exist (table.go): intTable for one fixed-width key of at most 8 bytes,
// compared as a uint64 in the slot, and bytesTable for everything else, comparing
// normalized key encodings (encode.go) stored in an arena.
//
// How to add a key type:
//  1. map its arrow.Type ID to a kind in kindOf (hash.go); a fixed-width type whose equal
//     values have equal bytes just reuses kFixed1..kFixed16;
//  2. a new kind needs a case in hashColumn (hash.go), encodeColumn and decodeColumns
//     (encode.go), and, if it is fixed-width of at most 8 bytes, intTable.values and
//     intTable.keys (table.go), or an exclusion in newTable;
//  3. add the type to the random-data generator in hashtable_test.go so the reference tests
//     cover it.
package hashtable
