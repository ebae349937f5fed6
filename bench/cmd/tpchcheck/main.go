package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/embersql/ember/bench/tpch"
)

func main() {
	var o options
	flag.Float64Var(&o.sf, "sf", 1, "scale factor; the published answers are for 1, other scales compare with DuckDB")
	flag.StringVar(&o.queries, "queries", "all", "TPC-H queries: all, or numbers and ranges such as 1,3,5-7")
	flag.StringVar(&o.data, "data", "", "data directory (default data/sf<N>); generated if incomplete")
	flag.StringVar(&o.engine, "engine", "ember", "engine to check: ember, or duckdb (SF 1 only)")
	flag.StringVar(&o.via, "via", "api", "how Ember runs the queries: api (a dataframe.Session in this process) or shell (the ember binary in batch mode)")
	flag.StringVar(&o.repo, "repo", "..", "the repository root, where -via shell builds ./cmd/shell")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "time limit of one query (0: none)")
	flag.BoolVar(&o.verbose, "v", false, "print the rows of failing queries")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole check to this file (-via api profiles Ember itself: go tool pprof -top FILE)")
	memprofile := flag.String("memprofile", "", "write an allocation profile of the whole check to this file (go tool pprof -sample_index=alloc_space -top FILE)")
	heapprofile := flag.String("heapprofile", "", "write a heap profile taken when the live heap peaks to this file (go tool pprof -sample_index=inuse_space -top FILE)")
	flag.Parse()
	if *heapprofile != "" {
		stop := watchHeapPeak(*heapprofile)
		defer stop()
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tpchcheck:", err)
			os.Exit(1)
		}
		defer f.Close()
	}
	ok, err := run(o)
	pprof.StopCPUProfile()
	if *memprofile != "" {
		if f, ferr := os.Create(*memprofile); ferr == nil {
			ferr = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
			if ferr != nil && err == nil {
				err = ferr
			}
		} else if err == nil {
			err = ferr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tpchcheck:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	sf                         float64
	queries, data, engine, via string
	repo                       string
	timeout                    time.Duration
	verbose                    bool
}

// engine runs TPC-H scripts over the eight tables and returns the query's rows as text
// (tpch.FormatRows' forms).
type engine interface {
	// register makes the eight TPC-H tables of dir (absolute) known to the engine.
	register(ctx context.Context, dir string) error
	// run runs the script's statements in order, in one session, and returns the rows of
	// its query. A failing statement stops the script; the error says which.
	run(ctx context.Context, s tpch.Script) ([][]string, error)
	close() error
}

// The outcome of one query.
const (
	statusPass  = "PASS"
	statusFail  = "FAIL"  // ran, but the rows differ from the answer
	statusError = "ERROR" // did not run: the engine (or the reference) returned an error
)

func run(o options) (bool, error) {
	s, err := tpch.ParseScale(o.sf)
	if err != nil {
		return false, err
	}
	nums, err := tpch.ParseQueryList(o.queries)
	if err != nil {
		return false, err
	}
	published := s.Float() == 1
	switch {
	case o.engine == "duckdb" && !published:
		return false, errors.New("-engine duckdb compares with the published answers, which exist for -sf 1 only")
	case o.via != "api" && o.via != "shell":
		return false, fmt.Errorf("unknown -via %q (want api or shell)", o.via)
	case o.via == "shell" && o.engine != "ember":
		return false, errors.New("-via shell runs Ember's shell; it needs -engine ember")
	}
	dir := o.data
	if dir == "" {
		dir = tpch.DefaultDir(s)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := tpch.Generate(ctx, tpch.Options{ScaleFactor: o.sf, Dir: dir, Log: os.Stderr}); err != nil {
		return false, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}

	eng, err := openEngine(ctx, o)
	if err != nil {
		return false, err
	}
	defer eng.close()
	if err := eng.register(ctx, abs); err != nil {
		return false, err
	}
	var ref engine // DuckDB, the reference where there are no published answers
	if !published {
		if ref, err = openEngine(ctx, options{engine: "duckdb"}); err != nil {
			return false, err
		}
		defer ref.close()
		if err := ref.register(ctx, abs); err != nil {
			return false, err
		}
	}

	against := "go-tpc's published SF1 answers"
	if !published {
		against = "DuckDB at SF " + s.String()
	}
	name := o.engine
	if o.engine == "ember" {
		name += " via " + o.via
	}
	fmt.Printf("checking %s on TPC-H SF %s (%s) against %s\n", name, s, abs, against)
	counts := map[string]int{}
	for _, n := range nums {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		t0 := time.Now()
		status, got, err := checkOne(ctx, eng, ref, n, o.timeout)
		elapsed := time.Since(t0).Seconds()
		counts[status]++
		switch status {
		case statusPass:
			fmt.Printf("q%02d %-5s %7.2fs  %d rows\n", n, status, elapsed, len(got))
		default:
			fmt.Printf("q%02d %-5s %7.2fs  %s\n", n, status, elapsed, oneLine(err))
			if o.verbose && status == statusFail {
				for _, r := range got {
					fmt.Printf("    %s\n", strings.Join(r, "\t"))
				}
			}
		}
	}
	fmt.Printf("%d queries: %d passed, %d failed, %d errors\n", len(nums), counts[statusPass], counts[statusFail], counts[statusError])
	return counts[statusPass] == len(nums), nil
}

// checkOne runs query n on eng within timeout and compares its rows with the published
// answer, or with ref's rows when ref is not nil. It returns the outcome, the rows it got
// and what went wrong.
func checkOne(ctx context.Context, eng, ref engine, n int, timeout time.Duration) (string, [][]string, error) {
	script, err := tpch.QueryScript(n)
	if err != nil {
		return statusError, nil, err
	}
	got, err := runScript(ctx, eng, script, timeout)
	if err != nil {
		return statusError, nil, err
	}
	want, err := tpch.Answer(n)
	if ref != nil {
		want, err = runScript(ctx, ref, script, timeout)
		if err != nil {
			err = fmt.Errorf("reference: %w", err)
		}
	}
	if err != nil {
		return statusError, got, err
	}
	prec, err := tpch.Precisions(n)
	if err != nil {
		return statusError, got, err
	}
	if err := tpch.CheckRows(prec, want, got); err != nil {
		return statusFail, got, err
	}
	return statusPass, got, nil
}

// runScript runs a script on eng with a time limit (none if timeout is 0). A panic in the
// engine becomes an error, so that one query cannot stop the check.
func runScript(ctx context.Context, eng engine, s tpch.Script, timeout time.Duration) (rows [][]string, err error) {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	defer func() {
		if r := recover(); r != nil {
			rows, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	rows, err = eng.run(ctx, s)
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s: %w", timeout, err)
	}
	return rows, err
}

// oneLine keeps the first line of an error's message (the shell's and the engines' errors
// may carry more), noting that more was cut.
func oneLine(err error) string {
	msg := strings.TrimSpace(err.Error())
	if first, _, cut := strings.Cut(msg, "\n"); cut {
		return first + " [...]"
	}
	return msg
}

func openEngine(ctx context.Context, o options) (engine, error) {
	switch {
	case o.engine == "ember" && o.via == "shell":
		return openShellEngine(ctx, o.repo)
	case o.engine == "ember":
		return newAPIEngine()
	case o.engine == "duckdb":
		d, err := tpch.OpenDuckDB(ctx)
		if err != nil {
			return nil, err
		}
		return duckEngine{d}, nil
	}
	return nil, fmt.Errorf("unknown engine %q (want ember or duckdb)", o.engine)
}

// duckEngine runs the DuckDB translation of each statement (tpch.ToDuckDB).
type duckEngine struct{ d *tpch.DuckDB }

func (e duckEngine) register(ctx context.Context, dir string) error {
	for _, t := range tpch.Tables {
		if err := e.d.RegisterParquet(ctx, t.Name, tpch.TablePath(dir, t.Name)); err != nil {
			return fmt.Errorf("register %s: %w", t.Name, err)
		}
	}
	return nil
}

func (e duckEngine) run(ctx context.Context, s tpch.Script) ([][]string, error) {
	exec := func(sql string) error {
		q, err := tpch.ToDuckDB(sql)
		if err != nil {
			return err
		}
		return e.d.Exec(ctx, q)
	}
	for _, st := range s.Setup {
		if err := exec(st); err != nil {
			return nil, err
		}
	}
	q, err := tpch.ToDuckDB(s.Query)
	if err != nil {
		return nil, err
	}
	_, batches, err := e.d.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	rows, err := tpch.FormatRows(batches)
	if err != nil {
		return nil, err
	}
	for _, st := range s.Teardown {
		if err := exec(st); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

func (e duckEngine) close() error { return e.d.Close() }
