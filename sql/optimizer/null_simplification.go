package optimizer

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

// NullSimplification rewrites expressions whose value the plan already decides, using what
// the schemas say about NULLs, and normalizes negations, so that later rules see plain
// comparisons (FilterPushdown hands them to scans, InferFiltersFromJoins copies them):
//
//	Filter: k IS NOT NULL AND NOT (a < 5) AND (b = c) AND (b = c)      Filter: (a >= 5) AND (b = c)
//	  Scan: t [k NOT NULL, a, b, c]                               →      Scan: t [...]
//
// Expressions, bottom-up, in every node; "pure" means deterministic and without a subquery:
//   - x IS NULL → false and x IS NOT NULL → true when pure x cannot be NULL: a column the
//     node's input declares NOT NULL (the input's schema, not the reference's copy, decides),
//     a non-NULL literal, or an operator over such (never a function call, whose result may
//     be NULL); NULL IS NULL → true;
//   - a comparison or arithmetic operator with a NULL literal operand → NULL of its type
//     (x = NULL is NULL for every x; x + NULL too);
//   - x [NOT] IN (NULL, ...) with only NULL items → NULL;
//   - NOT (a < b) → a >= b, and so for = <> <= > >=; NOT x IS NULL → x IS NOT NULL, NOT x
//     IN (...) → x NOT IN (...), NOT x LIKE p → x NOT LIKE p. Exact under three-valued
//     logic because NOT NULL is NULL and comparisons are NULL on the same inputs, and
//     because floats compare in a total order (NaN = NaN, NaN above all), so a < b is false
//     exactly when a >= b is true. NOT NOT x → x is ConstantFolding's;
//   - duplicate pure operands of an AND or OR chain go: x AND x → x, (x OR y) OR x → x OR y
//     (idempotence holds for TRUE, FALSE and NULL);
//   - CASE: a WHEN whose condition is the literal false or NULL is dropped; the first WHEN
//     whose condition is true ends the CASE (its THEN becomes the ELSE); a CASE left
//     without WHENs is its ELSE (NULL without one). COALESCE(x, y), which the binder writes
//     as CASE WHEN x IS NOT NULL THEN x ELSE y END, thus becomes x when x cannot be NULL.
//
// A rewrite that would change an expression's type is skipped.
//
// Refuses: x IS NULL over a nullable column, a function call (its result may be NULL) or a
// volatile expression; rand() < 0.5 AND rand() < 0.5 (two draws, not one); a column that a
// scan declares NOT NULL but that an outer join above it pads with NULLs (the join's schema
// says nullable, and the node reading it sees the join's schema).
type NullSimplification struct{}

// Name implements Rule.
func (NullSimplification) Name() string { return "NullSimplification" }

// Apply implements Rule.
func (NullSimplification) Apply(p planner.Plan, _ *Context) (planner.Plan, error) {
	return planner.TransformUp(p, func(n planner.Plan) (planner.Plan, error) {
		nullable := inputNullability(n)
		simplify := func(e planner.Expr) (planner.Expr, error) { return simplifyNulls(e, nullable), nil }
		s, ok := n.(*planner.Scan)
		if !ok {
			return planner.TransformExprs(n, simplify)
		}
		// A scan's filters are hints (the Filter above applies them): one that became a
		// literal says nothing and goes.
		var fs []planner.Expr
		changed := false
		for _, f := range s.Filters {
			nf, _ := planner.TransformExprUp(f, simplify)
			changed = changed || nf != f
			if _, lit := nf.(*planner.Literal); !lit {
				fs = append(fs, nf)
			}
		}
		if !changed {
			return n, nil
		}
		return s.WithFilters(fs), nil
	})
}

// inputNullability returns, for the columns the expressions of n read, whether they may be
// NULL according to n's inputs: its children's schemas (a Scan's own columns for its
// filters).
func inputNullability(n planner.Plan) map[planner.ColumnID]bool {
	m := map[planner.ColumnID]bool{}
	add := func(s planner.Schema) {
		for _, c := range s {
			m[c.ID] = c.Nullable
		}
	}
	if s, ok := n.(*planner.Scan); ok {
		add(s.Schema())
	}
	for _, c := range n.Children() {
		add(c.Schema())
	}
	return m
}

// mayBeNull reports whether e may evaluate to NULL, reading column nullability from the
// node's inputs (a column the map lacks, or that either the map or the reference calls
// nullable, may be NULL). Conservative: function calls and unknown expressions may be NULL
// unless they say otherwise.
func mayBeNull(e planner.Expr, inputs map[planner.ColumnID]bool) bool {
	switch x := e.(type) {
	case *planner.ColumnRef:
		n, ok := inputs[x.Col.ID]
		return !ok || n || x.Col.Nullable
	case *planner.Literal:
		return x.Value == nil
	case *planner.IsNull:
		return false
	case *planner.Binary:
		if x.Op == planner.OpDiv || x.Op == planner.OpIntDiv || x.Op == planner.OpMod {
			return true // division by zero is NULL
		}
		return mayBeNull(x.Left, inputs) || mayBeNull(x.Right, inputs)
	case *planner.Not, *planner.Negate, *planner.Cast, *planner.AddInterval, *planner.InList, *planner.Like:
		for _, c := range e.Children() {
			if mayBeNull(c, inputs) {
				return true
			}
		}
		return false
	case *planner.Case:
		if x.Else == nil || mayBeNull(x.Else, inputs) {
			return true
		}
		for _, w := range x.Whens {
			if mayBeNull(w.Then, inputs) {
				return true
			}
		}
		return false
	}
	return e.Nullable()
}

