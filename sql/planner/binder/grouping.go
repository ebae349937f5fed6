package binder

import (
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// GROUP BY keys, grouping sets (ROLLUP, CUBE, GROUPING SETS, WITH ROLLUP) and grouping().
//
// Grouping sets are planned as Spark does:
//
//	Aggregate: groupBy=[k1', k2', grouping_id] aggs=[...]
//	  Expand: [x, k1, k2, 0], [x, k1, NULL, 1], [x, NULL, NULL, 3] AS [x, k1', k2', grouping_id]
//	    Project: x, k1, k2   (the columns the aggregates and keys read)
//	      input
//
// Expand emits each row once per grouping set, with the keys the set leaves out as NULL and
// the set's grouping id: bit len(keys)-1-k is set when key k is left out (the first key is
// the highest bit, as in MySQL's GROUPING(a, b) and Spark's grouping_id()). The aggregate
// arguments read the input columns that Expand passes through, so sum(a) ... GROUP BY
// ROLLUP(a) sums the real a. The key columns k' are fresh and nullable: a NULL key of the
// data and a rolled-up NULL differ only in the grouping id, which grouping() reads. Sets that
// repeat (GROUP BY a, ROLLUP(a)) get one more key, the set's position, so each copy makes its
// own groups as in PostgreSQL and DuckDB.
//
// Over an empty input the result is empty, also for the empty grouping set (as in Spark and
// MySQL; PostgreSQL and DuckDB give the grand total row).

// maxGroupingKeys bounds the distinct keys of grouping sets: the grouping id is a BIGINT with
// one bit per key.
const maxGroupingKeys = 63

// groupingSets is the grouping-set part of an aggState.
type groupingSets struct {
	// present[i] has bit k set when key k (aggState.groups[k]) is in set i.
	present []uint64
	// gid is the grouping-id column (BIGINT, never NULL), made by the Expand.
	gid planner.Column
	// pos, when some set repeats, is the column holding the set's position; nil otherwise.
	pos *planner.Column
}

// bindGroupKey binds one GROUP BY item against the FROM columns in ctx: an output position
// (GROUP BY 1), a FROM column, else a select-list alias (the aliased expression), else any
// expression. A key that stands for a * column is that column.
func (s *state) bindGroupKey(ctx *exprCtx, node ast.ExprNode, items []selectItem) (planner.Expr, error) {
	var item *selectItem
	switch x := node.(type) {
	case *ast.PositionExpr:
		if x.P != nil || x.N < 1 || x.N > len(items) {
			return nil, errs.Planf("GROUP BY position %s is not in the select list (1 to %d)", s.text(x), len(items))
		}
		item = &items[x.N-1]
	case *ast.ColumnNameExpr:
		if x.Name.Table.O == "" {
			_, found, err := s.lookupColumn(ctx.cols, x)
			if err != nil {
				return nil, err
			}
			for i := range items {
				if found {
					break
				}
				if f := items[i].field; f != nil && strings.EqualFold(f.AsName.O, x.Name.Name.O) {
					item = &items[i]
					break
				}
			}
		}
	}
	if item != nil {
		if item.field == nil {
			return planner.NewColumnRef(item.col), nil
		}
		if s.containsAggregate(item.field.Expr) {
			return nil, errs.Planf("cannot GROUP BY %s: it refers to an aggregate function", s.text(node))
		}
		node = item.field.Expr
	}
	return s.bindExpr(ctx, node)
}

// bindGroupingSets binds the keys of every grouping set into a (each distinct key once, in
// the order first written) and records the sets.
func (s *state) bindGroupingSets(a *aggState, ctx *exprCtx, sets [][]ast.ExprNode, items []selectItem) error {
	gs := &groupingSets{gid: planner.NewColumn("grouping_id", "", planner.Int64, false)}
	a.sets = gs
	bound := map[ast.ExprNode]int{}
	seen := map[uint64]bool{}
	repeated := false
	for _, set := range sets {
		var mask uint64
		for _, n := range set {
			k, ok := bound[n]
			if !ok {
				e, err := s.bindGroupKey(ctx, n, items)
				if err != nil {
					return err
				}
				if k = a.addGroup(e); k >= maxGroupingKeys {
					return errs.Planf("GROUP BY with grouping sets has more than %d distinct keys", maxGroupingKeys)
				}
				bound[n] = k
			}
			mask |= 1 << k
		}
		repeated = repeated || seen[mask]
		seen[mask] = true
		gs.present = append(gs.present, mask)
	}
	a.outIDs[gs.gid.ID] = true
	if repeated {
		pos := planner.NewColumn("grouping_set", "", planner.Int64, false)
		gs.pos = &pos
		a.outIDs[pos.ID] = true
	}
	return nil
}

// groupingID is the grouping id of a set: bit len(keys)-1-k set when key k is absent.
func (a *aggState) groupingID(present uint64) int64 {
	n := len(a.groups)
	var id int64
	for k := range n {
		if present&(1<<k) == 0 {
			id |= 1 << (n - 1 - k)
		}
	}
	return id
}

// groupingNode builds Aggregate(Expand(Project(input))) for grouping sets (see the top of
// this file). The Project keeps only the columns the keys and aggregates read, so that
// column pruning, which cannot see through an Expand, still narrows the input.
func (a *aggState) groupingNode(input planner.Plan) (planner.Plan, error) {
	gs := a.sets
	aggRefs := map[planner.ColumnID]bool{}
	for _, ac := range a.aggs {
		planner.ColumnsOf(ac, aggRefs)
	}
	need := map[planner.ColumnID]bool{}
	for id := range aggRefs {
		need[id] = true
	}
	for _, g := range a.groups {
		planner.ColumnsOf(g, need)
	}
	in := input.Schema()
	var keep []planner.Expr
	var keepCols []planner.Column
	var pass []planner.Column // input columns the aggregates read, passed through the Expand
	for _, c := range in {
		if need[c.ID] {
			keep = append(keep, planner.NewColumnRef(c))
			keepCols = append(keepCols, c)
		}
		if aggRefs[c.ID] {
			pass = append(pass, c)
		}
	}
	if len(keep) == 0 && len(in) > 0 {
		// A batch carries its row count in its columns: keep one.
		keep, keepCols = []planner.Expr{planner.NewColumnRef(in[0])}, []planner.Column{in[0]}
	}
	if len(keep) < len(in) {
		p, err := planner.NewProject(input, keep, keepCols)
		if err != nil {
			return nil, internal(err)
		}
		input = p
	}

	out := append(append([]planner.Column(nil), pass...), a.groupCols...)
	out = append(out, gs.gid)
	if gs.pos != nil {
		out = append(out, *gs.pos)
	}
	projections := make([][]planner.Expr, len(gs.present))
	for i, present := range gs.present {
		p := make([]planner.Expr, 0, len(out))
		for _, c := range pass {
			p = append(p, planner.NewColumnRef(c))
		}
		for k, g := range a.groups {
			if present&(1<<k) != 0 {
				p = append(p, g)
			} else {
				p = append(p, planner.NewLiteral(nil, a.groupCols[k].Type))
			}
		}
		p = append(p, planner.NewLiteral(a.groupingID(present), planner.Int64))
		if gs.pos != nil {
			p = append(p, planner.NewLiteral(int64(i), planner.Int64))
		}
		projections[i] = p
	}
	ex, err := planner.NewExpand(input, projections, out)
	if err != nil {
		return nil, internal(err)
	}

	keys := out[len(pass):]
	groupBy := make([]planner.Expr, len(keys))
	for i, c := range keys {
		groupBy[i] = planner.NewColumnRef(c)
	}
	aggOut := append(append([]planner.Column(nil), keys...), a.aggCols...)
	agg, err := planner.NewAggregate(ex, groupBy, a.aggs, aggOut)
	if err != nil {
		return nil, internal(err)
	}
	return agg, nil
}

// keyIndex returns the position of e among the grouping keys, or -1: e is a key as bound
// against the FROM columns, or a key's output column (a select-list alias in HAVING or
// ORDER BY stands for one).
func (a *aggState) keyIndex(e planner.Expr) int {
	if i, ok := a.index[fingerprint(e)]; ok && i >= 0 {
		return i
	}
	if c, ok := e.(*planner.ColumnRef); ok {
		for i, g := range a.groupCols {
			if g.ID == c.Col.ID {
				return i
			}
		}
	}
	return -1
}

// bindGrouping binds grouping(k, ...) and grouping_id(k, ...): a BIGINT with one bit per
// argument, the first argument highest, set when the row's grouping set leaves that key out
// (a super-aggregate row). Each argument must be a GROUP BY key; grouping_id() without
// arguments takes all keys in order (Spark). Under a plain GROUP BY every bit is 0.
func (s *state) bindGrouping(ctx *exprCtx, x *ast.FuncCallExpr) (planner.Expr, error) {
	name := x.FnName.L
	switch {
	case ctx.inAgg:
		return nil, errs.Planf("%s() cannot be used inside an aggregate function: %s", name, s.text(x))
	case ctx.agg == nil:
		return nil, errs.Planf("%s() is only allowed in the select list, HAVING and ORDER BY of a query with GROUP BY%s", name, s.at(x, x.FnName.O))
	case len(x.Args) == 0 && name == "grouping":
		return nil, errs.Planf("grouping() needs at least one argument%s", s.at(x, x.FnName.O))
	case len(x.Args) > maxGroupingKeys:
		return nil, errs.Planf("%s() takes at most %d arguments%s", name, maxGroupingKeys, s.at(x, x.FnName.O))
	}
	a := ctx.agg
	keys := make([]int, len(x.Args))
	actx := &exprCtx{clause: ctx.clause, cols: ctx.cols, aliases: ctx.aliases}
	for i, n := range x.Args {
		e, err := s.bindExpr(actx, n)
		if err != nil {
			return nil, err
		}
		if keys[i] = a.keyIndex(e); keys[i] < 0 {
			return nil, errs.Planf("argument %s of %s() is not a GROUP BY key", s.text(n), name)
		}
	}
	if len(x.Args) == 0 {
		keys = make([]int, len(a.groups))
		for i := range keys {
			keys[i] = i
		}
	}
	if a.sets == nil {
		return planner.NewLiteral(int64(0), planner.Int64), nil
	}
	return groupingBits(a.sets.gid, len(a.groups), keys), nil
}

// groupingBits computes, from the grouping-id column gid of nkeys keys, the bits of keys in
// order (the first highest): sum over i of ((gid DIV 2^(nkeys-1-keys[i])) % 2) *
// 2^(len(keys)-1-i). All keys in order is gid itself.
func groupingBits(gid planner.Column, nkeys int, keys []int) planner.Expr {
	id := planner.NewColumnRef(gid)
	if len(keys) == nkeys {
		inOrder := true
		for i, k := range keys {
			inOrder = inOrder && k == i
		}
		if inOrder {
			return id
		}
	}
	lit := func(v int64) planner.Expr { return planner.NewLiteral(v, planner.Int64) }
	bin := func(op planner.BinaryOp, l, r planner.Expr) planner.Expr {
		return &planner.Binary{Op: op, Left: l, Right: r, Typ: planner.Int64}
	}
	var sum planner.Expr
	for i, k := range keys {
		var bit planner.Expr = id
		if shift := nkeys - 1 - k; shift > 0 {
			bit = bin(planner.OpIntDiv, bit, lit(1<<shift))
		}
		bit = bin(planner.OpMod, bit, lit(2))
		if shift := len(keys) - 1 - i; shift > 0 {
			bit = bin(planner.OpMul, bit, lit(1<<shift))
		}
		if sum == nil {
			sum = bit
		} else {
			sum = bin(planner.OpAdd, sum, bit)
		}
	}
	return sum
}
