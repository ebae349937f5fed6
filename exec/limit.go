package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// LimitExec skips Offset rows of each partition and returns at most Count (< 0: all) after
// them. The physical planner uses it twice: per partition with Offset 0 and Count
// offset+count (a local limit), then after a single exchange with the real bounds. Order:
// preserved. Output batches are zero-copy slices of the input.
type LimitExec struct {
	Child  Node
	Offset int64
	Count  int64
}

func (l *LimitExec) Schema() *arrow.Schema      { return l.Child.Schema() }
func (l *LimitExec) Children() []Node           { return []Node{l.Child} }
func (l *LimitExec) Partitioning() Partitioning { return l.Child.Partitioning() }
func (l *LimitExec) String() string {
	return fmt.Sprintf("Limit: offset=%d count=%d", l.Offset, l.Count)
}

func (l *LimitExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, l.Child, p)
	if err != nil {
		return nil, err
	}
	return &limitOp{child: child, skip: l.Offset, left: l.Count}, nil
}

type limitOp struct {
	child Operator
	skip  int64
	left  int64 // < 0: unlimited
}

func (o *limitOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *limitOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		if o.left == 0 {
			return nil, nil
		}
		b, err := Next(tc, o.child)
		if err != nil || b == nil {
			return nil, err
		}
		n := b.NumRows()
		if o.skip >= n {
			o.skip -= n
			b.Release()
			continue
		}
		from, to := o.skip, n
		o.skip = 0
		if o.left >= 0 && to-from > o.left {
			to = from + o.left
		}
		if o.left >= 0 {
			o.left -= to - from
		}
		if from == 0 && to == n {
			return b, nil
		}
		out := b.NewSlice(from, to)
		b.Release()
		return out, nil
	}
}

func (o *limitOp) Close() error { return Close(o.child) }
