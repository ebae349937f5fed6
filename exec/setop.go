package exec

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/hashtable"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

func init() {
	RegisterNodePlanner(func(pp *PhysicalPlanner, n *planner.SetOp) (Node, error) {
		left, err := pp.PlanChild(n.Left)
		if err != nil {
			return nil, err
		}
		right, err := pp.PlanChild(n.Right)
		if err != nil {
			return nil, err
		}
		return NewSetOpExec(left, right, n.Kind, n.All, n.Schema().Arrow(), pp.Partitions)
	})
}

// SetOpExec is INTERSECT [ALL] or EXCEPT [ALL] of two inputs whose columns have the same
// types (the binder casts them). Rows are compared whole, NULL equal to NULL.
//
// Partitioning: equal rows of both sides must meet in one partition, so both inputs are
// hash-partitioned on all their columns into the same number of partitions (or both are
// single); the output keeps the left's partitioning. Order: the left's, within a partition.
//
// Memory: each partition builds a hashtable.GroupMap of the distinct rows of its right
// input with a count per row, and adds the distinct rows of its left input to it as they
// stream by (Go memory, about 40 to 64 bytes plus the encoded row per distinct row). The
// left input is streamed: each left batch is filtered (a new batch, or the batch itself
// relabelled when every row stays) and released.
type SetOpExec struct {
	Left, Right Node
	Kind        planner.SetOpKind
	All         bool
	schema      *arrow.Schema
}

// NewSetOpExec builds the operator over left and right, adding hash exchanges on all
// columns into partitions partitions unless both inputs are single-partition. schema is the
// output schema (the inputs' types, the output's names). A column type the hash table
// cannot compare is a not-implemented error.
func NewSetOpExec(left, right Node, kind planner.SetOpKind, all bool, schema *arrow.Schema, partitions int) (*SetOpExec, error) {
	if kind != planner.Intersect && kind != planner.Except {
		return nil, errs.Internalf("set operation of unknown kind %q", kind)
	}
	n := schema.NumFields()
	if left.Schema().NumFields() != n || right.Schema().NumFields() != n {
		return nil, errs.Internalf("%s: inputs have %d and %d columns, output %d", kind, left.Schema().NumFields(), right.Schema().NumFields(), n)
	}
	types := make([]arrow.DataType, n)
	for i := range types {
		types[i] = schema.Field(i).Type
		lt, rt := left.Schema().Field(i).Type, right.Schema().Field(i).Type
		if !arrow.TypeEqual(lt, types[i]) || !arrow.TypeEqual(rt, types[i]) {
			return nil, errs.Internalf("%s column %d: inputs have types %s and %s, output %s", kind, i+1, lt, rt, types[i])
		}
	}
	if err := hashtable.CheckKeyTypes(types); err != nil {
		return nil, errs.Wrap(errs.ErrNotImplemented, err, "%s of rows with these column types", kind)
	}
	if left.Partitioning().N != 1 || right.Partitioning().N != 1 {
		keys := make([]int, n)
		for i := range keys {
			keys[i] = i
		}
		target := Partitioning{Kind: HashPartitioning, N: max(partitions, 1), Keys: keys}
		left, right = NewExchange(left, target), NewExchange(right, target)
	}
	return &SetOpExec{Left: left, Right: right, Kind: kind, All: all, schema: schema}, nil
}

func (s *SetOpExec) Schema() *arrow.Schema      { return s.schema }
func (s *SetOpExec) Children() []Node           { return []Node{s.Left, s.Right} }
func (s *SetOpExec) Partitioning() Partitioning { return s.Left.Partitioning() }
func (s *SetOpExec) String() string {
	if s.All {
		return fmt.Sprintf("SetOp: %s all", s.Kind)
	}
	return fmt.Sprintf("SetOp: %s distinct", s.Kind)
}

