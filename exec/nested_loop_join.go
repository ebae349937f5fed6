package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/embersql/ember/sql/planner"
)

// NestedLoopJoinExec joins without equality keys: every left row is paired with every right
// row and Cond (nil: always true) decides. The right side is read fully into memory; the
// physical planner broadcasts it to every left partition (inner, left, cross) or gathers both
// sides into one partition (right, full), so unmatched right rows are emitted exactly once.
// Cost: O(|left| x |right|) comparisons, produced in chunks of at most tc.BatchSize pairs.
type NestedLoopJoinExec struct {
	Left, Right Node
	Type        planner.JoinType
	Cond        PhysExpr
	schema      *arrow.Schema
}

func (n *NestedLoopJoinExec) Schema() *arrow.Schema { return n.schema }
func (n *NestedLoopJoinExec) Children() []Node      { return []Node{n.Left, n.Right} }
func (n *NestedLoopJoinExec) Partitioning() Partitioning {
	return Partitioning{Kind: AnyPartitioning, N: n.Left.Partitioning().N}
}
func (n *NestedLoopJoinExec) String() string {
	if n.Cond == nil {
		return fmt.Sprintf("NestedLoopJoin: %s", n.Type)
	}
	return fmt.Sprintf("NestedLoopJoin: %s on %s", n.Type, n.Cond)
}

func (n *NestedLoopJoinExec) Execute(tc *TaskContext, p int) (Operator, error) {
	l, err := Build(tc, n.Left, p)
	if err != nil {
		return nil, err
	}
	rp := p
	if n.Right.Partitioning().N == 1 {
		rp = 0
	}
	r, err := Build(tc, n.Right, rp)
	if err != nil {
		Close(l)
		return nil, err
	}
	return &nlJoinOp{node: n, left: l, right: r}, nil
}

type nlJoinOp struct {
	node        *NestedLoopJoinExec
	left, right Operator
	build       arrow.RecordBatch
	matched     []byte
	probe       arrow.RecordBatch
	probeHit    []bool
	row         int // next left row of probe to pair
	leftDone    bool
	tailDone    bool
}

func (o *nlJoinOp) Open(tc *TaskContext) error {
	if err := Open(tc, o.left); err != nil {
		return err
	}
	return Open(tc, o.right)
}

func (o *nlJoinOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if o.build == nil {
		var in []arrow.RecordBatch
		for {
			b, err := Next(tc, o.right)
			if err != nil {
				for _, x := range in {
					x.Release()
				}
				return nil, err
			}
			if b == nil {
				break
			}
			in = append(in, b)
		}
		all, err := concatBatches(tc, o.node.Right.Schema(), in)
		for _, x := range in {
			x.Release()
		}
		if err != nil {
			return nil, err
		}
		o.build = all
		if o.node.Type == planner.RightJoin || o.node.Type == planner.FullJoin {
			o.matched = make([]byte, bitutil.BytesForBits(all.NumRows()))
		}
	}
	outer := o.node.Type == planner.LeftJoin || o.node.Type == planner.FullJoin
	nb := int(o.build.NumRows())
	for !o.leftDone {
		if o.probe == nil {
			b, err := Next(tc, o.left)
			if err != nil {
				return nil, err
			}
			if b == nil {
				o.leftDone = true
				break
			}
			o.probe, o.row = b, 0
			o.probeHit = make([]bool, b.NumRows())
		}
		np := int(o.probe.NumRows())
		if o.row >= np || nb == 0 {
			var out arrow.RecordBatch
			if outer {
				var miss []int32
				for i, hit := range o.probeHit {
					if !hit {
						miss = append(miss, int32(i))
					}
				}
				if len(miss) > 0 {
					var err error
					out, err = joinRows(tc.Mem, o.node.schema, o.probe, miss, o.build, nil, len(miss))
					if err != nil {
						return nil, err
					}
				}
			}
			o.probe.Release()
			o.probe = nil
			if out != nil {
				return out, nil
			}
			continue
		}
		// Pair whole left rows with all right rows, as many left rows as fit in a batch.
		rows := max(1, tc.BatchSize/nb)
		end := min(np, o.row+rows)
		var pi, bi []int32
		for i := o.row; i < end; i++ {
			for j := 0; j < nb; j++ {
				pi = append(pi, int32(i))
				bi = append(bi, int32(j))
			}
		}
		o.row = end
		out, err := joinRows(tc.Mem, o.node.schema, o.probe, pi, o.build, bi, len(pi))
		if err != nil {
			return nil, err
		}
		if o.node.Cond == nil {
			for _, p := range pi {
				o.probeHit[p] = true
			}
			if o.matched != nil {
				for _, b := range bi {
					bitutil.SetBit(o.matched, int(b))
				}
			}
			return out, nil
		}
		mask, err := o.node.Cond.Eval(tc, out)
		if err != nil {
			out.Release()
			return nil, err
		}
		for k := range pi {
			if mask.IsValid(k) && maskValue(mask, k) {
				o.probeHit[pi[k]] = true
				if o.matched != nil {
					bitutil.SetBit(o.matched, int(bi[k]))
				}
			}
		}
		f, err := FilterBatch(tc.Mem, out, mask)
		mask.Release()
		out.Release()
		if err != nil {
			return nil, err
		}
		if f.NumRows() == 0 {
			f.Release()
			continue
		}
		return f, nil
	}
	if o.matched != nil && !o.tailDone {
		o.tailDone = true
		var miss []int32
		for i := 0; i < nb; i++ {
			if !bitutil.BitIsSet(o.matched, i) {
				miss = append(miss, int32(i))
			}
		}
		if len(miss) > 0 {
			return joinRows(tc.Mem, o.node.schema, nil, nil, o.build, miss, len(miss))
		}
	}
	return nil, nil
}

func (o *nlJoinOp) Close() error {
	if o.probe != nil {
		o.probe.Release()
		o.probe = nil
	}
	if o.build != nil {
		o.build.Release()
		o.build = nil
	}
	err := Close(o.left)
	if err2 := Close(o.right); err == nil {
		err = err2
	}
	return err
}
