package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

// NestedLoopJoinExec joins without equality keys: every left row is paired with every right
// row and Cond (nil: always true) decides. The right side is read fully into memory; the
// physical planner broadcasts it to every left partition (inner, left, cross) or gathers both
// sides into one partition (right, full), so unmatched right rows are emitted exactly once.
// Cost: O(|left| x |right|) comparisons, produced in chunks of at most tc.BatchSize pairs.
//
// Semi, anti and mark joins judge each pair by Cond and then Cmp (the comparison of an
// ANY/IN subquery) as HashJoinExec does.
type NestedLoopJoinExec struct {
	Left, Right Node
	Type        planner.JoinType
	Cond        PhysExpr
	Cmp         PhysExpr
	schema      *arrow.Schema
}

func (n *NestedLoopJoinExec) Schema() *arrow.Schema { return n.schema }
func (n *NestedLoopJoinExec) Children() []Node      { return []Node{n.Left, n.Right} }
func (n *NestedLoopJoinExec) Partitioning() Partitioning {
	return Partitioning{Kind: AnyPartitioning, N: n.Left.Partitioning().N}
}
func (n *NestedLoopJoinExec) String() string {
	s := fmt.Sprintf("NestedLoopJoin: %s", n.Type)
	if n.Cond != nil {
		s += " on " + n.Cond.String()
	}
	if n.Cmp != nil {
		s += " cmp " + n.Cmp.String()
	}
	return s
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
	return &nlJoinOp{node: n, joinState: joinState{schema: n.schema, typ: n.Type, left: l, right: r,
		residual: n.Cond, cmp: n.Cmp, pairSchema: pairSchemaOf(n.Left.Schema(), n.Right.Schema(), n.schema, n.Type)}}, nil
}

type nlJoinOp struct {
	joinState
	node     *NestedLoopJoinExec
	loaded   bool
	row      int // next left row of probe to pair
	leftDone bool
}

func (o *nlJoinOp) Open(tc *TaskContext) error { return o.open(tc) }

func (o *nlJoinOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if !o.loaded {
		if err := o.loadBuild(tc, o.node.Right.Schema()); err != nil {
			return nil, err
		}
		o.loaded = true
	}
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
			o.startProbe(b)
			o.row = 0
		}
		np := int(o.probe.NumRows())
		if o.row >= np || nb == 0 {
			out, err := o.finishProbe(tc)
			if err != nil || out != nil {
				return out, err
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
		out, err := o.matchPairs(tc, pi, bi)
		if err != nil || out != nil {
			return out, err
		}
	}
	return o.unmatchedBuild(tc)
}

func (o *nlJoinOp) Close() error { return o.close() }
