package datasource

import (
	"encoding/binary"
	"io"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// This file decodes Parquet column chunks into Arrow arrays, page by page. A page's
// values come from Page.Data(): the dense (non-null) values, or for a dictionary-encoded
// page the dense dictionary indexes. Definition levels say which rows are NULL; a page of
// an optional column without NULLs reads as a required one, and a batch gets a validity
// bitmap only from its first NULL on. Values are converted to the Arrow type straight from
// the page into the batch's buffers (dictionaries once per chunk, then gathered by index),
// and spread over the NULL rows in place: nothing is allocated per value or per page, and
// nothing is boxed.

// pqColumn reads one column chunk of a row group.
type pqColumn interface {
	// read returns the next n rows as an array allocated from mem (owned by the caller).
	read(n int, mem memory.Allocator) (arrow.Array, error)
	// seek moves to row (of the row group) for the next read; flat columns only.
	seek(row int64) error
	// pagesRead is the number of data pages loaded so far.
	pagesRead() int64
	close() error
}

// pageLoader is a column decoder whose pages a listColumn steps through itself.
type pageLoader interface {
	pqColumn
	// load moves to the next page and decodes its dense values.
	load() error
	cursor() *pageCursor
}

// pageCursor walks the pages of a column chunk. The current page stays referenced until
// the next one is loaded (then it is released to parquet-go's buffer pools).
//
// In list mode (lv set, for the element leaf of an ARRAY column) the "rows" of a page are
// its elements: defs holds the definition levels of the level entries that are elements
// (not those standing for a NULL or empty list), and lv keeps all the page's levels for the
// listColumn driving the cursor.
type pageCursor struct {
	path, column string
	pages        parquet.Pages
	maxDef       byte
	lv           *listLevels // list mode; nil for a flat column
	eof          bool        // advance found no more pages
	loaded       int64       // data pages read (a page a seek returns to counts again)

	page  parquet.Page
	dict  parquet.Dictionary // of the current page; nil for a plainly encoded page
	defs  []byte             // definition levels of the current page; nil: no NULLs possible
	rows  int                // rows in the current page
	row   int                // next row of the current page
	val   int                // next dense value of the current page
	nvals int                // dense (non-null) values in the current page
}

// advance releases the current page and reads the next one with at least one row.
func (c *pageCursor) advance() error {
	for {
		if c.page != nil {
			parquet.Release(c.page)
			c.page = nil
		}
		p, err := c.pages.ReadPage()
		if err == io.EOF {
			c.eof = true
			return corrupt(c.path, c.column, "the column chunk has fewer rows than its row group")
		}
		if err != nil {
			return errs.Wrap(errs.ErrExecution, err, "parquet file %s column %q", c.path, c.column)
		}
		c.page, c.dict = p, p.Dictionary()
		c.loaded++
		c.row, c.val = 0, 0
		c.defs = nil
		if c.lv != nil {
			if err := c.lv.load(c, p); err != nil {
				return err
			}
			if len(c.lv.defs) > 0 {
				return nil
			}
			continue
		}
		if c.maxDef > 0 {
			c.defs = p.DefinitionLevels()
		}
		if c.defs == nil {
			c.rows = int(p.NumValues())
			c.nvals = c.rows
		} else {
			c.rows = len(c.defs)
			c.nvals = countValid(c.defs, c.maxDef)
			if c.nvals == c.rows {
				c.defs = nil // an optional column's page without NULLs reads as a required one
			}
		}
		if c.rows > 0 {
			return nil
		}
	}
}

func (c *pageCursor) cursor() *pageCursor { return c }

func (c *pageCursor) pagesRead() int64 { return c.loaded }

// seek positions the cursor at row of the row group: the next load reads the page holding
// it, sliced to start there. With the chunk's offset index loaded (parquetReader loads it
// before seeking) parquet-go jumps straight to that page.
func (c *pageCursor) seek(row int64) error {
	if c.lv != nil {
		return errs.Internalf("parquet column %q: seeking in a list column", c.column)
	}
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
	c.eof = false
	if err := c.pages.SeekToRow(row); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "parquet file %s column %q: seeking to row %d", c.path, c.column, row)
	}
	return nil
}

func (c *pageCursor) close() error {
	if c.page != nil {
		parquet.Release(c.page)
		c.page = nil
	}
	if c.pages == nil {
		return nil
	}
	err := c.pages.Close()
	c.pages = nil
	return err
}

// newValidity returns a zeroed validity bitmap for n rows, or nil for a required column.
func (c *pageCursor) newValidity(n int, mem memory.Allocator) *memory.Buffer {
	if c.maxDef == 0 {
		return nil
	}
	b := memory.NewResizableBuffer(mem)
	b.Resize(int(bitutil.BytesForBits(int64(n))))
	clear(b.Bytes())
	return b
}

