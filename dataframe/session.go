package dataframe

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/embersql/ember/exec"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/optimizer"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/sql/planner/binder"
	"github.com/embersql/ember/udf"
)

// Result is the outcome of one statement. A query fills Schema and Batches (the caller
// releases them with Release); a command (DDL, SET) leaves Schema nil and may set Message.
type Result struct {
	Schema  *arrow.Schema
	Batches []arrow.RecordBatch
	Message string
	// Text marks a result of one VARCHAR column whose rows are lines of preformatted text
	// (EXPLAIN); front ends may print the lines as they are instead of a table.
	Text bool
	// RowsAffected counts the rows a DML statement inserted, updated or deleted; 0 for
	// queries and DDL.
	RowsAffected int64
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

// WithWarehouse sets the warehouse directory that holds managed tables and the catalog;
// "" keeps the session's default.
func WithWarehouse(dir string) Option { return func(c *config) { c.warehouse = dir } }

// WithPartitions sets how many partitions a query's stages use; 0 keeps the default (the
// number of cores).
func WithPartitions(n int) Option { return func(c *config) { c.partitions = n } }

// WithBatchSize sets the target number of rows per batch; 0 keeps the default (8192).
func WithBatchSize(n int) Option { return func(c *config) { c.batchSize = n } }

// WithAllocator sets the Arrow allocator every query allocates from (tests pass a checked
// allocator to catch leaks).
func WithAllocator(mem memory.Allocator) Option { return func(c *config) { c.mem = mem } }

// WithInMemoryCatalog keeps the catalog in memory only: nothing is written to disk.
func WithInMemoryCatalog() Option { return func(c *config) { c.inMemory = true } }

type config struct {
	warehouse  string
	inMemory   bool
	partitions int
	batchSize  int
	mem        memory.Allocator
	memLimit   int64
	exts       []Extension
}

// DefaultWarehouse is the warehouse directory used when none is given:
// $EMBER_WAREHOUSE, else <user data dir>/ember/warehouse ($XDG_DATA_HOME or ~/.local/share).
func DefaultWarehouse() string {
	if d := os.Getenv("EMBER_WAREHOUSE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "ember", "warehouse")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "ember", "warehouse")
	}
	return filepath.Join(os.TempDir(), "ember-warehouse")
}

// Session is Ember's SparkSession: it owns the catalog, the configuration and the function
// registry (a child of the built-ins), and runs the SQL pipeline
// parse → bind → optimize → physical plan → run. A Session is safe for sequential use; run
// concurrent queries from separate goroutines only through separate Exec calls that do not
// change the catalog at the same time.
type Session struct {
	cfg   config
	cat   *catalog
	funcs *udf.Registry
	fresh bool
	// settings are the values SET gave (settings.go), by lower-case name.
	settings map[string]string
	// seq numbers the names DataFrames create (aliases, hidden relations).
	seq atomic.Int64
	// closed is set by Close: DataFrames of a closed session refuse to run.
	closed atomic.Bool
	// df holds the DataFrame API's session state (dataframe.go, cache.go, shared.go).
	df dfState
	// exts are the extensions registered when the session opened (extension.go), extState
	// what they keep in it.
	exts     []Extension
	extState sync.Map
}

// NewSession opens a session on a warehouse directory (see DefaultWarehouse).
func NewSession(opts ...Option) (*Session, error) {
	s := &Session{settings: map[string]string{}}
	for _, o := range opts {
		o(&s.cfg)
	}
	if s.cfg.partitions <= 0 {
		s.cfg.partitions = runtime.GOMAXPROCS(0)
	}
	if s.cfg.batchSize <= 0 {
		s.cfg.batchSize = 8192
	}
	if s.cfg.mem == nil {
		s.cfg.mem = exec.DefaultAllocator
	}
	if s.cfg.memLimit > 0 {
		s.cfg.mem = &limitAllocator{parent: s.cfg.mem, limit: s.cfg.memLimit}
	}
	dir := s.cfg.warehouse
	if s.cfg.inMemory {
		dir = ""
	} else if dir == "" {
		dir = DefaultWarehouse()
	}
	s.cfg.warehouse = dir
	cat, fresh, err := openCatalog(dir)
	if err != nil {
		return nil, err
	}
	s.cat, s.fresh = cat, fresh
	s.funcs = udf.NewBuiltins().Child()
	if err := s.setupExtensions(); err != nil {
		return nil, err
	}
	return s, nil
}

// Warehouse returns the warehouse directory ("" for an in-memory catalog).
func (s *Session) Warehouse() string { return s.cfg.warehouse }

// IsNewWarehouse reports whether the session created its warehouse's catalog (the shell
// seeds a new warehouse with the sample data).
func (s *Session) IsNewWarehouse() bool { return s.fresh }

// Functions returns the session's function registry (register session UDFs on it).
func (s *Session) Functions() *udf.Registry { return s.funcs }

// Exec runs the SQL statements in sql in order and returns the last one's result. An error
// stops the script at the failing statement.
func (s *Session) Exec(ctx context.Context, sql string) (*Result, error) {
	return s.ExecParams(ctx, sql, nil)
}

// ExecParams is Exec with values for the ? parameter markers of sql, in the order the
// markers are written (across all statements of the script). The number of markers must
// equal len(params); the Go types a value may have are those of binder.SetParams (nil,
// integers, floats, string, []byte, bool, time.Time, binder.DecimalParam). A marker inside a
// CREATE VIEW is an error (a view's text is bound again at every use).
func (s *Session) ExecParams(ctx context.Context, sql string, params []any) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			if res != nil {
				res.Release()
			}
			res, err = nil, errs.FromPanic(r)
		}
	}()
	stmts, err := parser.Parse(sql)
	if err != nil {
		return nil, errs.Wrap(errs.ErrParse, err, "")
	}
	if err := binder.SetParams(stmts, params); err != nil {
		return nil, err
	}
	if len(stmts) == 0 {
		return &Result{}, nil
	}
	for i, st := range stmts {
		if res != nil {
			res.Release()
		}
		// now() and friends read one clock per statement, the same in every task.
		res, err = s.execStatement(udf.WithStatementTime(ctx, time.Now()), st)
		if err != nil {
			if len(stmts) > 1 {
				return nil, errs.Wrap(errs.ErrExecution, err, "statement %d", i+1)
			}
			return nil, err
		}
	}
	return res, nil
}

