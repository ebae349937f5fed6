package dataframe

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/internal/errs"
)

// Result is the outcome of one statement. A query fills Schema and Batches (the caller
// releases them with Release); a command (DDL, SET) leaves Schema nil and may set Message.
type Result struct {
	Schema  *arrow.Schema
	Batches []arrow.RecordBatch
	Message string
}

// Release frees the result's batches.
func (r *Result) Release() {
	for _, b := range r.Batches {
		b.Release()
	}
	r.Batches = nil
}

// NumRows counts the result's rows.
func (r *Result) NumRows() int64 {
	var n int64
	for _, b := range r.Batches {
		n += b.NumRows()
	}
	return n
}

// Option configures a Session.
type Option func(*config)

type config struct {
	warehouse  string
	partitions int
	batchSize  int
	mem        memory.Allocator
}

// Session is Ember's SparkSession: catalog, configuration, function registry, SQL pipeline.
type Session struct{ cfg config }

// NewSession opens a session.
func NewSession(opts ...Option) (*Session, error) {
	s := &Session{}
	for _, o := range opts {
		o(&s.cfg)
	}
	return s, nil
}

// Exec runs one SQL statement and returns its result.
func (s *Session) Exec(ctx context.Context, sql string) (*Result, error) {
	return nil, errs.NotImplementedf("the SQL pipeline is not built yet")
}

// TableNames lists the visible tables and views, for completion.
func (s *Session) TableNames() []string { return nil }

// ColumnNames lists the columns of a table, for completion.
func (s *Session) ColumnNames(table string) []string { return nil }

// FunctionNames lists the visible functions, for completion.
func (s *Session) FunctionNames() []string { return nil }

// Close releases the session's resources.
func (s *Session) Close() error { return nil }
