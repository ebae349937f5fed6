package exec

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/exec/hashtable"
)

// scanFilters applies the runtime filters of one scan partition (the consumer side, see
// runtime_filter.go). It is used by the scan's task alone.
type scanFilters struct {
	node     *ScanExec
	pending  []*RuntimeFilter // filters not ready yet, with their runs
	runs     []*filterRun
	active   []activeFilter
	empty    bool                   // an active filter lets nothing through
	bounds   []datasource.Predicate // the active filters' bounds
	readWith []datasource.Predicate // the scan's own hints plus bounds (nil: recompute)
	hashes   []uint64
	sel      []int32
	cols     []arrow.Array
}

// activeFilter is a ready filter as one scan task uses it: with its own count of the rows it
// tested against the bloom filter and let through, to stop testing a bloom filter that
// drops too little (see bloomTrialRows).
type activeFilter struct {
	*filterResult
	tested, passed int64
	bloomOff       bool
}

// newScanFilters returns the runtime filters of a scan partition in query q's run, nil
// when it has none.
func newScanFilters(q *queryState, s *ScanExec) *scanFilters {
	sf := &scanFilters{node: s}
	for _, f := range s.RuntimeFilters {
		if r := f.runFor(q); r != nil {
			sf.pending, sf.runs = append(sf.pending, f), append(sf.runs, r)
		}
	}
	if len(sf.pending) == 0 {
		return nil
	}
	return sf
}

// refresh takes the filters that became ready. With wait it first waits for those whose
// producer partitions have all started, which cannot deadlock (they hold task slots and do
// not wait for this scan); the others are taken later, when they are ready.
func (sf *scanFilters) refresh(ctx context.Context, wait bool) {
	if len(sf.pending) == 0 {
		return
	}
	keep := 0
	for i, r := range sf.runs {
		f := sf.pending[i]
		ready := r.isReady()
		if !ready && wait && r.allStarted(f.Parts) {
			ready = r.wait(ctx)
		}
		if !ready {
			sf.pending[keep], sf.runs[keep] = f, r
			keep++
			continue
		}
		if res := r.result; res != nil {
			if f.source != nil {
				res = res.derive(f.source, f)
			}
			sf.active = append(sf.active, activeFilter{filterResult: res, bloomOff: res.bloom == nil})
			sf.empty = sf.empty || res.empty
			sf.bounds = append(sf.bounds, res.preds...)
			sf.readWith = nil
		}
	}
	clear(sf.pending[keep:])
	clear(sf.runs[keep:])
	sf.pending, sf.runs = sf.pending[:keep], sf.runs[:keep]
}

// skip reports whether the active filters rule split out: nothing can match, or the
// source's statistics put a key outside its bounds.
func (sf *scanFilters) skip(split datasource.Split) bool {
	if sf.empty {
		return true
	}
	pr, ok := sf.node.Source.(datasource.Pruner)
	return ok && len(sf.bounds) > 0 && !pr.MayMatch(split, sf.bounds)
}

// predicates are the pruning hints for a reader: the scan's own and the bounds.
func (sf *scanFilters) predicates() []datasource.Predicate {
	if len(sf.bounds) == 0 {
		return sf.node.Predicates
	}
	if sf.readWith == nil {
		sf.readWith = append(append([]datasource.Predicate(nil), sf.node.Predicates...), sf.bounds...)
	}
	return sf.readWith
}

// keyColumns lists the scan columns the filters read (their probe keys), for a reader that
// applies them as it decodes (scanRowFilter.rowFilter). Filters that become ready during a
// split apply from then on: keepRows reads the filters active when it is called.
func (sf *scanFilters) keyColumns() []int {
	seen := map[int]bool{}
	var cols []int
	for _, f := range sf.node.RuntimeFilters {
		for _, k := range f.Keys {
			if !seen[k.Probe] {
				seen[k.Probe] = true
				cols = append(cols, k.Probe)
			}
		}
	}
	return cols
}

