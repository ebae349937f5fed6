package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/hashtable"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// AggMode is the phase of a hash aggregate.
type AggMode int

const (
	// AggPartial folds raw rows into per-group partial states (before an exchange).
	AggPartial AggMode = iota
	// AggFinal merges partial states and produces results (after the exchange).
	AggFinal
	// AggSingle folds raw rows and produces results in one phase (used for DISTINCT
	// aggregates, whose input is already hash-partitioned by the group keys).
	AggSingle
)

func (m AggMode) String() string {
	return [...]string{"partial", "final", "single"}[m]
}

// AggSpec is one aggregate of a HashAggregateExec. Args are input column ordinals (the
// physical planner projects argument expressions into columns first). With an ORDER BY
// inside the call, the last len(Order) of Args (and ArgTypes) are the order keys and Fn is
// a udf.OrderedAggregateFunction. In AggFinal mode the input holds the partial state
// columns instead, and StateCols are their ordinals.
type AggSpec struct {
	Fn        udf.AggregateFunction
	Args      []int
	ArgTypes  []arrow.DataType
	Order     []udf.SortOrder
	Distinct  bool
	StateCols []int
	Name      string
}

// aggOrder returns the directions of the ORDER BY keys inside an aggregate call (nil for
// none).
func aggOrder(keys []planner.SortKey) []udf.SortOrder {
	var out []udf.SortOrder
	for _, k := range keys {
		out = append(out, udf.SortOrder{Desc: k.Desc, NullsFirst: k.NullsFirst})
	}
	return out
}

// newAccumulator returns the spec's accumulator, ordered when the call has an ORDER BY.
func (a *AggSpec) newAccumulator(tc *TaskContext) (udf.GroupAccumulator, error) {
	if len(a.Order) == 0 {
		return a.Fn.NewAccumulator(a.ArgTypes, tc.Mem)
	}
	of, ok := a.Fn.(udf.OrderedAggregateFunction)
	n := len(a.ArgTypes) - len(a.Order)
	if !ok || n < 0 {
		return nil, errs.Internalf("aggregate %s: ORDER BY with a function that does not take one", a.Name)
	}
	return of.NewOrderedAccumulator(a.ArgTypes[:n], a.ArgTypes[n:], a.Order, tc.Mem)
}

// stateTypes returns the spec's partial state types (of the value arguments only).
func (a *AggSpec) stateTypes() ([]arrow.DataType, error) {
	return a.Fn.StateTypes(a.ArgTypes[:len(a.ArgTypes)-len(a.Order)])
}

// HashAggregateExec groups rows by the key columns Keys (input ordinals) and folds every
// aggregate per group. Partitioning: in AggPartial as the child's; in AggFinal/AggSingle the
// child must be hash-partitioned by the keys (or single), and so is the output. It holds all
// groups of its partition in memory (a GroupMap plus one accumulator per aggregate) and
// produces its output only after its input ends; with no keys it always produces exactly
// one row per partition (the final one: one row overall, also for empty input).
//
// Output columns: the keys, then per aggregate either its partial state columns (AggPartial)
// or its result (AggFinal, AggSingle).
type HashAggregateExec struct {
	Child  Node
	Keys   []int
	Aggs   []AggSpec
	Mode   AggMode
	schema *arrow.Schema
}

// NewHashAggregateExec builds the node; schema is its output schema.
func NewHashAggregateExec(child Node, keys []int, aggs []AggSpec, mode AggMode, schema *arrow.Schema) *HashAggregateExec {
	return &HashAggregateExec{Child: child, Keys: keys, Aggs: aggs, Mode: mode, schema: schema}
}

func (h *HashAggregateExec) Schema() *arrow.Schema { return h.schema }
func (h *HashAggregateExec) Children() []Node      { return []Node{h.Child} }
func (h *HashAggregateExec) Partitioning() Partitioning {
	p := h.Child.Partitioning()
	if h.Mode == AggPartial {
		return Partitioning{Kind: AnyPartitioning, N: p.N}
	}
	if p.Kind == HashPartitioning {
		keys := make([]int, len(h.Keys))
		for i := range keys {
			keys[i] = i
		}
		return Partitioning{Kind: HashPartitioning, N: p.N, Keys: keys}
	}
	return p
}
func (h *HashAggregateExec) String() string {
	in := h.Child.Schema()
	keys := make([]string, len(h.Keys))
	for i, k := range h.Keys {
		keys[i] = in.Field(k).Name
	}
	aggs := make([]string, len(h.Aggs))
	for i, a := range h.Aggs {
		aggs[i] = a.Name
	}
	return fmt.Sprintf("HashAggregate(%s): keys=[%s] aggs=[%s]", h.Mode, strings.Join(keys, ", "), strings.Join(aggs, ", "))
}

