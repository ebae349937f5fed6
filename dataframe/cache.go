package dataframe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/embersql/ember/exec"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Caching (Spark's cache/persist). Cache marks a DataFrame: from then on its text reads a
// hidden relation (cacheEntry.name) whose source is the cache. The first action whose query
// reads the cache builds it by running the DataFrame's lineage (its text before caching)
// and keeps the result's batches, dealt into as many splits as the session has partitions,
// in memory or in Arrow IPC files on disk; later actions read the splits and not the
// sources. A lost split (a file removed, a split dropped) is found when an action starts,
// and the cache is rebuilt from the lineage: every split, since a rerun deals its rows
// anew. Unpersist frees the data; the DataFrame reads its lineage again.

// StorageLevel is where a cached DataFrame's partitions live.
type StorageLevel int

// The storage levels, as Spark names them.
const (
	// MemoryOnly keeps the batches in memory (Cache's level).
	MemoryOnly StorageLevel = iota
	// MemoryAndDisk keeps splits in memory up to memoryAndDiskBudget bytes per cache and
	// writes the rest to disk.
	MemoryAndDisk
	// DiskOnly writes every split to an Arrow IPC file in a scratch folder.
	DiskOnly
)

func (l StorageLevel) String() string {
	switch l {
	case MemoryOnly:
		return "MEMORY_ONLY"
	case MemoryAndDisk:
		return "MEMORY_AND_DISK"
	case DiskOnly:
		return "DISK_ONLY"
	}
	return fmt.Sprintf("StorageLevel(%d)", int(l))
}

// memoryAndDiskBudget is the in-memory share of one MemoryAndDisk cache.
const memoryAndDiskBudget = 256 << 20

// Cache is Persist(MemoryOnly).
func (d *DataFrame) Cache() *DataFrame { return d.Persist(MemoryOnly) }

// Persist marks the DataFrame to be cached at the given level when an action first reads
// it, and returns it (the same DataFrame, as Spark's). Persisting again at another level
// is an error kept by the DataFrame's derivations.
func (d *DataFrame) Persist(level StorageLevel) *DataFrame {
	if d.err != nil {
		return d
	}
	if level < MemoryOnly || level > DiskOnly {
		return d.derive("", errs.Planf("unknown storage level %d", int(level)))
	}
	if c := d.cache.Load(); c != nil {
		if c.level != level {
			return d.derive("", errs.Planf("the DataFrame is already persisted at %s; Unpersist it first", c.level))
		}
		return d
	}
	schema, err := d.Schema()
	if err != nil {
		return d.derive("", err)
	}
	e := &cacheEntry{name: d.s.nextName(hiddenPrefix + "_cache"), lineage: d.sql, level: level, schema: schema, s: d.s}
	d.s.df.addCache(e)
	d.s.cat.addHidden(e.name, hiddenRel{table: &cachedSource{e: e}})
	d.cache.Store(e)
	return d
}

// Unpersist frees the DataFrame's cached data; it reads its lineage again afterwards.
func (d *DataFrame) Unpersist() *DataFrame {
	if e := d.cache.Swap(nil); e != nil {
		d.s.df.removeCache(e)
		e.release()
	}
	return d
}

// StorageLevel returns the DataFrame's storage level and whether it is persisted.
func (d *DataFrame) StorageLevel() (StorageLevel, bool) {
	if e := d.cache.Load(); e != nil {
		return e.level, true
	}
	return 0, false
}

// cacheEntry is one cached DataFrame.
type cacheEntry struct {
	s       *Session
	name    string // the hidden relation
	lineage string // the DataFrame's text before caching
	level   StorageLevel
	schema  *arrow.Schema

	mu     sync.Mutex
	built  bool
	dir    string // scratch folder of the disk splits ("" when none)
	splits []cacheSplit
	builds int // how many times the cache was built (lost splits rebuild it)
}

// cacheSplit is one cached partition: batches in memory, or an Arrow IPC file.
type cacheSplit struct {
	batches []arrow.RecordBatch
	path    string
	rows    int64
}

func (c *cacheSplit) String() string { return fmt.Sprintf("cached split (%d rows)", c.rows) }

// healthy reports whether every split is where it was put. Caller holds mu.
func (e *cacheEntry) healthy() bool {
	if !e.built {
		return false
	}
	for i := range e.splits {
		sp := &e.splits[i]
		if sp.path != "" {
			if _, err := os.Stat(sp.path); err != nil {
				return false
			}
		} else if sp.batches == nil && sp.rows > 0 {
			return false
		}
	}
	return true
}

