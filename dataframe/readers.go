package dataframe

import (
	"context"
	"os"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
)

// The ways into the DataFrame API: a query, a table, files, or in-memory data. Each binds
// its relation at once, so a missing file or table is reported here, not at the first
// action.

// SQL returns a DataFrame over a query (SELECT, a set operation, WITH ...). Other
// statements (DDL, INSERT, SET) run at once, as spark.sql does, and the DataFrame holds
// their result (often empty).
func (s *Session) SQL(ctx context.Context, query string) (*DataFrame, error) {
	if s.closed.Load() {
		return nil, errs.Planf("the session is closed")
	}
	stmts, err := parser.Parse(query)
	if err != nil {
		return nil, errs.Wrap(errs.ErrParse, err, "")
	}
	if len(stmts) != 1 {
		return nil, errs.Planf("Session.SQL takes one statement, not %d", len(stmts))
	}
	if q, ok := stmts[0].(*parser.Query); ok && q.IsSelect() {
		return s.checked(s.newDF(strings.TrimRight(strings.TrimSpace(query), ";")))
	}
	res, err := s.Exec(ctx, query)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	if res.Schema == nil {
		return s.checked(s.newDF("SELECT 1 AS ok FROM (SELECT 1) AS t WHERE FALSE"))
	}
	return s.FromRecords(res.Schema, res.Batches...)
}

// checked binds d, returning its error.
func (s *Session) checked(d *DataFrame) (*DataFrame, error) {
	if _, err := d.bound(); err != nil {
		return nil, err
	}
	return d, nil
}

// Table returns a DataFrame over a table or view ("name" or "db.name").
func (s *Session) Table(name string) (*DataFrame, error) {
	if name == "" {
		return nil, errs.Planf("Table needs a table name")
	}
	d := s.newDF("SELECT * FROM " + quoteIdent(name))
	d.table = name
	return s.checked(d)
}

// CSVOptions are the options of ReadCSV, as Spark's CSV reader names them.
type CSVOptions struct {
	// Header takes column names from each file's first line.
	Header bool
	// Delimiter separates fields (default ",").
	Delimiter string
	// Quote is the quote character (default `"`); Escape escapes a quote inside quotes
	// (default `\`).
	Quote, Escape string
	// NullValue is the text of a NULL (an unquoted empty field is always NULL).
	NullValue string
	// NoInferSchema reads every column as a string instead of inferring types.
	NoInferSchema bool
	// DateFormat and TimestampFormat are java.time patterns (default ISO forms).
	DateFormat, TimestampFormat string
}

func (o CSVOptions) options() map[string]string {
	m := map[string]string{"header": strconv.FormatBool(o.Header), "inferSchema": strconv.FormatBool(!o.NoInferSchema)}
	for k, v := range map[string]string{"delimiter": o.Delimiter, "quote": o.Quote, "escape": o.Escape,
		"nullValue": o.NullValue, "dateFormat": o.DateFormat, "timestampFormat": o.TimestampFormat} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// ReadCSV returns a DataFrame over a CSV file, or every file under a directory (Hive-style
// key=value folders become columns).
func (s *Session) ReadCSV(path string, opts CSVOptions) (*DataFrame, error) {
	src, err := datasource.NewCSV(path, path, opts.options())
	if err != nil {
		return nil, err
	}
	return s.hiddenTable(src)
}

// ReadParquet returns a DataFrame over a Parquet file or a directory of them.
func (s *Session) ReadParquet(path string) (*DataFrame, error) {
	src, err := datasource.NewParquet(path, path, nil)
	if err != nil {
		return nil, err
	}
	return s.hiddenTable(src)
}

// ReadJSON returns a DataFrame over a JSON Lines file (one object per line) or a directory
// of them.
func (s *Session) ReadJSON(path string) (*DataFrame, error) {
	src, err := datasource.NewJSON(path, path, nil)
	if err != nil {
		return nil, err
	}
	return s.hiddenTable(src)
}

// ReadArrow returns a DataFrame over an Arrow IPC file (the random-access "Feather v2"
// format) or an Arrow IPC stream, read into memory now.
func (s *Session) ReadArrow(path string) (*DataFrame, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Planf("cannot read Arrow file: %v", err)
	}
	defer f.Close()
	var schema *arrow.Schema
	var batches []arrow.RecordBatch
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	if fr, err := ipc.NewFileReader(f, ipc.WithAllocator(s.cfg.mem)); err == nil {
		defer fr.Close()
		schema = fr.Schema()
		for i := 0; i < fr.NumRecords(); i++ {
			b, err := fr.RecordBatch(i)
			if err != nil {
				return nil, errs.Execf("Arrow file %s, batch %d: %v", path, i, err)
			}
			b.Retain()
			batches = append(batches, b)
		}
	} else {
		if _, err := f.Seek(0, 0); err != nil {
			return nil, errs.Execf("Arrow file %s: %v", path, err)
		}
		r, err := ipc.NewReader(f, ipc.WithAllocator(s.cfg.mem))
		if err != nil {
			return nil, errs.Planf("%s is neither an Arrow IPC file nor an Arrow IPC stream: %v", path, err)
		}
		defer r.Release()
		schema = r.Schema()
		for r.Next() {
			b := r.RecordBatch()
			b.Retain()
			batches = append(batches, b)
		}
		if err := r.Err(); err != nil {
			return nil, errs.Execf("Arrow stream %s: %v", path, err)
		}
	}
	return s.FromRecords(schema, batches...)
}

