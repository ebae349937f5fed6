package planner

import (
	"strings"
	"testing"
)

func valuesOf(t *testing.T, cols ...Column) Plan {
	t.Helper()
	row := make([]Expr, len(cols))
	for i, c := range cols {
		row[i] = NewLiteral(nil, c.Type)
	}
	v, err := NewValues([][]Expr{row}, cols)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSetOpAndRecursiveCTE(t *testing.T) {
	intCol := func() Column { return NewColumn("n", "", Int64, true) }
	strCol := func() Column { return NewColumn("s", "", String, true) }
	l, r := valuesOf(t, intCol()), valuesOf(t, intCol())
	wide, str := valuesOf(t, intCol(), intCol()), valuesOf(t, strCol())
	out := []Column{intCol()}

	t.Run("set op", func(t *testing.T) {
		s, err := NewSetOp(Intersect, true, l, r, out)
		if err != nil {
			t.Fatal(err)
		}
		if s.String() != "Intersect: all" || !s.Schema().Equal(out) {
			t.Errorf("got %q, schema %s", s.String(), s.Schema())
		}
		if same, _ := s.WithChildren([]Plan{l, r}); same != s {
			t.Error("WithChildren with the same children made a new node")
		}
		swapped, err := s.WithChildren([]Plan{r, l})
		if err != nil || swapped == Plan(s) || swapped.(*SetOp).Left != r {
			t.Errorf("WithChildren with new children: %v", err)
		}
		e, _ := NewSetOp(Except, false, l, r, out)
		if e.String() != "Except: distinct" {
			t.Errorf("got %q", e.String())
		}
	})
	t.Run("set op errors", func(t *testing.T) {
		for _, tc := range []struct {
			kind        SetOpKind
			left, right Plan
			out         []Column
			msg         string
		}{
			{"Union", l, r, out, "unknown kind"},
			{Intersect, l, wide, out, "input 2 has 2 columns, expected 1"},
			{Except, str, r, out, "input 1 column 1 has type VARCHAR, expected BIGINT"},
			{Except, l, r, nil, "at least one column"},
		} {
			if _, err := NewSetOp(tc.kind, false, tc.left, tc.right, tc.out); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("got %v, want an error with %q", err, tc.msg)
			}
		}
	})
	t.Run("recursive cte", func(t *testing.T) {
		id := NewWorkTableID()
		if id == NewWorkTableID() {
			t.Fatal("work table IDs repeat")
		}
		w := NewWorkTable(id, "r", []Column{intCol()})
		if w.String() != "WorkTable: r" || len(w.Children()) != 0 {
			t.Errorf("got %q", w.String())
		}
		c, err := NewRecursiveCTE("r", l, w, id, true, out)
		if err != nil {
			t.Fatal(err)
		}
		if c.String() != "RecursiveCTE: r (union)" || !c.Schema().Equal(out) {
			t.Errorf("got %q", c.String())
		}
		if same, _ := c.WithChildren([]Plan{l, w}); same != c {
			t.Error("WithChildren with the same children made a new node")
		}
		if _, err := NewRecursiveCTE("r", l, wide, id, false, out); err == nil || !strings.Contains(err.Error(), "the recursive term has 2 columns, expected 1") {
			t.Errorf("got %v", err)
		}
		// Exact types: the binder casts the recursive term to the anchor's.
		narrow := valuesOf(t, NewColumn("n", "", Int32, true))
		if _, err := NewRecursiveCTE("r", narrow, w, id, false, out); err == nil || !strings.Contains(err.Error(), "the anchor's column 1 has type INT, expected BIGINT") {
			t.Errorf("got %v", err)
		}
	})
}
