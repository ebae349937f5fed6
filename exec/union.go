package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// UnionExec is UNION ALL: its partitions are its children's partitions side by side
// (partition p is partition p-k of the child whose range holds p). No data moves; batches
// pass through, relabelled with the union's schema.
type UnionExec struct {
	Inputs []Node
	schema *arrow.Schema
}

// NewUnionExec builds a union whose output fields are given by schema.
func NewUnionExec(inputs []Node, schema *arrow.Schema) *UnionExec {
	return &UnionExec{Inputs: inputs, schema: schema}
}

func (u *UnionExec) Schema() *arrow.Schema { return u.schema }
func (u *UnionExec) Children() []Node      { return u.Inputs }
func (u *UnionExec) Partitioning() Partitioning {
	n := 0
	for _, c := range u.Inputs {
		n += c.Partitioning().N
	}
	return Partitioning{Kind: AnyPartitioning, N: n}
}
func (u *UnionExec) String() string { return "Union: all" }

func (u *UnionExec) Execute(tc *TaskContext, p int) (Operator, error) {
	for _, c := range u.Inputs {
		n := c.Partitioning().N
		if p < n {
			child, err := Build(tc, c, p)
			if err != nil {
				return nil, err
			}
			return &relabelOp{child: child, schema: u.schema}, nil
		}
		p -= n
	}
	return &emptyOp{}, nil
}

// relabelOp passes batches through under another schema (same types, other names).
type relabelOp struct {
	child  Operator
	schema *arrow.Schema
}

func (o *relabelOp) Open(tc *TaskContext) error { return Open(tc, o.child) }
func (o *relabelOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	b, err := Next(tc, o.child)
	if err != nil || b == nil {
		return nil, err
	}
	out := array.NewRecordBatch(o.schema, b.Columns(), b.NumRows())
	b.Release()
	return out, nil
}
func (o *relabelOp) Close() error { return Close(o.child) }

type emptyOp struct{}

func (emptyOp) Open(*TaskContext) error                      { return nil }
func (emptyOp) Next(*TaskContext) (arrow.RecordBatch, error) { return nil, nil }
func (emptyOp) Close() error                                 { return nil }
