package format

import (
	"bufio"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// writeDelimited writes csv or tsv: an optional header line, then one line per row, each
// field rendered by field (null reports a NULL).
func writeDelimited(w *bufio.Writer, schema *arrow.Schema, batches []arrow.RecordBatch, opts Options,
	sep byte, field func(s string, null bool) string) {
	if !opts.NoHeader {
		for i, f := range schema.Fields() {
			if i > 0 {
				w.WriteByte(sep)
			}
			w.WriteString(field(f.Name, false))
		}
		w.WriteByte('\n')
	}
	eachRow(batches, func(b arrow.RecordBatch, i int) {
		for c := 0; c < int(b.NumCols()); c++ {
			if c > 0 {
				w.WriteByte(sep)
			}
			w.WriteString(field(text(b.Column(c), i)))
		}
		w.WriteByte('\n')
	})
}

// csvField quotes s as RFC 4180 asks when it holds a comma, quote, CR or LF, and also when
// it is empty, so that an empty string ("") differs from a NULL (nothing).
func csvField(s string, null bool) string {
	if null {
		return ""
	}
	if s == "" {
		return `""`
	}
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

var tsvEscaper = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

// tsvField escapes backslash, tab, LF and CR; a NULL is an empty field.
func tsvField(s string, null bool) string {
	if null {
		return ""
	}
	return tsvEscaper.Replace(s)
}

var markdownEscaper = strings.NewReplacer(`|`, `\|`)

// writeMarkdown writes a pipe table padded to column widths, numeric columns right-aligned
// (---:), with NULL as NULL and control characters escaped as in the table mode.
func writeMarkdown(w *bufio.Writer, schema *arrow.Schema, batches []arrow.RecordBatch, opts Options) {
	ncols := schema.NumFields()
	if ncols == 0 {
		return
	}
	cell := func(s string) string { return markdownEscaper.Replace(escapeControls(s)) }
	var rows [][]string
	if !opts.NoHeader {
		names := make([]string, ncols)
		for i, f := range schema.Fields() {
			names[i] = cell(f.Name)
		}
		rows = append(rows, names)
	}
	eachRow(batches, func(b arrow.RecordBatch, i int) {
		row := make([]string, ncols)
		for c := range row {
			row[c] = cell(Value(b.Column(c), i))
		}
		rows = append(rows, row)
	})
	widths := make([]int, ncols)
	numeric := make([]bool, ncols)
	for c, f := range schema.Fields() {
		numeric[c] = isNumeric(f.Type)
		widths[c] = 3 // the shortest rule, --- or --:
	}
	for _, row := range rows {
		for c, s := range row {
			widths[c] = max(widths[c], width.StringWidth(s))
		}
	}
	writeRow := func(row []string) {
		w.WriteByte('|')
		for c, s := range row {
			w.WriteByte(' ')
			if numeric[c] {
				w.WriteString(pad(s, widths[c], 1))
			} else {
				w.WriteString(pad(s, widths[c], -1))
			}
			w.WriteString(" |")
		}
		w.WriteByte('\n')
	}
	writeRule := func() {
		w.WriteByte('|')
		for c, cw := range widths {
			if numeric[c] {
				w.WriteString(strings.Repeat("-", cw+1) + ":|")
			} else {
				w.WriteString(strings.Repeat("-", cw+2) + "|")
			}
		}
		w.WriteByte('\n')
	}
	if opts.NoHeader {
		// A pipe table needs a header row; an empty one keeps the rows a table.
		writeRow(make([]string, ncols))
		writeRule()
	} else {
		writeRow(rows[0])
		writeRule()
		rows = rows[1:]
	}
	for _, row := range rows {
		writeRow(row)
	}
}

// writeLine writes the vertical mode: for each row, one line per column with the names
// right-aligned to the longest, then " = " and the value; rows are separated by a blank
// line.
func writeLine(w *bufio.Writer, schema *arrow.Schema, batches []arrow.RecordBatch) {
	names := make([]string, schema.NumFields())
	nameWidth := 0
	for i, f := range schema.Fields() {
		names[i] = escapeControls(f.Name)
		nameWidth = max(nameWidth, width.StringWidth(names[i]))
	}
	first := true
	eachRow(batches, func(b arrow.RecordBatch, i int) {
		if !first {
			w.WriteByte('\n')
		}
		first = false
		for c, name := range names {
			w.WriteString(pad(name, nameWidth, 1))
			w.WriteString(" = ")
			w.WriteString(escapeControls(Value(b.Column(c), i)))
			w.WriteByte('\n')
		}
	})
}

// writeJSON writes one JSON object per row with the columns as keys in schema order;
// asArray wraps them in one array ("[]" when there are no rows), one object per line.
func writeJSON(w *bufio.Writer, schema *arrow.Schema, batches []arrow.RecordBatch, asArray bool) {
	keys := make([][]byte, schema.NumFields())
	for i, f := range schema.Fields() {
		keys[i] = append(appendJSONString(nil, f.Name), ':')
	}
	if asArray {
		w.WriteByte('[')
	}
	var buf []byte
	first := true
	eachRow(batches, func(b arrow.RecordBatch, i int) {
		buf = buf[:0]
		if asArray {
			if !first {
				buf = append(buf, ',')
			}
			buf = append(buf, '\n')
		}
		first = false
		buf = append(buf, '{')
		for c, k := range keys {
			if c > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, k...)
			buf = appendJSON(buf, b.Column(c), i)
		}
		buf = append(buf, '}')
		if !asArray {
			buf = append(buf, '\n')
		}
		w.Write(buf)
	})
	if asArray {
		if !first {
			w.WriteByte('\n')
		}
		w.WriteString("]\n")
	}
}
