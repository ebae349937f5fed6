package optimizer

import "github.com/embersql/ember/sql/planner"

// EstimateRows returns the estimated output rows of every node of p (keyed by node; a node
// shared by two parents appears once), from the same estimator JoinReorder and JoinStrategy
// use (cardinality.go). EXPLAIN VERBOSE prints them. Deterministic for a given plan and
// given table statistics; linear in the size of the plan.
func EstimateRows(p planner.Plan) map[planner.Plan]float64 {
	est := newEstimator()
	out := map[planner.Plan]float64{}
	planner.WalkPlan(p, func(n planner.Plan) bool {
		if _, seen := out[n]; seen {
			return false
		}
		out[n] = est.rows(n)
		return true
	})
	return out
}
