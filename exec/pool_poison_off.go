//go:build !ember_invariants

package exec

// poisonFreed is off in ordinary builds: PoolAllocator.Free pools buffers as they are.
const poisonFreed = false
