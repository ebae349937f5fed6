package exec

import (
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/hashtable"
	"github.com/embersql/ember/internal/errs"
)

// Exchange repartitions its child's output: it is the only place where a plan is cut into
// stages, as Spark's shuffle is. The child's stage (the map side) runs every child partition
// and routes each row (hash), each batch (round-robin), everything (single) or a copy of
// everything (broadcast) into Target.N buckets; the reduce side — this node's Execute —
// reads bucket p from every map task, in map-partition order.
//
// Memory: shuffle data is held in memory (spilling to disk is a later step) until every
// stage that reads the exchange has finished, so that a retried reduce task can read its
// bucket again; then the scheduler releases it (queryState.doneReading), not at the end of
// the query. A map task coalesces what it routes to each bucket into batches of
// about TaskContext.BatchSize rows (bucketCoalescer): filters and joins below an exchange
// emit batches of a few hundred rows, and a hash split halves them again, so without it a
// shuffle would hold thousands of tiny batches whose per-array objects and sub-page buffers
// live on the Go heap (TPC-H Q9 at SF 1: 3,000 batches of 110 rows). A map task buffers its own output and publishes it to the store
// only when it succeeds, so a failed attempt's rows never reach a reader (task retries).
// Batches handed to readers are retained copies; the store releases its own references
// when the query finishes.
type Exchange struct {
	Child  Node
	Target Partitioning
	// DealRows makes a round-robin (AnyPartitioning) exchange deal rows, not whole
	// batches, in turn, so that partitions get equal row counts even from one large batch
	// (DataFrame.Repartition(n), Spark's repartition). It copies every row once.
	DealRows bool
}

// NewExchange returns an exchange of child into target partitioning.
func NewExchange(child Node, target Partitioning) *Exchange {
	return &Exchange{Child: child, Target: target}
}

func (e *Exchange) Schema() *arrow.Schema      { return e.Child.Schema() }
func (e *Exchange) Children() []Node           { return []Node{e.Child} }
func (e *Exchange) Partitioning() Partitioning { return e.Target }
func (e *Exchange) String() string {
	switch e.Target.Kind {
	case HashPartitioning:
		names := make([]string, len(e.Target.Keys))
		for i, k := range e.Target.Keys {
			names[i] = e.Child.Schema().Field(k).Name
		}
		return fmt.Sprintf("Exchange: hash(%v) into %d", names, e.Target.N)
	case SinglePartition:
		return "Exchange: single"
	case BroadcastPartitioning:
		return "Exchange: broadcast"
	}
	if e.DealRows {
		return fmt.Sprintf("Exchange: round-robin rows into %d", e.Target.N)
	}
	return fmt.Sprintf("Exchange: round-robin into %d", e.Target.N)
}

// Execute reads reduce partition p of the shuffle output.
func (e *Exchange) Execute(tc *TaskContext, p int) (Operator, error) {
	if tc.query == nil {
		return nil, fmt.Errorf("exchange executed outside a scheduled query")
	}
	st := tc.query.shuffleFor(e)
	return &exchangeReader{store: st, part: p, broadcast: e.Target.Kind == BroadcastPartitioning}, nil
}

// shuffleStore holds the map output of one exchange: buckets[reduce][map] batches.
type shuffleStore struct {
	mu      sync.Mutex
	buckets [][][]arrow.RecordBatch
}

func newShuffleStore(reduce, maps int) *shuffleStore {
	s := &shuffleStore{buckets: make([][][]arrow.RecordBatch, reduce)}
	for i := range s.buckets {
		s.buckets[i] = make([][]arrow.RecordBatch, maps)
	}
	return s
}

// publish makes out[r] the batches of bucket r from map task m, for every bucket, taking
// ownership of them. Output of an earlier attempt of m, if any, is replaced and released
// (the local scheduler publishes each map task once). One lock per map task.
func (s *shuffleStore) publish(m int, out [][]arrow.RecordBatch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for r, bs := range out {
		for _, old := range s.buckets[r][m] {
			old.Release()
		}
		s.buckets[r][m] = bs
	}
}

// releaseBuckets releases every batch of a map task's unpublished output.
func releaseBuckets(out [][]arrow.RecordBatch) {
	for _, bs := range out {
		for _, b := range bs {
			b.Release()
		}
	}
}

// read returns retained copies of bucket r's batches in map order, and the most rows one
// map task put in the bucket. Reading a store that was released (its readers all finished)
// is an engine bug, reported as an internal error.
func (s *shuffleStore) read(r int) (out []arrow.RecordBatch, maxMapRows int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets == nil {
		return nil, 0, errs.Internalf("shuffle read after its readers finished")
	}
	for _, bs := range s.buckets[r] {
		var rows int64
		for _, b := range bs {
			b.Retain()
			out = append(out, b)
			rows += b.NumRows()
		}
		maxMapRows = max(maxMapRows, rows)
	}
	return out, maxMapRows, nil
}

