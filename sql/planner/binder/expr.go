package binder

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/charset"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	"github.com/pingcap/tidb/pkg/parser/types"
)

// bindExpr binds one TiDB expression in ctx into a typed planner expression. Each form is
// one case here (or a method it calls); the coercions come from coerce.go.
func (s *state) bindExpr(ctx *exprCtx, n ast.ExprNode) (planner.Expr, error) {
	switch x := n.(type) {
	case *ast.ParenthesesExpr:
		return s.bindExpr(ctx, x.Expr)
	case ast.ParamMarkerExpr:
		return s.bindParam(x)
	case ast.ValueExpr:
		return s.bindValue(x)
	case *ast.ColumnNameExpr:
		return s.bindColumn(ctx, x)
	case *ast.BinaryOperationExpr:
		return s.bindBinary(ctx, x)
	case *ast.UnaryOperationExpr:
		return s.bindUnary(ctx, x)
	case *ast.BetweenExpr:
		return s.bindBetween(ctx, x)
	case *ast.PatternInExpr:
		return s.bindIn(ctx, x)
	case *ast.IsNullExpr:
		e, err := s.bindExpr(ctx, x.Expr)
		if err != nil {
			return nil, err
		}
		return &planner.IsNull{E: e, Negated: x.Not}, nil
	case *ast.IsTruthExpr:
		return s.bindIsTruth(ctx, x)
	case *ast.PatternLikeOrIlikeExpr:
		return s.bindLike(ctx, x)
	case *ast.PatternRegexpExpr:
		// x [NOT] REGEXP p is regexp_like(x, p).
		call := &ast.FuncCallExpr{FnName: ast.NewCIStr("regexp_like"), Args: []ast.ExprNode{x.Expr, x.Pattern}}
		call.SetText(nil, s.text(x))
		e, err := s.bindFuncCall(ctx, call)
		if err != nil || !x.Not {
			return e, err
		}
		return &planner.Not{E: e}, nil
	case *ast.CaseExpr:
		return s.bindCase(ctx, x)
	case *ast.FuncCastExpr:
		return s.bindCast(ctx, x)
	case *ast.FuncCallExpr:
		return s.bindFuncCall(ctx, x)
	case *ast.AggregateFuncExpr:
		// ORDER BY inside the call (x.Order) is bound by bindAggregate.
		f, ok := s.funcs().Aggregate(x.F)
		if !ok {
			return nil, s.unknownFunction(x, x.F)
		}
		return s.bindAggregate(ctx, x, f, x.Args, x.Distinct)
	case *ast.WindowFuncExpr:
		return s.bindWindowFunc(ctx, x)
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr, *ast.CompareSubqueryExpr:
		return s.bindSubquery(ctx, x)
	case *ast.PositionExpr:
		return nil, errs.Planf("a position (%s) is only allowed as a whole GROUP BY or ORDER BY item", s.text(x))
	}
	return nil, errs.NotImplementedf("expression %s is not supported", s.text(n))
}

