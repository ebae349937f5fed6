package binder

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// lookupColumn finds the column `table.name` (or `name` when table is "") among cols,
// case-insensitively. found is false when none matches; two different columns (by ID)
// matching is an ambiguity error listing them.
func (s *state) lookupColumn(cols planner.Schema, n *ast.ColumnNameExpr) (planner.Column, bool, error) {
	table, name := n.Name.Table.O, n.Name.Name.O
	var matches []planner.Column
	for _, c := range cols {
		if !strings.EqualFold(c.Name, name) || (table != "" && !strings.EqualFold(c.Table, table)) || (table == "" && s.mergedAway(c)) {
			continue
		}
		dup := false
		for _, m := range matches {
			dup = dup || m.ID == c.ID
		}
		if !dup {
			matches = append(matches, c)
		}
	}
	switch len(matches) {
	case 0:
		return planner.Column{}, false, nil
	case 1:
		return matches[0], true, nil
	}
	cands := make([]string, len(matches))
	for i, m := range matches {
		cands[i] = m.QualifiedName()
	}
	return planner.Column{}, false, errs.Planf("column %q is ambiguous%s; it could refer to %s",
		qualified(table, name), s.at(n, nameParts(table, name)...), strings.Join(cands, " or "))
}

// bindColumn resolves a column reference: a select-list name first where ctx has aliases
// (HAVING, ORDER BY), then the FROM columns.
func (s *state) bindColumn(ctx *exprCtx, n *ast.ColumnNameExpr) (planner.Expr, error) {
	// db.t.c resolves as t.c: a query names each table once, so the table qualifier decides.
	if n.Name.Table.O == "" && !ctx.inAgg {
		if e, ok, err := s.lookupAlias(ctx.aliases, n); ok || err != nil {
			return e, err
		}
	}
	c, ok, err := s.lookupColumn(ctx.cols, n)
	if err != nil {
		return nil, err
	}
	if ok {
		return planner.NewColumnRef(c), nil
	}
	// A correlated reference: the nearest enclosing query that has the name.
	for i := len(s.outer) - 1; i >= 0; i-- {
		c, ok, err := s.lookupColumn(s.outer[i].cols, n)
		if err != nil {
			return nil, err
		}
		if ok {
			return &planner.OuterRef{Col: c}, nil
		}
	}
	return nil, s.unknownColumn(ctx, n)
}

// lookupAlias finds an unqualified name among select-list names. Several outputs of that name
// are fine when they are the same expression, else ambiguous.
func (s *state) lookupAlias(aliases []selectAlias, n *ast.ColumnNameExpr) (planner.Expr, bool, error) {
	var found planner.Expr
	for _, a := range aliases {
		if !strings.EqualFold(a.name, n.Name.Name.O) {
			continue
		}
		if found != nil && fingerprint(found) != fingerprint(a.expr) {
			return nil, false, errs.Planf("column %q is ambiguous%s; it names more than one select-list item",
				n.Name.Name.O, s.at(n, n.Name.Name.O))
		}
		if found == nil {
			found = a.expr
		}
	}
	return found, found != nil, nil
}

// unknownColumn is the error for a name that resolves nowhere, with its position and the
// nearest visible name.
func (s *state) unknownColumn(ctx *exprCtx, n *ast.ColumnNameExpr) error {
	table, name := n.Name.Table.O, n.Name.Name.O
	var cands []string
	for _, c := range ctx.cols {
		if table == "" {
			cands = append(cands, c.Name)
		} else if c.Table != "" {
			cands = append(cands, c.QualifiedName())
		}
	}
	if table == "" && !ctx.inAgg {
		for _, a := range ctx.aliases {
			cands = append(cands, a.name)
		}
	}
	return errs.Planf("unknown column %q%s%s", qualified(table, name), s.at(n, nameParts(table, name)...),
		suggest(qualified(table, name), cands))
}

func qualified(table, name string) string {
	if table == "" {
		return name
	}
	return table + "." + name
}

func nameParts(table, name string) []string {
	if table == "" {
		return []string{name}
	}
	return []string{table, name}
}

// fingerprint identifies an expression by structure: its text with every column shown by
// ID, plus its type. Two bound expressions with the same fingerprint compute the same value,
// which is how GROUP BY keys, repeated aggregates and ORDER BY keys are matched.
func fingerprint(e planner.Expr) string {
	r, _ := planner.TransformExprUp(e, func(x planner.Expr) (planner.Expr, error) {
		if c, ok := x.(*planner.ColumnRef); ok {
			return planner.NewColumnRef(planner.Column{ID: c.Col.ID, Name: "#" + strconv.FormatInt(int64(c.Col.ID), 10), Type: c.Col.Type}), nil
		}
		return x, nil
	})
	fp := r.String() + " :: " + planner.TypeString(e.Type())
	if l, ok := e.(*planner.Like); ok {
		fp += fmt.Sprintf(" escape %q", l.Escape)
	}
	return fp
}

