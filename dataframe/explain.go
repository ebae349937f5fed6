package dataframe

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/embersql/ember/exec"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/optimizer"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// explain runs EXPLAIN in its forms (format is TiDB's FORMAT='...', lower case; the parser
// turns EXPLAIN VERBOSE, LOGICAL and PHYSICAL into it):
//
//   - EXPLAIN: the optimized logical plan and the physical plan (exec.ExplainPhysical);
//   - EXPLAIN LOGICAL: the bound and the optimized logical plans;
//   - EXPLAIN PHYSICAL: the physical plan cut into stages at its exchanges, each with its
//     number of tasks (partitions) and where its output goes (explainStages);
//   - EXPLAIN VERBOSE: the bound plan, the optimizer's trace of the rules that changed the
//     plan, the optimized plan with each node's estimated rows (est=1.2K) and the physical
//     plan;
//   - EXPLAIN ANALYZE [VERBOSE]: runs the query and shows per operator its rows, batches,
//     compute time and peak memory, and per scan what it read and what pruning skipped
//     (exec.ExplainAnalyzed); EXPLAIN ANALYZE FORMAT='scans' shows only the scans' counts
//     (exec.ExplainScans), which do not depend on timing, batch size or partitions.
//
// Every form but ANALYZE is deterministic for a given session configuration.
func (s *Session) explain(ctx context.Context, q *parser.Query, format string, analyze bool) (*Result, error) {
	switch format {
	case "row": // TiDB's name for its default form
		format = ""
	case "", "verbose":
	case "logical", "physical":
		if analyze {
			return nil, errs.Planf("EXPLAIN ANALYZE shows the physical plan as it ran; it does not combine with FORMAT='%s'", format)
		}
	case "scans":
		if !analyze {
			return nil, errs.Planf("EXPLAIN FORMAT='scans' needs ANALYZE: the counts come from running the query")
		}
	default:
		return nil, errs.Planf("unknown EXPLAIN format %q (known: LOGICAL, PHYSICAL, VERBOSE, and FORMAT='scans' with ANALYZE)", format)
	}
	switch q.Node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
	default:
		return nil, errs.NotImplementedf("EXPLAIN of this statement")
	}
	p, err := s.binder().BindQuery(q)
	if err != nil {
		return nil, err
	}
	if analyze {
		if err := s.materializeCaches(ctx, p); err != nil {
			return nil, err
		}
	}
	opt, trace, err := s.optimize(p)
	if err != nil {
		return nil, err
	}
	var lines []string
	add := func(text string) {
		lines = append(lines, strings.Split(strings.TrimRight(text, "\n"), "\n")...)
	}
	if format == "logical" {
		add("== Bound Logical Plan ==")
		add(planner.Explain(p))
		add("== Optimized Logical Plan ==")
		add(planner.Explain(opt))
		return textResult(s, lines), nil
	}
	pctx := ctx
	if !analyze {
		pctx = context.WithValue(ctx, planOnlyKey{}, true) // caches are not built to explain
	}
	node, err := s.physical(pctx, opt)
	if err != nil {
		return nil, err
	}
	switch format {
	case "physical":
		add(explainStages(node))
		return textResult(s, lines), nil
	case "verbose":
		add("== Bound Logical Plan ==")
		add(planner.Explain(p))
		add("== Optimizer Trace ==")
		add(trace.String())
		add("== Optimized Logical Plan (est: estimated rows) ==")
		add(explainEstimates(opt))
	default:
		add("== Optimized Logical Plan ==")
		add(planner.Explain(opt))
	}
	if !analyze {
		add("== Physical Plan ==")
		add(exec.ExplainPhysical(node))
		return textResult(s, lines), nil
	}
	start := time.Now()
	ex, err := exec.Run(ctx, node, exec.Config{Parallelism: s.cfg.partitions, BatchSize: s.cfg.batchSize, Mem: s.cfg.mem})
	if err != nil {
		return nil, err
	}
	var n int64
	for _, b := range ex.Batches {
		n += b.NumRows()
	}
	ex.Release()
	if format == "scans" {
		lines = nil
		add(fmt.Sprintf("== Scans (analyzed: %d rows) ==", n))
		add(exec.ExplainScans(node, ex))
	} else {
		add(fmt.Sprintf("== Physical Plan (analyzed: %d rows, %d stages, %d tasks, %s) ==", n, ex.Stages, ex.Tasks, time.Since(start).Round(time.Microsecond)))
		add(exec.ExplainAnalyzed(node, ex))
	}
	return textResult(s, lines), nil
}