// makeArray assembles an array from its buffers, dropping the validity bitmap when there
// are no NULLs. It takes over the caller's references to the buffers.
func makeArray(dt arrow.DataType, n, nulls int, buffers ...*memory.Buffer) arrow.Array {
	if nulls == 0 && buffers[0] != nil {
		buffers[0].Release()
		buffers[0] = nil
	}
	data := array.NewData(dt, n, buffers, nil, nulls, 0)
	arr := array.MakeFromData(data)
	data.Release()
	for _, b := range buffers {
		if b != nil {
			b.Release()
		}
	}
	return arr
}

// castBuffer views the bytes of b as a slice of T (Arrow buffers are 64-byte aligned).
func castBuffer[T any](b []byte) []T {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if len(b) < size {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/size)
}

// fixedColumn decodes a column whose Parquet values are S into a fixed-width Arrow type
// whose values are T. A plain page's dense values are viewed as []S (the page's own
// memory, or a scratch slice for the few encodings that need converting first) and
// widened into the batch's buffer segment by segment; a dictionary page's indexes gather
// from the chunk's dictionary, widened to T once. No dense copy of a page is made.
type fixedColumn[S, T any] struct {
	pageCursor
	dtype arrow.DataType
	// view returns the n dense values of v as S: a view of v's memory (aliases set), or
	// the values converted into scratch (reused between calls). ok is false when v holds
	// fewer than n values.
	view    func(v *encoding.Values, n int, scratch []S) (out []S, ok bool)
	aliases bool // view returns v's memory: never keep it as scratch
	// widen converts src into dst, which have the same length.
	widen func(dst []T, src []S)

	src     []S     // plain page: its dense values
	idx     []int32 // dictionary page: its dense indexes, each < len(dictVal)
	scratch []S
	dictOf  parquet.Dictionary // dictionary dictVal was converted from
	dictVal []T
}

func (c *fixedColumn[S, T]) load() error {
	if err := c.advance(); err != nil {
		return err
	}
	v := c.page.Data()
	if c.dict == nil {
		out, ok := c.view(&v, c.nvals, c.scratch[:0])
		if !ok {
			return corrupt(c.path, c.column, "page has fewer values than rows")
		}
		if !c.aliases {
			c.scratch = out
		}
		c.src, c.idx = out[:c.nvals], nil
		return nil
	}
	if c.dict != c.dictOf {
		dv := c.dict.Page().Data()
		nd := c.dict.Len()
		out, ok := c.view(&dv, nd, c.scratch[:0])
		if !ok {
			return corrupt(c.path, c.column, "dictionary page has fewer values than its header says")
		}
		if !c.aliases {
			c.scratch = out
		}
		c.dictVal = grow(c.dictVal, nd)
		c.widen(c.dictVal, out[:nd])
		c.dictOf = c.dict
	}
	idx := v.Int32()
	if len(idx) < c.nvals {
		return corrupt(c.path, c.column, "page has fewer dictionary indexes than rows")
	}
	c.src, c.idx = nil, idx[:c.nvals]
	return checkIndexes(c.path, c.column, c.idx, len(c.dictVal))
}

// checkIndexes checks that every dictionary index of idx is in [0, n).
func checkIndexes(path, column string, idx []int32, n int) error {
	var hi uint32
	for _, x := range idx {
		hi = max(hi, uint32(x)) // negative indexes become large
	}
	if len(idx) > 0 && uint64(hi) >= uint64(n) {
		for _, x := range idx {
			if uint(x) >= uint(n) {
				return corrupt(path, column, "dictionary index %d out of range [0,%d)", x, n)
			}
		}
	}
	return nil
}

// fill writes the dense values [from, from+len(dst)) of the current page into dst.
func (c *fixedColumn[S, T]) fill(dst []T, from int) {
	if c.idx == nil {
		c.widen(dst, c.src[from:from+len(dst)])
		return
	}
	dict := c.dictVal
	for i, x := range c.idx[from : from+len(dst)] {
		dst[i] = dict[x]
	}
}

