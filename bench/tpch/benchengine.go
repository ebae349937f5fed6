package tpch

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/dataframe"
)

// The engines RunBench compares, as named in reports and on a worker's command line.
const (
	EngineEmber  = "ember"
	EngineDuckDB = "duckdb"
)

// benchRun is one run of a query's script on one engine: what a measuring child sends
// back to RunBench (one JSON value per run), or what an in-process session returns.
type benchRun struct {
	// Seconds is the wall time of the script's statements, the query's result
	// materialized and released; Text's formatting is not in it.
	Seconds float64 `json:"seconds"`
	// Rows counts the query's result rows.
	Rows int64 `json:"rows"`
	// Text holds the rows as FormatRows renders them, when the run was asked for them.
	Text [][]string `json:"text,omitempty"`
	// Err is the engine's error (or a panic, or a timeout); the other fields are then
	// meaningless.
	Err string `json:"error,omitempty"`
}

// benchSession is one engine with the eight TPC-H tables registered, running and timing
// query scripts. It is not safe for concurrent use.
type benchSession interface {
	// run runs query n's script once (see benchRun); text asks for the rows as text.
	run(ctx context.Context, n int, text bool) benchRun
	// version names the engine's build (DuckDB's version string; Ember's is the commit).
	version() string
	close() error
}

// openBenchSession opens engine over the Parquet files of dir (absolute), with threads
// partitions (Ember) or threads (DuckDB).
func openBenchSession(ctx context.Context, engine, dir string, threads int) (benchSession, error) {
	switch engine {
	case EngineEmber:
		return openEmberBench(ctx, dir, threads)
	case EngineDuckDB:
		return openDuckBench(ctx, dir, threads)
	}
	return nil, fmt.Errorf("tpch: unknown engine %q (want %s or %s)", engine, EngineEmber, EngineDuckDB)
}

// emberBench runs scripts in one dataframe.Session: in-memory catalog, the eight files
// registered once as external tables (CREATE TABLE t USING parquet LOCATION '...').
type emberBench struct{ sess *dataframe.Session }

func openEmberBench(ctx context.Context, dir string, partitions int) (*emberBench, error) {
	sess, err := dataframe.NewSession(dataframe.WithInMemoryCatalog(), dataframe.WithPartitions(partitions))
	if err != nil {
		return nil, err
	}
	e := &emberBench{sess: sess}
	for _, t := range Tables {
		sql := fmt.Sprintf("CREATE TABLE %s USING parquet LOCATION %s", t.Name, SQLString(TablePath(dir, t.Name)))
		if err := e.exec(ctx, sql); err != nil {
			sess.Close()
			return nil, fmt.Errorf("ember: register %s: %w", t.Name, err)
		}
	}
	return e, nil
}

func (e *emberBench) exec(ctx context.Context, sql string) error {
	res, err := e.sess.Exec(ctx, sql)
	if err != nil {
		return err
	}
	res.Release()
	return nil
}

func (e *emberBench) query(ctx context.Context, sql string) ([]arrow.RecordBatch, func(), error) {
	res, err := e.sess.Exec(ctx, sql)
	if err != nil {
		return nil, nil, err
	}
	return res.Batches, res.Release, nil
}

func (e *emberBench) run(ctx context.Context, n int, text bool) benchRun {
	s, err := QueryScript(n)
	if err != nil {
		return benchRun{Err: err.Error()}
	}
	return timeScript(ctx, s, text, e.exec, e.query)
}

func (e *emberBench) version() string { return "" }
func (e *emberBench) close() error    { return e.sess.Close() }

// duckBench runs the DuckDB translations (ToDuckDB) of the scripts on one connection,
// over views of read_parquet: DuckDB reads the same files at every run, not a copy in
// its own storage.
type duckBench struct{ d *DuckDB }

func openDuckBench(ctx context.Context, dir string, threads int) (*duckBench, error) {
	d, err := OpenDuckDB(ctx)
	if err != nil {
		return nil, err
	}
	if err := d.Exec(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		d.Close()
		return nil, err
	}
	for _, t := range Tables {
		if err := d.RegisterParquet(ctx, t.Name, TablePath(dir, t.Name)); err != nil {
			d.Close()
			return nil, fmt.Errorf("duckdb: register %s: %w", t.Name, err)
		}
	}
	return &duckBench{d: d}, nil
}

func (b *duckBench) query(ctx context.Context, sql string) ([]arrow.RecordBatch, func(), error) {
	_, batches, err := b.d.Query(ctx, sql)
	if err != nil {
		return nil, nil, err
	}
	return batches, func() { releaseAll(batches) }, nil
}

func (b *duckBench) run(ctx context.Context, n int, text bool) benchRun {
	s, err := QueryScript(n)
	if err != nil {
		return benchRun{Err: err.Error()}
	}
	// Translated before the clock starts: the translation is the harness's, not DuckDB's.
	var t Script
	for _, st := range s.Setup {
		q, err := ToDuckDB(st)
		if err != nil {
			return benchRun{Err: err.Error()}
		}
		t.Setup = append(t.Setup, q)
	}
	if t.Query, err = ToDuckDB(s.Query); err != nil {
		return benchRun{Err: err.Error()}
	}
	for _, st := range s.Teardown {
		q, err := ToDuckDB(st)
		if err != nil {
			return benchRun{Err: err.Error()}
		}
		t.Teardown = append(t.Teardown, q)
	}
	return timeScript(ctx, t, text, b.d.Exec, b.query)
}

func (b *duckBench) version() string { return b.d.Version() }
func (b *duckBench) close() error    { return b.d.Close() }

// timeScript runs s through exec (setup and teardown) and query (the query, whose batches
// it releases through the returned func) and times it all: the setup, the query with its
// rows materialized, the release of the batches, the teardown. When text is set the rows
// are rendered (FormatRows) before the release, off the clock. A Go garbage collection
// runs before the clock starts, so that one run's garbage is not collected on the next
// one's time. When the setup succeeded the teardown runs even if the query failed. A
// panic becomes the run's error.
func timeScript(ctx context.Context, s Script, text bool,
	exec func(context.Context, string) error,
	query func(context.Context, string) ([]arrow.RecordBatch, func(), error),
) (r benchRun) {
	defer func() {
		if p := recover(); p != nil {
			r = benchRun{Err: fmt.Sprintf("panic: %v", p)}
		}
	}()
	runtime.GC()
	var untimed time.Duration
	start := time.Now()
	err := func() (err error) {
		for _, st := range s.Setup {
			if err := exec(ctx, st); err != nil {
				return fmt.Errorf("setup: %w", err)
			}
		}
		defer func() {
			for _, st := range s.Teardown {
				if terr := exec(ctx, st); terr != nil && err == nil {
					err = fmt.Errorf("teardown: %w", terr)
				}
			}
		}()
		batches, release, err := query(ctx, s.Query)
		if err != nil {
			return err
		}
		defer release() // timed: freeing the result is part of running the query
		for _, b := range batches {
			r.Rows += b.NumRows()
		}
		if text {
			t0 := time.Now()
			r.Text, err = FormatRows(batches)
			untimed = time.Since(t0)
		}
		return err
	}()
	r.Seconds = (time.Since(start) - untimed).Seconds()
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return benchRun{Err: err.Error()}
	}
	return r
}
