package binder

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// argCaster is implemented by scalar functions that take some arguments converted (the
// built-ins of udf/string.go, math.go and datetime.go): after ReturnType accepted the
// argument types, argument i is cast to CastArgs(args)[i] (nil leaves it alone), so that
// Eval sees the parameter types (as udf.ArgumentCaster does for aggregates).
type argCaster interface {
	CastArgs(args []arrow.DataType) []arrow.DataType
}

// callSiteFunc is implemented by functions that need state of their own at each call site
// whose arguments are constants (rand(3) continues one sequence over the query's rows).
type callSiteFunc interface {
	ForCallSite(constant []bool) udf.ScalarFunction
}

// bindSpecialFunc binds the calls whose arguments TiDB parses into special forms (SUBSTRING
// ... FROM ... FOR, TRIM(LEADING ...), EXTRACT(unit FROM ...), ...) and the registry's
// scalar functions that ask for argument casts (argCaster), with the typing rules that need
// constant arguments: round and truncate of a DECIMAL with a constant d have scale d,
// str_to_date with a constant date-only format is a DATE, greatest and least bring their
// arguments to one type as a comparison does. ok is false when x is a call for the ordinary
// path of bindFuncCall.
func (s *state) bindSpecialFunc(ctx *exprCtx, x *ast.FuncCallExpr) (e planner.Expr, ok bool, err error) {
	if x.Schema.O != "" {
		return nil, false, nil
	}
	name := x.FnName.L
	switch name {
	case ast.DateAdd, ast.AddDate, ast.DateSub, ast.SubDate:
		// bound here, before the registry's date_add (the run-time form they may become)
		e, err := s.bindDateAdd(ctx, x, name == ast.DateSub || name == ast.SubDate)
		return e, true, err
	case "timestampadd":
		if len(x.Args) != 3 {
			return nil, true, errs.Planf("TIMESTAMPADD takes 3 arguments, got %d in %s", len(x.Args), s.text(x))
		}
		e, err := s.bindDateArith(ctx, x, x.Args[2], x.Args[1], x.Args[0], false)
		return e, true, err
	case "get_format":
		e, err := s.bindGetFormat(x)
		return e, true, err
	}
	f, found := s.funcs().Scalar(name)
	if !found {
		return nil, false, nil
	}
	caster, isCaster := f.(argCaster)
	if !isCaster {
		return nil, false, nil
	}
	var args []planner.Expr
	if name == "trim" && len(x.Args) == 3 {
		// TRIM(dir [remstr] FROM s) parses as trim(s, remstr, direction).
		dir, isDir := x.Args[2].(*ast.TrimDirectionExpr)
		if !isDir {
			return nil, true, errs.Planf("TRIM takes a direction as its third argument in %s", s.text(x))
		}
		if args, err = s.bindArgs(ctx, x.Args[:2]); err != nil {
			return nil, true, err
		}
		args = append(args, planner.NewLiteral(strings.ToUpper(dir.Direction.String()), planner.String))
	} else if args, err = s.bindArgs(ctx, x.Args); err != nil {
		return nil, true, err
	}
	if name == "greatest" || name == "least" {
		if len(args) < 2 {
			return nil, true, errs.Planf("%s takes at least 2 arguments, got %d in %s", strings.ToUpper(name), len(args), s.text(x))
		}
		if args, _, err = s.unify(compareCtx, args, x); err != nil {
			return nil, true, err
		}
	}
	call, err := s.scalarCall(f, caster, args, x)
	if err != nil {
		return nil, true, err
	}
	switch name {
	case "round", "truncate":
		return s.decimalRound(call), true, nil
	case "str_to_date":
		e, err := s.strToDate(call, x)
		return e, true, err
	}
	return call, true, nil
}

// scalarCall types a call of f and casts its arguments as f asks.
func (s *state) scalarCall(f udf.ScalarFunction, caster argCaster, args []planner.Expr, at ast.Node) (*planner.ScalarFunc, error) {
	if _, ok := f.(udf.ConstArgBinder); ok {
		var err error
		if f, err = s.bindConstArgs(f, args); err != nil {
			return nil, err
		}
		if c, ok := f.(argCaster); ok {
			caster = c
		}
	}
	t, err := f.ReturnType(argTypes(args))
	if err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "")
	}
	for i, to := range caster.CastArgs(argTypes(args)) {
		if to == nil {
			continue
		}
		if args[i], err = castTo(args[i], to, s.text(at)); err != nil {
			return nil, err
		}
	}
	if cs, ok := f.(callSiteFunc); ok {
		constant := make([]bool, len(args))
		for i, a := range args {
			_, constant[i] = a.(*planner.Literal)
		}
		f = cs.ForCallSite(constant)
	}
	return &planner.ScalarFunc{Fn: f, Args: args, Typ: t}, nil
}

