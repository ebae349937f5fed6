package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// countTrue counts the rows of a boolean mask that are true and not NULL.
func countTrue(mask arrow.Array) int {
	b, ok := mask.(*array.Boolean)
	if !ok {
		return 0
	}
	n := b.Len()
	vals := b.Data().Buffers()[1]
	if vals == nil {
		return 0
	}
	off := b.Data().Offset()
	if b.NullN() == 0 {
		return bitutil.CountSetBits(vals.Bytes(), off, n)
	}
	c := 0
	for i := 0; i < n; i++ {
		if b.IsValid(i) && b.Value(i) {
			c++
		}
	}
	return c
}
