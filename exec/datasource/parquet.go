package datasource

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// parquetReadBuffer is the read buffer of each column chunk being scanned. Pages larger
// than it are read straight into the page buffer.
const parquetReadBuffer = 128 << 10

type parquetSource struct {
	name       string
	schema     *arrow.Schema
	splits     []Split // one per non-empty row group, files in path order
	statsState         // footer statistics, read on first use (stats.go)
}

// NewParquet returns a source over the Parquet file at path, or over every *.parquet file
// under the directory at path (recursively, sorted, skipping names that start with "." or
// "_"). Every file must have the same columns (names and Ember types, in order); a column
// is nullable if it is optional in any file. Each non-empty row group is one split.
//
// The footers are read here, once: files added or changed later are not seen by this
// source (Open reports a file whose row groups no longer match). Columns must be flat or
// lists of a flat type (LIST groups in the standard 3-level form or the legacy 2-level one,
// or bare repeated columns), of a type Ember has: anything else (groups, maps, nested lists)
// is a not-implemented error naming the file and column. No options are accepted yet.
//
// Type mapping: BOOLEAN; INT32 (INT(8|16|32) → TINYINT, SMALLINT, INT; UINT(8|16|32) widen to
// the next signed type; DATE → DATE); INT64 (UINT(64) → DECIMAL(20,0); TIMESTAMP in millis,
// micros or nanos → TIMESTAMP in micros, UTC-adjusted or not); INT96 → TIMESTAMP; FLOAT;
// DOUBLE; BYTE_ARRAY (STRING, ENUM, JSON or unannotated) → STRING; DECIMAL over INT32, INT64,
// FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY with precision <= 38 → DECIMAL; a list of one of these
// → ARRAY of it (NULL when the list group is NULL; elements NULL when the element is).
//
// Files in Hive-style key=value folders get the keys as columns (partition.go). The source
// is a Pruner: each split keeps its row group's column chunk statistics, and readers given
// ReadOptions.Predicates skip pages by the page index (parquet_stats.go, parquet_pages.go).
func NewParquet(name, path string, options map[string]string) (Source, error) {
	if _, err := parseOptions("parquet", options); err != nil {
		return nil, err
	}
	files, err := listFiles("parquet", path, func(base string) bool {
		return strings.HasSuffix(strings.ToLower(base), ".parquet")
	})
	if err != nil {
		return nil, err
	}
	s := &parquetSource{name: name}
	var fields []arrow.Field
	for i, f := range files {
		osf, pf, err := openParquet(f.path)
		if err != nil {
			return nil, err
		}
		ff, pcs, err := parquetFields(f.path, pf)
		if err == nil && i > 0 {
			err = sameColumns(files[0].path, fields, f.path, ff)
		}
		if err != nil {
			osf.Close()
			return nil, err
		}
		if i == 0 {
			fields = ff
		}
		for j := range fields {
			fields[j].Nullable = fields[j].Nullable || ff[j].Nullable
		}
		md := pf.Metadata()
		for rg, g := range pf.RowGroups() {
			if g.NumRows() > 0 {
				stats := make([]colStats, len(pcs))
				for c, pc := range pcs {
					stats[c] = chunkStats(md, rg, pc, g.NumRows())
				}
				s.splits = append(s.splits, &FileSplit{Path: f.path, RowGroup: rg, Rows: g.NumRows(), display: f.display, stats: stats})
			}
		}
		osf.Close()
	}
	s.schema = arrow.NewSchema(fields, nil)
	return withPartitions("parquet", path, s, files)
}

// MayMatch implements Pruner with the column chunk statistics of the split's row group.
func (s *parquetSource) MayMatch(split Split, preds []Predicate) bool {
	fs, ok := split.(*FileSplit)
	if !ok || fs.stats == nil {
		return true
	}
	return statsMayMatch(fs.stats, s.schema, preds)
}

// statsMayMatch judges preds against per-column statistics of a schema's columns.
func statsMayMatch(stats []colStats, schema *arrow.Schema, preds []Predicate) bool {
	lookup := func(c int) (colStats, arrow.DataType, bool) {
		if c < 0 || c >= len(stats) || c >= schema.NumFields() {
			return colStats{}, nil, false
		}
		return stats[c], schema.Field(c).Type, true
	}
	for i := range preds {
		if !preds[i].mayMatch(lookup) {
			return false
		}
	}
	return true
}

