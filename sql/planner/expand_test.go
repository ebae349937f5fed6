package planner

import (
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	a := NewColumn("a", "t", Int64, false)
	vals, err := NewValues([][]Expr{{NewLiteral(int64(1), Int64)}}, []Column{a})
	if err != nil {
		t.Fatal(err)
	}
	key := NewColumn("a", "t", Int64, true)
	gid := NewColumn("grouping_id", "", Int64, false)
	ref := NewColumnRef(a)
	lit := func(v int64) Expr { return NewLiteral(v, Int64) }
	projs := [][]Expr{{ref, lit(0)}, {NewLiteral(nil, Int64), lit(1)}}
	e, err := NewExpand(vals, projs, []Column{key, gid})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.String(), "Expand: [t.a, 0], [NULL, 1] AS [a, grouping_id]"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if np, err := e.WithChildren([]Plan{vals}); err != nil || np != e {
		t.Errorf("WithChildren with the same child: %v, %v; want the receiver", np, err)
	}
	if np, err := e.WithExprs(e.Exprs()); err != nil || np != e {
		t.Errorf("WithExprs with the same expressions: %v, %v; want the receiver", np, err)
	}
	es := e.Exprs()
	es[1] = lit(5)
	np, err := e.WithExprs(es)
	if err != nil {
		t.Fatal(err)
	}
	if got := np.(*Expand).Projections; got[0][1] != es[1] || got[1][0] != projs[1][0] || len(got) != 2 {
		t.Errorf("WithExprs did not put the expressions back in place: %v", got)
	}
	if !strings.Contains(Explain(e), "Values") {
		t.Errorf("Explain:\n%s", Explain(e))
	}

	bad := []struct {
		name  string
		projs [][]Expr
		out   []Column
		want  string
	}{
		{"no projections", nil, []Column{key}, "no projections"},
		{"width", [][]Expr{{ref}}, []Column{key, gid}, "1 expressions for 2 output columns"},
		{"type", [][]Expr{{NewLiteral("x", String), lit(0)}}, []Column{key, gid}, "type VARCHAR, not BIGINT"},
		{"nullability", [][]Expr{{ref, NewLiteral(nil, Int64)}}, []Column{key, gid}, "non-nullable output grouping_id"},
		{"reference", [][]Expr{{NewColumnRef(key), lit(0)}}, []Column{key, gid}, "not in the input"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewExpand(vals, tc.projs, tc.out); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
