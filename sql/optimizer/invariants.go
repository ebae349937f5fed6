package optimizer

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

// CheckPlan validates a whole plan the way the constructors would, for plans that rules
// built: every column reference of a node resolves, by ID and with the same type, in the
// schemas of its children (a Scan's filters in its own columns); every node passes its
// constructor's checks again (output counts and types, boolean conditions, union widths);
// a Scan's ordinals point at table fields of the column's type; the two sides of a join
// share no column ID. The driver runs it after every rule that changed the plan when
// invariant checks are on. The error names the offending node. O(plan size × schema width).
func CheckPlan(p planner.Plan) error {
	var err error
	planner.WalkPlan(p, func(n planner.Plan) bool {
		if err == nil {
			if e := checkNode(n); e != nil {
				err = fmt.Errorf("invariant broken at %q: %w", n.String(), e)
			}
		}
		return err == nil
	})
	return err
}

func checkNode(n planner.Plan) error {
	var input planner.Schema
	for _, c := range n.Children() {
		input = append(input, c.Schema()...)
	}
	if s, ok := n.(*planner.Scan); ok {
		input = s.Schema()
	}
	for _, e := range n.Exprs() {
		if err := checkRefs(e, input); err != nil {
			return err
		}
	}
	switch x := n.(type) {
	case *planner.Scan:
		return checkScan(x)
	case *planner.Filter:
		_, err := planner.NewFilter(x.Input, x.Cond)
		return err
	case *planner.Project:
		if _, err := planner.NewProject(x.Input, x.Projections, x.Out); err != nil {
			return err
		}
		for i, e := range x.Projections {
			if !arrow.TypeEqual(e.Type(), x.Out[i].Type) {
				return fmt.Errorf("output %s has type %s but its expression %s has type %s", x.Out[i].Name, planner.TypeString(x.Out[i].Type), e, planner.TypeString(e.Type()))
			}
		}
	case *planner.Aggregate:
		if _, err := planner.NewAggregate(x.Input, x.GroupBy, x.Aggs, x.Out); err != nil {
			return err
		}
		for i, e := range x.Exprs() {
			if !arrow.TypeEqual(e.Type(), x.Out[i].Type) {
				return fmt.Errorf("output %s has type %s but its expression %s has type %s", x.Out[i].Name, planner.TypeString(x.Out[i].Type), e, planner.TypeString(e.Type()))
			}
		}
	case *planner.Join:
		j, err := planner.NewSubqueryJoin(x.Left, x.Right, x.Type, x.On, x.Cmp, x.MarkCol)
		if err != nil {
			return err
		}
		if !j.Schema().Equal(x.Schema()) {
			return fmt.Errorf("schema [%s] does not match its inputs [%s]", x.Schema(), j.Schema())
		}
		left := idSet(x.Left.Schema())
		for _, c := range x.Right.Schema() {
			if left[c.ID] {
				return fmt.Errorf("column %s comes from both sides", c.QualifiedName())
			}
		}
	case *planner.Sort:
		_, err := planner.NewSort(x.Input, x.Keys)
		return err
	case *planner.Limit:
		_, err := planner.NewLimit(x.Input, x.Offset, x.Count)
		return err
	case *planner.Repartition:
		if x.Coalesce {
			_, err := planner.NewCoalesce(x.Input, x.N)
			return err
		}
		_, err := planner.NewRepartition(x.Input, x.N, x.Keys)
		return err
	case *planner.Union:
		_, err := planner.NewUnion(x.Inputs, x.Out)
		return err
	case *planner.Values:
		_, err := planner.NewValues(x.Rows, x.Out)
		return err
	case *planner.SubqueryAlias:
		if !planner.NewSubqueryAlias(x.Input, x.Alias).Schema().Equal(x.Schema()) {
			return fmt.Errorf("schema [%s] does not match its input [%s]", x.Schema(), x.Input.Schema())
		}
	}
	return nil
}

// checkRefs reports a reference to a column the input lacks, or reads with another type.
func checkRefs(e planner.Expr, input planner.Schema) error {
	var err error
	planner.WalkExpr(e, func(x planner.Expr) bool {
		c, ok := x.(*planner.ColumnRef)
		if !ok || err != nil {
			return err == nil
		}
		i := input.IndexOf(c.Col.ID)
		switch {
		case i < 0:
			err = fmt.Errorf("column %s is not in the input [%s]", c.Col.QualifiedName(), input)
		case !arrow.TypeEqual(input[i].Type, c.Col.Type):
			err = fmt.Errorf("column %s is read as %s but the input has %s", c.Col.QualifiedName(), planner.TypeString(c.Col.Type), planner.TypeString(input[i].Type))
		}
		return err == nil
	})
	return err
}

func checkScan(s *planner.Scan) error {
	if len(s.Columns) != len(s.Ordinals) {
		return fmt.Errorf("%d columns but %d ordinals", len(s.Columns), len(s.Ordinals))
	}
	fields := s.Table.ArrowSchema().Fields()
	for i, o := range s.Ordinals {
		if o < 0 || o >= len(fields) {
			return fmt.Errorf("column %s has ordinal %d, outside the table's %d fields", s.Columns[i].Name, o, len(fields))
		}
		if !arrow.TypeEqual(fields[o].Type, s.Columns[i].Type) {
			return fmt.Errorf("column %s has type %s but table field %d has %s", s.Columns[i].Name, planner.TypeString(s.Columns[i].Type), o, planner.TypeString(fields[o].Type))
		}
	}
	return nil
}
