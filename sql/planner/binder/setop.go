package binder

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// bindSetOpr binds a set operation with its own WITH, ORDER BY and LIMIT.
func (s *state) bindSetOpr(st *ast.SetOprStmt) (planner.Plan, error) {
	restore, err := s.pushWith(st.With)
	defer restore()
	if err != nil {
		return nil, err
	}
	p, err := s.bindSetOprList(st.SelectList)
	if err != nil {
		return nil, err
	}
	return s.orderSetOutput(p, st.OrderBy, st.Limit)
}

// bindSetOprList binds the branches and combines them as MySQL 8.0.31 and the SQL standard
// do: INTERSECT binds tighter than UNION and EXCEPT, so runs of INTERSECT are combined
// first (left to right), and the resulting terms are folded left to right. UNION ALL
// appends a term; UNION (distinct) appends it and removes duplicates from everything so
// far; EXCEPT subtracts it from everything so far. So a UNION b UNION ALL c is
// Union(Distinct(Union(a, b)), c), a UNION ALL b UNION c is Distinct(Union(a, b, c)), and
// a EXCEPT b INTERSECT c is SetOp(Except, a, SetOp(Intersect, b, c)). TiDB's parser gives
// the branches as one flat list (parentheses make a nested list), so the grouping is ours.
func (s *state) bindSetOprList(l *ast.SetOprSelectList) (planner.Plan, error) {
	restore, err := s.pushWith(l.With)
	defer restore()
	if err != nil {
		return nil, err
	}
	type term struct {
		op ast.SetOprType // the operator before the term; unused for the first
		p  planner.Plan
	}
	var terms []term
	for i, n := range l.Selects {
		p, err := s.bindQueryNode(n)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			terms = append(terms, term{p: p})
			continue
		}
		op := afterSetOperator(n)
		if op == nil {
			return nil, errs.Internalf("set operation branch %d has no operator", i+1)
		}
		if *op == ast.Intersect || *op == ast.IntersectAll {
			last := &terms[len(terms)-1]
			if last.p, err = s.setOp(planner.Intersect, *op == ast.IntersectAll, last.p, p); err != nil {
				return nil, err
			}
			continue
		}
		terms = append(terms, term{op: *op, p: p})
	}
	// pending are UNION ALL inputs not combined yet.
	pending := []planner.Plan{terms[0].p}
	flush := func() (planner.Plan, error) {
		if len(pending) == 1 {
			return pending[0], nil
		}
		return s.union(pending)
	}
	for _, t := range terms[1:] {
		switch t.op {
		case ast.UnionAll:
			pending = append(pending, t.p)
		case ast.Union:
			u, err := s.union(append(pending, t.p))
			if err != nil {
				return nil, err
			}
			pending = []planner.Plan{planner.NewDistinct(u)}
		case ast.Except, ast.ExceptAll:
			left, err := flush()
			if err != nil {
				return nil, err
			}
			e, err := s.setOp(planner.Except, t.op == ast.ExceptAll, left, t.p)
			if err != nil {
				return nil, err
			}
			pending = []planner.Plan{e}
		default:
			return nil, errs.NotImplementedf("%s is not supported", t.op.String())
		}
	}
	p, err := flush()
	if err != nil {
		return nil, err
	}
	return s.orderSetOutput(p, l.OrderBy, l.Limit)
}

func afterSetOperator(n ast.Node) *ast.SetOprType {
	switch x := n.(type) {
	case *ast.SelectStmt:
		return x.AfterSetOperator
	case *ast.SetOprSelectList:
		return x.AfterSetOperator
	}
	return nil
}

// union builds UNION ALL over branches whose columns meet in common supertypes (unionCtx):
// a branch whose column has another type gets a Project of Casts. The output columns are new,
// named after the first branch's.
func (s *state) union(branches []planner.Plan) (planner.Plan, error) {
	inputs, out, err := unifyBranches("UNION", branches)
	if err != nil {
		return nil, err
	}
	for j := range out {
		for _, b := range branches {
			out[j].Nullable = out[j].Nullable || b.Schema()[j].Nullable
		}
	}
	u, err := planner.NewUnion(inputs, out)
	if err != nil {
		return nil, internal(err)
	}
	return u, nil
}

// setOp builds INTERSECT or EXCEPT (all: the ALL form) of two inputs typed as UNION's
// branches are. An INTERSECT column is nullable when it is on both sides (a NULL must meet
// a NULL), an EXCEPT column when it is on the left.
func (s *state) setOp(kind planner.SetOpKind, all bool, left, right planner.Plan) (planner.Plan, error) {
	what := "INTERSECT"
	if kind == planner.Except {
		what = "EXCEPT"
	}
	inputs, out, err := unifyBranches(what, []planner.Plan{left, right})
	if err != nil {
		return nil, err
	}
	ls, rs := left.Schema(), right.Schema()
	for j := range out {
		out[j].Nullable = ls[j].Nullable && (kind == planner.Except || rs[j].Nullable)
	}
	p, err := planner.NewSetOp(kind, all, inputs[0], inputs[1], out)
	if err != nil {
		return nil, internal(err)
	}
	return p, nil
}