func (h *HashAggregateExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, h.Child, p)
	if err != nil {
		return nil, err
	}
	return &hashAggOp{node: h, child: child}, nil
}

type hashAggOp struct {
	node     *HashAggregateExec
	child    Operator
	groups   *hashtable.GroupMap
	accs     []udf.GroupAccumulator
	distinct []*hashtable.GroupMap // per aggregate, nil unless Distinct
	out      arrow.RecordBatch
	pos      int64
	done     bool
	ids      []uint32

	// Adaptive partial aggregation (AggPartial with keys only): rowsIn counts input rows
	// until the probe; passThrough means the grouped rows so far have been handed to out
	// and every later batch leaves as per-row partial states (see passBatch).
	canPass     bool
	probed      bool
	passThrough bool
	rowsIn      int64
	// Flushing a clustered partial aggregate (see maybeFlush): keyTypes rebuild the group
	// map, runRows counts rows whose group equals the previous row's, totalRows all rows,
	// flushed the groups already emitted.
	keyTypes  []arrow.DataType
	runRows   int64
	totalRows int64
	flushed   int
}

// A partial aggregate that barely reduces its input costs a hash table as big as the
// input and saves the exchange and the final aggregate nothing, so it stops grouping (as
// DataFusion's skip_partial_aggregation and DuckDB's partial-aggregate bounding do): after
// partialProbeRows input rows, if more than partialPassRatio of them were distinct groups,
// the groups so far are emitted and every later row passes through as its own partial
// state. The final aggregate merges partial states, so results are unchanged. The probe
// is late and strict enough that a key with a few hundred thousand random values over
// millions of rows (TPC-H Q17's l_partkey: ratio about 0.63 at 200k rows, final
// reduction about 15) keeps grouping.
//
// A partial aggregate whose input arrives clustered by the key (lineitem sorted by
// l_orderkey: each key in one run of rows) reduces its input within runs, never across
// them, so holding every group until the end only grows a table far past the caches (a
// cache miss per key and per re-placement when growing). When at least half the rows so
// far continued their previous row's group and the table holds partialFlushGroups groups,
// maybeFlush emits the groups and starts an empty table. Exact either way: the final
// aggregate merges the partial states of a key flushed more than once.
const (
	partialProbeRows   = 200_000
	partialPassRatio   = 0.8
	partialFlushGroups = 1 << 16
)

func (o *hashAggOp) Open(tc *TaskContext) error {
	in := o.node.Child.Schema()
	o.canPass = o.node.Mode == AggPartial && len(o.node.Keys) > 0
	if len(o.node.Keys) > 0 {
		kt := make([]arrow.DataType, len(o.node.Keys))
		for i, k := range o.node.Keys {
			kt[i] = in.Field(k).Type
		}
		o.groups = hashtable.NewGroupMap(kt, tc.Mem)
		o.keyTypes = kt
		for i, t := range kt {
			// Passed-through rows carry the input's key columns as the output's.
			if !arrow.TypeEqual(t, o.node.schema.Field(i).Type) {
				o.canPass = false
			}
		}
	}
	o.accs = make([]udf.GroupAccumulator, len(o.node.Aggs))
	o.distinct = make([]*hashtable.GroupMap, len(o.node.Aggs))
	for i, a := range o.node.Aggs {
		acc, err := a.newAccumulator(tc)
		if err != nil {
			return err
		}
		o.accs[i] = acc
		if a.Distinct {
			o.canPass = false
			kt := append([]arrow.DataType{arrow.PrimitiveTypes.Uint32}, a.ArgTypes...)
			o.distinct[i] = hashtable.NewGroupMap(kt, tc.Mem)
		}
	}
	if err := Open(tc, o.child); err != nil {
		return err
	}
	// A final aggregation over an exchange knows how many partial groups it will read:
	// room for them up front spares growing the table key by key (TPC-H Q18 merges
	// 750,000 groups per partition).
	if o.groups != nil && o.node.Mode == AggFinal {
		if n, ok := heldGroupsBound(o.child); ok {
			o.groups.Reserve(n)
		}
	}
	return nil
}

