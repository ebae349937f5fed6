package dataframe

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// DataFrame is a lazy query: a SELECT text over the session's tables and the hidden
// relations DataFrames register (hiddenPrefix), bound, optimized and run only by an action
// (Collect, Count, Show, Write ...). Every transformation returns a new DataFrame whose text
// reads this one as a derived table, so a DataFrame pipeline and the SQL a user would write
// bind to the same logical plan and go through the same optimizer (CollapseProjects and
// FilterPushdown flatten the nesting).
//
// Errors: a transformation given bad input (an unknown column is found when the text is
// bound) keeps the first error and returns a DataFrame that carries it; the next action,
// or Err, returns it, as bufio.Scanner does. A DataFrame is safe for concurrent use; its
// actions run as separate queries.
type DataFrame struct {
	s   *Session
	sql string
	// alias names this DataFrame when another one reads it as a derived table; unique in
	// the session, so that Col qualifies a column by it (df.Col("id")).
	alias string
	err   error
	// ordered: sql ends with ORDER BY, which Limit extends instead of wrapping (a derived
	// table's order is not kept by the query reading it).
	ordered bool

	once   sync.Once
	schema planner.Schema // bound schema, set by bound
	bindE  error

	cache atomic.Pointer[cacheEntry] // set by Cache/Persist
	// table is the catalog name of a DataFrame made by Session.Table: caching it caches
	// the table (table_cache.go). "" otherwise.
	table string
	// join is set on a join not yet projected (join_scope.go): sql is join.text().
	join *joinScope
}

// newDF returns a DataFrame over sql.
func (s *Session) newDF(sql string) *DataFrame {
	return &DataFrame{s: s, sql: sql, alias: s.nextName("__t")}
}

// errDF returns a DataFrame that carries err.
func (s *Session) errDF(err error) *DataFrame {
	return &DataFrame{s: s, err: err, alias: s.nextName("__t")}
}

// nextName returns prefix followed by a number unique in the session.
func (s *Session) nextName(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, s.seq.Add(1))
}

// derive returns a DataFrame over sql built from d, carrying d's error (and err when set).
func (d *DataFrame) derive(sql string, err error) *DataFrame {
	switch {
	case d.err != nil:
		return d.s.errDF(d.err)
	case err != nil:
		return d.s.errDF(err)
	}
	return d.s.newDF(sql)
}

// from is d as a derived table of a FROM clause.
func (d *DataFrame) from() string {
	return "(" + d.text() + ") AS " + sqlIdent(d.alias)
}

// text is the query d stands for now: its own text, or a scan of its cached result.
func (d *DataFrame) text() string {
	if c := d.cache.Load(); c != nil {
		return "SELECT * FROM " + sqlIdent(c.name)
	}
	return d.sql
}

// Err returns the error the DataFrame carries, if any (transformations keep the first one).
func (d *DataFrame) Err() error {
	if d.err != nil {
		return d.err
	}
	if d.s.closed.Load() {
		return errs.Planf("the DataFrame's session is closed")
	}
	return nil
}

// SQL returns the query text the DataFrame stands for (for logs and debugging).
func (d *DataFrame) SQL() string { return d.text() }

// Session returns the DataFrame's session.
func (d *DataFrame) Session() *Session { return d.s }

// bind parses and binds the DataFrame's text.
func (d *DataFrame) bind() (planner.Plan, error) {
	if err := d.Err(); err != nil {
		return nil, err
	}
	stmts, err := parser.Parse(d.text())
	if err != nil {
		return nil, errs.Wrap(errs.ErrParse, err, "")
	}
	if len(stmts) != 1 {
		return nil, errs.Internalf("a DataFrame's text holds %d statements", len(stmts))
	}
	q, ok := stmts[0].(*parser.Query)
	if !ok {
		return nil, errs.Internalf("a DataFrame's text is not a query")
	}
	p, err := d.s.binder().BindQuery(q)
	return p, outOfScope(err)
}

// foreignQualifier matches the binder's error for a column qualified by a DataFrame's
// alias (df.Col) where that DataFrame is not an input.
var foreignQualifier = regexp.MustCompile(`unknown column "__t\d+\.([^"]*)"[^;]*(; did you mean "__t\d+\.[^"]*"\?)?`)