func (c *fixedColumn[S, T]) read(n int, mem memory.Allocator) (arrow.Array, error) {
	var zero T
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * int(unsafe.Sizeof(zero)))
	out := castBuffer[T](buf.Bytes())
	var valid *memory.Buffer // allocated at the first NULL (lazyValidity)
	nulls := 0
	for pos := 0; pos < n; {
		if c.page == nil || c.row == c.rows {
			if err := c.load(); err != nil {
				buf.Release()
				if valid != nil {
					valid.Release()
				}
				return nil, err
			}
		}
		k := min(n-pos, c.rows-c.row)
		dst := out[pos : pos+k]
		cnt := k
		var defs []byte
		if c.defs != nil {
			defs = c.defs[c.row : c.row+k]
			cnt = countValid(defs, c.maxDef)
		}
		c.fill(dst[:cnt], c.val)
		c.val += cnt
		if cnt < k {
			// Spread the cnt dense values over the segment's rows, from the back, so that
			// no value is overwritten before it moves (value v goes to row i >= v).
			valid = lazyValidity(valid, n, pos, mem)
			bits, v, md := valid.Bytes(), cnt-1, c.maxDef
			for i := k - 1; i >= 0; i-- {
				if defs[i] == md {
					dst[i] = dst[v]
					v--
					j := pos + i
					bits[j>>3] |= 1 << (j & 7)
				} else {
					dst[i] = zero
				}
			}
			nulls += k - cnt
		} else if valid != nil {
			bitutil.SetBitsTo(valid.Bytes(), int64(pos), int64(k), true)
		}
		c.row += k
		pos += k
	}
	return makeArray(c.dtype, n, nulls, valid, buf), nil
}

// countValid counts the definition levels of defs equal to maxDef (non-NULL values),
// eight at a time while they all are (the common case: a page without NULLs).
func countValid(defs []byte, maxDef byte) int {
	n, i := 0, 0
	all := uint64(maxDef) * 0x0101010101010101
	for ; i+8 <= len(defs); i += 8 {
		if binary.LittleEndian.Uint64(defs[i:]) == all {
			n += 8
			continue
		}
		for _, d := range defs[i : i+8] {
			if d == maxDef {
				n++
			}
		}
	}
	for _, d := range defs[i:] {
		if d == maxDef {
			n++
		}
	}
	return n
}

// lazyValidity returns valid, or when it is nil (no NULL so far) a new validity bitmap for
// n rows with the pos rows before the first NULL set.
func lazyValidity(valid *memory.Buffer, n, pos int, mem memory.Allocator) *memory.Buffer {
	if valid != nil {
		return valid
	}
	valid = memory.NewResizableBuffer(mem)
	valid.Resize(int(bitutil.BytesForBits(int64(n))))
	bits := valid.Bytes()
	clear(bits)
	bitutil.SetBitsTo(bits, 0, int64(pos), true)
	return valid
}

// boolColumn decodes a BOOLEAN column into a bit-packed Arrow boolean array.
type boolColumn struct {
	pageCursor
	dense []bool
}

func (c *boolColumn) load() error {
	if err := c.advance(); err != nil {
		return err
	}
	if c.dict != nil {
		return corrupt(c.path, c.column, "dictionary-encoded BOOLEAN page")
	}
	v := c.page.Data()
	bits := v.Boolean()
	if len(bits)*8 < c.nvals {
		return corrupt(c.path, c.column, "page has fewer values than rows")
	}
	if cap(c.dense) < c.nvals {
		c.dense = make([]bool, c.nvals)
	}
	c.dense = c.dense[:c.nvals]
	for i := range c.dense {
		c.dense[i] = bits[i>>3]>>(i&7)&1 != 0
	}
	return nil
}

func (c *boolColumn) read(n int, mem memory.Allocator) (arrow.Array, error) {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(n))))
	out := buf.Bytes()
	clear(out)
	valid := c.newValidity(n, mem)
	nulls := 0
	for pos := 0; pos < n; {
		if c.page == nil || c.row == c.rows {
			if err := c.load(); err != nil {
				buf.Release()
				if valid != nil {
					valid.Release()
				}
				return nil, err
			}
		}
		k := min(n-pos, c.rows-c.row)
		for i := 0; i < k; i++ {
			j := pos + i
			if c.defs != nil && c.defs[c.row+i] != c.maxDef {
				nulls++
				continue
			}
			if valid != nil {
				valid.Bytes()[j>>3] |= 1 << (j & 7)
			}
			if c.dense[c.val] {
				out[j>>3] |= 1 << (j & 7)
			}
			c.val++
		}
		c.row += k
		pos += k
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, n, nulls, valid, buf), nil
}

// stringColumn decodes a BYTE_ARRAY column into an Arrow string array, from plain pages
// (values and offsets straight from the page) or dictionary pages (indexes into the
// chunk's dictionary, which is valid until the chunk is closed).
type stringColumn struct {
	pageCursor
	data   []byte   // plain page: the values, concatenated
	offs   []uint32 // plain page: value i is data[offs[i]:offs[i+1]]
	idx    []int32  // dictionary page: the dense indexes, each < len(doffs)-1
	dictOf parquet.Dictionary
	// The dictionary: value i is dpad[doffs[i]:doffs[i+1]]. dpad is a copy of the
	// dictionary's bytes followed by strChunk zero bytes, so that a value can be copied in
	// whole strChunk-byte chunks (see gatherStrings).
	dpad  []byte
	doffs []uint32
	hint  int // bytes of the previous batch, to size the next one
}

