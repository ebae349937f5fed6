package exec

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec/kernels"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// PhysExpr is a compiled expression: it evaluates over a whole batch at once.
// Eval returns a new array of b.NumRows() rows owned by the caller; b stays the caller's.
type PhysExpr interface {
	Eval(tc *TaskContext, b arrow.RecordBatch) (arrow.Array, error)
	Type() arrow.DataType
	String() string
}

// Compile turns a bound logical expression into a physical one over a batch whose columns
// are the given schema (column references become ordinals).
func Compile(e planner.Expr, input planner.Schema) (PhysExpr, error) {
	switch x := e.(type) {
	case *planner.ColumnRef:
		i := input.IndexOf(x.Col.ID)
		if i < 0 {
			return nil, errs.Internalf("column %s not found in input [%s]", x.Col.QualifiedName(), input)
		}
		return &colExpr{idx: i, typ: x.Col.Type, name: x.Col.Name}, nil
	case *planner.Literal:
		return &litExpr{val: x.Value, typ: x.Typ}, nil
	}
	kids := e.Children()
	args := make([]PhysExpr, len(kids))
	for i, k := range kids {
		c, err := Compile(k, input)
		if err != nil {
			return nil, err
		}
		args[i] = c
	}
	var f func(tc *TaskContext, in []arrow.Array, n int) (arrow.Array, error)
	switch x := e.(type) {
	case *planner.Binary:
		switch {
		case x.Op == planner.OpAnd:
			f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
				return kernels.And(tc.Mem, in[0], in[1])
			}
		case x.Op == planner.OpOr:
			f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
				return kernels.Or(tc.Mem, in[0], in[1])
			}
		case x.Op.IsComparison():
			f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
				return kernels.Compare(tc.Mem, x.Op, in[0], in[1])
			}
		case x.Op.IsArithmetic():
			f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
				return kernels.Arith(tc.Mem, x.Op, in[0], in[1], x.Typ)
			}
		default:
			return nil, errs.NotImplementedf("operator %s", x.Op)
		}
	case *planner.Not:
		f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) { return kernels.Not(tc.Mem, in[0]) }
	case *planner.Negate:
		f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
			return kernels.Negate(tc.Mem, in[0])
		}
	case *planner.IsNull:
		f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
			return kernels.IsNull(tc.Mem, in[0], x.Negated)
		}
	case *planner.Cast:
		f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
			return kernels.Cast(tc.Mem, in[0], x.To)
		}
	case *planner.AddInterval:
		f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
			return kernels.AddInterval(tc.Mem, in[0], x.Months, x.Days, x.Micros)
		}
	case *planner.InList:
		f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
			return kernels.InList(tc.Mem, in[0], in[1:], x.Negated)
		}
	case *planner.Like:
		lit, ok := x.Pattern.(*planner.Literal)
		if !ok {
			return nil, errs.NotImplementedf("LIKE with a non-constant pattern: %s", x.Pattern)
		}
		if lit.Value == nil {
			return &litExpr{val: nil, typ: planner.Boolean}, nil
		}
		pat, _ := lit.Value.(string)
		escape := x.Escape
		f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
			return kernels.Like(tc.Mem, in[0], pat, escape, x.Negated)
		}
		args = args[:1]
	case *planner.Case:
		nw := len(x.Whens)
		hasElse := x.Else != nil
		f = func(tc *TaskContext, in []arrow.Array, _ int) (arrow.Array, error) {
			conds := make([]arrow.Array, nw)
			thens := make([]arrow.Array, nw)
			for i := range nw {
				conds[i], thens[i] = in[2*i], in[2*i+1]
			}
			var els arrow.Array
			if hasElse {
				els = in[2*nw]
			}
			return kernels.CaseWhen(tc.Mem, conds, thens, els, x.Typ)
		}
	case *planner.ScalarFunc:
		fn := x.Fn
		f = func(tc *TaskContext, in []arrow.Array, n int) (arrow.Array, error) {
			return fn.Eval(tc.Ctx, tc.Mem, in, n)
		}
	default:
		return nil, errs.NotImplementedf("expression %T in execution: %s", e, e)
	}
	_, isFn := e.(*planner.ScalarFunc)
	return &callExpr{args: args, f: f, typ: e.Type(), text: e.String(), fn: isFn}, nil
}