// build runs the lineage and stores its result, replacing what the cache held.
func (e *cacheEntry) build(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.healthy() {
		return nil
	}
	e.releaseLocked()
	res, err := e.s.newDF(e.lineage).run(ctx)
	if err != nil {
		return err
	}
	n := max(e.s.cfg.partitions, 1)
	splits := make([]cacheSplit, n)
	for i, b := range res.Batches {
		sp := &splits[i%n]
		sp.batches = append(sp.batches, b) // ownership moves to the cache
		sp.rows += b.NumRows()
	}
	res.Batches = nil
	var inMemory int64
	for i := range splits {
		sp := &splits[i]
		size := int64(0)
		for _, b := range sp.batches {
			for _, c := range b.Columns() {
				size += int64(c.Data().SizeInBytes())
			}
		}
		toDisk := e.level == DiskOnly || e.level == MemoryAndDisk && inMemory+size > memoryAndDiskBudget
		if !toDisk {
			inMemory += size
			continue
		}
		if e.dir == "" {
			if e.dir, err = os.MkdirTemp("", "ember-cache-"); err != nil {
				e.splits = splits
				e.releaseLocked()
				return errs.Execf("cache: cannot create a scratch folder: %v", err)
			}
		}
		sp.path = filepath.Join(e.dir, fmt.Sprintf("split-%d.arrow", i))
		if err := writeIPC(sp.path, e.schema, sp.batches); err != nil {
			e.splits = splits
			e.releaseLocked()
			return err
		}
		for _, b := range sp.batches {
			b.Release()
		}
		sp.batches = nil
	}
	e.splits, e.built = splits, true
	e.builds++
	e.s.df.metrics.CacheBuilds.Add(1)
	return nil
}

// writeIPC writes batches to an Arrow IPC file at path.
func writeIPC(path string, schema *arrow.Schema, batches []arrow.RecordBatch) error {
	f, err := os.Create(path)
	if err != nil {
		return errs.Execf("cache: %v", err)
	}
	w, err := ipc.NewFileWriter(f, ipc.WithSchema(schema))
	if err != nil {
		f.Close()
		return errs.Execf("cache: %v", err)
	}
	for _, b := range batches {
		if err := w.Write(b); err != nil {
			w.Close()
			f.Close()
			return errs.Execf("cache: writing %s: %v", path, err)
		}
	}
	if err := w.Close(); err != nil {
		f.Close()
		return errs.Execf("cache: %v", err)
	}
	return f.Close()
}

// release frees the cached data.
func (e *cacheEntry) release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.releaseLocked()
}

func (e *cacheEntry) releaseLocked() {
	for _, sp := range e.splits {
		for _, b := range sp.batches {
			b.Release()
		}
	}
	e.splits, e.built = nil, false
	if e.dir != "" {
		os.RemoveAll(e.dir)
		e.dir = ""
	}
}

// dropSplit forgets split i's data, as if the worker holding it were lost (tests).
func (e *cacheEntry) dropSplit(i int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i >= len(e.splits) {
		return
	}
	sp := &e.splits[i]
	for _, b := range sp.batches {
		b.Release()
	}
	sp.batches = nil
	if sp.path != "" {
		os.Remove(sp.path)
	}
}

// materializeCaches builds (or rebuilds) the caches d's query reads, before it runs.
func (s *Session) materializeCaches(ctx context.Context, d *DataFrame) error {
	p, err := d.bind()
	if err != nil {
		return err
	}
	var entries []*cacheEntry
	planner.WalkPlan(p, func(n planner.Plan) bool {
		if sc, ok := n.(*planner.Scan); ok {
			if cs, ok := sc.Table.(*cachedSource); ok {
				entries = append(entries, cs.e)
			}
		}
		return true
	})
	for _, e := range entries {
		if err := e.build(ctx); err != nil {
			return err
		}
	}
	return nil
}

// cachedSource is the datasource.Source of a cache: its splits.
type cachedSource struct{ e *cacheEntry }

func (c *cachedSource) Name() string               { return c.e.name }
func (c *cachedSource) ArrowSchema() *arrow.Schema { return c.e.schema }

// Statistics gives the optimizer the cache's exact row count once built.
func (c *cachedSource) Statistics() *planner.TableStats {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	if !c.e.built {
		return nil
	}
	st := &planner.TableStats{Columns: make([]planner.ColumnStats, c.e.schema.NumFields())}
	for _, sp := range c.e.splits {
		st.RowCount += sp.rows
	}
	for i := range st.Columns {
		st.Columns[i] = planner.ColumnStats{NullCount: -1}
	}
	return st
}

