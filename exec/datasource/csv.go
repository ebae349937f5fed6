package datasource

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// inferRows is how many records of the first file CSV and JSON inference look at.
const inferRows = 1000

// csvConfig holds a CSV source's parsed options.
type csvConfig struct {
	header               bool
	delim, quote, escape byte // quote 0: no quoting; escape 0 or == quote: only "" escapes
	nullValue            []byte
	formats              textFormats
}

type csvSource struct {
	name   string
	schema *arrow.Schema
	files  []sourceFile
	cfg    csvConfig
}

// NewCSV returns a source over the CSV file at path, or over every file under the directory
// at path (recursively, sorted, skipping names that start with "." or "_").
//
// Options (Spark's names, keys in any case):
//   - header: 'true' to take column names from each file's first record (default 'false';
//     names are then _c0, _c1, ...); duplicate names get their ordinal appended, as in Spark
//   - delimiter or sep: the field separator (default ','); '\t' for a tab
//   - quote: the quote character (default '"'; empty: no quoting). Inside quotes a doubled
//     quote is a quote, and newlines and delimiters are data
//   - escape: the character that escapes a quote or itself inside quotes (default '\')
//   - nullValue: the text of a NULL, quoted or not (default: none). An unquoted empty field
//     is always NULL; a quoted empty field is an empty string, or NULL in a non-string column
//   - inferSchema: 'true' (default) to infer BOOLEAN, BIGINT, DOUBLE, DATE, TIMESTAMP or
//     STRING per column from the first 1000 records of the first file; 'false' for STRING
//   - dateFormat, timestampFormat: java.time patterns (e.g. dd/MM/yyyy); by default ISO
//     yyyy-mm-dd and yyyy-mm-dd[ T]hh:mm[:ss[.ffffff]][Z|+hh:mm]
//
// A record with the wrong number of fields, or a value that does not parse as its column's
// type, fails the scan with an execution error naming the file, line and column (Spark's
// FAILFAST mode). Files in Hive-style key=value folders get the keys as columns (see
// partition.go; not with an explicit schema).
func NewCSV(name, path string, options map[string]string) (Source, error) {
	return newCSV(name, path, nil, options)
}

// NewCSVWithSchema is NewCSV with a given schema instead of inference: every record must
// have schema.NumFields() fields, read as the fields' types (any Ember type). With
// header=true the first record of each file is skipped, not checked.
func NewCSVWithSchema(name, path string, schema *arrow.Schema, options map[string]string) (Source, error) {
	if schema == nil || schema.NumFields() == 0 {
		return nil, errs.Planf("csv table %s: a schema needs at least one column", name)
	}
	return newCSV(name, path, schema, options)
}

func newCSV(name, path string, schema *arrow.Schema, opts map[string]string) (Source, error) {
	o, err := parseOptions("csv", opts, "header", "delimiter", "sep", "quote", "escape",
		"nullvalue", "inferschema", "dateformat", "timestampformat")
	if err != nil {
		return nil, err
	}
	var cfg csvConfig
	if cfg.header, err = o.boolOption("csv", "header", false); err != nil {
		return nil, err
	}
	delimKey := "delimiter"
	if _, ok := o["delimiter"]; !ok {
		delimKey = "sep"
	}
	if cfg.delim, err = o.byteOption("csv", delimKey, ','); err != nil {
		return nil, err
	}
	if cfg.quote, err = o.byteOption("csv", "quote", '"'); err != nil {
		return nil, err
	}
	if cfg.escape, err = o.byteOption("csv", "escape", '\\'); err != nil {
		return nil, err
	}
	if cfg.delim == 0 || cfg.delim == cfg.quote || cfg.delim == cfg.escape {
		return nil, errs.Planf("csv option delimiter must be one character that is neither the quote nor the escape")
	}
	cfg.nullValue = []byte(o["nullvalue"])
	infer, err := o.boolOption("csv", "inferschema", true)
	if err != nil {
		return nil, err
	}
	if cfg.formats, err = newTextFormats(o); err != nil {
		return nil, err
	}
	files, err := listFiles("csv", path, func(string) bool { return true })
	if err != nil {
		return nil, err
	}
	if schema != nil {
		if err := checkTextSchema("csv", name, schema); err != nil {
			return nil, err
		}
		return &csvSource{name: name, schema: schema, files: files, cfg: cfg}, nil
	}
	if schema, err = inferCSV(files[0].path, &cfg, infer); err != nil {
		return nil, err
	}
	// With an inferred schema, key=value folders add partition columns (partition.go).
	return withPartitions("csv", path, &csvSource{name: name, schema: schema, files: files, cfg: cfg}, files)
}

