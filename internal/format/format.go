package format

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/internal/errs"
)

// Mode is an output format.
type Mode int

// The output modes. Table is the default and the zero value.
const (
	// Table is a bordered box (DuckDB's duckbox): column names and types in the header,
	// numbers right-aligned, NULL as NULL, long cells cut with …, a row cap and a row-count
	// footer.
	Table Mode = iota
	// CSV is RFC 4180 quoting with a header line, "\n" line ends; NULL is an empty field
	// and an empty string is "".
	CSV
	// TSV is tab-separated with a header line; tab, newline, carriage return and backslash
	// inside a value are written as \t \n \r \\; NULL is an empty field.
	TSV
	// JSON is one JSON array of objects, one object per line.
	JSON
	// JSONL is one JSON object per line.
	JSONL
	// Markdown is a GitHub-flavoured pipe table.
	Markdown
	// Line is the vertical mode: one "name = value" line per column, a blank line between
	// rows.
	Line
)

// modeNames lists each mode's name first, then its aliases.
var modeNames = [...][]string{
	Table:    {"table", "box", "duckbox"},
	CSV:      {"csv"},
	TSV:      {"tsv", "tabs"},
	JSON:     {"json"},
	JSONL:    {"jsonl", "jsonlines", "ndjson"},
	Markdown: {"markdown", "md"},
	Line:     {"line"},
}

// String returns the mode's name as ParseMode accepts it.
func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m][0]
}

// ModeNames returns the names of all modes (without aliases), in declaration order.
func ModeNames() []string {
	names := make([]string, len(modeNames))
	for i, n := range modeNames {
		names[i] = n[0]
	}
	return names
}

// ParseMode returns the mode with the given name or alias (case-insensitive). The error
// lists the known names.
func ParseMode(name string) (Mode, error) {
	name = strings.ToLower(strings.TrimSpace(name))
	for m, names := range modeNames {
		if slices.Contains(names, name) {
			return Mode(m), nil
		}
	}
	return 0, errs.Parsef("unknown output mode %q (known: %s)", name, strings.Join(ModeNames(), ", "))
}

// DefaultMaxRows is the table mode's row cap when Options.MaxRows is 0.
const DefaultMaxRows = 40

// DefaultMaxWidth is the table mode's cell width cap when Options.MaxWidth is 0.
const DefaultMaxWidth = 40

// Options tune Write. The zero value is the default of every field.
type Options struct {
	// MaxRows caps the rows the table mode shows: over it, the first and last halves are
	// shown around a … row and the footer says "N rows (M shown)". 0 means
	// DefaultMaxRows, a negative value no cap. The other modes write every row.
	MaxRows int
	// MaxWidth caps the display width of a table-mode cell; longer cells end in …. 0 means
	// DefaultMaxWidth, a negative value no cap.
	MaxWidth int
	// NoHeader leaves out the header (column names, and types in table mode) in the table,
	// csv, tsv and markdown modes.
	NoHeader bool
}

// Write writes the rows of batches, whose columns are described by schema, to w in the
// given mode. Every batch must have schema's columns; Write only reads the batches and does
// not release them. It returns the first error from w, or an error for an unknown mode.
func Write(w io.Writer, mode Mode, schema *arrow.Schema, batches []arrow.RecordBatch, opts Options) error {
	for i, b := range batches {
		if int(b.NumCols()) != schema.NumFields() {
			return errs.Internalf("format: batch %d has %d columns, the schema %d", i, b.NumCols(), schema.NumFields())
		}
	}
	bw := bufio.NewWriter(w)
	switch mode {
	case Table:
		writeTable(bw, schema, batches, opts)
	case CSV:
		writeDelimited(bw, schema, batches, opts, ',', csvField)
	case TSV:
		writeDelimited(bw, schema, batches, opts, '\t', tsvField)
	case JSON:
		writeJSON(bw, schema, batches, true)
	case JSONL:
		writeJSON(bw, schema, batches, false)
	case Markdown:
		writeMarkdown(bw, schema, batches, opts)
	case Line:
		writeLine(bw, schema, batches)
	default:
		return errs.Internalf("format: unknown mode %d", int(mode))
	}
	return bw.Flush()
}

// rowCount returns the number of rows in batches.
func rowCount(batches []arrow.RecordBatch) int {
	n := 0
	for _, b := range batches {
		n += int(b.NumRows())
	}
	return n
}

// eachRow calls fn for every row, in order, with its batch and row index.
func eachRow(batches []arrow.RecordBatch, fn func(b arrow.RecordBatch, i int)) {
	for _, b := range batches {
		for i := 0; i < int(b.NumRows()); i++ {
			fn(b, i)
		}
	}
}