type colExpr struct {
	idx  int
	typ  arrow.DataType
	name string
}

func (c *colExpr) Eval(tc *TaskContext, b arrow.RecordBatch) (arrow.Array, error) {
	a := b.Column(c.idx)
	a.Retain()
	return a, nil
}
func (c *colExpr) Type() arrow.DataType { return c.typ }
func (c *colExpr) String() string       { return fmt.Sprintf("#%d", c.idx) }

type litExpr struct {
	val any
	typ arrow.DataType
	// last is the constant array of the longest length asked for so far, shared by every
	// task and batch (arrays are immutable; each Eval hands out a new reference or a
	// slice): a literal costs one array per new maximum length, not one per batch. Its buffers come from the Go allocator, so
	// they belong to no task's accounting and the garbage collector frees them once no
	// batch and no expression refers to them (a replaced array is not released, since
	// another task may be retaining it).
	last atomic.Pointer[litArray]
}

type litArray struct {
	n int
	a arrow.Array
}

func (l *litExpr) Eval(tc *TaskContext, b arrow.RecordBatch) (arrow.Array, error) {
	n := int(b.NumRows())
	if c := l.last.Load(); c != nil && c.n >= n {
		if c.n == n {
			c.a.Retain()
			return c.a, nil
		}
		// A shorter batch (after a filter, a row group's tail) reads a slice of it.
		return array.NewSlice(c.a, 0, int64(n)), nil
	}
	a, err := kernels.MakeConstant(memory.DefaultAllocator, l.val, l.typ, n)
	if err != nil {
		return nil, err
	}
	a.Retain() // one reference for the cache, one for the caller
	l.last.Store(&litArray{n: n, a: a})
	return a, nil
}
func (l *litExpr) Type() arrow.DataType { return l.typ }
func (l *litExpr) String() string       { return planner.FormatValue(l.val, l.typ, true) }

type callExpr struct {
	args []PhysExpr
	f    func(tc *TaskContext, in []arrow.Array, n int) (arrow.Array, error)
	typ  arrow.DataType
	text string
	// fn: a function of the registry (builtin or user-defined), not an operator of the
	// language; scans do not evaluate those early (pushedColumns).
	fn bool
}

func (c *callExpr) Eval(tc *TaskContext, b arrow.RecordBatch) (arrow.Array, error) {
	in := make([]arrow.Array, len(c.args))
	defer func() {
		for _, a := range in {
			if a != nil {
				a.Release()
			}
		}
	}()
	for i, a := range c.args {
		v, err := a.Eval(tc, b)
		if err != nil {
			return nil, err
		}
		in[i] = v
	}
	out, err := c.f(tc, in, int(b.NumRows()))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.text, err)
	}
	return out, nil
}
func (c *callExpr) Type() arrow.DataType { return c.typ }
func (c *callExpr) String() string       { return c.text }

// EvalConstant evaluates an expression without column references to a literal, using the
// same kernels as execution. The optimizer's constant folding calls it (injected by the
// session), so folding and execution cannot disagree.
func EvalConstant(e planner.Expr) (*planner.Literal, error) {
	pe, err := Compile(e, nil)
	if err != nil {
		return nil, err
	}
	mem := memory.DefaultAllocator
	one := array.NewRecordBatch(arrow.NewSchema(nil, nil), nil, 1)
	defer one.Release()
	tc := &TaskContext{Ctx: context.Background(), Mem: mem, BatchSize: 1}
	a, err := pe.Eval(tc, one)
	if err != nil {
		return nil, err
	}
	defer a.Release()
	return planner.NewLiteral(kernels.ScalarAt(a, 0), e.Type()), nil
}