// binder returns a binder over the session's catalog and functions.
func (s *Session) binder() *binder.Binder {
	return &binder.Binder{Catalog: s.cat, Funcs: s.funcs}
}

// optimize runs the rule optimizer over a bound plan.
func (s *Session) optimize(p planner.Plan) (planner.Plan, *optimizer.Trace, error) {
	// SET checked the value; an unset one reads as the default.
	broadcast, err := broadcastThreshold(s.settings["ember.optimizer.broadcast_threshold_rows"])
	if err != nil {
		return nil, &optimizer.Trace{}, err
	}
	o := optimizer.New(optimizer.DefaultBatches(), optimizer.Options{Eval: exec.EvalConstant,
		Disabled:               splitList(s.settings["ember.optimizer.disabled_rules"]),
		BroadcastThresholdRows: broadcast})
	return o.Optimize(p)
}

// physical builds the physical plan of an optimized logical plan.
func (s *Session) physical(ctx context.Context, p planner.Plan) (exec.Node, error) {
	// SET checked the value; an unset one reads as the default (on).
	on, _ := runtimeFiltersOn(s.settings["ember.optimizer.runtime_filters"])
	pp := &exec.PhysicalPlanner{Partitions: s.cfg.partitions, Ctx: ctx, NoRuntimeFilters: !on, Funcs: s.funcs}
	return pp.Plan(p)
}

// runtimeFiltersOn reads ember.optimizer.runtime_filters ("" is the default, on).
func runtimeFiltersOn(v string) (bool, error) {
	switch v {
	case "", "1", "true", "TRUE", "True", "on", "ON":
		return true, nil
	case "0", "false", "FALSE", "False", "off", "OFF":
		return false, nil
	}
	return false, errs.Planf("ember.optimizer.runtime_filters must be true or false, not %q", v)
}

// TableNames lists the visible tables and views, for completion.
func (s *Session) TableNames() []string { return s.cat.TableNames() }

// ColumnNames lists the columns of a table or view (nil when unknown), for completion.
func (s *Session) ColumnNames(table string) []string {
	sch, err := s.tableSchema(table)
	if err != nil {
		return nil
	}
	out := make([]string, len(sch))
	for i, c := range sch {
		out[i] = c.Name
	}
	return out
}

// FunctionNames lists the visible functions, for completion.
func (s *Session) FunctionNames() []string { return s.funcs.Names() }

// Close releases the session's resources: the DataFrames' in-memory data and caches.
// Actions of the session's DataFrames fail afterwards.
func (s *Session) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.releaseDataFrames()
}
