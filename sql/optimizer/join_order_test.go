package optimizer

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
)

// statsTable is a table with statistics: rows, and distinct counts per column.
type statsTable struct {
	name     string
	cols     []string
	rows     int64
	distinct []int64
}

func (t *statsTable) Name() string { return t.name }
func (t *statsTable) ArrowSchema() *arrow.Schema {
	fs := make([]arrow.Field, len(t.cols))
	for i, c := range t.cols {
		fs[i] = arrow.Field{Name: c, Type: planner.Int64, Nullable: true}
	}
	return arrow.NewSchema(fs, nil)
}
func (t *statsTable) Statistics() *planner.TableStats {
	st := &planner.TableStats{RowCount: t.rows}
	for _, d := range t.distinct {
		st.Columns = append(st.Columns, planner.ColumnStats{NullCount: 0, Distinct: d})
	}
	return st
}

func colOf(t *testing.T, p planner.Plan, name string) planner.Expr {
	t.Helper()
	for _, c := range p.Schema() {
		if c.QualifiedName() == name {
			return planner.NewColumnRef(c)
		}
	}
	t.Fatalf("no column %s in %s", name, p.Schema())
	return nil
}

func eqExpr(a, b planner.Expr) planner.Expr {
	return &planner.Binary{Op: planner.OpEq, Left: a, Right: b, Typ: planner.Boolean}
}

// TestJoinReorderStar: a fact table joined to two dimensions, written fact-last with the
// dimensions cross-joined first (a cross product in the text). The reordered plan joins
// each dimension to the fact, never the two dimensions together, and probes with the fact
// table (it is never built).
func TestJoinReorderStar(t *testing.T) {
	fact := planner.NewScan(&statsTable{name: "fact", cols: []string{"a", "b", "v"}, rows: 1_000_000, distinct: []int64{1000, 500, -1}}, "")
	d1 := planner.NewScan(&statsTable{name: "d1", cols: []string{"a", "x"}, rows: 1000, distinct: []int64{1000, 10}}, "")
	d2 := planner.NewScan(&statsTable{name: "d2", cols: []string{"b", "y"}, rows: 500, distinct: []int64{500, 5}}, "")
	dims, err := planner.NewJoin(d1, d2, planner.CrossJoin, nil)
	if err != nil {
		t.Fatal(err)
	}
	on := planner.Conjunction([]planner.Expr{
		eqExpr(colOf(t, dims, "d1.a"), colOf(t, fact, "fact.a")),
		eqExpr(colOf(t, dims, "d2.b"), colOf(t, fact, "fact.b")),
	})
	j, err := planner.NewJoin(dims, fact, planner.InnerJoin, on)
	if err != nil {
		t.Fatal(err)
	}
	out, err := JoinReorder{}.Apply(j, &Context{})
	if err != nil {
		t.Fatal(err)
	}
	if !out.Schema().Equal(j.Schema()) {
		t.Fatalf("schema changed: %s", out.Schema())
	}
	text := planner.Explain(out)
	if strings.Contains(text, "Join: Cross") {
		t.Errorf("the reordered plan keeps a cross product:\n%s", text)
	}
	// Every join's right (build) input must not contain the fact table.
	planner.WalkPlan(out, func(p planner.Plan) bool {
		if jn, ok := p.(*planner.Join); ok {
			planner.WalkPlan(jn.Right, func(q planner.Plan) bool {
				if s, ok := q.(*planner.Scan); ok && s.Table.Name() == "fact" {
					t.Errorf("the fact table is a build side:\n%s", text)
				}
				return true
			})
		}
		return true
	})
	// Idempotent: a second run changes nothing.
	again, err := JoinReorder{}.Apply(out, &Context{})
	if err != nil {
		t.Fatal(err)
	}
	if again != out {
		t.Errorf("a second run changed the plan:\n%s\nto\n%s", text, planner.Explain(again))
	}
}