func (s *state) bindBinary(ctx *exprCtx, x *ast.BinaryOperationExpr) (planner.Expr, error) {
	l, err := s.bindExpr(ctx, x.L)
	if err != nil {
		return nil, err
	}
	r, err := s.bindExpr(ctx, x.R)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case opcode.LogicAnd, opcode.LogicOr, opcode.LogicXor:
		op := map[opcode.Op]string{opcode.LogicAnd: "AND", opcode.LogicOr: "OR", opcode.LogicXor: "XOR"}[x.Op]
		if l, err = s.toBool(l, "an operand of "+op, x); err != nil {
			return nil, err
		}
		if r, err = s.toBool(r, "an operand of "+op, x); err != nil {
			return nil, err
		}
		switch x.Op {
		case opcode.LogicAnd:
			return &planner.Binary{Op: planner.OpAnd, Left: l, Right: r, Typ: planner.Boolean}, nil
		case opcode.LogicOr:
			return &planner.Binary{Op: planner.OpOr, Left: l, Right: r, Typ: planner.Boolean}, nil
		}
		// a XOR b on booleans is a <> b, NULL when either is.
		return &planner.Binary{Op: planner.OpNe, Left: l, Right: r, Typ: planner.Boolean}, nil
	case opcode.EQ, opcode.NE, opcode.LT, opcode.LE, opcode.GT, opcode.GE:
		op := map[opcode.Op]planner.BinaryOp{opcode.EQ: planner.OpEq, opcode.NE: planner.OpNe,
			opcode.LT: planner.OpLt, opcode.LE: planner.OpLe, opcode.GT: planner.OpGt, opcode.GE: planner.OpGe}[x.Op]
		return s.compare(op, l, r, x)
	case opcode.NullEQ:
		return s.nullSafeEqual(l, r, x)
	case opcode.Plus, opcode.Minus, opcode.Mul, opcode.Div, opcode.IntDiv, opcode.Mod:
		op := map[opcode.Op]planner.BinaryOp{opcode.Plus: planner.OpAdd, opcode.Minus: planner.OpSub,
			opcode.Mul: planner.OpMul, opcode.Div: planner.OpDiv, opcode.IntDiv: planner.OpIntDiv, opcode.Mod: planner.OpMod}[x.Op]
		return s.arith(op, l, r, x)
	}
	return nil, errs.NotImplementedf("operator %s is not supported in %s", x.Op, s.text(x))
}

// compare builds a comparison after bringing both sides to one type (compareCtx).
func (s *state) compare(op planner.BinaryOp, l, r planner.Expr, at ast.Node) (planner.Expr, error) {
	if planner.IsNested(l.Type()) || planner.IsNested(r.Type()) {
		return nil, errs.NotImplementedf("comparing ARRAY or VECTOR values is not supported: %s", s.text(at))
	}
	es, _, err := s.unify(compareCtx, []planner.Expr{l, r}, at)
	if err != nil {
		return nil, err
	}
	return &planner.Binary{Op: op, Left: es[0], Right: es[1], Typ: planner.Boolean}, nil
}

// nullSafeEqual is a <=> b: true when both are NULL, false when one is, else a = b.
func (s *state) nullSafeEqual(l, r planner.Expr, at ast.Node) (planner.Expr, error) {
	eq, err := s.compare(planner.OpEq, l, r, at)
	if err != nil {
		return nil, err
	}
	return &planner.Case{
		Whens: []planner.When{
			{Cond: &planner.IsNull{E: l}, Then: &planner.IsNull{E: r}},
			{Cond: &planner.IsNull{E: r}, Then: planner.NewLiteral(false, planner.Boolean)},
		},
		Else: eq,
		Typ:  planner.Boolean,
	}, nil
}

// unify casts exprs to their common type under ctx. For comparisons, a string literal meeting
// numbers is read as a number, and one meeting dates or timestamps as a DATE (date alone) or
// TIMESTAMP literal, at bind time: a literal that does not read is a plan error.
func (s *state) unify(ctx coerceCtx, exprs []planner.Expr, at ast.Node) ([]planner.Expr, arrow.DataType, error) {
	exprs = append([]planner.Expr(nil), exprs...)
	if ctx == compareCtx {
		var others []planner.Expr
		for _, e := range exprs {
			if !isStringLiteral(e) {
				others = append(others, e)
			}
		}
		if t, _, _, ok := commonType(compareCtx, others); ok && len(others) < len(exprs) {
			f := familyOf(t)
			for i, e := range exprs {
				if !isStringLiteral(e) {
					continue
				}
				lit := e.(*planner.Literal)
				switch {
				case f.numeric():
					n, ok := parseNumber(lit.Value.(string))
					if !ok {
						return nil, nil, errs.Planf("cannot compare %s with %s in %s: it is not a number", planner.TypeString(t), lit, s.text(at))
					}
					exprs[i] = n
				case f.temporal():
					d, ok := parseTemporal(lit.Value.(string))
					if !ok {
						return nil, nil, errs.Planf("cannot compare %s with %s in %s: it is not a date or timestamp", planner.TypeString(t), lit, s.text(at))
					}
					exprs[i] = d
				}
			}
		}
	}
	t, a, b, ok := commonType(ctx, exprs)
	if !ok {
		if ctx == compareCtx {
			return nil, nil, errs.Planf("cannot compare %s with %s in %s", planner.TypeString(a), planner.TypeString(b), s.text(at))
		}
		return nil, nil, errs.Planf("incompatible types %s and %s in %s", planner.TypeString(a), planner.TypeString(b), s.text(at))
	}
	if ctx == compareCtx && t.ID() == arrow.NULL {
		t = planner.Boolean // NULL = NULL: any type will do; the result is NULL
	}
	for i, e := range exprs {
		c, err := castTo(e, t, s.text(at))
		if err != nil {
			return nil, nil, err
		}
		exprs[i] = c
	}
	return exprs, t, nil
}

