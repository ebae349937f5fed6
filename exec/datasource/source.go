package datasource

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// DefaultBatchSize is the number of rows per batch when ReadOptions.BatchSize is not set.
const DefaultBatchSize = 8192

// Source is a table backed by data the engine scans in independent splits.
//
// A Source is immutable after construction and safe for concurrent use: Splits and Open
// may be called from many goroutines at once, and every Reader is independent.
type Source interface {
	planner.Table // Name() string; ArrowSchema() *arrow.Schema

	// Splits lists independent scan units (a Parquet row group, a CSV or JSON file, a share
	// of an in-memory table), always in the same order for the same data.
	Splits(ctx context.Context) ([]Split, error)

	// Open reads one split, returning only the columns at the given ordinals of
	// ArrowSchema() (in that order, repeats allowed, none at all for a bare row count), in
	// batches of at most opts.BatchSize rows allocated from opts.Mem. The split must come
	// from this source's Splits. Ordinals out of range are an internal error.
	Open(ctx context.Context, split Split, columns []int, opts ReadOptions) (Reader, error)
}

// Pruner is a Source that can rule out splits from statistics (Parquet column chunk
// bounds, Hive partition folder values) without reading them.
type Pruner interface {
	// MayMatch reports whether some row of split may satisfy every one of preds: false
	// only when the split's statistics prove that none can. The split comes from this
	// source's Splits; predicates the source cannot judge count as satisfied.
	MayMatch(split Split, preds []Predicate) bool
}

// ReadStats counts what a Reader read and skipped inside its split, for EXPLAIN ANALYZE.
type ReadStats struct {
	PagesRead    int64 // data pages decoded, over every column read
	PagesSkipped int64 // data pages of the columns read that pruning skipped
	RowsSkipped  int64 // rows of the split that pruning skipped
}

// StatsReader is a Reader that reports ReadStats; Stats is valid after the last Next.
type StatsReader interface {
	Stats() ReadStats
}

// Split is one independent scan unit of a Source. String is short and deterministic (no
// absolute paths), for EXPLAIN and error messages, e.g. "lineitem.parquet rg 3".
type Split interface{ String() string }

// ReadOptions configure a Reader.
type ReadOptions struct {
	// BatchSize is the maximum number of rows per batch; DefaultBatchSize when <= 0.
	BatchSize int
	// Mem allocates every buffer of the returned batches; memory.DefaultAllocator when nil.
	Mem memory.Allocator
	// Predicates are pruning hints over the source's columns (ordinals of ArrowSchema(),
	// not of the projection): a reader may leave out rows (Parquet pages) that statistics
	// prove cannot satisfy all of them, and may return every row. The caller still
	// filters exactly.
	Predicates []Predicate
	// Filter, when set, lets a reader drop rows before it decodes every column (late
	// materialization; see RowFilter). A reader that applies it implements RowFiltering
	// and says so; others ignore it, and the caller filters their batches itself.
	Filter *RowFilter
	// Files, when set, keeps the files a reader opens (with their decoded Parquet footers)
	// for the next splits of the same file read with the same cache: one scan task reads
	// several row groups of a file one after another, and would otherwise reopen it and
	// decode its footer for each. The caller closes it when done with every reader.
	Files *FileCache
}

// RowFilter picks the rows of a batch worth decoding in full. Cols are positions in the
// projection (the reader's output columns) the filter reads. Keep gets those columns of
// the batch's n rows (cols[i] set for i in Cols, nil elsewhere; valid only during the
// call) and returns the rows to keep, ascending, or all true to keep every row (sel is
// then ignored), or an error (evaluating a predicate), which the reader returns. Keep may
// return a slice of its own; the reader uses it before the next call.
type RowFilter struct {
	Cols []int
	Keep func(cols []arrow.Array, n int) (sel []int32, all bool, err error)
}

// RowFiltering is a Reader that may apply ReadOptions.Filter. FiltersRows reports whether
// it does: its batches then hold only the rows the filter kept, and the rows it dropped
// count in its ReadStats.RowsSkipped.
type RowFiltering interface {
	FiltersRows() bool
}

// InnerRowFilter translates a row filter over a wrapping reader's projection into one over
// the projection of the reader it wraps: innerPos[i] is the inner position of output
// column i, or -1 when the wrapper makes that column itself (partition values, defaults).
// It returns nil when a filter column is not the inner reader's; the wrapper then passes
// no filter down and does not report filtering (RowFiltering).
func InnerRowFilter(f *RowFilter, innerPos []int) *RowFilter {
	if f == nil {
		return nil
	}
	cols := make([]int, len(f.Cols))
	for j, c := range f.Cols {
		if c < 0 || c >= len(innerPos) || innerPos[c] < 0 {
			return nil
		}
		cols[j] = innerPos[c]
	}
	outer := make([]arrow.Array, len(innerPos))
	return &RowFilter{Cols: cols, Keep: func(in []arrow.Array, n int) ([]int32, bool, error) {
		for j, c := range f.Cols {
			outer[c] = in[cols[j]]
		}
		sel, all, err := f.Keep(outer, n)
		clear(outer)
		return sel, all, err
	}}
}

func (o ReadOptions) withDefaults() ReadOptions {
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.Mem == nil {
		o.Mem = memory.DefaultAllocator
	}
	return o
}

