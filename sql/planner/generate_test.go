package planner

import (
	"strings"
	"testing"
)

func TestNewGenerate(t *testing.T) {
	id := NewColumn("id", "t", Int64, false)
	tags := NewColumn("tags", "t", ArrayOf(String), true)
	vec := NewColumn("v", "t", VectorOf(2), true)
	in, err := NewValues(nil, []Column{id, tags, vec})
	if err != nil {
		t.Fatal(err)
	}
	elem := NewColumn("tag", "", String, true)
	tests := []struct {
		name    string
		arg     Expr
		out     Column
		wantErr string
	}{
		{"array", NewColumnRef(tags), elem, ""},
		{"vector", NewColumnRef(vec), NewColumn("x", "", Float32, true), ""},
		{"not an array", NewColumnRef(id), elem, "argument t.id has type BIGINT, not ARRAY or VECTOR"},
		{"wrong element type", NewColumnRef(tags), NewColumn("x", "", Int64, true), "output column x has type BIGINT, not the element type VARCHAR"},
		{"output is an input column", NewColumnRef(tags), NewColumn("tags", "", String, true), ""},
		{"reused ID", NewColumnRef(tags), Column{ID: id.ID, Name: "dup", Type: String}, "output column dup is already an input column"},
		{"foreign column", NewColumnRef(NewColumn("other", "", ArrayOf(String), true)), elem, "column other is not in the input"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, err := NewGenerate(in, tc.arg, tc.name == "output is an input column", tc.out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := g.Schema()
			if len(s) != 4 || s[3].ID != tc.out.ID || s[0].ID != id.ID || len(in.Schema()) != 3 {
				t.Fatalf("schema %s", s)
			}
			if g2, err := g.WithChildren([]Plan{in}); err != nil || g2 != Plan(g) {
				t.Fatalf("WithChildren with the same child: %v, %v", g2, err)
			}
			if g2, err := g.WithExprs(g.Exprs()); err != nil || g2 != Plan(g) {
				t.Fatalf("WithExprs with the same expressions: %v, %v", g2, err)
			}
		})
	}
	g, _ := NewGenerate(in, NewColumnRef(tags), true, elem)
	if got := g.String(); got != "Generate: explode_outer(t.tags) AS tag" {
		t.Errorf("String() = %q", got)
	}
}
