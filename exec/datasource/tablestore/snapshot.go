package tablestore

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// logSplitRows is about how many log rows one split covers.
const logSplitRows = 8 * datasource.DefaultBatchSize

// dataFile is one immutable Parquet file of a table, shared by every manifest that lists it.
type dataFile struct {
	name  string
	rows  int64
	ncols int // the file holds the table's first ncols columns (later ones were added after)
	bytes int64

	once sync.Once
	src  datasource.Source // the file's footer, read on first use
	err  error
}

// source returns the Parquet source of the file, reading its footer the first time, and
// checks it against the manifest: the first ncols column types of schema and the row count.
func (f *dataFile) source(t *Table, schema *arrow.Schema) (datasource.Source, error) {
	f.once.Do(func() {
		path := t.path(f.name)
		src, err := datasource.NewParquet(t.opts.Name, path, nil)
		if err != nil {
			f.err = err
			return
		}
		fs := src.ArrowSchema()
		if fs.NumFields() != f.ncols {
			f.err = errs.Execf("corrupt table %s: data file %s has %d columns, the manifest says %d", t.opts.Name, path, fs.NumFields(), f.ncols)
			return
		}
		for i := range f.ncols {
			want := fileType(schema.Field(i).Type)
			if got := fs.Field(i).Type; !arrow.TypeEqual(got, want) {
				f.err = errs.Execf("corrupt table %s: data file %s column %d is %s, the table's %q is %s", t.opts.Name, path,
					i+1, planner.TypeString(got), schema.Field(i).Name, planner.TypeString(schema.Field(i).Type))
				return
			}
		}
		splits, err := src.Splits(context.Background())
		if err != nil {
			f.err = err
			return
		}
		var rows int64
		for _, sp := range splits {
			rows += sp.(*datasource.FileSplit).Rows
		}
		if rows != f.rows {
			f.err = errs.Execf("corrupt table %s: data file %s has %d rows, the manifest says %d", t.opts.Name, path, rows, f.rows)
			return
		}
		f.src = src
	})
	return f.src, f.err
}

// fileType is the type the Parquet reader returns for a column of table type t: VECTOR(n)
// is stored as a list of floats and read back as ARRAY<FLOAT>.
func fileType(t arrow.DataType) arrow.DataType {
	if planner.IsVector(t) {
		return planner.ArrayOf(planner.Float32)
	}
	return t
}

// Snapshot is an immutable view of a table as of one commit: the data files and the log
// rows committed then. It is a datasource.Source; statements committed after it was taken
// do not change what it reads, and the files it reads stay on disk until it is released.
//
// Splits are one per row group of each data file, in manifest order, then the log's rows
// in splits of about 64Ki rows. Readers of data files allocate from ReadOptions.Mem;
// readers of the log hand out zero-copy slices of the table's in-memory log (ReadOptions.Mem
// is not used), which they retain until they are closed.
//
// Call Release when done (a query's end). A snapshot dropped without Release is released
// when the garbage collector finds it unreachable.
type Snapshot struct {
	st      *snapState
	cleanup runtime.Cleanup
}

// snapState is what a Snapshot holds, apart from it so that the cleanup can release it.
type snapState struct {
	t        *Table
	m        *manifest
	log      []arrow.RecordBatch // retained
	logRows  int64
	released atomic.Bool
	once     sync.Once
}

func (st *snapState) release() {
	st.once.Do(func() {
		st.released.Store(true)
		releaseAll(st.log)
		st.log = nil
		t := st.t
		t.mu.Lock()
		delete(t.live, st)
		t.mu.Unlock()
		t.collect()
	})
}

// Snapshot returns a view of the table as last committed. It waits for no write.
func (t *Table) Snapshot() (*Snapshot, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, errs.Internalf("table %s used after Close", t.opts.Name)
	}
	st := &snapState{t: t, m: t.m, log: t.cache.snapshot(), logRows: t.cache.rows}
	t.live[st] = struct{}{}
	s := &Snapshot{st: st}
	s.cleanup = runtime.AddCleanup(s, func(st *snapState) { st.release() }, st)
	return s, nil
}

// Release lets the table remove the files only this snapshot used and drops its
// references to the log. Readers already open keep working. Release is idempotent.
func (s *Snapshot) Release() {
	s.cleanup.Stop()
	s.st.release()
}

// Name returns the table's name.
func (s *Snapshot) Name() string { return s.st.t.opts.Name }

// ArrowSchema returns the table's schema as of the snapshot.
func (s *Snapshot) ArrowSchema() *arrow.Schema { return s.st.m.schema }

// Version returns the manifest sequence number the snapshot reads (see Stats.Version).
func (s *Snapshot) Version() int64 { return s.st.m.seq }

// NumRows returns the number of rows the snapshot reads.
func (s *Snapshot) NumRows() int64 { return s.st.m.fileRows() + s.st.logRows }

// fileSplit is one row group of a data file.
type fileSplit struct {
	st    *snapState
	file  *dataFile
	inner datasource.Split
}

