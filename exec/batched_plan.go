package exec

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// withBatchedCalls moves every call of a udf.BatchedFunction in exprs (over child, whose
// logical schema is in) into a BatchedCallExec stacked on child, and rewrites the call into a
// reference to the column that operator appends:
//
//	Project: (predict(features) > 0.5) AS hit      Project: (predict(features) > 0.5) AS hit
//	  Scan: t                                  →     BatchedCall: predict(features) batch=4096 concurrency=4
//	                                                   Scan: t
//
// It returns the new child, its logical schema (in and one column per call, under a fresh
// ID, named by the call's text, so the rewritten expressions print as before) and the
// rewritten expressions; with no batched call, its arguments unchanged. Calls are taken
// bottom-up, one operator each: a batched call inside another's arguments gets the lower
// operator, and the outer call reads its column. The Project, Filter or argument
// projection above reads the call's column instead of calling the function; a Filter
// drops the columns afterwards (keepColumns). A call repeated within one node is
// evaluated once per occurrence: CommonSubexpressionElimination has already hoisted
// repeats into a Project of their own. Calls elsewhere (sort keys, join conditions, window
// arguments) are evaluated by the ordinary evaluator, one call per batch.
//
// Cost: O(size of exprs) when no batched function is called.
func withBatchedCalls(child Node, in planner.Schema, exprs []planner.Expr) (Node, planner.Schema, []planner.Expr, error) {
	found := false
	for _, e := range exprs {
		planner.WalkExpr(e, func(x planner.Expr) bool {
			if !found {
				_, found = batchedFunc(x)
			}
			return !found
		})
	}
	if !found {
		return child, in, exprs, nil
	}
	in = append(planner.Schema(nil), in...) // never append into the caller's schema
	out := make([]planner.Expr, len(exprs))
	for i, e := range exprs {
		r, err := planner.TransformExprUp(e, func(x planner.Expr) (planner.Expr, error) {
			fn, ok := batchedFunc(x)
			if !ok {
				return x, nil
			}
			call := x.(*planner.ScalarFunc)
			args, err := compileAll(call.Args, in)
			if err != nil {
				return nil, err
			}
			// Inner calls are column references named by their text by now, so the text
			// is the call's original one.
			text := call.String()
			child = NewBatchedCallExec(child, fn, args, text, call.Typ)
			col := planner.NewColumn(text, "", call.Typ, true)
			in = append(in, col)
			return planner.NewColumnRef(col), nil
		})
		if err != nil {
			return nil, nil, nil, err
		}
		out[i] = r
	}
	return child, in, out, nil
}

// batchedFunc returns the batched function e calls, if e is a call of one.
func batchedFunc(e planner.Expr) (udf.BatchedFunction, bool) {
	f, ok := e.(*planner.ScalarFunc)
	if !ok {
		return nil, false
	}
	bf, ok := f.Fn.(udf.BatchedFunction)
	return bf, ok
}

// keepColumns returns n with only its first keep columns: a projection that drops the
// columns BatchedCallExecs appended under a Filter, or n itself when it has no others.
func keepColumns(n Node, keep int) Node {
	s := n.Schema()
	if s.NumFields() == keep {
		return n
	}
	exprs := make([]PhysExpr, keep)
	for i := range keep {
		f := s.Field(i)
		exprs[i] = &colExpr{idx: i, typ: f.Type, name: f.Name}
	}
	md := s.Metadata()
	return NewProjectExec(n, exprs, arrow.NewSchema(s.Fields()[:keep], &md))
}
