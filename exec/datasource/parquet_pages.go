package datasource

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// Page pruning: with pruning hints, a reader looks up the page index of the row group's
// chunks (the ColumnIndex with per-page bounds of the hinted columns, and the
// OffsetIndex with every page's first row, of those and of the columns it reads) and
// reads only the row ranges whose pages may match, seeking every column to the start of
// each range. Without a page index, or when it reads an ARRAY column (whose pages are
// not cut on the row boundaries a seek needs to line up), it reads the whole row group,
// unless the index proves no row of it matches.

// rowRange is the rows [from, to) of a row group.
type rowRange struct{ from, to int64 }

// pageIndex is what the page index says about one column chunk: the first row of each
// page, and the statistics of each page (nil when only the offset index is known).
type pageIndex struct {
	first []int64
	stats []colStats
	typ   arrow.DataType
}

// pageEnd is the row after the last one of page i.
func (pi *pageIndex) pageEnd(i int, rows int64) int64 {
	if i+1 < len(pi.first) {
		return pi.first[i+1]
	}
	return rows
}

// offsetIndex loads the offset index of a chunk (kept by parquet-go, which then seeks
// through it) and returns its pages' first rows; nil when there is none or it is not
// well formed.
func offsetIndex(chunk parquet.ColumnChunk, rows int64) []int64 {
	fc, ok := chunk.(*parquet.FileColumnChunk)
	if !ok {
		return nil
	}
	oi, err := fc.OffsetIndex()
	if err != nil || oi.NumPages() == 0 {
		return nil
	}
	first := make([]int64, oi.NumPages())
	for i := range first {
		first[i] = oi.FirstRowIndex(i)
		if i == 0 && first[i] != 0 || i > 0 && first[i] <= first[i-1] || first[i] >= rows {
			return nil
		}
	}
	return first
}

// columnIndex reads and decodes the column index of leaf column leaf in row group rg.
func columnIndex(pf *parquet.File, rg, leaf int) (*format.ColumnIndex, bool) {
	md := pf.Metadata()
	if rg >= len(md.RowGroups) || leaf >= len(md.RowGroups[rg].Columns) {
		return nil, false
	}
	cc := &md.RowGroups[rg].Columns[leaf]
	if cc.ColumnIndexOffset <= 0 || cc.ColumnIndexLength <= 0 || cc.ColumnIndexLength > 64<<20 ||
		cc.CryptoMetadata.Value != nil || cc.EncryptedColumnMetadata != nil {
		return nil, false
	}
	buf := make([]byte, cc.ColumnIndexLength)
	if _, err := pf.ReadAt(buf, cc.ColumnIndexOffset); err != nil {
		return nil, false
	}
	var ci format.ColumnIndex
	if err := thrift.Unmarshal(&thrift.CompactProtocol{}, buf, &ci); err != nil {
		return nil, false
	}
	return &ci, true
}

// predRanges returns the row ranges (sorted, disjoint) in which rows may satisfy p,
// judged page by page with the page indexes of idx (by source column ordinal); a column
// without one counts as matching everywhere.
func predRanges(p *Predicate, idx map[int]*pageIndex, rows int64) []rowRange {
	switch p.Op {
	case PredAnd:
		out := []rowRange{{0, rows}}
		for i := range p.Args {
			out = intersectRanges(out, predRanges(&p.Args[i], idx, rows))
		}
		return out
	case PredOr:
		var out []rowRange
		for i := range p.Args {
			out = unionRanges(out, predRanges(&p.Args[i], idx, rows))
		}
		return out
	}
	pi := idx[p.Column]
	if pi == nil || pi.stats == nil {
		return []rowRange{{0, rows}}
	}
	var out []rowRange
	for i := range pi.first {
		st := pi.stats[i]
		lookup := func(c int) (colStats, arrow.DataType, bool) {
			return st, pi.typ, c == p.Column
		}
		if p.mayMatch(lookup) {
			out = appendRange(out, rowRange{pi.first[i], pi.pageEnd(i, rows)})
		}
	}
	return out
}

// appendRange appends r to sorted ranges, merging it with the last one when they touch.
func appendRange(rs []rowRange, r rowRange) []rowRange {
	if r.from >= r.to {
		return rs
	}
	if n := len(rs); n > 0 && rs[n-1].to >= r.from {
		rs[n-1].to = max(rs[n-1].to, r.to)
		return rs
	}
	return append(rs, r)
}