// FromRecords returns a DataFrame over in-memory Arrow batches of one schema. The session
// retains the batches (the caller keeps its own references) until it is closed; they are
// dealt into as many splits as the session has partitions.
func (s *Session) FromRecords(schema *arrow.Schema, batches ...arrow.RecordBatch) (*DataFrame, error) {
	if schema == nil {
		return nil, errs.Planf("FromRecords needs a schema")
	}
	for i, b := range batches {
		if !b.Schema().Equal(schema) {
			return nil, errs.Planf("FromRecords: batch %d has schema %s, not %s", i, b.Schema(), schema)
		}
	}
	if err := checkColumnNames(schema); err != nil {
		return nil, err
	}
	name := s.nextName(hiddenPrefix)
	src := datasource.NewMemory(name, schema, batches, s.cfg.partitions)
	return s.hiddenTableNamed(name, src)
}

// FromStructs returns a DataFrame over a slice of structs (or of pointers to structs):
// one row per element, one column per exported field in order (tag `ember:"name"` renames
// a field, `ember:"-"` skips it; pointer fields are nullable). See recordFromStructs for
// the supported field types.
func (s *Session) FromStructs(rows any) (*DataFrame, error) {
	b, err := recordFromStructs(s.cfg.mem, rows)
	if err != nil {
		return nil, err
	}
	defer b.Release()
	return s.FromRecords(b.Schema(), b)
}

// checkColumnNames refuses empty column names, which SQL cannot reach.
func checkColumnNames(schema *arrow.Schema) error {
	for i, f := range schema.Fields() {
		if f.Name == "" {
			return errs.Planf("column %d has no name", i+1)
		}
	}
	return nil
}

// hiddenTable registers a source as a hidden relation and returns a DataFrame over it.
func (s *Session) hiddenTable(src datasource.Source) (*DataFrame, error) {
	return s.hiddenTableNamed(s.nextName(hiddenPrefix), src)
}

func (s *Session) hiddenTableNamed(name string, t planner.Table) (*DataFrame, error) {
	if s.closed.Load() {
		return nil, errs.Planf("the session is closed")
	}
	s.cat.addHidden(name, hiddenRel{table: t})
	return s.checked(s.newDF("SELECT * FROM " + sqlIdent(name)))
}

// releaseDataFrames drops the hidden relations and frees what they hold.
func (s *Session) releaseDataFrames() error {
	for _, h := range s.cat.takeHidden() {
		if r, ok := h.table.(interface{ Release() }); ok {
			r.Release()
		}
	}
	return s.releaseCaches()
}