func isStringLiteral(e planner.Expr) bool {
	lit, ok := e.(*planner.Literal)
	if !ok {
		return false
	}
	_, ok = lit.Value.(string)
	return ok
}

// arith builds + - * / DIV %: a NULL operand takes the other's type, a string operand is
// read as DOUBLE, and arithTypes (coerce.go) fixes operand and result types.
func (s *state) arith(op planner.BinaryOp, l, r planner.Expr, at ast.Node) (planner.Expr, error) {
	var err error
	if l, err = s.numericOperand(l, op, at); err != nil {
		return nil, err
	}
	if r, err = s.numericOperand(r, op, at); err != nil {
		return nil, err
	}
	lNull, rNull := familyOf(l.Type()) == famNull, familyOf(r.Type()) == famNull
	switch {
	case lNull && rNull:
		l, _ = castTo(l, planner.Int64, "")
		r, _ = castTo(r, planner.Int64, "")
	case lNull:
		l, _ = castTo(l, r.Type(), "")
	case rNull:
		r, _ = castTo(r, l.Type(), "")
	}
	lt, rt, res, ok := arithTypes(op, l, r)
	if !ok {
		return nil, errs.Planf("cannot apply %s to %s and %s in %s", op, planner.TypeString(l.Type()), planner.TypeString(r.Type()), s.text(at))
	}
	if l, err = castTo(l, lt, s.text(at)); err != nil {
		return nil, err
	}
	if r, err = castTo(r, rt, s.text(at)); err != nil {
		return nil, err
	}
	return &planner.Binary{Op: op, Left: l, Right: r, Typ: res}, nil
}

// numericOperand turns a string operand of arithmetic into a DOUBLE (a string literal is read
// at bind time); other types pass unchanged for arithTypes to judge.
func (s *state) numericOperand(e planner.Expr, op planner.BinaryOp, at ast.Node) (planner.Expr, error) {
	if familyOf(e.Type()) != famString {
		return e, nil
	}
	if lit, ok := e.(*planner.Literal); ok {
		str, isStr := lit.Value.(string)
		if !isStr {
			return planner.NewLiteral(nil, planner.Float64), nil
		}
		n, ok := parseNumber(str)
		if !ok {
			return nil, errs.Planf("cannot apply %s to %s in %s: it is not a number", op, lit, s.text(at))
		}
		return castTo(n, planner.Float64, s.text(at))
	}
	return &planner.Cast{E: e, To: planner.Float64}, nil
}

func (s *state) bindUnary(ctx *exprCtx, x *ast.UnaryOperationExpr) (planner.Expr, error) {
	e, err := s.bindExpr(ctx, x.V)
	if err != nil {
		return nil, err
	}
	switch x.Op {
	case opcode.Not, opcode.Not2:
		b, err := s.toBool(e, "the operand of NOT", x)
		if err != nil {
			return nil, err
		}
		return &planner.Not{E: b}, nil
	case opcode.Plus, opcode.Minus:
		if e, err = s.numericOperand(e, planner.OpSub, x); err != nil {
			return nil, err
		}
		f := familyOf(e.Type())
		if f == famNull {
			return planner.NewLiteral(nil, planner.Int64), nil
		}
		if !f.numeric() {
			return nil, errs.Planf("cannot apply unary %s to %s in %s", x.Op, planner.TypeString(e.Type()), s.text(x))
		}
		if x.Op == opcode.Plus {
			return e, nil
		}
		if lit, ok := e.(*planner.Literal); ok {
			switch v := lit.Value.(type) {
			case int64:
				return planner.NewLiteral(-v, lit.Typ), nil
			case float64:
				return planner.NewLiteral(-v, lit.Typ), nil
			case decimal128.Num:
				n := v.Negate()
				if _, sc, _ := planner.DecimalParams(lit.Typ); sc == 0 && n.BigInt().IsInt64() {
					// -9223372036854775808 is a BIGINT, though its digits alone are not.
					return planner.NewLiteral(n.BigInt().Int64(), planner.Int64), nil
				}
				return planner.NewLiteral(n, lit.Typ), nil
			}
		}
		if f == famInt && e.Type().ID() != arrow.INT64 {
			e = &planner.Cast{E: e, To: planner.Int64}
		}
		return &planner.Negate{E: e}, nil
	}
	return nil, errs.NotImplementedf("operator %s is not supported in %s", x.Op, s.text(x))
}

