package dataframe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/embersql/ember/exec"
	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/exec/datasource/tablestore"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
)

// Caching (Spark's cache/persist, and SQL's CACHE TABLE). Every cache is a cacheEntry in
// the session's store (dfState.caches) under a hidden relation name (cacheEntry.name):
// Cache marks a DataFrame, whose text from then on reads that relation; CACHE TABLE t (and
// Table("t").Cache()) marks the catalog name t, which then resolves to the cache for SQL
// and DataFrames alike (table_cache.go). The first query that reads a cache builds it by
// running the lineage (the DataFrame's text before caching, or a read of t that bypasses
// the cache) and keeps the result's batches, dealt into as many splits as the session has
// partitions, in memory or in Arrow IPC files on disk; later queries read the splits and
// not the sources.
//
// A cache is rebuilt from its lineage when a query finds it unhealthy: a split lost (a
// file removed, a split dropped), or a table its lineage read changed since the build (a
// managed table's commit, another cache rebuilt). The rebuild redoes every split, since a
// rerun deals its rows anew. Unpersist, UNCACHE TABLE and CLEAR CACHE deactivate the
// entry and free its data; the hidden relation then reads the lineage, so DataFrames
// derived from a cached one go back to the sources, as Spark's do.
//
// Locks: an entry's mu is held while it builds, which runs a query that takes the
// catalog's mu; so nothing may take an entry's mu while holding the catalog's. An entry's
// mu may be held while taking the mu of an entry its lineage reads (lineages form a DAG).

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
	if c := d.cache.Load(); c != nil && c.active.Load() {
		if c.level != level {
			return d.derive("", errs.Planf("the DataFrame is already persisted at %s; Unpersist it first", c.level))
		}
		return d
	}
	if d.table != "" {
		// A DataFrame over a catalog table caches the table, as Spark's cache of
		// spark.table("t") serves SQL on t too.
		e, err := d.s.cacheTable(d.table, level)
		if err != nil {
			return d.derive("", err)
		}
		d.cache.Store(e)
		return d
	}
	schema, err := d.Schema()
	if err != nil {
		return d.derive("", err)
	}
	d.cache.Store(d.s.newCache(d.sql, level, schema, "", ""))
	return d
}

// newCache registers a new active cache entry of lineage in the session's store, under a
// new hidden relation name. table and key name the catalog table of a table cache ("" for
// a DataFrame's).
func (s *Session) newCache(lineage string, level StorageLevel, schema *arrow.Schema, table, key string) *cacheEntry {
	e := &cacheEntry{name: s.nextName(hiddenPrefix + "_cache"), lineage: lineage, level: level, schema: schema, s: s,
		table: table, key: key}
	e.active.Store(true)
	s.df.addCache(e)
	s.cat.addHidden(e.name, hiddenRel{cache: e})
	return e
}

// Unpersist frees the DataFrame's cached data; it reads its lineage again afterwards. For a
// DataFrame over a cached table it uncaches the table, as UNCACHE TABLE does.
func (d *DataFrame) Unpersist() *DataFrame {
	e := d.cache.Swap(nil)
	if e == nil && d.table != "" {
		e = d.s.cat.tableCache(d.table)
	}
	if e != nil {
		d.s.dropCache(e)
	}
	return d
}

// dropCache deactivates e, takes it out of the store (and the catalog's table caches)
// and frees its data.
func (s *Session) dropCache(e *cacheEntry) {
	if e.key != "" {
		s.cat.forgetTableCache(e)
	}
	e.active.Store(false)
	s.df.removeCache(e)
	e.release()
}

// StorageLevel returns the DataFrame's storage level and whether it is persisted.
func (d *DataFrame) StorageLevel() (StorageLevel, bool) {
	if e := d.cache.Load(); e != nil && e.active.Load() {
		return e.level, true
	}
	if d.table != "" {
		if e := d.s.cat.tableCache(d.table); e != nil {
			return e.level, true
		}
	}
	return 0, false
}

// cacheEntry is one cache: of a DataFrame, or of a catalog table (table_cache.go).
type cacheEntry struct {
	s       *Session
	name    string // the hidden relation
	lineage string // the query whose result is cached
	level   StorageLevel
	schema  *arrow.Schema
	// table is the catalog name of a table cache as the user wrote it, key its catalog
	// key; both "" for a DataFrame's cache. ident is what the key resolved to when it was
	// cached (catalog.identLocked), guarded by the catalog's mu.
	table, key, ident string
	// active is false once the entry was unpersisted or uncached: its hidden relation
	// then reads the lineage.
	active atomic.Bool

	mu     sync.Mutex
	built  bool
	dir    string // scratch folder of the disk splits ("" when none)
	splits []cacheSplit
	builds int // how many times the cache was built (lost splits rebuild it)
	// deps are what the lineage read at the last build, to find a stale cache.
	deps []cacheDep
}

// cacheDep is a relation a cache's lineage read, with its state at the build: a managed
// table's store version and row count, or another cache's build count.
type cacheDep struct {
	store   *tablestore.Table
	version int64
	rows    int64
	cache   *cacheEntry
	builds  int
}

