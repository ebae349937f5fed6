package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/embersql/ember/bench/tpch"
)

func main() {
	// A measuring child: RunBench re-executes this program with tpch.BenchWorkerFlag.
	if spec, ok := tpch.BenchWorkerSpec(os.Args); ok {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		err := tpch.RunBenchWorker(ctx, spec, os.Stdin, os.Stdout)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "tpchbench worker:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	flag.Float64Var(&o.sf, "sf", 1, "scale factor; at 1 the answers are checked against the published ones, at other scales Ember's against DuckDB's")
	flag.StringVar(&o.queries, "queries", "all", "TPC-H queries: all, or numbers and ranges such as 1,3,5-7")
	flag.IntVar(&o.runs, "runs", 5, "timed runs of each engine per query; the median counts")
	flag.IntVar(&o.warmup, "warmup", 1, "untimed runs of each engine per query before the timed ones")
	flag.StringVar(&o.data, "data", "", "data directory (default data/sf<N>); generated if incomplete")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "time limit of one run (0: none)")
	flag.IntVar(&o.threads, "threads", 0, "Ember's partitions and DuckDB's threads (0: NumCPU)")
	flag.BoolVar(&o.inProcess, "in-process", false, "run both engines in this process, without a child per engine and query (no peak RSS)")
	flag.StringVar(&o.out, "out", "", "also write the Markdown report to this file")
	flag.StringVar(&o.jsonOut, "json", "", "also write the report as JSON to this file (for -merge)")
	flag.StringVar(&o.merge, "merge", "", "run nothing: merge the JSON reports FILE,FILE,... (written by -json) into one report")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "tpchbench: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	rep, err := run(ctx, o)
	stop()
	if err == nil {
		err = write(rep, o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tpchbench:", err)
		os.Exit(1)
	}
	if rep.Failed() {
		fmt.Fprintln(os.Stderr, "tpchbench: an answer was wrong or an engine failed (see the check column)")
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	sf                    float64
	queries, data         string
	runs, warmup, threads int
	timeout               time.Duration
	inProcess             bool
	out, jsonOut, merge   string
}

func run(ctx context.Context, o options) (*tpch.BenchReport, error) {
	if o.merge != "" {
		return mergeFiles(strings.Split(o.merge, ","))
	}
	nums, err := tpch.ParseQueryList(o.queries)
	if err != nil {
		return nil, err
	}
	return tpch.RunBench(ctx, tpch.BenchConfig{
		ScaleFactor: o.sf,
		Queries:     nums,
		Dir:         o.data,
		Warmup:      o.warmup,
		Runs:        o.runs,
		Timeout:     o.timeout,
		Threads:     o.threads,
		InProcess:   o.inProcess,
		Command:     "go run ./cmd/tpchbench " + strings.Join(os.Args[1:], " "),
		Commit:      tpch.GitCommit(),
		Log:         os.Stderr,
	})
}

// write prints the Markdown report and writes the -out and -json files.
func write(rep *tpch.BenchReport, o options) error {
	md := rep.Markdown()
	fmt.Print(md)
	if o.out != "" {
		if err := os.WriteFile(o.out, []byte(md), 0o644); err != nil {
			return err
		}
	}
	if o.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(o.jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func mergeFiles(paths []string) (*tpch.BenchReport, error) {
	var reps []*tpch.BenchReport
	for _, p := range paths {
		b, err := os.ReadFile(strings.TrimSpace(p))
		if err != nil {
			return nil, err
		}
		var r tpch.BenchReport
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		reps = append(reps, &r)
	}
	return tpch.MergeBenchReports(reps...)
}