func (o *hashAggOp) numGroups() int {
	if o.groups == nil {
		return 1
	}
	return o.groups.Len()
}

func (o *hashAggOp) consume(tc *TaskContext, b arrow.RecordBatch) error {
	n := int(b.NumRows())
	if cap(o.ids) < n {
		o.ids = make([]uint32, n)
	}
	ids := o.ids[:n]
	if o.groups != nil {
		keys := make([]arrow.Array, len(o.node.Keys))
		for i, k := range o.node.Keys {
			keys[i] = b.Column(k)
		}
		if err := o.groups.Insert(keys, ids); err != nil {
			return err
		}
	} else {
		clear(ids)
	}
	ng := o.numGroups()
	for i, a := range o.node.Aggs {
		if o.node.Mode == AggFinal {
			states := make([]arrow.Array, len(a.StateCols))
			for j, c := range a.StateCols {
				states[j] = b.Column(c)
			}
			if err := o.accs[i].Merge(states, ids, ng); err != nil {
				return err
			}
			continue
		}
		args := make([]arrow.Array, len(a.Args))
		for j, c := range a.Args {
			args[j] = b.Column(c)
		}
		if o.distinct[i] != nil {
			if err := o.updateDistinct(tc, i, args, ids, ng); err != nil {
				return err
			}
			continue
		}
		if err := o.accs[i].Update(args, ids, ng); err != nil {
			return err
		}
	}
	return nil
}

