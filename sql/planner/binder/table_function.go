package binder

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Table functions in FROM (SELECT * FROM range(10) AS r(n)): the parser hands the call over
// as a derived table that parser.Query.TableFunction recognises. Each argument is bound as
// an expression without columns and folded to a constant here (literals, CAST of a
// literal, unary minus, and + - * DIV % / over BIGINT and DOUBLE constants; no LATERAL:
// a column reference is an error naming the argument). The function, looked up with
// udf.Registry.Table, binds the constants into a udf.FunctionTable, scanned as a
// planner.FunctionTable under the alias (the function's name when there is none), its
// columns renamed by the alias's column list.

// bindTableFunction binds a table function call of FROM with the given alias.
func (s *state) bindTableFunction(call parser.TableFunctionCall, alias string) (planner.Plan, error) {
	name := strings.ToLower(call.Name)
	at := s.atOffset(call.Offset)
	fn, ok := s.funcs().Table(name)
	if !ok {
		if _, scalar := s.funcs().Scalar(name); scalar {
			return nil, errs.Planf("%q%s is a scalar function, not a table function: call it in the SELECT list, or name a table function in FROM", name, at)
		}
		if _, agg := s.funcs().Aggregate(name); agg {
			return nil, errs.Planf("%q%s is an aggregate function, not a table function", name, at)
		}
		return nil, errs.Planf("unknown table function %q%s%s", call.Name, at, suggest(name, s.funcs().TableNames()))
	}
	lits := make([]*planner.Literal, len(call.Args))
	vals := make([]any, len(call.Args))
	for i, a := range call.Args {
		lit, err := s.tableFunctionArg(name, i, a)
		if err != nil {
			return nil, err
		}
		lits[i], vals[i] = lit, lit.Value
	}
	// The binder has no context of its own; Bind only checks constants and fixes a schema.
	t, err := fn.Bind(context.Background(), vals)
	if err != nil {
		return nil, withPosition(err, name, at)
	}
	if t == nil || t.Schema() == nil {
		return nil, errs.Planf("table function %s returned no table from Bind%s", name, at)
	}
	if alias == "" {
		alias = name
	}
	ft := &planner.FunctionTable{Fn: name, Args: lits, Table: t}
	cols := make([]ast.CIStr, len(call.Columns))
	for i, c := range call.Columns {
		cols[i] = ast.NewCIStr(c)
	}
	return renameColumns(planner.NewScan(ft, alias), cols, "table function "+name+" (alias "+alias+")")
}

// tableFunctionArg binds argument i of table function name and folds it to a constant.
func (s *state) tableFunctionArg(name string, i int, a ast.ExprNode) (*planner.Literal, error) {
	what := fmt.Sprintf("table function %s: argument %d (%s)", name, i+1, s.text(a))
	v := &nonConstantFinder{}
	a.Accept(v)
	switch {
	case v.col != nil:
		return nil, errs.Planf("%s refers to column %s%s; table function arguments must be constants (LATERAL is not supported)",
			what, s.text(v.col), s.atOffset(v.col.OriginTextPosition()))
	case v.subquery:
		return nil, errs.Planf("%s is a subquery%s; table function arguments must be constants", what, s.atOffset(a.OriginTextPosition()))
	}
	e, err := s.bindExpr(&exprCtx{clause: "the arguments of table function " + name}, a)
	if err != nil {
		return nil, err
	}
	lit, err := foldConstant(e)
	if err != nil {
		msg := err.Error()
		if e, ok := err.(*errs.Error); ok {
			msg = e.Msg // without the "plan error: " of its kind
		}
		return nil, errs.Planf("%s: %s%s", what, msg, s.atOffset(a.OriginTextPosition()))
	}
	if lit == nil {
		return nil, errs.Planf("%s must be a constant: a literal, arithmetic on literals or a CAST of one%s", what, s.atOffset(a.OriginTextPosition()))
	}
	return lit, nil
}

// nonConstantFinder finds the first column reference of an expression, and whether it holds
// a subquery (not entered).
type nonConstantFinder struct {
	col      *ast.ColumnNameExpr
	subquery bool
}

func (v *nonConstantFinder) Enter(n ast.Node) (ast.Node, bool) {
	switch x := n.(type) {
	case *ast.ColumnNameExpr:
		if v.col == nil {
			v.col = x
		}
	case *ast.SubqueryExpr, *ast.ExistsSubqueryExpr, *ast.CompareSubqueryExpr:
		v.subquery = true
		return n, true
	}
	return n, false
}