// sameColumns checks that file b has the columns of file a.
func sameColumns(a string, fa []arrow.Field, b string, fb []arrow.Field) error {
	if len(fa) != len(fb) {
		return errs.Execf("parquet file %s has %d columns but %s has %d: all files of a table must have the same columns",
			b, len(fb), a, len(fa))
	}
	for i := range fa {
		if fa[i].Name != fb[i].Name || !arrow.TypeEqual(fa[i].Type, fb[i].Type) {
			return errs.Execf("parquet file %s column %d is %s %s but in %s it is %s %s: all files of a table must have the same columns",
				b, i+1, fb[i].Name, planner.TypeString(fb[i].Type), a, fa[i].Name, planner.TypeString(fa[i].Type))
		}
	}
	return nil
}

// openParquet opens a file and reads its footer. The caller closes the *os.File.
func openParquet(path string) (_ *os.File, _ *parquet.File, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, errs.Wrap(errs.ErrExecution, err, "parquet file %s", path)
	}
	defer func() {
		// parquet-go panics on some malformed footers.
		if r := recover(); r != nil {
			err = errs.Execf("parquet file %s: invalid footer: %v", path, r)
		}
		if err != nil {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, errs.Wrap(errs.ErrExecution, err, "parquet file %s", path)
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true),
		parquet.ReadBufferSize(parquetReadBuffer))
	if err != nil {
		return nil, nil, errs.Wrap(errs.ErrExecution, err, "parquet file %s", path)
	}
	return f, pf, nil
}

// parquetFields maps the columns of a file to Arrow fields.
func parquetFields(path string, pf *parquet.File) ([]arrow.Field, []pqField, error) {
	cols := pf.Root().Columns()
	fields := make([]arrow.Field, len(cols))
	pcs := make([]pqField, len(cols))
	for i, c := range cols {
		pc, err := mapColumn(path, c)
		if err != nil {
			return nil, nil, err
		}
		fields[i], pcs[i] = pc.field, pc
	}
	return fields, pcs, nil
}

// pqField is how one top-level Parquet column maps to an Ember column.
type pqField struct {
	field arrow.Field
	leaf  *parquet.Column // the leaf column holding the values (the column itself when flat)
	// For an ARRAY (list != nil): the definition levels from which a list is not NULL and
	// has an element (see listLevels).
	list *listLevels
}

// mapColumn maps a top-level column: a flat leaf, or an ARRAY of a leaf type from a LIST
// group (3-level lists, and the legacy 2-level form with a repeated leaf inside the group)
// or a bare repeated leaf (a list that is never NULL and whose elements are never NULL).
// Other nested columns are not implemented.
func mapColumn(path string, c *parquet.Column) (pqField, error) {
	leaf := c
	switch {
	case c.Leaf() && !c.Repeated():
	case c.Leaf():
		// repeated leaf: fine as it is
	default:
		leaf = listElement(c)
		if leaf == nil {
			return pqField{}, errs.NotImplementedf("parquet file %s column %q: nested columns other than lists of a primitive type (groups, maps, nested lists) are not supported", path, c.Name())
		}
	}
	dt := parquetType(leaf.Type())
	if dt == nil {
		return pqField{}, errs.NotImplementedf("parquet file %s column %q: type %s is not supported", path, c.Name(), leaf.Type())
	}
	if leaf == c && !c.Repeated() {
		return pqField{field: arrow.Field{Name: c.Name(), Type: dt, Nullable: c.Optional()}, leaf: c}, nil
	}
	if leaf.MaxRepetitionLevel() != 1 {
		return pqField{}, errs.NotImplementedf("parquet file %s column %q: nested lists are not supported", path, c.Name())
	}
	defElem := byte(leaf.MaxDefinitionLevel())
	if leaf.Optional() {
		defElem--
	}
	return pqField{
		field: arrow.Field{Name: c.Name(), Type: planner.ArrayOf(dt), Nullable: c.Optional()},
		leaf:  leaf,
		list:  &listLevels{defElem: defElem},
	}, nil
}