// textResult is a one-column result of preformatted lines.
func textResult(s *Session, lines []string) *Result {
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = []string{l}
	}
	res := stringResult(s, []string{"plan"}, rows)
	res.Text = true
	return res
}

// explainEstimates is planner.Explain of p with each node's estimated output rows
// (optimizer.EstimateRows) appended as " est=N".
func explainEstimates(p planner.Plan) string {
	est := optimizer.EstimateRows(p)
	lines := strings.Split(strings.TrimRight(planner.Explain(p), "\n"), "\n")
	i := 0
	// planner.Explain writes one line per node, pre-order, as WalkPlan visits them.
	planner.WalkPlan(p, func(n planner.Plan) bool {
		if i < len(lines) {
			lines[i] += " est=" + formatEstimate(est[n])
		}
		i++
		return true
	})
	return strings.Join(lines, "\n") + "\n"
}

// formatEstimate renders an estimated row count in at most about four characters: 0, 37,
// 950, 1.2K, 15K, 6M, 1.5G (one decimal, dropped when zero).
func formatEstimate(v float64) string {
	unit := func(x float64, suffix string) string {
		return strings.TrimSuffix(strconv.FormatFloat(x, 'f', 1, 64), ".0") + suffix
	}
	switch {
	case v >= 1e9:
		return unit(v/1e9, "G")
	case v >= 1e6:
		return unit(v/1e6, "M")
	case v >= 1e3:
		return unit(v/1e3, "K")
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
}

// explainStages renders a physical plan cut into the stages the scheduler runs: an Exchange
// ends a stage (its child is the root of the stage that feeds it). Stages are numbered and
// listed in the order the scheduler numbers them (every stage after the stages it reads),
// each with its task count (its root's partitions) and the stage its output goes to; every
// node shows its output partitioning, and an exchange names the stage it reads.
func explainStages(root exec.Node) string {
	type stage struct {
		id, tasks, consumer int
		lines               []string
	}
	var stages []*stage // by id
	var build func(root exec.Node) *stage
	build = func(root exec.Node) *stage {
		s := &stage{tasks: root.Partitioning().N, consumer: -1}
		var deps []*stage
		var walk func(n exec.Node, depth int)
		walk = func(n exec.Node, depth int) {
			line := strings.Repeat("  ", depth) + n.String() + " [" + n.Partitioning().String() + "]"
			if e, ok := n.(*exec.Exchange); ok {
				d := build(e.Child)
				deps = append(deps, d)
				s.lines = append(s.lines, fmt.Sprintf("%s <- stage %d", line, d.id))
				return
			}
			s.lines = append(s.lines, line)
			for _, c := range n.Children() {
				walk(c, depth+1)
			}
		}
		walk(root, 1)
		// Numbered after the stages it reads, as exec's scheduler numbers them.
		s.id = len(stages)
		for _, d := range deps {
			d.consumer = s.id
		}
		stages = append(stages, s)
		return s
	}
	build(root)
	var b strings.Builder
	if len(stages) == 1 {
		b.WriteString("== Physical Plan (1 stage) ==\n")
	} else {
		fmt.Fprintf(&b, "== Physical Plan (%d stages) ==\n", len(stages))
	}
	for _, s := range stages {
		tasks := fmt.Sprintf("%d tasks", s.tasks)
		if s.tasks == 1 {
			tasks = "1 task"
		}
		to := "result"
		if s.consumer >= 0 {
			to = fmt.Sprintf("output to stage %d", s.consumer)
		}
		fmt.Fprintf(&b, "Stage %d: %s, %s\n", s.id, tasks, to)
		for _, l := range s.lines {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