func (s *SetOpExec) Execute(tc *TaskContext, p int) (Operator, error) {
	left, err := Build(tc, s.Left, p)
	if err != nil {
		return nil, err
	}
	right, err := Build(tc, s.Right, p)
	if err != nil {
		return nil, err
	}
	return &setOpOp{node: s, left: left, right: right}, nil
}

// setOpOp runs one partition. counts[g] is, for the distinct row with group id g, how many
// of its right copies are still unmatched (INTERSECT) or still to subtract (EXCEPT); rows
// seen only on the left have count 0. The distinct forms also use the count to emit a row
// once: INTERSECT zeroes it on output, EXCEPT sets it to 1.
type setOpOp struct {
	node        *SetOpExec
	left, right Operator
	groups      *hashtable.GroupMap
	counts      []int64
	ids         []uint32
	keep        []int32
	built       bool
	done        bool
}

func (o *setOpOp) Open(tc *TaskContext) error {
	if err := Open(tc, o.left); err != nil {
		return err
	}
	if err := Open(tc, o.right); err != nil {
		return err
	}
	types := make([]arrow.DataType, o.node.schema.NumFields())
	for i := range types {
		types[i] = o.node.schema.Field(i).Type
	}
	o.groups = hashtable.NewGroupMap(types, tc.Mem)
	return nil
}

// insert adds the rows of b to the group map and returns their group ids (valid until the
// next call), growing counts to cover new groups.
func (o *setOpOp) insert(b arrow.RecordBatch) ([]uint32, error) {
	n := int(b.NumRows())
	if cap(o.ids) < n {
		o.ids = make([]uint32, n)
	}
	ids := o.ids[:n]
	if err := o.groups.Insert(b.Columns(), ids); err != nil {
		return nil, err
	}
	for len(o.counts) < o.groups.Len() {
		o.counts = append(o.counts, 0)
	}
	return ids, nil
}

// build counts the rows of the right input.
func (o *setOpOp) build(tc *TaskContext) error {
	for {
		b, err := Next(tc, o.right)
		if err != nil || b == nil {
			return err
		}
		ids, err := o.insert(b)
		b.Release()
		if err != nil {
			return err
		}
		for _, g := range ids {
			o.counts[g]++
		}
	}
}

func (o *setOpOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	if o.done {
		return nil, nil
	}
	if !o.built {
		o.built = true
		if err := o.build(tc); err != nil {
			return nil, err
		}
		if o.node.Kind == planner.Intersect && o.groups.Len() == 0 {
			o.done = true // nothing to meet: the left side need not be read
			return nil, nil
		}
	}
	intersect, all := o.node.Kind == planner.Intersect, o.node.All
	for {
		b, err := Next(tc, o.left)
		if err != nil {
			return nil, err
		}
		if b == nil {
			o.done = true
			return nil, nil
		}
		ids, err := o.insert(b)
		if err != nil {
			b.Release()
			return nil, err
		}
		keep := o.keep[:0]
		for i, g := range ids {
			c := &o.counts[g]
			switch {
			case intersect && *c > 0:
				keep = append(keep, int32(i))
				if all {
					*c--
				} else {
					*c = 0
				}
			case !intersect && *c == 0:
				keep = append(keep, int32(i))
				if !all {
					*c = 1
				}
			case !intersect && all:
				*c--
			}
		}
		o.keep = keep
		switch len(keep) {
		case 0:
			b.Release()
			continue
		case int(b.NumRows()):
			out := array.NewRecordBatch(o.node.schema, b.Columns(), b.NumRows())
			b.Release()
			return out, nil
		}
		taken, err := TakeRows(tc.Mem, b, keep)
		b.Release()
		if err != nil {
			return nil, err
		}
		out := array.NewRecordBatch(o.node.schema, taken.Columns(), taken.NumRows())
		taken.Release()
		return out, nil
	}
}

func (o *setOpOp) Close() error {
	if o.groups != nil {
		o.groups.Release()
		o.groups = nil
	}
	o.counts = nil
	err := Close(o.left)
	if rerr := Close(o.right); err == nil {
		err = rerr
	}
	return err
}