// outOfScope rewrites the binder's error about a column of df.Col("c") used where df is
// not an input (after a Select or GroupBy of a join, say), which would otherwise name
// internal aliases.
func outOfScope(err error) error {
	if err == nil || !foreignQualifier.MatchString(err.Error()) {
		return err
	}
	m := foreignQualifier.FindStringSubmatch(err.Error())
	return errs.Planf("column %q is named through a DataFrame (df.Col) that is not an input of this step: "+
		"a join's inputs name their columns until a Select, GroupBy or Agg reads the join; name it Col(%q) after that", m[1], m[1])
}

// bound binds the DataFrame once and returns its schema.
func (d *DataFrame) bound() (planner.Schema, error) {
	if err := d.Err(); err != nil {
		return nil, err
	}
	d.once.Do(func() {
		p, err := d.bind()
		if err != nil {
			d.bindE = err
			return
		}
		d.schema = p.Schema()
	})
	return d.schema, d.bindE
}

// Schema returns the DataFrame's Arrow schema (binding it; no data is read).
func (d *DataFrame) Schema() (*arrow.Schema, error) {
	s, err := d.bound()
	if err != nil {
		return nil, err
	}
	return s.Arrow(), nil
}

// Columns returns the DataFrame's column names, in order.
func (d *DataFrame) Columns() ([]string, error) {
	s, err := d.bound()
	if err != nil {
		return nil, err
	}
	out := make([]string, len(s))
	for i, c := range s {
		out[i] = c.Name
	}
	return out, nil
}

// DTypes returns each column's name and SQL type, as Spark's dtypes.
func (d *DataFrame) DTypes() ([][2]string, error) {
	s, err := d.bound()
	if err != nil {
		return nil, err
	}
	out := make([][2]string, len(s))
	for i, c := range s {
		out[i] = [2]string{c.Name, planner.TypeString(c.Type)}
	}
	return out, nil
}

// PrintSchema returns the schema as Spark's printSchema prints it (root, then one
// "|-- name: type (nullable = ...)" line per column, nested types indented).
func (d *DataFrame) PrintSchema() (string, error) {
	s, err := d.Schema()
	if err != nil {
		return "", err
	}
	return treeString(s), nil
}

// Explain returns the plans of the DataFrame as EXPLAIN prints them: mode "" or "physical"
// (the physical plan), "logical" (bound and optimized logical plans), "verbose" (every plan,
// the optimizer's trace and estimates), "analyze" (runs the query and prints per-operator
// metrics).
func (d *DataFrame) Explain(ctx context.Context, mode string) (string, error) {
	if err := d.Err(); err != nil {
		return "", err
	}
	var prefix string
	switch strings.ToLower(mode) {
	case "", "physical":
		prefix = "EXPLAIN PHYSICAL "
	case "logical":
		prefix = "EXPLAIN LOGICAL "
	case "verbose", "extended":
		prefix = "EXPLAIN VERBOSE "
	case "analyze":
		prefix = "EXPLAIN ANALYZE "
	default:
		return "", errs.Planf("unknown explain mode %q (use physical, logical, verbose or analyze)", mode)
	}
	res, err := d.s.Exec(ctx, prefix+d.text())
	if err != nil {
		return "", err
	}
	defer res.Release()
	rows, err := rowsFromBatches(res.Batches)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintln(&b, r[0])
	}
	return b.String(), nil
}

// sqlIdent quotes an identifier with backquotes (a backquote inside is doubled).
func sqlIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// columnIndex finds a column of s by name (case-insensitive, as SQL resolves it), or -1.
func columnIndex(s planner.Schema, name string) int {
	for i, c := range s {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

// unknownColumn is the error for a column name s lacks, with the nearest name.
func unknownColumn(s planner.Schema, name string) error {
	names := make([]string, len(s))
	for i, c := range s {
		names[i] = c.Name
	}
	msg := fmt.Sprintf("unknown column %q", name)
	if near := udf.Nearest(name, names); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return errs.Planf("%s (columns: %s)", msg, strings.Join(names, ", "))
}

// WithError returns a DataFrame derived from d that carries err: its actions report err
// (or d's own error, when d has one). Transformations built outside this package (package
// ml's Transform) use it to report a failure lazily, as the built-in ones do.
func (d *DataFrame) WithError(err error) *DataFrame { return d.derive("", err) }
