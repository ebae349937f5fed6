package exec

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/sql/planner"
)

func init() {
	RegisterNodePlanner(func(pp *PhysicalPlanner, n *planner.Expand) (Node, error) {
		child, err := pp.PlanChild(n.Input)
		if err != nil {
			return nil, err
		}
		projs := make([][]PhysExpr, len(n.Projections))
		for i, p := range n.Projections {
			if projs[i], err = compileAll(p, n.Input.Schema()); err != nil {
				return nil, err
			}
		}
		return NewExpandExec(child, projs, n.Schema().Arrow()), nil
	})
}

// ExpandExec emits every input batch once per projection, each time with that projection's
// columns computed over it (the Expand of grouping sets: keys outside a set are NULL
// literals, the grouping id a constant). Partitioning: the child's, hash partitioning only
// when every projection passes the hash key columns through to the same positions; order is
// not kept. It holds one input batch at a time, until its last projection has been emitted,
// and then releases it; column references share the input's buffers, so an output batch may
// outlive the input batch it was computed from. Batches of no rows are dropped.
type ExpandExec struct {
	Child       Node
	Projections [][]PhysExpr
	schema      *arrow.Schema
	part        Partitioning
}

// NewExpandExec builds the node; every projection has one expression per field of schema.
func NewExpandExec(child Node, projections [][]PhysExpr, schema *arrow.Schema) *ExpandExec {
	part := child.Partitioning()
	if part.Kind == HashPartitioning {
		keys := passedKeys(part.Keys, projections)
		if keys == nil {
			part = Partitioning{Kind: AnyPartitioning, N: part.N}
		} else {
			part = Partitioning{Kind: HashPartitioning, N: part.N, Keys: keys}
		}
	}
	return &ExpandExec{Child: child, Projections: projections, schema: schema, part: part}
}

// passedKeys returns, for each input column of keys, an output position to which every
// projection copies it, or nil when some key has none.
func passedKeys(keys []int, projections [][]PhysExpr) []int {
	out := make([]int, len(keys))
	for i, k := range keys {
		out[i] = -1
		for j := range projections[0] {
			all := true
			for _, p := range projections {
				c, ok := p[j].(*colExpr)
				all = all && ok && c.idx == k
			}
			if all {
				out[i] = j
				break
			}
		}
		if out[i] < 0 {
			return nil
		}
	}
	return out
}

func (e *ExpandExec) Schema() *arrow.Schema      { return e.schema }
func (e *ExpandExec) Children() []Node           { return []Node{e.Child} }
func (e *ExpandExec) Partitioning() Partitioning { return e.part }
func (e *ExpandExec) String() string {
	ps := make([]string, len(e.Projections))
	for i, p := range e.Projections {
		parts := make([]string, len(p))
		for j, x := range p {
			parts[j] = x.String()
		}
		ps[i] = "[" + strings.Join(parts, ", ") + "]"
	}
	return "Expand: " + strings.Join(ps, ", ")
}

func (e *ExpandExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, e.Child, p)
	if err != nil {
		return nil, err
	}
	return &expandOp{node: e, child: child}, nil
}

type expandOp struct {
	node  *ExpandExec
	child Operator
	in    arrow.RecordBatch // the batch being expanded; nil between batches
	next  int               // the projection to emit next from in
}

func (o *expandOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *expandOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for o.in == nil {
		b, err := Next(tc, o.child)
		if err != nil || b == nil {
			return nil, err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		o.in, o.next = b, 0
	}
	in, proj := o.in, o.node.Projections[o.next]
	o.next++
	if o.next == len(o.node.Projections) {
		defer in.Release()
		o.in = nil
	}
	cols := make([]arrow.Array, len(proj))
	for i, e := range proj {
		c, err := e.Eval(tc, in)
		if err != nil {
			for _, x := range cols[:i] {
				x.Release()
			}
			return nil, err
		}
		cols[i] = c
	}
	out := array.NewRecordBatch(o.node.schema, cols, in.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

func (o *expandOp) Close() error {
	if o.in != nil {
		o.in.Release()
		o.in = nil
	}
	return Close(o.child)
}
