package exec

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

var seqSchema = arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}}, nil)

// seqNode is a source of parts partitions; partition j yields rows values j*1000 + i
// (i < rows) in batches of at most batch rows, allocated from the task's allocator.
type seqNode struct{ parts, rows, batch int }

func (s *seqNode) Schema() *arrow.Schema      { return seqSchema }
func (s *seqNode) Children() []Node           { return nil }
func (s *seqNode) Partitioning() Partitioning { return Partitioning{Kind: AnyPartitioning, N: s.parts} }
func (s *seqNode) String() string             { return "Seq" }
func (s *seqNode) Execute(tc *TaskContext, p int) (Operator, error) {
	return &seqOp{node: s, base: int64(p) * 1000}, nil
}

type seqOp struct {
	node *seqNode
	base int64
	done int
}

func (o *seqOp) Open(*TaskContext) error { return nil }
func (o *seqOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if o.done >= o.node.rows {
		return nil, nil
	}
	n := min(o.node.batch, o.node.rows-o.done)
	b := array.NewInt64Builder(tc.Mem)
	defer b.Release()
	for i := range n {
		b.Append(o.base + int64(o.done+i))
	}
	o.done += n
	col := b.NewArray()
	defer col.Release()
	return array.NewRecordBatch(seqSchema, []arrow.Array{col}, int64(n)), nil // handed to the caller
}
func (o *seqOp) Close() error { return nil }

// tagNode passes its child's batches through and records, per output partition, the
// values of column 0 it passed (so tests see which rows each partition got).
type tagNode struct {
	child Node
	mu    sync.Mutex
	seen  map[int][]int64
}

func (t *tagNode) Schema() *arrow.Schema      { return t.child.Schema() }
func (t *tagNode) Children() []Node           { return []Node{t.child} }
func (t *tagNode) Partitioning() Partitioning { return t.child.Partitioning() }
func (t *tagNode) String() string             { return "Tag" }
func (t *tagNode) Execute(tc *TaskContext, p int) (Operator, error) {
	c, err := Build(tc, t.child, p)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	if t.seen == nil {
		t.seen = map[int][]int64{}
	}
	t.seen[p] = nil // the partition ran, even if it yields no rows
	t.mu.Unlock()
	return &tagOp{node: t, child: c, part: p}, nil
}

type tagOp struct {
	node  *tagNode
	child Operator
	part  int
}

func (o *tagOp) Open(tc *TaskContext) error { return Open(tc, o.child) }
func (o *tagOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	b, err := Next(tc, o.child)
	if err != nil || b == nil {
		return b, err
	}
	vals := b.Column(0).(*array.Int64).Int64Values()
	o.node.mu.Lock()
	o.node.seen[o.part] = append(o.node.seen[o.part], vals...)
	o.node.mu.Unlock()
	return b, nil // handed on
}
func (o *tagOp) Close() error { return Close(o.child) }

