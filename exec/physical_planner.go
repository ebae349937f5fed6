package exec

import (
	"context"
	"fmt"
	"reflect"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// PhysicalPlanner turns an optimized logical plan into a physical plan with exchanges.
// Every physical node's columns are in the order of its logical node's schema.
type PhysicalPlanner struct {
	// Partitions is the number of partitions of scans and hash exchanges (>= 1).
	Partitions int
	Ctx        context.Context
	// NoRuntimeFilters turns off runtime filters from hash joins to the scans on their
	// probe side (runtime_filter.go).
	NoRuntimeFilters bool
	// Funcs is the session's function registry, where MapPartitions finds its function by
	// name (map_partitions.go); nil: no MapPartitions function is known.
	Funcs *udf.Registry

	runtimeFilters int // runtime filters planned so far (their IDs)
}

// Plan builds the physical plan of p.
func (pp *PhysicalPlanner) Plan(p planner.Plan) (Node, error) {
	if pp.Partitions < 1 {
		pp.Partitions = 1
	}
	if pp.Ctx == nil {
		pp.Ctx = context.Background()
	}
	return pp.plan(p)
}

func (pp *PhysicalPlanner) plan(p planner.Plan) (Node, error) {
	switch x := p.(type) {
	case *planner.Scan:
		src, ok := x.Table.(datasource.Source)
		if ft, isFn := x.Table.(*planner.FunctionTable); isFn {
			// A table function call in FROM: one split per part of the bound table.
			src, ok = datasource.NewFunctionSource(ft), true
		}
		if !ok {
			return nil, errs.Internalf("table %s (%T) is not a scannable source", x.Table.Name(), x.Table)
		}
		splits, err := src.Splits(pp.Ctx)
		if err != nil {
			return nil, err
		}
		// Pushed filters (x.Filters) are hints for skipping data (splits here, pages in the
		// readers); the Filter above the scan still applies them exactly.
		return NewPrunedScanExec(src, x.Ordinals, splits, pp.Partitions, scanPredicates(x)), nil
	case *planner.Project:
		child, err := pp.plan(x.Input)
		if err != nil {
			return nil, err
		}
		child, in, projs, err := withBatchedCalls(child, x.Input.Schema(), x.Projections)
		if err != nil {
			return nil, err
		}
		exprs, err := compileAll(projs, in)
		if err != nil {
			return nil, err
		}
		return NewProjectExec(child, exprs, x.Schema().Arrow()), nil
	case *planner.Filter:
		child, err := pp.plan(x.Input)
		if err != nil {
			return nil, err
		}
		child, in, cond, err := withBatchedCalls(child, x.Input.Schema(), []planner.Expr{x.Cond})
		if err != nil {
			return nil, err
		}
		pred, err := Compile(cond[0], in)
		if err != nil {
			return nil, err
		}
		return keepColumns(&FilterExec{Child: child, Pred: pred}, len(x.Input.Schema())), nil
	case *planner.SubqueryAlias:
		return pp.plan(x.Input)
	case *planner.Aggregate:
		return pp.planAggregate(x)
	case *planner.Distinct:
		in := x.Input.Schema()
		keys := make([]planner.Expr, len(in))
		for i, c := range in {
			keys[i] = planner.NewColumnRef(c)
		}
		agg, err := planner.NewAggregate(x.Input, keys, nil, in)
		if err != nil {
			return nil, errs.Internalf("distinct: %v", err)
		}
		return pp.planAggregate(agg)
	case *planner.Join:
		return pp.planJoin(x)
	case *planner.Sort:
		return pp.planSort(x, -1)
	case *planner.Limit:
		if s, ok := x.Input.(*planner.Sort); ok && x.Count >= 0 {
			sorted, err := pp.planSort(s, x.Offset+x.Count)
			if err != nil {
				return nil, err
			}
			return &LimitExec{Child: sorted, Offset: x.Offset, Count: x.Count}, nil
		}
		child, err := pp.plan(x.Input)
		if err != nil {
			return nil, err
		}
		if child.Partitioning().N > 1 {
			if x.Count >= 0 {
				child = &LimitExec{Child: child, Offset: 0, Count: x.Offset + x.Count}
			}
			child = NewExchange(child, Partitioning{Kind: SinglePartition, N: 1})
		}
		return &LimitExec{Child: child, Offset: x.Offset, Count: x.Count}, nil
	case *planner.Union:
		inputs := make([]Node, len(x.Inputs))
		for i, in := range x.Inputs {
			n, err := pp.plan(in)
			if err != nil {
				return nil, err
			}
			inputs[i] = n
		}
		return NewUnionExec(inputs, x.Schema().Arrow()), nil
	case *planner.Values:
		rows := make([][]any, len(x.Rows))
		for i, r := range x.Rows {
			rows[i] = make([]any, len(r))
			for j, e := range r {
				if e.Type().ID() != x.Out[j].Type.ID() || !arrow.TypeEqual(e.Type(), x.Out[j].Type) {
					e = &planner.Cast{E: e, To: x.Out[j].Type}
				}
				lit, err := EvalConstant(e)
				if err != nil {
					return nil, err
				}
				rows[i][j] = lit.Value
			}
		}
		return NewValuesExec(rows, x.Schema().Arrow()), nil
	}
	if f, ok := nodePlanners[reflect.TypeOf(p)]; ok {
		return f(pp, p)
	}
	return nil, errs.NotImplementedf("physical planning of %T", p)
}

// nodePlanners holds the physical planning of logical nodes whose operators register
// themselves (RegisterNodePlanner), keyed by the node's dynamic type.
var nodePlanners = map[reflect.Type]func(*PhysicalPlanner, planner.Plan) (Node, error){}

// RegisterNodePlanner makes the physical planner plan logical nodes of type T with f. An
// operator's file calls it from init, so adding an operator touches the operator's file, not
// the planner's switch. f plans the node's children itself with pp.PlanChild.
func RegisterNodePlanner[T planner.Plan](f func(pp *PhysicalPlanner, n T) (Node, error)) {
	var zero T
	nodePlanners[reflect.TypeOf(zero)] = func(pp *PhysicalPlanner, p planner.Plan) (Node, error) {
		return f(pp, p.(T))
	}
}

// PlanChild plans a child of the node being planned (for RegisterNodePlanner functions).
func (pp *PhysicalPlanner) PlanChild(p planner.Plan) (Node, error) { return pp.plan(p) }

func compileAll(es []planner.Expr, in planner.Schema) ([]PhysExpr, error) {
	out := make([]PhysExpr, len(es))
	for i, e := range es {
		c, err := Compile(e, in)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// projectColumns puts a projection of exprs over child (whose logical schema is in).
func projectColumns(child Node, in planner.Schema, exprs []planner.Expr, names []string) (Node, error) {
	child, in, exprs, err := withBatchedCalls(child, in, exprs)
	if err != nil {
		return nil, err
	}
	pes, err := compileAll(exprs, in)
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(exprs))
	for i, e := range exprs {
		fields[i] = arrow.Field{Name: names[i], Type: e.Type(), Nullable: true}
	}
	return NewProjectExec(child, pes, arrow.NewSchema(fields, nil)), nil
}

// planAggregate: project group keys and aggregate arguments into columns, then either
// partial aggregate → hash exchange on the keys → final aggregate, or (with a DISTINCT
// aggregate, or a single input partition) exchange → single-phase aggregate.
func (pp *PhysicalPlanner) planAggregate(a *planner.Aggregate) (Node, error) {
	child, err := pp.plan(a.Input)
	if err != nil {
		return nil, err
	}
	nk := len(a.GroupBy)
	exprs := append([]planner.Expr(nil), a.GroupBy...)
	names := make([]string, 0, nk)
	for i := range a.GroupBy {
		names = append(names, a.Out[i].Name)
	}
	specs := make([]AggSpec, len(a.Aggs))
	distinct := false
	for i, ac := range a.Aggs {
		spec := AggSpec{Fn: ac.Fn, Distinct: ac.Distinct, Name: a.Out[nk+i].Name}
		// The arguments, then the ORDER BY keys inside the call (ac.Children() is both).
		for _, arg := range ac.Children() {
			spec.Args = append(spec.Args, len(exprs))
			spec.ArgTypes = append(spec.ArgTypes, arg.Type())
			exprs = append(exprs, arg)
			names = append(names, fmt.Sprintf("%s_arg%d", spec.Name, len(spec.Args)))
		}
		spec.Order = aggOrder(ac.OrderBy)
		distinct = distinct || ac.Distinct
		specs[i] = spec
	}
	proj, err := projectColumns(child, a.Input.Schema(), exprs, names)
	if err != nil {
		return nil, err
	}
	keys := make([]int, nk)
	for i := range keys {
		keys[i] = i
	}
	outSchema := a.Schema().Arrow()
	target := Partitioning{Kind: HashPartitioning, N: pp.Partitions, Keys: keys}
	if nk == 0 {
		target = Partitioning{Kind: SinglePartition, N: 1}
	}
	if distinct || proj.Partitioning().N == 1 {
		in := proj
		if proj.Partitioning().N > 1 || nk == 0 && proj.Partitioning().N != 1 {
			in = NewExchange(proj, target)
		}
		return NewHashAggregateExec(in, keys, specs, AggSingle, outSchema), nil
	}
	// Partial: keys then each aggregate's state columns.
	pfields := append([]arrow.Field(nil), proj.Schema().Fields()[:nk]...)
	final := make([]AggSpec, len(specs))
	for i, s := range specs {
		sts, err := s.stateTypes()
		if err != nil {
			return nil, err
		}
		f := s
		f.StateCols = nil
		for j, t := range sts {
			f.StateCols = append(f.StateCols, len(pfields))
			pfields = append(pfields, arrow.Field{Name: fmt.Sprintf("%s_state%d", s.Name, j), Type: t, Nullable: true})
		}
		final[i] = f
	}
	partial := NewHashAggregateExec(proj, keys, specs, AggPartial, arrow.NewSchema(pfields, nil))
	ex := NewExchange(partial, target)
	return NewHashAggregateExec(ex, keys, final, AggFinal, outSchema), nil
}

func (pp *PhysicalPlanner) planSort(s *planner.Sort, fetch int64) (Node, error) {
	child, err := pp.plan(s.Input)
	if err != nil {
		return nil, err
	}
	keys := make([]SortKeyExec, len(s.Keys))
	for i, k := range s.Keys {
		e, err := Compile(k.Expr, s.Input.Schema())
		if err != nil {
			return nil, err
		}
		keys[i] = SortKeyExec{Expr: e, Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	if child.Partitioning().N > 1 {
		if fetch >= 0 {
			// Top-N per partition first, so only fetch rows per partition cross the exchange.
			child = &SortExec{Child: child, Keys: keys, Fetch: fetch}
		}
		child = NewExchange(child, Partitioning{Kind: SinglePartition, N: 1})
	}
	return &SortExec{Child: child, Keys: keys, Fetch: fetch}, nil
}

// planJoin: equality conjuncts between the two sides become hash keys and both sides are
// hash-exchanged on them (a shuffle hash join), or, when the optimizer marked the join
// "broadcast" (planner.BroadcastJoin, never for right or full joins), the build side is
// broadcast to every partition of the probe side, which is not exchanged; what remains is a
// residual predicate over the joined row. Without equality keys it is a nested-loop join:
// the right side is broadcast to every left partition (inner, left, cross), or both sides
// are gathered into one partition (right, full: unmatched right rows must be found exactly
// once).
func (pp *PhysicalPlanner) planJoin(j *planner.Join) (Node, error) {
	left, err := pp.plan(j.Left)
	if err != nil {
		return nil, err
	}
	right, err := pp.plan(j.Right)
	if err != nil {
		return nil, err
	}
	ls, rs := j.Left.Schema(), j.Right.Schema()
	var lkeys, rkeys []planner.Expr
	var residual []planner.Expr
	if j.On != nil {
		for _, c := range planner.SplitConjunction(j.On) {
			if l, r, ok := equiKey(c, ls, rs); ok {
				lkeys, rkeys = append(lkeys, l), append(rkeys, r)
				continue
			}
			residual = append(residual, c)
		}
	}
	// The comparison of an IN subquery: a plain key when neither side can be NULL; the
	// null-aware key of an uncorrelated IN; else a comparison judged per candidate pair.
	cmp, nullAware := j.Cmp, false
	if l, r, ok := equiKey(cmp, ls, rs); ok {
		switch {
		case !l.Nullable() && !r.Nullable():
			lkeys, rkeys, cmp = append(lkeys, l), append(rkeys, r), nil
		case len(lkeys) == 0 && len(residual) == 0:
			lkeys, rkeys, cmp, nullAware = []planner.Expr{l}, []planner.Expr{r}, nil, true
		}
	}
	joined := append(append(planner.Schema{}, ls...), rs...)
	outSchema := j.Schema().Arrow()
	if len(lkeys) == 0 {
		var cond, cmpExpr PhysExpr
		if len(residual) > 0 {
			if cond, err = Compile(planner.Conjunction(residual), joined); err != nil {
				return nil, err
			}
		}
		if cmp != nil {
			if cmpExpr, err = Compile(cmp, joined); err != nil {
				return nil, err
			}
		}
		if j.Type == planner.RightJoin || j.Type == planner.FullJoin {
			if left.Partitioning().N > 1 {
				left = NewExchange(left, Partitioning{Kind: SinglePartition, N: 1})
			}
			if right.Partitioning().N > 1 {
				right = NewExchange(right, Partitioning{Kind: SinglePartition, N: 1})
			}
		} else {
			right = NewExchange(right, Partitioning{Kind: BroadcastPartitioning, N: left.Partitioning().N})
		}
		return &NestedLoopJoinExec{Left: left, Right: right, Type: j.Type, Cond: cond, Cmp: cmpExpr, schema: outSchema}, nil
	}
	// Key columns: reuse a plain column, otherwise append the key expression as a column.
	lnode, lidx, err := keyColumns(left, ls, lkeys)
	if err != nil {
		return nil, err
	}
	rnode, ridx, err := keyColumns(right, rs, rkeys)
	if err != nil {
		return nil, err
	}
	broadcast := j.Strategy == planner.BroadcastJoin && j.Type.CanBroadcastRight()
	if j.BuildLeft && j.CanBuildLeft() && !broadcast && !nullAware && cmp == nil {
		return pp.planBuildOuter(j, lnode, lidx, rnode, ridx, residual)
	}
	// A runtime filter carries the build side's keys to a scan on the probe side.
	rf := pp.planRuntimeFilter(j.Type, lnode, lidx, rnode, ridx)
	if rf != nil {
		rnode = &RuntimeFilterBuildExec{Child: rnode, Filter: rf}
	}
	// And a filter of a join below the probe side may reach a subquery's scan on the build side.
	pp.planDerivedFilters(j.Type, lnode, lidx, rnode, ridx)
	if nullAware || broadcast {
		// IN's NULL logic needs the whole build side (is it empty? has it a NULL?) in every
		// probe partition; a broadcast join copies its small build side there, and the probe
		// side keeps its partitioning.
		rnode = NewExchange(rnode, Partitioning{Kind: BroadcastPartitioning, N: lnode.Partitioning().N})
	} else {
		n := pp.Partitions
		lnode = NewExchange(lnode, Partitioning{Kind: HashPartitioning, N: n, Keys: lidx})
		rnode = NewExchange(rnode, Partitioning{Kind: HashPartitioning, N: n, Keys: ridx})
	}
	// The residual and the comparison read the pair as the operator builds it: left columns
	// (with any appended key columns) then right columns.
	ext := extendSchema(ls, lnode.Schema().NumFields()-len(ls))
	ext = append(ext, extendSchema(rs, rnode.Schema().NumFields()-len(rs))...)
	var res, cmpExpr PhysExpr
	if len(residual) > 0 {
		if res, err = Compile(planner.Conjunction(residual), ext); err != nil {
			return nil, err
		}
	}
	if cmp != nil {
		if cmpExpr, err = Compile(cmp, ext); err != nil {
			return nil, err
		}
	}
	hj := &HashJoinExec{Left: lnode, Right: rnode, LeftKeys: lidx, RightKeys: ridx, Type: j.Type,
		Residual: res, Cmp: cmpExpr, NullAwareKey: nullAware, RuntimeFilter: rf}
	hj.init()
	if lnode.Schema().NumFields() == len(ls) && rnode.Schema().NumFields() == len(rs) {
		hj.schema = outSchema
		return hj, nil
	}
	// Drop the appended key columns.
	var keep []PhysExpr
	for i := range ls {
		keep = append(keep, &colExpr{idx: i, typ: ls[i].Type, name: ls[i].Name})
	}
	off := lnode.Schema().NumFields()
	if j.Type.KeepsRightColumns() {
		for i := range rs {
			keep = append(keep, &colExpr{idx: off + i, typ: rs[i].Type, name: rs[i].Name})
		}
	}
	if j.Type == planner.LeftMark {
		keep = append(keep, &colExpr{idx: off, typ: planner.Boolean, name: j.MarkCol.Name})
	}
	return NewProjectExec(hj, keep, outSchema), nil
}

// planBuildOuter plans a semi or anti join that builds its hash table from its left (outer)
// side (planner.Join.BuildLeft): a HashJoinExec with BuildOuter, the right side probing,
// both sides shuffled on the keys. lnode and rnode carry the key columns lidx and ridx
// (keyColumns); residual is the non-key part of On.
func (pp *PhysicalPlanner) planBuildOuter(j *planner.Join, lnode Node, lidx []int, rnode Node, ridx []int, residual []planner.Expr) (Node, error) {
	ls, rs := j.Left.Schema(), j.Right.Schema()
	// A probe (subquery) row without a key on the build side marks nothing, for semi and
	// anti joins alike: a runtime filter may drop it.
	rf := pp.planRuntimeFilter(planner.LeftSemi, rnode, ridx, lnode, lidx)
	if rf != nil {
		lnode = &RuntimeFilterBuildExec{Child: lnode, Filter: rf}
	}
	n := pp.Partitions
	lnode = NewExchange(lnode, Partitioning{Kind: HashPartitioning, N: n, Keys: lidx})
	rnode = NewExchange(rnode, Partitioning{Kind: HashPartitioning, N: n, Keys: ridx})
	// A pair is the probe's (right) columns, then the build's (left) ones.
	ext := extendSchema(rs, rnode.Schema().NumFields()-len(rs))
	ext = append(ext, extendSchema(ls, lnode.Schema().NumFields()-len(ls))...)
	var res PhysExpr
	if len(residual) > 0 {
		var err error
		if res, err = Compile(planner.Conjunction(residual), ext); err != nil {
			return nil, err
		}
	}
	hj := &HashJoinExec{Left: rnode, Right: lnode, LeftKeys: ridx, RightKeys: lidx, Type: j.Type,
		Residual: res, BuildOuter: true, RuntimeFilter: rf}
	hj.init()
	outSchema := j.Schema().Arrow()
	if lnode.Schema().NumFields() == len(ls) {
		hj.schema = outSchema
		return hj, nil
	}
	// Drop the appended key columns.
	keep := make([]PhysExpr, len(ls))
	for i := range ls {
		keep[i] = &colExpr{idx: i, typ: ls[i].Type, name: ls[i].Name}
	}
	return NewProjectExec(hj, keep, outSchema), nil
}

// extendSchema pads a logical schema with placeholder columns for appended key columns
// (they are never referenced by the residual, which was bound before they existed).
func extendSchema(s planner.Schema, extra int) planner.Schema {
	out := append(planner.Schema{}, s...)
	for range extra {
		out = append(out, planner.Column{ID: -1})
	}
	return out
}

// equiKey reports whether c is "l = r" with l over the left side only and r over the right
// side only (either way round), returning them oriented.
func equiKey(c planner.Expr, ls, rs planner.Schema) (l, r planner.Expr, ok bool) {
	b, isBin := c.(*planner.Binary)
	if !isBin || b.Op != planner.OpEq {
		return nil, nil, false
	}
	side := func(e planner.Expr) int {
		cols := planner.ColumnsOf(e, nil)
		if len(cols) == 0 {
			return 0
		}
		inL, inR := true, true
		for id := range cols {
			if ls.IndexOf(id) < 0 {
				inL = false
			}
			if rs.IndexOf(id) < 0 {
				inR = false
			}
		}
		switch {
		case inL:
			return 1
		case inR:
			return 2
		}
		return 3
	}
	sl, sr := side(b.Left), side(b.Right)
	if !arrow.TypeEqual(b.Left.Type(), b.Right.Type()) {
		return nil, nil, false
	}
	switch {
	case sl == 1 && sr == 2:
		return b.Left, b.Right, true
	case sl == 2 && sr == 1:
		return b.Right, b.Left, true
	}
	return nil, nil, false
}

// keyColumns returns child with the key expressions available as columns, and their
// ordinals: plain column references reuse the existing column; other expressions are
// appended after the child's columns by a projection.
func keyColumns(child Node, s planner.Schema, keys []planner.Expr) (Node, []int, error) {
	idx := make([]int, len(keys))
	var extra []planner.Expr
	for i, k := range keys {
		if c, ok := k.(*planner.ColumnRef); ok {
			if p := s.IndexOf(c.Col.ID); p >= 0 {
				idx[i] = p
				continue
			}
		}
		idx[i] = len(s) + len(extra)
		extra = append(extra, k)
	}
	if len(extra) == 0 {
		return child, idx, nil
	}
	exprs := make([]planner.Expr, 0, len(s)+len(extra))
	names := make([]string, 0, len(s)+len(extra))
	for _, c := range s {
		exprs = append(exprs, planner.NewColumnRef(c))
		names = append(names, c.Name)
	}
	for i, e := range extra {
		exprs = append(exprs, e)
		names = append(names, fmt.Sprintf("__key%d", i))
	}
	n, err := projectColumns(child, s, exprs, names)
	return n, idx, err
}
