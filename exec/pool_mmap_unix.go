//go:build unix

package exec

import (
	"syscall"
	"unsafe"
)

// mapBuffer maps n bytes of zeroed anonymous memory outside the Go heap (page-aligned).
func mapBuffer(n int) (unsafe.Pointer, bool) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil || len(b) != n {
		return nil, false
	}
	return unsafe.Pointer(unsafe.SliceData(b)), true
}

// unmapBuffer returns a mapping of n bytes made by mapBuffer to the system.
func unmapBuffer(p unsafe.Pointer, n int) {
	_ = syscall.Munmap(unsafe.Slice((*byte)(p), n))
}