// Reader yields the batches of one split. Next returns (nil, nil) at the end. The caller
// owns each returned batch and releases it (or hands it on). Close releases the reader's
// own resources (files, scratch buffers); it does not release batches already returned.
// A Reader is used by one goroutine at a time.
type Reader interface {
	Next() (arrow.RecordBatch, error)
	Close() error
}

// FileSplit is a split of a file-backed source: one Parquet row group, or a whole CSV or
// JSON file.
type FileSplit struct {
	// Path is the file to read, as found under the source's path.
	Path string
	// RowGroup is the Parquet row group ordinal, or -1 when the split is the whole file.
	RowGroup int
	// Rows is the number of rows when the file's metadata records it, otherwise -1.
	Rows int64

	display string // Path relative to the source's path (base name for a single file)
	// stats holds the split's statistics per column of the source's schema (Parquet row
	// groups); nil when there are none.
	stats []colStats
}

// String returns the file name relative to the source's path, with " rg N" for a row group.
func (s *FileSplit) String() string {
	if s.RowGroup >= 0 {
		return s.display + " rg " + strconv.Itoa(s.RowGroup)
	}
	return s.display
}

// sourceFile is a file found under a source's path.
type sourceFile struct {
	path    string   // path to open
	display string   // path relative to the source's path, with forward slashes
	parts   []partKV // the Hive-style key=value folders above the file (partition.go)
}

// listFiles returns the file at path, or the files under the directory at path (recursively,
// sorted by path) whose base name satisfies match. Names starting with "." or "_" are
// skipped, files and folders alike (Spark's rule: _SUCCESS, .crc files, _temporary).
// Hive-style partition folders (key=value) are descended into like any folder and
// recorded in sourceFile.parts (withPartitions makes them columns).
func listFiles(format, path string, match func(base string) bool) ([]sourceFile, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errs.Execf("no such file or directory: %s", path)
		}
		return nil, errs.Wrap(errs.ErrExecution, err, "%s source %s", format, path)
	}
	if !st.IsDir() {
		return []sourceFile{{path: path, display: filepath.Base(path)}}, nil
	}
	var files []sourceFile
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == path {
			return nil
		}
		base := d.Name()
		if strings.HasPrefix(base, ".") || strings.HasPrefix(base, "_") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !match(base) {
			return nil
		}
		rel, err := filepath.Rel(path, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		files = append(files, sourceFile{path: p, display: rel, parts: hivePartitions(rel)})
		return nil
	})
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "listing %s source %s", format, path)
	}
	if len(files) == 0 {
		return nil, errs.Execf("no %s files in directory %s", format, path)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files, nil
}

// fileSplits makes one whole-file split per file.
func fileSplits(files []sourceFile) []Split {
	splits := make([]Split, len(files))
	for i, f := range files {
		splits[i] = &FileSplit{Path: f.path, RowGroup: -1, Rows: -1, display: f.display}
	}
	return splits
}

// checkOpen validates the arguments every Open shares: the context, the split's type and
// the column ordinals. It returns the split and the projected schema.
func checkOpen(ctx context.Context, source string, schema *arrow.Schema, split Split, columns []int) (*FileSplit, *arrow.Schema, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, errs.Canceled(err)
	}
	proj, err := projectSchema(source, schema, columns)
	if err != nil {
		return nil, nil, err
	}
	fsplit, ok := split.(*FileSplit)
	if !ok {
		return nil, nil, errs.Internalf("table %s: split %v of type %T does not belong to this source", source, split, split)
	}
	return fsplit, proj, nil
}

// projectSchema returns the schema of the given column ordinals of schema.
func projectSchema(source string, schema *arrow.Schema, columns []int) (*arrow.Schema, error) {
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		if c < 0 || c >= schema.NumFields() {
			return nil, errs.Internalf("table %s: column ordinal %d out of range [0,%d)", source, c, schema.NumFields())
		}
		fields[i] = schema.Field(c)
	}
	return arrow.NewSchema(fields, nil), nil
}

// options is a case-insensitive view of a source's option map.
type options map[string]string

// parseOptions lower-cases the keys of opts and rejects keys not in known (lower case).
func parseOptions(format string, opts map[string]string, known ...string) (options, error) {
	out := make(options, len(opts))
	for k, v := range opts {
		lk := strings.ToLower(k)
		found := false
		for _, kn := range known {
			if lk == kn {
				found = true
				break
			}
		}
		if !found {
			if len(known) == 0 {
				return nil, errs.Planf("unknown %s option %q: %s takes no options", format, k, format)
			}
			return nil, errs.Planf("unknown %s option %q (known: %s)", format, k, strings.Join(known, ", "))
		}
		out[lk] = v
	}
	return out, nil
}

// boolOption reads a 'true'/'false' option (any case).
func (o options) boolOption(format, key string, def bool) (bool, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errs.Planf("%s option %s must be 'true' or 'false', got %q", format, key, v)
}

// byteOption reads a single-byte option; an empty value yields 0 ("none").
func (o options) byteOption(format, key string, def byte) (byte, error) {
	v, ok := o[key]
	if !ok {
		return def, nil
	}
	switch {
	case v == "":
		return 0, nil
	case v == `\t`:
		return '\t', nil
	case len(v) == 1 && v[0] != '\n' && v[0] != '\r':
		return v[0], nil
	}
	return 0, errs.NotImplementedf("%s option %s must be a single ASCII character other than a line break, got %q", format, key, v)
}
