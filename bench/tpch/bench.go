package tpch

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// BenchConfig configures RunBench.
type BenchConfig struct {
	// ScaleFactor is TPC-H's SF (see Options.ScaleFactor). At 1 the answers are checked
	// against go-tpc's published ones, at other scales against DuckDB's rows.
	ScaleFactor float64
	// Queries lists the query numbers to run, in order; nil runs all 22.
	Queries []int
	// Dir holds the data; "" is DefaultDir. It is generated there if incomplete.
	Dir string
	// Warmup runs of each engine precede Runs timed runs (Runs ≥ 1).
	Warmup, Runs int
	// Timeout limits one run of a query; 0 is none.
	Timeout time.Duration
	// Threads is Ember's partition count and DuckDB's thread count; 0 is runtime.NumCPU().
	Threads int
	// InProcess runs both engines in this process (one Ember session, one DuckDB
	// connection for all queries) instead of a child process per engine and query; peak
	// RSS is then not measured. A query that ignores its cancellation then holds the run.
	InProcess bool
	// Exe is the executable re-executed as a measuring child (with BenchWorkerFlag);
	// "" is os.Executable(), the running command.
	Exe string
	// Command and Commit are recorded in the report as they are.
	Command, Commit string
	// Log receives progress lines; nil discards them. Children's stderr goes there too.
	Log io.Writer
}

// RunBench times TPC-H queries on Ember and on DuckDB over the same Parquet files and
// checks both engines' answers. For each query the engines run in alternation: the
// warm-up runs, then the timed runs, E, D, E, D, ... A run is the query's script (Q15:
// its view, the query, the drop; DuckDB runs ToDuckDB's translation), with the result
// materialized and released (Ember: Session.Exec's batches; DuckDB: its Arrow batches);
// the answers of the first timed run are checked (CheckRows), off the clock.
//
// Ember runs in a dataframe.Session with an in-memory catalog and Threads partitions;
// DuckDB (SET threads = Threads) reads views over read_parquet of the files. Unless
// InProcess is set, each (engine, query) runs in its own child process (this executable,
// re-executed with BenchWorkerFlag), which opens its engine and registers the tables once;
// the two children of a query live side by side and take turns run by run, and each one's
// peak RSS is read when it exits. One child per engine that only opens the engine and
// registers the tables measures the baseline RSS.
//
// The error is for what stops the whole benchmark (bad configuration, data generation,
// a baseline child that cannot start, ctx's end); an engine's error or a wrong answer on
// one query is recorded in the report (BenchReport.Failed) and the others go on.
func RunBench(ctx context.Context, cfg BenchConfig) (*BenchReport, error) {
	s, err := ParseScale(cfg.ScaleFactor)
	if err != nil {
		return nil, err
	}
	if err := checkRunCounts(cfg.Runs, cfg.Warmup, cfg.Threads); err != nil {
		return nil, err
	}
	if cfg.Queries == nil {
		cfg.Queries, _ = ParseQueryList("all")
	}
	for _, n := range cfg.Queries {
		if n < 1 || n > NumQueries {
			return nil, fmt.Errorf("tpch: no query %d (queries are numbered 1 to %d)", n, NumQueries)
		}
	}
	if cfg.Threads == 0 {
		cfg.Threads = runtime.NumCPU()
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Dir == "" {
		cfg.Dir = DefaultDir(s)
	}
	m, err := Generate(ctx, Options{ScaleFactor: s.Float(), Dir: cfg.Dir, Log: cfg.Log})
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	rep := &BenchReport{
		ScaleFactor: s.Float(),
		Data:        abs,
		DataWriter:  m.Writer,
		Published:   s.Float() == 1,
		Warmup:      cfg.Warmup,
		Runs:        cfg.Runs,
		Threads:     cfg.Threads,
		InProcess:   cfg.InProcess,
		Machine:     probeMachine(),
		Commit:      cfg.Commit,
	}
	if cfg.Command != "" {
		rep.Commands = []string{cfg.Command}
	}
	if cfg.InProcess {
		err = benchInProcess(ctx, cfg, abs, rep)
	} else {
		err = benchInChildren(ctx, cfg, abs, rep)
	}
	rep.Machine.LoadEnd = loadAverage()
	return rep, err
}

// benchRunner runs query n once on one engine (see benchRun).
type benchRunner interface {
	run(ctx context.Context, n int, text bool) benchRun
}

// localRunner runs in this process, with the run's time limit.
type localRunner struct {
	sess    benchSession
	timeout time.Duration
}

func (l localRunner) run(ctx context.Context, n int, text bool) benchRun {
	if l.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, l.timeout)
		defer cancel()
	}
	return l.sess.run(ctx, n, text)
}

// failedRunner stands for an engine that could not start: every run fails with err.
type failedRunner struct{ err error }

func (f failedRunner) run(context.Context, int, bool) benchRun { return benchRun{Err: f.err.Error()} }

func benchInProcess(ctx context.Context, cfg BenchConfig, dir string, rep *BenchReport) error {
	e, err := openEmberBench(ctx, dir, cfg.Threads)
	if err != nil {
		return err
	}
	defer e.close()
	d, err := openDuckBench(ctx, dir, cfg.Threads)
	if err != nil {
		return err
	}
	defer d.close()
	rep.DuckDBVersion = d.version()
	for _, n := range cfg.Queries {
		if err := ctx.Err(); err != nil {
			return err
		}
		q := measureQuery(ctx, cfg, n, rep.Published, localRunner{e, cfg.Timeout}, localRunner{d, cfg.Timeout})
		rep.Queries = append(rep.Queries, q)
		logQuery(cfg.Log, q)
	}
	return ctx.Err()
}

