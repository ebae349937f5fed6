package exec

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

func init() { RegisterNodePlanner(planWindow) }

// WindowKey is a column the window operator sorts by.
type WindowKey struct {
	Col        int
	Desc       bool
	NullsFirst bool
}

// WindowBound is one compiled frame bound: Kind and the ROWS offset N as in
// planner.FrameBound; Value is the column of the per-row boundary value of a RANGE offset
// (-1 when there is none).
type WindowBound struct {
	Kind  planner.BoundKind
	N     int64
	Value int
}

// WindowFrameExec is a compiled frame. RangeKey is the column of the ORDER BY key in the
// type of the Values (RANGE with offsets), else -1.
type WindowFrameExec struct {
	Range      bool
	Start, End WindowBound
	RangeKey   int
}

// WindowFuncExec is one compiled window function: Agg (an aggregate over the frame) or a
// planner.Win* Name. Args are input column ordinals: an aggregate's arguments; the value of
// lag, lead, first_value, last_value and nth_value, then lag's and lead's default. N is
// ntile's bucket count, lag's and lead's offset or nth_value's n.
type WindowFuncExec struct {
	Name     string
	Agg      udf.AggregateFunction
	Args     []int
	ArgTypes []arrow.DataType
	N        int64
	Frame    WindowFrameExec
	Type     arrow.DataType
	OutName  string
}

// WindowExec computes window functions that share one PARTITION BY (column ordinals) and
// ORDER BY. Its child must hold every row of a SQL partition in one operator partition
// (the physical planner puts a hash exchange on the PARTITION BY columns under it, or a
// single exchange when there are none). Per operator partition it materializes its input,
// sorts a permutation by (partition keys, order keys) with the sort's comparators (stable;
// NULL keys group together, NULLs first under ASC unless the key says otherwise), gathers
// the rows in that order once, and computes every function over the whole sorted arrays:
// ranking functions from partition and peer-group boundaries, value functions as one
// gather, aggregates through the function's GroupAccumulator (see aggregateFrames for the
// complexity).
//
// Output: the first Keep child columns then one column per function, in sorted order (the
// input order is not preserved), in batches of at most tc.BatchSize rows sliced from one
// result batch. Memory: the partition's input and its sorted copy (the input is released
// after the gather), plus O(rows) for boundaries and the functions' results.
type WindowExec struct {
	Child       Node
	Keep        int
	PartitionBy []int
	OrderBy     []WindowKey
	Funcs       []WindowFuncExec
	schema      *arrow.Schema
}

// NewWindowExec builds the node: its schema is child's first keep fields then one nullable
// field per function.
func NewWindowExec(child Node, keep int, partitionBy []int, orderBy []WindowKey, funcs []WindowFuncExec) *WindowExec {
	fields := append([]arrow.Field(nil), child.Schema().Fields()[:keep]...)
	for _, f := range funcs {
		fields = append(fields, arrow.Field{Name: f.OutName, Type: f.Type, Nullable: true})
	}
	return &WindowExec{Child: child, Keep: keep, PartitionBy: partitionBy, OrderBy: orderBy, Funcs: funcs,
		schema: arrow.NewSchema(fields, nil)}
}

func (w *WindowExec) Schema() *arrow.Schema { return w.schema }
func (w *WindowExec) Children() []Node      { return []Node{w.Child} }

// Partitioning is the child's when it survives the dropped helper columns: a hash
// partitioning on kept columns, or a single partition; else rows are in N partitions.
func (w *WindowExec) Partitioning() Partitioning {
	p := w.Child.Partitioning()
	if p.Kind == HashPartitioning {
		for _, k := range p.Keys {
			if k >= w.Keep {
				return Partitioning{Kind: AnyPartitioning, N: p.N}
			}
		}
	}
	return p
}

func (w *WindowExec) String() string {
	in := w.Child.Schema()
	part := make([]string, len(w.PartitionBy))
	for i, c := range w.PartitionBy {
		part[i] = in.Field(c).Name
	}
	order := make([]string, len(w.OrderBy))
	for i, k := range w.OrderBy {
		order[i] = in.Field(k.Col).Name + map[bool]string{false: " ASC", true: " DESC"}[k.Desc] +
			map[bool]string{false: " NULLS LAST", true: " NULLS FIRST"}[k.NullsFirst]
	}
	funcs := make([]string, len(w.Funcs))
	for i, f := range w.Funcs {
		funcs[i] = f.OutName
	}
	return fmt.Sprintf("Window: partitionBy=[%s] orderBy=[%s] funcs=[%s]", strings.Join(part, ", "),
		strings.Join(order, ", "), strings.Join(funcs, ", "))
}

func (w *WindowExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, w.Child, p)
	if err != nil {
		return nil, err
	}
	return &windowOp{node: w, child: child}, nil
}

type windowOp struct {
	node  *WindowExec
	child Operator
	out   arrow.RecordBatch
	pos   int64
	done  bool
}

func (o *windowOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *windowOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if !o.done {
		o.done = true
		out, err := o.node.compute(tc, o.child)
		if err != nil {
			return nil, err
		}
		o.out = out
	}
	if o.out == nil || o.pos >= o.out.NumRows() {
		return nil, nil
	}
	end := min(o.pos+int64(tc.BatchSize), o.out.NumRows())
	b := o.out.NewSlice(o.pos, end)
	o.pos = end
	return b, nil
}

func (o *windowOp) Close() error {
	if o.out != nil {
		o.out.Release()
		o.out = nil
	}
	return Close(o.child)
}

// compute drains child and returns the whole output of the partition (nil for no rows).
func (w *WindowExec) compute(tc *TaskContext, child Operator) (arrow.RecordBatch, error) {
	all, err := drainConcat(tc, child, w.Child.Schema())
	if err != nil {
		return nil, err
	}
	n := int(all.NumRows())
	if n == 0 {
		all.Release()
		return nil, nil
	}
	sorted, err := w.sortRows(tc, all)
	all.Release()
	if err != nil {
		return nil, err
	}
	defer sorted.Release()
	lay, err := w.layout(sorted)
	if err != nil {
		return nil, err
	}
	cols := make([]arrow.Array, 0, w.Keep+len(w.Funcs))
	for i := range w.Keep {
		c := sorted.Column(i)
		c.Retain()
		cols = append(cols, c)
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i := range w.Funcs {
		r, err := w.eval(tc, &w.Funcs[i], sorted, lay)
		if err != nil {
			return nil, err
		}
		cols = append(cols, r)
	}
	return array.NewRecordBatch(w.schema, cols, int64(n)), nil
}

// sortRows returns the rows of all ordered by (partition keys ASC NULLS FIRST, order keys),
// a new batch owned by the caller (all itself, retained, when there are no keys).
func (w *WindowExec) sortRows(tc *TaskContext, all arrow.RecordBatch) (arrow.RecordBatch, error) {
	keys := make([]WindowKey, 0, len(w.PartitionBy)+len(w.OrderBy))
	for _, c := range w.PartitionBy {
		keys = append(keys, WindowKey{Col: c, NullsFirst: true})
	}
	keys = append(keys, w.OrderBy...)
	if len(keys) == 0 {
		all.Retain()
		return all, nil
	}
	cmps := make([]func(i, j int) int, len(keys))
	for i, k := range keys {
		c, err := rowComparator(all.Column(k.Col), k.Desc, k.NullsFirst)
		if err != nil {
			return nil, err
		}
		cmps[i] = c
	}
	perm := make([]int32, all.NumRows())
	for i := range perm {
		perm[i] = int32(i)
	}
	slices.SortStableFunc(perm, func(a, b int32) int {
		for _, c := range cmps {
			if r := c(int(a), int(b)); r != 0 {
				return r
			}
		}
		return 0
	})
	return TakeRows(tc.Mem, all, perm)
}

// windowLayout describes the sorted rows: partition and peer-group boundaries. parts holds
// the first row of every partition and then n; peers the same for peer groups (rows of one
// partition with equal ORDER BY keys; without ORDER BY a partition is one peer group).
// partOf and peerOf map a row to its partition and peer group.
type windowLayout struct {
	n      int
	parts  []int
	peers  []int
	partOf []int32
	peerOf []int32
}

func (w *WindowExec) layout(b arrow.RecordBatch) (*windowLayout, error) {
	n := int(b.NumRows())
	diff := func(cols []int) ([]bool, error) {
		d := make([]bool, n) // d[i]: row i differs from row i-1
		if n > 0 {
			d[0] = true
		}
		for _, c := range cols {
			eq, err := rowComparator(b.Column(c), false, true)
			if err != nil {
				return nil, err
			}
			for i := 1; i < n; i++ {
				if !d[i] && eq(i-1, i) != 0 {
					d[i] = true
				}
			}
		}
		return d, nil
	}
	pd, err := diff(w.PartitionBy)
	if err != nil {
		return nil, err
	}
	ocols := make([]int, len(w.OrderBy))
	for i, k := range w.OrderBy {
		ocols[i] = k.Col
	}
	od, err := diff(ocols)
	if err != nil {
		return nil, err
	}
	l := &windowLayout{n: n, partOf: make([]int32, n), peerOf: make([]int32, n)}
	for i := range n {
		if pd[i] {
			l.parts = append(l.parts, i)
		}
		if pd[i] || od[i] {
			l.peers = append(l.peers, i)
		}
		l.partOf[i] = int32(len(l.parts) - 1)
		l.peerOf[i] = int32(len(l.peers) - 1)
	}
	l.parts = append(l.parts, n)
	l.peers = append(l.peers, n)
	return l, nil
}

// eval computes one function over the sorted rows; the result (n rows, sorted order) is
// owned by the caller.
func (w *WindowExec) eval(tc *TaskContext, f *WindowFuncExec, b arrow.RecordBatch, l *windowLayout) (arrow.Array, error) {
	n := l.n
	if f.Agg != nil {
		fs, fe, err := w.frames(f.Frame, b, l)
		if err != nil {
			return nil, err
		}
		return aggregateFrames(tc.Mem, f, b, l, fs, fe)
	}
	switch f.Name {
	case planner.WinRowNumber, planner.WinRank, planner.WinDenseRank, planner.WinNtile:
		out := make([]int64, n)
		l.ranking(f.Name, f.N, out)
		return int64Array(tc.Mem, out), nil
	case planner.WinPercentRank, planner.WinCumeDist:
		out := make([]float64, n)
		l.distribution(f.Name, out)
		bld := array.NewFloat64Builder(tc.Mem)
		defer bld.Release()
		bld.AppendValues(out, nil)
		return bld.NewArray(), nil
	case planner.WinLag, planner.WinLead:
		return l.shift(tc.Mem, f, b)
	case planner.WinFirstValue, planner.WinLastValue, planner.WinNthValue:
	default:
		return nil, errs.Internalf("unknown window function %q", f.Name)
	}
	fs, fe, err := w.frames(f.Frame, b, l)
	if err != nil {
		return nil, err
	}
	// The row to take: the frame's first, last or n-th; NULL when the frame has no such row.
	idx := make([]int32, n)
	valid := make([]bool, n)
	switch f.Name {
	case planner.WinFirstValue:
		for i := range n {
			if fs[i] < fe[i] {
				idx[i], valid[i] = int32(fs[i]), true
			}
		}
	case planner.WinLastValue:
		for i := range n {
			if fs[i] < fe[i] {
				idx[i], valid[i] = int32(fe[i]-1), true
			}
		}
	default:
		k := int(min(f.N-1, int64(n)))
		for i := range n {
			if k < fe[i]-fs[i] {
				idx[i], valid[i] = int32(fs[i]+k), true
			}
		}
	}
	return gather(tc.Mem, b.Column(f.Args[0]), idx, valid)
}

func int64Array(mem memory.Allocator, vals []int64) arrow.Array {
	bld := array.NewInt64Builder(mem)
	defer bld.Release()
	bld.AppendValues(vals, nil)
	return bld.NewArray()
}

// gather returns values[idx[i]], NULL where !valid[i].
func gather(mem memory.Allocator, values arrow.Array, idx []int32, valid []bool) (arrow.Array, error) {
	bld := array.NewInt32Builder(mem)
	bld.AppendValues(idx, valid)
	ia := bld.NewArray()
	bld.Release()
	defer ia.Release()
	return TakeByArray(mem, values, ia)
}

// ranking fills row_number, rank, dense_rank or ntile(buckets) from the boundaries, one
// pass over the rows.
func (l *windowLayout) ranking(name string, buckets int64, out []int64) {
	for p := 0; p+1 < len(l.parts); p++ {
		ps, pe := l.parts[p], l.parts[p+1]
		switch name {
		case planner.WinRowNumber:
			for i := ps; i < pe; i++ {
				out[i] = int64(i - ps + 1)
			}
		case planner.WinRank:
			for i := ps; i < pe; i++ {
				out[i] = int64(l.peers[l.peerOf[i]] - ps + 1)
			}
		case planner.WinDenseRank:
			first := l.peerOf[ps]
			for i := ps; i < pe; i++ {
				out[i] = int64(l.peerOf[i]-first) + 1
			}
		case planner.WinNtile:
			// The first size % buckets buckets hold one row more than the others.
			size := int64(pe - ps)
			q, r := size/buckets, size%buckets
			big := r * (q + 1) // rows in the larger buckets
			for i := ps; i < pe; i++ {
				k := int64(i - ps)
				if k < big {
					out[i] = k/(q+1) + 1
				} else {
					out[i] = r + (k-big)/q + 1
				}
			}
		}
	}
}

// distribution fills percent_rank ((rank - 1) / (rows - 1), 0 for a one-row partition) or
// cume_dist (rows up to the last peer / rows).
func (l *windowLayout) distribution(name string, out []float64) {
	for p := 0; p+1 < len(l.parts); p++ {
		ps, pe := l.parts[p], l.parts[p+1]
		size := float64(pe - ps)
		for i := ps; i < pe; i++ {
			g := l.peerOf[i]
			if name == planner.WinCumeDist {
				out[i] = float64(l.peers[g+1]-ps) / size
			} else if pe-ps > 1 {
				out[i] = float64(l.peers[g]-ps) / (size - 1)
			}
		}
	}
}

// shift computes lag (offset rows back) or lead (forward) within the partition; past the
// partition's edge the row's default (Args[1]) is taken.
func (l *windowLayout) shift(mem memory.Allocator, f *WindowFuncExec, b arrow.RecordBatch) (arrow.Array, error) {
	n := l.n
	vals, def := b.Column(f.Args[0]), b.Column(f.Args[1])
	noDefault := def.NullN() == def.Len()
	idx := make([]int32, n)
	valid := make([]bool, n)
	off := f.N
	for i := range n {
		p := l.partOf[i]
		ps, pe := int64(l.parts[p]), int64(l.parts[p+1])
		j := int64(i) - off
		if f.Name == planner.WinLead {
			j = int64(i) + min(off, int64(n))
		}
		switch {
		case j >= ps && j < pe:
			idx[i], valid[i] = int32(j), true
		case !noDefault:
			idx[i], valid[i] = int32(n+i), true // the default of row i, in [values; defaults]
		}
	}
	if noDefault {
		return gather(mem, vals, idx, valid)
	}
	both, err := array.Concatenate([]arrow.Array{vals, def}, mem)
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "concatenate")
	}
	defer both.Release()
	return gather(mem, both, idx, valid)
}

// frames returns each row's frame as the half-open range [fs[i], fe[i]) of sorted rows
// (fs == fe for an empty frame). ROWS bounds are offsets clipped to the partition; RANGE
// CURRENT ROW is the peer group's edge; RANGE offsets binary-search the key among the
// partition's non-NULL keys, and a row whose key is NULL has its NULL peers as the offset
// bounds. O(n) for ROWS, O(n log n) for RANGE offsets.
func (w *WindowExec) frames(fr WindowFrameExec, b arrow.RecordBatch, l *windowLayout) (fs, fe []int, err error) {
	var search func(i int, bound WindowBound, end bool) int
	if fr.RangeKey >= 0 {
		if search, err = w.rangeSearch(fr, b, l); err != nil {
			return nil, nil, err
		}
	}
	fs, fe = l.boundRows(fr, fr.Start, false, search), l.boundRows(fr, fr.End, true, search)
	for i := range fe {
		fe[i] = max(fs[i], fe[i])
	}
	return fs, fe, nil
}

// boundRows returns, per row, the sorted row where bound bd puts the frame's start (or its
// exclusive end), one loop per bound kind.
func (l *windowLayout) boundRows(fr WindowFrameExec, bd WindowBound, end bool, search func(int, WindowBound, bool) int) []int {
	n := l.n
	out := make([]int, n)
	edge := 0 // 0: the first row of the row's partition or peer group; 1: one past its last
	if end {
		edge = 1
	}
	switch {
	case bd.Kind == planner.UnboundedPreceding:
		for i := range n {
			out[i] = l.parts[l.partOf[i]]
		}
	case bd.Kind == planner.UnboundedFollowing:
		for i := range n {
			out[i] = l.parts[l.partOf[i]+1]
		}
	case fr.Range && bd.Kind == planner.CurrentRow:
		for i := range n {
			out[i] = l.peers[int(l.peerOf[i])+edge]
		}
	case fr.Range:
		for i := range n {
			out[i] = search(i, bd, end)
		}
	default:
		// ROWS: the bound row is i - N, i or i + N (one past it for an end), clipped to the
		// partition; the offsets are clamped before adding so that no sum overflows.
		for i := range n {
			p := l.partOf[i]
			ps, pe := l.parts[p], l.parts[p+1]
			r := i
			switch bd.Kind {
			case planner.Preceding:
				r = i - int(min(bd.N, int64(i-ps)+1))
			case planner.Following:
				r = i + int(min(bd.N, int64(pe-i)))
			}
			out[i] = max(ps, min(r+edge, pe))
		}
	}
	return out
}

// rangeSearch returns the search of RANGE offset bounds: for row i, the first row of its
// partition's non-NULL keys that is not before the bound value (a start), or that is after
// it (an end), in the key's direction.
func (w *WindowExec) rangeSearch(fr WindowFrameExec, b arrow.RecordBatch, l *windowLayout) (func(i int, bound WindowBound, end bool) int, error) {
	key := b.Column(fr.RangeKey)
	desc, nullsFirst := w.OrderBy[0].Desc, w.OrderBy[0].NullsFirst
	// Each partition's non-NULL keys: [nn[2p], nn[2p+1]).
	nn := make([]int, 0, 2*(len(l.parts)-1))
	for p := 0; p+1 < len(l.parts); p++ {
		ps, pe := l.parts[p], l.parts[p+1]
		nulls := 0
		if key.NullN() > 0 {
			for i := ps; i < pe; i++ {
				if key.IsNull(i) {
					nulls++
				}
			}
		}
		if nullsFirst {
			nn = append(nn, ps+nulls, pe)
		} else {
			nn = append(nn, ps, pe-nulls)
		}
	}
	cmps := map[int]func(j, i int) int{}
	for _, bd := range []WindowBound{fr.Start, fr.End} {
		if bd.Value < 0 {
			continue
		}
		c, err := keyValueComparator(key, b.Column(bd.Value))
		if err != nil {
			return nil, err
		}
		cmps[bd.Value] = c
	}
	return func(i int, bd WindowBound, end bool) int {
		if key.IsNull(i) || b.Column(bd.Value).IsNull(i) {
			g := l.peerOf[i]
			if end {
				return l.peers[g+1]
			}
			return l.peers[g]
		}
		p := l.partOf[i]
		lo, hi := nn[2*p], nn[2*p+1]
		c := cmps[bd.Value]
		return lo + sort.Search(hi-lo, func(t int) bool {
			r := c(lo+t, i)
			if desc {
				r = -r
			}
			if end {
				return r > 0
			}
			return r >= 0
		})
	}, nil
}

// keyValueComparator compares key[j] with value[i] (arrays of one type): negative when the
// key is smaller.
func keyValueComparator(key, value arrow.Array) (func(j, i int) int, error) {
	if !arrow.TypeEqual(key.DataType(), value.DataType()) {
		return nil, errs.Internalf("RANGE key %s and bound %s differ in type", key.DataType(), value.DataType())
	}
	switch k := key.(type) {
	case *array.Int64:
		return valueCmp(k.Int64Values(), value.(*array.Int64).Int64Values()), nil
	case *array.Float64:
		return valueCmp(k.Float64Values(), value.(*array.Float64).Float64Values()), nil
	case *array.Date32:
		return valueCmp(k.Date32Values(), value.(*array.Date32).Date32Values()), nil
	case *array.Timestamp:
		return valueCmp(k.TimestampValues(), value.(*array.Timestamp).TimestampValues()), nil
	case *array.Decimal128:
		kv, vv := k.Values(), value.(*array.Decimal128).Values()
		return func(j, i int) int { return kv[j].Cmp(vv[i]) }, nil
	}
	return nil, errs.NotImplementedf("RANGE frame offsets over %s", key.DataType())
}

func valueCmp[T cmp.Ordered](k, v []T) func(j, i int) int {
	return func(j, i int) int { return cmp.Compare(k[j], v[i]) }
}

// aggregateFrames computes an aggregate over every row's frame [fs[i], fe[i]) using only
// the GroupAccumulator interface, so every registered aggregate works:
//
//   - Rows with the same frame as the row before share one evaluation (a frame index per row;
//     RANGE peers and whole-partition frames collapse this way).
//   - When the distinct frames tile the rows (whole partitions, peer groups), one Update with
//     the frame index as group computes them all: O(n).
//   - Otherwise a segment tree of partial states: level 0 is each row's state (Update with
//     group = row), level k+1 merges pairs of level-k nodes (Merge), built only up to the
//     widest frame and never across a partition edge. Each frame is the union of at most two
//     nodes per level, which are merged into the frame's group of one final accumulator
//     (one Take and one Merge per level). Building and querying cost O(n log w) merged
//     states for n rows and frames of at most w rows; memory O(n) states.
//
// Merging follows the tree, not row order, so an aggregate must not depend on the order of
// its inputs (as two-phase aggregation already assumes).
func aggregateFrames(mem memory.Allocator, f *WindowFuncExec, b arrow.RecordBatch, l *windowLayout, fs, fe []int) (arrow.Array, error) {
	n := l.n
	args := make([]arrow.Array, len(f.Args))
	for i, c := range f.Args {
		args[i] = b.Column(c)
	}
	// Distinct frames, in row order.
	frameOf := make([]uint32, n)
	var qs, qe []int
	tiles := true
	for i := range n {
		if len(qs) == 0 || fs[i] != qs[len(qs)-1] || fe[i] != qe[len(qe)-1] {
			if len(qs) > 0 && fs[i] != qe[len(qe)-1] || len(qs) == 0 && fs[i] != 0 {
				tiles = false
			}
			qs, qe = append(qs, fs[i]), append(qe, fe[i])
		}
		frameOf[i] = uint32(len(qs) - 1)
		if i < fs[i] || i >= fe[i] {
			tiles = false
		}
	}
	nq := len(qs)
	final, err := f.Agg.NewAccumulator(f.ArgTypes, mem)
	if err != nil {
		return nil, err
	}
	defer final.Release()
	if tiles {
		if err := final.Update(args, frameOf, nq); err != nil {
			return nil, err
		}
	} else if err := mergeFrames(mem, f, args, l, qs, qe, final); err != nil {
		return nil, err
	}
	res, err := final.Final(nq)
	if err != nil {
		return nil, err
	}
	if nq == n {
		return res, nil // one frame per row, in row order
	}
	defer res.Release()
	idx := make([]int32, n)
	for i, q := range frameOf {
		idx[i] = int32(q)
	}
	return TakeArray(mem, res, idx)
}