// toBool checks that e is a condition: BOOLEAN, or NULL (typed BOOLEAN).
func (s *state) toBool(e planner.Expr, what string, at ast.Node) (planner.Expr, error) {
	switch familyOf(e.Type()) {
	case famBool:
		return e, nil
	case famNull:
		return castTo(e, planner.Boolean, "")
	case famInt, famDecimal, famFloat:
		// MySQL reads a number as a truth value: nonzero is TRUE (WHERE 1, IF(GROUPING(a), ...)).
		zero, err := castTo(planner.NewLiteral(int64(0), planner.Int64), e.Type(), "")
		if err != nil {
			return nil, err
		}
		return &planner.Binary{Op: planner.OpNe, Left: e, Right: zero, Typ: planner.Boolean}, nil
	}
	return nil, errs.Planf("%s must be BOOLEAN, got %s in %s", what, planner.TypeString(e.Type()), s.text(at))
}

// bindBetween is x BETWEEN a AND b as (x >= a AND x <= b), each comparison coerced on its own;
// NOT BETWEEN is NOT of that.
func (s *state) bindBetween(ctx *exprCtx, x *ast.BetweenExpr) (planner.Expr, error) {
	e, err := s.bindExpr(ctx, x.Expr)
	if err != nil {
		return nil, err
	}
	lo, err := s.bindExpr(ctx, x.Left)
	if err != nil {
		return nil, err
	}
	hi, err := s.bindExpr(ctx, x.Right)
	if err != nil {
		return nil, err
	}
	ge, err := s.compare(planner.OpGe, e, lo, x)
	if err != nil {
		return nil, err
	}
	le, err := s.compare(planner.OpLe, e, hi, x)
	if err != nil {
		return nil, err
	}
	var out planner.Expr = &planner.Binary{Op: planner.OpAnd, Left: ge, Right: le, Typ: planner.Boolean}
	if x.Not {
		out = &planner.Not{E: out}
	}
	return out, nil
}

func (s *state) bindIn(ctx *exprCtx, x *ast.PatternInExpr) (planner.Expr, error) {
	if x.Sel != nil {
		return s.bindInSubquery(ctx, x)
	}
	all := make([]planner.Expr, 0, len(x.List)+1)
	for _, n := range append([]ast.ExprNode{x.Expr}, x.List...) {
		e, err := s.bindExpr(ctx, n)
		if err != nil {
			return nil, err
		}
		all = append(all, e)
	}
	all, _, err := s.unify(compareCtx, all, x)
	if err != nil {
		return nil, err
	}
	return &planner.InList{E: all[0], List: all[1:], Negated: x.Not}, nil
}

// bindIsTruth binds x IS [NOT] TRUE/FALSE, which is never NULL, as a CASE.
func (s *state) bindIsTruth(ctx *exprCtx, x *ast.IsTruthExpr) (planner.Expr, error) {
	e, err := s.bindExpr(ctx, x.Expr)
	if err != nil {
		return nil, err
	}
	if e, err = s.toBool(e, "the operand of IS TRUE/FALSE", x); err != nil {
		return nil, err
	}
	cond := e
	if x.True == 0 {
		cond = &planner.Not{E: e}
	}
	return &planner.Case{
		Whens: []planner.When{{Cond: cond, Then: planner.NewLiteral(!x.Not, planner.Boolean)}},
		Else:  planner.NewLiteral(x.Not, planner.Boolean),
		Typ:   planner.Boolean,
	}, nil
}

