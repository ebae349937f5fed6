package datasource

import (
	"bufio"
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/internal/format"
	"github.com/embersql/ember/sql/planner"
)

// CSVWriteOptions configure WriteCSV.
type CSVWriteOptions struct {
	// Header writes the column names as the first record.
	Header bool
	// Delimiter separates fields; ',' when 0. It must be one ASCII character other than the
	// quote ("), the escape (\), CR and LF.
	Delimiter rune
	// NullString is the text of a NULL; "" (the default) writes an empty unquoted field.
	NullString string
}

// WriteCSV writes batches, which must all have the given schema, as CSV to w: one record
// per row, "\n" line ends, an optional header record. It does not release the batches.
//
// The output reads back through NewCSV (and Spark's reader) given the same header,
// delimiter and nullValue options and the default quote (") and escape (\): a field is
// quoted when it holds the delimiter, a quote, CR or LF, or when it is an empty string (an
// empty unquoted field is NULL); inside quotes a quote is doubled, as RFC 4180 writes it,
// and a backslash is doubled where the reader would otherwise take it for an escape
// (before a quote, a backslash or the closing quote). Values are written as the shell
// shows them (internal/format): DECIMAL with all its scale digits, floats in the shortest
// form that reads back exactly (NaN, Infinity, -Infinity), DATE as yyyy-mm-dd, TIMESTAMP
// as yyyy-mm-dd hh:mm:ss[.ffffff] (a zoned one as its wall time in its zone).
//
// As in Spark, a value whose text equals a non-empty NullString reads back as NULL, and
// ARRAY, VECTOR, struct, map and binary columns are refused (ErrNotImplemented): CSV has
// no form for them. A NULL in a one-column VARCHAR file with an empty NullString would be a
// blank line, which readers skip; WriteCSV refuses it (ErrExecution) rather than lose the
// row (a one-column file of another type writes such a NULL as "", which reads as NULL).
// Duplicate column names (ignoring case) are refused (ErrPlan), as Spark does.
func WriteCSV(w io.Writer, schema *arrow.Schema, batches []arrow.RecordBatch, opts CSVWriteOptions) error {
	delim := opts.Delimiter
	if delim == 0 {
		delim = ','
	}
	if delim >= 0x80 || delim == '"' || delim == '\\' || delim == '\n' || delim == '\r' {
		return errs.Planf("csv delimiter must be one ASCII character other than '\"', '\\', CR and LF, not %q", delim)
	}
	if err := checkWritableNames("csv", schema); err != nil {
		return err
	}
	isString := make([]bool, schema.NumFields())
	for i, f := range schema.Fields() {
		t := f.Type
		if d, ok := t.(*arrow.DictionaryType); ok {
			t = d.ValueType
		}
		switch t.ID() {
		case arrow.LIST, arrow.LARGE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW, arrow.FIXED_SIZE_LIST,
			arrow.STRUCT, arrow.MAP, arrow.DENSE_UNION, arrow.SPARSE_UNION,
			arrow.BINARY, arrow.LARGE_BINARY, arrow.BINARY_VIEW, arrow.FIXED_SIZE_BINARY:
			return errs.NotImplementedf("csv column %q: cannot write type %s to CSV", f.Name, planner.TypeString(f.Type))
		}
		isString[i] = planner.IsString(t)
	}
	cw := csvWriter{delim: byte(delim), null: opts.NullString}
	bw := bufio.NewWriter(w)
	if opts.Header {
		for i, f := range schema.Fields() {
			if i > 0 {
				cw.buf = append(cw.buf, cw.delim)
			}
			cw.field(f.Name, true)
		}
		cw.buf = append(cw.buf, '\n')
	}
	oneColumn := schema.NumFields() == 1
	for bi, b := range batches {
		if err := checkBatchSchema(schema, b); err != nil {
			return errs.Wrap(errs.ErrExecution, err, "writing csv batch %d", bi)
		}
		for r := 0; r < int(b.NumRows()); r++ {
			for c, col := range b.Columns() {
				if c > 0 {
					cw.buf = append(cw.buf, cw.delim)
				}
				switch {
				case !col.IsNull(r):
					cw.field(format.Value(col, r), isString[c])
				case opts.NullString != "":
					cw.field(opts.NullString, false)
				case oneColumn && isString[c]:
					return errs.Execf("csv: row %d of batch %d is NULL in the only column %q, which an empty null string would write as a blank line; set a null string",
						r+1, bi, schema.Field(0).Name)
				case oneColumn:
					cw.buf = append(cw.buf, '"', '"') // a quoted empty field: NULL outside VARCHAR
				}
			}
			cw.buf = append(cw.buf, '\n')
			if len(cw.buf) >= 64<<10 {
				if _, err := bw.Write(cw.buf); err != nil {
					return errs.Wrap(errs.ErrExecution, err, "writing csv")
				}
				cw.buf = cw.buf[:0]
			}
		}
	}
	if _, err := bw.Write(cw.buf); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "writing csv")
	}
	if err := bw.Flush(); err != nil {
		return errs.Wrap(errs.ErrExecution, err, "writing csv")
	}
	return nil
}

// csvWriter accumulates CSV text in buf.
type csvWriter struct {
	buf   []byte
	delim byte
	null  string
}

// field appends one field, quoting it when the reader needs that to read s back (see
// WriteCSV); emptyQuoted quotes an empty s (an empty string, as opposed to a NULL).
func (w *csvWriter) field(s string, emptyQuoted bool) {
	if s == "" {
		if emptyQuoted {
			w.buf = append(w.buf, '"', '"')
		}
		return
	}
	if strings.IndexByte(s, w.delim) < 0 && !strings.ContainsAny(s, "\"\r\n") {
		w.buf = append(w.buf, s...)
		return
	}
	w.buf = append(w.buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			w.buf = append(w.buf, '"', '"')
		case '\\':
			// The reader unescapes \" and \\ inside quotes; a backslash at the end would
			// escape the closing quote.
			if i+1 == len(s) || s[i+1] == '"' || s[i+1] == '\\' {
				w.buf = append(w.buf, '\\')
			}
			w.buf = append(w.buf, '\\')
		default:
			w.buf = append(w.buf, c)
		}
	}
	w.buf = append(w.buf, '"')
}

// checkWritableNames refuses a schema with two columns of one name (ignoring case), which a
// CSV header or a JSON object cannot tell apart, as Spark does.
func checkWritableNames(format string, schema *arrow.Schema) error {
	seen := make(map[string]string, schema.NumFields())
	for _, f := range schema.Fields() {
		k := strings.ToLower(f.Name)
		if prev, ok := seen[k]; ok {
			return errs.Planf("%s: cannot write two columns named %q and %q", format, prev, f.Name)
		}
		seen[k] = f.Name
	}
	return nil
}
