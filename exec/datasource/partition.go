package datasource

import (
	"context"
	"net/url"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Hive-style partition folders, as Spark discovers them: a table folder whose files sit
// under key=value folders (year=2024/month=5/part-0.parquet) has a column per key. The
// keys are the trailing key=value folders above each file; every file must have the same
// keys in the same order. A key's type is inferred from all its values: BIGINT when every
// one is an integer, else DOUBLE when every one is a number, else DATE when every one is a
// yyyy-mm-dd date, else VARCHAR. Values are URL-unescaped (%2F is "/");
// __HIVE_DEFAULT_PARTITION__ is NULL. The added columns come after the files' own columns,
// nullable. When the files already have a column of a key's name (Ember's own writer
// keeps the partition columns in the files), the file's column is used and none is added;
// the folder value still prunes files when it parses as that column's type.

// hiveNullPartition is the folder value Hive and Spark write for NULL.
const hiveNullPartition = "__HIVE_DEFAULT_PARTITION__"

// partKV is one key=value folder of a file's path.
type partKV struct {
	key, value string
	null       bool
}

// hivePartitions returns the trailing key=value folders of rel, a file's path relative to
// the table folder with forward slashes (nil when the file is not in such a folder).
func hivePartitions(rel string) []partKV {
	dirs := strings.Split(rel, "/")
	dirs = dirs[:len(dirs)-1]
	var out []partKV
	for i := len(dirs) - 1; i >= 0; i-- {
		k, v, ok := strings.Cut(dirs[i], "=")
		if !ok || k == "" {
			break
		}
		kv := partKV{key: unescapePartition(k), value: unescapePartition(v)}
		kv.null = v == hiveNullPartition
		out = append(out, kv)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func unescapePartition(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// partColumn is one partition key of a table.
type partColumn struct {
	name string
	typ  arrow.DataType // the type of the added column, or of the file's own column
	// fileCol is the ordinal of the files' own column of this name, or -1 when the
	// partition column is added after the file columns.
	fileCol int
}

// filePartition is what the folders of one file say.
type filePartition struct {
	values []any      // per partition column: its value in the column's type (nil: NULL)
	stats  []colStats // per partition column: the value as statistics (unknown if unparsed)
}

// partitionedSource adds partition columns to a file source (whose splits are
// *FileSplit) and prunes whole files by their folder values.
type partitionedSource struct {
	inner  Source
	schema *arrow.Schema // the inner columns, then the added partition columns
	nInner int
	cols   []partColumn
	added  []int       // for each added schema column past nInner: its index in cols
	byCol  map[int]int // source ordinal of a partition column → its index in cols
	files  map[string]*filePartition
}

// withPartitions returns inner with the partition columns of files (the files inner
// reads, as listFiles found them), or inner itself when no file is in a key=value folder.
func withPartitions(format, path string, inner Source, files []sourceFile) (Source, error) {
	if !anyPartitioned(files) {
		return inner, nil
	}
	first := files[0]
	for _, f := range files[1:] {
		if !sameKeys(first.parts, f.parts) {
			return nil, errs.Execf("%s source %s: conflicting partition folders: %s has (%s) but %s has (%s)",
				format, path, first.display, keyList(first.parts), f.display, keyList(f.parts))
		}
	}
	fileSchema := inner.ArrowSchema()
	s := &partitionedSource{inner: inner, nInner: fileSchema.NumFields(), byCol: map[int]int{}, files: map[string]*filePartition{}}
	fields := append([]arrow.Field(nil), fileSchema.Fields()...)
	for k, kv := range first.parts {
		pc := partColumn{name: kv.key, fileCol: -1}
		for j, f := range fileSchema.Fields() {
			if strings.EqualFold(f.Name, kv.key) {
				pc.fileCol, pc.typ = j, f.Type
				s.byCol[j] = k
				break
			}
		}
		if pc.fileCol < 0 {
			vals := make([]partKV, len(files))
			for i, f := range files {
				vals[i] = f.parts[k]
			}
			pc.typ = inferPartitionType(vals)
			s.byCol[len(fields)] = k
			s.added = append(s.added, k)
			fields = append(fields, arrow.Field{Name: kv.key, Type: pc.typ, Nullable: true})
		}
		s.cols = append(s.cols, pc)
	}
	for _, f := range files {
		fp := &filePartition{values: make([]any, len(s.cols)), stats: make([]colStats, len(s.cols))}
		for k, kv := range f.parts {
			if kv.null {
				fp.stats[k] = colStats{nulls: allNulls}
				continue
			}
			v, ok := parsePartitionValue(kv.value, s.cols[k].typ)
			if !ok {
				if s.cols[k].fileCol < 0 {
					return nil, errs.Internalf("%s source %s: partition value %q of %s does not parse as %s",
						format, path, kv.value, kv.key, planner.TypeString(s.cols[k].typ))
				}
				continue // a file column whose folder value we cannot read: no pruning by it
			}
			fp.values[k] = v
			fp.stats[k] = colStats{min: v, max: v, nulls: noNulls}
		}
		s.files[f.path] = fp
	}
	s.schema = arrow.NewSchema(fields, nil)
	return s, nil
}

func anyPartitioned(files []sourceFile) bool {
	for _, f := range files {
		if len(f.parts) > 0 {
			return true
		}
	}
	return false
}

func sameKeys(a, b []partKV) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i].key, b[i].key) {
			return false
		}
	}
	return true
}

