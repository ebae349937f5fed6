package planner

// SubqueryAlias names its input's columns with a new qualifier (FROM (...) AS alias). It
// keeps every column ID, so it changes nothing but names; the physical planner passes it
// through.
type SubqueryAlias struct {
	Input Plan
	Alias string
	out   Schema
}

// NewSubqueryAlias requalifies input's columns under alias.
func NewSubqueryAlias(input Plan, alias string) *SubqueryAlias {
	in := input.Schema()
	out := make(Schema, len(in))
	for i, c := range in {
		c.Table = alias
		out[i] = c
	}
	return &SubqueryAlias{Input: input, Alias: alias, out: out}
}

func (s *SubqueryAlias) Schema() Schema   { return s.out }
func (s *SubqueryAlias) Children() []Plan { return []Plan{s.Input} }
func (s *SubqueryAlias) WithChildren(c []Plan) (Plan, error) {
	if c[0] == s.Input {
		return s, nil
	}
	return NewSubqueryAlias(c[0], s.Alias), nil
}
func (s *SubqueryAlias) Exprs() []Expr                     { return nil }
func (s *SubqueryAlias) WithExprs(es []Expr) (Plan, error) { return s, nil }
func (s *SubqueryAlias) String() string                    { return "SubqueryAlias: " + s.Alias }
