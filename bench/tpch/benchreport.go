package tpch

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// The outcome of one engine on one query in a BenchReport.
const (
	BenchPass      = "PASS"
	BenchFail      = "FAIL"      // ran, but the rows differ from the answer
	BenchError     = "ERROR"     // a run failed: the engine's error, a panic, a timeout, a dead worker
	BenchReference = "REF"       // DuckDB's rows were the answer (scales without published answers)
	BenchUnchecked = "UNCHECKED" // Ember ran, but there was no reference to check it against
)

// BenchReport is RunBench's result; it marshals to JSON (the command's -json) and renders
// as Markdown.
type BenchReport struct {
	ScaleFactor float64 `json:"scale_factor"`
	Data        string  `json:"data"`        // the data directory, absolute
	DataWriter  string  `json:"data_writer"` // from the manifest: what wrote the Parquet files
	// Published says the answers were checked against go-tpc's published ones (SF 1);
	// otherwise Ember's were checked against DuckDB's rows.
	Published     bool         `json:"published"`
	Warmup        int          `json:"warmup"`
	Runs          int          `json:"runs"`
	Threads       int          `json:"threads"`
	InProcess     bool         `json:"in_process"`
	DuckDBVersion string       `json:"duckdb_version"`
	Machine       BenchMachine `json:"machine"`
	Commit        string       `json:"commit,omitempty"`
	// Commands are the command lines that produced the report (several once merged).
	Commands []string     `json:"commands,omitempty"`
	Queries  []BenchQuery `json:"queries"`
}

// BenchMachine describes where a report was measured.
type BenchMachine struct {
	OS          string `json:"os"` // GOOS/GOARCH
	NumCPU      int    `json:"num_cpu"`
	GOMAXPROCS  int    `json:"gomaxprocs"`
	CPU         string `json:"cpu"`           // /proc/cpuinfo's model name
	MemTotalKiB int64  `json:"mem_total_kib"` // /proc/meminfo's MemTotal
	GoVersion   string `json:"go_version"`
	// LoadStart and LoadEnd are /proc/loadavg's 1, 5 and 15 minute load averages when
	// the run began and ended: a shared machine's other work shows there.
	LoadStart string `json:"load_start"`
	LoadEnd   string `json:"load_end"`
}

// BenchQuery is one query's measurements on both engines.
type BenchQuery struct {
	Query  int               `json:"query"`
	Ember  BenchEngineResult `json:"ember"`
	DuckDB BenchEngineResult `json:"duckdb"`
}

// BenchEngineResult is one engine's measurements of one query.
type BenchEngineResult struct {
	Times []float64 `json:"times"` // seconds of the timed runs, in order
	Rows  int64     `json:"rows"`  // result rows of the first timed run
	// PeakRSSKiB is the measuring child's peak RSS; BaselineKiB that of a child that only
	// opened the engine and registered the tables. Both are 0 when measured in process.
	PeakRSSKiB  int64  `json:"peak_rss_kib"`
	BaselineKiB int64  `json:"baseline_rss_kib"`
	Status      string `json:"status"` // BenchPass, BenchFail, ...
	Detail      string `json:"detail,omitempty"`
}

// Median is the median of the timed runs; ok is false when there are none.
func (r BenchEngineResult) Median() (sec float64, ok bool) {
	if len(r.Times) == 0 {
		return 0, false
	}
	t := slices.Clone(r.Times)
	slices.Sort(t)
	n := len(t)
	if n%2 == 1 {
		return t[n/2], true
	}
	return (t[n/2-1] + t[n/2]) / 2, true
}

// TimeRatio is Ember's median over DuckDB's; ok is false unless both have one.
func (q BenchQuery) TimeRatio() (float64, bool) {
	e, ok1 := q.Ember.Median()
	d, ok2 := q.DuckDB.Median()
	if !ok1 || !ok2 || d <= 0 {
		return 0, false
	}
	return e / d, true
}

