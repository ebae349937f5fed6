package exec

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// PoolAllocator is the memory.Allocator queries use by default: it recycles the buffers
// that operators release, so that a scan decoding the same shape of batch over and over
// reuses a few buffers instead of handing the Go garbage collector gigabytes to find
// (TPC-H Q6 at SF 1 allocates about 320 MB of Arrow buffers for 6M rows; with the Go
// allocator the heap, and so the process's memory, grows to twice what is live before
// each collection).
//
// Buffers of 4 KiB to 64 MiB come from power-of-two size classes, each a sync.Pool of
// released buffers of at least that many bytes; smaller and larger ones are plain Go
// allocations that Free leaves to the collector. A pooled buffer is zeroed when it is
// handed out again (the Go allocator's contract: Allocate returns zeroed memory) and is
// 64-byte aligned, as Arrow requires. The pools drain at garbage collections (sync.Pool),
// so memory the engine stops using goes back to the runtime.
//
// Ownership: memory.Buffer calls Free when its last reference is released; after that the
// bytes may belong to another array. Whoever keeps a slice of a buffer's bytes must keep a
// reference to the buffer (arrays do). In builds with the ember_invariants tag (CI), Free
// fills a buffer with 0xEB before pooling it, so a read after release shows up as wrong
// results instead of passing by luck.
//
// Safe for concurrent use. The zero value is ready.
type PoolAllocator struct {
	pools [maxPoolClass + 1]sync.Pool // pools[c] holds unsafe.Pointers to 1<<c byte buffers
}

const (
	minPoolClass = 12 // 4 KiB
	maxPoolClass = 26 // 64 MiB
	poolAlign    = 64
	poisonByte   = 0xEB
)

// DefaultAllocator is the process-wide PoolAllocator that sessions use unless told
// otherwise.
var DefaultAllocator memory.Allocator = &PoolAllocator{}

// poolClass returns the size class of a request of size bytes, or -1 when it is not pooled.
func poolClass(size int) int {
	if size <= 0 {
		return -1
	}
	c := bits.Len(uint(size - 1))
	if c < minPoolClass || c > maxPoolClass {
		return -1
	}
	return c
}

// Allocate implements memory.Allocator: size zeroed bytes, 64-byte aligned, with capacity
// exactly size (arrow's compute kernels take cap() of a buffer's bytes for its capacity).
// Every buffer of a pooled size is backed by at least 1<<poolClass(size) bytes, which is
// how Free finds its class from its capacity.
func (p *PoolAllocator) Allocate(size int) []byte {
	c := poolClass(size)
	if c < 0 {
		return goAllocate(size)
	}
	if v := p.pools[c].Get(); v != nil {
		b := unsafe.Slice((*byte)(v.(unsafe.Pointer)), size)
		clear(b)
		return b[:size:size]
	}
	// Go hands out objects of 4 KiB and more page-aligned; goAllocate aligns in case not.
	return goAllocate(1 << c)[:size:size]
}

// Reallocate implements memory.Allocator: b resized to size, its first min(len(b), size)
// bytes kept and the rest zeroed. A shrunk buffer keeps its memory (capacity size).
func (p *PoolAllocator) Reallocate(size int, b []byte) []byte {
	if size <= len(b) {
		return b[:size:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free implements memory.Allocator: a buffer of a pooled size goes back to the pool of the
// class of its capacity (a shrunk buffer may land in a smaller class than it came from,
// which only wastes the difference).
func (p *PoolAllocator) Free(b []byte) {
	class := poolClass(cap(b))
	if class < 0 {
		return
	}
	ptr := unsafe.Pointer(unsafe.SliceData(b))
	if poisonFreed {
		full := unsafe.Slice((*byte)(ptr), 1<<class)
		for i := range full {
			full[i] = poisonByte
		}
	}
	p.pools[class].Put(ptr)
}

// goAllocate is memory.GoAllocator's allocation: a zeroed, 64-byte aligned slice whose
// capacity is exactly size.
func goAllocate(size int) []byte {
	buf := make([]byte, size+poolAlign)
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	shift := int((poolAlign - addr%poolAlign) % poolAlign)
	return buf[shift : shift+size : shift+size]
}
