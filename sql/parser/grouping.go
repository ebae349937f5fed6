package parser

import (
	"fmt"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Grouping sets (ROLLUP, CUBE, GROUPING SETS, the empty set) and array subscripts: two
// rewrites of TiDB's input, described in doc.go.
//
// GROUP BY items written as ROLLUP (...), CUBE (...), GROUPING SETS (...) or () reach TiDB as
// calls of marker functions; collect expands them (and WITH ROLLUP) into the list of grouping
// sets that Query.GroupingSets returns, and replaces the clause's items by the plain
// expressions they name.
const (
	markerRollup       = "__ember_rollup"
	markerCube         = "__ember_cube"
	markerGroupingSets = "__ember_grouping_sets"
	// markerSet is one parenthesized set of a GROUPING SETS list, or a () item of GROUP BY.
	markerSet = "__ember_set"
)

// MaxGroupingSets bounds the grouping sets one GROUP BY clause may expand to (a CUBE of n
// elements has 2^n).
const MaxGroupingSets = 4096

// groupByEnd holds the words that end a GROUP BY list at its own parenthesis depth.
var groupByEnd = map[string]bool{
	"HAVING": true, "ORDER": true, "LIMIT": true, "WINDOW": true, "WITH": true, "UNION": true,
	"EXCEPT": true, "INTERSECT": true, "FOR": true, "LOCK": true, "INTO": true,
}

// groupBy rewrites the grouping-set items of the GROUP BY list whose BY is token by. Only
// items that start a list element and are whole elements are rewritten: ROLLUP ( → a marker
// call, likewise CUBE and GROUPING SETS, and () → __ember_set(). The list ends at a depth-0
// clause word, ';' or a ')' closing an enclosing parenthesis.
func (r *rewriter) groupBy(by int) {
	depth := 0
	for j := by + 1; j < len(r.sig); j++ {
		if depth == 0 && (j == by+1 || r.isPunct(j-1, ',')) {
			if end := r.groupingItem(j); end >= j {
				j = end
				continue
			}
		}
		switch {
		case r.isPunct(j, '(') || r.isPunct(j, '['):
			depth++
		case r.isPunct(j, ')') || r.isPunct(j, ']'):
			if depth == 0 {
				return
			}
			depth--
		case depth > 0:
		case r.isPunct(j, ';') || groupByEnd[r.word(j)] && !r.afterDot(j):
			return
		}
	}
}

// groupingItem rewrites the grouping construct starting at token j, an element of a GROUP BY
// or GROUPING SETS list, and returns the index of its last token; -1 when j starts no such
// construct (or the construct does not make up the whole element, as in ROLLUP(a)[1]).
func (r *rewriter) groupingItem(j int) int {
	var marker string
	open := j + 1
	switch {
	case r.afterDot(j):
		return -1
	case r.isWord(j, "ROLLUP"):
		marker = markerRollup
	case r.isWord(j, "CUBE"):
		marker = markerCube
	case r.isWord(j, "GROUPING") && r.isWord(j+1, "SETS"):
		marker, open = markerGroupingSets, j+2
	case r.isPunct(j, '(') && r.isPunct(j+1, ')'):
		// GROUP BY () is the empty grouping set (the grand total).
		if !r.endsGroupingElement(j + 2) {
			return -1
		}
		r.replace(j, markerSet+"(")
		r.out.groupings++
		return j + 1
	default:
		return -1
	}
	if !r.isPunct(open, '(') {
		return -1
	}
	end := r.closing(open)
	if end < 0 || !r.endsGroupingElement(end+1) {
		return -1
	}
	r.replace(j, marker)
	if open == j+2 {
		r.replace(j+1, "") // SETS
	}
	r.elements(open, end, open == j+2)
	r.out.groupings++
	return end
}

// elements rewrites the elements of ROLLUP ( ... ), CUBE ( ... ) or, when sets is set,
// GROUPING SETS ( ... ), whose parentheses are tokens open and end. ROLLUP, CUBE and GROUPING
// SETS nest (collect refuses them inside ROLLUP and CUBE); in GROUPING SETS, a parenthesized
// list that is a whole element becomes __ember_set(...). Any other element is an expression
// (in ROLLUP and CUBE, a parenthesized list is one composite element).
func (r *rewriter) elements(open, end int, sets bool) {
	for j := open + 1; j < end; {
		k := j
		if sets && r.isPunct(j, '(') {
			if c := r.closing(j); c > 0 && c < end && (c+1 == end || r.isPunct(c+1, ',')) {
				r.replace(j, markerSet+"(")
				r.out.groupings++
				k = c + 1
			}
		} else if e := r.groupingItem(j); e >= j {
			k = e + 1
		}
		j = r.nextComma(k, end) + 1
	}
}

// nextComma returns the index of the first ',' at the depth of token from, before token end,
// or end when there is none.
func (r *rewriter) nextComma(from, end int) int {
	depth := 0
	for j := from; j < end; j++ {
		switch {
		case r.isPunct(j, '(') || r.isPunct(j, '['):
			depth++
		case r.isPunct(j, ')') || r.isPunct(j, ']'):
			depth--
		case depth == 0 && r.isPunct(j, ','):
			return j
		}
	}
	return end
}

// endsGroupingElement reports whether token k can follow a whole GROUP BY or GROUPING SETS
// element: the end, ',', ')', ';' or a word that ends the GROUP BY list.
func (r *rewriter) endsGroupingElement(k int) bool {
	return k >= len(r.sig) || r.isPunct(k, ',') || r.isPunct(k, ')') || r.isPunct(k, ';') ||
		groupByEnd[r.word(k)]
}

// closing returns the index of the ')' that closes the '(' at token open, or -1.
func (r *rewriter) closing(open int) int {
	depth := 0
	for j := open; j < len(r.sig); j++ {
		switch {
		case r.isPunct(j, '('):
			depth++
		case r.isPunct(j, ')'):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// notOperand holds the keywords that are neither a name that can be subscripted nor (except
// ARRAY, MAP and STRUCT) a function whose call can: `WHERE (a)[1]` subscripts (a),
// `ARRAY[1, 2]` is left alone, `array(1, 2)[1]` subscripts the call.
var notOperand = map[string]bool{
	"SELECT": true, "WHERE": true, "AND": true, "OR": true, "XOR": true, "NOT": true, "IN": true,
	"ON": true, "BY": true, "WHEN": true, "THEN": true, "ELSE": true, "CASE": true, "END": true,
	"AS": true, "EXISTS": true, "ANY": true, "ALL": true, "SOME": true, "HAVING": true,
	"INTERVAL": true, "LIKE": true, "ILIKE": true, "RLIKE": true, "REGEXP": true, "BETWEEN": true,
	"DIV": true, "MOD": true, "IS": true, "DISTINCT": true, "FROM": true, "JOIN": true,
	"USING": true, "VALUES": true, "VALUE": true, "OVER": true, "SET": true, "LIMIT": true,
	"OFFSET": true, "UNION": true, "EXCEPT": true, "INTERSECT": true, "WITH": true,
	"RECURSIVE": true, "LATERAL": true, "ESCAPE": true, "ARRAY": true, "MAP": true,
	"STRUCT": true, "NULL": true, "TRUE": true, "FALSE": true, "DEFAULT": true, "INTO": true,
	"RETURN": true, "ORDER": true, "GROUP": true, "PARTITION": true, "WINDOW": true,
}

// subscripts rewrites every expr[i] into element_at(expr, i), where expr ends right before
// the '[' with a name (a word that is not a keyword of notOperand and does not start with a
// digit, or a quoted identifier, with its qualifiers), a ')' (a parenthesized expression or
// a call, with its function name) or the ']' of another subscript. It runs after the other
// rewrites, so that at a shared start offset its insertion lands inside theirs (ORDER BY
// a[1] NULLS FIRST).
func (r *rewriter) subscripts() {
	for i := 1; i < len(r.sig); i++ {
		if !r.isPunct(i, '[') {
			continue
		}
		start := r.operandStart(i - 1)
		if start < 0 {
			continue
		}
		end := r.closingBracket(i)
		if end < 0 {
			continue
		}
		r.insert(r.sig[start].start, "element_at(")
		r.replace(i, ", ")
		r.replace(end, ")")
	}
}

// operandStart returns the first token of the operand that ends with token last, or -1 when
// last cannot end a subscripted operand.
func (r *rewriter) operandStart(last int) int {
	switch {
	case r.isPunct(last, ']'):
		open := r.openingBracket(last)
		if open < 1 {
			return -1
		}
		return r.operandStart(open - 1)
	case r.isPunct(last, ')'):
		open := r.opening(last)
		if open < 0 {
			return -1
		}
		if f := open - 1; r.isName(f) || r.isWord(f, "ARRAY") || r.isWord(f, "MAP") || r.isWord(f, "STRUCT") {
			return r.qualifiedStart(f)
		}
		return open
	case r.isName(last):
		return r.qualifiedStart(last)
	}
	return -1
}

// isName reports whether token i is a quoted identifier, or a word that can be a name: not
// a number and not a keyword of notOperand (after a '.', any word is a name).
func (r *rewriter) isName(i int) bool {
	if i < 0 || i >= len(r.sig) {
		return false
	}
	t := r.sig[i]
	switch t.kind {
	case tokQuotedIdent:
		return true
	case tokWord:
		c := r.src[t.start]
		return !(c >= '0' && c <= '9') && (r.afterDot(i) || !notOperand[r.word(i)])
	}
	return false
}

// qualifiedStart walks back from name token i over qualifiers (db.t.col) to the first.
func (r *rewriter) qualifiedStart(i int) int {
	for i >= 2 && r.isPunct(i-1, '.') && (r.sig[i-2].kind == tokWord || r.sig[i-2].kind == tokQuotedIdent) {
		i -= 2
	}
	return i
}

// opening returns the index of the '(' that the ')' at token closeTok closes, or -1.
func (r *rewriter) opening(closeTok int) int { return r.match(closeTok, -1, '(', ')') }

// openingBracket returns the index of the '[' that the ']' at token closeTok closes, or -1.
func (r *rewriter) openingBracket(closeTok int) int { return r.match(closeTok, -1, '[', ']') }

// closingBracket returns the index of the ']' that closes the '[' at token open, or -1.
func (r *rewriter) closingBracket(open int) int { return r.match(open, 1, '[', ']') }

// match walks from token from in direction dir (+1 or -1) to the bracket that balances it:
// open and closeB are the bracket pair; parentheses and brackets nest independently.
func (r *rewriter) match(from, dir int, open, closeB byte) int {
	depth := 0
	for j := from; j >= 0 && j < len(r.sig); j += dir {
		switch {
		case r.isPunct(j, open):
			depth += dir
		case r.isPunct(j, closeB):
			depth -= dir
		}
		if depth == 0 {
			return j
		}
		if depth < 0 {
			return -1
		}
	}
	return -1
}

// groupingCollector is collect's part for GROUP BY clauses.
type groupingCollector struct {
	markers int    // marker calls consumed
	err     *Error // the first error found
}

// groupBy expands the grouping sets of g, when it has markers or WITH ROLLUP, into
// c.ext.groupingSets, and replaces g's items by the plain expressions they name, each once.
// It runs before g's children are visited, so their offsets are still those of the
// rewritten text.
func (c *collector) groupBy(g *ast.GroupByClause) {
	if c.grouping.err != nil {
		return
	}
	hasMarker := false
	for _, it := range g.Items {
		if _, ok := groupingMarker(it.Expr); ok {
			hasMarker = true
		}
	}
	if !hasMarker && !g.Rollup {
		return
	}
	var sets [][]ast.ExprNode
	if g.Rollup {
		if hasMarker {
			c.grouping.err = c.markerError(g.Items, "WITH ROLLUP cannot be combined with ROLLUP, CUBE, GROUPING SETS or ()")
			return
		}
		for k := len(g.Items); k >= 0; k-- {
			set := make([]ast.ExprNode, k)
			for i := range set {
				set[i] = g.Items[i].Expr
			}
			sets = append(sets, set)
		}
	} else {
		sets = [][]ast.ExprNode{nil}
		for _, it := range g.Items {
			es, err := c.elementSets(it.Expr)
			if err != nil {
				c.grouping.err = err
				return
			}
			if len(sets)*len(es) > MaxGroupingSets {
				c.grouping.err = c.tooMany(it.Expr, len(sets)*len(es))
				return
			}
			next := make([][]ast.ExprNode, 0, len(sets)*len(es))
			for _, s := range sets {
				for _, e := range es {
					next = append(next, append(s[:len(s):len(s)], e...))
				}
			}
			sets = next
		}
	}
	var items []*ast.ByItem
	seen := map[ast.ExprNode]bool{}
	for _, s := range sets {
		for _, e := range s {
			if !seen[e] {
				seen[e] = true
				items = append(items, &ast.ByItem{Expr: e, NullOrder: true})
			}
		}
	}
	g.Items = items
	if c.ext.groupingSets == nil {
		c.ext.groupingSets = map[*ast.GroupByClause][][]ast.ExprNode{}
	}
	c.ext.groupingSets[g] = sets
}

// groupingMarker returns the marker call e is, if any.
func groupingMarker(e ast.ExprNode) (*ast.FuncCallExpr, bool) {
	f, ok := e.(*ast.FuncCallExpr)
	if !ok {
		return nil, false
	}
	switch f.FnName.L {
	case markerRollup, markerCube, markerGroupingSets, markerSet:
		return f, true
	}
	return nil, false
}

// elementSets returns the grouping sets of one element of a GROUP BY or GROUPING SETS list.
func (c *collector) elementSets(e ast.ExprNode) ([][]ast.ExprNode, *Error) {
	f, ok := groupingMarker(e)
	if !ok {
		return [][]ast.ExprNode{{orderByExpr(e)}}, nil
	}
	c.grouping.markers++
	switch f.FnName.L {
	case markerSet:
		set := make([]ast.ExprNode, len(f.Args))
		for i, a := range f.Args {
			set[i] = orderByExpr(a)
		}
		return [][]ast.ExprNode{set}, nil
	case markerGroupingSets:
		var sets [][]ast.ExprNode
		for _, a := range f.Args {
			es, err := c.elementSets(a)
			if err != nil {
				return nil, err
			}
			if len(sets)+len(es) > MaxGroupingSets {
				return nil, c.tooMany(f, len(sets)+len(es))
			}
			sets = append(sets, es...)
		}
		return sets, nil
	}
	// ROLLUP and CUBE: each argument is an element; a parenthesized list (a, b) is one
	// composite element.
	elems := make([][]ast.ExprNode, len(f.Args))
	for i, a := range f.Args {
		if row, ok := a.(*ast.RowExpr); ok {
			for _, v := range row.Values {
				elems[i] = append(elems[i], orderByExpr(v))
			}
			continue
		}
		if _, nested := groupingMarker(a); nested {
			return nil, c.errorAtNode(a, "ROLLUP and CUBE take expressions or parenthesized lists of expressions")
		}
		elems[i] = []ast.ExprNode{orderByExpr(a)}
	}
	n := len(elems)
	var sets [][]ast.ExprNode
	if f.FnName.L == markerRollup {
		for k := n; k >= 0; k-- {
			var set []ast.ExprNode
			for _, el := range elems[:k] {
				set = append(set, el...)
			}
			sets = append(sets, set)
		}
		return sets, nil
	}
	if n >= 31 || 1<<n > MaxGroupingSets {
		return nil, c.tooMany(f, -1)
	}
	// CUBE: every subset, the full set first; element i is in the set when bit n-1-i of
	// mask is set.
	for mask := 1<<n - 1; mask >= 0; mask-- {
		var set []ast.ExprNode
		for i, el := range elems {
			if mask&(1<<(n-1-i)) != 0 {
				set = append(set, el...)
			}
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// tooMany is the error for a clause that expands to more than MaxGroupingSets sets (n < 0
// when the count is not known).
func (c *collector) tooMany(at ast.ExprNode, n int) *Error {
	msg := fmt.Sprintf("too many grouping sets (at most %d)", MaxGroupingSets)
	if n >= 0 {
		msg = fmt.Sprintf("too many grouping sets (%d, at most %d)", n, MaxGroupingSets)
	}
	return c.errorAtNode(at, msg)
}

// markerError is an error at the first grouping construct of items.
func (c *collector) markerError(items []*ast.ByItem, msg string) *Error {
	for _, it := range items {
		if f, ok := groupingMarker(it.Expr); ok {
			return c.errorAtNode(f, msg)
		}
	}
	return errorAt(c.ext.script, c.ext.start, msg, "")
}

// errorAtNode is an error at the start of expression e, whose offset is still one of the
// rewritten text, quoting the word found there.
func (c *collector) errorAtNode(e ast.ExprNode, msg string) *Error {
	off := c.rw.origStart(e.OriginTextPosition())
	near := ""
	for _, t := range lex(c.ext.script[off:]) {
		near = c.ext.script[off+t.start : off+t.end]
		break
	}
	return errorAt(c.ext.script, off, msg, near)
}

// GroupingSets returns the grouping sets of a GROUP BY clause written with ROLLUP, CUBE,
// GROUPING SETS, () or WITH ROLLUP: each set lists the expressions it groups by, in the
// order written, as nodes of g's items (an integer literal is an *ast.PositionExpr, as in a
// plain GROUP BY). The same node may appear in several sets, and sets may repeat (GROUP BY a,
// ROLLUP(a) has the set (a) twice, and gives its groups twice, as in PostgreSQL and
// DuckDB). nil means g is a plain GROUP BY.
func (q *Query) GroupingSets(g *ast.GroupByClause) [][]ast.ExprNode {
	return q.ext.groupingSets[g]
}
