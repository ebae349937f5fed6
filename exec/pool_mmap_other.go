//go:build !unix

package exec

import "unsafe"

// mapBuffer is unavailable here: large buffers stay on the Go heap.
func mapBuffer(int) (unsafe.Pointer, bool) { return nil, false }

func unmapBuffer(unsafe.Pointer, int) {}
