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
// Buffers of 4 KiB to 64 MiB come from power-of-two size classes; smaller and larger ones
// are plain Go allocations that Free leaves to the collector. Classes from 64 KiB up (the
// column buffers of batches, hash tables' key columns, concatenated build sides) are
// mapped outside the Go heap (mmap, on Unix) and kept on free lists of at most
// maxIdleMapped bytes in all, beyond which freed buffers are unmapped: the Go heap then
// holds only the engine's small objects, so the collector's target (twice the live heap)
// no longer doubles the Arrow data, and memory the engine releases leaves the process.
// Classes below 64 KiB are Go memory recycled through sync.Pools, which drain at garbage
// collections. A recycled buffer is zeroed when it is handed out again (the Go allocator's
// contract: Allocate returns zeroed memory); every buffer is 64-byte aligned, as Arrow
// requires.
//
// Ownership: memory.Buffer calls Free when its last reference is released; after that the
// bytes may belong to another array. Whoever keeps a slice of a buffer's bytes must keep a
// reference to the buffer (arrays do). In builds with the ember_invariants tag (CI), Free
// fills a buffer with 0xEB before pooling it, so a read after release shows up as wrong
// results instead of passing by luck; a mapped buffer read after it was unmapped faults.
//
// Safe for concurrent use. The zero value is ready.
type PoolAllocator struct {
	pools [maxPoolClass + 1]sync.Pool // pools[c] holds unsafe.Pointers to 1<<c byte buffers

	mu        sync.Mutex
	mapped    map[unsafe.Pointer]int             // class of every mapped buffer, in use or idle
	idle      [maxPoolClass + 1][]unsafe.Pointer // freed mapped buffers by class
	idleBytes int
	// mappedBytes is the size of every mapping held, in use or idle; peakMapped its
	// high-water mark since the last ResetPeak.
	mappedBytes, peakMapped int
}

// PoolStats is a snapshot of a PoolAllocator's memory outside the Go heap.
type PoolStats struct {
	Mapped     int64 // bytes mapped now, in use or idle
	Idle       int64 // bytes of freed mappings kept for reuse
	PeakMapped int64 // most bytes mapped at once since the last ResetPeak
}

// Stats returns the allocator's current mapped memory and its peak (benchmarks report it
// next to the Go heap's; the process's resident memory is about their sum).
func (p *PoolAllocator) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{Mapped: int64(p.mappedBytes), Idle: int64(p.idleBytes), PeakMapped: int64(p.peakMapped)}
}

// ResetPeak starts a new high-water mark of mapped memory at the current amount.
func (p *PoolAllocator) ResetPeak() {
	p.mu.Lock()
	p.peakMapped = p.mappedBytes
	p.mu.Unlock()
}

const (
	minPoolClass = 12 // 4 KiB
	maxPoolClass = 26 // 64 MiB
	poolAlign    = 64
	poisonByte   = 0xEB
	// minMapClass is the smallest class mapped outside the Go heap (64 KiB).
	minMapClass = 16
	// maxIdleMapped bounds the bytes of freed mapped buffers kept for reuse.
	maxIdleMapped = 32 << 20
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
	if c >= minMapClass {
		if b, ok := p.allocateMapped(c, size); ok {
			return b
		}
	} else if v := p.pools[c].Get(); v != nil {
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
	if p.freeMapped(ptr) {
		return
	}
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

// allocateMapped hands out a mapped buffer of class c (an idle one, zeroed, or a fresh
// mapping), ok false when mapping is unavailable.
func (p *PoolAllocator) allocateMapped(c, size int) ([]byte, bool) {
	p.mu.Lock()
	if n := len(p.idle[c]); n > 0 {
		ptr := p.idle[c][n-1]
		p.idle[c] = p.idle[c][:n-1]
		p.idleBytes -= 1 << c
		p.mu.Unlock()
		b := unsafe.Slice((*byte)(ptr), size)
		clear(b)
		return b[:size:size], true
	}
	p.mu.Unlock()
	ptr, ok := mapBuffer(1 << c)
	if !ok {
		return nil, false
	}
	p.mu.Lock()
	if p.mapped == nil {
		p.mapped = map[unsafe.Pointer]int{}
	}
	p.mapped[ptr] = c
	p.mappedBytes += 1 << c
	p.peakMapped = max(p.peakMapped, p.mappedBytes)
	p.mu.Unlock()
	return unsafe.Slice((*byte)(ptr), size)[:size:size], true // fresh mappings are zero
}

// freeMapped takes back ptr if it is a mapped buffer: onto its idle list, or unmapped when
// the idle lists are full. It reports whether ptr was mapped.
func (p *PoolAllocator) freeMapped(ptr unsafe.Pointer) bool {
	p.mu.Lock()
	c, ok := p.mapped[ptr]
	if !ok {
		p.mu.Unlock()
		return false
	}
	if poisonFreed {
		full := unsafe.Slice((*byte)(ptr), 1<<c)
		for i := range full {
			full[i] = poisonByte
		}
	}
	if p.idleBytes+1<<c <= maxIdleMapped {
		p.idle[c] = append(p.idle[c], ptr)
		p.idleBytes += 1 << c
		p.mu.Unlock()
		return true
	}
	delete(p.mapped, ptr)
	p.mappedBytes -= 1 << c
	p.mu.Unlock()
	unmapBuffer(ptr, 1<<c)
	return true
}
