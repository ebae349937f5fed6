package optimizer

import (
	"slices"
	"testing"

	"github.com/embersql/ember/sql/planner"
)

// TestDefaultBatchesTogether runs every default rule over a TPC-H-shaped query,
// SELECT t.a FROM t, u WHERE t.b = u.x AND u.y > 1 + 2, checking that the rules compose.
func TestDefaultBatchesTogether(t *testing.T) {
	j := join(t, tScan(), uScan(), planner.CrossJoin, nil)
	f := filter(t, j, and(eq(col(t, j, "b"), col(t, j, "x")), gt(col(t, j, "y"), bin(planner.OpAdd, lit(1), lit(2)))))
	p := project(t, f, nil, col(t, f, "a"))
	out, tr, err := New(DefaultBatches(), Options{Eval: intEval, CheckInvariants: true}).Optimize(p)
	if err != nil {
		t.Fatal(err)
	}
	want := dedent(`
		Project: t.a
		  Join: Inner on (t.b = u.x)
		    Scan: t [a, b]
		    Project: u.x
		      Filter: (u.y > 3)
		        Scan: u [x, y] filters=[(u.y > 3)]
		`)
	if got := planner.Explain(out); got != want {
		t.Fatalf("plan:\n%s\nwant:\n%s\ntrace:\n%s", got, want, tr)
	}
	// The rules with something to do on this query fire, in batch order; the others (the
	// subquery rewrite, the join order of two relations of equal estimated size, the
	// rewrites of NULLs, outer joins, limits, redundant operators and repeated
	// expressions) leave it alone.
	want2 := []string{"ConstantFolding", "FilterPushdown", "ProjectionPruning"}
	if got := tr.Rules(); !slices.Equal(got, want2) {
		t.Fatalf("fired %v, want %v", got, want2)
	}
	if !out.Schema().Equal(p.Schema()) {
		t.Fatalf("schema changed")
	}
}
