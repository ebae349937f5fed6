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

// irisColumns is the DDL of the iris table; iris.csv has a header naming the same columns.
const irisColumns = `sepal_length DOUBLE NOT NULL,
	sepal_width DOUBLE NOT NULL,
	petal_length DOUBLE NOT NULL,
	petal_width DOUBLE NOT NULL,
	species VARCHAR NOT NULL`

func main() {
	dir := flag.String("dir", filepath.Join("..", "testdata", "sample"), "the sample directory")
	sf := flag.Float64("sf", 0.001, "TPC-H scale factor of the sample")
	force := flag.Bool("force", false, "regenerate the TPC-H files even if they are complete")
	flag.Parse()
	if err := run(*dir, *sf, *force); err != nil {
		fmt.Fprintln(os.Stderr, "makesample:", err)
		os.Exit(1)
	}
}

func run(dir string, sf float64, force bool) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if _, err := tpch.Generate(ctx, tpch.Options{
		ScaleFactor: sf,
		Dir:         filepath.Join(dir, "tpch"),
		Force:       force,
		Log:         os.Stderr,
	}); err != nil {
		return err
	}
	return writeIris(ctx, filepath.Join(dir, "iris.csv"), filepath.Join(dir, "iris.parquet"))
}

// writeIris loads the CSV into a DuckDB table with irisColumns and writes it as Parquet.
func writeIris(ctx context.Context, csvPath, out string) error {
	if _, err := os.Stat(csvPath); err != nil {
		return fmt.Errorf("%w (make it with /usr/bin/python3 make_iris.py; see README.md)", err)
	}
	duck, err := tpch.OpenDuckDB(ctx)
	if err != nil {
		return err
	}
	defer duck.Close()
	stmts := []string{
		"CREATE TABLE iris (\n\t" + irisColumns + "\n)",
		"COPY iris FROM " + tpch.SQLString(csvPath) + " (FORMAT CSV, HEADER true, DELIMITER ',', AUTO_DETECT false)",
		"COPY iris TO " + tpch.SQLString(out+".tmp") + " (FORMAT PARQUET, COMPRESSION SNAPPY)",
	}
	for _, q := range stmts {
		if err := duck.Exec(ctx, q); err != nil {
			return err
		}
	}
	n, err := duck.QueryInt(ctx, "SELECT count(*) FROM iris")
	if err != nil {
		return err
	}
	if n != 150 {
		return fmt.Errorf("%s has %d rows, iris has 150", csvPath, n)
	}
	if err := os.Rename(out+".tmp", out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "makesample: wrote %s (%d rows)\n", out, n)
	return nil
}