// decimalRound gives round(x, d) and truncate(x, d) of a DECIMAL(p,s) x with a constant d
// MySQL's type, DECIMAL with scale max(d, 0): the function rounds keeping scale s (its
// dropped digits are zeros), and an exact cast moves the value to the final scale. The
// precision keeps the integer digits, plus one for round's carry when digits are dropped.
func (s *state) decimalRound(call *planner.ScalarFunc) planner.Expr {
	p, sc, ok := planner.DecimalParams(call.Args[0].Type())
	if !ok || !planner.IsDecimal(call.Args[0].Type()) {
		return call
	}
	d := int64(0)
	if len(call.Args) > 1 {
		lit, isLit := call.Args[1].(*planner.Literal)
		if !isLit {
			return call
		}
		v, isInt := lit.Value.(int64)
		if !isInt {
			return call
		}
		d = v
	}
	scale := int32(max(min(d, planner.MaxDecimalPrecision), 0))
	prec := p - sc + scale
	if call.Fn.Name() == "round" && scale < sc {
		prec++
	}
	to := planner.Decimal(max(prec, 1), scale)
	if arrow.TypeEqual(to, call.Typ) {
		return call
	}
	return &planner.Cast{E: call, To: to}
}

// strToDate makes str_to_date with a constant format of date specifiers only a DATE, as
// MySQL types it; a time-only format (MySQL's TIME result) is refused.
func (s *state) strToDate(call *planner.ScalarFunc, at ast.Node) (planner.Expr, error) {
	lit, ok := call.Args[1].(*planner.Literal)
	if !ok {
		return call, nil
	}
	format, ok := lit.Value.(string)
	if !ok {
		return call, nil
	}
	switch t := udf.StrToDateType(format); {
	case t == nil:
		return nil, errs.NotImplementedf("str_to_date with the time-only format '%s' returns a TIME, which Ember does not support: %s", format, s.text(at))
	case t.ID() == arrow.DATE32:
		return &planner.Cast{E: call, To: planner.Date}, nil
	}
	return call, nil
}

// getFormats is GET_FORMAT's table: selector, then standard.
var getFormats = map[ast.GetFormatSelectorType]map[string]string{
	ast.GetFormatSelectorDate: {"USA": "%m.%d.%Y", "JIS": "%Y-%m-%d", "ISO": "%Y-%m-%d", "EUR": "%d.%m.%Y", "INTERNAL": "%Y%m%d"},
	ast.GetFormatSelectorDatetime: {"USA": "%Y-%m-%d %H.%i.%s", "JIS": "%Y-%m-%d %H:%i:%s", "ISO": "%Y-%m-%d %H:%i:%s",
		"EUR": "%Y-%m-%d %H.%i.%s", "INTERNAL": "%Y%m%d%H%i%s"},
	ast.GetFormatSelectorTime: {"USA": "%h:%i:%s %p", "JIS": "%H:%i:%s", "ISO": "%H:%i:%s", "EUR": "%H.%i.%s", "INTERNAL": "%H%i%s"},
}

// bindGetFormat binds GET_FORMAT({DATE|DATETIME|TIME}, 'EUR'|'USA'|'JIS'|'ISO'|'INTERNAL')
// to its format string (NULL for an unknown standard, as MySQL); the standard must be a
// constant.
func (s *state) bindGetFormat(x *ast.FuncCallExpr) (planner.Expr, error) {
	if len(x.Args) != 2 {
		return nil, errs.Planf("GET_FORMAT takes 2 arguments in %s", s.text(x))
	}
	sel, ok := x.Args[0].(*ast.GetFormatSelectorExpr)
	if !ok {
		return nil, errs.Planf("GET_FORMAT needs DATE, DATETIME or TIME first in %s", s.text(x))
	}
	v, ok := x.Args[1].(ast.ValueExpr)
	if !ok {
		return nil, errs.NotImplementedf("GET_FORMAT with a non-constant standard: %s", s.text(x))
	}
	std, ok := v.GetValue().(string)
	if !ok {
		return planner.NewLiteral(nil, planner.String), nil
	}
	f, ok := getFormats[sel.Selector][strings.ToUpper(strings.TrimSpace(std))]
	if !ok {
		return planner.NewLiteral(nil, planner.String), nil
	}
	return planner.NewLiteral(f, planner.String), nil
}

// bindConstArgs lets a udf.ConstArgBinder see its call's arguments (the constants' values,
// the columns' names) and returns the function that serves the call; other functions are
// returned as they are. The binder's error keeps its kind (a model that fails to load is
// an execution error, an unknown model a plan error).
func (s *state) bindConstArgs(f udf.ScalarFunction, args []planner.Expr) (udf.ScalarFunction, error) {
	cb, ok := f.(udf.ConstArgBinder)
	if !ok {
		return f, nil
	}
	info := make([]udf.ConstArg, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case *planner.Literal:
			info[i] = udf.ConstArg{Const: true, Value: x.Value}
		case *planner.ColumnRef:
			info[i].Column = x.Col.Name
		}
	}
	g, err := cb.BindArgs(argTypes(args), info)
	if err != nil {
		return nil, errs.Wrap(errs.ErrPlan, err, "") // keeps the kind err has
	}
	if g == nil {
		return nil, errs.Internalf("function %s bound to nothing", f.Name())
	}
	return g, nil
}
