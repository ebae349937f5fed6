package planner

import (
	"testing"

	"github.com/embersql/ember/udf"
)

// TestAggregateCallOrderBy checks that an aggregate's ORDER BY keys are children after the
// arguments, survive WithChildren with their directions, and render in String.
func TestAggregateCallOrderBy(t *testing.T) {
	f, ok := udf.NewBuiltins().Aggregate("group_concat")
	if !ok {
		t.Fatal("group_concat is not registered")
	}
	a := NewColumn("a", "t", String, true)
	b := NewColumn("b", "t", Int64, true)
	c := NewColumn("c", "t", Int64, true)
	sep := NewLiteral(",", String)
	call := &AggregateCall{Fn: f, Args: []Expr{NewColumnRef(a), sep}, Typ: String,
		OrderBy: []SortKey{{Expr: NewColumnRef(b), Desc: true}, {Expr: NewColumnRef(c), NullsFirst: true}}}

	kids := call.Children()
	if len(kids) != 4 || kids[2].(*ColumnRef).Col.ID != b.ID || kids[3].(*ColumnRef).Col.ID != c.ID {
		t.Fatalf("Children = %v, want the arguments then the order keys", kids)
	}
	if got := call.WithChildren(kids); got != Expr(call) {
		t.Errorf("WithChildren with the same children made a new call")
	}
	kids[2] = NewColumnRef(c)
	got := call.WithChildren(kids).(*AggregateCall)
	if len(got.Args) != 2 || len(got.OrderBy) != 2 || got.OrderBy[0].Expr.(*ColumnRef).Col.ID != c.ID ||
		!got.OrderBy[0].Desc || got.OrderBy[0].NullsFirst || !got.OrderBy[1].NullsFirst {
		t.Errorf("WithChildren = %s, want the first key replaced, directions kept", got)
	}
	if len(call.Args) != 2 || call.OrderBy[0].Expr.(*ColumnRef).Col.ID != b.ID {
		t.Errorf("WithChildren changed the original call: %s", call)
	}

	for _, tc := range []struct {
		order []SortKey
		want  string
	}{
		{nil, "group_concat(t.a, ',')"},
		{[]SortKey{{Expr: NewColumnRef(b), Desc: true}, {Expr: NewColumnRef(c), NullsFirst: true}},
			"group_concat(t.a, ',' ORDER BY t.b DESC, t.c)"},
		{[]SortKey{{Expr: NewColumnRef(b), Desc: true, NullsFirst: true}, {Expr: NewColumnRef(c)}},
			"group_concat(t.a, ',' ORDER BY t.b DESC NULLS FIRST, t.c NULLS LAST)"},
	} {
		c := &AggregateCall{Fn: f, Args: []Expr{NewColumnRef(a), sep}, Distinct: false, OrderBy: tc.order, Typ: String}
		if got := c.String(); got != tc.want {
			t.Errorf("String = %s, want %s", got, tc.want)
		}
	}
}
