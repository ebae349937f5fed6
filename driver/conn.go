package driver

import (
	"context"
	sqldriver "database/sql/driver"
	"errors"

	"github.com/embersql/ember/dataframe"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
)

// conn is one connection: one dataframe.Session. database/sql never uses a connection from
// two goroutines at once, and holds it while its Rows are open.
type conn struct {
	s *dataframe.Session
}

var (
	_ sqldriver.Conn               = (*conn)(nil)
	_ sqldriver.ConnPrepareContext = (*conn)(nil)
	_ sqldriver.ConnBeginTx        = (*conn)(nil)
	_ sqldriver.QueryerContext     = (*conn)(nil)
	_ sqldriver.ExecerContext      = (*conn)(nil)
	_ sqldriver.NamedValueChecker  = (*conn)(nil)
)

// errNoTx is what Begin returns: Ember has no transactions, and a BEGIN that could not roll
// back would lie.
var errNoTx = errs.NotImplementedf("transactions are not supported: every statement commits on its own")

// Prepare is PrepareContext without a context.
func (c *conn) Prepare(query string) (sqldriver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext checks that query parses and returns a statement that runs it. The text is
// parsed again at every execution (the parsed tree holds the parameters' values); binding
// and planning happen at execution too, so a prepared statement sees tables created later.
func (c *conn) PrepareContext(ctx context.Context, query string) (sqldriver.Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := parser.Parse(query); err != nil {
		return nil, errs.Wrap(errs.ErrParse, err, "")
	}
	return &stmt{c: c, query: query}, nil
}

// Close closes the session; its temporary views are gone.
func (c *conn) Close() error { return c.s.Close() }

// Begin returns an error: see errNoTx.
func (c *conn) Begin() (sqldriver.Tx, error) { return nil, errNoTx }

// BeginTx returns an error: see errNoTx.
func (c *conn) BeginTx(context.Context, sqldriver.TxOptions) (sqldriver.Tx, error) {
	return nil, errNoTx
}

// CheckNamedValue lets a Decimal (and a uint64 past BIGINT, which binds as a DECIMAL) reach
// the engine unconverted and refuses named parameters; every other value goes through
// database/sql's default conversion.
func (c *conn) CheckNamedValue(nv *sqldriver.NamedValue) error {
	if nv.Name != "" {
		return errs.Planf("named parameter %q is not supported; use ? markers", nv.Name)
	}
	switch v := nv.Value.(type) {
	case Decimal:
		d, err := ParseDecimal(string(v))
		if err != nil {
			return errs.Wrap(errs.ErrPlan, err, "parameter %d", nv.Ordinal)
		}
		nv.Value = d
		return nil
	case *Decimal:
		if v == nil {
			nv.Value = nil
			return nil
		}
		nv.Value = *v
		return c.CheckNamedValue(nv)
	case uint64:
		return nil
	}
	return sqldriver.ErrSkip
}

// QueryContext runs query with args for its ? markers and returns its rows.
func (c *conn) QueryContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	res, err := c.run(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return newRows(res), nil
}

// ExecContext runs query with args for its ? markers and discards its rows.
func (c *conn) ExecContext(ctx context.Context, query string, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	res, err := c.run(ctx, query, args)
	if err != nil {
		return nil, err
	}
	res.Release()
	return result{rowsAffected: res.RowsAffected}, nil
}

// run executes query on the session. An error of a query whose context ended is a canceled
// error wrapping ctx.Err() (errors.Is(err, context.Canceled) or DeadlineExceeded holds).
func (c *conn) run(ctx context.Context, query string, args []sqldriver.NamedValue) (*dataframe.Result, error) {
	params := make([]any, len(args))
	for i, a := range args {
		params[i] = a.Value
	}
	res, err := c.s.ExecParams(ctx, query, params)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = errs.Canceled(cerr)
		}
		return nil, err
	}
	return res, nil
}

// stmt is a prepared statement: its text, run through its connection.
type stmt struct {
	c     *conn
	query string
}

var (
	_ sqldriver.Stmt             = (*stmt)(nil)
	_ sqldriver.StmtExecContext  = (*stmt)(nil)
	_ sqldriver.StmtQueryContext = (*stmt)(nil)
)

// Close does nothing: a statement holds no resources.
func (s *stmt) Close() error { return nil }

// NumInput returns -1: the engine counts the markers and reports a mismatch naming both
// counts.
func (s *stmt) NumInput() int { return -1 }

// Exec is ExecContext without a context.
func (s *stmt) Exec(args []sqldriver.Value) (sqldriver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

// Query is QueryContext without a context.
func (s *stmt) Query(args []sqldriver.Value) (sqldriver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

// ExecContext runs the statement with args.
func (s *stmt) ExecContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Result, error) {
	return s.c.ExecContext(ctx, s.query, args)
}

// QueryContext runs the statement with args and returns its rows.
func (s *stmt) QueryContext(ctx context.Context, args []sqldriver.NamedValue) (sqldriver.Rows, error) {
	return s.c.QueryContext(ctx, s.query, args)
}

func named(args []sqldriver.Value) []sqldriver.NamedValue {
	out := make([]sqldriver.NamedValue, len(args))
	for i, a := range args {
		out[i] = sqldriver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

// result is an Exec's outcome.
type result struct {
	rowsAffected int64
}

// LastInsertId returns an error: Ember tables have no generated keys.
func (result) LastInsertId() (int64, error) {
	return 0, errs.NotImplementedf("LastInsertId is not supported")
}

// RowsAffected returns the rows a DML statement changed (0 for queries and DDL).
func (r result) RowsAffected() (int64, error) { return r.rowsAffected, nil }
