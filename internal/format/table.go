package format

import (
	"bufio"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/mattn/go-runewidth"
)

// width measures display columns (East Asian wide characters count 2) independently of
// the locale, so output is the same on every machine. Condition is read-only here, so
// sharing it between goroutines is safe.
var width = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

// ellipsis marks truncated cells and, alone in a row, the rows left out by the row cap.
const ellipsis = "…"

// writeTable writes the duckbox table. Only the rows it shows are rendered, so a capped
// table of a large result costs O(MaxRows × columns) formatting (plus O(batches) to skip).
func writeTable(w *bufio.Writer, schema *arrow.Schema, batches []arrow.RecordBatch, opts Options) {
	total := rowCount(batches)
	maxRows := opts.MaxRows
	if maxRows == 0 {
		maxRows = DefaultMaxRows
	}
	head, tail := total, 0
	if maxRows > 0 && total > maxRows {
		head, tail = (maxRows+1)/2, maxRows/2
	}
	if schema.NumFields() > 0 {
		maxWidth := opts.MaxWidth
		if maxWidth == 0 {
			maxWidth = DefaultMaxWidth
		}
		t := newBox(schema, maxWidth, !opts.NoHeader)
		t.addRows(batches, 0, head)
		if head+tail < total {
			t.rows = append(t.rows, nil) // the … row
		}
		t.addRows(batches, total-tail, total)
		t.write(w)
	}
	w.WriteString(rowsFooter(total, head+tail))
	w.WriteByte('\n')
}

// rowsFooter says how many rows there are, and how many are shown when not all.
func rowsFooter(total, shown int) string {
	s := strconv.Itoa(total) + " rows"
	if total == 1 {
		s = "1 row"
	}
	if shown < total {
		s += " (" + strconv.Itoa(shown) + " shown)"
	}
	return s
}

// box accumulates a table's header and rendered cells; a nil row is the … row.
type box struct {
	header   [][]string // names, then types; empty when the header is off
	numeric  []bool
	rows     [][]string
	maxWidth int
}

func newBox(schema *arrow.Schema, maxWidth int, withHeader bool) *box {
	t := &box{maxWidth: maxWidth, numeric: make([]bool, schema.NumFields())}
	names := make([]string, schema.NumFields())
	types := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = t.clip(f.Name)
		types[i] = t.clip(TypeName(f.Type))
		t.numeric[i] = isNumeric(f.Type)
	}
	if withHeader {
		t.header = [][]string{names, types}
	}
	return t
}

// addRows renders the rows with global index in [from, to).
func (t *box) addRows(batches []arrow.RecordBatch, from, to int) {
	off := 0
	for _, b := range batches {
		n := int(b.NumRows())
		lo, hi := max(from-off, 0), min(to-off, n)
		for i := lo; i < hi; i++ {
			row := make([]string, b.NumCols())
			for c := range row {
				row[c] = t.clip(Value(b.Column(c), i))
			}
			t.rows = append(t.rows, row)
		}
		off += n
		if off >= to {
			return
		}
	}
}

// clip makes s safe for one terminal cell: control characters escaped, width capped.
func (t *box) clip(s string) string {
	s = escapeControls(s)
	if t.maxWidth > 0 && width.StringWidth(s) > t.maxWidth {
		s = width.Truncate(s, t.maxWidth, ellipsis)
	}
	return s
}

func (t *box) write(w *bufio.Writer) {
	widths := make([]int, len(t.numeric))
	for i := range widths {
		widths[i] = 1 // room for the … row
	}
	for _, row := range append(t.header, t.rows...) {
		for c, s := range row {
			widths[c] = max(widths[c], width.StringWidth(s))
		}
	}
	rule := func(left, mid, right string) {
		w.WriteString(left)
		for c, cw := range widths {
			if c > 0 {
				w.WriteString(mid)
			}
			w.WriteString(strings.Repeat("─", cw+2))
		}
		w.WriteString(right)
		w.WriteByte('\n')
	}
	line := func(cells []string, align func(c int, s string) string) {
		w.WriteString("│")
		for c := range widths {
			w.WriteByte(' ')
			w.WriteString(align(c, cells[c]))
			w.WriteString(" │")
		}
		w.WriteByte('\n')
	}
	center := func(c int, s string) string { return pad(s, widths[c], 0) }
	rule("┌", "┬", "┐")
	for _, h := range t.header {
		line(h, center)
	}
	if t.header != nil {
		rule("├", "┼", "┤")
	}
	dots := make([]string, len(widths))
	for c := range dots {
		dots[c] = ellipsis
	}
	for _, row := range t.rows {
		if row == nil {
			line(dots, center)
			continue
		}
		line(row, func(c int, s string) string {
			if t.numeric[c] {
				return pad(s, widths[c], 1)
			}
			return pad(s, widths[c], -1)
		})
	}
	rule("└", "┴", "┘")
}

// pad pads s with spaces to display width n: align < 0 left-aligns, > 0 right-aligns, 0
// centers (an odd leftover space goes to the right).
func pad(s string, n, align int) string {
	gap := n - width.StringWidth(s)
	if gap <= 0 {
		return s
	}
	switch {
	case align < 0:
		return s + strings.Repeat(" ", gap)
	case align > 0:
		return strings.Repeat(" ", gap) + s
	}
	return strings.Repeat(" ", gap/2) + s + strings.Repeat(" ", gap-gap/2)
}

// escapeControls writes newline, carriage return and tab as \n \r \t and other control
// characters as \xHH (their code point), so a value cannot break a table's lines or send terminal escapes.
func escapeControls(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case isControl(r):
			sb.WriteString(`\x`)
			sb.WriteByte(hex[r>>4&0xf])
			sb.WriteByte(hex[r&0xf])
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

// isControl reports C0 and C1 control characters and DEL.
func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }
