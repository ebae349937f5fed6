package exec

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/kernels"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

func init() {
	RegisterNodePlanner(func(pp *PhysicalPlanner, a *planner.Apply) (Node, error) {
		child, err := pp.PlanChild(a.Input)
		if err != nil {
			return nil, err
		}
		in := a.Input.Schema()
		var outer []planner.Column
		var ords []int
		for id, c := range planner.OuterRefsOf(a.Subquery) {
			if i := in.IndexOf(id); i >= 0 {
				outer, ords = append(outer, c), append(ords, i)
			}
		}
		return &ApplyExec{Child: child, Sub: a.Subquery, Kind: a.Kind, Outer: outer, Ordinals: ords,
			Funcs: pp.Funcs, schema: a.Schema().Arrow()}, nil
	})
}

// ApplyExec runs a correlated subquery (a logical plan reading the child's columns through
// OuterRef) for each distinct combination of the outer values of the child's rows, and
// appends its result as a column (see planner.Apply for the three kinds). Each run
// substitutes the values as literals, plans the subquery in one partition and runs it to
// the end; results are memoized per combination within a task. Cost: one planning and run
// per distinct outer combination, so it is the fallback for what decorrelation cannot do.
type ApplyExec struct {
	Child    Node
	Sub      planner.Plan
	Kind     planner.SubqueryKind
	Outer    []planner.Column // the outer columns the subquery reads
	Ordinals []int            // their positions in the child's schema
	// Funcs is the session's registry, for the partition functions the subquery calls.
	Funcs  *udf.Registry
	schema *arrow.Schema
}

func (a *ApplyExec) Schema() *arrow.Schema      { return a.schema }
func (a *ApplyExec) Children() []Node           { return []Node{a.Child} }
func (a *ApplyExec) Partitioning() Partitioning { return a.Child.Partitioning() }
func (a *ApplyExec) String() string {
	kind := map[planner.SubqueryKind]string{planner.ScalarSubquery: "scalar", planner.ExistsSubquery: "exists", planner.AnySubquery: "any"}[a.Kind]
	names := make([]string, len(a.Outer))
	for i, c := range a.Outer {
		names[i] = c.QualifiedName()
	}
	return fmt.Sprintf("Apply: %s per (%s)", kind, strings.Join(names, ", "))
}

func (a *ApplyExec) Execute(tc *TaskContext, p int) (Operator, error) {
	child, err := Build(tc, a.Child, p)
	if err != nil {
		return nil, err
	}
	return &applyOp{node: a, child: child, memo: map[string]any{}}, nil
}

type applyOp struct {
	node  *ApplyExec
	child Operator
	memo  map[string]any
}

func (o *applyOp) Open(tc *TaskContext) error { return Open(tc, o.child) }
func (o *applyOp) Close() error               { return Close(o.child) }

func (o *applyOp) Next(tc *TaskContext) (arrow.RecordBatch, error) {
	b, err := Next(tc, o.child)
	if err != nil || b == nil {
		return nil, err
	}
	defer b.Release()
	outType := o.node.schema.Field(o.node.schema.NumFields() - 1).Type
	n := int(b.NumRows())
	parts := make([]arrow.Array, 0, n)
	defer func() {
		for _, x := range parts {
			x.Release()
		}
	}()
	vals := make([]any, len(o.node.Ordinals))
	for i := 0; i < n; i++ {
		for k, ord := range o.node.Ordinals {
			vals[k] = kernels.ScalarAt(b.Column(ord), i)
		}
		key := fmt.Sprintf("%#v", vals)
		v, ok := o.memo[key]
		if !ok {
			if v, err = o.run(tc, vals); err != nil {
				return nil, err
			}
			o.memo[key] = v
		}
		c, err := kernels.MakeConstant(tc.Mem, v, outType, 1)
		if err != nil {
			return nil, err
		}
		parts = append(parts, c)
	}
	cols := append([]arrow.Array(nil), b.Columns()...)
	var res arrow.Array
	if n == 0 {
		res = array.MakeArrayOfNull(tc.Mem, outType, 0)
	} else if res, err = array.Concatenate(parts, tc.Mem); err != nil {
		return nil, err
	}
	defer res.Release()
	return array.NewRecordBatch(o.node.schema, append(cols, res), int64(n)), nil
}

// run evaluates the subquery with the outer columns bound to vals.
func (o *applyOp) run(tc *TaskContext, vals []any) (any, error) {
	lits := make(map[planner.ColumnID]planner.Expr, len(vals))
	for k, c := range o.node.Outer {
		lits[c.ID] = planner.NewLiteral(vals[k], c.Type)
	}
	sub, err := planner.TransformUp(o.node.Sub, func(p planner.Plan) (planner.Plan, error) {
		return planner.TransformExprs(p, func(e planner.Expr) (planner.Expr, error) {
			if r, ok := e.(*planner.OuterRef); ok {
				if l, ok := lits[r.Col.ID]; ok {
					return l, nil
				}
			}
			return e, nil
		})
	})
	if err != nil {
		return nil, errs.Wrap(errs.ErrInternal, err, "binding a correlated subquery")
	}
	pp := &PhysicalPlanner{Partitions: 1, Ctx: tc.Ctx, Funcs: o.node.Funcs}
	root, err := pp.Plan(sub)
	if err != nil {
		return nil, err
	}
	// parent: the subquery's task hooks (accumulator updates) commit with this task.
	ex, err := Run(tc.Ctx, root, Config{Parallelism: 1, BatchSize: tc.BatchSize, Mem: tc.Mem, parent: tc})
	if err != nil {
		return nil, err
	}
	defer ex.Release()
	rows := 0
	var first any
	sawNull := false
	for _, rb := range ex.Batches {
		for i := 0; i < int(rb.NumRows()); i++ {
			rows++
			switch o.node.Kind {
			case planner.ScalarSubquery:
				if rows > 1 {
					return nil, errs.Execf("a scalar subquery returned more than one row")
				}
				first = kernels.ScalarAt(rb.Column(0), i)
			case planner.ExistsSubquery:
				return true, nil
			case planner.AnySubquery:
				switch v := kernels.ScalarAt(rb.Column(0), i); v {
				case true:
					return true, nil
				case nil:
					sawNull = true
				}
			}
		}
	}
	switch o.node.Kind {
	case planner.ExistsSubquery:
		return false, nil
	case planner.AnySubquery:
		if sawNull {
			return nil, nil
		}
		return false, nil
	}
	return first, nil
}
