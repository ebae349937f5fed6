package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

func init() {
	RegisterNodePlanner(func(pp *PhysicalPlanner, n *planner.Generate) (Node, error) {
		child, err := pp.PlanChild(n.Input)
		if err != nil {
			return nil, err
		}
		arg, err := Compile(n.Arg, n.Input.Schema())
		if err != nil {
			return nil, err
		}
		return &GenerateExec{Child: child, Arg: arg, Outer: n.Outer, schema: n.Schema().Arrow()}, nil
	})
}

// GenerateExec explodes an ARRAY or VECTOR: one output row per element of Arg in each input
// row, holding the input row's columns followed by the element. A NULL or empty array gives
// no row, or with Outer one row with a NULL element.
//
// Partitioning: its child's (the input columns keep their ordinals, so hash keys stay
// valid). Order: preserved, elements in array order. Memory: one input batch at a time, plus
// two int32 index vectors of its output rows; output batches have at most tc.BatchSize rows.
// Input columns are gathered by take from the row indexes; the element column is a zero-copy
// slice of the array's child when the elements of the output batch are contiguous there (the
// usual case), else a take. Each input batch is released once its rows are all emitted.
type GenerateExec struct {
	Child  Node
	Arg    PhysExpr
	Outer  bool
	schema *arrow.Schema
}

func (g *GenerateExec) Schema() *arrow.Schema      { return g.schema }
func (g *GenerateExec) Children() []Node           { return []Node{g.Child} }
func (g *GenerateExec) Partitioning() Partitioning { return g.Child.Partitioning() }
func (g *GenerateExec) String() string {
	name := "explode"
	if g.Outer {
		name = "explode_outer"
	}
	return "Generate: " + name + "(" + g.Arg.String() + ")"
}

func (g *GenerateExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, g.Child, p)
	if err != nil {
		return nil, err
	}
	return &generateOp{node: g, child: child}, nil
}

type generateOp struct {
	node  *GenerateExec
	child Operator
	in    arrow.RecordBatch // the input batch being expanded; nil between batches
	list  arrow.Array       // Arg evaluated over in
	rows  []int32           // output row k comes from input row rows[k] ...
	elems []int32           // ... and holds element elems[k] of the list's child (-1: NULL)
	pos   int               // next output row to emit
}

func (o *generateOp) Open(tc *TaskContext) error { return Open(tc, o.child) }

func (o *generateOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	for o.in == nil || o.pos == len(o.rows) {
		o.drop()
		b, err := Next(tc, o.child)
		if err != nil || b == nil {
			return nil, err
		}
		list, err := o.node.Arg.Eval(tc, b)
		if err != nil {
			b.Release()
			return nil, err
		}
		o.in, o.list = b, list
		if err := o.expand(); err != nil {
			return nil, err
		}
	}
	return o.emit(tc)
}

// expand fills rows and elems for the current input batch. O(rows + elements).
func (o *generateOp) expand() error {
	offs, _, ok := udf.ListOffsets(o.list)
	if !ok {
		return errs.Internalf("generate: argument evaluated to %s", planner.TypeString(o.list.DataType()))
	}
	o.rows, o.elems, o.pos = o.rows[:0], o.elems[:0], 0
	for r := 0; r < o.list.Len(); r++ {
		start, end := offs[r], offs[r+1]
		if o.list.IsNull(r) || start == end {
			if o.node.Outer {
				o.rows, o.elems = append(o.rows, int32(r)), append(o.elems, -1)
			}
			continue
		}
		for j := start; j < end; j++ {
			o.rows, o.elems = append(o.rows, int32(r)), append(o.elems, j)
		}
	}
	return nil
}

// emit returns the next at most tc.BatchSize output rows.
func (o *generateOp) emit(tc *TaskContext) (arrow.RecordBatch, error) {
	from := o.pos
	to := min(len(o.rows), from+max(tc.BatchSize, 1))
	ncols := int(o.in.NumCols())
	cols := make([]arrow.Array, ncols+1)
	fail := func(err error) (arrow.RecordBatch, error) {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
		return nil, err
	}
	for i := 0; i < ncols; i++ {
		c, err := TakeArray(tc.Mem, o.in.Column(i), o.rows[from:to])
		if err != nil {
			return fail(err)
		}
		cols[i] = c
	}
	elem, err := o.elements(tc, o.elems[from:to])
	if err != nil {
		return fail(err)
	}
	cols[ncols] = elem
	out := array.NewRecordBatch(o.node.schema, cols, int64(to-from))
	for _, c := range cols {
		c.Release()
	}
	o.pos = to
	return out, nil
}

// elements returns the child elements at idx (-1: NULL): a slice when they are contiguous.
func (o *generateOp) elements(tc *TaskContext, idx []int32) (arrow.Array, error) {
	_, child, _ := udf.ListOffsets(o.list)
	if child.DataType().ID() == arrow.NULL {
		return array.NewNull(len(idx)), nil
	}
	contiguous := true
	for k, j := range idx {
		if j != idx[0]+int32(k) || j < 0 {
			contiguous = false
			break
		}
	}
	if contiguous {
		return array.NewSlice(child, int64(idx[0]), int64(idx[0])+int64(len(idx))), nil
	}
	b := array.NewInt32Builder(tc.Mem)
	defer b.Release()
	b.Reserve(len(idx))
	for _, j := range idx {
		if j < 0 {
			b.AppendNull()
		} else {
			b.UnsafeAppend(j)
		}
	}
	ia := b.NewInt32Array()
	defer ia.Release()
	return TakeByArray(tc.Mem, child, ia)
}

// drop releases the current input batch and its array.
func (o *generateOp) drop() {
	if o.in != nil {
		o.in.Release()
		o.list.Release()
		o.in, o.list = nil, nil
	}
}

func (o *generateOp) Close() error {
	o.drop()
	return Close(o.child)
}