func (v *nonConstantFinder) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// foldConstant evaluates a bound constant expression: a literal, a CAST of a constant
// whose conversion is exact (foldLiteral), unary minus, and + - * DIV % over BIGINT and
// + - * / over DOUBLE constants (division by zero is NULL, as in MySQL). It returns nil
// without an error for anything else (functions, DECIMAL arithmetic), and an error for a
// BIGINT overflow.
func foldConstant(e planner.Expr) (*planner.Literal, error) {
	switch x := e.(type) {
	case *planner.Literal:
		return x, nil
	case *planner.Cast:
		in, err := foldConstant(x.E)
		if in == nil || err != nil {
			return nil, err
		}
		v, folded, err := foldLiteral(in, x.To, "CAST")
		if err != nil || !folded {
			return nil, err
		}
		return planner.NewLiteral(v, x.To), nil
	case *planner.Negate:
		in, err := foldConstant(x.E)
		if in == nil || err != nil {
			return nil, err
		}
		switch v := in.Value.(type) {
		case nil:
			return in, nil
		case int64:
			if v == math.MinInt64 {
				return nil, errs.Planf("BIGINT value is out of range in -(%d)", v)
			}
			return planner.NewLiteral(-v, in.Typ), nil
		case float64:
			return planner.NewLiteral(-v, in.Typ), nil
		}
	case *planner.Binary:
		l, err := foldConstant(x.Left)
		if l == nil || err != nil {
			return nil, err
		}
		r, err := foldConstant(x.Right)
		if r == nil || err != nil {
			return nil, err
		}
		if l.Value == nil || r.Value == nil {
			if x.Op.IsArithmetic() {
				return planner.NewLiteral(nil, x.Typ), nil
			}
			return nil, nil
		}
		switch a := l.Value.(type) {
		case int64:
			if b, ok := r.Value.(int64); ok && x.Typ.ID() == planner.Int64.ID() {
				return foldInt(x.Op, a, b)
			}
		case float64:
			if b, ok := r.Value.(float64); ok && x.Typ.ID() == planner.Float64.ID() {
				return foldFloat(x.Op, a, b), nil
			}
		}
	}
	return nil, nil
}

// foldInt applies an arithmetic operator to BIGINT constants, refusing an overflow.
func foldInt(op planner.BinaryOp, a, b int64) (*planner.Literal, error) {
	var v int64
	overflow := false
	switch op {
	case planner.OpAdd:
		v = a + b
		overflow = (b > 0 && v < a) || (b < 0 && v > a)
	case planner.OpSub:
		v = a - b
		overflow = (b < 0 && v < a) || (b > 0 && v > a)
	case planner.OpMul:
		v = a * b
		overflow = a != 0 && (v/a != b || (a == -1 && b == math.MinInt64))
	case planner.OpIntDiv, planner.OpMod:
		if b == 0 {
			return planner.NewLiteral(nil, planner.Int64), nil
		}
		if b == -1 {
			if op == planner.OpMod {
				return planner.NewLiteral(int64(0), planner.Int64), nil
			}
			overflow, v = a == math.MinInt64, -a
		} else if op == planner.OpIntDiv {
			v = a / b
		} else {
			v = a % b
		}
	default:
		return nil, nil
	}
	if overflow {
		return nil, errs.Planf("BIGINT value is out of range in (%d %s %d)", a, op, b)
	}
	return planner.NewLiteral(v, planner.Int64), nil
}

// foldFloat applies an arithmetic operator to DOUBLE constants.
func foldFloat(op planner.BinaryOp, a, b float64) *planner.Literal {
	switch op {
	case planner.OpAdd:
		return planner.NewLiteral(a+b, planner.Float64)
	case planner.OpSub:
		return planner.NewLiteral(a-b, planner.Float64)
	case planner.OpMul:
		return planner.NewLiteral(a*b, planner.Float64)
	case planner.OpDiv:
		if b == 0 {
			return planner.NewLiteral(nil, planner.Float64)
		}
		return planner.NewLiteral(a/b, planner.Float64)
	}
	return nil
}

// withPosition adds where the call is written to an error of a table function's Bind: a
// plan error keeps its message and gains the position; any other error becomes a plan
// error naming the function.
func withPosition(err error, name, at string) error {
	if e, ok := err.(*errs.Error); ok && e.Kind == errs.ErrPlan {
		return &errs.Error{Kind: e.Kind, Msg: e.Msg + at, Cause: e.Cause}
	}
	return errs.Wrap(errs.ErrPlan, err, "table function %s%s", name, at)
}

// atOffset returns " at line L, column C" for a byte offset of the statement's text, or ""
// when the offset is not in it.
func (s *state) atOffset(off int) string {
	if s.q == nil || off < 0 || off >= len(s.sql) {
		return ""
	}
	line, col := s.q.Position(off)
	return fmt.Sprintf(" at line %d, column %d", line, col)
}
