// Package kernels owns Ember's vectorized scalar kernels: functions over whole Arrow arrays
// that the physical expression evaluator (exec/expr.go) calls once per batch. Arithmetic
// (Arith, Negate), comparisons (Compare), three-valued logic (And, Or, Not, IsNull), Cast,
// Like, InList, CaseWhen, AddInterval, and MakeConstant/ScalarAt for literals and constant
// folding. Semantics are MySQL's (division by zero is NULL, DECIMAL scales follow MySQL's
// rules, month arithmetic clamps to the month's end) with ANSI-style errors instead of
// silent truncation (overflow and failed casts are errs.ErrExecution).
//
// Place in the import table (DESIGN.md): kernels is imported by exec only. It imports
// sql/planner (BinaryOp, the canonical types, FormatValue) and internal/errs, nothing else
// of the repository.
//
// Contract shared by every kernel:
//   - Each takes the caller's memory.Allocator and returns a NEW array the caller owns and
//     releases; inputs stay owned by the caller and are never released or modified. Cast to
//     the same type shares the input's buffers (through a new reference).
//   - Binary kernels take equal-length arrays; a scalar operand is a constant array
//     (MakeConstant). Operand types were coerced by the binder: a type combination the
//     binder never produces is an errs.ErrInternal, not a user error.
//   - Loops are specialised by Go generics over the value slices (no per-row interface{}),
//     compute every row including NULL ones (whose values are arbitrary), and combine
//     validity bitmaps bytewise. Errors (overflow, bad casts) are raised only for valid rows.
//   - NULL-typed arrays (arrow.Null, from a bare NULL literal) are accepted wherever a value
//     is, and behave as all-NULL.
//   - Results carry exact null counts; bits past the length in the last bitmap byte are zero.
//
// How to add a kernel:
//  1. Write exec/kernels/<name>.go with the exported function (doc comment: semantics, NULL
//     handling, errors, complexity), dispatching on the Arrow type ID to generic loops; use
//     the helpers of kernels.go (values, validBits, boolBits, newValues, newBitmap,
//     newValidOut, finish) so ownership stays right.
//  2. Add <name>_test.go: table-driven with array.FromJSON on a checked allocator
//     (mem.AssertSize(t, 0)), covering NULLs, every accepted type and every error.
//  3. Call it from the expression compiler in exec/expr.go (one case).
package kernels
