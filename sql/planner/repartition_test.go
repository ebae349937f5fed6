package planner

import (
	"strings"
	"testing"
)

func TestRepartition(t *testing.T) {
	a := NewColumn("a", "t", Int64, false)
	b := NewColumn("b", "t", String, true)
	vals, err := NewValues([][]Expr{{NewLiteral(int64(1), Int64), NewLiteral("x", String)}}, []Column{a, b})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := NewRepartition(vals, 8, []Expr{NewColumnRef(a), NewColumnRef(b)})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := NewRepartition(vals, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	co, err := NewCoalesce(vals, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		node  *Repartition
		want  string
		exprs int
	}{
		{hash, "Repartition: hash(t.a, t.b) into 8", 2},
		{rr, "Repartition: round-robin into 8", 0},
		{co, "Coalesce: 2", 0},
	} {
		t.Run(tc.want, func(t *testing.T) {
			r := tc.node
			if got := r.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
			if !r.Schema().Equal(vals.Schema()) {
				t.Errorf("schema %s, want the input's %s", r.Schema(), vals.Schema())
			}
			if len(r.Exprs()) != tc.exprs {
				t.Errorf("Exprs() = %v, want %d keys", r.Exprs(), tc.exprs)
			}
			if np, err := r.WithChildren([]Plan{vals}); err != nil || np != r {
				t.Errorf("WithChildren with the same child: %v, %v; want the receiver", np, err)
			}
			if np, err := r.WithExprs(r.Exprs()); err != nil || np != r {
				t.Errorf("WithExprs(Exprs()): %v, %v; want the receiver", np, err)
			}
			if _, err := r.WithChildren(nil); err == nil {
				t.Error("WithChildren accepted no children")
			}
			// A new child with the same columns (a filter) keeps N, keys and kind.
			f, err := NewFilter(vals, NewLiteral(true, Boolean))
			if err != nil {
				t.Fatal(err)
			}
			np, err := r.WithChildren([]Plan{f})
			if err != nil {
				t.Fatal(err)
			}
			nr := np.(*Repartition)
			if nr == r || nr.Input != f || nr.N != r.N || nr.Coalesce != r.Coalesce || len(nr.Keys) != len(r.Keys) || nr.String() != tc.want {
				t.Errorf("WithChildren(filter) = %+v", nr)
			}
			if !strings.Contains(Explain(r), tc.want+"\n  Values") {
				t.Errorf("Explain:\n%s", Explain(r))
			}
		})
	}

	// Swapping the keys is a change; a key of another type or a computed key is not valid.
	np, err := hash.WithExprs([]Expr{NewColumnRef(b), NewColumnRef(a)})
	if err != nil {
		t.Fatal(err)
	}
	if np == Plan(hash) || np.String() != "Repartition: hash(t.b, t.a) into 8" {
		t.Errorf("WithExprs(swapped) = %v", np)
	}
	if _, err := hash.WithExprs([]Expr{NewColumnRef(a)}); err == nil {
		t.Error("WithExprs accepted one key for two")
	}
	if _, err := co.WithExprs([]Expr{NewColumnRef(a)}); err == nil {
		t.Error("a coalesce accepted a key")
	}
	// The other side's column: hash on a column the new child lacks.
	other, err := NewValues([][]Expr{{NewLiteral(int64(2), Int64)}}, []Column{NewColumn("c", "", Int64, false)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hash.WithChildren([]Plan{other}); err == nil || !strings.Contains(err.Error(), "column t.a is not in the input") {
		t.Errorf("WithChildren(child without the keys): %v", err)
	}

	bad := []struct {
		name string
		make func() (*Repartition, error)
		want string
	}{
		{"no input", func() (*Repartition, error) { return NewRepartition(nil, 2, nil) }, "repartition: no input"},
		{"zero", func() (*Repartition, error) { return NewRepartition(vals, 0, nil) }, "repartition: 0 partitions; want 1 or more"},
		{"negative coalesce", func() (*Repartition, error) { return NewCoalesce(vals, -1) }, "coalesce: -1 partitions; want 1 or more"},
		{"computed key", func() (*Repartition, error) {
			return NewRepartition(vals, 2, []Expr{&Binary{Op: OpAdd, Left: NewColumnRef(a), Right: NewLiteral(int64(1), Int64), Typ: Int64}})
		}, "key (t.a + 1) is not a column reference"},
		{"foreign key", func() (*Repartition, error) {
			return NewRepartition(vals, 2, []Expr{NewColumnRef(NewColumn("z", "u", Int64, false))})
		}, "column u.z is not in the input"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.make(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
