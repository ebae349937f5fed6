package planner

import (
	"fmt"
	"strings"
)

// Scan reads a table. Columns are the columns it outputs, and Ordinals[i] is the position of
// Columns[i] in Table.ArrowSchema(); projection pruning shrinks both together. Filters are
// conjuncts pushed into the scan: the source may use them to skip data, and the physical
// planner still applies them exactly (a source is never trusted to filter fully).
type Scan struct {
	Table    Table
	Columns  []Column
	Ordinals []int
	Filters  []Expr
}

// NewScan returns a scan of every column of t, each with a fresh ID, qualified by alias
// (the table's name when alias is empty).
func NewScan(t Table, alias string) *Scan {
	if alias == "" {
		alias = t.Name()
	}
	as := t.ArrowSchema()
	s := &Scan{Table: t}
	for i, f := range as.Fields() {
		s.Columns = append(s.Columns, NewColumn(f.Name, alias, f.Type, f.Nullable))
		s.Ordinals = append(s.Ordinals, i)
	}
	return s
}

// WithColumns returns a scan of a subset of its columns: keep[i] indexes s.Columns.
func (s *Scan) WithColumns(keep []int) *Scan {
	n := &Scan{Table: s.Table, Filters: s.Filters}
	for _, k := range keep {
		n.Columns = append(n.Columns, s.Columns[k])
		n.Ordinals = append(n.Ordinals, s.Ordinals[k])
	}
	return n
}

// WithFilters returns a scan carrying the given pushed filters.
func (s *Scan) WithFilters(f []Expr) *Scan {
	return &Scan{Table: s.Table, Columns: s.Columns, Ordinals: s.Ordinals, Filters: f}
}

func (s *Scan) Schema() Schema   { return s.Columns }
func (s *Scan) Children() []Plan { return nil }
func (s *Scan) WithChildren(c []Plan) (Plan, error) {
	if len(c) != 0 {
		return nil, fmt.Errorf("scan takes no children, got %d", len(c))
	}
	return s, nil
}
func (s *Scan) Exprs() []Expr { return s.Filters }
func (s *Scan) WithExprs(es []Expr) (Plan, error) {
	if sameExprs(es, s.Filters) {
		return s, nil
	}
	return s.WithFilters(es), nil
}
func (s *Scan) String() string {
	names := make([]string, len(s.Columns))
	for i, c := range s.Columns {
		names[i] = c.Name
	}
	out := fmt.Sprintf("Scan: %s [%s]", ExplainName(s.Table), strings.Join(names, ", "))
	if len(s.Filters) > 0 {
		out += " filters=[" + joinExprs(s.Filters) + "]"
	}
	return out
}