func (s *state) bindLike(ctx *exprCtx, x *ast.PatternLikeOrIlikeExpr) (planner.Expr, error) {
	if !x.IsLike {
		return nil, errs.NotImplementedf("ILIKE is not supported yet: %s", s.text(x))
	}
	e, err := s.bindExpr(ctx, x.Expr)
	if err != nil {
		return nil, err
	}
	p, err := s.bindExpr(ctx, x.Pattern)
	if err != nil {
		return nil, err
	}
	if e, err = s.toString(e, x); err != nil {
		return nil, err
	}
	if p, err = s.toString(p, x); err != nil {
		return nil, err
	}
	return &planner.Like{E: e, Pattern: p, Negated: x.Not, Escape: x.Escape}, nil
}

// toString makes e a VARCHAR for LIKE: strings pass, NULL, numbers and dates are cast.
func (s *state) toString(e planner.Expr, at ast.Node) (planner.Expr, error) {
	switch familyOf(e.Type()) {
	case famString:
		return e, nil
	case famNull, famInt, famDecimal, famFloat, famDate, famTimestamp:
		return castTo(e, planner.String, s.text(at))
	}
	return nil, errs.Planf("LIKE needs strings, got %s in %s", planner.TypeString(e.Type()), s.text(at))
}

// bindCase binds both CASE forms into a searched planner.Case: the simple form compares the
// operand with each WHEN value (compareCtx). The results meet in unionCtx.
func (s *state) bindCase(ctx *exprCtx, x *ast.CaseExpr) (planner.Expr, error) {
	var operand planner.Expr
	if x.Value != nil {
		var err error
		if operand, err = s.bindExpr(ctx, x.Value); err != nil {
			return nil, err
		}
	}
	whens := make([]planner.When, len(x.WhenClauses))
	results := make([]planner.Expr, 0, len(x.WhenClauses)+1)
	for i, w := range x.WhenClauses {
		c, err := s.bindExpr(ctx, w.Expr)
		if err != nil {
			return nil, err
		}
		if operand != nil {
			c, err = s.compare(planner.OpEq, operand, c, x)
		} else {
			c, err = s.toBool(c, "a WHEN condition", w.Expr)
		}
		if err != nil {
			return nil, err
		}
		then, err := s.bindExpr(ctx, w.Result)
		if err != nil {
			return nil, err
		}
		whens[i].Cond = c
		results = append(results, then)
	}
	if x.ElseClause != nil {
		e, err := s.bindExpr(ctx, x.ElseClause)
		if err != nil {
			return nil, err
		}
		results = append(results, e)
	}
	return s.caseOf(whens, results, x)
}

// caseOf finishes a Case: results holds the THEN values in order, then the ELSE value when
// len(results) > len(whens); all are brought to their common type (unionCtx).
func (s *state) caseOf(whens []planner.When, results []planner.Expr, at ast.Node) (planner.Expr, error) {
	results, t, err := s.unify(unionCtx, results, at)
	if err != nil {
		return nil, err
	}
	for i := range whens {
		whens[i].Then = results[i]
	}
	out := &planner.Case{Whens: whens, Typ: t}
	if len(results) > len(whens) {
		out.Else = results[len(whens)]
	}
	return out, nil
}

func (s *state) bindCast(ctx *exprCtx, x *ast.FuncCastExpr) (planner.Expr, error) {
	if x.FunctionType == ast.CastBinaryOperator {
		return nil, errs.NotImplementedf("BINARY strings are not supported: %s", s.text(x))
	}
	e, err := s.bindExpr(ctx, x.Expr)
	if err != nil {
		return nil, err
	}
	var t arrow.DataType
	if parser.IsBooleanCast(x) {
		t = planner.Boolean
	} else if t, err = castType(x.Tp, s.text(x)); err != nil {
		return nil, err
	}
	if !canCast(e.Type(), t) {
		return nil, errs.Planf("cannot cast %s to %s in %s", planner.TypeString(e.Type()), planner.TypeString(t), s.text(x))
	}
	if lit, ok := e.(*planner.Literal); ok && lit.Value == nil {
		return planner.NewLiteral(nil, t), nil
	}
	if arrow.TypeEqual(e.Type(), t) {
		return e, nil
	}
	return &planner.Cast{E: e, To: t}, nil
}

