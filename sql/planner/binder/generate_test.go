package binder

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// TestBindNested binds generators and the array functions' argument coercion against a
// table with ARRAY and VECTOR columns, with the real built-in registry.
func TestBindNested(t *testing.T) {
	cat := &fakeCatalog{tables: map[string]*fakeTable{"e": {name: "e", schema: arrow.NewSchema([]arrow.Field{
		field("id", planner.Int64, false),
		field("tags", planner.ArrayOf(planner.String), true),
		field("nums", planner.ArrayOf(planner.Int32), true),
		field("v", planner.VectorOf(2), true),
	}, nil)}}, views: map[string]*fakeView{}}
	b := &Binder{Catalog: cat, Funcs: udf.NewBuiltins()}
	const scanE = "Scan: e [id, tags, nums, v]"
	tests := []struct {
		name, sql, plan, out string
	}{
		{"explode", "SELECT id, explode(tags) AS tag FROM e",
			plan("Project: e.id, explode(tags) AS tag", "  Generate: explode(e.tags) AS explode(tags)", "    "+scanE),
			"id:BIGINT, tag:VARCHAR"},
		{"explode_outer under WHERE and ORDER BY", "SELECT explode_outer(v) + 1 AS x FROM e WHERE id > 1 ORDER BY x",
			plan("Sort: x ASC NULLS FIRST", "  Project: (CAST(explode_outer(v) AS DOUBLE) + 1) AS x",
				"    Generate: explode_outer(e.v) AS explode_outer(v)", "      Filter: (e.id > 1)", "        "+scanE),
			"x:DOUBLE"},
		{"order by a column outside the select list", "SELECT explode(nums) AS n FROM e ORDER BY id DESC",
			plan("Project: n", "  Sort: e.id DESC NULLS LAST", "    Project: explode(nums) AS n, e.id",
				"      Generate: explode(e.nums) AS explode(nums)", "        "+scanE),
			"n:INT"},
		{"generator over groups", "SELECT id, explode(`array`(max(id), min(id))) AS m FROM e GROUP BY id",
			plan("Project: e.id, explode(array(max(id), min(id))) AS m",
				"  Generate: explode(array(max(e.id), min(e.id))) AS explode(array(max(id), min(id)))",
				"    Aggregate: groupBy=[e.id] aggs=[max(e.id) AS max(e.id), min(e.id) AS min(e.id)]", "      "+scanE),
			"id:BIGINT, m:BIGINT"},
		// '3' is read as a number that fits the INT elements, which stay as they are.
		{"argument coercion", "SELECT `array`(1, 2.5) AS a, array_contains(nums, '3') AS b, array_join(nums, '-') AS c, `vector`(id, 1) AS d FROM e",
			plan("Project: array(1.0, 2.5) AS a, array_contains(e.nums, 3) AS b, "+
				"array_join(CAST(e.nums AS ARRAY<VARCHAR>), '-') AS c, vector(CAST(e.id AS FLOAT), 1) AS d", "  "+scanE),
			"a:ARRAY<DECIMAL(2,1)>, b:BOOLEAN, c:VARCHAR, d:VECTOR(2)"},
		{"arrays meet in CASE", "SELECT COALESCE(nums, `array`(), `array`(1.5)) AS x FROM e",
			plan("Project: CASE WHEN e.nums IS NOT NULL THEN CAST(e.nums AS ARRAY<DECIMAL(11,1)>) "+
				"WHEN array() IS NOT NULL THEN CAST(array() AS ARRAY<DECIMAL(11,1)>) ELSE CAST(array(1.5) AS ARRAY<DECIMAL(11,1)>) END AS x", "  "+scanE),
			"x:ARRAY<DECIMAL(11,1)>"},
		{"cast to vector", "SELECT CAST(nums AS VECTOR(3)) AS v3 FROM e",
			plan("Project: CAST(e.nums AS VECTOR(3)) AS v3", "  "+scanE), "v3:VECTOR(3)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := bindSQL(t, b, tc.sql)
			if err != nil {
				t.Fatalf("bind %q: %v", tc.sql, err)
			}
			if got := planner.Explain(p); got != tc.plan {
				t.Errorf("plan of %q:\ngot:\n%s\nwant:\n%s", tc.sql, got, tc.plan)
			}
			if got := outputs(p.Schema()); got != tc.out {
				t.Errorf("outputs of %q:\ngot:  %s\nwant: %s", tc.sql, got, tc.out)
			}
		})
	}
}