// listElement returns the element leaf of a LIST-annotated group, nil when c is not one or
// its element is not a primitive.
func listElement(c *parquet.Column) *parquet.Column {
	lt := c.Type().LogicalType()
	if c.Repeated() || lt == nil || len(c.Columns()) != 1 {
		return nil
	}
	if _, ok := lt.Value.(*format.ListType); !ok {
		return nil
	}
	rep := c.Columns()[0]
	switch {
	case !rep.Repeated():
		return nil
	case rep.Leaf():
		return rep // 2-level: the repeated leaf is the element
	case len(rep.Columns()) != 1 || rep.Name() == "array" || rep.Name() == c.Name()+"_tuple":
		return nil // a list of structs (by the backward-compatibility rules of the format)
	}
	if el := rep.Columns()[0]; el.Leaf() && !el.Repeated() {
		return el
	}
	return nil
}

// parquetType returns the Ember type of a Parquet leaf type, nil when there is none.
func parquetType(t parquet.Type) arrow.DataType {
	kind := t.Kind()
	if lt := t.LogicalType(); lt != nil && lt.Value != nil {
		switch v := lt.Value.(type) {
		case *format.DecimalType:
			if v.Precision < 1 || v.Precision > planner.MaxDecimalPrecision || v.Scale < 0 || v.Scale > v.Precision {
				return nil
			}
			switch kind {
			case parquet.Int32, parquet.Int64, parquet.ByteArray, parquet.FixedLenByteArray:
				return &arrow.Decimal128Type{Precision: v.Precision, Scale: v.Scale}
			}
		case *format.DateType:
			if kind == parquet.Int32 {
				return planner.Date
			}
		case *format.TimestampType:
			if kind == parquet.Int64 {
				return planner.Timestamp
			}
		case *format.IntType:
			return intLogicalType(kind, v)
		case *format.StringType, *format.EnumType, *format.JsonType:
			if kind == parquet.ByteArray {
				return planner.String
			}
		}
		return nil
	}
	switch kind {
	case parquet.Boolean:
		return planner.Boolean
	case parquet.Int32:
		return planner.Int32
	case parquet.Int64:
		return planner.Int64
	case parquet.Int96:
		return planner.Timestamp
	case parquet.Float:
		return planner.Float32
	case parquet.Double:
		return planner.Float64
	case parquet.ByteArray:
		return planner.String
	}
	return nil
}

func intLogicalType(kind parquet.Kind, v *format.IntType) arrow.DataType {
	switch {
	case kind == parquet.Int32 && v.IsSigned && v.BitWidth == 8:
		return planner.Int8
	case kind == parquet.Int32 && (v.IsSigned && v.BitWidth == 16 || !v.IsSigned && v.BitWidth == 8):
		return planner.Int16
	case kind == parquet.Int32 && (v.IsSigned && v.BitWidth == 32 || !v.IsSigned && v.BitWidth == 16):
		return planner.Int32
	case kind == parquet.Int32 && !v.IsSigned && v.BitWidth == 32:
		return planner.Int64
	case kind == parquet.Int64 && v.IsSigned:
		return planner.Int64
	case kind == parquet.Int64 && !v.IsSigned:
		return planner.Decimal(20, 0)
	}
	return nil
}

func (s *parquetSource) Name() string               { return s.name }
func (s *parquetSource) ArrowSchema() *arrow.Schema { return s.schema }

func (s *parquetSource) Splits(ctx context.Context) ([]Split, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	return append([]Split(nil), s.splits...), nil
}

