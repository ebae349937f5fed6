package optimizer

// DefaultBatches returns the batches a session runs, in order. Adding a rule is one line
// here (plus its file and its testdata file). A rule's position matters: rules in a
// fixed-point batch run in this order on every pass.
func DefaultBatches() []Batch {
	return []Batch{
		{Name: "Subquery Rewrite", Strategy: Once, Rules: []Rule{
			DecorrelateSubqueries{},
		}},
		{Name: "Operator Optimization", Strategy: FixedPoint(100), Rules: []Rule{
			ConstantFolding{},
			NullSimplification{},
			EliminateRedundant{},
			FilterPushdown{},
			OuterJoinSimplification{}, // after FilterPushdown: it needs the filter right above the join
			InferFiltersFromJoins{},
			PushSemiJoinThroughJoin{},
			LimitPushdown{},
		}},
		// Pruning first, in a batch of its own (each Once batch must be idempotent), so that
		// the relations' row widths, by which JoinReorder chooses build sides, count only
		// the columns the query reads.
		{Name: "Early Column Pruning", Strategy: Once, Rules: []Rule{
			ProjectionPruning{},
		}},
		{Name: "Join Reorder", Strategy: Once, Rules: []Rule{
			JoinReorder{},
		}},
		// Its own batch, after the fixed point: FilterPushdown would substitute a hoisted
		// expression back into the filters it moves.
		{Name: "Common Subexpressions", Strategy: Once, Rules: []Rule{
			CommonSubexpressionElimination{},
		}},
		{Name: "Column Pruning", Strategy: Once, Rules: []Rule{
			ProjectionPruning{},
			CollapseProjects{},
		}},
		// Last: it reads the build sides JoinReorder chose, on joins no later rule rebuilds.
		{Name: "Join Strategy", Strategy: Once, Rules: []Rule{
			JoinStrategy{},
		}},
	}
}

// RuleNames lists the names of the default rules in the order they first run, each once:
// the names Options.Disabled accepts with the default batches.
func RuleNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, b := range DefaultBatches() {
		for _, r := range b.Rules {
			if !seen[r.Name()] {
				seen[r.Name()] = true
				names = append(names, r.Name())
			}
		}
	}
	return names
}