// aggState collects the grouping keys and aggregate calls of one SELECT. Its output columns
// exist before the Aggregate node is built (IDs are allocated as keys and calls are found),
// so the select list, HAVING and ORDER BY can be bound against them first.
type aggState struct {
	groups    []planner.Expr
	groupCols []planner.Column
	aggs      []*planner.AggregateCall
	aggCols   []planner.Column
	index     map[string]int // fingerprint → position in groups (≥ 0) or aggs (-1-i)
	outIDs    map[planner.ColumnID]bool
	// sets describes GROUP BY with grouping sets (grouping.go); nil for a plain GROUP BY.
	// Set before the first addGroup: it makes every key column a fresh nullable one.
	sets *groupingSets
}

func newAggState() *aggState {
	return &aggState{index: map[string]int{}, outIDs: map[planner.ColumnID]bool{}}
}

// addGroup registers a grouping key and returns its position in groups; repeated keys count
// once. A bare column keeps its ID (it passes through the Aggregate unchanged); a computed
// key gets a fresh column. Under grouping sets every key gets a fresh nullable column (NULL
// where a set leaves the key out), named like the column it groups by.
func (a *aggState) addGroup(e planner.Expr) int {
	fp := fingerprint(e)
	if i, ok := a.index[fp]; ok {
		return i
	}
	var col planner.Column
	c, bare := e.(*planner.ColumnRef)
	switch {
	case bare && a.sets == nil:
		col = c.Col
	case bare:
		col = planner.NewColumn(c.Col.Name, c.Col.Table, c.Col.Type, true)
	default:
		col = planner.NewColumn(e.String(), "", e.Type(), e.Nullable() || a.sets != nil)
	}
	a.index[fp] = len(a.groups)
	a.groups = append(a.groups, e)
	a.groupCols = append(a.groupCols, col)
	a.outIDs[col.ID] = true
	return len(a.groups) - 1
}

// addAgg registers an aggregate call (once per distinct call) and returns its output column.
func (a *aggState) addAgg(call *planner.AggregateCall) planner.Column {
	fp := fingerprint(call)
	if i, ok := a.index[fp]; ok && i < 0 {
		return a.aggCols[-1-i]
	}
	col := planner.NewColumn(call.String(), "", call.Type(), call.Nullable())
	a.index[fp] = -1 - len(a.aggs)
	a.aggs = append(a.aggs, call)
	a.aggCols = append(a.aggCols, col)
	a.outIDs[col.ID] = true
	return col
}

// rewrite turns an expression bound against the FROM columns (with aggregate calls already
// replaced by their output columns) into one over the Aggregate's output: every subexpression
// equal to a grouping key becomes that key's column, top-down. A column left over that is
// neither a key nor an aggregate is the ONLY_FULL_GROUP_BY error.
func (s *state) rewrite(a *aggState, e planner.Expr, clause string) (planner.Expr, error) {
	if i, ok := a.index[fingerprint(e)]; ok && i >= 0 {
		return planner.NewColumnRef(a.groupCols[i]), nil
	}
	if c, ok := e.(*planner.ColumnRef); ok {
		if a.outIDs[c.Col.ID] {
			return e, nil
		}
		return nil, errs.Planf("column %q in %s must appear in the GROUP BY clause or be used in an aggregate function%s",
			c.Col.QualifiedName(), clause, s.at(nil, c.Col.Name))
	}
	kids := e.Children()
	if len(kids) == 0 {
		return e, nil
	}
	out := make([]planner.Expr, len(kids))
	for i, k := range kids {
		nk, err := s.rewrite(a, k, clause)
		if err != nil {
			return nil, err
		}
		out[i] = nk
	}
	return e.WithChildren(out), nil
}

// node builds the Aggregate over input (over an Expand of it under grouping sets).
func (a *aggState) node(input planner.Plan) (planner.Plan, error) {
	if a.sets != nil {
		return a.groupingNode(input)
	}
	out := append(append([]planner.Column(nil), a.groupCols...), a.aggCols...)
	agg, err := planner.NewAggregate(input, a.groups, a.aggs, out)
	if err != nil {
		return nil, internal(err)
	}
	return agg, nil
}

// tableNames lists the names a FROM clause could have meant: catalog tables and views and
// the CTEs in scope, sorted.
func (s *state) tableNames() []string {
	names := append([]string(nil), s.b.Catalog.TableNames()...)
	for e := s.env; e != nil; e = e.parent {
		names = append(names, e.name)
	}
	sort.Strings(names)
	return names
}