func (c *cachedSource) Splits(context.Context) ([]datasource.Split, error) {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	if !c.e.built {
		return nil, errs.Internalf("cache %s read before it was built", c.e.name)
	}
	out := make([]datasource.Split, len(c.e.splits))
	for i := range c.e.splits {
		out[i] = &c.e.splits[i]
	}
	return out, nil
}

// Open reads one split: its batches (retained for the reader) or its file.
func (c *cachedSource) Open(_ context.Context, split datasource.Split, columns []int, opts datasource.ReadOptions) (datasource.Reader, error) {
	sp, ok := split.(*cacheSplit)
	if !ok {
		return nil, errs.Internalf("cache: foreign split %T", split)
	}
	c.e.mu.Lock()
	var batches []arrow.RecordBatch
	path := sp.path
	for _, b := range sp.batches {
		b.Retain()
		batches = append(batches, b)
	}
	c.e.mu.Unlock()
	if path != "" {
		var err error
		if batches, err = readIPC(path, opts); err != nil {
			return nil, err
		}
	}
	return &sliceReader{batches: batches, columns: columns, schema: c.e.schema}, nil
}

// readIPC reads every batch of an Arrow IPC file (retained; the caller releases them).
func readIPC(path string, opts datasource.ReadOptions) ([]arrow.RecordBatch, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errs.Execf("cache: a cached split is lost: %v", err)
	}
	defer f.Close()
	var ro []ipc.Option
	if opts.Mem != nil {
		ro = append(ro, ipc.WithAllocator(opts.Mem))
	}
	r, err := ipc.NewFileReader(f, ro...)
	if err != nil {
		return nil, errs.Execf("cache: %s: %v", path, err)
	}
	defer r.Close()
	var out []arrow.RecordBatch
	for i := 0; i < r.NumRecords(); i++ {
		b, err := r.RecordBatch(i)
		if err != nil {
			for _, x := range out {
				x.Release()
			}
			return nil, errs.Execf("cache: %s: %v", path, err)
		}
		b.Retain()
		out = append(out, b)
	}
	return out, nil
}

// sliceReader hands out batches it owns, projected to columns.
type sliceReader struct {
	batches []arrow.RecordBatch
	columns []int
	schema  *arrow.Schema
}

// Next returns the next batch (the caller releases it).
func (r *sliceReader) Next() (arrow.RecordBatch, error) {
	if len(r.batches) == 0 {
		return nil, nil
	}
	b := r.batches[0]
	r.batches = r.batches[1:]
	defer b.Release()
	fields := make([]arrow.Field, len(r.columns))
	cols := make([]arrow.Array, len(r.columns))
	for i, c := range r.columns {
		fields[i] = r.schema.Field(c)
		cols[i] = b.Column(c)
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, b.NumRows()), nil
}

// Close releases the batches not handed out.
func (r *sliceReader) Close() error {
	for _, b := range r.batches {
		b.Release()
	}
	r.batches = nil
	return nil
}

// dfState is the DataFrame API's state in a Session.
type dfState struct {
	mu      sync.Mutex
	caches  map[*cacheEntry]bool
	metrics Metrics
	shared  sharedState // shared.go: broadcast variables and accumulators
}

func (st *dfState) addCache(e *cacheEntry) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.caches == nil {
		st.caches = map[*cacheEntry]bool{}
	}
	st.caches[e] = true
}

func (st *dfState) removeCache(e *cacheEntry) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.caches, e)
}

// releaseCaches frees every cache of the session.
func (s *Session) releaseCaches() error {
	s.df.mu.Lock()
	caches := s.df.caches
	s.df.caches = nil
	s.df.mu.Unlock()
	for e := range caches {
		e.release()
	}
	return nil
}

// recordScans adds what the scans of a finished query read to the session's metrics.
func (st *dfState) recordScans(root exec.Node, ex *exec.Execution) {
	var walk func(n exec.Node)
	walk = func(n exec.Node) {
		if sc, ok := n.(*exec.ScanExec); ok {
			if m := ex.MetricsOf(sc); m != nil {
				if _, cached := sc.Source.(*cachedSource); cached {
					st.metrics.CacheScans.Add(1)
					st.metrics.CacheRowsRead.Add(m.Rows.Load())
				} else {
					st.metrics.SourceScans.Add(1)
					st.metrics.SourceRowsRead.Add(m.Rows.Load())
				}
			}
		}
		for _, c := range n.Children() {
			walk(c)
		}
	}
	walk(root)
}