// TestCoalesceExec: output partition i gets exactly child partitions i*M/N .. (i+1)*M/N-1,
// in order, every row once, and the batches carry the node's schema.
func TestCoalesceExec(t *testing.T) {
	for _, tc := range []struct{ parts, n, rows, batch int }{
		{4, 1, 10, 3}, {4, 2, 10, 3}, {5, 2, 7, 7}, {7, 3, 5, 2}, {8, 3, 0, 1}, {3, 2, 1, 8192}, {2, 3, 4, 2},
	} {
		t.Run(fmt.Sprintf("%d_into_%d_rows=%d_batch=%d", tc.parts, tc.n, tc.rows, tc.batch), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			renamed := arrow.NewSchema([]arrow.Field{{Name: "w", Type: arrow.PrimitiveTypes.Int64}}, nil)
			co := NewCoalesceExec(&seqNode{parts: tc.parts, rows: tc.rows, batch: tc.batch}, tc.n, renamed)
			if got := co.Partitioning(); got.Kind != AnyPartitioning || got.N != tc.n {
				t.Errorf("partitioning %s, want any(%d)", got, tc.n)
			}
			if want := fmt.Sprintf("Coalesce: %d into %d", tc.parts, tc.n); co.String() != want {
				t.Errorf("String() = %q, want %q", co.String(), want)
			}
			tag := &tagNode{child: co}
			ex, err := Run(context.Background(), tag, Config{Parallelism: 3, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer ex.Release()
			if ex.Tasks != tc.n {
				t.Errorf("%d tasks, want %d", ex.Tasks, tc.n)
			}
			for _, b := range ex.Batches {
				if !b.Schema().Equal(renamed) {
					t.Fatalf("batch schema %s, want %s", b.Schema(), renamed)
				}
			}
			if len(tag.seen) != tc.n {
				t.Errorf("%d partitions ran, want %d", len(tag.seen), tc.n)
			}
			all := map[int64]int{}
			for p := range tc.n {
				var want []int64
				for j := p * tc.parts / tc.n; j < (p+1)*tc.parts/tc.n; j++ {
					for i := range tc.rows {
						want = append(want, int64(j*1000+i))
					}
				}
				if got := tag.seen[p]; !slices.Equal(got, want) {
					t.Errorf("partition %d got %v, want %v", p, got, want)
				}
				for _, v := range tag.seen[p] {
					all[v]++
				}
			}
			if len(all) != tc.parts*tc.rows {
				t.Errorf("%d distinct rows, want %d", len(all), tc.parts*tc.rows)
			}
			for v, c := range all {
				if c != 1 {
					t.Errorf("row %d seen %d times", v, c)
				}
			}
			if m := ex.MetricsOf(co); m == nil || m.Rows.Load() != int64(tc.parts*tc.rows) {
				t.Errorf("coalesce metrics %+v, want %d rows", m, tc.parts*tc.rows)
			}
		})
	}
}

// TestCoalesceOverExchange: a coalesce reads several reduce partitions of a hash exchange
// in one task; every row comes out once and no shuffle buffer leaks.
func TestCoalesceOverExchange(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	src := memSource(t, mem, 1000, 4)
	defer src.(interface{ Release() }).Release()
	scan := NewScanExec(src, []int{1, 0}, splits(t, src), 4)
	ex := NewExchange(scan, Partitioning{Kind: HashPartitioning, N: 6, Keys: []int{1}})
	co := NewCoalesceExec(ex, 2, scan.Schema())
	res, err := Run(context.Background(), co, Config{Parallelism: 4, BatchSize: 7, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.Stages != 2 {
		t.Errorf("%d stages, want 2 (no exchange of its own)", res.Stages)
	}
	checkDoubled(t, doubled(int64Values(res.Batches, 0)), 1000)
}

// TestCoalesceStopsEarly: a consumer that stops after the first batch closes the open
// child; nothing leaks.
func TestCoalesceStopsEarly(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	co := NewCoalesceExec(&seqNode{parts: 4, rows: 10, batch: 3}, 1, seqSchema)
	res, err := Run(context.Background(), &LimitExec{Child: co, Count: 4}, Config{Parallelism: 1, Mem: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if got := int64Values(res.Batches, 0); !slices.Equal(got, []int64{0, 1, 2, 3}) {
		t.Errorf("got %v, want the first 4 rows of partition 0", got)
	}
}

// doubled returns 2*v for each v (checkDoubled's form).
func doubled(vs []int64) []int64 {
	out := make([]int64, len(vs))
	for i, v := range vs {
		out[i] = 2 * v
	}
	return out
}

// TestRepartitionPhysicalPlanning plans logical Repartition nodes through the registered
// node planner: hash and round-robin exchanges into N, a coalesce of a wider child, and a
// coalesce that keeps a narrow child as it is.
func TestRepartitionPhysicalPlanning(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	k := planner.NewColumn("k", "", planner.Int64, false)
	v := planner.NewColumn("v", "", planner.Int64, false)
	var rows [][]planner.Expr
	for i := range 40 {
		rows = append(rows, []planner.Expr{planner.NewLiteral(int64(i%5), planner.Int64), planner.NewLiteral(int64(i), planner.Int64)})
	}
	vals, err := planner.NewValues(rows, []planner.Column{k, v})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := planner.NewRepartition(vals, 3, []planner.Expr{planner.NewColumnRef(k)})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := planner.NewRepartition(vals, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	wide, err := planner.NewCoalesce(rr, 3)
	if err != nil {
		t.Fatal(err)
	}
	narrow, err := planner.NewCoalesce(vals, 8)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		plan planner.Plan
		want string // the physical plan's first line
		n    int
	}{
		{"hash", hash, "Exchange: hash([k]) into 3 [hash([0], 3)]", 3},
		{"round-robin", rr, "Exchange: round-robin rows into 4 [any(4)]", 4},
		{"coalesce", wide, "Coalesce: 4 into 3 [any(3)]", 3},
		{"coalesce of fewer", narrow, "Values: 40 rows [single]", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			node, err := (&PhysicalPlanner{Partitions: 2}).Plan(tc.plan)
			if err != nil {
				t.Fatal(err)
			}
			if first, _, _ := strings.Cut(ExplainPhysical(node), "\n"); first != tc.want {
				t.Errorf("plan:\n%s\nwant first line %q", ExplainPhysical(node), tc.want)
			}
			// Column 1 (v) tells rows apart; column 0 (k) is the hash key.
			tag := &tagNode{child: NewProjectExec(node, []PhysExpr{&colExpr{idx: 1, typ: planner.Int64, name: "v"}, &colExpr{idx: 0, typ: planner.Int64, name: "k"}},
				arrow.NewSchema([]arrow.Field{{Name: "v", Type: arrow.PrimitiveTypes.Int64}, {Name: "k", Type: arrow.PrimitiveTypes.Int64}}, nil))}
			ex, err := Run(context.Background(), tag, Config{Parallelism: 2, BatchSize: 3, Mem: mem})
			if err != nil {
				t.Fatal(err)
			}
			defer ex.Release()
			if len(tag.seen) != tc.n {
				t.Errorf("%d partitions ran, want %d", len(tag.seen), tc.n)
			}
			checkDoubled(t, doubled(int64Values(ex.Batches, 0)), 40)
			if tc.name != "hash" {
				return
			}
			// Every key in exactly one partition.
			where := map[int64]int{}
			for p, vs := range tag.seen {
				for _, v := range vs {
					key := v % 5
					if q, ok := where[key]; ok && q != p {
						t.Errorf("key %d in partitions %d and %d", key, q, p)
					}
					where[key] = p
				}
			}
			if len(where) != 5 {
				t.Errorf("%d keys, want 5", len(where))
			}
		})
	}

	// A key type the hash functions do not take is a plan-time error naming the column.
	tags := planner.NewColumn("tags", "", planner.ArrayOf(planner.Int64), true)
	empty, err := planner.NewValues(nil, []planner.Column{tags})
	if err != nil {
		t.Fatal(err)
	}
	bad, err := planner.NewRepartition(empty, 2, []planner.Expr{planner.NewColumnRef(tags)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = (&PhysicalPlanner{Partitions: 2}).Plan(bad)
	if !errors.Is(err, errs.ErrNotImplemented) || !strings.Contains(err.Error(), "repartition by column tags") {
		t.Errorf("got %v, want a not-implemented error naming tags", err)
	}
}
