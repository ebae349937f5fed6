package main

import (
	"strings"
	"testing"
)

// A plan in EXPLAIN ANALYZE's form (trimmed timings): lineitem is built once (the semi
// join's right input), and probes a join whose build side aggregates lineitem (not a
// lineitem build; that join feeds a runtime filter, so it is numbered).
const analyzedPlan = `== Optimized Logical Plan ==
Join: Inner on (x = y)
== Physical Plan (analyzed: 3 rows, 4 stages, 9 tasks, 1.2s) ==
Project: #0 AS a [any(4)] rows=3 batches=1 compute=1µs
  HashJoin#1: Inner on l_orderkey = k [any(4)] rows=40 batches=2 compute=1µs
    Scan: lineitem [l_orderkey] splits=4 [any(4)] rows=600 batches=4 compute=1µs row_groups read=4 pruned=0
    Exchange: broadcast [broadcast(4)] rows=7 batches=1 compute=1µs
      HashAggregate(final): keys=[k] [hash([0], 4)] rows=7 batches=1 compute=1µs
        Exchange: hash([k]) into 4 [hash([0], 4)] rows=9 batches=1 compute=1µs
          Scan: lineitem [l_orderkey] splits=4 [any(4)] rows=600 batches=4 compute=1µs
  NestedLoopJoin: Cross [any(4)] rows=2 batches=1 compute=1µs
    HashJoin: LeftSemi on o_orderkey = l_orderkey [any(4)] rows=5 batches=1 compute=1µs
      Scan: orders [o_orderkey] splits=1 [any(1)] rows=150 batches=1 compute=1µs
      Exchange: hash([l_orderkey]) into 4 [hash([0], 4)] rows=600 batches=4 compute=1µs
        Filter: (l_quantity > 3) [any(4)] rows=600 batches=4 compute=1µs
          Scan: lineitem [l_orderkey] splits=4 [any(4)] rows=600 batches=4 compute=1µs
    Scan: nation [n_name] splits=1 [any(1)] rows=25 batches=1 compute=1µs
`

func TestParseAnalyzed(t *testing.T) {
	root, result, err := parseAnalyzed(strings.Split(analyzedPlan, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if result != 3 {
		t.Errorf("result rows %d, want 3", result)
	}
	if root.text != "Project: #0 AS a" || len(root.children) != 2 {
		t.Fatalf("root %q with %d children", root.text, len(root.children))
	}
	got := statsOf(root)
	// Joins: the hash join (40), the nested-loop join (2), the semi join (5).
	want := joinStats{joins: 3, rowsThrough: 47, lineitemBuilds: 1, lineitemScanBuilds: 1}
	if got != want {
		t.Errorf("stats %+v, want %+v", got, want)
	}
}

func TestParseAnalyzedErrors(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"no plan", "== Optimized Logical Plan ==\nScan: t", "no analyzed physical plan"},
		{"no rows", "== Physical Plan (analyzed: 1 rows, 1 stages, 1 tasks, 1ms) ==\nScan: t [any(1)]", "no rows="},
		{"bad indent", "== Physical Plan (analyzed: 1 rows, 1 stages, 1 tasks, 1ms) ==\nScan: t [any(1)] rows=1 b\n      Scan: u [any(1)] rows=1 b", "indented"},
	} {
		_, _, err := parseAnalyzed(strings.Split(c.text, "\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
