package exec

import (
	"sync"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestPoolAllocatorReuse checks the allocator's contract on reused buffers: zeroed, 64-byte
// aligned, the requested length, and the same memory handed out again after Free.
func TestPoolAllocatorReuse(t *testing.T) {
	p := &PoolAllocator{}
	for _, size := range []int{1, 100, 4095, 4096, 4097, 100_000, 1 << 20} {
		a := p.Allocate(size)
		if len(a) != size || cap(a) != size || uintptr(unsafe.Pointer(unsafe.SliceData(a)))%64 != 0 {
			t.Fatalf("size %d: len %d, cap %d, address %p", size, len(a), cap(a), unsafe.SliceData(a))
		}
		for i := range a {
			a[i] = 0xFF
		}
		p.Free(a)
		b := p.Allocate(size)
		if len(b) != size || cap(b) != size || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%64 != 0 {
			t.Fatalf("size %d reused: len %d, cap %d, address %p", size, len(b), cap(b), unsafe.SliceData(b))
		}
		for i, v := range b {
			if v != 0 {
				t.Fatalf("size %d: byte %d of a reused buffer is %#x, want 0", size, i, v)
			}
		}
		p.Free(b)
	}
	// Shrinking keeps the head; growing again zeroes the new tail.
	a := p.Allocate(5000)
	for i := range a {
		a[i] = 7
	}
	a = p.Reallocate(100, a)
	a = p.Reallocate(6000, a)
	if a[99] != 7 || a[100] != 0 || a[5999] != 0 || len(a) != 6000 {
		t.Fatalf("reallocate: a[99]=%d a[100]=%d a[5999]=%d len %d", a[99], a[100], a[5999], len(a))
	}
	b := p.Reallocate(100_000, a)
	if b[99] != 7 || b[100] != 0 || b[99_999] != 0 || len(b) != 100_000 {
		t.Fatalf("reallocate to a larger class: b[99]=%d b[100]=%d len %d", b[99], b[100], len(b))
	}
	p.Free(b)
}

// TestPoolAllocatorArrays builds and releases arrays through the pool from several
// goroutines (go test -race): every array reads back what was appended, whatever buffers
// the others released meanwhile.
func TestPoolAllocatorArrays(t *testing.T) {
	p := &PoolAllocator{}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 50 {
				n := 1000 + 97*round
				b := array.NewInt64Builder(p)
				for i := range n {
					if i%13 == 0 {
						b.AppendNull()
					} else {
						b.Append(int64(g*1_000_000 + i))
					}
				}
				arr := b.NewInt64Array()
				b.Release()
				for i := range n {
					if (i%13 == 0) != arr.IsNull(i) || i%13 != 0 && arr.Value(i) != int64(g*1_000_000+i) {
						t.Errorf("goroutine %d round %d row %d: %v", g, round, i, arr.GetOneForMarshal(i))
						break
					}
				}
				if arr.DataType().ID() != arrow.INT64 {
					t.Errorf("type %s", arr.DataType())
				}
				arr.Release()
			}
		}()
	}
	wg.Wait()
}

// TestPoolAllocatorMappedIdleBound frees more mapped buffers than the idle lists keep: the
// rest are unmapped, and what stays idle is what the allocator still tracks.
func TestPoolAllocatorMappedIdleBound(t *testing.T) {
	p := &PoolAllocator{}
	const size = 1 << 20
	var bufs [][]byte
	for range 2 * maxIdleMapped / size {
		b := p.Allocate(size)
		b[0], b[size-1] = 1, 2
		bufs = append(bufs, b)
	}
	if len(p.mapped) != len(bufs) {
		t.Fatalf("%d buffers mapped, want %d (mapping unavailable?)", len(p.mapped), len(bufs))
	}
	for _, b := range bufs {
		p.Free(b)
	}
	if p.idleBytes != maxIdleMapped || len(p.mapped) != maxIdleMapped/size {
		t.Fatalf("after freeing: %d idle bytes, %d buffers mapped; want %d and %d",
			p.idleBytes, len(p.mapped), maxIdleMapped, maxIdleMapped/size)
	}
	b := p.Allocate(size)
	if b[0] != 0 || b[size-1] != 0 || p.idleBytes != maxIdleMapped-size {
		t.Fatalf("reused buffer not zeroed (%d, %d) or idle bytes %d", b[0], b[size-1], p.idleBytes)
	}
	p.Free(b)
}
