package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/bench/tpch"
)

func main() {
	repo := flag.String("repo", "..", "the repository root (the sample data and the fixtures are under it)")
	queries := flag.String("queries", "all", "TPC-H queries: all, or numbers and ranges such as 1,3,5-7")
	flag.Parse()
	nums, err := tpch.ParseQueryList(*queries)
	if err == nil {
		err = run(*repo, nums)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "makefixtures:", err)
		os.Exit(1)
	}
}

// Paths relative to the repository root.
const (
	sampleDir  = "testdata/sample/tpch"
	fixtureDir = "testdata/slt/tpch"
)

func run(repo string, nums []int) error {
	ctx := context.Background()
	m, err := tpch.ReadManifest(filepath.Join(repo, sampleDir))
	if err != nil {
		return fmt.Errorf("%w (run go run ./cmd/makesample first)", err)
	}
	duck, err := tpch.OpenDuckDB(ctx)
	if err != nil {
		return err
	}
	defer duck.Close()
	for _, t := range tpch.Tables {
		if err := duck.RegisterParquet(ctx, t.Name, tpch.TablePath(filepath.Join(repo, sampleDir), t.Name)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(repo, fixtureDir), 0o755); err != nil {
		return err
	}
	for _, n := range nums {
		text, err := fixture(ctx, duck, n, m)
		if err != nil {
			return fmt.Errorf("q%d: %w", n, err)
		}
		path := filepath.Join(repo, fixtureDir, fmt.Sprintf("q%02d.slt", n))
		if err := os.WriteFile(path, text, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "makefixtures: wrote %s\n", path)
	}
	return nil
}

// fixture renders the .slt file of query n. Query 15's file holds its view's creation and
// drop as statements around the query (tpch.QueryScript).
func fixture(ctx context.Context, duck *tpch.DuckDB, n int, m *tpch.Manifest) ([]byte, error) {
	script, err := tpch.QueryScript(n)
	if err != nil {
		return nil, err
	}
	for _, st := range script.Setup {
		if err := duckExec(ctx, duck, st); err != nil {
			return nil, err
		}
	}
	duckQuery, err := tpch.ToDuckDB(script.Query)
	if err != nil {
		return nil, err
	}
	schema, rows, err := queryRows(ctx, duck, duckQuery)
	if err != nil {
		return nil, err
	}
	if err := checkTies(ctx, duck, script.Query, len(rows)); err != nil {
		return nil, err
	}
	for _, st := range script.Teardown {
		if err := duckExec(ctx, duck, st); err != nil {
			return nil, err
		}
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "# TPC-H Q%d over the sample data (%s, SF %s).\n", n, sampleDir, strconv.FormatFloat(m.ScaleFactor, 'f', -1, 64))
	fmt.Fprintf(&b, "# Query: go-tpc's MySQL text (github.com/pingcap/go-tpc v1.0.12, tpch/query.go).\n")
	if len(script.Setup) > 0 {
		fmt.Fprintf(&b, "# Its view: go-tpc's text (cmd/go-tpc/misc.go), dropped afterwards as TPC-H does.\n")
	}
	fmt.Fprintf(&b, "# Expected rows: DuckDB %s over the same files, written by bench/cmd/makefixtures;\n", duck.Version())
	fmt.Fprintf(&b, "# regenerate with `cd bench && go run ./cmd/makefixtures`, do not edit by hand.\n")
	for _, t := range tpch.TablesOf(strings.Join(script.Statements(), "\n")) {
		fmt.Fprintf(&b, "\nstatement ok\nCREATE TABLE %s USING parquet LOCATION %s\n", t, tpch.SQLString(sampleDir+"/"+t+".parquet"))
	}
	for _, st := range script.Setup {
		fmt.Fprintf(&b, "\nstatement ok\n%s\n", st)
	}
	letters := make([]byte, schema.NumFields())
	for i, f := range schema.Fields() {
		letters[i] = tpch.TypeLetter(f.Type)
	}
	fmt.Fprintf(&b, "\nquery %s\n%s\n----\n", letters, script.Query)
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	for _, st := range script.Teardown {
		fmt.Fprintf(&b, "\nstatement ok\n%s\n", st)
	}
	return b.Bytes(), nil
}

// duckExec runs the DuckDB translation of a statement that returns no rows.
func duckExec(ctx context.Context, duck *tpch.DuckDB, mysql string) error {
	q, err := tpch.ToDuckDB(mysql)
	if err != nil {
		return err
	}
	return duck.Exec(ctx, q)
}

// queryRows runs a DuckDB query and returns its schema and rows as text. A value that
// holds a tab or a newline cannot be written in a .slt result line and is an error.
func queryRows(ctx context.Context, duck *tpch.DuckDB, q string) (*arrow.Schema, [][]string, error) {
	schema, batches, err := duck.Query(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	rows, err := tpch.FormatRows(batches)
	if err != nil {
		return nil, nil, err
	}
	for i, r := range rows {
		for j, v := range r {
			if strings.ContainsAny(v, "\t\n\r") {
				return nil, nil, fmt.Errorf("row %d column %d holds a tab or newline: %q", i, j, v)
			}
		}
	}
	return schema, rows, nil
}

// orderByTail matches a query's final ORDER BY list and optional LIMIT.
var orderByTail = regexp.MustCompile(`(?is)\border\s+by\s+(.+?)(?:\s+limit\s+(\d+))?\s*$`)

// checkTies fails when the ORDER BY of q leaves the order of the expected rows open: two
// neighbouring rows with equal sort keys among the rows that are returned, or at the LIMIT
// boundary (then which row makes the cut is open too). It reruns the query without its
// LIMIT and compares the sort-key columns, which must be output columns, of adjacent rows.
// A query without ORDER BY passes only if it returns at most one row (nrows).
func checkTies(ctx context.Context, duck *tpch.DuckDB, mysql string, nrows int) error {
	m := orderByTail.FindStringSubmatchIndex(mysql)
	if m == nil {
		if nrows <= 1 {
			return nil // one row has one order
		}
		return errors.New("no ORDER BY: the fixture would need a sort mode")
	}
	items := strings.Split(mysql[m[2]:m[3]], ",")
	limit := -1
	if m[4] >= 0 {
		limit, _ = strconv.Atoi(mysql[m[4]:m[5]])
	}
	unlimited, err := tpch.ToDuckDB(mysql[:m[0]] + "order by " + mysql[m[2]:m[3]])
	if err != nil {
		return err
	}
	schema, rows, err := queryRows(ctx, duck, unlimited)
	if err != nil {
		return err
	}
	var keys []int
	for _, it := range items {
		f := strings.Fields(it)
		if len(f) == 0 || len(f) > 2 || (len(f) == 2 && !strings.EqualFold(f[1], "asc") && !strings.EqualFold(f[1], "desc")) {
			return fmt.Errorf("cannot check ties of ORDER BY item %q", strings.TrimSpace(it))
		}
		idx := schema.FieldIndices(f[0])
		if len(idx) != 1 {
			return fmt.Errorf("ORDER BY item %q is not one output column", f[0])
		}
		keys = append(keys, idx[0])
	}
	last := len(rows)
	if limit >= 0 && limit+1 < last {
		last = limit + 1
	}
	for i := 1; i < last; i++ {
		tie := true
		for _, k := range keys {
			if rows[i][k] != rows[i-1][k] {
				tie = false
				break
			}
		}
		if tie {
			return fmt.Errorf("rows %d and %d tie on the ORDER BY keys, so their order is not determined", i-1, i)
		}
	}
	return nil
}
