package optimizer

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/sql/planner/binder"
	"github.com/embersql/ember/udf"
)

// The data-driven rule tests live in testdata/optimizer/<rule_name>.txt. One command:
//
//	optimize [rules=(A,B)] [disable=(A)] [expect=(A,B)] [expect-not=(C)]
//	<one SELECT>
//	----
//	before:
//	<plan as bound>
//	after:
//	<plan after the optimizer>
//
// The output says "after: (unchanged)" when the optimizer returned the very same plan.
// rules= runs only the named rules, in one fixed-point batch (in default order); without it
// the default batches run. expect= fails the test unless each named rule changed the plan
// (from the driver's trace), expect-not= unless none did. Invariant checks are on, and
// constants fold through intEval. Regenerate outputs with -rewrite, then check them by hand.
func TestDataDriven(t *testing.T) {
	datadriven.Walk(t, "../../testdata/optimizer", func(t *testing.T, path string) {
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			switch d.Cmd {
			case "optimize":
				return runOptimize(t, d)
			}
			d.Fatalf(t, "unknown command %q", d.Cmd)
			return ""
		})
	})
}

func runOptimize(t *testing.T, d *datadriven.TestData) string {
	var rules, disable, expect, expectNot []string
	for _, a := range d.CmdArgs {
		switch a.Key {
		case "rules":
			rules = a.Vals
		case "disable":
			disable = a.Vals
		case "expect":
			expect = a.Vals
		case "expect-not":
			expectNot = a.Vals
		default:
			d.Fatalf(t, "unknown argument %q", a.Key)
		}
	}
	p, err := bindSQL(d.Input)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	batches := DefaultBatches()
	if rules != nil {
		var rs []Rule
		for _, b := range DefaultBatches() {
			for _, r := range b.Rules {
				if slices.Contains(rules, r.Name()) && !slices.ContainsFunc(rs, func(x Rule) bool { return x.Name() == r.Name() }) {
					rs = append(rs, r)
				}
			}
		}
		if len(rs) != len(rules) {
			d.Fatalf(t, "rules=%v names a rule that is not in RuleNames() %v", rules, RuleNames())
		}
		batches = []Batch{{Name: "test", Strategy: FixedPoint(100), Rules: rs}}
	}
	out, tr, err := New(batches, Options{Disabled: disable, Eval: intEval, CheckInvariants: true}).Optimize(p)
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	for _, r := range expect {
		if !tr.Fired(r) {
			d.Fatalf(t, "expected %s to fire; fired: %v", r, tr.Rules())
		}
	}
	for _, r := range expectNot {
		if tr.Fired(r) {
			d.Fatalf(t, "expected %s not to fire; trace:\n%s", r, tr)
		}
	}
	if out == p {
		return "before:\n" + planner.Explain(p) + "after: (unchanged)\n"
	}
	return "before:\n" + planner.Explain(p) + "after:\n" + planner.Explain(out)
}

// bindSQL parses and binds one SELECT against the TPC-H-like test catalog, plus the views
// of repartition_test.go.
func bindSQL(sql string) (planner.Plan, error) {
	stmts, err := parser.Parse(sql)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, fmt.Errorf("want one statement, got %d", len(stmts))
	}
	q, ok := stmts[0].(*parser.Query)
	if !ok {
		return nil, fmt.Errorf("not a query: %T", stmts[0])
	}
	b := &binder.Binder{Catalog: withRepartitionViews{tpchCatalog()}, Funcs: testFuncs()}
	return b.BindQuery(q)
}

// testFuncs is the built-in registry plus stand-ins for the functions the test files call,
// for as long as the built-ins lack them: count and sum, rand (Volatile) and double
// (Immutable, folded by intEval). The stand-ins are never evaluated.
func testFuncs() *udf.Registry {
	r := udf.NewBuiltins().Child()
	for _, name := range []string{"count", "sum"} {
		if _, ok := r.Aggregate(name); !ok {
			r.RegisterAggregate(fakeAgg{name: name})
		}
	}
	for _, f := range []fakeFunc{{name: "rand", vol: udf.Volatile}, {name: "twice", vol: udf.Immutable}} {
		if _, ok := r.Scalar(f.name); !ok {
			r.RegisterScalar(f)
		}
	}
	return r
}

// fakeCatalog is a planner.Catalog over fake tables.
type fakeCatalog map[string]*fakeTable

func (c fakeCatalog) LookupTable(_, name string) (planner.Table, planner.View, error) {
	if t, ok := c[strings.ToLower(name)]; ok {
		return t, nil, nil
	}
	return nil, nil, nil
}

func (c fakeCatalog) TableNames() []string {
	names := make([]string, 0, len(c))
	for n := range c {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (c fakeCatalog) FileTable(format, path string) (planner.Table, error) {
	return nil, fmt.Errorf("the optimizer tests have no %s file %s", format, path)
}

// tpchCatalog returns a few TPC-H tables with a few columns each, and two tables for
// NOT NULL and array columns.
func tpchCatalog() fakeCatalog {
	return fakeCatalog{
		"lineitem": newTable("lineitem", "l_orderkey", "l_partkey", "l_quantity", "l_extendedprice:f",
			"l_discount:f", "l_returnflag:s", "l_shipdate:d"),
		"orders": newTable("orders", "o_orderkey", "o_custkey", "o_orderstatus:s", "o_totalprice:f",
			"o_orderdate:d", "o_orderpriority:s"),
		"customer": newTable("customer", "c_custkey", "c_name:s", "c_nationkey", "c_acctbal:f", "c_mktsegment:s"),
		// NOT NULL columns, for the rules that read nullability.
		"nation": newTable("nation", "n_nationkey!", "n_name:s!", "n_regionkey!", "n_comment:s"),
		// An array column, for explode.
		"events": newTable("events", "e_id", "e_tags:a"),
	}
}