// strChunk is the size of the fixed-size copies of dictionary values: values are copied
// in chunks of this many bytes (the last one running past the value into slack space,
// overwritten by the next value), which for short values beats a call to memmove.
const strChunk = 16

func (c *stringColumn) load() error {
	if err := c.advance(); err != nil {
		return err
	}
	v := c.page.Data()
	if c.dict == nil {
		c.idx = nil
		c.data, c.offs = v.ByteArray()
		if len(c.offs) < c.nvals+1 || int(c.offs[c.nvals]) > len(c.data) {
			return corrupt(c.path, c.column, "page has fewer values than rows")
		}
		return nil
	}
	if c.dict != c.dictOf {
		dv := c.dict.Page().Data()
		data, offs := dv.ByteArray()
		if len(offs) < c.dict.Len()+1 {
			return corrupt(c.path, c.column, "dictionary page has fewer values than its header says")
		}
		offs = offs[:c.dict.Len()+1]
		for i := 1; i < len(offs); i++ {
			if offs[i] < offs[i-1] || int(offs[i]) > len(data) {
				return corrupt(c.path, c.column, "dictionary offsets out of order")
			}
		}
		end := int(offs[len(offs)-1])
		c.dpad = grow(c.dpad, end+strChunk)
		copy(c.dpad, data[:end])
		clear(c.dpad[end:])
		c.dictOf, c.doffs = c.dict, offs
	}
	idx := v.Int32()
	if len(idx) < c.nvals {
		return corrupt(c.path, c.column, "page has fewer dictionary indexes than rows")
	}
	c.idx = idx[:c.nvals]
	return checkIndexes(c.path, c.column, c.idx, len(c.doffs)-1)
}

// segmentBytes returns the bytes of the next cnt dense values of the current page.
func (c *stringColumn) segmentBytes(cnt int) int {
	if cnt == 0 {
		// A page without values (all NULL) may have no offsets, and a dictionary page no
		// indexes (idx is then nil too).
		return 0
	}
	if c.idx == nil {
		return int(c.offs[c.val+cnt] - c.offs[c.val])
	}
	size := 0
	doffs := c.doffs
	for _, x := range c.idx[c.val : c.val+cnt] {
		size += int(doffs[x+1] - doffs[x])
	}
	return size
}

func (c *stringColumn) read(n int, mem memory.Allocator) (arrow.Array, error) {
	offBuf := memory.NewResizableBuffer(mem)
	offBuf.Resize((n + 1) * 4)
	offsets := castBuffer[int32](offBuf.Bytes())
	offsets[0] = 0
	values := memory.NewResizableBuffer(mem)
	values.Reserve(max(c.hint, 64))
	var valid *memory.Buffer // allocated at the first NULL (lazyValidity)
	fail := func(err error) (arrow.Array, error) {
		offBuf.Release()
		values.Release()
		if valid != nil {
			valid.Release()
		}
		return nil, err
	}
	nulls, total := 0, 0
	for pos := 0; pos < n; {
		if c.page == nil || c.row == c.rows {
			if err := c.load(); err != nil {
				return fail(err)
			}
		}
		k := min(n-pos, c.rows-c.row)
		cnt := k
		var defs []byte
		if c.defs != nil {
			defs = c.defs[c.row : c.row+k]
			cnt = countValid(defs, c.maxDef)
		}
		size := c.segmentBytes(cnt)
		if total+size > math.MaxInt32 {
			return fail(errs.ResourceExhaustedf("parquet file %s column %q: more than 2 GiB of strings in one batch; use a smaller batch size", c.path, c.column))
		}
		if need := total + size + strChunk; need > values.Cap() {
			values.ResizeNoShrink(total) // so that the reallocation keeps the bytes so far
			values.Reserve(max(need, 2*values.Cap()))
		}
		data := values.Buf()
		if cnt == k {
			defs = nil // no NULL in this segment
		}
		switch {
		case c.idx != nil:
			total = gatherStrings(data, total, offsets[pos+1:pos+k+1], defs, c.maxDef, c.idx[c.val:c.val+cnt], c.dpad, c.doffs)
		case defs == nil:
			// Plain page without NULLs: one copy, offsets rebased.
			base := int32(total) - int32(c.offs[c.val])
			copy(data[total:], c.data[c.offs[c.val]:c.offs[c.val+k]])
			for i, o := range c.offs[c.val+1 : c.val+k+1] {
				offsets[pos+i+1] = int32(o) + base
			}
			total += size
		default:
			// Plain page with NULLs: value by value.
			vdata, voffs, v, md := c.data, c.offs, c.val, c.maxDef
			for i, d := range defs {
				if d == md {
					total += copy(data[total:], vdata[voffs[v]:voffs[v+1]])
					v++
				}
				offsets[pos+i+1] = int32(total)
			}
		}
		c.val += cnt
		if defs != nil {
			valid = lazyValidity(valid, n, pos, mem)
			bits, md := valid.Bytes(), c.maxDef
			for i, d := range defs {
				if d == md {
					j := pos + i
					bits[j>>3] |= 1 << (j & 7)
				}
			}
			nulls += k - cnt
		} else if valid != nil {
			bitutil.SetBitsTo(valid.Bytes(), int64(pos), int64(k), true)
		}
		c.row += k
		pos += k
	}
	values.ResizeNoShrink(total)
	c.hint = total + total/8
	return makeArray(arrow.BinaryTypes.String, n, nulls, valid, offBuf, values), nil
}

