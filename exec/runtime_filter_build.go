package exec

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/exec/hashtable"
)

// RuntimeFilterBuildExec is the producer of a runtime filter (see runtime_filter.go): it
// sits on a hash join's build side just below the exchange and hands its child's batches on
// unchanged, while each partition collects the hashes of the key tuples of Filter's keys
// (rows with a NULL key left out) and each key's bounds. A partition that reaches the end
// of its input merges them into the filter; the last one makes the filter ready.
// Partitioning and order: its child's. Memory: 8 bytes of Go memory per build row until the
// filter is built (at most maxBloomKeys rows over all partitions), then the filter itself;
// it allocates no Arrow buffers.
type RuntimeFilterBuildExec struct {
	Child  Node
	Filter *RuntimeFilter
}

func (b *RuntimeFilterBuildExec) Schema() *arrow.Schema      { return b.Child.Schema() }
func (b *RuntimeFilterBuildExec) Children() []Node           { return []Node{b.Child} }
func (b *RuntimeFilterBuildExec) Partitioning() Partitioning { return b.Child.Partitioning() }

// String is "RuntimeFilterBuild: HashJoin#ID [build key names]".
func (b *RuntimeFilterBuildExec) String() string {
	names := make([]string, len(b.Filter.Keys))
	for i, k := range b.Filter.Keys {
		names[i] = b.Child.Schema().Field(k.Build).Name
	}
	return "RuntimeFilterBuild: HashJoin#" + strconv.Itoa(b.Filter.ID) + " [" + strings.Join(names, ", ") + "]"
}

func (b *RuntimeFilterBuildExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, b.Child, p)
	if err != nil {
		return nil, err
	}
	op := &runtimeFilterBuildOp{node: b, child: child, run: b.Filter.runFor(tc.query)}
	if op.run != nil {
		op.run.start()
		op.seen.keys = make([]keyStats, len(b.Filter.Keys))
	}
	return op, nil
}

type runtimeFilterBuildOp struct {
	node   *RuntimeFilterBuildExec
	child  Operator
	run    *filterRun // nil when another run owns the filter: pass batches on only
	seen   partialFilter
	hashes []uint64
	cols   []arrow.Array
	ended  bool
}

func (o *runtimeFilterBuildOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *runtimeFilterBuildOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	b, err := Next(tc, o.child)
	if err != nil || o.run == nil || o.ended {
		return b, err
	}
	if b == nil {
		o.ended = true
		o.run.end(o.node.Filter, &o.seen)
		o.seen = partialFilter{}
		return nil, nil
	}
	o.add(b)
	return b, nil
}

// add records the key tuples of a build batch.
func (o *runtimeFilterBuildOp) add(b arrow.RecordBatch) {
	n := int(b.NumRows())
	o.cols = o.cols[:0]
	nulls := false
	for i, k := range o.node.Filter.Keys {
		col := b.Column(k.Build)
		o.cols = append(o.cols, col)
		nulls = nulls || col.NullN() > 0
		o.seen.keys[i].widen(columnBounds(col))
	}
	collect := !o.run.overflow.Load()
	if collect && o.run.collected.Add(int64(n)) > maxBloomKeys {
		o.run.overflow.Store(true)
		collect = false
	}
	if !collect {
		o.seen.hashes = nil
	}
	if !nulls {
		o.seen.full += int64(n)
		if collect {
			o.seen.hashes = slices.Grow(o.seen.hashes, n)[:len(o.seen.hashes)+n]
			hashtable.HashColumns(o.cols, o.seen.hashes[len(o.seen.hashes)-n:])
		}
		return
	}
	if cap(o.hashes) < n {
		o.hashes = make([]uint64, n)
	}
	hs := o.hashes[:n]
	if collect {
		hashtable.HashColumns(o.cols, hs)
	}
rows:
	for i := range n {
		for _, c := range o.cols {
			if c.IsNull(i) {
				continue rows
			}
		}
		o.seen.full++
		if collect {
			o.seen.hashes = append(o.seen.hashes, hs[i])
		}
	}
}

