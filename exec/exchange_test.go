package exec

import (
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestExchangeCoalescesSmallBatches: a map task that routes batches of 10 rows gathers
// each bucket's rows into batches of about BatchSize rows (every batch but a bucket's last
// of at least half of it), keeping the rows' order within a bucket and every row once;
// with batches already large enough nothing is copied (the same batch count as input).
func TestExchangeCoalescesSmallBatches(t *testing.T) {
	for _, c := range []struct {
		name   string
		target Partitioning
	}{
		{"hash", Partitioning{Kind: HashPartitioning, N: 3, Keys: []int{0}}},
		{"round-robin", Partitioning{Kind: AnyPartitioning, N: 3}},
		{"single", Partitioning{Kind: SinglePartition, N: 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			ex := NewExchange(&seqNode{parts: 2, rows: 1000, batch: 10}, c.target)
			res, err := Run(context.Background(), &partitionTagNode{child: ex}, Config{Parallelism: 2, BatchSize: 64, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Release()
			byPart := map[int64][]arrow.RecordBatch{}
			var parts []int64
			for _, b := range res.Batches {
				p := int64Values([]arrow.RecordBatch{b}, 1)[0]
				if _, ok := byPart[p]; !ok {
					parts = append(parts, p)
				}
				byPart[p] = append(byPart[p], b)
			}
			var all []int64
			for _, p := range parts {
				bs := byPart[p]
				vals := int64Values(bs, 0)
				// Rows of one map task (values base..base+999) keep their order.
				for _, base := range []int64{0, 1000} {
					var mine []int64
					for _, v := range vals {
						if v >= base && v < base+1000 {
							mine = append(mine, v)
						}
					}
					if !slices.IsSorted(mine) {
						t.Errorf("partition %d: rows of map task %d out of order", p, base/1000)
					}
				}
				// Each map task's tail may be short; at most two short batches per bucket.
				short := 0
				for _, b := range bs {
					if b.NumRows() < 32 {
						short++
					}
				}
				if short > 2 {
					t.Errorf("partition %d: %d batches under half the batch size, of %d", p, short, len(bs))
				}
				all = append(all, vals...)
			}
			slices.Sort(all)
			want := make([]int64, 0, 2000)
			for i := range int64(1000) {
				want = append(want, i)
			}
			for i := range int64(1000) {
				want = append(want, 1000+i)
			}
			if !slices.Equal(all, want) {
				t.Fatalf("got %d rows, want each of 0..999 and 1000..1999 once", len(all))
			}
		})
	}
	t.Run("large batches pass through", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		defer mem.AssertSize(t, 0)
		ex := NewExchange(&seqNode{parts: 2, rows: 1000, batch: 100}, Partitioning{Kind: AnyPartitioning, N: 2})
		res, err := Run(context.Background(), ex, Config{Parallelism: 2, BatchSize: 128, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Release()
		if len(res.Batches) != 20 {
			t.Errorf("%d batches, want the 20 batches of 100 rows as they came", len(res.Batches))
		}
	})
}

// partitionTagNode appends to its child's batches a column holding the partition number.
type partitionTagNode struct{ child Node }

func (n *partitionTagNode) Schema() *arrow.Schema {
	return arrow.NewSchema(append(n.child.Schema().Fields(), arrow.Field{Name: "p", Type: arrow.PrimitiveTypes.Int64}), nil)
}
func (n *partitionTagNode) Children() []Node           { return []Node{n.child} }
func (n *partitionTagNode) Partitioning() Partitioning { return n.child.Partitioning() }
func (n *partitionTagNode) String() string             { return "PartitionTag" }
func (n *partitionTagNode) Execute(tc *TaskContext, p int) (Operator, error) {
	c, err := Build(tc, n.child, p)
	if err != nil {
		return nil, err
	}
	return &partitionTagOp{node: n, child: c, p: int64(p)}, nil
}

type partitionTagOp struct {
	node  *partitionTagNode
	child Operator
	p     int64
}

func (o *partitionTagOp) Open(tc *TaskContext) error { return Open(tc, o.child) }
func (o *partitionTagOp) Close() error               { return Close(o.child) }
func (o *partitionTagOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	b, err := Next(tc, o.child)
	if b == nil || err != nil {
		return b, err
	}
	defer b.Release()
	col := int64Array(tc.Mem, slices.Repeat([]int64{o.p}, int(b.NumRows())))
	defer col.Release()
	return array.NewRecordBatch(o.node.Schema(), append(b.Columns(), col), b.NumRows()), nil
}

// TestShuffleReleasedWhenReadersFinish: a shuffle's data is released as soon as the stage
// reading it has finished, not when the query ends: the result stage, reading the second
// exchange, finds the first one's store already empty and the second one's not.
func TestShuffleReleasedWhenReadersFinish(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	first := NewExchange(&seqNode{parts: 2, rows: 100, batch: 10}, Partitioning{Kind: HashPartitioning, N: 2, Keys: []int{0}})
	second := NewExchange(first, Partitioning{Kind: SinglePartition, N: 1})
	probe := &storeProbeNode{child: second, released: first, held: second}
	res, err := Run(context.Background(), probe, Config{Parallelism: 2, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if got := len(int64Values(res.Batches, 0)); got != 200 {
		t.Errorf("%d rows, want 200", got)
	}
	if !probe.checked {
		t.Fatal("the result stage never opened")
	}
	if probe.firstHeld {
		t.Error("the first exchange's data was still held after its reader stage finished")
	}
	if !probe.secondHeld {
		t.Error("the second exchange's data was released before its reader ran")
	}
}

// storeProbeNode passes its child through and, when opened, records whether the shuffle
// stores of two exchanges still hold data.
type storeProbeNode struct {
	child                          Node
	released, held                 *Exchange
	checked, firstHeld, secondHeld bool
}

func (n *storeProbeNode) Schema() *arrow.Schema      { return n.child.Schema() }
func (n *storeProbeNode) Children() []Node           { return []Node{n.child} }
func (n *storeProbeNode) Partitioning() Partitioning { return n.child.Partitioning() }
func (n *storeProbeNode) String() string             { return "StoreProbe" }
func (n *storeProbeNode) Execute(tc *TaskContext, p int) (Operator, error) {
	holds := func(e *Exchange) bool {
		st := tc.query.shuffleFor(e)
		st.mu.Lock()
		defer st.mu.Unlock()
		return st.buckets != nil
	}
	n.checked, n.firstHeld, n.secondHeld = true, holds(n.released), holds(n.held)
	return Build(tc, n.child, p)
}

// TestHeldGroupsBound: an opened exchange reader bounds the groups a final aggregation will
// see by its rows, capped at twice the most rows one map task sent.
func TestHeldGroupsBound(t *testing.T) {
	for _, c := range []struct{ maps, rows, want int }{
		{1, 100, 100}, // one map task: its rows
		{2, 100, 200}, // two: the sum, which is twice the largest
		{4, 50, 100},  // four of 50: at most twice the largest
	} {
		mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
		ex := NewExchange(&seqNode{parts: c.maps, rows: c.rows, batch: 10}, Partitioning{Kind: SinglePartition, N: 1})
		probe := &boundProbeNode{child: ex}
		res, err := Run(context.Background(), probe, Config{Parallelism: 2, Mem: mem})
		if err != nil {
			t.Fatal(err)
		}
		res.Release()
		if !probe.ok || probe.bound != c.want {
			t.Errorf("%d map tasks of %d rows: bound %d (ok %v), want %d", c.maps, c.rows, probe.bound, probe.ok, c.want)
		}
		mem.AssertSize(t, 0)
	}
}

// boundProbeNode opens its child and records heldGroupsBound of it.
type boundProbeNode struct {
	child Node
	bound int
	ok    bool
}

func (n *boundProbeNode) Schema() *arrow.Schema      { return n.child.Schema() }
func (n *boundProbeNode) Children() []Node           { return []Node{n.child} }
func (n *boundProbeNode) Partitioning() Partitioning { return n.child.Partitioning() }
func (n *boundProbeNode) String() string             { return "BoundProbe" }
func (n *boundProbeNode) Execute(tc *TaskContext, p int) (Operator, error) {
	c, err := Build(tc, n.child, p)
	if err != nil {
		return nil, err
	}
	return &boundProbeOp{node: n, child: c}, nil
}

type boundProbeOp struct {
	node  *boundProbeNode
	child Operator
}

func (o *boundProbeOp) Open(tc *TaskContext) error {
	if err := Open(tc, o.child); err != nil {
		return err
	}
	o.node.bound, o.node.ok = heldGroupsBound(o.child)
	return nil
}
func (o *boundProbeOp) Next(tc *TaskContext) (arrow.RecordBatch, error) { return Next(tc, o.child) }
func (o *boundProbeOp) Close() error                                    { return Close(o.child) }