// inferCSV reads the header (or first record) and up to inferRows records of one file.
func inferCSV(path string, cfg *csvConfig, infer bool) (*arrow.Schema, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "csv file %s", path)
	}
	defer f.Close()
	tok := newCSVTokenizer(f, path, cfg)
	err = tok.next()
	if err == io.EOF {
		return nil, errs.Execf("csv file %s is empty: cannot infer its columns", path)
	}
	if err != nil {
		return nil, err
	}
	n := len(tok.ends)
	names := make([]string, n)
	for i := range names {
		if cfg.header {
			names[i] = string(tok.field(i))
		}
	}
	names = safeColumnNames(names)
	kinds := make([]inferKind, n)
	dataRow := !cfg.header
	for rows := 0; rows < inferRows && infer; rows++ {
		if !dataRow {
			if err = tok.next(); err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if len(tok.ends) != n {
				return nil, tok.fieldCountError(n)
			}
		}
		dataRow = false
		for i := range kinds {
			v := tok.field(i)
			if cfg.isNull(v, tok.quoted[i]) || len(v) == 0 {
				continue
			}
			if kinds[i] != kindString {
				kinds[i] = mergeKinds(kinds[i], classifyText(v, &cfg.formats))
			}
		}
	}
	fields := make([]arrow.Field, n)
	for i := range fields {
		fields[i] = arrow.Field{Name: names[i], Type: kindType(kinds[i]), Nullable: true}
	}
	return arrow.NewSchema(fields, nil), nil
}

// safeColumnNames applies Spark's header rules: an empty name becomes _c<i>, and a name
// that occurs more than once (ignoring case) becomes <name><i> at every occurrence.
func safeColumnNames(names []string) []string {
	count := map[string]int{}
	for _, n := range names {
		if n != "" {
			count[strings.ToLower(n)]++
		}
	}
	out := make([]string, len(names))
	for i, n := range names {
		switch {
		case n == "":
			out[i] = "_c" + strconv.Itoa(i)
		case count[strings.ToLower(n)] > 1:
			out[i] = n + strconv.Itoa(i)
		default:
			out[i] = n
		}
	}
	return out
}

func (s *csvSource) Name() string               { return s.name }
func (s *csvSource) ArrowSchema() *arrow.Schema { return s.schema }

func (s *csvSource) Splits(ctx context.Context) ([]Split, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	return fileSplits(s.files), nil
}