// keepRows returns the rows of a batch (its columns cols, n rows) that the active filters
// let through, ascending, or all. A filter whose key column is missing from cols is passed
// over (the join above still drops what it would have).
func (sf *scanFilters) keepRows(cols []arrow.Array, n int) (sel []int32, all bool) {
	if len(sf.active) == 0 || n == 0 {
		return nil, true
	}
	if sf.empty {
		return nil, false
	}
	if cap(sf.sel) < n {
		sf.sel = make([]int32, n)
	}
	sel = sf.sel[:n]
	for i := range sel {
		sel[i] = int32(i)
	}
	for i := range sf.active {
		if len(sel) == 0 {
			break
		}
		sel = sf.keep(&sf.active[i], cols, n, sel)
	}
	if len(sel) == n {
		return nil, true
	}
	return sel, false
}

// keep narrows sel (ascending rows of a batch of n rows whose columns are cols) to the rows
// whose keys may equal those of a build row: none NULL, each within its bounds, the tuple
// in the bloom filter.
func (sf *scanFilters) keep(a *activeFilter, cols []arrow.Array, n int, sel []int32) []int32 {
	sf.cols = sf.cols[:0]
	for _, k := range a.keys {
		if k.probe >= len(cols) || cols[k.probe] == nil {
			return sel
		}
	}
	for _, k := range a.keys {
		col := cols[k.probe]
		sf.cols = append(sf.cols, col)
		if col.NullN() > 0 {
			out := sel[:0]
			for _, i := range sel {
				if col.IsValid(int(i)) {
					out = append(out, i)
				}
			}
			sel = out
		}
		if k.hasRange {
			sel = keepInBounds(col, k.lo, k.hi, sel)
		}
	}
	if a.bloomOff || len(sel) == 0 {
		return sel
	}
	if cap(sf.hashes) < n {
		sf.hashes = make([]uint64, n)
	}
	hs := sf.hashes[:n]
	hashtable.HashColumns(sf.cols, hs)
	in := len(sel)
	out := sel[:0]
	for _, i := range sel {
		if a.bloom.mayContain(hs[i]) {
			out = append(out, i)
		}
	}
	if a.tested < bloomTrialRows {
		a.tested += int64(in)
		a.passed += int64(len(out))
		// Past the trial, a bloom filter that drops under a tenth of the rows costs more
		// (a hash and a cache miss per row) than it saves downstream.
		a.bloomOff = a.tested >= bloomTrialRows && a.passed*10 > a.tested*9
	}
	return out
}

// keepInBounds narrows sel to the rows of an integer-like column within [lo, hi].
func keepInBounds(col arrow.Array, lo, hi int64, sel []int32) []int32 {
	switch a := col.(type) {
	case *array.Int8:
		return inBounds(a.Int8Values(), lo, hi, sel)
	case *array.Int16:
		return inBounds(a.Int16Values(), lo, hi, sel)
	case *array.Int32:
		return inBounds(a.Int32Values(), lo, hi, sel)
	case *array.Int64:
		return inBounds(a.Int64Values(), lo, hi, sel)
	case *array.Date32:
		return inBounds(a.Date32Values(), lo, hi, sel)
	case *array.Timestamp:
		return inBounds(a.TimestampValues(), lo, hi, sel)
	}
	return sel
}

func inBounds[T ~int8 | ~int16 | ~int32 | ~int64](vals []T, lo, hi int64, sel []int32) []int32 {
	out := sel[:0]
	for _, i := range sel {
		if v := int64(vals[i]); v >= lo && v <= hi {
			out = append(out, i)
		}
	}
	return out
}

// runtimeFilterText is the scan's EXPLAIN suffix naming the joins its filters come from:
// " runtime filter from HashJoin#1 on l_orderkey" (several: "filters from A, B").
func runtimeFilterText(fs []*RuntimeFilter) string {
	if len(fs) == 0 {
		return ""
	}
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	if len(fs) == 1 {
		return " runtime filter from " + parts[0]
	}
	return " runtime filters from " + strings.Join(parts, "; ")
}
