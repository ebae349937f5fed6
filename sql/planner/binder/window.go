package binder

import (
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// windowState collects the window function calls of one SELECT (select list and ORDER BY).
// Like aggState, a call's output column exists as soon as the call is bound, so the select
// list and ORDER BY refer to it before the Window nodes are built. Calls are grouped by
// their PARTITION BY and ORDER BY: each group becomes one planner.Window (one exchange and
// one sort at run time), stacked in order of first use.
type windowState struct {
	groups []*windowGroup
	byKeys map[string]*windowGroup   // fingerprint of PARTITION BY + ORDER BY → group
	calls  map[string]planner.Column // fingerprint of keys + call → output column
	// nested is set while the arguments, keys and frame of a call are bound: a window
	// function there is an error.
	nested bool
}

type windowGroup struct {
	partitionBy []planner.Expr
	orderBy     []planner.SortKey
	funcs       []*planner.WindowCall
	out         []planner.Column
}

func newWindowState() *windowState {
	return &windowState{byKeys: map[string]*windowGroup{}, calls: map[string]planner.Column{}}
}

// plan puts the window computations over input (input itself when there are none): one
// Window node per PARTITION BY / ORDER BY group, the first group lowest.
func (w *windowState) plan(input planner.Plan) (planner.Plan, error) {
	for _, g := range w.groups {
		n, err := planner.NewWindow(input, g.partitionBy, g.orderBy, g.funcs, g.out)
		if err != nil {
			return nil, internal(err)
		}
		input = n
	}
	return input, nil
}

// windowDef is a window specification with named windows resolved.
type windowDef struct {
	partitionBy *ast.PartitionByClause
	orderBy     *ast.OrderByClause
	frame       *ast.FrameClause
}

// checkWindowSpecs checks a WINDOW clause: unique names, references to defined windows, no
// cycles, and the inheritance rules of named windows (see resolveWindow).
func (s *state) checkWindowSpecs(sel *ast.SelectStmt) error {
	seen := map[string]bool{}
	for i := range sel.WindowSpecs {
		name := sel.WindowSpecs[i].Name.L
		if seen[name] {
			return errs.Planf("window %q is defined twice%s", sel.WindowSpecs[i].Name.O, s.at(nil, sel.WindowSpecs[i].Name.O))
		}
		seen[name] = true
	}
	for i := range sel.WindowSpecs {
		if _, err := s.resolveWindow(sel.WindowSpecs, &sel.WindowSpecs[i], nil); err != nil {
			return err
		}
	}
	return nil
}

// resolveWindow resolves a window specification against the WINDOW clause defs. A spec that
// names a window (OVER w) is that window; one that refers to a window (OVER (w ORDER BY x),
// WINDOW w2 AS (w ...)) inherits its PARTITION BY and ORDER BY and may add an ORDER BY when
// w has none and a frame; it may not have a PARTITION BY of its own, nor refer to a window
// that has a frame (SQL's rules, as MySQL applies them).
func (s *state) resolveWindow(defs []ast.WindowSpec, spec *ast.WindowSpec, visiting []string) (windowDef, error) {
	own := windowDef{partitionBy: spec.PartitionBy, orderBy: spec.OrderBy, frame: spec.Frame}
	ref := spec.Ref
	if spec.OnlyAlias {
		ref = spec.Name
	}
	if ref.L == "" {
		return own, nil
	}
	for _, v := range visiting {
		if v == ref.L {
			return windowDef{}, errs.Planf("window %q refers to itself%s", ref.O, s.at(nil, ref.O))
		}
	}
	var base *ast.WindowSpec
	var names []string
	for i := range defs {
		names = append(names, defs[i].Name.O)
		if defs[i].Name.L == ref.L {
			base = &defs[i]
		}
	}
	if base == nil {
		return windowDef{}, errs.Planf("unknown window %q%s%s", ref.O, s.at(nil, ref.O), suggest(ref.O, names))
	}
	inherited, err := s.resolveWindow(defs, base, append(visiting, ref.L))
	if err != nil {
		return windowDef{}, err
	}
	if spec.OnlyAlias {
		return inherited, nil
	}
	switch {
	case own.partitionBy != nil:
		return windowDef{}, errs.Planf("a window that refers to window %q cannot have its own PARTITION BY%s", ref.O, s.at(nil, ref.O))
	case own.orderBy != nil && inherited.orderBy != nil:
		return windowDef{}, errs.Planf("a window that refers to window %q cannot have its own ORDER BY: %q has one%s", ref.O, ref.O, s.at(nil, ref.O))
	case inherited.frame != nil:
		return windowDef{}, errs.Planf("window %q has a frame clause, so another window cannot refer to it%s", ref.O, s.at(nil, ref.O))
	}
	own.partitionBy = inherited.partitionBy
	if own.orderBy == nil {
		own.orderBy = inherited.orderBy
	}
	return own, nil
}

// windowSpecsOf returns the WINDOW clause of the SELECT whose expressions hold x (the named
// windows x may use). The AST has no parent links, so the statement is searched.
func (s *state) windowSpecsOf(x *ast.WindowFuncExpr) []ast.WindowSpec {
	if s.q == nil || s.q.Node == nil {
		return nil
	}
	f := &selectOf{target: x}
	s.q.Node.Accept(f)
	if f.found == nil {
		return nil
	}
	return f.found.WindowSpecs
}

// selectOf finds the innermost SelectStmt around target.
type selectOf struct {
	target ast.Node
	stack  []*ast.SelectStmt
	found  *ast.SelectStmt
}

func (v *selectOf) Enter(n ast.Node) (ast.Node, bool) {
	if v.found != nil {
		return n, true
	}
	if sel, ok := n.(*ast.SelectStmt); ok {
		v.stack = append(v.stack, sel)
	}
	if n == v.target && len(v.stack) > 0 {
		v.found = v.stack[len(v.stack)-1]
		return n, true
	}
	return n, false
}

func (v *selectOf) Leave(n ast.Node) (ast.Node, bool) {
	if _, ok := n.(*ast.SelectStmt); ok && v.found == nil {
		v.stack = v.stack[:len(v.stack)-1]
	}
	return n, true
}

// bindWindowFunc binds fn(...) OVER (...): its arguments, keys and frame in ctx (aggregates
// allowed where ctx has them: sum(sum(x)) OVER ()), and registers the call in ctx.win. It
// returns a reference to the call's output column.
func (s *state) bindWindowFunc(ctx *exprCtx, x *ast.WindowFuncExpr) (planner.Expr, error) {
	name := strings.ToLower(x.Name)
	switch {
	case ctx.inAgg:
		return nil, errs.Planf("window function %s cannot be used inside an aggregate function: %s", name, s.text(x))
	case ctx.win == nil:
		return nil, errs.Planf("window function %s is not allowed in %s%s", name, ctx.clause, s.at(x, x.Name))
	case ctx.win.nested:
		return nil, errs.Planf("window functions cannot be nested: %s", s.text(x))
	case x.IgnoreNull:
		return nil, errs.NotImplementedf("IGNORE NULLS is not supported: %s", s.text(x))
	case x.FromLast:
		return nil, errs.NotImplementedf("FROM LAST is not supported: %s", s.text(x))
	}
	win := ctx.win
	win.nested = true
	defer func() { win.nested = false }()
	def := windowDef{partitionBy: x.Spec.PartitionBy, orderBy: x.Spec.OrderBy, frame: x.Spec.Frame}
	if x.Spec.Ref.L != "" || x.Spec.OnlyAlias {
		var err error
		if def, err = s.resolveWindow(s.windowSpecsOf(x), &x.Spec, nil); err != nil {
			return nil, err
		}
	}
	actx := &exprCtx{clause: ctx.clause, cols: ctx.cols, agg: ctx.agg, win: win}
	bind := func(n ast.ExprNode) (planner.Expr, error) {
		e, err := s.bindExpr(actx, n)
		if err != nil || ctx.agg == nil {
			return e, err
		}
		return s.rewrite(ctx.agg, e, ctx.clause)
	}

	var partitionBy []planner.Expr
	var orderBy []planner.SortKey
	keysFP := ""
	if def.partitionBy != nil {
		for _, by := range def.partitionBy.Items {
			if _, ok := by.Expr.(*ast.PositionExpr); ok {
				continue // a constant: every row is in the same partition
			}
			e, err := bind(by.Expr)
			if err != nil {
				return nil, err
			}
			partitionBy = append(partitionBy, e)
			keysFP += "P" + fingerprint(e) + ";"
		}
	}
	if def.orderBy != nil {
		for _, by := range def.orderBy.Items {
			if _, ok := by.Expr.(*ast.PositionExpr); ok {
				continue // a constant orders nothing
			}
			e, err := bind(by.Expr)
			if err != nil {
				return nil, err
			}
			it := s.sortItem(by, 0)
			k := planner.SortKey{Expr: e, Desc: it.desc, NullsFirst: it.nullsFirst}
			orderBy = append(orderBy, k)
			keysFP += "O" + fingerprint(e) + " " + k.String() + ";"
		}
	}
	call, err := s.bindWindowCall(bind, x, name)
	if err != nil {
		return nil, err
	}
	if call.Frame, err = s.bindFrame(def.frame, orderBy, x); err != nil {
		return nil, err
	}
	fp := keysFP + "F" + fingerprint(call)
	if col, ok := win.calls[fp]; ok {
		return planner.NewColumnRef(col), nil
	}
	g := win.byKeys[keysFP]
	if g == nil {
		g = &windowGroup{partitionBy: partitionBy, orderBy: orderBy}
		win.byKeys[keysFP] = g
		win.groups = append(win.groups, g)
	}
	col := planner.NewColumn(call.Call(), "", call.Type(), call.Nullable())
	g.funcs = append(g.funcs, call)
	g.out = append(g.out, col)
	win.calls[fp] = col
	if ctx.agg != nil {
		// The select item holding this call is rewritten over the Aggregate's output later;
		// the window's column is above the Aggregate and must pass.
		ctx.agg.outIDs[col.ID] = true
	}
	return planner.NewColumnRef(col), nil
}

// bindWindowCall binds the function and its arguments (bind binds one argument in the
// window's context); the frame is set by the caller.
func (s *state) bindWindowCall(bind func(ast.ExprNode) (planner.Expr, error), x *ast.WindowFuncExpr, name string) (*planner.WindowCall, error) {
	nargs := len(x.Args)
	arity := func(lo, hi int) error {
		if nargs >= lo && nargs <= hi {
			return nil
		}
		want := plural(lo)
		if lo != hi {
			want = strconv.Itoa(lo) + " to " + plural(hi)
		}
		return errs.Planf("window function %s takes %s, got %d in %s", name, want, nargs, s.text(x))
	}
	if x.Distinct {
		return nil, errs.NotImplementedf("DISTINCT in window function %s is not supported: %s", name, s.text(x))
	}
	call := &planner.WindowCall{Name: name}
	switch name {
	case planner.WinRowNumber, planner.WinRank, planner.WinDenseRank, planner.WinNtile:
		call.Typ = planner.Int64
	case planner.WinPercentRank, planner.WinCumeDist:
		call.Typ = planner.Float64
	}
	switch name {
	case planner.WinRowNumber, planner.WinRank, planner.WinDenseRank, planner.WinPercentRank, planner.WinCumeDist:
		if err := arity(0, 0); err != nil {
			return nil, err
		}
	case planner.WinNtile:
		if err := arity(1, 1); err != nil {
			return nil, err
		}
		n, err := s.windowConstInt(x.Args[0], "the bucket count of ntile", 1)
		if err != nil {
			return nil, err
		}
		call.Args = []planner.Expr{planner.NewLiteral(n, planner.Int64)}
	case planner.WinLag, planner.WinLead:
		if err := arity(1, 3); err != nil {
			return nil, err
		}
		v, err := bind(x.Args[0])
		if err != nil {
			return nil, err
		}
		off := int64(1)
		if nargs > 1 {
			if off, err = s.windowConstInt(x.Args[1], "the offset of "+name, 0); err != nil {
				return nil, err
			}
		}
		var def planner.Expr = planner.NewLiteral(nil, planner.Null)
		if nargs > 2 {
			if def, err = bind(x.Args[2]); err != nil {
				return nil, err
			}
		}
		es, t, err := s.unify(unionCtx, []planner.Expr{v, def}, x)
		if err != nil {
			return nil, err
		}
		call.Args = []planner.Expr{es[0], planner.NewLiteral(off, planner.Int64), es[1]}
		call.Typ = t
	case planner.WinFirstValue, planner.WinLastValue, planner.WinNthValue:
		lo := 1
		if name == planner.WinNthValue {
			lo = 2
		}
		if err := arity(lo, lo); err != nil {
			return nil, err
		}
		v, err := bind(x.Args[0])
		if err != nil {
			return nil, err
		}
		call.Args = []planner.Expr{v}
		call.Typ = v.Type()
		if name == planner.WinNthValue {
			n, err := s.windowConstInt(x.Args[1], "n of nth_value", 1)
			if err != nil {
				return nil, err
			}
			call.Args = append(call.Args, planner.NewLiteral(n, planner.Int64))
		}
	default:
		f, ok := s.funcs().Aggregate(name)
		if !ok {
			cands := append(s.funcs().Names(), planner.WinRowNumber, planner.WinRank, planner.WinDenseRank,
				planner.WinPercentRank, planner.WinCumeDist, planner.WinNtile, planner.WinLag, planner.WinLead,
				planner.WinFirstValue, planner.WinLastValue, planner.WinNthValue)
			return nil, errs.Planf("unknown window function %q%s%s", x.Name, s.at(x, x.Name), suggest(name, cands))
		}
		call.Name, call.Agg = f.Name(), f
		if !(strings.EqualFold(name, "count") && nargs == 1 && isNonNullConstant(x.Args[0])) {
			for _, a := range x.Args {
				e, err := bind(a)
				if err != nil {
					return nil, err
				}
				call.Args = append(call.Args, e)
			}
		}
		t, err := f.ReturnType(argTypes(call.Args))
		if err != nil {
			return nil, errs.Wrap(errs.ErrPlan, err, "")
		}
		call.Typ = t
	}
	return call, nil
}

func plural(n int) string {
	if n == 1 {
		return "1 argument"
	}
	return strconv.Itoa(n) + " arguments"
}

// negativeLiteral reports whether a numeric literal is below zero.
func negativeLiteral(l *planner.Literal) bool {
	switch v := l.Value.(type) {
	case int64:
		return v < 0
	case float64:
		return v < 0
	case decimal128.Num:
		return v.Sign() < 0
	}
	return false
}

// windowConstInt reads an argument that must be an integer constant of at least min (ntile's
// bucket count, lag's offset, nth_value's n, a ROWS frame offset).
func (s *state) windowConstInt(n ast.ExprNode, what string, min int64) (int64, error) {
	e, err := s.bindExpr(&exprCtx{clause: what}, n)
	if err == nil {
		if v, ok := planner.WindowConstArg(e); ok {
			if v >= min {
				return v, nil
			}
			if min == 0 {
				return 0, errs.Planf("%s must be a non-negative integer, got %d in %s", what, v, s.text(n))
			}
			return 0, errs.Planf("%s must be a positive integer, got %d in %s", what, v, s.text(n))
		}
	}
	return 0, errs.Planf("%s must be an integer constant, got %s", what, s.text(n))
}

// bindFrame binds a frame clause over the bound ORDER BY keys (nil: the default frame).
func (s *state) bindFrame(fc *ast.FrameClause, orderBy []planner.SortKey, x *ast.WindowFuncExpr) (planner.WindowFrame, error) {
	if fc == nil {
		return planner.DefaultFrame(len(orderBy) > 0), nil
	}
	f := planner.WindowFrame{Unit: planner.FrameRows}
	switch fc.Type {
	case ast.Rows:
	case ast.Ranges:
		f.Unit = planner.FrameRange
	default:
		return f, errs.NotImplementedf("GROUPS frames are not supported: %s", s.text(x))
	}
	var err error
	if f.Start, err = s.bindBound(&fc.Extent.Start, f.Unit, orderBy, x); err != nil {
		return f, err
	}
	if f.End, err = s.bindBound(&fc.Extent.End, f.Unit, orderBy, x); err != nil {
		return f, err
	}
	if f.Start.Value != nil || f.End.Value != nil {
		// The key and both boundary values are compared in one type.
		exprs := []planner.Expr{orderBy[0].Expr}
		for _, b := range []planner.FrameBound{f.Start, f.End} {
			if b.Value != nil {
				exprs = append(exprs, b.Value)
			}
		}
		t, _, _, ok := commonType(compareCtx, exprs)
		if !ok {
			return f, errs.Internalf("RANGE frame bounds of %s do not meet in one type", s.text(x))
		}
		switch {
		case planner.IsInteger(t):
			t = planner.Int64
		case t.ID() == arrow.FLOAT32:
			t = planner.Float64
		}
		for _, b := range []*planner.FrameBound{&f.Start, &f.End} {
			if b.Value != nil {
				if b.Value, err = castTo(b.Value, t, s.text(x)); err != nil {
					return f, err
				}
			}
		}
		if f.RangeKey, err = castTo(orderBy[0].Expr, t, s.text(x)); err != nil {
			return f, err
		}
	}
	if err := f.Validate(); err != nil {
		return f, errs.Planf("%v in %s", err, s.text(x))
	}
	return f, nil
}

// bindBound binds one frame bound. ROWS offsets are non-negative integer constants; RANGE
// offsets are non-negative numeric constants over a numeric ORDER BY key, or INTERVALs over a
// DATE or TIMESTAMP key, and become the per-row boundary value (key ∓ offset).
func (s *state) bindBound(b *ast.FrameBound, unit planner.FrameUnit, orderBy []planner.SortKey, x *ast.WindowFuncExpr) (planner.FrameBound, error) {
	switch {
	case b.Type == ast.CurrentRow:
		return planner.FrameBound{Kind: planner.CurrentRow}, nil
	case b.UnBounded && b.Type == ast.Preceding:
		return planner.FrameBound{Kind: planner.UnboundedPreceding}, nil
	case b.UnBounded:
		return planner.FrameBound{Kind: planner.UnboundedFollowing}, nil
	}
	kind := planner.Preceding
	if b.Type == ast.Following {
		kind = planner.Following
	}
	out := planner.FrameBound{Kind: kind, Text: s.text(b.Expr)}
	if unit == planner.FrameRows {
		if b.Unit != ast.TimeUnitInvalid {
			return out, errs.Planf("a ROWS frame offset cannot be an INTERVAL in %s", s.text(x))
		}
		n, err := s.windowConstInt(b.Expr, "a ROWS frame offset", 0)
		if err != nil {
			return out, err
		}
		out.N, out.Text = n, ""
		return out, nil
	}
	if len(orderBy) != 1 {
		return out, errs.Planf("a RANGE frame with an offset needs exactly one ORDER BY key, got %d in %s", len(orderBy), s.text(x))
	}
	key := orderBy[0]
	kt := key.Expr.Type()
	// The boundary moves toward smaller keys for n PRECEDING under ASC (and n FOLLOWING
	// under DESC).
	down := (kind == planner.Preceding) != key.Desc
	if b.Unit != ast.TimeUnitInvalid {
		out.Text = "INTERVAL " + out.Text + " " + b.Unit.String()
		unitOf, ok := intervalUnits[b.Unit]
		if !ok {
			return out, errs.NotImplementedf("INTERVAL unit %s is not supported in %s", b.Unit, s.text(x))
		}
		if f := familyOf(kt); f != famDate && f != famTimestamp {
			return out, errs.Planf("a RANGE frame offset of INTERVAL needs a DATE or TIMESTAMP ORDER BY key, got %s in %s", planner.TypeString(kt), s.text(x))
		}
		n, err := s.intervalAmount(b.Expr)
		if err != nil {
			return out, err
		}
		if n < 0 {
			return out, errs.Planf("a RANGE frame offset must not be negative, got %s in %s", out.Text, s.text(x))
		}
		if down {
			n = -n
		}
		months, days, micros := n*unitOf.months, n*unitOf.days, n*unitOf.micros
		if months != int64(int32(months)) || days != int64(int32(days)) || (unitOf.micros != 0 && micros/unitOf.micros != n) {
			return out, errs.Planf("%s is out of range in %s", out.Text, s.text(x))
		}
		typ := kt
		if familyOf(kt) == famDate && micros != 0 {
			typ = planner.Timestamp
		}
		out.Value = &planner.AddInterval{E: key.Expr, Months: int32(months), Days: int32(days), Micros: micros, Typ: typ}
		return out, nil
	}
	if f := familyOf(kt); f != famInt && f != famDecimal && f != famFloat {
		hint := ""
		if f == famDate || f == famTimestamp {
			hint = " (use an INTERVAL, such as INTERVAL 1 DAY PRECEDING)"
		}
		return out, errs.Planf("a RANGE frame offset needs a numeric ORDER BY key, got %s%s in %s", planner.TypeString(kt), hint, s.text(x))
	}
	off, err := s.bindExpr(&exprCtx{clause: "a RANGE frame offset"}, b.Expr)
	if err != nil {
		return out, err
	}
	lit, ok := off.(*planner.Literal)
	if !ok || lit.Value == nil || !planner.IsNumeric(lit.Typ) {
		return out, errs.Planf("a RANGE frame offset must be a numeric constant, got %s in %s", out.Text, s.text(x))
	}
	if negativeLiteral(lit) {
		return out, errs.Planf("a RANGE frame offset must not be negative, got %s in %s", out.Text, s.text(x))
	}
	op := planner.OpAdd
	if down {
		op = planner.OpSub
	}
	v, err := s.arith(op, key.Expr, lit, x)
	if err != nil {
		return out, err
	}
	if planner.IsInteger(v.Type()) && v.Type().ID() != arrow.INT64 {
		v = &planner.Cast{E: v, To: planner.Int64}
	} else if v.Type().ID() == arrow.FLOAT32 {
		v = &planner.Cast{E: v, To: planner.Float64}
	}
	out.Value = v
	return out, nil
}
