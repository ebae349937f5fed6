// Package format renders query results (an Arrow schema and its record batches) as text:
// the shell's output modes and the DataFrame API's Show.
//
// It owns the text of every value (Value: exact DECIMAL digits, shortest DOUBLE, DATE and
// TIMESTAMP layouts, NULL), the Spark-style type names shown in table headers (TypeName),
// and the modes of Write: table (a bordered box with a row cap), csv, tsv, json, jsonl,
// markdown and line. It never releases the batches it is given.
//
// Place in the import table of DESIGN.md: a leaf under internal/, imported by cmd/shell and
// dataframe; it imports only arrow-go, go-runewidth and internal/errs.
//
// How to add an output mode:
//  1. add a constant to Mode and its names (first the canonical one) to modeNames in
//     format.go;
//  2. write its writer (in text.go, or a file of its own for a large one) and add the case
//     to Write's switch;
//  3. add golden cases to format_test.go (NULLs, decimals, dates, an empty result).
//
// How to render a new Arrow type: add a case to text (and to appendJSON when JSON should
// not see it as a string) and to TypeName in value.go, with a case in value_test.go.
package format