// mergeFrames merges the state of every frame [qs[k], qe[k]) into group k of final through
// a segment tree (see aggregateFrames).
func mergeFrames(mem memory.Allocator, f *WindowFuncExec, args []arrow.Array, l *windowLayout, qs, qe []int, final udf.GroupAccumulator) error {
	n := l.n
	widest := 0
	for k := range qs {
		widest = max(widest, qe[k]-qs[k])
	}
	var levels [][]arrow.Array
	defer func() {
		for _, lv := range levels {
			releaseArrays(lv)
		}
	}()
	ids := make([]uint32, n)
	for i := range ids {
		ids[i] = uint32(i)
	}
	st, err := accumulate(mem, f, n, func(acc udf.GroupAccumulator) error { return acc.Update(args, ids, n) })
	if err != nil {
		return err
	}
	levels = append(levels, st)
	for k, m := 1, n; 1<<k <= widest; k, m = k+1, (m+1)/2 {
		prev := levels[k-1]
		parents := (m + 1) / 2
		idx, grp := make([]int32, 0, m), make([]uint32, 0, m)
		for j := range m {
			p := j / 2
			lo, hi := p<<k, min((p+1)<<k, n)-1
			if l.partOf[lo] == l.partOf[hi] {
				idx, grp = append(idx, int32(j)), append(grp, uint32(p))
			}
		}
		st, err := accumulate(mem, f, parents, func(acc udf.GroupAccumulator) error {
			if len(idx) == 0 {
				return nil
			}
			states, err := takeAll(mem, prev, idx)
			if err != nil {
				return err
			}
			defer releaseArrays(states)
			return acc.Merge(states, grp, parents)
		})
		if err != nil {
			return err
		}
		levels = append(levels, st)
	}
	// Decompose each frame into nodes, bottom-up (a first pass counts the nodes per level,
	// the second fills them), and merge them level by level.
	decompose := func(visit func(k, node, q int)) {
		for q := range qs {
			lo, hi := qs[q], qe[q]
			for k := 0; lo < hi; k++ {
				if lo&1 == 1 {
					visit(k, lo, q)
					lo++
				}
				if hi&1 == 1 {
					hi--
					visit(k, hi, q)
				}
				lo, hi = lo>>1, hi>>1
			}
		}
	}
	counts := make([]int, len(levels))
	decompose(func(k, _, _ int) { counts[k]++ })
	nodes := make([][]int32, len(levels))
	groups := make([][]uint32, len(levels))
	for k, c := range counts {
		nodes[k], groups[k] = make([]int32, 0, c), make([]uint32, 0, c)
	}
	decompose(func(k, node, q int) {
		nodes[k], groups[k] = append(nodes[k], int32(node)), append(groups[k], uint32(q))
	})
	for k, lv := range levels {
		if len(nodes[k]) == 0 {
			continue
		}
		states, err := takeAll(mem, lv, nodes[k])
		if err != nil {
			return err
		}
		err = final.Merge(states, groups[k], len(qs))
		releaseArrays(states)
		if err != nil {
			return err
		}
	}
	return nil
}

// accumulate runs fill on a fresh accumulator and returns its partial state of numGroups
// groups (owned by the caller).
func accumulate(mem memory.Allocator, f *WindowFuncExec, numGroups int, fill func(udf.GroupAccumulator) error) ([]arrow.Array, error) {
	acc, err := f.Agg.NewAccumulator(f.ArgTypes, mem)
	if err != nil {
		return nil, err
	}
	defer acc.Release()
	if err := fill(acc); err != nil {
		return nil, err
	}
	return acc.State(numGroups)
}

