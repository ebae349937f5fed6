package dataframe

import (
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
)

// WithMemoryLimit caps the Arrow memory a session's statements hold at once (query state
// and results not yet released) at limit bytes. A statement that would pass it fails with
// a resource-exhausted error; nothing spills to disk yet. 0 means no limit.
func WithMemoryLimit(limit int64) Option { return func(c *config) { c.memLimit = limit } }

// limitAllocator counts the bytes its parent allocator hands out and refuses (by panicking
// with a resource-exhausted error, which exec's Next and task runner turn back into an
// error) an allocation that would pass the limit. Arrow's Allocator interface cannot
// return an error.
type limitAllocator struct {
	parent memory.Allocator
	limit  int64
	used   atomic.Int64
}

func (a *limitAllocator) reserve(n int) {
	if used := a.used.Add(int64(n)); n > 0 && used > a.limit {
		a.used.Add(-int64(n))
		panic(errs.ResourceExhaustedf("the statement needs more than the session's memory limit of %d bytes", a.limit))
	}
}

func (a *limitAllocator) Allocate(size int) []byte {
	a.reserve(size)
	return a.parent.Allocate(size)
}

func (a *limitAllocator) Reallocate(size int, b []byte) []byte {
	a.reserve(size - len(b))
	return a.parent.Reallocate(size, b)
}

func (a *limitAllocator) Free(b []byte) {
	a.used.Add(-int64(len(b)))
	a.parent.Free(b)
}
