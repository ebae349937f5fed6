package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/embersql/ember/bench/tpch"
)

func main() {
	var cfg tpch.ScanConfig
	var out string
	flag.Float64Var(&cfg.ScaleFactor, "sf", 1, "TPC-H scale factor of the data")
	flag.StringVar(&cfg.Dir, "data", "", "data directory (default data/sf<N>); generated if incomplete")
	flag.IntVar(&cfg.Runs, "runs", 5, "timed runs of each engine per projection; the median counts")
	flag.IntVar(&cfg.Warmup, "warmup", 1, "untimed runs of each engine per projection before the timed ones")
	flag.IntVar(&cfg.Threads, "threads", 0, "Ember's partitions and DuckDB's threads (0: GOMAXPROCS)")
	flag.StringVar(&out, "out", "", "also write the Markdown report to this file")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "scanbench: unexpected arguments %q\n", flag.Args())
		os.Exit(2)
	}
	cfg.Command = strings.TrimSpace("go run ./cmd/scanbench " + strings.Join(os.Args[1:], " "))
	cfg.Commit = tpch.GitCommit()
	cfg.Log = os.Stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	rep, err := tpch.RunScan(ctx, cfg)
	stop()
	if err == nil {
		md := rep.Markdown()
		fmt.Print(md)
		if out != "" {
			err = os.WriteFile(out, []byte(md), 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scanbench:", err)
		os.Exit(1)
	}
}
