package planner

import (
	"fmt"
	"strings"
)

// Project computes Exprs over its input; Out[i] is the column Exprs[i] produces. A plain
// column reference keeps its input column's ID (under a possibly new name); a computed
// expression has an ID of its own.
type Project struct {
	Input       Plan
	Projections []Expr
	Out         []Column
}

// NewProject validates that every expression reads only input columns and that Out
// matches Exprs in count and type.
func NewProject(input Plan, exprs []Expr, out []Column) (*Project, error) {
	if len(exprs) != len(out) {
		return nil, fmt.Errorf("project: %d expressions but %d output columns", len(exprs), len(out))
	}
	if err := checkRefs(input.Schema(), exprs...); err != nil {
		return nil, fmt.Errorf("project: %w", err)
	}
	return &Project{Input: input, Projections: exprs, Out: out}, nil
}

// ProjectExprs builds a projection giving each expression a column: a ColumnRef keeps its
// column, anything else gets a fresh column named by names[i] (or its text).
func ProjectExprs(input Plan, exprs []Expr, names []string) (*Project, error) {
	out := make([]Column, len(exprs))
	for i, e := range exprs {
		name := ""
		if i < len(names) {
			name = names[i]
		}
		if c, ok := e.(*ColumnRef); ok {
			out[i] = c.Col
			if name != "" {
				out[i].Name = name
			}
			continue
		}
		if name == "" {
			name = e.String()
		}
		out[i] = NewColumn(name, "", e.Type(), e.Nullable())
	}
	return NewProject(input, exprs, out)
}

func (p *Project) Schema() Schema   { return p.Out }
func (p *Project) Children() []Plan { return []Plan{p.Input} }
func (p *Project) WithChildren(c []Plan) (Plan, error) {
	if c[0] == p.Input {
		return p, nil
	}
	return NewProject(c[0], p.Projections, p.Out)
}
func (p *Project) Exprs() []Expr { return p.Projections }
func (p *Project) WithExprs(es []Expr) (Plan, error) {
	if sameExprs(es, p.Projections) {
		return p, nil
	}
	out := append([]Column(nil), p.Out...)
	for i, e := range es {
		out[i].Type, out[i].Nullable = e.Type(), e.Nullable()
	}
	return NewProject(p.Input, es, out)
}
func (p *Project) String() string {
	parts := make([]string, len(p.Projections))
	for i, e := range p.Projections {
		s := e.String()
		if c, ok := e.(*ColumnRef); !ok || c.Col.Name != p.Out[i].Name {
			s += " AS " + p.Out[i].Name
		}
		parts[i] = s
	}
	return "Project: " + strings.Join(parts, ", ")
}

// checkRefs reports a column reference that the schema does not provide.
func checkRefs(s Schema, exprs ...Expr) error {
	for _, e := range exprs {
		var bad *ColumnRef
		WalkExpr(e, func(x Expr) bool {
			if c, ok := x.(*ColumnRef); ok && bad == nil && s.IndexOf(c.Col.ID) < 0 {
				bad = c
			}
			return bad == nil
		})
		if bad != nil {
			return fmt.Errorf("column %s is not in the input [%s]", bad.Col.QualifiedName(), s)
		}
	}
	return nil
}