func (sp *fileSplit) String() string { return sp.inner.String() }

// logSplit is the log batches [from, to) of a snapshot.
type logSplit struct {
	st       *snapState
	index    int
	from, to int
}

func (sp *logSplit) String() string { return fmt.Sprintf("%s part %d", sp.st.m.log, sp.index) }

// Splits lists the row groups of the data files, then the log's parts.
func (s *Snapshot) Splits(ctx context.Context) ([]datasource.Split, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	st := s.st
	if st.released.Load() {
		return nil, errs.Internalf("snapshot of table %s used after Release", s.Name())
	}
	var out []datasource.Split
	for _, f := range st.m.files {
		src, err := f.source(st.t, st.m.schema)
		if err != nil {
			return nil, err
		}
		inner, err := src.Splits(ctx)
		if err != nil {
			return nil, err
		}
		for _, sp := range inner {
			out = append(out, &fileSplit{st: st, file: f, inner: sp})
		}
	}
	for from := 0; from < len(st.log); {
		to, rows := from, int64(0)
		for to < len(st.log) && (to == from || rows+st.log[to].NumRows() <= logSplitRows) {
			rows += st.log[to].NumRows()
			to++
		}
		out = append(out, &logSplit{st: st, index: len(out), from: from, to: to})
		from = to
	}
	return out, nil
}

// Open reads one split, returning the columns at the given ordinals of ArrowSchema(). Data
// files written before a column was added return its default for it.
func (s *Snapshot) Open(ctx context.Context, split datasource.Split, columns []int, opts datasource.ReadOptions) (datasource.Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, errs.Canceled(err)
	}
	st := s.st
	if st.released.Load() {
		return nil, errs.Internalf("snapshot of table %s used after Release", s.Name())
	}
	schema := st.m.schema
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		if c < 0 || c >= schema.NumFields() {
			return nil, errs.Internalf("table %s: column ordinal %d out of range [0,%d)", s.Name(), c, schema.NumFields())
		}
		fields[i] = schema.Field(c)
	}
	proj := arrow.NewSchema(fields, nil)
	if opts.BatchSize <= 0 {
		opts.BatchSize = datasource.DefaultBatchSize
	}
	if opts.Mem == nil {
		opts.Mem = memory.DefaultAllocator
	}
	switch sp := split.(type) {
	case *fileSplit:
		if sp.st != st {
			break
		}
		return s.openFile(ctx, sp, columns, proj, opts)
	case *logSplit:
		if sp.st != st {
			break
		}
		batches := append([]arrow.RecordBatch(nil), st.log[sp.from:sp.to]...)
		for _, b := range batches {
			b.Retain()
		}
		return &logReader{schema: proj, columns: columns, batches: batches, batchSize: opts.BatchSize}, nil
	}
	return nil, errs.Internalf("table %s: split %v does not belong to this snapshot", s.Name(), split)
}

func (s *Snapshot) openFile(ctx context.Context, sp *fileSplit, columns []int, proj *arrow.Schema, opts datasource.ReadOptions) (_ datasource.Reader, err error) {
	st := s.st
	r := &fileReader{schema: proj, src: make([]int, len(columns)), defs: make([]arrow.Array, len(columns)),
		consts: make([]arrow.Array, len(columns)), mem: opts.Mem}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	var inner []int
	for i, c := range columns {
		if c < sp.file.ncols {
			r.src[i] = len(inner)
			inner = append(inner, c)
			continue
		}
		r.src[i] = -1
		f := st.m.schema.Field(c)
		if d := st.m.defaults[c]; d != nil {
			if r.defs[i], err = decodeDefault(f, d, opts.Mem); err != nil {
				return nil, errs.Execf("corrupt table %s: default of column %q: %v", s.Name(), f.Name, err)
			}
		}
	}
	src, err := sp.file.source(st.t, st.m.schema)
	if err != nil {
		return nil, err
	}
	// A row filter reads the inner columns as the table's types only where they are the
	// same (not vectors, which the file stores as lists).
	innerPos := slices.Clone(r.src)
	for i, j := range innerPos {
		if j >= 0 && planner.IsVector(proj.Field(i).Type) {
			innerPos[i] = -1
		}
	}
	opts.Filter = datasource.InnerRowFilter(opts.Filter, innerPos)
	if r.inner, err = src.Open(ctx, sp.inner, inner, opts); err != nil {
		return nil, err
	}
	return r, nil
}

// FiltersRows implements datasource.RowFiltering: the file's reader filters.
func (r *fileReader) FiltersRows() bool {
	rf, ok := r.inner.(datasource.RowFiltering)
	return ok && rf.FiltersRows()
}

// Stats implements datasource.StatsReader by asking the file's reader.
func (r *fileReader) Stats() datasource.ReadStats {
	if sr, ok := r.inner.(datasource.StatsReader); ok {
		return sr.Stats()
	}
	return datasource.ReadStats{}
}