// castType maps a CAST's MySQL type to Ember's: SIGNED/INTEGER → BIGINT, DECIMAL(p,s) (default
// (10,0)), DOUBLE/REAL → DOUBLE, FLOAT → FLOAT, CHAR/VARCHAR → VARCHAR, DATE, DATETIME and
// TIMESTAMP → TIMESTAMP, VECTOR(n) → VECTOR(n).
func castType(ft *types.FieldType, in string) (arrow.DataType, error) {
	switch ft.GetType() {
	case mysql.TypeLonglong, mysql.TypeLong, mysql.TypeInt24, mysql.TypeShort, mysql.TypeTiny:
		if mysql.HasUnsignedFlag(ft.GetFlag()) {
			return nil, errs.NotImplementedf("CAST AS UNSIGNED is not supported, use SIGNED: %s", in)
		}
		return planner.Int64, nil
	case mysql.TypeNewDecimal:
		p, sc := ft.GetFlen(), ft.GetDecimal()
		if p <= 0 {
			p = 10
		}
		if sc < 0 {
			sc = 0
		}
		if p > planner.MaxDecimalPrecision {
			return nil, errs.Planf("DECIMAL precision %d is more than the maximum %d in %s", p, planner.MaxDecimalPrecision, in)
		}
		if sc > p {
			return nil, errs.Planf("DECIMAL scale %d is more than its precision %d in %s", sc, p, in)
		}
		return planner.Decimal(int32(p), int32(sc)), nil
	case mysql.TypeDouble:
		return planner.Float64, nil
	case mysql.TypeFloat:
		return planner.Float32, nil
	case mysql.TypeVarString, mysql.TypeString, mysql.TypeVarchar:
		if ft.GetCharset() == charset.CharsetBin {
			return nil, errs.NotImplementedf("BINARY strings are not supported: %s", in)
		}
		return planner.String, nil
	case mysql.TypeDate:
		return planner.Date, nil
	case mysql.TypeDatetime, mysql.TypeTimestamp:
		return planner.Timestamp, nil
	case mysql.TypeTiDBVectorFloat32:
		if ft.GetFlen() <= 0 {
			return nil, errs.Planf("VECTOR needs its number of dimensions, as in VECTOR(3): %s", in)
		}
		return planner.VectorOf(int32(ft.GetFlen())), nil
	}
	return nil, errs.NotImplementedf("CAST to %s is not supported: %s", ft.String(), in)
}

// bindFuncCall binds a call by name: the forms the binder owns (DATE/TIMESTAMP literals,
// date_add and friends, COALESCE, IFNULL, IF, NULLIF), then the registry's scalar functions,
// then its aggregates (a user-defined aggregate parses as a plain call).
func (s *state) bindFuncCall(ctx *exprCtx, x *ast.FuncCallExpr) (planner.Expr, error) {
	if e, ok, err := s.bindSpecialFunc(ctx, x); ok || err != nil {
		return e, err
	}
	if e, ok, err := s.bindGenerator(ctx, x); ok || err != nil {
		return e, err
	}
	name := x.FnName.L
	switch name {
	case ast.DateLiteral:
		return s.bindTemporalLiteral(x, planner.Date, "DATE")
	case ast.TimestampLiteral:
		return s.bindTemporalLiteral(x, planner.Timestamp, "TIMESTAMP")
	case ast.TimeLiteral:
		return nil, errs.NotImplementedf("TIME literals are not supported: %s", s.text(x))
	case ast.DateAdd, ast.AddDate:
		return s.bindDateAdd(ctx, x, false)
	case ast.DateSub, ast.SubDate:
		return s.bindDateAdd(ctx, x, true)
	case ast.Coalesce, ast.Ifnull, ast.If, ast.Nullif:
		return s.bindConditional(ctx, x)
	case ast.Grouping, "grouping_id":
		return s.bindGrouping(ctx, x) // grouping.go
	}
	if x.Schema.O != "" {
		return nil, s.unknownFunction(x, x.Schema.O+"."+x.FnName.O)
	}
	if f, ok := s.funcs().Scalar(name); ok {
		args, err := s.bindArgs(ctx, x.Args)
		if err != nil {
			return nil, err
		}
		if args, err = s.unifyArgs(f, args, x); err != nil {
			return nil, err
		}
		if f, err = s.bindConstArgs(f, args); err != nil {
			return nil, err
		}
		if c, ok := f.(argCaster); ok {
			return s.scalarCall(f, c, args, x)
		}
		t, err := f.ReturnType(argTypes(args))
		if err != nil {
			return nil, errs.Wrap(errs.ErrPlan, err, "")
		}
		return &planner.ScalarFunc{Fn: f, Args: args, Typ: t}, nil
	}
	if f, ok := s.funcs().Aggregate(name); ok {
		return s.bindAggregate(ctx, x, f, x.Args, false)
	}
	return nil, s.unknownFunction(x, x.FnName.O)
}