// MemRatio is Ember's peak RSS over DuckDB's; ok is false unless both were measured.
func (q BenchQuery) MemRatio() (float64, bool) {
	if q.Ember.PeakRSSKiB <= 0 || q.DuckDB.PeakRSSKiB <= 0 {
		return 0, false
	}
	return float64(q.Ember.PeakRSSKiB) / float64(q.DuckDB.PeakRSSKiB), true
}

func (r BenchEngineResult) failed() bool {
	return r.Status == BenchFail || r.Status == BenchError || r.Status == BenchUnchecked
}

// Failed reports whether an answer was wrong, unchecked, or an engine failed a run.
func (rep *BenchReport) Failed() bool {
	for _, q := range rep.Queries {
		if q.Ember.failed() || q.DuckDB.failed() {
			return true
		}
	}
	return false
}

// BenchSummary condenses a report's ratios.
type BenchSummary struct {
	// Timed counts the queries with a time ratio (both engines have timed runs);
	// GeoMean is the geometric mean of their ratios, Max the largest, of MaxQuery.
	Timed    int
	GeoMean  float64
	Max      float64
	MaxQuery int
	// ByRatio lists the timed queries from the worst time ratio to the best.
	ByRatio []int
	// Above3x lists the queries whose time ratio exceeds 3, in query order.
	Above3x []int
	// MemMeasured counts the queries with a memory ratio; MemAbove2x lists those above 2.
	MemMeasured int
	MemAbove2x  []int
}

// Summary computes the report's summary.
func (rep *BenchReport) Summary() BenchSummary {
	var s BenchSummary
	ratio := map[int]float64{}
	logSum := 0.0
	for _, q := range rep.Queries {
		if r, ok := q.TimeRatio(); ok {
			s.Timed++
			ratio[q.Query] = r
			logSum += math.Log(r)
			s.ByRatio = append(s.ByRatio, q.Query)
			if r > s.Max {
				s.Max, s.MaxQuery = r, q.Query
			}
			if r > 3 {
				s.Above3x = append(s.Above3x, q.Query)
			}
		}
		if m, ok := q.MemRatio(); ok {
			s.MemMeasured++
			if m > 2 {
				s.MemAbove2x = append(s.MemAbove2x, q.Query)
			}
		}
	}
	if s.Timed > 0 {
		s.GeoMean = math.Exp(logSum / float64(s.Timed))
	}
	slices.SortStableFunc(s.ByRatio, func(a, b int) int {
		switch {
		case ratio[a] > ratio[b]:
			return -1
		case ratio[a] < ratio[b]:
			return 1
		}
		return 0
	})
	return s
}

// MergeBenchReports joins reports of the same configuration (scale, runs, threads, mode,
// commit) measured in parts, such as -queries 1-11 and 12-22, into one, in query order.
// The machine is the first report's, with the last one's end load; the commands are all
// kept. A query measured twice is an error.
func MergeBenchReports(reps ...*BenchReport) (*BenchReport, error) {
	if len(reps) == 0 {
		return nil, errors.New("tpch: no reports to merge")
	}
	out := *reps[0]
	out.Queries = nil
	out.Commands = nil
	seen := map[int]bool{}
	for i, r := range reps {
		if r.ScaleFactor != out.ScaleFactor || r.Warmup != out.Warmup || r.Runs != out.Runs ||
			r.Threads != out.Threads || r.InProcess != out.InProcess || r.Commit != out.Commit ||
			r.DuckDBVersion != out.DuckDBVersion {
			return nil, fmt.Errorf("tpch: report %d was measured differently (scale, runs, threads, mode, commit or DuckDB version) from the first", i+1)
		}
		for _, q := range r.Queries {
			if seen[q.Query] {
				return nil, fmt.Errorf("tpch: query %d is in more than one report", q.Query)
			}
			seen[q.Query] = true
			out.Queries = append(out.Queries, q)
		}
		out.Commands = append(out.Commands, r.Commands...)
		out.Machine.LoadEnd = r.Machine.LoadEnd
	}
	slices.SortFunc(out.Queries, func(a, b BenchQuery) int { return a.Query - b.Query })
	return &out, nil
}