func benchInChildren(ctx context.Context, cfg BenchConfig, dir string, rep *BenchReport) error {
	exe := cfg.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return fmt.Errorf("tpch: the measuring children re-execute this program: %w", err)
		}
	}
	start := func(engine string) (*benchChild, error) {
		return startBenchChild(ctx, exe, benchWorkerSpec{Engine: engine, Dir: dir, Threads: cfg.Threads}, cfg.Timeout, cfg.Log)
	}
	baseline := map[string]int64{}
	for _, engine := range []string{EngineEmber, EngineDuckDB} {
		c, err := start(engine)
		if err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
		if engine == EngineDuckDB {
			rep.DuckDBVersion = c.version
		}
		kib, err := c.close()
		if err != nil {
			return fmt.Errorf("baseline: the %s worker: %w", engine, err)
		}
		baseline[engine] = kib
		fmt.Fprintf(cfg.Log, "baseline RSS of the %s worker (engine open, tables registered): %d MB\n", engine, kib>>10)
	}
	for _, n := range cfg.Queries {
		if err := ctx.Err(); err != nil {
			return err
		}
		// Both children of the query are alive together; only one runs at a time.
		engines := []string{EngineEmber, EngineDuckDB}
		children := make([]*benchChild, 2)
		runners := make([]benchRunner, 2)
		for i, engine := range engines {
			c, err := start(engine)
			if err != nil {
				runners[i] = failedRunner{err}
				continue
			}
			children[i], runners[i] = c, c
		}
		q := measureQuery(ctx, cfg, n, rep.Published, runners[0], runners[1])
		for i, res := range []*BenchEngineResult{&q.Ember, &q.DuckDB} {
			res.BaselineKiB = baseline[engines[i]]
			if children[i] == nil {
				continue
			}
			kib, err := children[i].close()
			res.PeakRSSKiB = kib
			if err != nil && children[i].dead == nil && res.Status != BenchError {
				res.Status, res.Detail = BenchError, fmt.Sprintf("worker exit: %v", err)
			}
		}
		rep.Queries = append(rep.Queries, q)
		logQuery(cfg.Log, q)
	}
	return ctx.Err()
}

// measureQuery runs query n on both engines, in turns (Ember first), Warmup times and then
// Runs timed times, and checks the first timed run's rows. An engine that fails a run is
// not run again for this query.
func measureQuery(ctx context.Context, cfg BenchConfig, n int, published bool, ember, duck benchRunner) BenchQuery {
	q := BenchQuery{Query: n}
	type side struct {
		r      benchRunner
		res    *BenchEngineResult
		text   [][]string
		failed bool
	}
	sides := []*side{{r: ember, res: &q.Ember}, {r: duck, res: &q.DuckDB}}
	for i := 0; i < cfg.Warmup+cfg.Runs; i++ {
		for _, sd := range sides {
			if sd.failed || ctx.Err() != nil {
				continue
			}
			first := i == cfg.Warmup
			r := sd.r.run(ctx, n, first)
			if r.Err != "" {
				sd.failed = true
				sd.res.Status, sd.res.Detail = BenchError, r.Err
				continue
			}
			if i >= cfg.Warmup {
				sd.res.Times = append(sd.res.Times, r.Seconds)
			}
			if first {
				sd.text, sd.res.Rows = r.Text, r.Rows
			}
		}
	}
	q.check(published, sides[0].text, sides[1].text)
	return q
}

// check sets the engines' statuses that the runs left open: against the published answer
// for both engines, or (published false) Ember's rows against DuckDB's, DuckDB being the
// reference.
func (q *BenchQuery) check(published bool, emberRows, duckRows [][]string) {
	prec, perr := Precisions(q.Query)
	verdict := func(res *BenchEngineResult, want, got [][]string, err error) {
		switch {
		case err == nil && perr != nil:
			err = perr
		case err == nil:
			if cerr := CheckRows(prec, want, got); cerr != nil {
				res.Status, res.Detail = BenchFail, cerr.Error()
				return
			}
			res.Status = BenchPass
			return
		}
		res.Status, res.Detail = BenchError, err.Error()
	}
	if published {
		want, err := Answer(q.Query)
		if q.Ember.Status == "" {
			verdict(&q.Ember, want, emberRows, err)
		}
		if q.DuckDB.Status == "" {
			verdict(&q.DuckDB, want, duckRows, err)
		}
		return
	}
	if q.DuckDB.Status == "" {
		q.DuckDB.Status = BenchReference
	}
	switch {
	case q.Ember.Status != "":
	case q.DuckDB.Status != BenchReference:
		q.Ember.Status, q.Ember.Detail = BenchUnchecked, "no reference rows: DuckDB failed"
	default:
		verdict(&q.Ember, duckRows, emberRows, nil)
	}
}

// logQuery writes one progress line: each engine's timed runs and its outcome.
func logQuery(w io.Writer, q BenchQuery) {
	line := fmt.Sprintf("q%02d", q.Query)
	for _, e := range []struct {
		name string
		res  BenchEngineResult
	}{{EngineEmber, q.Ember}, {EngineDuckDB, q.DuckDB}} {
		line += "  " + e.name
		for _, t := range e.res.Times {
			line += fmt.Sprintf(" %.3f", t)
		}
		if e.res.PeakRSSKiB > 0 {
			line += fmt.Sprintf(" (%d MB)", e.res.PeakRSSKiB>>10)
		}
		line += " " + e.res.Status
		if e.res.Detail != "" {
			line += ": " + oneLineDetail(e.res.Detail, 200)
		}
	}
	fmt.Fprintln(w, line)
}
