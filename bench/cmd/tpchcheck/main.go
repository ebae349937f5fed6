package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/embersql/ember/bench/tpch"
	"github.com/embersql/ember/dataframe"
)

func main() {
	sf := flag.Float64("sf", 1, "scale factor; the published answers are for 1, other scales compare with DuckDB")
	queries := flag.String("queries", "1,3,5,6,10", "comma-separated TPC-H query numbers")
	data := flag.String("data", "", "data directory (default data/sf<N>); generated if incomplete")
	engineName := flag.String("engine", "ember", "engine to check: ember, or duckdb (SF 1 only)")
	verbose := flag.Bool("v", false, "print the rows of failing queries")
	flag.Parse()
	ok, err := run(*sf, *queries, *data, *engineName, *verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tpchcheck:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// engine runs SQL over registered Parquet tables and returns rows as text (tpch.FormatRows).
type engine interface {
	register(ctx context.Context, table, path string) error
	query(ctx context.Context, mysql string) ([][]string, error)
	close() error
}

func run(sf float64, queryList, dir, engineName string, verbose bool) (bool, error) {
	s, err := tpch.ParseScale(sf)
	if err != nil {
		return false, err
	}
	nums, err := parseQueries(queryList)
	if err != nil {
		return false, err
	}
	published := s.Float() == 1
	if engineName == "duckdb" && !published {
		return false, errors.New("-engine duckdb compares with the published answers, which exist for -sf 1 only")
	}
	if dir == "" {
		dir = tpch.DefaultDir(s)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := tpch.Generate(ctx, tpch.Options{ScaleFactor: sf, Dir: dir, Log: os.Stderr}); err != nil {
		return false, err
	}

	eng, err := openEngine(ctx, engineName)
	if err != nil {
		return false, err
	}
	defer eng.close()
	var ref engine // DuckDB, the reference where there are no published answers
	if !published {
		if ref, err = openEngine(ctx, "duckdb"); err != nil {
			return false, err
		}
		defer ref.close()
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return false, err
	}
	for _, t := range tpch.Tables {
		for _, e := range []engine{eng, ref} {
			if e == nil {
				continue
			}
			if err := e.register(ctx, t.Name, tpch.TablePath(abs, t.Name)); err != nil {
				return false, fmt.Errorf("register %s: %w", t.Name, err)
			}
		}
	}

	against := "go-tpc's published SF1 answers"
	if !published {
		against = "DuckDB at SF " + s.String()
	}
	fmt.Printf("checking %s on TPC-H SF %s (%s) against %s\n", engineName, s, abs, against)
	allOK := true
	for _, n := range nums {
		t0 := time.Now()
		got, err := checkOne(ctx, eng, ref, n)
		elapsed := time.Since(t0).Seconds()
		if err != nil {
			allOK = false
			fmt.Printf("q%02d FAIL %6.2fs  %v\n", n, elapsed, err)
			if verbose {
				for _, r := range got {
					fmt.Printf("    %s\n", strings.Join(r, "\t"))
				}
			}
			continue
		}
		fmt.Printf("q%02d PASS %6.2fs  %d rows\n", n, elapsed, len(got))
	}
	return allOK, nil
}

// checkOne runs query n on eng and compares its rows with the published answer, or with
// ref's rows when ref is not nil. It returns the rows it got.
func checkOne(ctx context.Context, eng, ref engine, n int) ([][]string, error) {
	q, err := tpch.Query(n)
	if err != nil {
		return nil, err
	}
	got, err := eng.query(ctx, q)
	if err != nil {
		return nil, err
	}
	if ref == nil {
		return got, tpch.CheckQuery(n, got)
	}
	want, err := ref.query(ctx, q)
	if err != nil {
		return got, fmt.Errorf("reference: %w", err)
	}
	prec, err := tpch.Precisions(n)
	if err != nil {
		return got, err
	}
	return got, tpch.CheckRows(prec, want, got)
}

func parseQueries(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > tpch.NumQueries {
			return nil, fmt.Errorf("bad query number %q in -queries (want 1 to %d)", f, tpch.NumQueries)
		}
		out = append(out, n)
	}
	return out, nil
}

func openEngine(ctx context.Context, name string) (engine, error) {
	switch name {
	case "ember":
		sess, err := dataframe.NewSession(dataframe.WithInMemoryCatalog())
		if err != nil {
			return nil, err
		}
		return emberEngine{sess}, nil
	case "duckdb":
		d, err := tpch.OpenDuckDB(ctx)
		if err != nil {
			return nil, err
		}
		return duckEngine{d}, nil
	}
	return nil, fmt.Errorf("unknown engine %q (want ember or duckdb)", name)
}

// emberEngine runs queries in one Ember session with an in-memory catalog (nothing is
// written to disk).
type emberEngine struct{ sess *dataframe.Session }

func (e emberEngine) register(ctx context.Context, table, path string) error {
	res, err := e.sess.Exec(ctx, fmt.Sprintf("CREATE TABLE %s USING parquet LOCATION %s", table, tpch.SQLString(path)))
	if err != nil {
		return err
	}
	res.Release()
	return nil
}

func (e emberEngine) query(ctx context.Context, mysql string) ([][]string, error) {
	res, err := e.sess.Exec(ctx, mysql)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	return tpch.FormatRows(res.Batches)
}

func (e emberEngine) close() error { return e.sess.Close() }

// duckEngine runs the DuckDB translation of each query (tpch.ToDuckDB).
type duckEngine struct{ d *tpch.DuckDB }

func (e duckEngine) register(ctx context.Context, table, path string) error {
	return e.d.RegisterParquet(ctx, table, path)
}

func (e duckEngine) query(ctx context.Context, mysql string) ([][]string, error) {
	q, err := tpch.ToDuckDB(mysql)
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
	return tpch.FormatRows(batches)
}

func (e duckEngine) close() error { return e.d.Close() }