func (s *shuffleStore) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.buckets {
		for _, bs := range r {
			for _, b := range bs {
				b.Release()
			}
		}
	}
	s.buckets = nil
}

type exchangeReader struct {
	store     *shuffleStore
	part      int
	broadcast bool
	pending   []arrow.RecordBatch
	opened    bool
	// maxMapRows: the most rows one map task contributed to this partition.
	maxMapRows int64
}

func (r *exchangeReader) Open(tc *TaskContext) error {
	b := r.part
	if r.broadcast {
		b = 0
	}
	var err error
	r.pending, r.maxMapRows, err = r.store.read(b)
	r.opened = true
	return err
}

func (r *exchangeReader) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if len(r.pending) == 0 {
		return nil, nil
	}
	b := r.pending[0]
	r.pending[0] = nil
	r.pending = r.pending[1:]
	return b, nil
}

func (r *exchangeReader) Close() error {
	for _, b := range r.pending {
		b.Release()
	}
	r.pending = nil
	return nil
}

// openedReader returns op's exchange reader when op is one (as Build wraps it) and has
// been opened, so that its partition's batches are in memory and their rows known.
func openedReader(op Operator) (*exchangeReader, bool) {
	if in, isIn := op.(*instrumented); isIn {
		op = in.op
	}
	r, ok := op.(*exchangeReader)
	return r, ok && r.opened
}

// heldRows returns the rows and buffer bytes an opened exchange reader holds for its
// partition, ok false for any other operator.
func heldRows(op Operator) (rows, bytes int64, ok bool) {
	r, ok := openedReader(op)
	if !ok {
		return 0, 0, false
	}
	for _, b := range r.pending {
		rows += b.NumRows()
		bytes += batchBytes(b)
	}
	return rows, bytes, true
}

// heldGroupsBound returns, for an opened exchange reader feeding a final aggregation, how
// many groups to make room for: the rows it holds, but at most twice the most rows one
// map task sent. Partial aggregations send each of their groups once (unless they
// flushed), so a partition's groups number at least the largest map task's rows and at
// most all rows; when the map tasks' groups overlap (every task saw the same keys) the sum
// overstates them as many times as there are tasks, hence the cap. ok is false for any
// other operator.
func heldGroupsBound(op Operator) (int, bool) {
	r, ok := openedReader(op)
	if !ok {
		return 0, false
	}
	rows, _, _ := heldRows(op)
	return int(min(rows, 2*r.maxMapRows)), true
}

