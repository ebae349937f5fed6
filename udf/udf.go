package udf

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Volatility says when a function's result may be reused.
type Volatility int

const (
	// Immutable functions return the same result for the same arguments; the optimizer may
	// fold them over constants.
	Immutable Volatility = iota
	// Stable functions return the same result within one query (now()).
	Stable
	// Volatile functions may return a different result on every call (rand()).
	Volatile
)

// Function is what every function kind shares.
type Function interface {
	// Name is the lower-case SQL name.
	Name() string
	// ReturnType checks the argument types at bind time and returns the result type. An
	// error names the function and the offending argument.
	ReturnType(args []arrow.DataType) (arrow.DataType, error)
	Volatility() Volatility
	// Doc is the one-paragraph description SHOW FUNCTIONS and DESCRIBE FUNCTION print.
	Doc() string
}

// ScalarFunction computes one output value per input row over whole Arrow arrays.
type ScalarFunction interface {
	Function
	// Eval computes the function over n rows. Every argument array has length n and the
	// types ReturnType accepted. The returned array has length n and is owned by the
	// caller; the arguments stay owned by the caller (Eval must not release them).
	Eval(ctx context.Context, mem memory.Allocator, args []arrow.Array, n int) (arrow.Array, error)
}

// AggregateFunction folds many rows into one value per group, in two phases: a partial
// accumulator runs before an exchange and a final one merges the partial states after it.
type AggregateFunction interface {
	Function
	// StateTypes returns the types of the partial-state columns for the given argument types.
	StateTypes(args []arrow.DataType) ([]arrow.DataType, error)
	// NewAccumulator returns an empty grouped accumulator.
	NewAccumulator(args []arrow.DataType, mem memory.Allocator) (GroupAccumulator, error)
}

// GroupAccumulator holds the state of one aggregate for many groups at once (like
// DataFusion's GroupsAccumulator): the hash aggregate maps each input row to a dense group
// index and hands whole batches over. Groups are numbered 0..numGroups-1; numGroups only
// grows between calls. No method retains or releases the arrays passed in.
type GroupAccumulator interface {
	// Update folds raw argument rows into their groups: row i belongs to groups[i].
	Update(args []arrow.Array, groups []uint32, numGroups int) error
	// Merge folds partial states (columns as StateTypes) into groups.
	Merge(states []arrow.Array, groups []uint32, numGroups int) error
	// State returns the partial state of groups 0..numGroups-1, one array per state column,
	// owned by the caller.
	State(numGroups int) ([]arrow.Array, error)
	// Final returns the result of groups 0..numGroups-1, owned by the caller.
	Final(numGroups int) (arrow.Array, error)
	// Release frees the accumulator's buffers.
	Release()
}

// ConstArg is an argument of a call as the binder sees it: its value when the argument is
// a constant (Value holds what a literal holds: int64, float64, string, bool, ... or nil for
// NULL), and its name when it is a plain column reference.
type ConstArg struct {
	Const bool
	Value any
	// Column is the referenced column's name, "" when the argument is not a column.
	Column string
}

// ConstArgBinder is a scalar function that must see its call's arguments at bind time
// (ml_predict('model', ...) resolves its model from the constant first argument): the
// binder calls BindArgs with the argument types and what it knows of each argument, and
// calls the function returned (its ReturnType, CastArgs, Eval) in place of the registered
// one. An error is the call's bind error.
type ConstArgBinder interface {
	BindArgs(types []arrow.DataType, args []ConstArg) (ScalarFunction, error)
}
