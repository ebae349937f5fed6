package optimizer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/embersql/ember/sql/planner"
)

// SQL cannot spell a Repartition (DataFrame.Repartition and Coalesce build it), so the
// data-driven tests (testdata/optimizer/repartition.txt) read it through views of the test
// catalog whose plans Go code builds (planner.PlanView, as the DataFrame API does).

// repartitionView is a view repartitioning the rows of a query: hash on key into n
// partitions, round-robin when key is empty, or a coalesce into n.
type repartitionView struct {
	name, sql string
	n         int
	key       string
	coalesce  bool
}

func (v repartitionView) Name() string { return v.name }
func (v repartitionView) SQL() string  { return v.sql }

// BindPlan implements planner.PlanView.
func (v repartitionView) BindPlan(bind func(string) (planner.Plan, error)) (planner.Plan, error) {
	in, err := bind(v.sql)
	if err != nil {
		return nil, err
	}
	if v.coalesce {
		return planner.NewCoalesce(in, v.n)
	}
	var keys []planner.Expr
	if v.key != "" {
		s := in.Schema()
		i := -1
		for j, c := range s {
			if c.Name == v.key {
				i = j
			}
		}
		if i < 0 {
			return nil, fmt.Errorf("view %s: no column %s", v.name, v.key)
		}
		keys = []planner.Expr{planner.NewColumnRef(s[i])}
	}
	return planner.NewRepartition(in, v.n, keys)
}

// repartitionViews are the views the test catalog adds to its tables.
var repartitionViews = map[string]repartitionView{
	"orders_by_cust":    {name: "orders_by_cust", sql: "SELECT * FROM orders", n: 8, key: "o_custkey"},
	"lineitem_by_order": {name: "lineitem_by_order", sql: "SELECT * FROM lineitem", n: 4, key: "l_orderkey"},
	"orders_rr":         {name: "orders_rr", sql: "SELECT * FROM orders", n: 4},
	"orders_coalesced":  {name: "orders_coalesced", sql: "SELECT * FROM orders", n: 2, coalesce: true},
	"orders_sorted_rr":  {name: "orders_sorted_rr", sql: "SELECT * FROM orders ORDER BY o_orderdate", n: 4},
	"orders_top5_rr":    {name: "orders_top5_rr", sql: "SELECT * FROM orders LIMIT 5", n: 4},
	"orders_sorted_coalesced": {name: "orders_sorted_coalesced", sql: "SELECT * FROM orders ORDER BY o_orderdate", n: 2,
		coalesce: true},
}

// withRepartitionViews is a catalog that resolves the names of repartitionViews before
// its tables.
type withRepartitionViews struct{ fakeCatalog }

func (c withRepartitionViews) LookupTable(db, name string) (planner.Table, planner.View, error) {
	if v, ok := repartitionViews[strings.ToLower(name)]; ok {
		return nil, v, nil
	}
	return c.fakeCatalog.LookupTable(db, name)
}

// TestRepartitionEstimates: a repartition passes its input's row estimate on.
func TestRepartitionEstimates(t *testing.T) {
	p, err := bindSQL("SELECT * FROM orders_by_cust WHERE o_totalprice > 100")
	if err != nil {
		t.Fatal(err)
	}
	var rep *planner.Repartition
	planner.WalkPlan(p, func(n planner.Plan) bool {
		if r, ok := n.(*planner.Repartition); ok {
			rep = r
		}
		return rep == nil
	})
	if rep == nil {
		t.Fatalf("no Repartition in\n%s", planner.Explain(p))
	}
	est := EstimateRows(p)
	if est[rep] != est[rep.Input] || est[rep] <= 0 {
		t.Errorf("repartition estimate %g, input's %g; want equal and positive", est[rep], est[rep.Input])
	}
}