// Markdown renders the report: a table with one row per query (medians in seconds, the
// time ratio E/D, peak RSS in MB and its ratio, peak − baseline, the check), then the
// summary, how it was measured, the machine and the command.
func (rep *BenchReport) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "TPC-H SF %s, Ember vs DuckDB %s on the same Parquet files\n\n", strconv.FormatFloat(rep.ScaleFactor, 'f', -1, 64), rep.DuckDBVersion)
	b.WriteString("| query | Ember s | DuckDB s | E/D | Ember MB | DuckDB MB | mem E/D | Ember Δ MB | DuckDB Δ MB | check |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, q := range rep.Queries {
		cells := []string{fmt.Sprintf("Q%d", q.Query), seconds(q.Ember), seconds(q.DuckDB)}
		if r, ok := q.TimeRatio(); ok {
			cells = append(cells, fmt.Sprintf("%.2f", r))
		} else {
			cells = append(cells, "–")
		}
		cells = append(cells, mb(q.Ember.PeakRSSKiB), mb(q.DuckDB.PeakRSSKiB))
		if r, ok := q.MemRatio(); ok {
			cells = append(cells, fmt.Sprintf("%.2f", r))
		} else {
			cells = append(cells, "–")
		}
		cells = append(cells, deltaMB(q.Ember), deltaMB(q.DuckDB), checkCell(q))
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	s := rep.Summary()
	b.WriteString("\n")
	if s.Timed == 0 {
		b.WriteString("- Time ratio E/D: no query has timed runs on both engines.\n")
	} else {
		fmt.Fprintf(&b, "- Time ratio E/D (median over median): geometric mean %.2f over %d queries; max %.2f (Q%d); above 3x: %d%s.\n",
			s.GeoMean, s.Timed, s.Max, s.MaxQuery, len(s.Above3x), queryList(s.Above3x))
	}
	worst := s.ByRatio[:min(5, len(s.ByRatio))]
	if len(worst) > 0 {
		var parts []string
		for _, n := range worst {
			for _, q := range rep.Queries {
				if q.Query == n {
					r, _ := q.TimeRatio()
					parts = append(parts, fmt.Sprintf("Q%d %.2f", n, r))
				}
			}
		}
		fmt.Fprintf(&b, "- Worst time ratios: %s.\n", strings.Join(parts, ", "))
	}
	if rep.InProcess {
		b.WriteString("- Memory: not measured (both engines ran in one process).\n")
	} else {
		fmt.Fprintf(&b, "- Memory ratio E/D (peak RSS over peak RSS) above 2x: %d of %d%s. Peak RSS is the ru_maxrss of the child process that ran the query on one engine (warm-up and timed runs); Δ is peak − baseline, the baseline being a child that only opened the engine and registered the eight tables: Ember %s MB, DuckDB %s MB.\n",
			len(s.MemAbove2x), s.MemMeasured, queryList(s.MemAbove2x), baselineMB(rep, true), baselineMB(rep, false))
	}
	mode := "engines alternating run by run (E, D, E, D, ...) in two child processes per query, one per engine, alive side by side, each opening its engine and registering the tables once"
	if rep.InProcess {
		mode = "engines alternating run by run (E, D, E, D, ...), both in one process"
	}
	fmt.Fprintf(&b, "- Runs: %d warm-up and %d timed per engine and query, %s. A time is the wall time of the query's script (Q15: view, query, drop) with its result materialized and released: Ember's Session.Exec batches, DuckDB's Arrow batches (DuckDB runs the ToDuckDB translation, with MySQL's exact avg and decimal division). A Go GC runs before each run, off the clock.\n",
		rep.Warmup, rep.Runs, mode)
	against := "go-tpc's published SF 1 answers (both engines)"
	if !rep.Published {
		against = "DuckDB's rows (REF)"
	}
	fmt.Fprintf(&b, "- Check: the first timed run's rows against %s, by go-tpc's rules.\n", against)
	m := rep.Machine
	fmt.Fprintf(&b, "- Machine: %s, %s, NumCPU %d, GOMAXPROCS %d, %.1f GiB; load average (1, 5, 15 min) %s at the start, %s at the end. %s; DuckDB %s with %d threads; Ember with %d partitions.\n",
		m.OS, m.CPU, m.NumCPU, m.GOMAXPROCS, float64(m.MemTotalKiB)/(1<<20), m.LoadStart, m.LoadEnd, m.GoVersion, rep.DuckDBVersion, rep.Threads, rep.Threads)
	fmt.Fprintf(&b, "- Data: %s (SF %s, Parquet written by %s).\n", displayPath(rep.Data), strconv.FormatFloat(rep.ScaleFactor, 'f', -1, 64), rep.DataWriter)
	if rep.Commit != "" {
		fmt.Fprintf(&b, "- Commit: %s.\n", rep.Commit)
	}
	for _, c := range rep.Commands {
		fmt.Fprintf(&b, "- Command: `%s`\n", c)
	}
	return b.String()
}

