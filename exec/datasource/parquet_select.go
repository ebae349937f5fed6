package datasource

import (
	"context"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
)

// Late materialization (ReadOptions.Filter): the reader decodes a batch's filter columns,
// asks the filter which rows to keep, and then decodes only those rows of the other
// columns (readSelected), or none of them when no row is kept (skip). Pages are still
// read and decompressed (a page holds rows of every batch it spans), but the values of
// dropped rows are never converted or copied: for a runtime filter that keeps 0.2% of
// lineitem (TPC-H Q17), the price and quantity decimals of the other 99.8% stay in the
// page.

// selectingColumn is a pqColumn that can move past rows and decode chosen rows only.
type selectingColumn interface {
	// skip moves past the next n rows without decoding their values.
	skip(n int) error
	// readSelected returns the rows sel (ascending, each < n) of the next n rows, and
	// moves past all n.
	readSelected(n int, sel []int32, mem memory.Allocator) (arrow.Array, error)
}

// skipRows moves c past n rows: without decoding when it can, else by reading them.
func skipRows(c pqColumn, n int, mem memory.Allocator) error {
	if sc, ok := c.(selectingColumn); ok {
		return sc.skip(n)
	}
	a, err := c.read(n, mem)
	if err != nil {
		return err
	}
	a.Release()
	return nil
}

// readRows returns rows sel of the next n rows of c: decoding only those when it can, else
// reading all n and gathering.
func readRows(c pqColumn, n int, sel []int32, mem memory.Allocator) (arrow.Array, error) {
	if sc, ok := c.(selectingColumn); ok {
		return sc.readSelected(n, sel, mem)
	}
	a, err := c.read(n, mem)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return takeSelected(a, sel, mem)
}

// takeSelected gathers rows sel of a into a new array (arrow compute's take).
func takeSelected(a arrow.Array, sel []int32, mem memory.Allocator) (arrow.Array, error) {
	buf := memory.NewBufferBytes(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(sel))), 4*len(sel)))
	data := array.NewData(arrow.PrimitiveTypes.Int32, len(sel), []*memory.Buffer{nil, buf}, nil, 0, 0)
	idx := array.NewInt32Data(data)
	data.Release()
	defer idx.Release()
	out, err := compute.TakeArray(compute.WithAllocator(context.Background(), mem), a, idx)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "take")
	}
	return out, nil
}

// skipRows moves the cursor past n rows, loading pages with load as it goes; values are
// not touched, only counted (definition levels say how many of the rows have one).
func (c *pageCursor) skipRows(n int, load func() error) error {
	for n > 0 {
		if c.page == nil || c.row == c.rows {
			if err := load(); err != nil {
				return err
			}
		}
		k := min(n, c.rows-c.row)
		cnt := k
		if c.defs != nil {
			cnt = countValid(c.defs[c.row:c.row+k], c.maxDef)
		}
		c.val += cnt
		c.row += k
		n -= k
	}
	return nil
}

// selection walks the selected rows of the next n rows page segment by page segment: each
// calls emit(j, v) for selection entry j with the dense value index v of its row in the
// current page, or v = -1 when the row is NULL. It leaves the cursor past the n rows.
func (c *pageCursor) selection(n int, sel []int32, load func() error, emit func(j, v int)) error {
	j := 0
	for pos := 0; pos < n; {
		if c.page == nil || c.row == c.rows {
			if err := load(); err != nil {
				return err
			}
		}
		k := min(n-pos, c.rows-c.row)
		end := j
		for end < len(sel) && int(sel[end]) < pos+k {
			end++
		}
		if c.defs == nil {
			for ; j < end; j++ {
				emit(j, c.val+int(sel[j])-pos)
			}
			c.val += k
		} else {
			defs, md := c.defs[c.row:c.row+k], c.maxDef
			v, r := c.val, 0
			for ; j < end; j++ {
				s := int(sel[j]) - pos
				for ; r < s; r++ {
					if defs[r] == md {
						v++
					}
				}
				if defs[s] == md {
					emit(j, v)
				} else {
					emit(j, -1)
				}
			}
			c.val += countValid(defs, md)
		}
		c.row += k
		pos += k
	}
	return nil
}