// fileReader reads a row group through the Parquet source, filling columns the file lacks
// with their default and turning lists back into vectors.
type fileReader struct {
	inner  datasource.Reader
	schema *arrow.Schema // projected, table types
	src    []int         // per output column: the inner column, or -1 for the default
	defs   []arrow.Array // per output column with src -1: the one-row default, nil for NULL
	consts []arrow.Array // per output column with src -1: the default repeated, grown on demand
	mem    memory.Allocator
}

func (r *fileReader) Next() (arrow.RecordBatch, error) {
	b, err := r.inner.Next()
	if err != nil || b == nil {
		return nil, err
	}
	defer b.Release()
	n := int(b.NumRows())
	cols := make([]arrow.Array, len(r.src))
	for i, j := range r.src {
		f := r.schema.Field(i)
		switch {
		case j >= 0 && planner.IsVector(f.Type):
			cols[i], err = listToVector(b.Column(j), f, r.mem)
		case j >= 0:
			cols[i] = b.Column(j)
			cols[i].Retain()
		default:
			if r.consts[i] == nil || r.consts[i].Len() < n {
				if r.consts[i] != nil {
					r.consts[i].Release()
					r.consts[i] = nil
				}
				r.consts[i], err = repeatValue(r.defs[i], f.Type, n, r.mem)
			}
			if err == nil {
				cols[i] = array.NewSlice(r.consts[i], 0, int64(n))
			}
		}
		if err != nil {
			releaseArrays(cols)
			return nil, err
		}
	}
	out := arrowBatch(r.schema, cols, int64(n))
	releaseArrays(cols)
	return out, nil
}

func (r *fileReader) Close() error {
	releaseArrays(r.defs)
	releaseArrays(r.consts)
	r.defs, r.consts = nil, nil
	if r.inner != nil {
		err := r.inner.Close()
		r.inner = nil
		return err
	}
	return nil
}

// listToVector turns the ARRAY<FLOAT> the Parquet reader returns for a VECTOR(n) column back
// into the vector type: zero-copy when no row is NULL.
func listToVector(arr arrow.Array, f arrow.Field, mem memory.Allocator) (arrow.Array, error) {
	vt := f.Type.(*arrow.FixedSizeListType)
	width := int64(vt.Len())
	l, ok := arr.(*array.List)
	if !ok {
		return nil, errs.Internalf("column %q: vector stored as %s", f.Name, arr.DataType())
	}
	values := l.ListValues().(*array.Float32)
	for i := 0; i < l.Len(); i++ {
		if start, end := l.ValueOffsets(i); l.IsValid(i) && end-start != width {
			return nil, errs.Execf("column %q: a stored vector has %d elements, the type %s", f.Name, end-start, planner.TypeString(f.Type))
		}
	}
	if l.Len() == 0 {
		return array.MakeArrayOfNull(mem, vt, 0), nil
	}
	if l.NullN() == 0 {
		start, _ := l.ValueOffsets(0)
		_, end := l.ValueOffsets(l.Len() - 1)
		child := array.NewSlice(values, start, end)
		defer child.Release()
		if child.NullN() > 0 {
			return nil, errs.Execf("column %q: a stored vector has a NULL element", f.Name)
		}
		data := array.NewData(vt, l.Len(), []*memory.Buffer{nil}, []arrow.ArrayData{child.Data()}, 0, 0)
		defer data.Release()
		return array.MakeFromData(data), nil
	}
	b := array.NewFixedSizeListBuilderWithField(mem, vt.Len(), vt.ElemField())
	defer b.Release()
	vb := b.ValueBuilder().(*array.Float32Builder)
	for i := 0; i < l.Len(); i++ {
		if l.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.Append(true)
		start, end := l.ValueOffsets(i)
		for j := start; j < end; j++ {
			if values.IsNull(int(j)) {
				return nil, errs.Execf("column %q: a stored vector has a NULL element", f.Name)
			}
			vb.Append(values.Value(int(j)))
		}
	}
	return b.NewArray(), nil
}

// logReader hands out zero-copy slices of the snapshot's log batches, at most batchSize
// rows each.
type logReader struct {
	schema    *arrow.Schema // projected
	columns   []int
	batches   []arrow.RecordBatch // retained; released by Close
	batchSize int
	pos       int   // current batch
	off       int64 // next row of the current batch
}

func (r *logReader) Next() (arrow.RecordBatch, error) {
	for r.pos < len(r.batches) && r.off >= r.batches[r.pos].NumRows() {
		r.pos++
		r.off = 0
	}
	if r.pos >= len(r.batches) {
		return nil, nil
	}
	b := r.batches[r.pos]
	n := min(int64(r.batchSize), b.NumRows()-r.off)
	cols := make([]arrow.Array, len(r.columns))
	for i, c := range r.columns {
		cols[i] = array.NewSlice(b.Column(c), r.off, r.off+n)
	}
	r.off += n
	out := arrowBatch(r.schema, cols, n)
	releaseArrays(cols)
	return out, nil
}

func (r *logReader) Close() error {
	releaseAll(r.batches)
	r.batches = nil
	return nil
}
