package planner

import "strings"

// TransformUp rewrites a plan bottom-up: children first, then f on the node. f returns the
// node itself when it does not apply. The result is the same pointer as p when nothing
// changed anywhere, so callers detect change by comparing pointers.
func TransformUp(p Plan, f func(Plan) (Plan, error)) (Plan, error) {
	kids := p.Children()
	if len(kids) > 0 {
		newKids := make([]Plan, len(kids))
		changed := false
		for i, k := range kids {
			nk, err := TransformUp(k, f)
			if err != nil {
				return nil, err
			}
			newKids[i] = nk
			changed = changed || nk != k
		}
		if changed {
			np, err := p.WithChildren(newKids)
			if err != nil {
				return nil, err
			}
			p = np
		}
	}
	return f(p)
}

// TransformDown rewrites a plan top-down: f on the node first, then on the children of its
// result. Same-pointer contract as TransformUp.
func TransformDown(p Plan, f func(Plan) (Plan, error)) (Plan, error) {
	np, err := f(p)
	if err != nil {
		return nil, err
	}
	kids := np.Children()
	if len(kids) == 0 {
		return np, nil
	}
	newKids := make([]Plan, len(kids))
	changed := false
	for i, k := range kids {
		nk, err := TransformDown(k, f)
		if err != nil {
			return nil, err
		}
		newKids[i] = nk
		changed = changed || nk != k
	}
	if !changed {
		return np, nil
	}
	return np.WithChildren(newKids)
}

// TransformExprs applies an expression rewrite (bottom-up) to every expression of one node,
// returning the node itself when nothing changed.
func TransformExprs(p Plan, f func(Expr) (Expr, error)) (Plan, error) {
	es := p.Exprs()
	if len(es) == 0 {
		return p, nil
	}
	out := make([]Expr, len(es))
	changed := false
	for i, e := range es {
		ne, err := TransformExprUp(e, f)
		if err != nil {
			return nil, err
		}
		out[i] = ne
		changed = changed || ne != e
	}
	if !changed {
		return p, nil
	}
	return p.WithExprs(out)
}

// TransformExprUp rewrites an expression bottom-up with the same-pointer contract.
func TransformExprUp(e Expr, f func(Expr) (Expr, error)) (Expr, error) {
	kids := e.Children()
	if len(kids) > 0 {
		newKids := make([]Expr, len(kids))
		changed := false
		for i, k := range kids {
			nk, err := TransformExprUp(k, f)
			if err != nil {
				return nil, err
			}
			newKids[i] = nk
			changed = changed || nk != k
		}
		if changed {
			e = e.WithChildren(newKids)
		}
	}
	return f(e)
}

// WalkExpr visits e and its descendants pre-order; visit returns false to skip a subtree.
func WalkExpr(e Expr, visit func(Expr) bool) {
	if !visit(e) {
		return
	}
	for _, c := range e.Children() {
		WalkExpr(c, visit)
	}
}

// WalkPlan visits p and its descendants pre-order; visit returns false to skip a subtree.
func WalkPlan(p Plan, visit func(Plan) bool) {
	if !visit(p) {
		return
	}
	for _, c := range p.Children() {
		WalkPlan(c, visit)
	}
}

// Explain renders a plan as an indented tree, one node per line, deterministic (no IDs,
// pointers or estimates).
func Explain(p Plan) string {
	var b strings.Builder
	var rec func(Plan, int)
	rec = func(p Plan, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(p.String())
		b.WriteString("\n")
		for _, c := range p.Children() {
			rec(c, depth+1)
		}
	}
	rec(p, 0)
	return b.String()
}
