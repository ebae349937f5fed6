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

// Execute hands the predicate to the scan right below, when there is one and the predicate
// calls no registered function (scan_filter.go): the scan then filters the rows as it reads
// them, decoding the columns the predicate does not read for the rows kept only, and this
// operator passes its batches on.
func (f *FilterExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, f.Child, p)
	if err != nil {
		return nil, err
	}
	if s, ok := f.Child.(*ScanExec); ok {
		if in, ok := child.(*instrumented); ok {
			if so, ok := in.op.(*scanOp); ok && so.pred == nil {
				if sp := newScanPredicate(f.Pred, s.Schema()); sp != nil {
					so.pred = sp
					return &filterOp{node: f, child: child, inScan: true}, nil
				}
			}
		}
	}
	return &filterOp{node: f, child: child}, nil
}

type filterOp struct {
	node  *FilterExec
	child Operator
	// inScan: the scan below applies the predicate; its batches pass on as they are.
	inScan bool
}

func (o *filterOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *filterOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for {
		b, err := Next(tc, o.child)
		if err != nil || b == nil {
			return nil, err
		}
		if o.inScan {
			return b, nil
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
