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

// bindSetOprList folds the branches left to right, as MySQL does: UNION ALL appends a
// branch; UNION (distinct) appends it and removes duplicates from everything so far. So
// a UNION b UNION ALL c is Union(Distinct(Union(a, b)), c), and a UNION ALL b UNION c is
// Distinct(Union(a, b, c)).
func (s *state) bindSetOprList(l *ast.SetOprSelectList) (planner.Plan, error) {
	restore, err := s.pushWith(l.With)
	defer restore()
	if err != nil {
		return nil, err
	}
	var branches []planner.Plan
	for i, n := range l.Selects {
		p, err := s.bindQueryNode(n)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			branches = []planner.Plan{p}
			continue
		}
		op := afterSetOperator(n)
		if op == nil {
			return nil, errs.Internalf("set operation branch %d has no operator", i+1)
		}
		switch *op {
		case ast.UnionAll:
			branches = append(branches, p)
		case ast.Union:
			u, err := s.union(append(branches, p))
			if err != nil {
				return nil, err
			}
			branches = []planner.Plan{planner.NewDistinct(u)}
		default:
			return nil, errs.NotImplementedf("%s is not supported yet", op.String())
		}
	}
	p := branches[0]
	if len(branches) > 1 {
		if p, err = s.union(branches); err != nil {
			return nil, err
		}
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
	first := branches[0].Schema()
	for i, b := range branches[1:] {
		if n := len(b.Schema()); n != len(first) {
			return nil, errs.Planf("each UNION branch must have the same number of columns: the first has %d, branch %d has %d", len(first), i+2, n)
		}
	}
	out := make([]planner.Column, len(first))
	for j := range first {
		col := make([]planner.Expr, len(branches))
		nullable := false
		for i, b := range branches {
			c := b.Schema()[j]
			col[i] = planner.NewColumnRef(c)
			nullable = nullable || c.Nullable
		}
		t, a, b, ok := commonType(unionCtx, col)
		if !ok {
			return nil, errs.Planf("UNION column %d (%s) has incompatible types %s and %s", j+1, first[j].Name, planner.TypeString(a), planner.TypeString(b))
		}
		out[j] = planner.NewColumn(first[j].Name, "", t, nullable)
	}
	inputs := make([]planner.Plan, len(branches))
	for i, b := range branches {
		p, err := castColumns(b, out)
		if err != nil {
			return nil, err
		}
		inputs[i] = p
	}
	u, err := planner.NewUnion(inputs, out)
	if err != nil {
		return nil, internal(err)
	}
	return u, nil
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
