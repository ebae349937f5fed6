package exec

import (
	"fmt"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/hashtable"
)

// Exchange repartitions its child's output: it is the only place where a plan is cut into
// stages, as Spark's shuffle is. The child's stage (the map side) runs every child partition
// and routes each row (hash), each batch (round-robin), everything (single) or a copy of
// everything (broadcast) into Target.N buckets; the reduce side — this node's Execute —
// reads bucket p from every map task, in map-partition order.
//
// Memory: shuffle data is held in memory by the query until the query ends (spilling to
// disk is a later step). A map task buffers its own output and publishes it to the store
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

// read returns retained copies of bucket r's batches in map order.
func (s *shuffleStore) read(r int) []arrow.RecordBatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []arrow.RecordBatch
	for _, bs := range s.buckets[r] {
		for _, b := range bs {
			b.Retain()
			out = append(out, b)
		}
	}
	return out
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
}

func (r *exchangeReader) Open(tc *TaskContext) error {
	b := r.part
	if r.broadcast {
		b = 0
	}
	r.pending = r.store.read(b)
	r.opened = true
	return nil
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

// runMapTask drains partition m of the exchange's child and routes its batches into a
// buffer of the attempt's own, published to st only when the whole partition was read and
// closed without error; otherwise (an error or a panic) the buffer is released.
func runMapTask(tc *TaskContext, e *Exchange, st *shuffleStore, m int) error {
	out := make([][]arrow.RecordBatch, len(st.buckets))
	published := false
	defer func() {
		if !published {
			releaseBuckets(out)
		}
	}()
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
			out[0] = append(out[0], b)
		case AnyPartitioning:
			if !e.DealRows || e.Target.N == 1 {
				r := rr % e.Target.N
				out[r] = append(out[r], b)
				rr++
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
			for r, ob := range outs {
				if ob != nil {
					out[r] = append(out[r], ob)
				}
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
			for r, ob := range outs {
				if ob != nil {
					out[r] = append(out[r], ob)
				}
			}
		}
	}
	if err := Close(op); err != nil {
		return err
	}
	st.publish(m, out)
	published = true
	return nil
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