func keyList(kvs []partKV) string {
	keys := make([]string, len(kvs))
	for i, kv := range kvs {
		keys[i] = kv.key
	}
	return strings.Join(keys, ", ")
}

// inferPartitionType is the narrowest of BIGINT, DOUBLE, DATE, VARCHAR that every
// non-NULL value parses as (VARCHAR when all are NULL).
func inferPartitionType(vals []partKV) arrow.DataType {
	for _, t := range []arrow.DataType{planner.Int64, planner.Float64, planner.Date} {
		all, some := true, false
		for _, kv := range vals {
			if kv.null {
				continue
			}
			some = true
			if _, ok := parsePartitionValue(kv.value, t); !ok {
				all = false
				break
			}
		}
		if all && some {
			return t
		}
	}
	return planner.String
}

// parsePartitionValue reads a folder value as a planner.Literal value of type t; ok is
// false when it does not parse exactly or t is not a type folder values are read as.
func parsePartitionValue(s string, t arrow.DataType) (any, bool) {
	b := []byte(s)
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		v, ok := parseInt64(b)
		if !ok {
			return nil, false
		}
		bits := intWidth(t)
		if bits < 64 && (v < -(1<<(bits-1)) || v >= 1<<(bits-1)) {
			return nil, false
		}
		return v, true
	case arrow.FLOAT32, arrow.FLOAT64:
		bits := 64
		if t.ID() == arrow.FLOAT32 {
			bits = 32
		}
		return parseFloat(b, bits)
	case arrow.DATE32:
		d, ok := parseDate(b)
		return arrow.Date32(d), ok
	case arrow.STRING:
		return s, true
	case arrow.BOOL:
		return parseBool(b)
	case arrow.DECIMAL128:
		dt := t.(*arrow.Decimal128Type)
		d, ok := parseDecimal(b, dt.Precision, dt.Scale)
		return d, ok
	}
	return nil, false
}

func (s *partitionedSource) Name() string               { return s.inner.Name() }
func (s *partitionedSource) ArrowSchema() *arrow.Schema { return s.schema }

func (s *partitionedSource) Splits(ctx context.Context) ([]Split, error) {
	return s.inner.Splits(ctx)
}

// Statistics implements planner.StatsProvider: the inner source's, plus for each added
// column the number of distinct folder values (NULL not counted).
func (s *partitionedSource) Statistics() *planner.TableStats {
	sp, ok := s.inner.(planner.StatsProvider)
	if !ok {
		return nil
	}
	st := sp.Statistics()
	if st == nil {
		return nil
	}
	out := &planner.TableStats{RowCount: st.RowCount}
	if st.Columns != nil {
		out.Columns = append(out.Columns, st.Columns...)
		for _, k := range s.added {
			seen := map[any]bool{}
			for _, fp := range s.files {
				if v := fp.values[k]; v != nil {
					seen[v] = true
				}
			}
			out.Columns = append(out.Columns, planner.ColumnStats{NullCount: -1, Distinct: int64(len(seen))})
		}
	}
	return out
}