// gatherStrings copies the dictionary values idx into data from byte total on and writes
// the end offset of each row into offsets (one per row; rows whose definition level in
// defs is not maxDef are NULL and take no bytes; defs nil: no NULLs, one row per index).
// It returns the new total. Values are copied in strChunk-byte chunks from dpad (the
// dictionary's bytes, with strChunk bytes of padding): data must have strChunk bytes of
// room past the last value, which the chunks may overwrite.
func gatherStrings(data []byte, total int, offsets []int32, defs []byte, maxDef byte, idx []int32, dpad []byte, doffs []uint32) int {
	put := func(x int32) {
		from, to := int(doffs[x]), int(doffs[x+1])
		for o := from; o < to; o += strChunk {
			*(*[strChunk]byte)(data[total+o-from:]) = *(*[strChunk]byte)(dpad[o:])
		}
		total += to - from
	}
	if defs == nil {
		for i, x := range idx {
			put(x)
			offsets[i] = int32(total)
		}
		return total
	}
	v := 0
	for i, d := range defs {
		if d == maxDef {
			put(idx[v])
			v++
		}
		offsets[i] = int32(total)
	}
	return total
}

// newPageCursor returns a cursor over the pages of chunk, the chunk of the leaf column
// leaf of the Ember column named column.
func newPageCursor(path, column string, leaf *parquet.Column, chunk parquet.ColumnChunk) pageCursor {
	return pageCursor{path: path, column: column, pages: chunk.Pages(), maxDef: byte(leaf.MaxDefinitionLevel())}
}

