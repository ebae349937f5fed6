package kernels

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// newMem returns a checked allocator that fails the test if anything leaks.
func newMem(t testing.TB) memory.Allocator {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	return mem
}

// fromJSON builds an array released when the test ends.
func fromJSON(t testing.TB, mem memory.Allocator, dt arrow.DataType, js string) arrow.Array {
	t.Helper()
	a, _, err := array.FromJSON(mem, dt, strings.NewReader(js))
	if err != nil {
		t.Fatalf("FromJSON(%s, %s): %v", dt, js, err)
	}
	t.Cleanup(a.Release)
	return a
}

// rep repeats the elements of a JSON list k times, so that arrays are longer than the
// 8-row blocks of the bit-packing loops.
func rep(js string, k int) string {
	inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(js), "["), "]")
	parts := make([]string, k)
	for i := range parts {
		parts[i] = inner
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// assertEqual checks type, values, validity and null count (against the bitmap).
func assertEqual(t testing.TB, want, got arrow.Array) {
	t.Helper()
	if !arrow.TypeEqual(want.DataType(), got.DataType()) {
		t.Fatalf("type: got %s, want %s", got.DataType(), want.DataType())
	}
	if !array.Equal(want, got) {
		t.Fatalf("values:\n got  %v\n want %v", got, want)
	}
	nulls := 0
	for i := 0; i < got.Len(); i++ {
		if got.IsNull(i) {
			nulls++
		}
	}
	if got.NullN() != want.NullN() || nulls != got.NullN() {
		t.Fatalf("null count: got %d (bitmap %d), want %d", got.NullN(), nulls, want.NullN())
	}
}

// checkKernel runs f on the inputs as given and sliced at offsets 1 and 3 (bitmaps that do
// not start on a byte), comparing with the same slice of want.
func checkKernel(t *testing.T, want arrow.Array, f func(in []arrow.Array) (arrow.Array, error), in ...arrow.Array) {
	t.Helper()
	for _, off := range []int{0, 1, 3} {
		if off > 0 && off >= want.Len() {
			continue
		}
		args := make([]arrow.Array, len(in))
		for i, a := range in {
			args[i] = array.NewSlice(a, int64(off), int64(a.Len()))
		}
		got, err := f(args)
		for _, a := range args {
			a.Release()
		}
		if err != nil {
			t.Fatalf("offset %d: %v", off, err)
		}
		w := array.NewSlice(want, int64(off), int64(want.Len()))
		func() {
			defer w.Release()
			defer got.Release()
			assertEqual(t, w, got)
		}()
	}
}

// wantErr checks that err is non-nil and contains sub.
func wantErr(t testing.TB, err error, sub string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q, got none", sub)
	}
	if !strings.Contains(err.Error(), sub) {
		t.Fatalf("error %q does not contain %q", err, sub)
	}
}

// mustDecimal parses with arrow's own parser (independent of parseDecimal).
func mustDecimal(s string, p, sc int32) decimal128.Num {
	n, err := decimal128.FromString(s, p, sc)
	if err != nil {
		panic(err)
	}
	return n
}
