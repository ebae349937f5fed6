package binder

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// fakeTable is a catalog table of a fixed schema.
type fakeTable struct {
	name   string
	schema *arrow.Schema
}

func (t *fakeTable) Name() string               { return t.name }
func (t *fakeTable) ArrowSchema() *arrow.Schema { return t.schema }

type fakeView struct{ name, sql string }

func (v *fakeView) Name() string { return v.name }
func (v *fakeView) SQL() string  { return v.sql }

// fakeCatalog is an in-memory planner.Catalog.
type fakeCatalog struct {
	tables map[string]*fakeTable
	views  map[string]*fakeView
}

func (c *fakeCatalog) LookupTable(db, name string) (planner.Table, planner.View, error) {
	if db != "" && !strings.EqualFold(db, "default") {
		return nil, nil, errs.Planf("unknown database %q", db)
	}
	if t, ok := c.tables[strings.ToLower(name)]; ok {
		return t, nil, nil
	}
	if v, ok := c.views[strings.ToLower(name)]; ok {
		return nil, v, nil
	}
	return nil, nil, nil
}

func (c *fakeCatalog) TableNames() []string {
	var out []string
	for n := range c.tables {
		out = append(out, n)
	}
	for n := range c.views {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (c *fakeCatalog) FileTable(format, path string) (planner.Table, error) {
	if strings.Contains(path, "missing") {
		return nil, fmt.Errorf("%s file %s does not exist", format, path)
	}
	return &fakeTable{name: path, schema: arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: planner.Int64, Nullable: true},
		{Name: "y", Type: planner.String, Nullable: true},
	}, nil)}, nil
}

func field(name string, t arrow.DataType, nullable bool) arrow.Field {
	return arrow.Field{Name: name, Type: t, Nullable: nullable}
}

func newCatalog() *fakeCatalog {
	dec := planner.Decimal(15, 2)
	tables := []*fakeTable{
		{name: "lineitem", schema: arrow.NewSchema([]arrow.Field{
			field("l_orderkey", planner.Int64, false),
			field("l_quantity", dec, false),
			field("l_extendedprice", dec, false),
			field("l_discount", dec, false),
			field("l_tax", dec, false),
			field("l_returnflag", planner.String, false),
			field("l_shipdate", planner.Date, false),
			field("l_comment", planner.String, true),
		}, nil)},
		{name: "orders", schema: arrow.NewSchema([]arrow.Field{
			field("o_orderkey", planner.Int64, false),
			field("o_custkey", planner.Int64, false),
			field("o_orderdate", planner.Date, false),
			field("o_totalprice", dec, false),
			field("o_orderstatus", planner.String, true),
		}, nil)},
		{name: "t", schema: arrow.NewSchema([]arrow.Field{
			field("a", planner.Int32, true),
			field("b", planner.Float64, true),
			field("c", planner.String, true),
			field("d", planner.Boolean, true),
			field("ts", planner.Timestamp, true),
			field("n", planner.Int64, true),
		}, nil)},
		{name: "u", schema: arrow.NewSchema([]arrow.Field{
			field("a", planner.Int32, true),
			field("e", planner.Int64, true),
		}, nil)},
	}
	c := &fakeCatalog{tables: map[string]*fakeTable{}, views: map[string]*fakeView{}}
	for _, t := range tables {
		c.tables[t.name] = t
	}
	for _, v := range []*fakeView{
		{name: "big_orders", sql: "SELECT o_orderkey, o_totalprice FROM orders WHERE o_totalprice > 1000"},
		{name: "loop1", sql: "SELECT * FROM loop2"},
		{name: "loop2", sql: "SELECT * FROM loop1"},
		{name: "bad_view", sql: "SELECT nope FROM t"},
	} {
		c.views[v.name] = v
	}
	return c
}

var errStub = errors.New("test function: not executable")

// testFunc is a function of the test registry: only its name and typing matter.
type testFunc struct {
	name string
	ret  func(args []arrow.DataType) (arrow.DataType, error)
}

func (f *testFunc) Name() string { return f.name }
func (f *testFunc) ReturnType(args []arrow.DataType) (arrow.DataType, error) {
	return f.ret(args)
}
func (f *testFunc) Volatility() udf.Volatility { return udf.Immutable }
func (f *testFunc) Doc() string                { return "" }
func (f *testFunc) Eval(context.Context, memory.Allocator, []arrow.Array, int) (arrow.Array, error) {
	return nil, errStub
}
func (f *testFunc) StateTypes([]arrow.DataType) ([]arrow.DataType, error) { return nil, errStub }
func (f *testFunc) NewAccumulator([]arrow.DataType, memory.Allocator) (udf.GroupAccumulator, error) {
	return nil, errStub
}

func oneArg(name string, f func(arrow.DataType) (arrow.DataType, error)) *testFunc {
	return &testFunc{name: name, ret: func(args []arrow.DataType) (arrow.DataType, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("%s takes one argument, got %d", name, len(args))
		}
		return f(args[0])
	}}
}

// newFuncs returns a registry with the aggregates count, sum, avg, min, max and the scalars
// upper and abs, typed as the built-ins will be.
func newFuncs() *udf.Registry {
	r := udf.NewRegistry(nil)
	r.RegisterAggregate(&testFunc{name: "count", ret: func([]arrow.DataType) (arrow.DataType, error) { return planner.Int64, nil }})
	r.RegisterAggregate(oneArg("sum", func(t arrow.DataType) (arrow.DataType, error) {
		switch {
		case planner.IsInteger(t):
			return planner.Int64, nil
		case planner.IsDecimal(t):
			p, s, _ := planner.DecimalParams(t)
			return planner.Decimal(p+10, s), nil
		case planner.IsFloat(t):
			return planner.Float64, nil
		}
		return nil, fmt.Errorf("sum: argument 1 has type %s, not a number", planner.TypeString(t))
	}))
	r.RegisterAggregate(oneArg("avg", func(t arrow.DataType) (arrow.DataType, error) {
		if p, s, ok := planner.DecimalParams(t); ok && !planner.IsInteger(t) {
			return planner.Decimal(p+4, s+4), nil
		}
		return planner.Float64, nil
	}))
	r.RegisterAggregate(oneArg("min", func(t arrow.DataType) (arrow.DataType, error) { return t, nil }))
	r.RegisterAggregate(oneArg("max", func(t arrow.DataType) (arrow.DataType, error) { return t, nil }))
	r.RegisterScalar(oneArg("upper", func(arrow.DataType) (arrow.DataType, error) { return planner.String, nil }))
	r.RegisterScalar(oneArg("abs", func(t arrow.DataType) (arrow.DataType, error) { return t, nil }))
	return r
}

func newBinder() *Binder { return &Binder{Catalog: newCatalog(), Funcs: newFuncs()} }

// bindSQL parses one statement and binds it.
func bindSQL(t *testing.T, b *Binder, sql string) (planner.Plan, error) {
	t.Helper()
	stmts, err := parser.Parse(sql)
	if err != nil {
		t.Fatalf("parse %q: %v", sql, err)
	}
	if len(stmts) != 1 {
		t.Fatalf("parse %q: %d statements", sql, len(stmts))
	}
	q, ok := stmts[0].(*parser.Query)
	if !ok {
		t.Fatalf("parse %q: got %T", sql, stmts[0])
	}
	return b.BindQuery(q)
}

// outputs renders a schema as "name:TYPE, ..." (unqualified names, as a client sees them).
func outputs(s planner.Schema) string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = c.Name + ":" + planner.TypeString(c.Type)
	}
	return strings.Join(parts, ", ")
}
