package dataframe

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/exec"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/sql/planner"
)

// Actions run the DataFrame's query (one job, in Spark's words) and return or write its
// rows. Each first materializes the caches the query reads (cache.go).

// run binds, optimizes, plans and runs the DataFrame's query, recording what its scans
// read in the session's metrics.
func (d *DataFrame) run(ctx context.Context) (*Result, error) {
	if err := d.Err(); err != nil {
		return nil, err
	}
	p, err := d.bind()
	if err != nil {
		return nil, err
	}
	return d.s.runPlan(ctx, p)
}

// runPlan builds the caches a bound plan reads, then optimizes, plans and runs it, adding
// what its scans read to the session's metrics.
func (s *Session) runPlan(ctx context.Context, p planner.Plan) (*Result, error) {
	if err := s.materializeCaches(ctx, p); err != nil {
		return nil, err
	}
	opt, _, err := s.optimize(p)
	if err != nil {
		return nil, err
	}
	node, err := s.physical(ctx, opt)
	if err != nil {
		return nil, err
	}
	ex, err := exec.Run(ctx, node, exec.Config{Parallelism: s.cfg.partitions, BatchSize: s.cfg.batchSize, Mem: s.cfg.mem})
	if err != nil {
		return nil, err
	}
	s.df.recordScans(node, ex)
	return &Result{Schema: opt.Schema().Arrow(), Batches: ex.Batches}, nil
}

// Collect runs the query and returns its rows as Arrow batches, which the caller releases.
func (d *DataFrame) Collect(ctx context.Context) ([]arrow.RecordBatch, error) {
	res, err := d.run(ctx)
	if err != nil {
		return nil, err
	}
	return res.Batches, nil
}

// CollectRows runs the query and returns its rows as Go values (see Row).
func (d *DataFrame) CollectRows(ctx context.Context) ([]Row, error) {
	res, err := d.run(ctx)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	return rowsFromBatches(res.Batches)
}

// Count returns the number of rows.
func (d *DataFrame) Count(ctx context.Context) (int64, error) {
	res, err := d.derive("SELECT count(*) FROM "+d.rowScope(), nil).run(ctx)
	if err != nil {
		return 0, err
	}
	defer res.Release()
	rows, err := rowsFromBatches(res.Batches)
	if err != nil {
		return 0, err
	}
	if len(rows) != 1 {
		return 0, errs.Internalf("count returned %d rows", len(rows))
	}
	return rows[0][0].(int64), nil
}

// Take returns the first n rows (of the order, after OrderBy) as Go values.
func (d *DataFrame) Take(ctx context.Context, n int) ([]Row, error) {
	return d.Limit(int64(n)).CollectRows(ctx)
}

// Head is Take.
func (d *DataFrame) Head(ctx context.Context, n int) ([]Row, error) { return d.Take(ctx, n) }

// First returns the first row; an empty DataFrame is an error.
func (d *DataFrame) First(ctx context.Context) (Row, error) {
	rows, err := d.Take(ctx, 1)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errs.Execf("First: the DataFrame has no rows")
	}
	return rows[0], nil
}

// Show prints the first n rows (20 when n is 0) to standard output in the shell's table
// format.
func (d *DataFrame) Show(ctx context.Context, n int) error {
	return d.ShowTo(ctx, os.Stdout, n)
}

// ShowTo is Show writing to w.
func (d *DataFrame) ShowTo(ctx context.Context, w io.Writer, n int) error {
	if n <= 0 {
		n = 20
	}
	res, err := d.Limit(int64(n)).run(ctx)
	if err != nil {
		return err
	}
	defer res.Release()
	return format.Write(w, format.Table, res.Schema, res.Batches, format.Options{MaxRows: -1})
}

// ShowString returns what Show prints.
func (d *DataFrame) ShowString(ctx context.Context, n int) (string, error) {
	var b strings.Builder
	if err := d.ShowTo(ctx, &b, n); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Describe returns Spark's describe(): count, mean, stddev, min and max of the named
// columns (every numeric and string column when none are named), one row per statistic,
// the values as strings under a first column "summary".
func (d *DataFrame) Describe(cols ...string) *DataFrame {
	return d.summary(cols, []string{"count", "mean", "stddev", "min", "max"})
}

// Summary returns Spark's summary(): describe's statistics plus the 25%, 50% and 75%
// percentiles, for every numeric and string column.
func (d *DataFrame) Summary() *DataFrame {
	return d.summary(nil, []string{"count", "mean", "stddev", "min", "25%", "50%", "75%", "max"})
}

func (d *DataFrame) summary(cols, stats []string) *DataFrame {
	s, err := d.Schema()
	if err != nil {
		return d.derive("", err)
	}
	sql, err := describeSQL(d.from(), s, cols, stats)
	return d.derive(sql, err)
}

// CreateOrReplaceTempView names the DataFrame for SQL in this session: Session.SQL and
// Exec then read it by name (it shadows a table of the same name; it is not listed by
// SHOW TABLES and goes away with the session).
func (d *DataFrame) CreateOrReplaceTempView(name string) error {
	if err := d.Err(); err != nil {
		return err
	}
	if name == "" || strings.ContainsAny(name, ".`") {
		return errs.Planf("invalid temporary view name %q", name)
	}
	if _, err := d.bound(); err != nil {
		return err
	}
	d.s.cat.addHidden(name, hiddenRel{view: &viewDef{name: name, sql: d.text()}})
	return nil
}

// ForeachPartition runs the partition function registered under fnName
// (Session.RegisterPartitionFunc) over each partition of the DataFrame, for its side
// effects (writing elsewhere, adding to accumulators); what the function writes is
// discarded.
func (d *DataFrame) ForeachPartition(ctx context.Context, fnName string) error {
	// A MapPartitions node needs an output column; the function writes no rows to it.
	none := arrow.NewSchema([]arrow.Field{{Name: "_", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}}, nil)
	res, err := d.mapPartitions(fnName, none).run(ctx)
	if err != nil {
		return err
	}
	res.Release()
	return nil
}

// String describes the DataFrame (its columns and types), as Spark prints one.
func (d *DataFrame) String() string {
	dt, err := d.DTypes()
	if err != nil {
		return fmt.Sprintf("DataFrame[error: %v]", err)
	}
	parts := make([]string, len(dt))
	for i, c := range dt {
		parts[i] = c[0] + ": " + c[1]
	}
	return "DataFrame[" + strings.Join(parts, ", ") + "]"
}