// fresh reports whether the relation is as it was at the build. A cache that was
// unpersisted since does not make its readers stale (as in Spark, a cache derived from
// another outlives it): the tables it read are among the reader's deps (inheritDeps).
func (d cacheDep) fresh() bool {
	if d.cache != nil {
		if !d.cache.active.Load() {
			return true
		}
		d.cache.mu.Lock()
		defer d.cache.mu.Unlock()
		return d.cache.builds == d.builds && d.cache.healthyLocked()
	}
	st := d.store.Stats()
	return st.Version == d.version && st.Rows == d.rows
}

// cacheSplit is one cached partition: batches in memory, or an Arrow IPC file.
type cacheSplit struct {
	batches []arrow.RecordBatch
	path    string
	rows    int64
}

func (c *cacheSplit) String() string { return fmt.Sprintf("cached split (%d rows)", c.rows) }

// healthyLocked reports whether the cache is built, every split is where it was put, and
// what the lineage read is unchanged. Caller holds mu.
func (e *cacheEntry) healthyLocked() bool {
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
	for _, d := range e.deps {
		if !d.fresh() {
			return false
		}
	}
	return true
}

// build makes the cache healthy, building it when it is not.
func (e *cacheEntry) build(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.buildLocked(ctx)
}

// buildLocked runs the lineage and stores its result, replacing what the cache held,
// unless the cache is healthy. Caller holds mu.
func (e *cacheEntry) buildLocked(ctx context.Context) error {
	if e.healthyLocked() {
		return nil
	}
	e.releaseLocked()
	lineage := e.s.newDF(e.lineage)
	// The dependencies are taken before the run: a write in between makes the cache
	// look stale (a needless rebuild), never fresh when it is not.
	p, err := lineage.bind()
	if err != nil {
		return err
	}
	deps := cacheDeps(p)
	res, err := lineage.run(ctx)
	if err != nil {
		return err
	}
	deps = inheritDeps(deps)
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
	e.splits, e.built, e.deps = splits, true, deps
	e.builds++
	e.s.df.metrics.CacheBuilds.Add(1)
	return nil
}

// cacheDeps lists the managed tables and caches a bound lineage reads.
func cacheDeps(p planner.Plan) []cacheDep {
	var deps []cacheDep
	planner.WalkPlan(p, func(n planner.Plan) bool {
		sc, ok := n.(*planner.Scan)
		if !ok {
			return true
		}
		switch t := sc.Table.(type) {
		case *managedTable:
			deps = append(deps, cacheDep{store: t.store, version: t.Version(), rows: t.NumRows()})
		case *cachedSource:
			t.e.mu.Lock()
			deps = append(deps, cacheDep{cache: t.e, builds: t.e.builds})
			t.e.mu.Unlock()
		}
		return true
	})
	return deps
}

// inheritDeps adds to deps the managed tables that the caches among them read (their own
// deps, which hold those of the caches they read in turn), so that a cache stays
// checkable against its sources after a cache it read is unpersisted.
func inheritDeps(deps []cacheDep) []cacheDep {
	out := deps
	for _, d := range deps {
		if d.cache == nil {
			continue
		}
		d.cache.mu.Lock()
		for _, p := range d.cache.deps {
			if p.store != nil {
				out = append(out, p)
			}
		}
		d.cache.mu.Unlock()
	}
	return out
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

// materializeCaches builds (or rebuilds) the caches a bound plan reads, before it is
// optimized, so that the optimizer sees their exact row counts. (A cache found unbuilt
// later, when the physical planner lists its splits, is built then.)
func (s *Session) materializeCaches(ctx context.Context, p planner.Plan) error {
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

// planOnlyKey marks the context of a physical planning that will not run (EXPLAIN without
// ANALYZE): an unbuilt cache is then not built.
type planOnlyKey struct{}

// cachedSource is the datasource.Source of a cache: its splits.
type cachedSource struct{ e *cacheEntry }

// Name is the name the scan's columns are qualified by: a table cache's table name.
func (c *cachedSource) Name() string {
	if c.e.table != "" {
		return c.e.table
	}
	return c.e.name
}

// ExplainName is what EXPLAIN shows for the scan.
func (c *cachedSource) ExplainName() string {
	return fmt.Sprintf("cached(%s, %s)", c.Name(), c.e.level)
}

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

func (c *cachedSource) Splits(ctx context.Context) ([]datasource.Split, error) {
	c.e.mu.Lock()
	defer c.e.mu.Unlock()
	switch {
	case ctx.Value(planOnlyKey{}) != nil:
		if !c.e.built { // EXPLAIN shows as many splits as a build makes
			out := make([]datasource.Split, max(c.e.s.cfg.partitions, 1))
			for i := range out {
				out[i] = &cacheSplit{}
			}
			return out, nil
		}
	case !c.e.active.Load():
		return nil, errs.Execf("the cache %s was dropped while the query was planned; run the query again", c.Name())
	default:
		if err := c.e.buildLocked(ctx); err != nil {
			return nil, err
		}
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
		e.active.Store(false)
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