func (s *csvSource) Open(ctx context.Context, split Split, columns []int, opts ReadOptions) (Reader, error) {
	fsplit, proj, err := checkOpen(ctx, s.name, s.schema, split, columns)
	if err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	f, err := os.Open(fsplit.Path)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "csv file %s", fsplit.Path)
	}
	r := &csvReader{ctx: ctx, file: f, tok: newCSVTokenizer(f, fsplit.Path, &s.cfg), src: s,
		schema: proj, columns: columns, batchSize: opts.BatchSize}
	if r.cols, err = newTextColumns(proj, opts.Mem, &s.cfg.formats); err != nil {
		f.Close()
		return nil, err
	}
	r.isString = make([]bool, len(columns))
	for i, c := range columns {
		r.isString[i] = planner.IsString(s.schema.Field(c).Type)
	}
	if s.cfg.header {
		if err := r.tok.next(); err != nil && err != io.EOF {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// csvReader reads one CSV file, converting only the projected fields.
type csvReader struct {
	ctx       context.Context
	file      *os.File
	tok       *csvTokenizer
	src       *csvSource
	schema    *arrow.Schema // projected
	columns   []int
	isString  []bool // per projected column
	cols      []textColumn
	batchSize int
	done      bool
}

func (r *csvReader) Next() (arrow.RecordBatch, error) {
	if r.done {
		return nil, nil
	}
	if err := r.ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	want := r.src.schema.NumFields()
	n := 0
	for n < r.batchSize {
		err := r.tok.next()
		if err == io.EOF {
			r.done = true
			break
		}
		if err != nil {
			return nil, err
		}
		if len(r.tok.ends) != want {
			return nil, r.tok.fieldCountError(want)
		}
		for i, c := range r.columns {
			v := r.tok.field(c)
			if r.src.cfg.isNull(v, r.tok.quoted[c]) || (len(v) == 0 && !r.isString[i]) {
				r.cols[i].appendNull()
			} else if !r.cols[i].appendText(v) {
				fld := r.src.schema.Field(c)
				return nil, errs.Execf("csv file %s line %d column %d (%s): cannot parse %q as %s",
					r.tok.file, r.tok.recLine, c+1, fld.Name, v, planner.TypeString(fld.Type))
			}
		}
		n++
	}
	if n == 0 {
		return nil, nil
	}
	return buildBatch(r.schema, r.cols, n), nil
}

func (r *csvReader) Close() error {
	releaseTextColumns(r.cols)
	r.cols = nil
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

// isNull reports whether a field is NULL: empty and unquoted, or equal to nullValue
// (quoted or not) when that is set.
func (c *csvConfig) isNull(v []byte, quoted bool) bool {
	if len(v) == 0 {
		return !quoted
	}
	return len(c.nullValue) > 0 && bytes.Equal(v, c.nullValue)
}

// csvTokenizer splits a CSV stream into records. Field bytes are unescaped into one buffer
// reused for every record, so reading allocates nothing per record once warm.
type csvTokenizer struct {
	lineReader
	delim, quote, escape byte

	recLine int    // line on which the current record starts
	rec     []byte // the current record's unescaped field bytes, concatenated
	ends    []int  // ends[i] is the end of field i in rec
	quoted  []bool // quoted[i] reports whether field i was quoted
}

func newCSVTokenizer(r io.Reader, file string, cfg *csvConfig) *csvTokenizer {
	t := &csvTokenizer{lineReader: newLineReader(r, "csv", file), delim: cfg.delim, quote: cfg.quote,
		escape: cfg.escape}
	if t.escape == t.quote {
		t.escape = 0
	}
	return t
}

// field returns field i of the current record; valid until the next call to next.
func (t *csvTokenizer) field(i int) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.rec[start:t.ends[i]]
}

func (t *csvTokenizer) fieldCountError(want int) error {
	return errs.Execf("csv file %s line %d: expected %d fields, got %d", t.file, t.recLine, want, len(t.ends))
}

// contentEnd returns the length of line without its "\n" or "\r\n".
func contentEnd(line []byte) int {
	n := len(line)
	if n > 0 && line[n-1] == '\n' {
		n--
		if n > 0 && line[n-1] == '\r' {
			n--
		}
	}
	return n
}

// next reads the next record, skipping blank lines; io.EOF at the end.
func (t *csvTokenizer) next() error {
	t.rec, t.ends, t.quoted = t.rec[:0], t.ends[:0], t.quoted[:0]
	var line []byte
	eol := 0
	for eol == 0 {
		l, err := t.readLine()
		if err != nil {
			return err
		}
		line, eol = l, contentEnd(l)
	}
	t.recLine = t.line
	for i := 0; ; {
		quoted := t.quote != 0 && i < eol && line[i] == t.quote
		if quoted {
			i++
		inQuotes:
			for {
				if i >= len(line) {
					l, err := t.readLine()
					if err == io.EOF {
						return errs.Execf("csv file %s line %d: unterminated quoted field", t.file, t.recLine)
					}
					if err != nil {
						return err
					}
					line, eol, i = l, contentEnd(l), 0
					continue
				}
				switch c := line[i]; {
				case c == t.quote:
					if i+1 < len(line) && line[i+1] == t.quote {
						t.rec = append(t.rec, c)
						i += 2
						continue
					}
					i++
					break inQuotes
				case c == t.escape && t.escape != 0 && i+1 < len(line) && (line[i+1] == t.quote || line[i+1] == t.escape):
					t.rec = append(t.rec, line[i+1])
					i += 2
				default:
					j := i + 1
					for j < len(line) && line[j] != t.quote && (line[j] != t.escape || t.escape == 0) {
						j++
					}
					t.rec = append(t.rec, line[i:j]...)
					i = j
				}
			}
			i = min(i, eol)
		}
		// An unquoted field, or what follows a closing quote (kept, leniently, as Spark does).
		j := eol
		if k := bytes.IndexByte(line[i:eol], t.delim); k >= 0 {
			j = i + k
		}
		t.rec = append(t.rec, line[i:j]...)
		t.ends = append(t.ends, len(t.rec))
		t.quoted = append(t.quoted, quoted)
		if j == eol {
			return nil
		}
		i = j + 1
	}
}
