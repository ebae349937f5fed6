package dataframe

import (
	"context"
	endian "encoding/binary"
	"math"
	"sort"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/udf"
)

// Tree aggregation (Spark's RDD.treeAggregate) over dense numeric states: the distributed
// primitive of iterative training (package ml). Each partition folds its batches into a
// []float64 state of a fixed size; the partition states come back to the driver as one
// row each (a partition index and the state's bytes, so the same plan runs on worker
// processes) and are merged pairwise, level by level, in partition order. The merge order
// is fixed, so a sum of floating-point states is the same from run to run whatever order
// the tasks finished in.
//
// A TreeAggregator is built once and run many times (one run per optimizer iteration):
// its fold reads whatever the driver set between runs (the current coefficients) from
// variables it closes over, which the runs' happens-before edges make safe: a run's tasks
// start after Run is called and end before it returns.

// FoldFunc folds one input batch into a partition's state. The batch belongs to the
// caller (do not release it); state has the aggregator's size and starts as a copy of
// the initial state.
type FoldFunc func(pc *udf.PartitionContext, state []float64, b arrow.RecordBatch) error

// MergeFunc merges src into dst (states of the same size). nil means elementwise sum.
type MergeFunc func(dst, src []float64)

// TreeAggregator runs a fold over every partition of a DataFrame and merges the states.
// Run may be called any number of times, not concurrently; Close drops the registered
// fold.
type TreeAggregator struct {
	s      *Session
	fn     string
	df     *DataFrame
	init   []float64
	merge  MergeFunc
	mu     sync.Mutex
	closed bool
}

// treeAggSchema is the output of a TreeAggregator's MapPartitions step: one row per
// partition.
var treeAggSchema = arrow.NewSchema([]arrow.Field{
	{Name: "partition", Type: arrow.PrimitiveTypes.Int64},
	{Name: "state", Type: arrow.BinaryTypes.Binary},
}, nil)

// NewTreeAggregator prepares a tree aggregation of d: every partition's batches are
// folded with fold into a copy of init, and the partition states are merged with merge
// (nil: elementwise sum). An empty partition contributes init unchanged.
func (d *DataFrame) NewTreeAggregator(init []float64, fold FoldFunc, merge MergeFunc) (*TreeAggregator, error) {
	if d.err != nil {
		return nil, d.err
	}
	if fold == nil {
		return nil, errs.Planf("TreeAggregate needs a fold function")
	}
	if merge == nil {
		merge = SumStates
	}
	a := &TreeAggregator{s: d.s, fn: d.s.nextName(hiddenPrefix + "treeagg"), init: append([]float64(nil), init...), merge: merge}
	size := len(init)
	err := d.s.funcs.RegisterPartitionFunc(a.fn, func(pc *udf.PartitionContext, in udf.BatchReader, out udf.BatchWriter) error {
		state := append([]float64(nil), a.init...)
		for {
			b, err := in.Next()
			if err != nil {
				return err
			}
			if b == nil {
				break
			}
			if b.NumRows() == 0 {
				continue
			}
			if err := fold(pc, state, b); err != nil {
				return err
			}
			if len(state) != size {
				return errs.Internalf("a tree aggregation's fold changed its state's size from %d to %d", size, len(state))
			}
		}
		return writeState(pc, out, state)
	})
	if err != nil {
		return nil, err
	}
	a.df = d.mapPartitions(a.fn, treeAggSchema)
	if a.df.err != nil {
		d.s.funcs.DropPartitionFunc(a.fn)
		return nil, a.df.err
	}
	return a, nil
}

// writeState writes one partition's state as a one-row batch.
func writeState(pc *udf.PartitionContext, out udf.BatchWriter, state []float64) error {
	buf := make([]byte, 8*len(state))
	for i, v := range state {
		endian.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
	}
	pb := array.NewInt64Builder(pc.Mem)
	defer pb.Release()
	pb.Append(int64(pc.Partition))
	sb := array.NewBinaryBuilder(pc.Mem, arrow.BinaryTypes.Binary)
	defer sb.Release()
	sb.Append(buf)
	p, s := pb.NewArray(), sb.NewArray()
	defer p.Release()
	defer s.Release()
	b := array.NewRecordBatch(treeAggSchema, []arrow.Array{p, s}, 1)
	defer b.Release()
	return out.Write(b)
}

// Run folds every partition and returns the merged state (a fresh slice).
func (a *TreeAggregator) Run(ctx context.Context) ([]float64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, errs.Planf("the tree aggregation was closed")
	}
	batches, err := a.df.Collect(ctx)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	type part struct {
		idx   int64
		state []float64
	}
	var parts []part
	for _, b := range batches {
		idx := b.Column(0).(*array.Int64)
		st := b.Column(1).(*array.Binary)
		for r := 0; r < int(b.NumRows()); r++ {
			raw := st.Value(r)
			if len(raw) != 8*len(a.init) {
				return nil, errs.Internalf("a tree aggregation's partition state has %d bytes, want %d", len(raw), 8*len(a.init))
			}
			v := make([]float64, len(a.init))
			for i := range v {
				v[i] = math.Float64frombits(endian.LittleEndian.Uint64(raw[8*i:]))
			}
			parts = append(parts, part{idx.Value(r), v})
		}
	}
	if len(parts) == 0 {
		return append([]float64(nil), a.init...), nil
	}
	sort.Slice(parts, func(i, j int) bool { return parts[i].idx < parts[j].idx })
	states := make([][]float64, len(parts))
	for i, p := range parts {
		states[i] = p.state
	}
	return mergeTree(states, a.merge), nil
}

// mergeTree merges states pairwise, level by level: (0,1), (2,3), ... then the results
// likewise, until one is left. It overwrites the states and returns the first.
func mergeTree(states [][]float64, merge MergeFunc) []float64 {
	for len(states) > 1 {
		next := states[:0:0]
		for i := 0; i < len(states); i += 2 {
			if i+1 < len(states) {
				merge(states[i], states[i+1])
			}
			next = append(next, states[i])
		}
		states = next
	}
	return states[0]
}

// Close unregisters the aggregation's fold; Run fails afterwards. Safe to call twice.
func (a *TreeAggregator) Close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.closed {
		a.closed = true
		a.s.funcs.DropPartitionFunc(a.fn)
	}
}

// TreeAggregate runs one tree aggregation of d (see NewTreeAggregator).
func (d *DataFrame) TreeAggregate(ctx context.Context, init []float64, fold FoldFunc, merge MergeFunc) ([]float64, error) {
	a, err := d.NewTreeAggregator(init, fold, merge)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	return a.Run(ctx)
}

// SumStates adds src into dst elementwise (the default MergeFunc).
func SumStates(dst, src []float64) {
	for i, v := range src {
		dst[i] += v
	}
}