// newPQColumn returns the decoder of one column chunk into Arrow type target (which
// parquetType chose for the column's Parquet type), reading pages through cur. It takes
// over cur's pages (closed here on error).
func newPQColumn(path string, field parquet.Field, cur pageCursor, target arrow.DataType) (pqColumn, error) {
	t := field.Type()
	kind := t.Kind()
	if kind == parquet.FixedLenByteArray && t.Length() > 16 {
		cur.pages.Close()
		return nil, errs.NotImplementedf("parquet file %s column %q: decimals wider than 16 bytes are not supported", path, cur.column)
	}
	var lt format.LogicalTypeValue
	if l := t.LogicalType(); l != nil {
		lt = l.Value
	}
	var col pqColumn
	switch target.ID() {
	case arrow.BOOL:
		col = &boolColumn{pageCursor: cur}
	case arrow.STRING:
		col = &stringColumn{pageCursor: cur}
	case arrow.INT8:
		col = &fixedColumn[int32, int8]{pageCursor: cur, dtype: target, view: viewInt32, aliases: true, widen: narrowInt32[int8]}
	case arrow.INT16:
		col = &fixedColumn[int32, int16]{pageCursor: cur, dtype: target, view: viewInt32, aliases: true, widen: narrowInt32[int16]}
	case arrow.INT32, arrow.DATE32:
		col = &fixedColumn[int32, int32]{pageCursor: cur, dtype: target, view: viewInt32, aliases: true, widen: copyValues[int32]}
	case arrow.INT64:
		if kind == parquet.Int32 { // UINT(32)
			col = &fixedColumn[int32, int64]{pageCursor: cur, dtype: target, view: viewInt32, aliases: true, widen: widenUint32}
		} else {
			col = &fixedColumn[int64, int64]{pageCursor: cur, dtype: target, view: viewInt64, aliases: true, widen: copyValues[int64]}
		}
	case arrow.FLOAT32:
		col = &fixedColumn[float32, float32]{pageCursor: cur, dtype: target, view: viewFloat, aliases: true, widen: copyValues[float32]}
	case arrow.FLOAT64:
		col = &fixedColumn[float64, float64]{pageCursor: cur, dtype: target, view: viewDouble, aliases: true, widen: copyValues[float64]}
	case arrow.TIMESTAMP:
		if kind == parquet.Int96 {
			col = &fixedColumn[deprecated.Int96, int64]{pageCursor: cur, dtype: target, view: viewInt96, aliases: true, widen: widenInt96}
			break
		}
		widen := copyValues[int64]
		if ts, _ := lt.(*format.TimestampType); ts != nil {
			switch {
			case isUnit[*format.MilliSeconds](ts):
				widen = scaleTimestamps(1000, 1)
			case isUnit[*format.NanoSeconds](ts):
				widen = scaleTimestamps(1, 1000)
			}
		}
		col = &fixedColumn[int64, int64]{pageCursor: cur, dtype: target, view: viewInt64, aliases: true, widen: widen}
	case arrow.DECIMAL128:
		switch kind {
		case parquet.Int32:
			col = &fixedColumn[int32, decimal128.Num]{pageCursor: cur, dtype: target, view: viewInt32, aliases: true, widen: decimalsFromInt32}
		case parquet.Int64:
			widen := decimalsFromInt64
			if it, ok := lt.(*format.IntType); ok && !it.IsSigned {
				widen = decimalsFromUint64
			}
			col = &fixedColumn[int64, decimal128.Num]{pageCursor: cur, dtype: target, view: viewInt64, aliases: true, widen: widen}
		case parquet.ByteArray:
			col = &fixedColumn[decimal128.Num, decimal128.Num]{pageCursor: cur, dtype: target, view: convertDecimalByteArray, widen: copyValues[decimal128.Num]}
		case parquet.FixedLenByteArray:
			col = &fixedColumn[decimal128.Num, decimal128.Num]{pageCursor: cur, dtype: target, view: convertDecimalFixed, widen: copyValues[decimal128.Num]}
		}
	}
	if col == nil {
		cur.pages.Close()
		return nil, errs.NotImplementedf("parquet file %s column %q: reading %s as %s is not supported",
			path, cur.column, t, planner.TypeString(target))
	}
	return col, nil
}

// listLevels holds the levels of the current page of a list column's element leaf (see
// pageCursor). A level entry with repetition level 0 starts a row; its definition level d
// says what it is: d < defElem-1 a NULL list, d == defElem-1 an empty list, d >= defElem an
// element (NULL unless d is the leaf's maxDef). Entries with repetition level 1 add
// elements to the row.
type listLevels struct {
	defElem    byte
	defs, reps []byte // the current page's levels, one per entry
	next       int    // the listColumn's next entry
	slots      []byte // scratch: the definition levels of the page's elements
}

// load takes the levels of page p and gives c the definition levels of its elements (nil
// when none is NULL).
func (l *listLevels) load(c *pageCursor, p parquet.Page) error {
	l.defs, l.reps, l.next = p.DefinitionLevels(), p.RepetitionLevels(), 0
	if len(l.reps) != len(l.defs) {
		return corrupt(c.path, c.column, "page has %d repetition levels but %d definition levels", len(l.reps), len(l.defs))
	}
	l.slots = l.slots[:0]
	nvals := 0
	for _, d := range l.defs {
		if d >= l.defElem {
			l.slots = append(l.slots, d)
			if d == c.maxDef {
				nvals++
			}
		}
	}
	c.defs, c.rows, c.nvals = l.slots, len(l.slots), nvals
	if nvals == len(l.slots) {
		c.defs = nil
	}
	return nil
}

// listColumn decodes an ARRAY column: it walks the level entries of the element leaf's
// pages itself, building offsets and validity, and has the element decoder (which sees
// only the elements) read them page segment by page segment; a batch whose elements span
// pages concatenates its segments.
type listColumn struct {
	elem  pageLoader
	cur   *pageCursor // elem's
	lv    *listLevels
	dtype arrow.DataType
	left  int64 // rows of the row group not started yet
}

// newListColumn returns the decoder of the chunk of leaf, the element of an ARRAY column of
// type target whose row group has rows rows.
func newListColumn(path, column string, leaf *parquet.Column, chunk parquet.ColumnChunk, target arrow.DataType, lv *listLevels, rows int64) (pqColumn, error) {
	cur := newPageCursor(path, column, leaf, chunk)
	cur.lv = &listLevels{defElem: lv.defElem}
	col, err := newPQColumn(path, leaf, cur, planner.ElemType(target))
	if err != nil {
		return nil, err
	}
	pl, ok := col.(pageLoader)
	if !ok {
		col.close()
		return nil, errs.Internalf("parquet column %q: element decoder %T cannot be driven by pages", column, col)
	}
	return &listColumn{elem: pl, cur: pl.cursor(), lv: pl.cursor().lv, dtype: target, left: rows}, nil
}