func (s *state) unknownFunction(at ast.Node, name string) error {
	if _, isTable := s.funcs().Table(name); isTable {
		return errs.Planf("%s is a table function%s: call it in FROM, as SELECT * FROM %s(...)", name, s.at(at, name), name)
	}
	tables := map[string]bool{}
	for _, n := range s.funcs().TableNames() {
		tables[n] = true
	}
	var names []string
	for _, n := range s.funcs().Names() {
		if !tables[n] {
			names = append(names, n)
		}
	}
	return errs.Planf("unknown function %q%s%s", name, s.at(at, strings.Split(name, ".")...), suggest(name, names))
}

// bindArgs binds function arguments; a time unit (EXTRACT(YEAR FROM d)) becomes its name as a
// VARCHAR literal.
func (s *state) bindArgs(ctx *exprCtx, nodes []ast.ExprNode) ([]planner.Expr, error) {
	args := make([]planner.Expr, len(nodes))
	for i, n := range nodes {
		if u, ok := n.(*ast.TimeUnitExpr); ok {
			args[i] = planner.NewLiteral(u.Unit.String(), planner.String)
			continue
		}
		e, err := s.bindExpr(ctx, n)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	return args, nil
}

func argTypes(args []planner.Expr) []arrow.DataType {
	ts := make([]arrow.DataType, len(args))
	for i, a := range args {
		ts[i] = a.Type()
	}
	return ts
}

// bindConditional rewrites COALESCE, IFNULL, IF and NULLIF into CASE, so their typing is
// CASE's (results meet in unionCtx) and no function needs to exist for them. IF's condition
// is read as toBool reads one (a number is true when it is not 0, as MySQL).
func (s *state) bindConditional(ctx *exprCtx, x *ast.FuncCallExpr) (planner.Expr, error) {
	name := x.FnName.L
	want := map[string]int{ast.Ifnull: 2, ast.If: 3, ast.Nullif: 2}[name]
	switch {
	case want > 0 && len(x.Args) != want:
		return nil, errs.Planf("%s takes %d arguments, got %d in %s", strings.ToUpper(name), want, len(x.Args), s.text(x))
	case len(x.Args) == 0:
		return nil, errs.Planf("%s takes at least 1 argument, got 0 in %s", strings.ToUpper(name), s.text(x))
	}
	args, err := s.bindArgs(ctx, x.Args)
	if err != nil {
		return nil, err
	}
	switch name {
	case ast.If:
		c, err := s.toBool(args[0], "the condition of IF", x)
		if err != nil {
			return nil, err
		}
		return s.caseOf([]planner.When{{Cond: c}}, args[1:], x)
	case ast.Nullif:
		eq, err := s.compare(planner.OpEq, args[0], args[1], x)
		if err != nil {
			return nil, err
		}
		return s.caseOf([]planner.When{{Cond: eq}}, []planner.Expr{planner.NewLiteral(nil, planner.Null), args[0]}, x)
	}
	// COALESCE(a, b, c) = CASE WHEN a IS NOT NULL THEN a WHEN b IS NOT NULL THEN b ELSE c END
	whens := make([]planner.When, len(args)-1)
	for i := range whens {
		whens[i].Cond = &planner.IsNull{E: args[i], Negated: true}
	}
	return s.caseOf(whens, args, x)
}

// bindAggregate binds an aggregate call where ctx allows one: its arguments against the FROM
// columns, its type from the function, and it becomes a reference to its column of the
// Aggregate being collected. count(*) (which TiDB parses as count(1)) and count of any other
// non-NULL constant have no arguments. An ORDER BY inside the call (at's Order, for
// group_concat) needs a udf.OrderedAggregateFunction; with DISTINCT each key must be one of
// the arguments (as in PostgreSQL and DuckDB), since rows are deduplicated on the arguments.
// A udf.ArgumentCaster's arguments are cast as it asks, after ReturnType checked them.
func (s *state) bindAggregate(ctx *exprCtx, at ast.ExprNode, f udf.AggregateFunction, nodes []ast.ExprNode, distinct bool) (planner.Expr, error) {
	name := f.Name()
	switch {
	case ctx.inAgg:
		return nil, errs.Planf("aggregate function calls cannot be nested: %s", s.text(at))
	case ctx.agg == nil:
		return nil, errs.Planf("aggregate function %s is not allowed in %s%s", name, ctx.clause, s.at(at, name))
	}
	argCtx := &exprCtx{clause: ctx.clause, cols: ctx.cols, inAgg: true}
	var args []planner.Expr
	if !(strings.EqualFold(name, "count") && !distinct && len(nodes) == 1 && isNonNullConstant(nodes[0])) {
		var err error
		if args, err = s.bindArgs(argCtx, nodes); err != nil {
			return nil, err
		}
	}
	var order []planner.SortKey
	if x, ok := at.(*ast.AggregateFuncExpr); ok && x.Order != nil {
		var err error
		if order, err = s.bindAggregateOrder(argCtx, x, f, args, distinct); err != nil {
			return nil, err
		}
	}
	t, err := f.ReturnType(argTypes(args))
	if err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "")
	}
	if c, ok := f.(udf.ArgumentCaster); ok {
		for i, to := range c.CastArgs(argTypes(args)) {
			if to == nil {
				continue
			}
			if args[i], err = castTo(args[i], to, fmt.Sprintf("argument %d of %s", i+1, name)); err != nil {
				return nil, err
			}
		}
	}
	col := ctx.agg.addAgg(&planner.AggregateCall{Fn: f, Args: args, Distinct: distinct, OrderBy: order, Typ: t})
	return planner.NewColumnRef(col), nil
}

