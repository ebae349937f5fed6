package optimizer

import (
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// CollapseProjects merges a Project into the Project right below it, substituting the
// lower one's expressions for the columns the upper one reads:
//
//	Project: o_id, c_name                    Project: o_id, c_name
//	  Project: c_id, c_name, o_id, o_cust  →    Join: Inner on (o_cust = c_id)
//	    Join: Inner on (o_cust = c_id)
//
// (JoinReorder's Project that restores the column order under the query's own Project, a
// derived table's Project under the outer query's). A SubqueryAlias between the two goes
// too: it only renames the qualifier of the columns it passes on.
// Each stacked Project is one more operator in the physical plan, and one more level in
// EXPLAIN. It runs once, after ProjectionPruning.
//
// Refuses: when the lower Project computes an expression (not a column or a literal) that
// the upper one reads more than once: merging would compute it twice, or draw rand() twice
// (CommonSubexpressionElimination's Projects are such, and stay).
type CollapseProjects struct{}

// Name implements Rule.
func (CollapseProjects) Name() string { return "CollapseProjects" }

// Apply implements Rule.
func (CollapseProjects) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	out, err := planner.TransformUp(p, func(n planner.Plan) (planner.Plan, error) {
		up, ok := n.(*planner.Project)
		if !ok {
			return n, nil
		}
		for {
			merged, ok, err := collapse(up)
			if err != nil || !ok {
				return up, err
			}
			up = merged
		}
	})
	return out, errs.Wrap(errs.ErrInternal, err, "")
}

// collapse merges up with the Project below it when that computes nothing twice.
func collapse(up *planner.Project) (*planner.Project, bool, error) {
	below := up.Input
	if a, ok := below.(*planner.SubqueryAlias); ok {
		below = a.Input // an alias only requalifies the columns it passes on (same IDs)
	}
	low, ok := below.(*planner.Project)
	if !ok {
		return nil, false, nil
	}
	uses := map[planner.ColumnID]int{}
	for _, e := range up.Projections {
		planner.WalkExpr(e, func(x planner.Expr) bool {
			if c, ok := x.(*planner.ColumnRef); ok {
				uses[c.Col.ID]++
			}
			return true
		})
	}
	m := make(map[planner.ColumnID]planner.Expr, len(low.Projections))
	for i, e := range low.Projections {
		switch e.(type) {
		case *planner.ColumnRef, *planner.Literal:
		default:
			if uses[low.Out[i].ID] > 1 {
				return nil, false, nil
			}
		}
		m[low.Out[i].ID] = e
	}
	exprs := make([]planner.Expr, len(up.Projections))
	for i, e := range up.Projections {
		exprs[i] = rebind(substitute(e, m), low.Input.Schema())
	}
	merged, err := planner.NewProject(low.Input, exprs, up.Out)
	if err != nil {
		return nil, false, err
	}
	return merged, true, nil
}
