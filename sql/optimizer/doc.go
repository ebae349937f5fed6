// Package optimizer owns Ember's logical optimizer: rules that rewrite planner.Plan trees,
// the named batches they run in, the driver that runs the batches, the rule trace shown by
// EXPLAIN VERBOSE, the plan invariant checks, and cardinality estimation (cardinality.go:
// rows and distinct counts from tables' planner.TableStats, System R selectivities) with the
// cost-based JoinReorder (join_order.go).
//
// Place in the import table (DESIGN.md): optimizer imports sql/planner, udf and
// internal/errs. It must not import exec or dataframe: constant folding evaluates through
// an injected Options.Eval (the session builds it from exec's kernels), so no evaluation
// logic is duplicated here. Its tests may import sql/parser and sql/planner/binder.
//
// The driver (driver.go) runs batches in order, each Once or to a FixedPoint, like
// Catalyst's RuleExecutor. A rule returns the same pointer when it changes nothing; after a
// rule that changed the plan the driver checks that the root schema is unchanged
// (planner.Schema.Equal), and, with invariant checks on (Options.CheckInvariants, always on
// under the ember_invariants build tag, as in CI), validates the whole plan (CheckPlan),
// rejects a "change" that produced an equal plan and checks that Once batches are
// idempotent. Rule errors come back as `optimizer rule "Name": ...`. A rule's name is its
// only identity: Options.Disabled turns rules off by name, with a did-you-mean for typos.
//
// Rules (one file each, named after the rule):
//   - DecorrelateSubqueries (decorrelate.go, decorrelate_pullup.go), first and once: turns
//     subquery expressions into semi, anti, mark and single joins, pulling correlated
//     predicates up (equalities through aggregates as grouping keys, others over a domain of
//     outer values), with an Apply fallback for what cannot be pulled up.
//   - ConstantFolding (constant_folding.go): folds constant expressions through
//     Options.Eval, simplifies AND/OR/NOT with boolean literals, factors conjuncts common to
//     every branch out of an OR, removes filters that are always true and empties those
//     that are never true.
//   - FilterPushdown (filter_pushdown.go): moves filter conjuncts through projections,
//     aliases, sorts, repartitions, joins (turning cross joins with equalities into inner
//     joins), aggregates, unions, windows (PARTITION BY columns), generators, expands and
//     INTERSECT/EXCEPT, and hands them to scans as hints.
//   - NullSimplification (null_simplification.go): x IS [NOT] NULL over what cannot be
//     NULL, comparisons and arithmetic with a NULL literal, NOT over comparisons, IN, LIKE
//     and IS NULL, repeated AND/OR operands, CASE arms with constant conditions (and so
//     COALESCE of a NOT NULL first argument).
//   - EliminateRedundant (eliminate_redundant.go): Sorts whose order nobody keeps,
//     Distincts over rows already distinct, identity Projects, joins with an empty input.
//   - OuterJoinSimplification (outer_join_simplification.go): LEFT/RIGHT/FULL joins whose
//     padded rows the filter above rejects become INNER/LEFT/RIGHT.
//   - InferFiltersFromJoins (infer_filters_from_joins.go): copies a filter on one key of an
//     equi-join to the other key, and adds IS NOT NULL on a key an outer join below pads.
//   - PushSemiJoinThroughJoin (push_semi_join.go): a semi or anti join below the inner joins
//     of its left input, onto the input whose columns it reads, when it probes no more rows
//     there (TPC-H Q18's IN over an aggregate filters orders first).
//   - LimitPushdown (limit_pushdown.go): a Limit through projections onto a Sort (top-N),
//     into UNION ALL inputs, the preserved side of an outer join and below a repartition.
//   - CommonSubexpressionElimination (common_subexpression_elimination.go), in a batch of
//     its own after the fixed point: computes an expression a Project, Filter or Aggregate
//     repeats once, in a Project below.
//   - ProjectionPruning (projection_pruning.go): drops columns no ancestor reads, from
//     scans, projections, aggregates, unions, values, windows (their unread calls) and
//     expands, and narrows join, sort, window, generate and repartition inputs.
//   - JoinReorder (join_order.go), its own Once batch after the fixed point (with a
//     ProjectionPruning batch before it, so that row widths count only the columns read):
//     orders each tree of inner joins by estimated C_out cost (dynamic programming over
//     connected subsets up to 10 relations, greedy beyond) and builds the input smaller in
//     bytes.
//   - CollapseProjects (collapse_projects.go), after ProjectionPruning: merges a Project
//     into the one below (through a SubqueryAlias) unless that would compute an expression
//     twice.
//   - JoinStrategy (join_strategy.go), last, in its own Once batch: marks each hash join
//     "broadcast" (build side estimated at most Options.BroadcastThresholdRows rows; never
//     right or full joins) or "shuffle", and a shuffled EXISTS/NOT EXISTS join whose outer
//     side is the smaller "build=left" (the hash table holds the outer rows, the subquery's
//     rows probe it). EstimateRows (estimate_rows.go) exposes the estimates to EXPLAIN
//     VERBOSE.
//
// Estimates (cardinality.go) take a join key whose distinct count in its table equals the
// table's rows as that table's unique key, and the other side's keys as drawn from it (a
// foreign key): Parquet footers bound a distinct count by the min/max span, which
// over-counts foreign keys such as l_orderkey.
//
// How to add a rule:
//  1. write sql/optimizer/<rule_name>.go: a type with Name() and Apply(), whose comment
//     sketches the plan before and after, its preconditions and a case it must refuse;
//     reuse the helpers of exprs.go and planner's Transform* functions;
//  2. add one line for it to its batch in batches.go (DefaultBatches);
//  3. add testdata/optimizer/<rule_name>.txt with `optimize expect=<Name>` cases showing
//     the plan before and after, and at least one `expect-not=<Name>` case for what it must
//     refuse (see datadriven_test.go for the commands).
package optimizer