func TestCardinalityEstimates(t *testing.T) {
	fact := planner.NewScan(&statsTable{name: "fact", cols: []string{"a", "b"}, rows: 1_000_000, distinct: []int64{1000, -1}}, "")
	dim := planner.NewScan(&statsTable{name: "dim", cols: []string{"a"}, rows: 1000, distinct: []int64{1000}}, "")
	j, err := planner.NewJoin(fact, dim, planner.InnerJoin, eqExpr(colOf(t, fact, "fact.a"), colOf(t, dim, "dim.a")))
	if err != nil {
		t.Fatal(err)
	}
	e := newEstimator()
	// A key/foreign-key join keeps the fact table's rows.
	if got := e.rows(j); got < 0.99e6 || got > 1.01e6 {
		t.Errorf("join rows %.0f, want about 1e6", got)
	}
	f, err := planner.NewFilter(fact, eqExpr(colOf(t, fact, "fact.a"), planner.NewLiteral(int64(5), planner.Int64)))
	if err != nil {
		t.Fatal(err)
	}
	// a = constant keeps 1/NDV of the rows.
	if got := e.rows(f); got < 999 || got > 1001 {
		t.Errorf("filter rows %.0f, want about 1000", got)
	}
}

// TestCompositeKeyJoin: TPC-H Q9's shape. lineitem joins partsupp on both columns of
// partsupp's key; the columns of a composite key are correlated, so the join keeps about
// partsupp's 800K combinations, not 200K x 10K of them (which made lineitem ⋈ partsupp look
// like 2,400 rows and be built into a hash table); and as partsupp's 800K combinations are
// as many as its rows, they are its key, which lineitem's pairs are drawn from: every
// lineitem row finds its partsupp row. The cheapest order joins partsupp with
// the filtered part first and probes that with lineitem, which is never built.
func TestCompositeKeyJoin(t *testing.T) {
	l := planner.NewScan(&statsTable{name: "lineitem", cols: []string{"partkey", "suppkey"}, rows: 6_000_000, distinct: []int64{200_000, 10_000}}, "")
	ps := planner.NewScan(&statsTable{name: "partsupp", cols: []string{"partkey", "suppkey"}, rows: 800_000, distinct: []int64{200_000, 10_000}}, "")
	p := planner.NewScan(&statsTable{name: "part", cols: []string{"partkey"}, rows: 20_000, distinct: []int64{20_000}}, "")
	lps, err := planner.NewJoin(l, ps, planner.InnerJoin, planner.Conjunction([]planner.Expr{
		eqExpr(colOf(t, l, "lineitem.partkey"), colOf(t, ps, "partsupp.partkey")),
		eqExpr(colOf(t, l, "lineitem.suppkey"), colOf(t, ps, "partsupp.suppkey")),
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := newEstimator().rows(lps); got < 5.99e6 || got > 6.01e6 {
		t.Errorf("lineitem ⋈ partsupp on both key columns: %.0f rows, want about 6M", got)
	}
	j, err := planner.NewJoin(lps, p, planner.InnerJoin, eqExpr(colOf(t, lps, "partsupp.partkey"), colOf(t, p, "part.partkey")))
	if err != nil {
		t.Fatal(err)
	}
	out, err := JoinReorder{}.Apply(j, &Context{})
	if err != nil {
		t.Fatal(err)
	}
	text := planner.Explain(out)
	planner.WalkPlan(out, func(q planner.Plan) bool {
		if jn, ok := q.(*planner.Join); ok {
			planner.WalkPlan(jn.Right, func(r planner.Plan) bool {
				if s, ok := r.(*planner.Scan); ok && s.Table.Name() == "lineitem" {
					t.Errorf("lineitem is on a build side:\n%s", text)
				}
				return true
			})
		}
		return true
	})
}

// TestJoinReorderTies: customer, orders, lineitem written in that order (TPC-H Q10's
// shape: orders filtered to 60K of its 1.5M rows). When the estimates of joining customer ⋈
// orders first and orders ⋈ lineitem first are within tieMargin, the written order stays
// (the last relation written, lineitem, is joined last); when they are clearly apart, the
// cheaper order wins.
func TestJoinReorderTies(t *testing.T) {
	lastJoined := func(t *testing.T, customerKeys int64) string {
		c := planner.NewScan(&statsTable{name: "customer", cols: []string{"custkey"}, rows: 150_000, distinct: []int64{customerKeys}}, "")
		ob := planner.NewScan(&statsTable{name: "orders", cols: []string{"orderkey", "custkey", "status"}, rows: 1_500_000, distinct: []int64{1_500_000, 100_000, 25}}, "")
		o, err := planner.NewFilter(ob, eqExpr(colOf(t, ob, "orders.status"), planner.NewLiteral(int64(1), planner.Int64)))
		if err != nil {
			t.Fatal(err)
		}
		l := planner.NewScan(&statsTable{name: "lineitem", cols: []string{"orderkey"}, rows: 1_500_000, distinct: []int64{1_500_000}}, "")
		co, err := planner.NewJoin(c, o, planner.InnerJoin, eqExpr(colOf(t, c, "customer.custkey"), colOf(t, o, "orders.custkey")))
		if err != nil {
			t.Fatal(err)
		}
		col, err := planner.NewJoin(co, l, planner.InnerJoin, eqExpr(colOf(t, co, "orders.orderkey"), colOf(t, l, "lineitem.orderkey")))
		if err != nil {
			t.Fatal(err)
		}
		out, err := JoinReorder{}.Apply(col, &Context{})
		if err != nil {
			t.Fatal(err)
		}
		for {
			if p, ok := out.(*planner.Project); ok {
				out = p.Input
				continue
			}
			break
		}
		root := out.(*planner.Join)
		for _, side := range []planner.Plan{root.Left, root.Right} {
			if s, ok := side.(*planner.Scan); ok {
				return s.Table.Name()
			}
		}
		t.Fatalf("no scan under the top join:\n%s", planner.Explain(out))
		return ""
	}
	// 149K customer keys: customer ⋈ orders makes 60.4K rows, orders ⋈ lineitem 60K (each
	// order's key is drawn from orders' unique keys), and either way the last join 60.4K;
	// the written order costs 0.3% more: a tie, it stays.
	if got := lastJoined(t, 149_000); got != "lineitem" {
		t.Errorf("within the margin: %s joined last, want lineitem (the written order)", got)
	}
	// 100K customer keys: customer ⋈ orders makes 90K rows; written, 90K + 90K, against
	// 60K + 90K with orders ⋈ lineitem first (17% cheaper): customer is joined last.
	if got := lastJoined(t, 100_000); got != "customer" {
		t.Errorf("outside the margin: %s joined last, want customer", got)
	}
}

// TestForeignKeyJoinEstimate: TPC-H Q5's lineitem ⋈ orders. Footer statistics bound
// l_orderkey's distinct count by its min/max span (6M at SF 1, really 1.5M); o_orderkey's
// distinct count equals orders' rows, so it is taken as orders' key and lineitem's keys as
// drawn from its 1.5M values: a seventh of orders joins about a seventh of lineitem (857K
// rows, really 910K), not 6M x 214K / 6M = 214K.
func TestForeignKeyJoinEstimate(t *testing.T) {
	l := planner.NewScan(&statsTable{name: "lineitem", cols: []string{"orderkey"}, rows: 6_000_000, distinct: []int64{6_000_000}}, "")
	o := planner.NewScan(&statsTable{name: "orders", cols: []string{"orderkey", "day"}, rows: 1_500_000, distinct: []int64{1_500_000, 7}}, "")
	f, err := planner.NewFilter(o, eqExpr(colOf(t, o, "orders.day"), planner.NewLiteral(int64(3), planner.Int64)))
	if err != nil {
		t.Fatal(err)
	}
	j, err := planner.NewJoin(l, f, planner.InnerJoin, eqExpr(colOf(t, l, "lineitem.orderkey"), colOf(t, f, "orders.orderkey")))
	if err != nil {
		t.Fatal(err)
	}
	e := newEstimator()
	if got := e.rows(j); got < 0.85e6 || got > 0.86e6 {
		t.Errorf("lineitem ⋈ a seventh of orders: %.0f rows, want about 857K", got)
	}
	// The join's key columns keep the values both sides have: about 214K orders.
	if got := e.distinct(j, l.Schema()[0].ID); got < 0.21e6 || got > 0.22e6 {
		t.Errorf("distinct lineitem.orderkey after the join: %.0f, want about 214K", got)
	}
	// Without a unique side (both keys repeat), no cap: 6M x 1.5M / max(1M, 1M).
	o2 := planner.NewScan(&statsTable{name: "orders2", cols: []string{"orderkey"}, rows: 1_500_000, distinct: []int64{1_000_000}}, "")
	l2 := planner.NewScan(&statsTable{name: "lineitem2", cols: []string{"orderkey"}, rows: 6_000_000, distinct: []int64{1_000_000}}, "")
	j2, err := planner.NewJoin(l2, o2, planner.InnerJoin, eqExpr(colOf(t, l2, "lineitem2.orderkey"), colOf(t, o2, "orders2.orderkey")))
	if err != nil {
		t.Fatal(err)
	}
	if got := newEstimator().rows(j2); got < 8.99e6 || got > 9.01e6 {
		t.Errorf("many-to-many: %.0f rows, want 9M", got)
	}
}
