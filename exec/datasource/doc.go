// Package datasource owns the tables the engine scans: the Source interface (a
// planner.Table that lists independent splits and opens a Reader per split), and its
// implementations over Parquet files (read column chunk by column chunk with parquet-go),
// CSV and newline-delimited JSON files, and in-memory Arrow batches, plus WriteParquet,
// which managed tables and tests use to write Parquet.
//
// Place in the import table (DESIGN.md): datasource is part of exec. From the repository
// it imports only sql/planner (for the Table interface and the canonical types), udf (for
// udf.ListOffsets), internal/errs and internal/format (the text of values the CSV and JSON
// writers write); exec and its operators import it, never the reverse. Outside the
// repository it uses arrow-go and parquet-go (not arrow-go's own parquet packages).
//
// Invariants:
//   - A Source is immutable and safe for concurrent use; each Reader is used by one
//     goroutine. Splits come in a deterministic order and print without absolute paths.
//   - Readers return only the requested columns, in batches of at most
//     ReadOptions.BatchSize rows allocated from ReadOptions.Mem; the caller owns each batch.
//   - Column types are Ember's canonical types (planner.Boolean ... planner.Timestamp, and
//     planner.ArrayOf one of them from Parquet lists and JSON arrays), never Arrow
//     dictionary, unsigned or large types.
//   - Errors follow internal/errs: bad data is ErrExecution naming the file and the line
//     (text) or column (Parquet); unsupported types are ErrNotImplemented; bad options are
//     ErrPlan; misuse by the engine (foreign split, ordinal out of range) is ErrInternal.
//   - Hot paths do not allocate per value or box values in interfaces: Parquet values are
//     converted straight from the page into Arrow buffers (dictionaries once per column
//     chunk, then gathered by index); CSV and JSON are tokenized into reused byte buffers
//     and parsed without building strings.
//
// Pruning: a scan hands its source pruning hints (Predicate: comparisons, IN, IS NULL, LIKE
// prefixes over one column, combined with AND and OR), which the physical planner builds
// from the scan's pushed filters. A Pruner rules out splits whose statistics prove that no
// row can match (Parquet column chunk bounds and NULL counts, Hive partition folder
// values), and a Parquet reader given ReadOptions.Predicates skips pages by the page index.
// A hint never decides alone: when in doubt it keeps the data, and the engine filters
// exactly above every scan.
//
// Late materialization: a scan may also hand a reader a RowFilter (ReadOptions.Filter),
// exact this time: the reader decodes the columns it reads, asks it which rows to keep,
// and decodes the other columns for those rows only (parquet_select.go). A reader that does
// so implements RowFiltering; others ignore the filter and the scan filters their batches.
// A wrapping source passes the filter down translated to the inner projection
// (InnerRowFilter), or not at all when it reads a column the wrapper makes. A FileCache
// (ReadOptions.Files, filecache.go) keeps files and their decoded footers open across the
// splits one scan task reads.
//
// Files: source.go (interfaces, FileSplit, file listing, option parsing), parquet.go (the
// Parquet source and type mapping), parquet_column.go (page decoding, lists included),
// parquet_select.go (decoding chosen rows, skipping rows), filecache.go,
// parquet_write.go, csv_write.go and json_write.go (WriteCSV, WriteJSON: files that NewCSV
// and NewJSON read back), predicate.go (pruning hints and their evaluation over bounds),
// parquet_stats.go (Parquet statistics as bounds), parquet_pages.go (page pruning),
// partition.go (Hive-style partition folders as columns), stats.go (table statistics for
// the optimizer), csv.go, json.go, text.go (what CSV and JSON share: value parsing, column
// builders, inference, line reading), memory.go, function.go (a table function's
// udf.FunctionTable as a Source: one split per part, read on a goroutine of its own).
// Fixtures from other Parquet writers live in
// testdata/external (see fetch.sh there).
//
// How to add a format:
//  1. Write <format>.go with a constructor New<Format>(name, path string, options
//     map[string]string) (Source, error) that validates options with parseOptions, lists
//     files with listFiles and fixes the schema; its Open calls checkOpen and returns a
//     Reader. Text formats reuse lineReader, textColumn and the inference lattice of text.go.
//  2. Write <format>_test.go: a table-driven read test on a checked allocator with several
//     batch sizes and projections, and an error test checking text and kind.
//  3. Map the format name to the constructor where the catalog opens sources (openSource
//     in dataframe/catalog.go, outside this package).
package datasource
