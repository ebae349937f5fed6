package optimizer

import (
	"strconv"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// CommonSubexpressionElimination computes an expression that a Project, Filter or
// Aggregate evaluates more than once a single time, in a Project below it, and reads the
// result by column (TPC-H Q1's l_extendedprice * (1 - l_discount), used by two sums):
//
//	Aggregate: aggs=[sum((p * (1 - d))), sum(((p * (1 - d)) * (1 + t)))]
//	  Scan: lineitem                                       →
//
//	Aggregate: aggs=[sum(cse1), sum((cse1 * (1 + t)))]
//	  Project: lineitem.p, lineitem.d, lineitem.t, (p * (1 - d)) AS cse1
//	    Scan: lineitem
//
// In a Project the expressions are its projections, in a Filter its condition (a Project
// on top then drops the new column, so the schema is unchanged), in an Aggregate its group
// keys and the arguments of its calls. A subexpression qualifies when it occurs at least
// twice, at least once where it is always evaluated (not only inside a CASE branch or the
// right operand of AND/OR, which a short-circuiting evaluator may skip, so that hoisting
// never evaluates it on rows where the query did not), is deterministic, reads no subquery
// or outer reference, and is not cheap (a column, a literal, or IS NULL, NOT or negation
// of one). The largest qualifying subexpression goes first, then the search repeats on the
// rewritten expressions; the new Project is searched in turn. The Project below passes
// every input column on; ProjectionPruning, which runs after, drops the unread ones.
//
// It runs once, after the fixed-point batch: FilterPushdown would substitute the column
// back into a filter it moves below the new Project.
//
// Refuses: rand() * 2 twice (two draws); a + 1 only inside two CASE branches (evaluating it
// for every row could raise an error the query never raises); a repeated column or literal.
type CommonSubexpressionElimination struct{}

// Name implements Rule.
func (CommonSubexpressionElimination) Name() string { return "CommonSubexpressionElimination" }

// Apply implements Rule.
func (CommonSubexpressionElimination) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	h := &hoister{}
	np, err := planner.TransformUp(p, func(n planner.Plan) (planner.Plan, error) {
		switch x := n.(type) {
		case *planner.Project:
			return h.project(x)
		case *planner.Filter:
			return h.filter(x)
		case *planner.Aggregate:
			return h.aggregate(x)
		}
		return n, nil
	})
	return np, errs.Wrap(errs.ErrInternal, err, "")
}

// hoister numbers the columns it creates (cse1, cse2, ...) across one application of the
// rule, so that EXPLAIN tells them apart.
type hoister struct{ n int }

// project rewrites a Project, and the Project it puts below, until no expression repeats.
func (h *hoister) project(p *planner.Project) (planner.Plan, error) {
	exprs, lower, err := h.hoist(p.Input, p.Projections)
	if err != nil || lower == nil {
		return p, err
	}
	return planner.NewProject(lower, exprs, p.Out)
}

func (h *hoister) filter(f *planner.Filter) (planner.Plan, error) {
	exprs, lower, err := h.hoist(f.Input, []planner.Expr{f.Cond})
	if err != nil || lower == nil {
		return f, err
	}
	nf, err := planner.NewFilter(lower, exprs[0])
	if err != nil {
		return nil, err
	}
	return planner.NewProject(nf, columnRefs(f.Input.Schema()), f.Input.Schema())
}

func (h *hoister) aggregate(a *planner.Aggregate) (planner.Plan, error) {
	// The group keys, then each call's children (hoisting from inside the calls).
	flat := append([]planner.Expr(nil), a.GroupBy...)
	for _, ac := range a.Aggs {
		flat = append(flat, ac.Children()...)
	}
	exprs, lower, err := h.hoist(a.Input, flat)
	if err != nil || lower == nil {
		return a, err
	}
	g := len(a.GroupBy)
	aggs := make([]*planner.AggregateCall, len(a.Aggs))
	k := g
	for i, ac := range a.Aggs {
		n := len(ac.Children())
		aggs[i] = ac.WithChildren(exprs[k : k+n]).(*planner.AggregateCall)
		k += n
	}
	return planner.NewAggregate(lower, exprs[:g], aggs, a.Out)
}