// Close ends the partition without keys when it did not read all its rows (an error or a
// cancellation), so that no consumer waits for it or uses a partial filter.
func (o *runtimeFilterBuildOp) Close() error {
	if o.run != nil && !o.ended {
		o.ended = true
		o.run.end(o.node.Filter, nil)
	}
	return Close(o.child)
}

// keyStats holds the bounds of a build key column's non-NULL values, as planner.Literal
// values of its type; nil when unknown (no value yet, or a type without bounds here).
type keyStats struct {
	lo, hi any
}

// widen extends the bounds to [lo, hi] (both nil: nothing to add).
func (k *keyStats) widen(lo, hi any) {
	if lo == nil || hi == nil {
		return
	}
	if k.lo == nil || compareBound(lo, k.lo) < 0 {
		k.lo = lo
	}
	if k.hi == nil || compareBound(hi, k.hi) > 0 {
		k.hi = hi
	}
}

// compareBound compares two bounds of the same Go type (those columnBounds returns).
func compareBound(a, b any) int {
	switch x := a.(type) {
	case int64:
		return cmp.Compare(x, b.(int64))
	case arrow.Date32:
		return cmp.Compare(x, b.(arrow.Date32))
	case arrow.Timestamp:
		return cmp.Compare(x, b.(arrow.Timestamp))
	case decimal128.Num:
		return x.Cmp(b.(decimal128.Num))
	case string:
		return strings.Compare(x, b.(string))
	}
	return 0
}

// columnBounds returns the least and greatest non-NULL values of col as planner.Literal
// values (int64 for every integer width, arrow.Date32, arrow.Timestamp, decimal128.Num,
// string), or nils for other types or when every value is NULL. Strings are copied.
func columnBounds(col arrow.Array) (lo, hi any) {
	switch a := col.(type) {
	case *array.Int8:
		return intRange(a.Int8Values(), col)
	case *array.Int16:
		return intRange(a.Int16Values(), col)
	case *array.Int32:
		return intRange(a.Int32Values(), col)
	case *array.Int64:
		return intRange(a.Int64Values(), col)
	case *array.Date32:
		l, h, ok := orderedRange(a.Date32Values(), col)
		if ok {
			return l, h
		}
	case *array.Timestamp:
		l, h, ok := orderedRange(a.TimestampValues(), col)
		if ok {
			return l, h
		}
	case *array.Decimal128:
		var l, h decimal128.Num
		found := false
		for i := 0; i < a.Len(); i++ {
			if a.IsNull(i) {
				continue
			}
			v := a.Value(i)
			if !found || v.Less(l) {
				l = v
			}
			if !found || h.Less(v) {
				h = v
			}
			found = true
		}
		if found {
			return l, h
		}
	case *array.String:
		var l, h string
		found := false
		for i := 0; i < a.Len(); i++ {
			if a.IsNull(i) {
				continue
			}
			v := a.Value(i)
			if !found || v < l {
				l = v
			}
			if !found || v > h {
				h = v
			}
			found = true
		}
		if found {
			return strings.Clone(l), strings.Clone(h)
		}
	}
	return nil, nil
}

// intRange is orderedRange for integers, as int64 bounds.
func intRange[T int8 | int16 | int32 | int64](vals []T, col arrow.Array) (lo, hi any) {
	l, h, ok := orderedRange(vals, col)
	if !ok {
		return nil, nil
	}
	return int64(l), int64(h)
}

// orderedRange returns the least and greatest of the non-NULL values of col (vals are its
// values); ok is false when all are NULL.
func orderedRange[T cmp.Ordered](vals []T, col arrow.Array) (lo, hi T, ok bool) {
	nulls := col.NullN() > 0
	for i, v := range vals {
		if nulls && col.IsNull(i) {
			continue
		}
		if !ok {
			lo, hi, ok = v, v, true
			continue
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi, ok
}