func takeAll(mem memory.Allocator, cols []arrow.Array, idx []int32) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(cols))
	for i, c := range cols {
		t, err := TakeArray(mem, c, idx)
		if err != nil {
			releaseArrays(out[:i])
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

func releaseArrays(as []arrow.Array) {
	for _, a := range as {
		if a != nil {
			a.Release()
		}
	}
}

// planWindow plans a logical Window: key, argument and bound expressions that are not plain
// input columns are appended as columns by a projection; then a hash exchange on the
// PARTITION BY columns (a single one without PARTITION BY) unless the input is already so
// partitioned, then the WindowExec, whose output drops the appended columns.
func planWindow(pp *PhysicalPlanner, w *planner.Window) (Node, error) {
	child, err := pp.PlanChild(w.Input)
	if err != nil {
		return nil, err
	}
	in := w.Input.Schema()
	var exprs []planner.Expr
	add := func(e planner.Expr) int {
		exprs = append(exprs, e)
		return len(exprs) - 1
	}
	part := make([]int, len(w.PartitionBy))
	for i, e := range w.PartitionBy {
		part[i] = add(e)
	}
	order := make([]WindowKey, len(w.OrderBy))
	for i, k := range w.OrderBy {
		order[i] = WindowKey{Col: add(k.Expr), Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	funcs := make([]WindowFuncExec, len(w.Funcs))
	for i, c := range w.Funcs {
		f := WindowFuncExec{Name: c.Name, Agg: c.Agg, Type: c.Typ, OutName: w.Out[i].Name}
		args := c.Args
		switch c.Name {
		case planner.WinNtile:
			f.N, _ = planner.WindowConstArg(args[0])
			args = nil
		case planner.WinLag, planner.WinLead:
			f.N, _ = planner.WindowConstArg(args[1])
			args = []planner.Expr{args[0], args[2]}
		case planner.WinNthValue:
			f.N, _ = planner.WindowConstArg(args[1])
			args = args[:1]
		}
		for _, a := range args {
			f.Args = append(f.Args, add(a))
			f.ArgTypes = append(f.ArgTypes, a.Type())
		}
		fr := c.Frame
		f.Frame = WindowFrameExec{Range: fr.Unit == planner.FrameRange, RangeKey: -1,
			Start: WindowBound{Kind: fr.Start.Kind, N: fr.Start.N, Value: -1},
			End:   WindowBound{Kind: fr.End.Kind, N: fr.End.N, Value: -1}}
		if fr.RangeKey != nil {
			f.Frame.RangeKey = add(fr.RangeKey)
		}
		if fr.Start.Value != nil {
			f.Frame.Start.Value = add(fr.Start.Value)
		}
		if fr.End.Value != nil {
			f.Frame.End.Value = add(fr.End.Value)
		}
		funcs[i] = f
	}
	node, idx, err := keyColumns(child, in, exprs)
	if err != nil {
		return nil, err
	}
	for i := range part {
		part[i] = idx[part[i]]
	}
	for i := range order {
		order[i].Col = idx[order[i].Col]
	}
	for i := range funcs {
		f := &funcs[i]
		for j := range f.Args {
			f.Args[j] = idx[f.Args[j]]
		}
		for _, c := range []*int{&f.Frame.RangeKey, &f.Frame.Start.Value, &f.Frame.End.Value} {
			if *c >= 0 {
				*c = idx[*c]
			}
		}
	}
	cur := node.Partitioning()
	switch {
	case len(part) == 0:
		if cur.N > 1 {
			node = NewExchange(node, Partitioning{Kind: SinglePartition, N: 1})
		}
	case cur.Kind == HashPartitioning && slices.Equal(cur.Keys, part):
	case cur.N > 1 || pp.Partitions > 1:
		node = NewExchange(node, Partitioning{Kind: HashPartitioning, N: pp.Partitions, Keys: part})
	}
	return NewWindowExec(node, len(in), part, order, funcs), nil
}
