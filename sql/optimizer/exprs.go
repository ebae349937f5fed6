package optimizer

import (
	"reflect"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// Expression and plan helpers shared by the rules. Each is O(size of its input).

// deterministic reports whether e calls no Volatile function, so that evaluating it more or
// fewer times, or on other rows first, cannot change a result.
func deterministic(e planner.Expr) bool {
	ok := true
	planner.WalkExpr(e, func(x planner.Expr) bool {
		if f, isF := x.(*planner.ScalarFunc); isF && f.Fn.Volatility() == udf.Volatile {
			ok = false
		}
		return ok
	})
	return ok
}

// refsWithin reports whether every column e reads is in ids.
func refsWithin(e planner.Expr, ids map[planner.ColumnID]bool) bool {
	for id := range planner.ColumnsOf(e, nil) {
		if !ids[id] {
			return false
		}
	}
	return true
}

// idSet returns the set of the schema's column IDs.
func idSet(s planner.Schema) map[planner.ColumnID]bool {
	m := make(map[planner.ColumnID]bool, len(s))
	for _, c := range s {
		m[c.ID] = true
	}
	return m
}

// substitute replaces every column reference whose ID is in m by m's expression.
func substitute(e planner.Expr, m map[planner.ColumnID]planner.Expr) planner.Expr {
	out, _ := planner.TransformExprUp(e, func(x planner.Expr) (planner.Expr, error) {
		if c, ok := x.(*planner.ColumnRef); ok {
			if r, ok := m[c.Col.ID]; ok {
				return r, nil
			}
		}
		return x, nil
	})
	return out
}

// rebind points every column reference of e at the column of s with the same ID, so that
// names, qualifiers and nullability match the node the expression now sits on (a reference
// moved below a SubqueryAlias or an outer join would otherwise keep the upper spelling).
// References to columns s lacks are left alone.
func rebind(e planner.Expr, s planner.Schema) planner.Expr {
	out, _ := planner.TransformExprUp(e, func(x planner.Expr) (planner.Expr, error) {
		c, ok := x.(*planner.ColumnRef)
		if !ok {
			return x, nil
		}
		i := s.IndexOf(c.Col.ID)
		if i < 0 || sameColumn(s[i], c.Col) {
			return x, nil
		}
		return planner.NewColumnRef(s[i]), nil
	})
	return out
}

func sameColumn(a, b planner.Column) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Table == b.Table && a.Nullable == b.Nullable &&
		arrow.TypeEqual(a.Type, b.Type)
}

// sameExprs reports whether a and b hold the same pointers in the same order.
func sameExprs(a, b []planner.Expr) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// containsExpr reports whether list holds an expression equal to e.
func containsExpr(list []planner.Expr, e planner.Expr) bool {
	for _, x := range list {
		if exprEqual(x, e) {
			return true
		}
	}
	return false
}

// exprEqual reports structural equality: same operators, same constants, same column IDs
// (names are ignored, as in planner.Schema.Equal).
func exprEqual(a, b planner.Expr) bool {
	if a == b {
		return true
	}
	switch x := a.(type) {
	case *planner.ColumnRef:
		y, ok := b.(*planner.ColumnRef)
		return ok && x.Col.ID == y.Col.ID && arrow.TypeEqual(x.Col.Type, y.Col.Type)
	case *planner.Literal:
		y, ok := b.(*planner.Literal)
		return ok && arrow.TypeEqual(x.Typ, y.Typ) && valueEqual(x.Value, y.Value)
	case *planner.Like:
		if y, ok := b.(*planner.Like); !ok || x.Escape != y.Escape {
			return false
		}
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) || !arrow.TypeEqual(a.Type(), b.Type()) {
		return false
	}
	ac, bc := a.Children(), b.Children()
	if len(ac) != len(bc) {
		return false
	}
	for i := range ac {
		if !exprEqual(ac[i], bc[i]) {
			return false
		}
	}
	return shallowString(a) == shallowString(b)
}

// shallowString renders e with every child replaced by "?", which leaves the node's own
// attributes (operator, target type, function name, flags) in the text.
func shallowString(e planner.Expr) string {
	kids := e.Children()
	if len(kids) == 0 {
		return e.String()
	}
	ph := make([]planner.Expr, len(kids))
	for i := range ph {
		ph[i] = &planner.ColumnRef{Col: planner.Column{Name: "?"}}
	}
	return e.WithChildren(ph).String()
}

// valueEqual compares literal values without panicking on an uncomparable dynamic type.
func valueEqual(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta, tb := reflect.TypeOf(a), reflect.TypeOf(b)
	if ta != tb || !ta.Comparable() {
		return ta == tb && reflect.DeepEqual(a, b)
	}
	return a == b
}

// planEqual reports structural equality of two plans: node kinds and texts, output column
// IDs and types, expressions (exprEqual) and children, recursively.
func planEqual(a, b planner.Plan) bool {
	if a == b {
		return true
	}
	if reflect.TypeOf(a) != reflect.TypeOf(b) || a.String() != b.String() || !a.Schema().Equal(b.Schema()) {
		return false
	}
	if sa, ok := a.(*planner.Scan); ok {
		if !reflect.DeepEqual(sa.Ordinals, b.(*planner.Scan).Ordinals) {
			return false
		}
	}
	ae, be := a.Exprs(), b.Exprs()
	if len(ae) != len(be) {
		return false
	}
	for i := range ae {
		if !exprEqual(ae[i], be[i]) {
			return false
		}
	}
	ac, bc := a.Children(), b.Children()
	if len(ac) != len(bc) {
		return false
	}
	for i := range ac {
		if !planEqual(ac[i], bc[i]) {
			return false
		}
	}
	return true
}
