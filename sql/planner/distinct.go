package planner

// Distinct removes duplicate rows (NULLs compare equal, as in GROUP BY).
type Distinct struct{ Input Plan }

// NewDistinct returns a Distinct over input.
func NewDistinct(input Plan) *Distinct { return &Distinct{Input: input} }

func (d *Distinct) Schema() Schema   { return d.Input.Schema() }
func (d *Distinct) Children() []Plan { return []Plan{d.Input} }
func (d *Distinct) WithChildren(c []Plan) (Plan, error) {
	if c[0] == d.Input {
		return d, nil
	}
	return NewDistinct(c[0]), nil
}
func (d *Distinct) Exprs() []Expr                     { return nil }
func (d *Distinct) WithExprs(es []Expr) (Plan, error) { return d, nil }
func (d *Distinct) String() string                    { return "Distinct" }