// Open reads the column chunks of the requested columns only, page by page.
func (s *parquetSource) Open(ctx context.Context, split Split, columns []int, opts ReadOptions) (Reader, error) {
	fsplit, proj, err := checkOpen(ctx, s.name, s.schema, split, columns)
	if err != nil {
		return nil, err
	}
	if fsplit.RowGroup < 0 {
		return nil, errs.Internalf("table %s: split %v is not a row group", s.name, split)
	}
	opts = opts.withDefaults()
	pf, giveBack, err := opts.Files.openParquet(fsplit.Path)
	if err != nil {
		return nil, err
	}
	r := &parquetReader{ctx: ctx, giveBack: giveBack, split: fsplit, schema: proj, batchSize: opts.BatchSize, mem: opts.Mem}
	if fl := opts.Filter; fl != nil && len(fl.Cols) > 0 && fl.Keep != nil {
		r.filter, r.isFilterCol = fl, make([]bool, len(columns))
		for _, c := range fl.Cols {
			if c < 0 || c >= len(columns) {
				giveBack()
				return nil, errs.Internalf("parquet reader: filter column %d of %d", c, len(columns))
			}
			r.isFilterCol[c] = true
		}
	}
	if err := r.init(pf, columns); err != nil {
		r.Close()
		return nil, err
	}
	if len(opts.Predicates) > 0 {
		if err := r.safely(func() { r.prunePages(pf, columns, opts.Predicates) }); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// safely runs f, turning a panic of parquet-go (on corrupt metadata) into an error.
func (r *parquetReader) safely(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errs.Execf("parquet file %s row group %d: cannot read the page index: %v", r.split.Path, r.split.RowGroup, p)
		}
	}()
	f()
	return nil
}

// parquetReader reads one row group, column chunk by column chunk.
type parquetReader struct {
	ctx context.Context
	// giveBack closes the file, or returns it to the FileCache it came from.
	giveBack  func() error
	split     *FileSplit
	schema    *arrow.Schema // projected
	cols      []pqColumn
	remaining int64 // rows left to return
	batchSize int
	mem       memory.Allocator
	// ranges, when not nil, are the row ranges left to read (page pruning); pos is the
	// row the columns are at.
	ranges []rowRange
	pos    int64
	stats  ReadStats
	// filter, when set, is applied before the other columns are decoded (parquet_select.go);
	// isFilterCol marks the projection's columns it reads.
	filter      *RowFilter
	isFilterCol []bool
}

// FiltersRows implements RowFiltering.
func (r *parquetReader) FiltersRows() bool { return r.filter != nil }

// Stats implements StatsReader.
func (r *parquetReader) Stats() ReadStats {
	st := r.stats
	for _, c := range r.cols {
		st.PagesRead += c.pagesRead()
	}
	return st
}

func (r *parquetReader) init(pf *parquet.File, columns []int) error {
	path := r.split.Path
	rgs := pf.RowGroups()
	if r.split.RowGroup >= len(rgs) {
		return errs.Execf("parquet file %s changed after the table was created: row group %d is gone", path, r.split.RowGroup)
	}
	rg := rgs[r.split.RowGroup]
	r.remaining = rg.NumRows()
	top := pf.Root().Columns()
	chunks := rg.ColumnChunks()
	for i, c := range columns {
		want := r.schema.Field(i)
		changed := errs.Execf("parquet file %s changed after the table was created: column %d is not %s %s",
			path, c+1, want.Name, planner.TypeString(want.Type))
		if c >= len(top) {
			return changed
		}
		pc, err := mapColumn(path, top[c])
		if err != nil || pc.field.Name != want.Name || !arrow.TypeEqual(pc.field.Type, want.Type) ||
			pc.leaf.Index() < 0 || pc.leaf.Index() >= len(chunks) {
			return changed
		}
		chunk := chunks[pc.leaf.Index()]
		var col pqColumn
		if pc.list != nil {
			col, err = newListColumn(path, want.Name, pc.leaf, chunk, want.Type, pc.list, rg.NumRows())
		} else {
			col, err = newPQColumn(path, pc.leaf, newPageCursor(path, want.Name, pc.leaf, chunk), want.Type)
		}
		if err != nil {
			return err
		}
		r.cols = append(r.cols, col)
	}
	return nil
}

func (r *parquetReader) Next() (rec arrow.RecordBatch, err error) {
	for {
		rec, err := r.next()
		// A batch the filter emptied is not returned; the next one is read.
		if err != nil || rec != nil || r.remaining <= 0 {
			return rec, err
		}
	}
}

