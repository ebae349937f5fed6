package planner

import (
	"strings"
	"testing"
)

func TestMapPartitions(t *testing.T) {
	a := NewColumn("a", "t", Int64, false)
	vals, err := NewValues([][]Expr{{NewLiteral(int64(1), Int64)}}, []Column{a})
	if err != nil {
		t.Fatal(err)
	}
	x := NewColumn("x", "", Int64, false)
	y := NewColumn("y", "", String, true)
	m, err := NewMapPartitions(vals, "score", []Column{x, y})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.String(), "MapPartitions: score AS [x, y]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if s := m.Schema(); len(s) != 2 || s[0].ID != x.ID || s[1].ID != y.ID {
		t.Errorf("schema %s, want the output columns only", s)
	}
	if np, err := m.WithChildren([]Plan{vals}); err != nil || np != m {
		t.Errorf("WithChildren with the same child: %v, %v; want the receiver", np, err)
	}
	if np, err := m.WithExprs(m.Exprs()); err != nil || np != m || len(m.Exprs()) != 0 {
		t.Errorf("WithExprs(Exprs()): %v, %v; want the receiver", np, err)
	}
	if _, err := m.WithExprs([]Expr{NewColumnRef(a)}); err == nil {
		t.Error("WithExprs accepted an expression")
	}
	other, err := NewValues([][]Expr{{NewLiteral(int64(2), Int64)}}, []Column{NewColumn("b", "", Int64, false)})
	if err != nil {
		t.Fatal(err)
	}
	np, err := m.WithChildren([]Plan{other})
	if err != nil {
		t.Fatal(err)
	}
	if nm := np.(*MapPartitions); nm == m || nm.Input != other || nm.FuncName != "score" || len(nm.Out) != 2 {
		t.Errorf("WithChildren(new child) = %+v", nm)
	}
	if !strings.Contains(Explain(m), "  Values") {
		t.Errorf("Explain:\n%s", Explain(m))
	}

	bad := []struct {
		name string
		fn   string
		out  []Column
		want string
	}{
		{"no name", " ", []Column{x}, "empty function name"},
		{"no columns", "score", nil, "no output columns"},
		{"no type", "score", []Column{{ID: NewColumnID(), Name: "z"}}, "output column z has no type"},
		{"repeated", "score", []Column{x, x}, "output column x repeats a column ID"},
		{"input column", "score", []Column{a}, "output column a is an input column"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewMapPartitions(vals, tc.fn, tc.out); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
