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
