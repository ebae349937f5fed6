package udf

// BatchedFunction is a scalar function that is slow per call (model inference, a remote
// service): the physical planner runs its calls in a dedicated operator (exec's batched
// call operator) that gathers rows across input batches into calls of about
// PreferredBatchRows rows, keeps up to MaxConcurrency calls in flight per partition, and
// emits results in input order. Eval is still the ScalarFunction's: called with whole
// arrays, it may be called concurrently from several goroutines (implementations must be
// safe for that) and must honour ctx.
type BatchedFunction interface {
	ScalarFunction
	// Batching returns the preferred rows per call (0: the operator's default) and the
	// most calls in flight at once per partition (0 or 1: one at a time).
	Batching() (preferredRows, maxConcurrency int)
}