func seconds(r BenchEngineResult) string {
	if t, ok := r.Median(); ok {
		return fmt.Sprintf("%.3f", t)
	}
	return "–"
}

func mb(kib int64) string {
	if kib <= 0 {
		return "–"
	}
	return strconv.FormatInt(kib>>10, 10)
}

func deltaMB(r BenchEngineResult) string {
	if r.PeakRSSKiB <= 0 || r.BaselineKiB <= 0 {
		return "–"
	}
	return strconv.FormatInt((r.PeakRSSKiB-r.BaselineKiB)>>10, 10)
}

// baselineMB is the baseline of Ember's (or DuckDB's) children over the report's queries:
// one number, or a range once reports measured apart are merged.
func baselineMB(rep *BenchReport, ember bool) string {
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, q := range rep.Queries {
		k := q.DuckDB.BaselineKiB
		if ember {
			k = q.Ember.BaselineKiB
		}
		if k > 0 {
			lo, hi = min(lo, k), max(hi, k)
		}
	}
	switch {
	case hi == 0:
		return "–"
	case lo>>10 == hi>>10:
		return strconv.FormatInt(hi>>10, 10)
	}
	return fmt.Sprintf("%d to %d", lo>>10, hi>>10)
}

// checkCell is the table's check column: PASS, or what failed on which engine.
func checkCell(q BenchQuery) string {
	var parts []string
	for _, e := range []struct {
		name string
		res  BenchEngineResult
	}{{"Ember", q.Ember}, {"DuckDB", q.DuckDB}} {
		switch e.res.Status {
		case BenchPass, BenchReference:
			continue
		}
		p := e.name + " " + e.res.Status
		if e.res.Detail != "" {
			p += ": " + oneLineDetail(e.res.Detail, 80)
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return BenchPass
	}
	return strings.ReplaceAll(strings.Join(parts, "; "), "|", `\|`)
}

// oneLineDetail keeps the first line of a message, at most n bytes of it, noting a cut.
func oneLineDetail(s string, n int) string {
	s = strings.TrimSpace(s)
	first, _, cut := strings.Cut(s, "\n")
	if len(first) > n {
		first, cut = first[:n], true
	}
	if cut {
		first += " [...]"
	}
	return first
}

func queryList(qs []int) string {
	if len(qs) == 0 {
		return ""
	}
	parts := make([]string, len(qs))
	for i, n := range qs {
		parts[i] = fmt.Sprintf("Q%d", n)
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// probeMachine reads what describes this machine; what it cannot read stays empty.
func probeMachine() BenchMachine {
	m := BenchMachine{
		OS:         runtime.GOOS + "/" + runtime.GOARCH,
		NumCPU:     runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		GoVersion:  runtime.Version(),
		CPU:        "unknown CPU",
		LoadStart:  loadAverage(),
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				f := strings.Fields(v)
				if len(f) > 0 {
					m.MemTotalKiB, _ = strconv.ParseInt(f[0], 10, 64)
				}
				break
			}
		}
	}
	return m
}

// loadAverage is /proc/loadavg's three load averages, or "unknown".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}

// displayPath shows a data folder relative to the working directory when it lies below it,
// so that reports pasted into docs name no folder of the machine that made them.
func displayPath(dir string) string {
	wd, err := os.Getwd()
	if err != nil {
		return dir
	}
	if rel, err := filepath.Rel(wd, dir); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return filepath.Base(dir)
}