// unifyBranches checks that the branches of a set operation (what names it in messages)
// have one column count, finds each column's common type (unionCtx) and returns the
// branches cast to it and new output columns named after the first branch's (not
// nullable: the caller decides).
func unifyBranches(what string, branches []planner.Plan) ([]planner.Plan, []planner.Column, error) {
	first := branches[0].Schema()
	for i, b := range branches[1:] {
		if n := len(b.Schema()); n != len(first) {
			return nil, nil, errs.Planf("each %s branch must have the same number of columns: the first has %d, branch %d has %d", what, len(first), i+2, n)
		}
	}
	out := make([]planner.Column, len(first))
	for j := range first {
		col := make([]planner.Expr, len(branches))
		for i, b := range branches {
			col[i] = planner.NewColumnRef(b.Schema()[j])
		}
		t, a, b, ok := commonType(unionCtx, col)
		if !ok {
			return nil, nil, errs.Planf("%s column %d (%s) has incompatible types %s and %s", what, j+1, first[j].Name, planner.TypeString(a), planner.TypeString(b))
		}
		out[j] = planner.NewColumn(first[j].Name, "", t, false)
	}
	inputs := make([]planner.Plan, len(branches))
	for i, b := range branches {
		p, err := castColumns(b, out)
		if err != nil {
			return nil, nil, err
		}
		inputs[i] = p
	}
	return inputs, out, nil
}

// castColumns returns p, or a Project over p casting the columns whose type differs from
// the target columns' (names are kept).
func castColumns(p planner.Plan, target []planner.Column) (planner.Plan, error) {
	in := p.Schema()
	exprs := make([]planner.Expr, len(in))
	names := make([]string, len(in))
	changed := false
	for i, c := range in {
		e, err := castTo(planner.NewColumnRef(c), target[i].Type, c.Name)
		if err != nil {
			return nil, err
		}
		exprs[i], names[i] = e, c.Name
		if _, same := e.(*planner.ColumnRef); !same {
			changed = true
		}
	}
	if !changed {
		return p, nil
	}
	return project(p, exprs, names)
}

// orderSetOutput applies the ORDER BY and LIMIT of a set operation, whose keys name its
// output columns (by name or position) or are expressions over them.
func (s *state) orderSetOutput(p planner.Plan, orderBy *ast.OrderByClause, limit *ast.Limit) (planner.Plan, error) {
	var sorts []sortItem
	if orderBy != nil {
		ctx := &exprCtx{clause: "ORDER BY", cols: p.Schema()}
		var extra []planner.Expr
		for _, by := range orderBy.Items {
			out, err := s.orderKey(ctx, by, len(p.Schema()), func(e planner.Expr) (int, error) {
				if c, ok := e.(*planner.ColumnRef); ok {
					return p.Schema().IndexOf(c.Col.ID), nil
				}
				extra = append(extra, e)
				return len(p.Schema()) + len(extra) - 1, nil
			})
			if err != nil {
				return nil, err
			}
			sorts = append(sorts, s.sortItem(by, out))
		}
		if len(extra) > 0 {
			return s.sortComputed(p, sorts, extra, limit)
		}
	}
	return s.sortAndLimit(p, sorts, limit)
}

// sortComputed sorts p by keys some of which are expressions over its columns: they are
// computed by a Project, sorted on, and projected away.
func (s *state) sortComputed(p planner.Plan, sorts []sortItem, extra []planner.Expr, limit *ast.Limit) (planner.Plan, error) {
	in := p.Schema()
	exprs := make([]planner.Expr, 0, len(in)+len(extra))
	names := make([]string, 0, len(in)+len(extra))
	for _, c := range in {
		exprs, names = append(exprs, planner.NewColumnRef(c)), append(names, c.Name)
	}
	for _, e := range extra {
		exprs, names = append(exprs, e), append(names, hiddenName(e))
	}
	proj, err := project(p, exprs, names)
	if err != nil {
		return nil, err
	}
	sorted, err := s.sortAndLimit(proj, sorts, limit)
	if err != nil {
		return nil, err
	}
	keep := make([]planner.Expr, len(in))
	for i := range keep {
		keep[i] = planner.NewColumnRef(proj.Out[i])
	}
	out, err := planner.NewProject(sorted, keep, proj.Out[:len(in)])
	if err != nil {
		return nil, internal(err)
	}
	return out, nil
}