// bindAggregateOrder binds the ORDER BY inside an aggregate call (args already bound).
func (s *state) bindAggregateOrder(ctx *exprCtx, x *ast.AggregateFuncExpr, f udf.AggregateFunction, args []planner.Expr, distinct bool) ([]planner.SortKey, error) {
	of, ok := f.(udf.OrderedAggregateFunction)
	if !ok {
		return nil, errs.Planf("%s does not accept ORDER BY inside its call: %s", f.Name(), s.text(x))
	}
	argFPs := map[string]bool{}
	for _, a := range args {
		argFPs[fingerprint(a)] = true
	}
	order := make([]planner.SortKey, len(x.Order.Items))
	types := make([]arrow.DataType, len(order))
	for i, by := range x.Order.Items {
		if p, ok := by.Expr.(*ast.PositionExpr); ok {
			return nil, errs.Planf("ORDER BY %s inside %s: write the expression, not a position", s.text(p), f.Name())
		}
		e, err := s.bindExpr(ctx, by.Expr)
		if err != nil {
			return nil, err
		}
		if distinct && !argFPs[fingerprint(e)] {
			return nil, errs.Planf("in %s(DISTINCT ...), ORDER BY %s must be one of the arguments: %s", f.Name(), e, s.text(x))
		}
		it := s.sortItem(by, 0)
		order[i] = planner.SortKey{Expr: e, Desc: it.desc, NullsFirst: it.nullsFirst}
		types[i] = e.Type()
	}
	if err := of.CheckOrder(types); err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "")
	}
	return order, nil
}

func isNonNullConstant(n ast.ExprNode) bool {
	v, ok := n.(ast.ValueExpr)
	return ok && v.GetValue() != nil
}
