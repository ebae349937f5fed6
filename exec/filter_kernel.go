package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The filter kernel: FilterBatch keeps the rows a boolean mask selects by copying the runs of
// selected rows of each column (a memcpy per run for fixed-width and string columns without
// NULLs, the common case), and falls back to arrow compute's filter for the other columns.
// A filter that keeps most rows copies a few long runs, not every row through take indices.

// maskRuns returns the [start, end) row ranges where mask is true (NULL counts as false),
// in order, and the number of rows they hold; ok is false, and the scan stops, once there
// are more than maxRuns runs (short runs are cheaper to gather by index). Whole bytes of
// the bitmap that are all set or all clear are skipped eight rows at a time. O(rows / 8)
// for long runs.
func maskRuns(mask *array.Boolean, maxRuns int) (runs [][2]int, kept int, ok bool) {
	n := mask.Len()
	data := mask.Data()
	vals := data.Buffers()[1]
	if vals == nil {
		return nil, 0, true
	}
	off := data.Offset()
	bits := vals.Bytes()
	var valid []byte
	if mask.NullN() > 0 {
		valid = data.Buffers()[0].Bytes()
	}
	bit := func(i int) bool {
		j := off + i
		if bits[j>>3]&(1<<(j&7)) == 0 {
			return false
		}
		return valid == nil || valid[j>>3]&(1<<(j&7)) != 0
	}
	start := -1
	for i := 0; i < n; {
		j := off + i
		if valid == nil && j&7 == 0 && i+8 <= n {
			switch bits[j>>3] {
			case 0xff:
				if start < 0 {
					start = i
				}
				i += 8
				continue
			case 0x00:
				if start >= 0 {
					runs = append(runs, [2]int{start, i})
					kept += i - start
					start = -1
					if len(runs) > maxRuns {
						return nil, 0, false
					}
				}
				i += 8
				continue
			}
		}
		on := bit(i)
		switch {
		case on && start < 0:
			start = i
		case !on && start >= 0:
			runs = append(runs, [2]int{start, i})
			kept += i - start
			start = -1
			if len(runs) > maxRuns {
				return nil, 0, false
			}
		}
		i++
	}
	if start >= 0 {
		runs = append(runs, [2]int{start, n})
		kept += n - start
	}
	return runs, kept, len(runs) <= maxRuns
}

// filterByRuns copies the rows of col in runs into a new array of kept rows, or returns
// nil when the column's layout is not one it copies (a NULL, a nested or boolean column):
// fixed-width values of whole bytes and String/Binary columns, without NULLs.
func filterByRuns(mem memory.Allocator, col arrow.Array, runs [][2]int, kept int) arrow.Array {
	if col.NullN() != 0 {
		return nil
	}
	data := col.Data()
	if col.DataType().ID() == arrow.DICTIONARY {
		// (Not data.Dictionary() != nil: that is a non-nil interface holding a nil
		// *array.Data for every array, which once sent every column to arrow's filter.)
		return nil
	}
	off := data.Offset()
	switch t := col.DataType().(type) {
	case arrow.FixedWidthDataType:
		bits := t.BitWidth()
		if bits%8 != 0 || len(data.Buffers()) != 2 || data.Buffers()[1] == nil {
			return nil
		}
		w := bits / 8
		src := data.Buffers()[1].Bytes()
		buf := memory.NewResizableBuffer(mem)
		buf.Resize(kept * w)
		dst := buf.Bytes()
		pos := 0
		for _, r := range runs {
			pos += copy(dst[pos:], src[(off+r[0])*w:(off+r[1])*w])
		}
		out := array.NewData(col.DataType(), kept, []*memory.Buffer{nil, buf}, nil, 0, 0)
		buf.Release() // out holds it
		defer out.Release()
		return array.MakeFromData(out)
	case *arrow.StringType, *arrow.BinaryType:
		if len(data.Buffers()) != 3 || data.Buffers()[1] == nil {
			return nil
		}
		offsets := arrow.Int32Traits.CastFromBytes(data.Buffers()[1].Bytes())[off : off+col.Len()+1]
		var values []byte
		if b := data.Buffers()[2]; b != nil {
			values = b.Bytes()
		}
		size := 0
		for _, r := range runs {
			size += int(offsets[r[1]] - offsets[r[0]])
		}
		ob := memory.NewResizableBuffer(mem)
		ob.Resize((kept + 1) * 4)
		dstOff := arrow.Int32Traits.CastFromBytes(ob.Bytes())
		vb := memory.NewResizableBuffer(mem)
		vb.Resize(size)
		dst := vb.Bytes()
		row, pos := 0, int32(0)
		for _, r := range runs {
			base := offsets[r[0]]
			for i := r[0]; i < r[1]; i++ {
				dstOff[row] = pos + offsets[i] - base
				row++
			}
			pos += int32(copy(dst[pos:], values[base:offsets[r[1]]]))
		}
		dstOff[row] = pos
		out := array.NewData(col.DataType(), kept, []*memory.Buffer{nil, ob, vb}, nil, 0, 0)
		ob.Release() // out holds them
		vb.Release()
		defer out.Release()
		return array.MakeFromData(out)
	}
	return nil
}