// runMapTask drains partition m of the exchange's child and routes its batches into a
// buffer of the attempt's own, published to st only when the whole partition was read and
// closed without error; otherwise (an error or a panic) the buffer is released.
func runMapTask(tc *TaskContext, e *Exchange, st *shuffleStore, m int) error {
	out := make([][]arrow.RecordBatch, len(st.buckets))
	co := newBucketCoalescer(tc, len(st.buckets))
	published := false
	defer func() {
		if !published {
			co.release()
			releaseBuckets(out)
		}
	}()
	// add routes b (owned) to bucket r through the coalescer.
	add := func(r int, b arrow.RecordBatch) error {
		done, err := co.add(r, b)
		if done != nil {
			out[r] = append(out[r], done)
		}
		return err
	}
	op, err := Build(tc, e.Child, m)
	if err != nil {
		return err
	}
	if err := Open(tc, op); err != nil {
		Close(op)
		return err
	}
	rr := m // round-robin start differs per map task so small inputs spread out
	var hashes []uint64
	var parts []int32
	for {
		b, err := Next(tc, op)
		if err != nil {
			Close(op)
			return err
		}
		if b == nil {
			break
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		switch e.Target.Kind {
		case SinglePartition, BroadcastPartitioning:
			if err := add(0, b); err != nil {
				Close(op)
				return err
			}
		case AnyPartitioning:
			if !e.DealRows || e.Target.N == 1 {
				r := rr % e.Target.N
				rr++
				if err := add(r, b); err != nil {
					Close(op)
					return err
				}
				break
			}
			n := int(b.NumRows())
			if cap(parts) < n {
				parts = make([]int32, n)
			}
			parts = parts[:n]
			for i := range parts {
				parts[i] = int32(rr % e.Target.N)
				rr++
			}
			outs, err := SplitBatch(tc.Mem, b, parts, e.Target.N)
			b.Release()
			if err != nil {
				Close(op)
				return err
			}
			if err := addAll(outs, add); err != nil {
				Close(op)
				return err
			}
		case HashPartitioning:
			n := int(b.NumRows())
			if cap(hashes) < n {
				hashes = make([]uint64, n)
				parts = make([]int32, n)
			}
			hashes, parts = hashes[:n], parts[:n]
			keys := make([]arrow.Array, len(e.Target.Keys))
			for i, k := range e.Target.Keys {
				keys[i] = b.Column(k)
			}
			hashtable.HashColumns(keys, hashes)
			for i, h := range hashes {
				parts[i] = int32(PartitionOf(h, e.Target.N))
			}
			outs, err := SplitBatch(tc.Mem, b, parts, e.Target.N)
			b.Release()
			if err != nil {
				Close(op)
				return err
			}
			if err := addAll(outs, add); err != nil {
				Close(op)
				return err
			}
		}
	}
	if err := Close(op); err != nil {
		return err
	}
	for r := range out {
		b, err := co.flush(r)
		if err != nil {
			return err
		}
		if b != nil {
			out[r] = append(out[r], b)
		}
	}
	st.publish(m, out)
	published = true
	return nil
}

// addAll hands every non-nil batch of outs to add, in bucket order; after an error the
// batches not yet handed over are released.
func addAll(outs []arrow.RecordBatch, add func(int, arrow.RecordBatch) error) error {
	for r, ob := range outs {
		if ob == nil {
			continue
		}
		if err := add(r, ob); err != nil {
			for _, rest := range outs[r+1:] {
				if rest != nil {
					rest.Release()
				}
			}
			return err
		}
	}
	return nil
}

// bucketCoalescer gathers the small batches a map task routes to each bucket into batches
// of about tc.BatchSize rows. A batch of at least half the target with nothing pending
// passes through untouched (no copy); smaller ones wait in pending[r] until they add up
// to the target, then are concatenated into one batch (one copy of their rows). Order
// within a bucket is kept. It owns the pending batches until add or flush returns them.
type bucketCoalescer struct {
	tc      *TaskContext
	target  int64
	pending [][]arrow.RecordBatch
	rows    []int64
}

func newBucketCoalescer(tc *TaskContext, buckets int) *bucketCoalescer {
	target := int64(tc.BatchSize)
	if target <= 0 {
		target = 8192
	}
	return &bucketCoalescer{tc: tc, target: target,
		pending: make([][]arrow.RecordBatch, buckets), rows: make([]int64, buckets)}
}

// add takes ownership of b, bound for bucket r, and returns a batch ready for the bucket
// (owned by the caller) or nil while rows are still gathering.
func (c *bucketCoalescer) add(r int, b arrow.RecordBatch) (arrow.RecordBatch, error) {
	n := b.NumRows()
	if len(c.pending[r]) == 0 && 2*n >= c.target {
		return b, nil
	}
	c.pending[r] = append(c.pending[r], b)
	c.rows[r] += n
	if c.rows[r] < c.target {
		return nil, nil
	}
	return c.flush(r)
}

// flush returns bucket r's pending rows as one batch (nil when none), owned by the caller.
func (c *bucketCoalescer) flush(r int) (arrow.RecordBatch, error) {
	ps := c.pending[r]
	c.pending[r], c.rows[r] = nil, 0
	switch len(ps) {
	case 0:
		return nil, nil
	case 1:
		return ps[0], nil
	}
	out, err := concatBatches(c.tc, ps[0].Schema(), ps)
	for _, b := range ps {
		b.Release()
	}
	return out, err
}

// release drops every pending batch (a failed map task).
func (c *bucketCoalescer) release() {
	for r, ps := range c.pending {
		for _, b := range ps {
			b.Release()
		}
		c.pending[r], c.rows[r] = nil, 0
	}
}

// PartitionOf maps a row hash to one of n partitions. Hash exchanges of both join sides use
// it, so equal keys meet in the same partition.
func PartitionOf(h uint64, n int) int {
	// Use the high bits: the hash tables of the operators downstream use the low bits, and
	// reusing them would cluster every partition's keys into a fraction of the slots.
	return int((h >> 32) * uint64(n) >> 32)
}

// SplitBatch scatters the rows of b into n batches by parts[i] (nil where a bucket gets no
// rows). b stays owned by the caller; the outputs are new and owned by the caller.
func SplitBatch(mem memory.Allocator, b arrow.RecordBatch, parts []int32, n int) ([]arrow.RecordBatch, error) {
	idx := make([][]int32, n)
	for i, p := range parts {
		idx[p] = append(idx[p], int32(i))
	}
	out := make([]arrow.RecordBatch, n)
	for r := range n {
		if len(idx[r]) == 0 {
			continue
		}
		ob, err := TakeRows(mem, b, idx[r])
		if err != nil {
			for _, o := range out {
				if o != nil {
					o.Release()
				}
			}
			return nil, err
		}
		out[r] = ob
	}
	return out, nil
}

// TakeRows returns a new batch of the rows of b at the given indices, in order.
func TakeRows(mem memory.Allocator, b arrow.RecordBatch, indices []int32) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, b.NumCols())
	for i := range cols {
		c, err := TakeArray(mem, b.Column(i), indices)
		if err != nil {
			for _, x := range cols[:i] {
				x.Release()
			}
			return nil, err
		}
		cols[i] = c
	}
	out := array.NewRecordBatch(b.Schema(), cols, int64(len(indices)))
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}
