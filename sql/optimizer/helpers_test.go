package optimizer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// fakeTable is a catalog table known only by its schema.
type fakeTable struct {
	name   string
	schema *arrow.Schema
}

func (t *fakeTable) Name() string               { return t.name }
func (t *fakeTable) ArrowSchema() *arrow.Schema { return t.schema }

// newTable returns a table of the named columns, each BIGINT unless its name ends in ":s"
// (VARCHAR), ":f" (DOUBLE), ":d" (DATE) or ":a" (ARRAY of BIGINT), and nullable unless it
// ends in "!" (after the type: "name:s!").
func newTable(name string, cols ...string) *fakeTable {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		c, notNull := strings.CutSuffix(c, "!")
		typ := planner.Int64
		for suffix, t := range map[string]arrow.DataType{":s": planner.String, ":f": planner.Float64, ":d": planner.Date, ":a": planner.ArrayOf(planner.Int64)} {
			if n, ok := strings.CutSuffix(c, suffix); ok {
				c, typ = n, t
			}
		}
		fields[i] = arrow.Field{Name: c, Type: typ, Nullable: !notNull}
	}
	return &fakeTable{name: name, schema: arrow.NewSchema(fields, nil)}
}

// fakeFunc is a scalar function with a chosen volatility; it is never evaluated here.
type fakeFunc struct {
	name string
	vol  udf.Volatility
}

func (f fakeFunc) Name() string { return f.name }
func (f fakeFunc) ReturnType([]arrow.DataType) (arrow.DataType, error) {
	return planner.Int64, nil
}
func (f fakeFunc) Volatility() udf.Volatility { return f.vol }
func (f fakeFunc) Doc() string                { return "test function" }
func (f fakeFunc) Eval(context.Context, memory.Allocator, []arrow.Array, int) (arrow.Array, error) {
	return nil, errors.New("fakeFunc is not evaluated in optimizer tests")
}

// fakeAgg is an aggregate function that is never evaluated here.
type fakeAgg struct{ name string }

func (f fakeAgg) Name() string { return f.name }
func (f fakeAgg) ReturnType([]arrow.DataType) (arrow.DataType, error) {
	return planner.Int64, nil
}
func (f fakeAgg) Volatility() udf.Volatility { return udf.Immutable }
func (f fakeAgg) Doc() string                { return "test aggregate" }
func (f fakeAgg) StateTypes([]arrow.DataType) ([]arrow.DataType, error) {
	return []arrow.DataType{planner.Int64}, nil
}
func (f fakeAgg) NewAccumulator([]arrow.DataType, memory.Allocator) (udf.GroupAccumulator, error) {
	return nil, errors.New("fakeAgg is not evaluated in optimizer tests")
}

// aggCall returns name(args...) typed BIGINT.
func aggCall(name string, args ...planner.Expr) *planner.AggregateCall {
	return &planner.AggregateCall{Fn: fakeAgg{name: name}, Args: args, Typ: planner.Int64}
}

// aggregate groups in by groupBy (output columns named by groupNames, with fresh IDs) and
// computes aggs (named by aggNames).
func aggregate(t *testing.T, in planner.Plan, groupBy []planner.Expr, groupNames []string, aggs []*planner.AggregateCall, aggNames []string) planner.Plan {
	t.Helper()
	var out []planner.Column
	for i, g := range groupBy {
		out = append(out, planner.NewColumn(groupNames[i], "", g.Type(), g.Nullable()))
	}
	for i, a := range aggs {
		out = append(out, planner.NewColumn(aggNames[i], "", a.Type(), a.Nullable()))
	}
	a, err := planner.NewAggregate(in, groupBy, aggs, out)
	return must(t, a, err)
}

// call returns fn(args...) typed BIGINT.
func call(name string, vol udf.Volatility, args ...planner.Expr) planner.Expr {
	return &planner.ScalarFunc{Fn: fakeFunc{name: name, vol: vol}, Args: args, Typ: planner.Int64}
}