// next reads the next batch of rows: nil when the row filter kept none of them (rows
// remain) or at the end.
func (r *parquetReader) next() (rec arrow.RecordBatch, err error) {
	if r.remaining <= 0 {
		return nil, nil
	}
	if err := r.ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	n := int(min(int64(r.batchSize), r.remaining))
	arrs := make([]arrow.Array, len(r.cols))
	defer func() {
		// parquet-go panics on some corrupt pages.
		if p := recover(); p != nil {
			releaseArrays(arrs)
			rec, err = nil, errs.Execf("parquet file %s row group %d: cannot decode: %v", r.split.Path, r.split.RowGroup, p)
		}
	}()
	if r.ranges != nil {
		cur := r.ranges[0]
		if r.pos < cur.from { // the columns are at the end of the previous range
			for _, c := range r.cols {
				if err := c.seek(cur.from); err != nil {
					return nil, err
				}
			}
			r.pos = cur.from
		}
		n = int(min(int64(n), cur.to-r.pos))
		if r.pos += int64(n); r.pos == cur.to {
			r.ranges = r.ranges[1:]
		}
	}
	if r.filter != nil {
		return r.nextFiltered(n, arrs)
	}
	for i, c := range r.cols {
		a, err := c.read(n, r.mem)
		if err != nil {
			releaseArrays(arrs)
			return nil, err
		}
		arrs[i] = a
	}
	rec = array.NewRecordBatch(r.schema, arrs, int64(n))
	releaseArrays(arrs)
	r.remaining -= int64(n)
	return rec, nil
}

// nextFiltered reads n rows under the row filter: the filter columns first, then the rows
// the filter keeps of the others (nil when it keeps none). arrs is the batch's column
// slice, all nil.
func (r *parquetReader) nextFiltered(n int, arrs []arrow.Array) (arrow.RecordBatch, error) {
	fail := func(err error) (arrow.RecordBatch, error) {
		releaseArrays(arrs)
		return nil, err
	}
	for _, i := range r.filter.Cols {
		if arrs[i] != nil {
			continue // named twice
		}
		a, err := r.cols[i].read(n, r.mem)
		if err != nil {
			return fail(err)
		}
		arrs[i] = a
	}
	sel, all, err := r.filter.Keep(arrs, n)
	if err != nil {
		return fail(err)
	}
	r.remaining -= int64(n)
	switch {
	case all:
		for i, c := range r.cols {
			if arrs[i] != nil {
				continue
			}
			a, err := c.read(n, r.mem)
			if err != nil {
				return fail(err)
			}
			arrs[i] = a
		}
	case len(sel) == 0:
		for i, c := range r.cols {
			if !r.isFilterCol[i] {
				if err := skipRows(c, n, r.mem); err != nil {
					return fail(err)
				}
			}
		}
		releaseArrays(arrs)
		r.stats.RowsSkipped += int64(n)
		return nil, nil
	default:
		for i, c := range r.cols {
			var a arrow.Array
			var err error
			if r.isFilterCol[i] {
				a, err = takeSelected(arrs[i], sel, r.mem)
				arrs[i].Release()
				arrs[i] = nil
			} else {
				a, err = readRows(c, n, sel, r.mem)
			}
			if err != nil {
				return fail(err)
			}
			arrs[i] = a
		}
		r.stats.RowsSkipped += int64(n - len(sel))
		n = len(sel)
	}
	rec := array.NewRecordBatch(r.schema, arrs, int64(n))
	releaseArrays(arrs)
	return rec, nil
}

func (r *parquetReader) Close() error {
	var first error
	for _, c := range r.cols {
		if err := c.close(); err != nil && first == nil {
			first = err
		}
	}
	r.cols = nil
	if r.giveBack != nil {
		if err := r.giveBack(); err != nil && first == nil {
			first = err
		}
		r.giveBack = nil
	}
	if first != nil {
		return errs.Wrap(errs.ErrExecution, first, "parquet file %s", r.split.Path)
	}
	return nil
}

// corrupt is the error for a page whose contents contradict its header or the schema.
func corrupt(path, column string, format string, args ...any) error {
	return errs.Execf("parquet file %s column %q: corrupt data: %s", path, column, fmt.Sprintf(format, args...))
}