// hoist finds the subexpressions of exprs worth computing once (see the rule), and
// returns exprs reading them by column with a Project over in that computes them, itself
// rewritten the same way. lower is nil when nothing qualifies.
func (h *hoister) hoist(in planner.Plan, exprs []planner.Expr) (out []planner.Expr, lower planner.Plan, err error) {
	out = append([]planner.Expr(nil), exprs...) // never write into the node's own slice
	var hoisted []planner.Expr
	var cols []planner.Column
	for {
		c := bestCommon(out)
		if c == nil {
			break
		}
		h.n++
		col := planner.NewColumn("cse"+strconv.Itoa(h.n), "", c.Type(), c.Nullable())
		ref := planner.NewColumnRef(col)
		hoisted, cols = append(hoisted, c), append(cols, col)
		for i, e := range out {
			out[i] = replaceExpr(e, c, ref)
		}
	}
	if len(hoisted) == 0 {
		return exprs, nil, nil
	}
	s := in.Schema()
	pe := append(columnRefs(s), hoisted...)
	pc := append(append([]planner.Column(nil), s...), cols...)
	proj, err := planner.NewProject(in, pe, pc)
	if err != nil {
		return nil, nil, err
	}
	lower, err = h.project(proj)
	return out, lower, err
}

// bestCommon returns the largest subexpression of exprs that qualifies for hoisting, or nil.
func bestCommon(exprs []planner.Expr) planner.Expr {
	type cand struct {
		e             planner.Expr
		n, always, sz int
	}
	var cands []*cand
	var visit func(e planner.Expr, always bool)
	visit = func(e planner.Expr, always bool) {
		if worthHoisting(e) {
			var c *cand
			for _, x := range cands {
				if exprEqual(x.e, e) {
					c = x
					break
				}
			}
			if c == nil {
				c = &cand{e: e, sz: exprSize(e)}
				cands = append(cands, c)
			}
			c.n++
			if always {
				c.always++
			}
		}
		switch x := e.(type) {
		case *planner.Case:
			for i, w := range x.Whens {
				visit(w.Cond, always && i == 0)
				visit(w.Then, false)
			}
			if x.Else != nil {
				visit(x.Else, false)
			}
			return
		case *planner.Binary:
			if x.Op == planner.OpAnd || x.Op == planner.OpOr {
				visit(x.Left, always)
				visit(x.Right, false)
				return
			}
		}
		for _, k := range e.Children() {
			visit(k, always)
		}
	}
	for _, e := range exprs {
		visit(e, true)
	}
	var best *cand
	for _, c := range cands {
		if c.n >= 2 && c.always >= 1 && (best == nil || c.sz > best.sz) {
			best = c
		}
	}
	if best == nil {
		return nil
	}
	return best.e
}

// worthHoisting reports whether e may be computed once for all its occurrences, and is
// costly enough for that to pay.
func worthHoisting(e planner.Expr) bool {
	switch x := e.(type) {
	case *planner.ColumnRef, *planner.Literal, *planner.OuterRef, *planner.AggregateCall, *planner.WindowCall:
		return false
	case *planner.IsNull, *planner.Not, *planner.Negate:
		switch x.Children()[0].(type) {
		case *planner.ColumnRef, *planner.Literal:
			return false
		}
	}
	if !pure(e) {
		return false
	}
	ok := true
	planner.WalkExpr(e, func(y planner.Expr) bool {
		switch y.(type) {
		case *planner.OuterRef, *planner.AggregateCall, *planner.WindowCall:
			ok = false
		}
		return ok
	})
	return ok
}

func exprSize(e planner.Expr) int {
	n := 0
	planner.WalkExpr(e, func(planner.Expr) bool { n++; return true })
	return n
}

// replaceExpr replaces every subexpression of e equal to old by repl, top-down (an
// occurrence inside a replaced one is gone with it).
func replaceExpr(e, old, repl planner.Expr) planner.Expr {
	if exprEqual(e, old) {
		return repl
	}
	kids := e.Children()
	if len(kids) == 0 {
		return e
	}
	nk := make([]planner.Expr, len(kids))
	for i, k := range kids {
		nk[i] = replaceExpr(k, old, repl)
	}
	return e.WithChildren(nk)
}