// nullMarks records the NULL rows of a selected read: the validity bitmap is allocated at
// the first NULL (lazyValidity), every row valid until then.
type nullMarks struct {
	valid *memory.Buffer
	nulls int
	n     int
	mem   memory.Allocator
}

func (m *nullMarks) mark(j int, isValid bool) {
	switch {
	case !isValid:
		m.valid = lazyValidity(m.valid, m.n, j, m.mem)
		m.nulls++
	case m.valid != nil:
		b := m.valid.Bytes()
		b[j>>3] |= 1 << (j & 7)
	}
}

func (m *nullMarks) release() {
	if m.valid != nil {
		m.valid.Release()
	}
}

func (c *fixedColumn[S, T]) skip(n int) error { return c.skipRows(n, c.load) }

func (c *fixedColumn[S, T]) readSelected(n int, sel []int32, mem memory.Allocator) (arrow.Array, error) {
	var zero T
	m := len(sel)
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(m * int(unsafe.Sizeof(zero)))
	out := castBuffer[T](buf.Bytes())
	marks := nullMarks{n: m, mem: mem}
	err := c.selection(n, sel, c.load, func(j, v int) {
		marks.mark(j, v >= 0)
		switch {
		case v < 0:
			out[j] = zero
		case c.idx != nil:
			out[j] = c.dictVal[c.idx[v]]
		default:
			c.widen(out[j:j+1], c.src[v:v+1])
		}
	})
	if err != nil {
		buf.Release()
		marks.release()
		return nil, err
	}
	return makeArray(c.dtype, m, marks.nulls, marks.valid, buf), nil
}

func (c *boolColumn) skip(n int) error { return c.skipRows(n, c.load) }

func (c *boolColumn) readSelected(n int, sel []int32, mem memory.Allocator) (arrow.Array, error) {
	m := len(sel)
	buf := memory.NewResizableBuffer(mem)
	buf.Resize((m + 7) / 8)
	out := buf.Bytes()
	clear(out)
	marks := nullMarks{n: m, mem: mem}
	err := c.selection(n, sel, c.load, func(j, v int) {
		marks.mark(j, v >= 0)
		if v >= 0 && c.dense[v] {
			out[j>>3] |= 1 << (j & 7)
		}
	})
	if err != nil {
		buf.Release()
		marks.release()
		return nil, err
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, m, marks.nulls, marks.valid, buf), nil
}

func (c *stringColumn) skip(n int) error { return c.skipRows(n, c.load) }

func (c *stringColumn) readSelected(n int, sel []int32, mem memory.Allocator) (arrow.Array, error) {
	m := len(sel)
	offBuf := memory.NewResizableBuffer(mem)
	offBuf.Resize((m + 1) * 4)
	offsets := castBuffer[int32](offBuf.Bytes())
	offsets[0] = 0
	values := memory.NewResizableBuffer(mem)
	values.Reserve(64)
	marks := nullMarks{n: m, mem: mem}
	total := 0
	var tooBig bool
	err := c.selection(n, sel, c.load, func(j, v int) {
		marks.mark(j, v >= 0)
		if v >= 0 && !tooBig {
			var val []byte
			if c.idx != nil {
				x := c.idx[v]
				val = c.dpad[c.doffs[x]:c.doffs[x+1]]
			} else {
				val = c.data[c.offs[v]:c.offs[v+1]]
			}
			if total+len(val) > 1<<31-1 {
				tooBig = true
				return
			}
			if total+len(val) > values.Cap() {
				values.ResizeNoShrink(total)
				values.Reserve(max(total+len(val), 2*values.Cap()))
			}
			total += copy(values.Buf()[total:total+len(val)], val)
		}
		offsets[j+1] = int32(total)
	})
	if err == nil && tooBig {
		err = errs.ResourceExhaustedf("parquet file %s column %q: more than 2 GiB of strings in one batch; use a smaller batch size", c.path, c.column)
	}
	if err != nil {
		offBuf.Release()
		values.Release()
		marks.release()
		return nil, err
	}
	values.ResizeNoShrink(total)
	return makeArray(arrow.BinaryTypes.String, m, marks.nulls, marks.valid, offBuf, values), nil
}
