package planner

import (
	"fmt"
	"strings"
)

// Values is a constant relation: Rows[i][j] is the value of column Out[j] in row i. Every
// item is a constant expression of column j's type. SELECT without FROM is a Values of one
// empty row projected.
type Values struct {
	Rows [][]Expr
	Out  []Column
}

// NewValues validates row widths and types.
func NewValues(rows [][]Expr, out []Column) (*Values, error) {
	for i, r := range rows {
		if len(r) != len(out) {
			return nil, fmt.Errorf("values: row %d has %d items, expected %d", i+1, len(r), len(out))
		}
		for j, e := range r {
			if e.Type().ID() != out[j].Type.ID() && e.Type().ID() != Null.ID() {
				return nil, fmt.Errorf("values: row %d item %d has type %s, expected %s", i+1, j+1, TypeString(e.Type()), TypeString(out[j].Type))
			}
			if len(ColumnsOf(e, nil)) > 0 {
				return nil, fmt.Errorf("values: row %d item %d reads a column", i+1, j+1)
			}
		}
	}
	return &Values{Rows: rows, Out: out}, nil
}

func (v *Values) Schema() Schema   { return v.Out }
func (v *Values) Children() []Plan { return nil }
func (v *Values) WithChildren(c []Plan) (Plan, error) {
	if len(c) != 0 {
		return nil, fmt.Errorf("values takes no children")
	}
	return v, nil
}
func (v *Values) Exprs() []Expr {
	var es []Expr
	for _, r := range v.Rows {
		es = append(es, r...)
	}
	return es
}
func (v *Values) WithExprs(es []Expr) (Plan, error) {
	if sameExprs(es, v.Exprs()) {
		return v, nil
	}
	rows := make([][]Expr, len(v.Rows))
	k := 0
	for i, r := range v.Rows {
		rows[i] = append([]Expr(nil), es[k:k+len(r)]...)
		k += len(r)
	}
	return NewValues(rows, v.Out)
}
func (v *Values) String() string {
	if len(v.Rows) > 3 {
		return fmt.Sprintf("Values: %d rows", len(v.Rows))
	}
	rows := make([]string, len(v.Rows))
	for i, r := range v.Rows {
		rows[i] = "(" + joinExprs(r) + ")"
	}
	return "Values: " + strings.Join(rows, ", ")
}