// intEval is the test-only ConstEvaluator: integer arithmetic and comparisons on integer
// literals (the result keeps the expression's type), negation. Anything else (casts, functions, division by zero) is an error, which
// ConstantFolding must answer by leaving the expression alone.
func intEval(e planner.Expr) (*planner.Literal, error) {
	switch x := e.(type) {
	case *planner.Negate:
		if v, ok := intOf(x.E); ok {
			return planner.NewLiteral(-v, x.Type()), nil
		}
	case *planner.ScalarFunc:
		if x.Fn.Name() == "twice" && len(x.Args) == 1 {
			if v, ok := intOf(x.Args[0]); ok {
				return planner.NewLiteral(2*v, x.Type()), nil
			}
		}
	case *planner.Binary:
		l, lok := intOf(x.Left)
		r, rok := intOf(x.Right)
		if !lok || !rok || (x.Op.IsArithmetic() && !planner.IsInteger(x.Typ)) {
			break
		}
		switch x.Op {
		case planner.OpAdd:
			return planner.NewLiteral(l+r, x.Typ), nil
		case planner.OpSub:
			return planner.NewLiteral(l-r, x.Typ), nil
		case planner.OpMul:
			return planner.NewLiteral(l*r, x.Typ), nil
		case planner.OpIntDiv:
			if r == 0 {
				return nil, errors.New("division by zero")
			}
			return planner.NewLiteral(l/r, x.Typ), nil
		case planner.OpEq:
			return planner.NewLiteral(l == r, planner.Boolean), nil
		case planner.OpLt:
			return planner.NewLiteral(l < r, planner.Boolean), nil
		case planner.OpGt:
			return planner.NewLiteral(l > r, planner.Boolean), nil
		}
	}
	return nil, fmt.Errorf("test evaluator cannot evaluate %s", e)
}

func intOf(e planner.Expr) (int64, bool) {
	l, ok := e.(*planner.Literal)
	if !ok {
		return 0, false
	}
	v, ok := l.Value.(int64)
	return v, ok
}

// Expression builders. Comparisons and AND/OR are BOOLEAN, arithmetic BIGINT.
func lit(v any) *planner.Literal {
	switch x := v.(type) {
	case bool:
		return planner.NewLiteral(x, planner.Boolean)
	case string:
		return planner.NewLiteral(x, planner.String)
	case int:
		return planner.NewLiteral(int64(x), planner.Int64)
	case nil:
		return planner.NewLiteral(nil, planner.Boolean)
	}
	panic(fmt.Sprintf("lit: unsupported %T", v))
}

func bin(op planner.BinaryOp, l, r planner.Expr) planner.Expr {
	typ := planner.Boolean
	if op.IsArithmetic() {
		typ = planner.Int64
	}
	return &planner.Binary{Op: op, Left: l, Right: r, Typ: typ}
}

func and(es ...planner.Expr) planner.Expr { return planner.Conjunction(es) }
func eq(l, r planner.Expr) planner.Expr   { return bin(planner.OpEq, l, r) }
func gt(l, r planner.Expr) planner.Expr   { return bin(planner.OpGt, l, r) }
func not(e planner.Expr) planner.Expr     { return &planner.Not{E: e} }

// col returns a reference to the column of p's schema whose qualified or plain name is name.
func col(t *testing.T, p planner.Plan, name string) *planner.ColumnRef {
	t.Helper()
	var found []planner.Column
	for _, c := range p.Schema() {
		if c.QualifiedName() == name || (!strings.Contains(name, ".") && c.Name == name) {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("col %q: %d matches in [%s]", name, len(found), p.Schema())
	}
	return planner.NewColumnRef(found[0])
}

// must fails the test on err and returns p.
func must[P planner.Plan](t *testing.T, p P, err error) planner.Plan {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func filter(t *testing.T, in planner.Plan, cond planner.Expr) planner.Plan {
	t.Helper()
	f, err := planner.NewFilter(in, cond)
	return must(t, f, err)
}

func project(t *testing.T, in planner.Plan, names []string, exprs ...planner.Expr) planner.Plan {
	t.Helper()
	p, err := planner.ProjectExprs(in, exprs, names)
	return must(t, p, err)
}

func join(t *testing.T, l, r planner.Plan, typ planner.JoinType, on planner.Expr) planner.Plan {
	t.Helper()
	j, err := planner.NewJoin(l, r, typ, on)
	return must(t, j, err)
}

// dedent strips the common leading tab indentation of a raw-string plan and its first
// newline, so expected plans can be written indented in test tables.
func dedent(s string) string {
	s = strings.TrimPrefix(s, "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(l, "\t")
	}
	return strings.Join(lines, "\n")
}
