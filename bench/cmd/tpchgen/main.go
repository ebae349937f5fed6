package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/embersql/ember/bench/tpch"
)

func main() {
	sf := flag.Float64("sf", 1, "scale factor: a whole number, or a multiple of 0.001 below 1")
	out := flag.String("out", "", "output directory (default data/sf<N>)")
	force := flag.Bool("force", false, "regenerate even if the directory holds complete data")
	flag.Parse()
	if err := run(*sf, *out, *force); err != nil {
		fmt.Fprintln(os.Stderr, "tpchgen:", err)
		os.Exit(1)
	}
}

func run(sf float64, out string, force bool) error {
	s, err := tpch.ParseScale(sf)
	if err != nil {
		return err
	}
	if out == "" {
		out = tpch.DefaultDir(s)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	m, err := tpch.Generate(ctx, tpch.Options{ScaleFactor: sf, Dir: out, Force: force, Log: os.Stderr})
	if err != nil {
		return err
	}
	var total int64
	for _, t := range tpch.Tables {
		path := tpch.TablePath(out, t.Name)
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		total += st.Size()
		fmt.Printf("%-9s %10d rows %12d bytes  %s\n", t.Name, m.Rows[t.Name], st.Size(), path)
	}
	abs, _ := filepath.Abs(out)
	fmt.Printf("SF %s: %d bytes of Parquet in %s\n", s, total, abs)
	return nil
}
