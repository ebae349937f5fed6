package hashtable

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// allocSlots returns n zeroed values of T for a slot array, from mem when it is not nil
// (the query's allocator: the session's PoolAllocator maps large arrays outside the Go
// heap, so a join's or an aggregation's slots are not doubled by the collector's target)
// and from the Go heap otherwise. T must hold no pointers: the bytes may be memory the
// garbage collector does not scan. Release the slice with freeSlots and the same mem.
func allocSlots[T intSlot | uint64](mem memory.Allocator, n int) []T {
	if mem == nil || n == 0 {
		return make([]T, n)
	}
	var zero T
	b := mem.Allocate(n * int(unsafe.Sizeof(zero)))
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// freeSlots gives back a slice allocSlots returned from mem (nothing when mem is nil: the
// collector frees it). The slice must not be used afterwards.
func freeSlots[T intSlot | uint64](mem memory.Allocator, s []T) {
	if mem == nil || cap(s) == 0 {
		return
	}
	var zero T
	mem.Free(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), cap(s)*int(unsafe.Sizeof(zero))))
}