func intersectRanges(a, b []rowRange) []rowRange {
	var out []rowRange
	for i, j := 0, 0; i < len(a) && j < len(b); {
		out = appendRange(out, rowRange{max(a[i].from, b[j].from), min(a[i].to, b[j].to)})
		if a[i].to < b[j].to {
			i++
		} else {
			j++
		}
	}
	return out
}

func unionRanges(a, b []rowRange) []rowRange {
	var out []rowRange
	for i, j := 0, 0; i < len(a) || j < len(b); {
		if j == len(b) || i < len(a) && a[i].from <= b[j].from {
			out = appendRange(out, a[i])
			i++
		} else {
			out = appendRange(out, b[j])
			j++
		}
	}
	return out
}

func rangeRows(rs []rowRange) int64 {
	var n int64
	for _, r := range rs {
		n += r.to - r.from
	}
	return n
}

// overlaps reports whether [from, to) meets one of the sorted ranges.
func overlaps(rs []rowRange, from, to int64) bool {
	for _, r := range rs {
		if r.from < to && from < r.to {
			return true
		}
		if r.from >= to {
			return false
		}
	}
	return false
}

// predColumns adds the source ordinals the leaves of p read to cols.
func predColumns(p *Predicate, cols map[int]bool) {
	if p.Op == PredAnd || p.Op == PredOr {
		for i := range p.Args {
			predColumns(&p.Args[i], cols)
		}
		return
	}
	cols[p.Column] = true
}

// prunePages sets r.ranges to the rows of the row group that the page index leaves to
// read under preds (nil when it is all of them, or pages cannot be skipped), and records
// what is skipped in r.stats. columns are the source ordinals r reads.
func (r *parquetReader) prunePages(pf *parquet.File, columns []int, preds []Predicate) {
	rgs := pf.RowGroups()
	rg := rgs[r.split.RowGroup]
	rows := rg.NumRows()
	top := pf.Root().Columns()
	chunks := rg.ColumnChunks()
	md := pf.Metadata()
	want := map[int]bool{}
	for i := range preds {
		predColumns(&preds[i], want)
	}
	idx := map[int]*pageIndex{}
	for c := range want {
		if c < 0 || c >= len(top) {
			continue // a partition column, or unknown: judged elsewhere
		}
		pc, err := mapColumn(r.split.Path, top[c])
		leaf := pc.leaf.Index()
		if err != nil || pc.list != nil || leaf < 0 || leaf >= len(chunks) {
			continue
		}
		first := offsetIndex(chunks[leaf], rows)
		ci, ok := columnIndex(pf, r.split.RowGroup, leaf)
		if first == nil || !ok {
			continue
		}
		if st := pageStats(md, leaf, ci, pc, first, rows); st != nil {
			idx[c] = &pageIndex{first: first, stats: st, typ: pc.field.Type}
		}
	}
	if len(idx) == 0 {
		return
	}
	keep := []rowRange{{0, rows}}
	for i := range preds {
		keep = intersectRanges(keep, predRanges(&preds[i], idx, rows))
	}
	kept := rangeRows(keep)
	if kept == rows {
		return
	}
	// Every column read must be flat and have an offset index, to seek to each range and
	// to count the pages left out.
	firsts := make([][]int64, len(columns))
	seekable := true
	for i, c := range columns {
		pc, err := mapColumn(r.split.Path, top[c])
		if err != nil || pc.list != nil || pc.leaf.Index() < 0 || pc.leaf.Index() >= len(chunks) {
			seekable = false
			break
		}
		if firsts[i] = offsetIndex(chunks[pc.leaf.Index()], rows); firsts[i] == nil {
			seekable = false
			break
		}
	}
	if !seekable && kept > 0 {
		return
	}
	for _, first := range firsts {
		pi := &pageIndex{first: first}
		for p := range first {
			if !overlaps(keep, first[p], pi.pageEnd(p, rows)) {
				r.stats.PagesSkipped++
			}
		}
	}
	r.stats.RowsSkipped = rows - kept
	r.remaining = kept
	r.ranges = keep
	if r.ranges == nil {
		r.ranges = []rowRange{}
	}
}
