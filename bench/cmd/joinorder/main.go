package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/embersql/ember/bench/tpch"
	"github.com/embersql/ember/dataframe"
)

func main() {
	var o options
	flag.Float64Var(&o.sf, "sf", 1, "scale factor")
	flag.StringVar(&o.queries, "queries", "all", "TPC-H queries: all, or numbers and ranges such as 5,7-9,21")
	flag.StringVar(&o.data, "data", "", "data directory (default data/sf<N>); generated if incomplete")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "time limit of one run of one query (0: none)")
	flag.BoolVar(&o.plans, "plans", false, "print every analyzed plan to stderr")
	flag.BoolVar(&o.analyze, "analyze", false, "run ANALYZE TABLE on the eight tables first (else the estimates use the Parquet footers' statistics)")
	flag.BoolVar(&o.runtimeFilters, "runtime-filters", false, "keep runtime filters on (they make the rows through joins depend on timing and on the build side chosen)")
	flag.Parse()
	ok, err := run(context.Background(), o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "joinorder:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

type options struct {
	sf            float64
	queries, data string
	timeout       time.Duration
	plans         bool
	// analyze runs ANALYZE TABLE first; runtimeFilters keeps runtime filters on.
	analyze, runtimeFilters bool
}

// orders are the two runs of every query: the joins as the query text writes them, and as
// JoinReorder chooses them.
var orders = []struct {
	name, set string
}{
	{"text", "SET ember.optimizer.disabled_rules = 'JoinReorder'"},
	{"chosen", "SET ember.optimizer.disabled_rules = ''"},
}

// outcome is one query's two runs.
type outcome struct {
	n     int
	stats [2]joinStats
	took  [2]time.Duration
	err   error
}

func run(ctx context.Context, o options, w io.Writer) (bool, error) {
	s, err := tpch.ParseScale(o.sf)
	if err != nil {
		return false, err
	}
	nums, err := tpch.ParseQueryList(o.queries)
	if err != nil {
		return false, err
	}
	dir := o.data
	if dir == "" {
		dir = tpch.DefaultDir(s)
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	if _, err := tpch.Generate(ctx, tpch.Options{ScaleFactor: o.sf, Dir: dir, Log: os.Stderr}); err != nil {
		return false, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	sess, err := dataframe.NewSession(dataframe.WithInMemoryCatalog())
	if err != nil {
		return false, err
	}
	defer sess.Close()
	for _, t := range tpch.Tables {
		sql := fmt.Sprintf("CREATE TABLE %s USING parquet LOCATION %s", t.Name, tpch.SQLString(tpch.TablePath(abs, t.Name)))
		if err := exec(ctx, sess, sql); err != nil {
			return false, fmt.Errorf("register %s: %w", t.Name, err)
		}
	}
	if !o.runtimeFilters {
		if err := exec(ctx, sess, "SET ember.optimizer.runtime_filters = false"); err != nil {
			return false, err
		}
	}
	stats := "the Parquet footers' statistics"
	if o.analyze {
		for _, t := range tpch.Tables {
			if err := exec(ctx, sess, "ANALYZE TABLE "+t.Name); err != nil {
				return false, fmt.Errorf("analyze %s: %w", t.Name, err)
			}
		}
		stats = "ANALYZE TABLE's statistics"
	}
	filters := "runtime filters off"
	if o.runtimeFilters {
		filters = "runtime filters on"
	}
	fmt.Fprintf(w, "TPC-H SF %s (%s), estimates from %s, %s: rows through joins (the sum of every join's output rows, EXPLAIN ANALYZE)\n", s, abs, stats, filters)
	fmt.Fprintf(w, "with the join order of the query text (JoinReorder disabled) and the order JoinReorder chose;\n")
	fmt.Fprintf(w, "'lineitem built' counts hash joins whose build side reads lineitem rows (not through an aggregate), 'lineitem scan built'\n")
	fmt.Fprintf(w, "those whose build side is the lineitem scan itself (through filters, projections and exchanges only).\n\n")
	fmt.Fprintf(w, "| query | joins | rows through joins, text order | chosen order | chosen / text | lineitem built, text | chosen | lineitem scan built, text | chosen | time, text | chosen |\n")
	fmt.Fprintf(w, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	ok := true
	var sumText, sumChosen int64
	for _, n := range nums {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		var plans io.Writer
		if o.plans {
			plans = os.Stderr
		}
		out := runQuery(ctx, sess, n, o.timeout, plans)
		if out.err != nil {
			ok = false
			fmt.Fprintf(w, "| q%02d | ERROR: %s |||||||||\n", n, strings.ReplaceAll(out.err.Error(), "\n", " "))
			continue
		}
		t, c := out.stats[0], out.stats[1]
		sumText += t.rowsThrough
		sumChosen += c.rowsThrough
		ratio := "-"
		if t.rowsThrough > 0 {
			ratio = fmt.Sprintf("%.3f", float64(c.rowsThrough)/float64(t.rowsThrough))
		}
		worse := ""
		if c.rowsThrough > t.rowsThrough {
			worse, ok = " (worse)", false
		}
		fmt.Fprintf(w, "| q%02d | %d | %d | %d%s | %s | %d | %d | %d | %d | %.2fs | %.2fs |\n", n, c.joins, t.rowsThrough, c.rowsThrough, worse, ratio,
			t.lineitemBuilds, c.lineitemBuilds, t.lineitemScanBuilds, c.lineitemScanBuilds, out.took[0].Seconds(), out.took[1].Seconds())
	}
	fmt.Fprintf(w, "| all | | %d | %d | %.3f | | | | | | |\n", sumText, sumChosen, float64(sumChosen)/float64(max(sumText, 1)))
	return ok, nil
}

// runQuery runs EXPLAIN ANALYZE of query n in both join orders; plans, when not nil, gets
// the analyzed plans.
func runQuery(ctx context.Context, sess *dataframe.Session, n int, timeout time.Duration, plans io.Writer) outcome {
	out := outcome{n: n}
	script, err := tpch.QueryScript(n)
	if err != nil {
		out.err = err
		return out
	}
	for i, ord := range orders {
		qctx, cancel := ctx, context.CancelFunc(func() {})
		if timeout > 0 {
			qctx, cancel = context.WithTimeout(ctx, timeout)
		}
		t0 := time.Now()
		st, text, err := analyze(qctx, sess, script, ord.set)
		if plans != nil {
			fmt.Fprintf(plans, "-- q%02d, %s order\n%s\n", n, ord.name, strings.Join(text, "\n"))
		}
		out.took[i] = time.Since(t0)
		cancel()
		if err != nil {
			out.err = fmt.Errorf("%s order: %w", ord.name, err)
			return out
		}
		out.stats[i] = st
	}
	if a, b := out.stats[0].resultRows, out.stats[1].resultRows; a != b {
		out.err = fmt.Errorf("the text order returned %d rows, the chosen order %d", a, b)
	}
	return out
}

// analyze runs the script with EXPLAIN ANALYZE before its query, after the SET that picks
// the join order, and reads the joins of the analyzed plan; it returns the EXPLAIN text too.
func analyze(ctx context.Context, sess *dataframe.Session, s tpch.Script, set string) (joinStats, []string, error) {
	if err := exec(ctx, sess, set); err != nil {
		return joinStats{}, nil, err
	}
	for _, st := range s.Setup {
		if err := exec(ctx, sess, st); err != nil {
			return joinStats{}, nil, fmt.Errorf("setup: %w", err)
		}
	}
	res, err := sess.Exec(ctx, "EXPLAIN ANALYZE "+s.Query)
	for _, st := range s.Teardown {
		if terr := exec(ctx, sess, st); terr != nil && err == nil {
			err = fmt.Errorf("teardown: %w", terr)
		}
	}
	if err != nil {
		return joinStats{}, nil, err
	}
	defer res.Release()
	var lines []string
	for _, b := range res.Batches {
		for i := 0; i < int(b.NumRows()); i++ {
			lines = append(lines, b.Column(0).ValueStr(i))
		}
	}
	root, rows, err := parseAnalyzed(lines)
	if err != nil {
		return joinStats{}, lines, err
	}
	st := statsOf(root)
	st.resultRows = rows
	return st, lines, nil
}

// exec runs a statement whose result is not needed.
func exec(ctx context.Context, sess *dataframe.Session, sql string) error {
	res, err := sess.Exec(ctx, sql)
	if err != nil {
		return err
	}
	res.Release()
	return nil
}
