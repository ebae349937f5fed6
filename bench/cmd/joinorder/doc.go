// Command joinorder checks the cost-based join order on TPC-H: for every query it runs
// EXPLAIN ANALYZE twice in one session, once with the joins in the order of the query text
// (SET ember.optimizer.disabled_rules = 'JoinReorder') and once in the order JoinReorder
// chooses, and prints a Markdown table (docs/BENCHMARKS.md keeps one):
//
//	cd bench && go run ./cmd/joinorder -sf 1                 # all 22
//	go run ./cmd/joinorder -sf 1 -queries 5,7-9,21 -analyze -plans 2>plans.txt
//
// Per query: the joins of the chosen plan; the rows through joins (the sum of the rows every
// join operator returned: the C_out cost JoinReorder minimizes, measured) in both orders and
// their ratio; how many hash joins build their table from lineitem rows (a build side that
// reads lineitem other than through an aggregate) in both orders; and each run's time
// (indicative, EXPLAIN ANALYZE included). A query whose chosen order moves more rows
// through its joins than the text order is marked "(worse)"; the exit status is then 1, as
// it is when a run fails or the two orders return different numbers of rows.
//
// Runtime filters are off unless -runtime-filters: with them, the rows a join returns
// depend on which side is built and on when its filter reaches the probe side's scan, so
// the sums would not measure the join order alone. With -analyze, ANALYZE TABLE runs on the
// eight tables first, and the estimates use its distinct counts and histograms rather than
// the Parquet footers' row counts, NULL counts and integer bounds.
//
// The plan is read from EXPLAIN ANALYZE's text (plan.go): two spaces of indentation per
// level, " rows=N" after each operator's partitioning, the build side a hash join's second
// child. The data is generated as tpchgen does when data/sf<N> does not hold it.
package main