// MayMatch implements Pruner: the folder values of the split's file, then the inner
// source's own statistics.
func (s *partitionedSource) MayMatch(split Split, preds []Predicate) bool {
	fs, ok := split.(*FileSplit)
	if !ok {
		return true
	}
	if fp := s.files[fs.Path]; fp != nil {
		lookup := func(c int) (colStats, arrow.DataType, bool) {
			k, ok := s.byCol[c]
			if !ok {
				return colStats{}, nil, false
			}
			return fp.stats[k], s.cols[k].typ, true
		}
		for i := range preds {
			if !preds[i].mayMatch(lookup) {
				return false
			}
		}
	}
	if p, ok := s.inner.(Pruner); ok {
		return p.MayMatch(split, preds)
	}
	return true
}

// Open reads the split's file columns through the inner source and appends the folder
// values of the requested partition columns as constant columns.
func (s *partitionedSource) Open(ctx context.Context, split Split, columns []int, opts ReadOptions) (Reader, error) {
	fsplit, proj, err := checkOpen(ctx, s.Name(), s.schema, split, columns)
	if err != nil {
		return nil, err
	}
	fp := s.files[fsplit.Path]
	if fp == nil {
		return nil, errs.Internalf("table %s: split %v is not a file of this source", s.Name(), split)
	}
	r := &partitionReader{schema: proj, pos: make([]int, len(columns)), mem: opts.withDefaults().Mem}
	var innerCols []int
	for i, c := range columns {
		if c < s.nInner {
			r.pos[i] = len(innerCols)
			innerCols = append(innerCols, c)
			continue
		}
		r.pos[i] = -1 - len(r.consts)
		r.consts = append(r.consts, fp.values[s.added[c-s.nInner]])
	}
	opts.Filter = InnerRowFilter(opts.Filter, r.pos)
	if r.inner, err = s.inner.Open(ctx, split, innerCols, opts); err != nil {
		return nil, err
	}
	return r, nil
}

// FiltersRows implements RowFiltering: the inner reader filters (a filter on partition
// columns is not passed down).
func (r *partitionReader) FiltersRows() bool {
	rf, ok := r.inner.(RowFiltering)
	return ok && rf.FiltersRows()
}

// partitionReader adds constant partition columns to the batches of a file's reader.
type partitionReader struct {
	inner  Reader
	schema *arrow.Schema
	pos    []int // per output column: >= 0 the inner column, else -1-k for consts[k]
	consts []any
	mem    memory.Allocator
}

func (r *partitionReader) Next() (arrow.RecordBatch, error) {
	b, err := r.inner.Next()
	if err != nil || b == nil {
		return nil, err
	}
	defer b.Release()
	n := int(b.NumRows())
	cols := make([]arrow.Array, len(r.pos))
	for i, p := range r.pos {
		if p >= 0 {
			cols[i] = b.Column(p)
			cols[i].Retain()
			continue
		}
		cols[i] = constantArray(r.mem, r.schema.Field(i).Type, r.consts[-1-p], n)
	}
	out := array.NewRecordBatch(r.schema, cols, int64(n))
	releaseArrays(cols)
	return out, nil
}

func (r *partitionReader) Close() error { return r.inner.Close() }

// Stats implements StatsReader by asking the inner reader.
func (r *partitionReader) Stats() ReadStats {
	if sr, ok := r.inner.(StatsReader); ok {
		return sr.Stats()
	}
	return ReadStats{}
}

// constantArray returns n copies of the planner.Literal value v (nil: NULL) of type t,
// one of the types parsePartitionValue returns for added columns.
func constantArray(mem memory.Allocator, t arrow.DataType, v any, n int) arrow.Array {
	b := array.NewBuilder(mem, t)
	defer b.Release()
	b.Reserve(n)
	for range n {
		switch x := v.(type) {
		case nil:
			b.AppendNull()
		case int64:
			b.(*array.Int64Builder).Append(x)
		case float64:
			b.(*array.Float64Builder).Append(x)
		case arrow.Date32:
			b.(*array.Date32Builder).Append(x)
		case string:
			b.(*array.StringBuilder).Append(x)
		}
	}
	return b.NewArray()
}
