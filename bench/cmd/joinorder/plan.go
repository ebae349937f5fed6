package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// planNode is one operator of an EXPLAIN ANALYZE physical plan, as printed: its text up to
// the partitioning, the rows it returned and its children.
type planNode struct {
	text     string
	rows     int64
	children []*planNode
}

// joinStats is what one analyzed run says about its joins.
type joinStats struct {
	// joins counts the join operators (hash and nested-loop).
	joins int
	// rowsThrough sums the rows the joins returned (C_out, the cost JoinReorder minimizes).
	rowsThrough int64
	// lineitemBuilds counts the hash joins whose build (right) input reads lineitem rows
	// other than through an aggregate: a hash table of lineitem rows.
	lineitemBuilds int
	// lineitemScanBuilds counts the hash joins whose build input is the lineitem table
	// itself, through filters, projections and exchanges only (no join or aggregate in
	// between): a hash table as large as lineitem's filtered rows. TPC-H Q21 needs lineitem
	// on both sides of its semi and anti joins; it may build the outer rows (l1 joined
	// with orders, supplier and nation: 76K of 6M rows) but should not build l2 or l3.
	lineitemScanBuilds int
	// resultRows is the query's row count from the plan's heading.
	resultRows int64
}

var (
	headingRe = regexp.MustCompile(`^== Physical Plan \(analyzed: (\d+) rows`)
	rowsRe    = regexp.MustCompile(`\] rows=(\d+) `)
)

// parseAnalyzed reads the physical plan of EXPLAIN ANALYZE's text (one line per element of
// lines): the lines after the "== Physical Plan (analyzed: ...) ==" heading, indented two
// spaces per level, each ending in " [partitioning] rows=N batches=...".
func parseAnalyzed(lines []string) (*planNode, int64, error) {
	start := -1
	var result int64
	for i, l := range lines {
		if m := headingRe.FindStringSubmatch(l); m != nil {
			start = i + 1
			result, _ = strconv.ParseInt(m[1], 10, 64)
			break
		}
	}
	if start < 0 {
		return nil, 0, fmt.Errorf("no analyzed physical plan in the EXPLAIN output")
	}
	var root *planNode
	var stack []*planNode // stack[d] is the last node seen at depth d
	for _, l := range lines[start:] {
		if strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasPrefix(l, "==") {
			break
		}
		trimmed := strings.TrimLeft(l, " ")
		depth := (len(l) - len(trimmed)) / 2
		n := &planNode{text: trimmed}
		if i := strings.Index(trimmed, " ["); i >= 0 {
			n.text = trimmed[:i]
		}
		m := rowsRe.FindStringSubmatch(trimmed)
		if m == nil {
			return nil, 0, fmt.Errorf("no rows= in plan line %q", l)
		}
		n.rows, _ = strconv.ParseInt(m[1], 10, 64)
		switch {
		case depth == 0 && root == nil:
			root = n
		case depth >= 1 && depth <= len(stack):
			parent := stack[depth-1]
			parent.children = append(parent.children, n)
		default:
			return nil, 0, fmt.Errorf("plan line %q is indented %d levels under a line of %d", l, depth, len(stack)-1)
		}
		stack = append(stack[:depth], n)
	}
	if root == nil {
		return nil, 0, fmt.Errorf("empty analyzed physical plan")
	}
	return root, result, nil
}

// joinRe matches the text of a join operator: "HashJoin: Inner on ...", "HashJoin#2: ..."
// (a join that feeds a runtime filter is numbered), "NestedLoopJoin: ...".
var joinRe = regexp.MustCompile(`^(HashJoin|NestedLoopJoin)(#\d+)?:`)

// isJoin reports whether n is a join operator.
func (n *planNode) isJoin() bool { return joinRe.MatchString(n.text) }

// isHashJoin reports whether n is a hash join.
func (n *planNode) isHashJoin() bool { return strings.HasPrefix(n.text, "HashJoin") && n.isJoin() }

// readsRaw reports whether n's subtree scans table other than below an aggregate.
func (n *planNode) readsRaw(table string) bool {
	if strings.HasPrefix(n.text, "HashAggregate") {
		return false
	}
	if n.text == "Scan: "+table || strings.HasPrefix(n.text, "Scan: "+table+" ") {
		return true
	}
	for _, c := range n.children {
		if c.readsRaw(table) {
			return true
		}
	}
	return false
}

// buildsScan reports whether n's subtree reads table through no join or aggregate.
func (n *planNode) buildsScan(table string) bool {
	if strings.HasPrefix(n.text, "HashAggregate") || n.isJoin() {
		return false
	}
	if n.text == "Scan: "+table || strings.HasPrefix(n.text, "Scan: "+table+" ") {
		return true
	}
	for _, c := range n.children {
		if c.buildsScan(table) {
			return true
		}
	}
	return false
}

// statsOf sums the joins of the plan rooted at n.
func statsOf(n *planNode) joinStats {
	var s joinStats
	var walk func(n *planNode)
	walk = func(n *planNode) {
		if n.isJoin() {
			s.joins++
			s.rowsThrough += n.rows
			if n.isHashJoin() && len(n.children) == 2 && n.children[1].readsRaw("lineitem") {
				s.lineitemBuilds++
			}
			if n.isHashJoin() && len(n.children) == 2 && n.children[1].buildsScan("lineitem") {
				s.lineitemScanBuilds++
			}
		}
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(n)
	return s
}