// updateDistinct feeds aggregate i only the (group, args) pairs not seen before.
func (o *hashAggOp) updateDistinct(tc *TaskContext, i int, args []arrow.Array, ids []uint32, ng int) error {
	gb := array.NewUint32Builder(tc.Mem)
	gb.AppendValues(ids, nil)
	garr := gb.NewArray()
	gb.Release()
	defer garr.Release()
	dm := o.distinct[i]
	before := uint32(dm.Len())
	seen := make([]uint32, len(ids))
	if err := dm.Insert(append([]arrow.Array{garr}, args...), seen); err != nil {
		return err
	}
	var fresh []int32
	var freshIDs []uint32
	for r, s := range seen {
		if s >= before {
			// The first row that created this pair; later duplicates in the batch get the
			// same id, so keep only ids not yet taken.
			before = max(before, s+1)
			fresh = append(fresh, int32(r))
			freshIDs = append(freshIDs, ids[r])
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	sub := make([]arrow.Array, len(args))
	defer func() {
		for _, a := range sub {
			if a != nil {
				a.Release()
			}
		}
	}()
	for j, a := range args {
		t, err := TakeArray(tc.Mem, a, fresh)
		if err != nil {
			return err
		}
		sub[j] = t
	}
	return o.accs[i].Update(sub, freshIDs, ng)
}

func (o *hashAggOp) finish(tc *TaskContext) error {
	ng := o.numGroups()
	var cols []arrow.Array
	release := func() {
		for _, c := range cols {
			c.Release()
		}
	}
	if o.groups != nil {
		keys, err := o.groups.Keys()
		if err != nil {
			return err
		}
		cols = append(cols, keys...)
	}
	for _, acc := range o.accs {
		if o.node.Mode == AggPartial {
			st, err := acc.State(ng)
			if err != nil {
				release()
				return err
			}
			cols = append(cols, st...)
		} else {
			f, err := acc.Final(ng)
			if err != nil {
				release()
				return err
			}
			cols = append(cols, f)
		}
	}
	o.out = array.NewRecordBatch(o.node.schema, cols, int64(ng))
	o.pos = 0
	release()
	return nil
}

func (o *hashAggOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		if o.out != nil {
			if o.pos < o.out.NumRows() {
				end := min(o.pos+int64(tc.BatchSize), o.out.NumRows())
				b := o.out.NewSlice(o.pos, end)
				o.pos = end
				return b, nil
			}
			if !o.done {
				// Groups emitted before the input ended (a switch to pass-through or a
				// flush) are out; drop them.
				o.out.Release()
				o.out = nil
			}
		}
		if o.done {
			return nil, nil
		}
		b, err := Next(tc, o.child)
		if err != nil {
			return nil, err
		}
		if b == nil {
			o.done = true
			if !o.passThrough {
				if err := o.finish(tc); err != nil {
					return nil, err
				}
			}
			continue
		}
		if o.passThrough {
			out, err := o.passBatch(tc, b)
			b.Release()
			if err != nil || out.NumRows() > 0 {
				return out, err
			}
			out.Release()
			continue
		}
		n := b.NumRows()
		err = o.consume(tc, b)
		b.Release()
		if err != nil {
			return nil, err
		}
		if err := o.probe(tc, n); err != nil {
			return nil, err
		}
		if err := o.maybeFlush(tc, int(n)); err != nil {
			return nil, err
		}
	}
}

// probe counts n more input rows and, once partialProbeRows have been grouped, decides
// whether this partial aggregate passes rows through from now on. On the switch it moves
// the groups so far into out (emitted before any passed-through batch) and drops the
// group map and accumulators.
func (o *hashAggOp) probe(tc *TaskContext, n int64) error {
	if !o.canPass || o.probed {
		return nil
	}
	o.rowsIn += n
	if o.rowsIn < partialProbeRows {
		return nil
	}
	o.probed = true
	if float64(o.flushed+o.groups.Len()) <= partialPassRatio*float64(o.rowsIn) {
		return nil
	}
	if err := o.finish(tc); err != nil {
		return err
	}
	o.passThrough = true
	o.groups.Release()
	o.groups = nil
	for i, a := range o.accs {
		a.Release()
		o.accs[i] = nil
	}
	return nil
}

// maybeFlush, after a batch of n rows was grouped into o.ids[:n], moves the groups so far
// into out and restarts with an emptied group map (its slots kept) and fresh accumulators when the input looks
// clustered by the key and the table is big (see partialFlushGroups). Cost: one pass over
// the batch's group ids.
func (o *hashAggOp) maybeFlush(tc *TaskContext, n int) error {
	if !o.canPass || o.passThrough || n == 0 {
		return nil
	}
	ids := o.ids[:n]
	var runs int64
	for i := 1; i < n; i++ {
		if ids[i] == ids[i-1] {
			runs++
		}
	}
	o.runRows += runs
	o.totalRows += int64(n)
	if o.groups.Len() < partialFlushGroups || 2*o.runRows < o.totalRows {
		return nil
	}
	if err := o.finish(tc); err != nil {
		return err
	}
	o.flushed += o.groups.Len()
	o.groups.Reset()
	for i, a := range o.node.Aggs {
		o.accs[i].Release()
		o.accs[i] = nil
		acc, err := a.newAccumulator(tc)
		if err != nil {
			return err
		}
		o.accs[i] = acc
	}
	return nil
}

// passBatch returns b's rows as partial states, one group per row: the key columns as they
// are (retained; the final aggregate normalizes keys when it groups) and each aggregate's
// state after folding row i into group i of a fresh accumulator. It does not release b.
func (o *hashAggOp) passBatch(tc *TaskContext, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := int(b.NumRows())
	if cap(o.ids) < n {
		o.ids = make([]uint32, n)
	}
	ids := o.ids[:n]
	for i := range ids {
		ids[i] = uint32(i)
	}
	cols := make([]arrow.Array, 0, o.node.schema.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, k := range o.node.Keys {
		c := b.Column(k)
		c.Retain()
		cols = append(cols, c)
	}
	for _, a := range o.node.Aggs {
		acc, err := a.newAccumulator(tc)
		if err != nil {
			return nil, err
		}
		args := make([]arrow.Array, len(a.Args))
		for j, c := range a.Args {
			args[j] = b.Column(c)
		}
		err = acc.Update(args, ids, n)
		var st []arrow.Array
		if err == nil {
			st, err = acc.State(n)
		}
		acc.Release()
		cols = append(cols, st...)
		if err != nil {
			return nil, err
		}
	}
	return array.NewRecordBatch(o.node.schema, cols, int64(n)), nil
}

func (o *hashAggOp) Close() error {
	if o.out != nil {
		o.out.Release()
		o.out = nil
	}
	if o.groups != nil {
		o.groups.Release()
		o.groups = nil
	}
	for _, a := range o.accs {
		if a != nil {
			a.Release()
		}
	}
	o.accs = nil
	for _, d := range o.distinct {
		if d != nil {
			d.Release()
		}
	}
	o.distinct = nil
	return Close(o.child)
}
