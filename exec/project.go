package exec

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// ProjectExec computes Exprs over each batch. Partitioning and order: as its child's (hash
// keys are remapped by the physical planner when they survive). Each input batch is
// released after its outputs are computed; column references share the input's buffers.
type ProjectExec struct {
	Child  Node
	Exprs  []PhysExpr
	schema *arrow.Schema
	part   Partitioning
}

// NewProjectExec builds a projection whose output fields are given by schema.
func NewProjectExec(child Node, exprs []PhysExpr, schema *arrow.Schema) *ProjectExec {
	part := child.Partitioning()
	if part.Kind == HashPartitioning {
		// Keep hash partitioning only if every key column passes through.
		var keys []int
		for _, k := range part.Keys {
			found := -1
			for i, e := range exprs {
				if c, ok := e.(*colExpr); ok && c.idx == k {
					found = i
					break
				}
			}
			if found < 0 {
				keys = nil
				break
			}
			keys = append(keys, found)
		}
		if keys == nil {
			part = Partitioning{Kind: AnyPartitioning, N: part.N}
		} else {
			part = Partitioning{Kind: HashPartitioning, N: part.N, Keys: keys}
		}
	}
	return &ProjectExec{Child: child, Exprs: exprs, schema: schema, part: part}
}

func (p *ProjectExec) Schema() *arrow.Schema      { return p.schema }
func (p *ProjectExec) Children() []Node           { return []Node{p.Child} }
func (p *ProjectExec) Partitioning() Partitioning { return p.part }
func (p *ProjectExec) String() string {
	parts := make([]string, len(p.Exprs))
	for i, e := range p.Exprs {
		parts[i] = e.String() + " AS " + p.schema.Field(i).Name
	}
	return "Project: " + strings.Join(parts, ", ")
}

func (p *ProjectExec) Execute(tc *TaskContext, part int) (Operator, error) {
	child, err := Build(tc, p.Child, part)
	if err != nil {
		return nil, err
	}
	return &projectOp{node: p, child: child}, nil
}

type projectOp struct {
	node  *ProjectExec
	child Operator
}

func (o *projectOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *projectOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	b, err := Next(tc, o.child)
	if err != nil || b == nil {
		return nil, err
	}
	defer b.Release()
	cols := make([]arrow.Array, len(o.node.Exprs))
	for i, e := range o.node.Exprs {
		c, err := e.Eval(tc, b)
		if err != nil {
			for _, x := range cols[:i] {
				x.Release()
			}
			return nil, err
		}
		cols[i] = c
	}
	out := array.NewRecordBatch(o.node.schema, cols, b.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

func (o *projectOp) Close() error { return Close(o.child) }
