//go:build ember_invariants

package exec

// poisonFreed makes PoolAllocator.Free overwrite released buffers (ember_invariants builds,
// which CI runs), so that reading a buffer after its release changes results.
const poisonFreed = true