func (c *listColumn) close() error { return c.elem.close() }

func (c *listColumn) pagesRead() int64 { return c.cur.loaded }

func (c *listColumn) seek(int64) error {
	return errs.Internalf("parquet column %q: seeking in a list column", c.cur.column)
}

func (c *listColumn) read(n int, mem memory.Allocator) (arrow.Array, error) {
	cur, lv := c.cur, c.lv
	offBuf := memory.NewResizableBuffer(mem)
	offBuf.Resize((n + 1) * 4)
	offsets := castBuffer[int32](offBuf.Bytes())
	valid := memory.NewResizableBuffer(mem)
	valid.Resize(int(bitutil.BytesForBits(int64(n))))
	bits := valid.Bytes()
	clear(bits)
	var segs []arrow.Array
	fail := func(err error) (arrow.Array, error) {
		offBuf.Release()
		valid.Release()
		releaseArrays(segs)
		return nil, err
	}
	pending, elems, pos, nulls := 0, 0, 0, 0
	flush := func() error {
		if pending == 0 {
			return nil
		}
		a, err := c.elem.read(pending, mem)
		if err != nil {
			return err
		}
		segs = append(segs, a)
		pending = 0
		return nil
	}
	for {
		if cur.page == nil || lv.next == len(lv.defs) {
			if err := flush(); err != nil {
				return fail(err)
			}
			if err := c.elem.load(); err != nil {
				if cur.eof && c.left == 0 {
					break // the row group's last row ended with its last page
				}
				return fail(err)
			}
			continue
		}
		d, r := lv.defs[lv.next], lv.reps[lv.next]
		if r == 0 {
			if pos == n {
				break
			}
			if c.left == 0 {
				return fail(corrupt(cur.path, cur.column, "the column chunk has more rows than its row group"))
			}
			c.left--
			offsets[pos] = int32(elems)
			if d+1 >= lv.defElem {
				bits[pos>>3] |= 1 << (pos & 7)
			} else {
				nulls++
			}
			pos++
		} else if pos == 0 {
			return fail(corrupt(cur.path, cur.column, "a list continues a row that has not started"))
		}
		if d >= lv.defElem {
			if elems == math.MaxInt32 {
				return fail(errs.ResourceExhaustedf("parquet file %s column %q: more than 2^31 list elements in one batch; use a smaller batch size", cur.path, cur.column))
			}
			elems++
			pending++
		}
		lv.next++
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if pos < n {
		return fail(corrupt(cur.path, cur.column, "the column chunk has fewer rows than its row group"))
	}
	offsets[n] = int32(elems)
	var child arrow.Array
	switch len(segs) {
	case 0:
		child = array.MakeArrayOfNull(mem, planner.ElemType(c.dtype), 0)
	case 1:
		child = segs[0]
	default:
		var err error
		child, err = array.Concatenate(segs, mem)
		releaseArrays(segs)
		if err != nil {
			offBuf.Release()
			valid.Release()
			return nil, errs.Wrap(errs.ErrInternal, err, "parquet column %q", cur.column)
		}
	}
	if nulls == 0 {
		valid.Release()
		valid = nil
	}
	data := array.NewData(c.dtype, n, []*memory.Buffer{valid, offBuf}, []arrow.ArrayData{child.Data()}, nulls, 0)
	out := array.MakeFromData(data)
	data.Release()
	child.Release()
	offBuf.Release()
	if valid != nil {
		valid.Release()
	}
	return out, nil
}

func isUnit[U format.TimeUnitValue](ts *format.TimestampType) bool {
	_, ok := ts.Unit.Value.(U)
	return ok
}

// The view* functions below return the n dense values of a page (or dictionary) as the
// page's own memory; the widen* functions convert a segment of them to the Arrow type.

func viewInt32(v *encoding.Values, n int, _ []int32) ([]int32, bool) {
	s := v.Int32()
	return s[:min(n, len(s))], len(s) >= n
}

func viewInt64(v *encoding.Values, n int, _ []int64) ([]int64, bool) {
	s := v.Int64()
	return s[:min(n, len(s))], len(s) >= n
}

func viewFloat(v *encoding.Values, n int, _ []float32) ([]float32, bool) {
	s := v.Float()
	return s[:min(n, len(s))], len(s) >= n
}

func viewDouble(v *encoding.Values, n int, _ []float64) ([]float64, bool) {
	s := v.Double()
	return s[:min(n, len(s))], len(s) >= n
}

func viewInt96(v *encoding.Values, n int, _ []deprecated.Int96) ([]deprecated.Int96, bool) {
	s := v.Int96()
	return s[:min(n, len(s))], len(s) >= n
}

// grow returns dst resized to n, reallocating only when its capacity is short.
func grow[T any](dst []T, n int) []T {
	if cap(dst) < n {
		return make([]T, n, n+n/4)
	}
	return dst[:n]
}

func copyValues[T any](dst, src []T) { copy(dst, src) }

// narrowInt32 narrows INT(8) and INT(16) (and widens UINT(8), UINT(16)) values.
func narrowInt32[T int8 | int16](dst []T, src []int32) {
	for i, x := range src[:len(dst)] {
		dst[i] = T(x)
	}
}

// widenUint32 reads UINT(32) values, stored as INT32 bit patterns, as BIGINT.
func widenUint32(dst []int64, src []int32) {
	for i, x := range src[:len(dst)] {
		dst[i] = int64(uint32(x))
	}
}

// scaleTimestamps converts timestamps to microseconds: x*mul, or floor(x/div).
func scaleTimestamps(mul, div int64) func(dst, src []int64) {
	if div == 1 {
		return func(dst, src []int64) {
			for i, x := range src[:len(dst)] {
				dst[i] = x * mul
			}
		}
	}
	return func(dst, src []int64) {
		for i, x := range src[:len(dst)] {
			q := x / div
			if x%div < 0 {
				q--
			}
			dst[i] = q
		}
	}
}

// julianUnixEpoch is the Julian day number of 1970-01-01, the epoch of INT96 timestamps'
// day field (whose other 8 bytes are nanoseconds within the day).
const julianUnixEpoch = 2440588

func widenInt96(dst []int64, src []deprecated.Int96) {
	for i, x := range src[:len(dst)] {
		nanos := int64(uint64(x[1])<<32 | uint64(x[0]))
		dst[i] = (int64(x[2])-julianUnixEpoch)*microsPerDay + nanos/1000
	}
}

// decimalsFromInt32 and decimalsFromInt64 sign-extend unscaled values to 128 bits: the
// high word is the sign (x>>63), with no branch per value.
func decimalsFromInt32(dst []decimal128.Num, src []int32) {
	for i, x := range src[:len(dst)] {
		dst[i] = decimal128.New(int64(x)>>63, uint64(int64(x)))
	}
}

func decimalsFromInt64(dst []decimal128.Num, src []int64) {
	for i, x := range src[:len(dst)] {
		dst[i] = decimal128.New(x>>63, uint64(x))
	}
}

func decimalsFromUint64(dst []decimal128.Num, src []int64) {
	for i, x := range src[:len(dst)] {
		dst[i] = decimal128.New(0, uint64(x))
	}
}

func convertDecimalByteArray(v *encoding.Values, n int, dst []decimal128.Num) ([]decimal128.Num, bool) {
	data, offs := v.ByteArray()
	if len(offs) < n+1 || int(offs[n]) > len(data) {
		return nil, false
	}
	dst = grow(dst, n)
	for i := range dst {
		var ok bool
		if dst[i], ok = decimalFromBigEndian(data[offs[i]:offs[i+1]]); !ok {
			return nil, false
		}
	}
	return dst, true
}

func convertDecimalFixed(v *encoding.Values, n int, dst []decimal128.Num) ([]decimal128.Num, bool) {
	data, size := v.FixedLenByteArray()
	if size <= 0 || len(data) < n*size {
		return nil, false
	}
	dst = grow(dst, n)
	for i := range dst {
		dst[i], _ = decimalFromBigEndian(data[i*size : (i+1)*size])
	}
	return dst, true
}

// decimalFromBigEndian reads a big-endian two's complement integer of up to 16 bytes
// (longer ones only when the extra leading bytes are sign extension).
func decimalFromBigEndian(b []byte) (decimal128.Num, bool) {
	if len(b) > 16 {
		ext := byte(0)
		if b[len(b)-16]&0x80 != 0 {
			ext = 0xFF
		}
		for _, x := range b[:len(b)-16] {
			if x != ext {
				return decimal128.Num{}, false
			}
		}
		b = b[len(b)-16:]
	}
	var buf [16]byte
	if len(b) > 0 && b[0]&0x80 != 0 {
		for i := range buf {
			buf[i] = 0xFF
		}
	}
	copy(buf[16-len(b):], b)
	return decimal128.New(int64(binary.BigEndian.Uint64(buf[:8])), binary.BigEndian.Uint64(buf[8:])), true
}
