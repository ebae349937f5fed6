package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// FilterExec keeps the rows for which Pred is true. Partitioning and order: as its child's.
// Each output batch is a new batch; the input batch is released after filtering, and a batch
// whose rows all pass is handed on as it is.
type FilterExec struct {
	Child Node
	Pred  PhysExpr
}

func (f *FilterExec) Schema() *arrow.Schema      { return f.Child.Schema() }
func (f *FilterExec) Children() []Node           { return []Node{f.Child} }
func (f *FilterExec) Partitioning() Partitioning { return f.Child.Partitioning() }
func (f *FilterExec) String() string             { return "Filter: " + f.Pred.String() }

func (f *FilterExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, f.Child, p)
	if err != nil {
		return nil, err
	}
	return &filterOp{node: f, child: child}, nil
}

type filterOp struct {
	node  *FilterExec
	child Operator
}

func (o *filterOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *filterOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		b, err := Next(tc, o.child)
		if err != nil || b == nil {
			return nil, err
		}
		mask, err := o.node.Pred.Eval(tc, b)
		if err != nil {
			b.Release()
			return nil, err
		}
		trues := countTrue(mask)
		if trues == int(b.NumRows()) {
			mask.Release()
			return b, nil
		}
		if trues == 0 {
			mask.Release()
			b.Release()
			continue
		}
		out, err := FilterBatch(tc.Mem, b, mask)
		mask.Release()
		b.Release()
		return out, err
	}
}

func (o *filterOp) Close() error { return Close(o.child) }