// pure reports whether e is deterministic and holds no subquery: evaluating it once, twice
// or not at all gives the same values.
func pure(e planner.Expr) bool { return deterministic(e) && !planner.HasSubquery(e) }

func isNullLiteral(e planner.Expr) bool {
	l, ok := e.(*planner.Literal)
	return ok && l.Value == nil
}

func boolLiteral(v bool) *planner.Literal { return planner.NewLiteral(v, planner.Boolean) }

// negatedComparison maps a comparison to the one that is true exactly when it is false.
var negatedComparison = map[planner.BinaryOp]planner.BinaryOp{
	planner.OpEq: planner.OpNe, planner.OpNe: planner.OpEq,
	planner.OpLt: planner.OpGe, planner.OpGe: planner.OpLt,
	planner.OpGt: planner.OpLe, planner.OpLe: planner.OpGt,
}

// simplifyNulls rewrites one expression node whose children are already simplified.
func simplifyNulls(e planner.Expr, inputs map[planner.ColumnID]bool) planner.Expr {
	out := e
	switch x := e.(type) {
	case *planner.IsNull:
		switch {
		case isNullLiteral(x.E):
			out = boolLiteral(!x.Negated)
		case pure(x.E) && !mayBeNull(x.E, inputs):
			out = boolLiteral(x.Negated)
		}
	case *planner.Binary:
		switch {
		case (x.Op.IsComparison() || x.Op.IsArithmetic()) && (isNullLiteral(x.Left) || isNullLiteral(x.Right)):
			out = planner.NewLiteral(nil, x.Typ)
		case x.Op == planner.OpAnd || x.Op == planner.OpOr:
			out = dedupeChain(x)
		}
	case *planner.InList:
		allNull := true
		for _, it := range x.List {
			allNull = allNull && isNullLiteral(it)
		}
		if allNull {
			out = planner.NewLiteral(nil, planner.Boolean)
		}
	case *planner.Not:
		switch y := x.E.(type) {
		case *planner.Binary:
			if op, ok := negatedComparison[y.Op]; ok {
				out = &planner.Binary{Op: op, Left: y.Left, Right: y.Right, Typ: y.Typ}
			}
		case *planner.IsNull:
			out = &planner.IsNull{E: y.E, Negated: !y.Negated}
		case *planner.InList:
			out = &planner.InList{E: y.E, List: y.List, Negated: !y.Negated}
		case *planner.Like:
			out = &planner.Like{E: y.E, Pattern: y.Pattern, Negated: !y.Negated, Escape: y.Escape}
		}
	case *planner.Case:
		out = simplifyCase(x)
	}
	if out != e && !arrow.TypeEqual(out.Type(), e.Type()) {
		return e
	}
	return out
}

// dedupeChain drops the pure operands of an AND (or OR) chain that repeat an earlier one,
// or returns b when none repeats.
func dedupeChain(b *planner.Binary) planner.Expr {
	items := flattenChain(b, b.Op)
	var keep []planner.Expr
	for _, it := range items {
		if pure(it) && containsExpr(keep, it) {
			continue
		}
		keep = append(keep, it)
	}
	if len(keep) == len(items) {
		return b
	}
	out := keep[0]
	for _, it := range keep[1:] {
		out = &planner.Binary{Op: b.Op, Left: out, Right: it, Typ: planner.Boolean}
	}
	return out
}

// flattenChain returns the operands of a chain of one AND or OR operator.
func flattenChain(e planner.Expr, op planner.BinaryOp) []planner.Expr {
	if b, ok := e.(*planner.Binary); ok && b.Op == op {
		return append(flattenChain(b.Left, op), flattenChain(b.Right, op)...)
	}
	return []planner.Expr{e}
}

// simplifyCase drops the WHENs whose condition is a false or NULL literal and ends the CASE
// at the first true one, or returns c unchanged.
func simplifyCase(c *planner.Case) planner.Expr {
	var whens []planner.When
	els, changed := c.Else, false
	for _, w := range c.Whens {
		if l, ok := w.Cond.(*planner.Literal); ok {
			if v, isBool := l.Value.(bool); l.Value == nil || (isBool && !v) {
				changed = true
				continue
			}
			if l.Value == true {
				els, changed = w.Then, true
				break
			}
		}
		whens = append(whens, w)
	}
	if !changed {
		return c
	}
	if len(whens) == 0 {
		if els == nil {
			return planner.NewLiteral(nil, c.Typ)
		}
		return els
	}
	return &planner.Case{Whens: whens, Else: els, Typ: c.Typ}
}
