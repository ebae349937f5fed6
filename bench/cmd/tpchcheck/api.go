package main

import (
	"context"
	"fmt"
	"time"

	"github.com/embersql/ember/bench/tpch"
	"github.com/embersql/ember/dataframe"
)

// stopGrace is how long apiEngine waits for a query to return after its context is
// cancelled before it gives up on it.
const stopGrace = 30 * time.Second

// apiEngine runs scripts in an Ember session of this process (in-memory catalog, nothing
// written to disk), through dataframe.Session.Exec: the Go API.
//
// A query that does not return within stopGrace of its cancellation (a timeout) is
// abandoned: its goroutine keeps the old session, and the check goes on in a new session
// with the tables registered again. The abandoned goroutine still uses CPU until it ends,
// which Go gives no way to stop; the later timings are then not to be trusted.
type apiEngine struct {
	sess *dataframe.Session
	dir  string // the registered data, for a new session
}

func newAPIEngine() (*apiEngine, error) {
	sess, err := dataframe.NewSession(dataframe.WithInMemoryCatalog())
	if err != nil {
		return nil, err
	}
	return &apiEngine{sess: sess}, nil
}

func (e *apiEngine) register(ctx context.Context, dir string) error {
	e.dir = dir
	for _, t := range tpch.Tables {
		sql := fmt.Sprintf("CREATE TABLE %s USING parquet LOCATION %s", t.Name, tpch.SQLString(tpch.TablePath(dir, t.Name)))
		if err := execStatement(ctx, e.sess, sql); err != nil {
			return fmt.Errorf("register %s: %w", t.Name, err)
		}
	}
	return nil
}

func (e *apiEngine) run(ctx context.Context, s tpch.Script) ([][]string, error) {
	sess := e.sess
	rows, abandoned, err := runOrAbandon(ctx, stopGrace, func() ([][]string, error) { return runInSession(ctx, sess, s) })
	if !abandoned {
		return rows, err
	}
	fresh, ferr := newAPIEngine()
	if ferr == nil {
		ferr = fresh.register(context.Background(), e.dir)
	}
	if ferr != nil {
		return nil, fmt.Errorf("%w; and a new session failed: %v", err, ferr)
	}
	e.sess = fresh.sess
	return nil, err
}

// runOrAbandon runs fn in a goroutine and returns its result; a panic in fn becomes an
// error. When ctx ends first, fn has grace to notice and return; after that it is
// abandoned (abandoned is true, err says so) and its goroutine is left to finish alone.
func runOrAbandon(ctx context.Context, grace time.Duration, fn func() ([][]string, error)) (rows [][]string, abandoned bool, err error) {
	type result struct {
		rows [][]string
		err  error
	}
	done := make(chan result, 1) // buffered: an abandoned fn must not block on it
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("panic: %v", r)}
			}
		}()
		rows, err := fn()
		done <- result{rows, err}
	}()
	select {
	case r := <-done:
		return r.rows, false, r.err
	case <-ctx.Done():
	}
	select {
	case r := <-done:
		if r.err == nil {
			return r.rows, false, nil // finished just in time
		}
		return nil, false, fmt.Errorf("%w (%v)", ctx.Err(), r.err)
	case <-time.After(grace):
		return nil, true, fmt.Errorf("%w; the query did not stop within %s of its cancellation and was abandoned (later timings may suffer)", ctx.Err(), grace)
	}
}

func (e *apiEngine) close() error { return e.sess.Close() }

// runInSession runs the script's statements in sess and returns the query's rows. When
// the setup succeeded the teardown runs even if the query failed, so that the session is
// left as it was found.
func runInSession(ctx context.Context, sess *dataframe.Session, s tpch.Script) (rows [][]string, err error) {
	for _, st := range s.Setup {
		if err := execStatement(ctx, sess, st); err != nil {
			return nil, fmt.Errorf("setup: %w", err)
		}
	}
	defer func() {
		for _, st := range s.Teardown {
			if terr := execStatement(ctx, sess, st); terr != nil && err == nil {
				rows, err = nil, fmt.Errorf("teardown: %w", terr)
			}
		}
	}()
	res, err := sess.Exec(ctx, s.Query)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	return tpch.FormatRows(res.Batches)
}

// execStatement runs a statement whose result is not needed.
func execStatement(ctx context.Context, sess *dataframe.Session, sql string) error {
	res, err := sess.Exec(ctx, sql)
	if err != nil {
		return err
	}
	res.Release()
	return nil
}
