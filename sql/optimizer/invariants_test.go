package optimizer

import (
	"strings"
	"testing"

	"github.com/embersql/ember/sql/planner"
)

func TestCheckPlan(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(t *testing.T) planner.Plan
		want  string // empty: valid
	}{
		{
			name: "valid",
			build: func(t *testing.T) planner.Plan {
				l, r := tScan(), uScan()
				j := join(t, l, r, planner.InnerJoin, eq(col(t, l, "a"), col(t, r, "x")))
				return project(t, filter(t, j, gt(col(t, j, "y"), lit(1))), nil, col(t, j, "b"))
			},
		},
		{
			name: "scan ordinal out of range",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				return &planner.Scan{Table: s.Table, Columns: s.Columns, Ordinals: []int{0, 1, 7}}
			},
			want: "column c has ordinal 7, outside the table's 3 fields",
		},
		{
			name: "scan column type differs from its field",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				cols := append([]planner.Column(nil), s.Columns...)
				cols[1].Type = planner.String
				return &planner.Scan{Table: s.Table, Columns: cols, Ordinals: s.Ordinals}
			},
			want: "column b has type VARCHAR but table field 1 has BIGINT",
		},
		{
			name: "reference read with another type",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				c := s.Columns[0]
				c.Type = planner.String
				return &planner.Filter{Input: s, Cond: &planner.IsNull{E: planner.NewColumnRef(c)}}
			},
			want: "column t.a is read as VARCHAR but the input has BIGINT",
		},
		{
			name: "join sides share a column",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				return join(t, s, s, planner.CrossJoin, nil)
			},
			want: "column t.a comes from both sides",
		},
		{
			name: "project output type differs from its expression",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				out := planner.NewColumn("x", "", planner.String, true)
				return &planner.Project{Input: s, Projections: []planner.Expr{col(t, s, "a")}, Out: []planner.Column{out}}
			},
			want: "output x has type VARCHAR but its expression t.a has type BIGINT",
		},
		{
			name: "non-boolean filter",
			build: func(t *testing.T) planner.Plan {
				s := tScan()
				return &planner.Filter{Input: s, Cond: col(t, s, "a")}
			},
			want: "filter: condition t.a has type BIGINT, not BOOLEAN",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckPlan(tc.build(t))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
