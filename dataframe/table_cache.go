package dataframe

import (
	"context"
	"fmt"
	"strings"

	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
)

// Table caches: SQL's CACHE TABLE t, UNCACHE TABLE t, CLEAR CACHE and REFRESH TABLE t, the
// Session methods of Spark's catalog (CacheTable, UncacheTable, IsCached, ClearCache), and
// Table("t").Cache(). A cached table is a cacheEntry of the session's one store (cache.go)
// whose lineage reads t past the cache (a hidden relation with raw set); the catalog maps
// t's key to it, so every query that names t, in SQL or through a DataFrame or a view,
// reads the cache.
//
// A table cache follows its table: a write to a managed table makes the cache stale (its
// next reader rebuilds it, Spark's lazy re-cache); dropping, replacing or renaming the
// table, or changing its columns, uncaches it. The catalog finds the last by comparing what
// the name resolves to now with what it resolved to when cached (identLocked): at every
// lookup, and after every statement that is not a query (sweepTableCaches).

// defaultTableCacheLevel is CACHE TABLE's storage level without OPTIONS, Spark's.
const defaultTableCacheLevel = MemoryAndDisk

// splitTableName splits "db.t" into its database and name ("" for the session's).
func splitTableName(name string) (db, table string) {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

// identLocked describes what key resolves to, to tell a dropped, replaced or altered table
// from the one that was cached; ok is false when nothing has the name. An external table's
// identity includes its open source, so resolve it (lookupKeyLocked) before the first
// call. Caller holds mu.
func (c *catalog) identLocked(key string) (ident string, ok bool) {
	if v, ok := c.views[key]; ok {
		return fmt.Sprintf("view %p", v), true
	}
	if e, ok := c.temps[key]; ok {
		return fmt.Sprintf("temp %p %p", e, e.spec), true
	}
	d, ok := c.tables[key]
	if !ok {
		return "", false
	}
	if d.Kind == kindManaged {
		return "managed " + d.Location + "\x00" + d.DDL, true
	}
	return fmt.Sprintf("external %s %s %v %p", d.Format, d.Location, d.Options, c.sources[key]), true
}

// tableCacheTarget resolves name for caching: its key, its identity and its name as the
// catalog knows it. An unknown name is a plan error with a did-you-mean.
func (c *catalog) tableCacheTarget(name string) (key, ident, display string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dbName, n := splitTableName(name)
	db, err := c.resolveDB(dbName)
	if err != nil {
		return "", "", "", err
	}
	key = tableKey(db, n)
	t, _, err := c.lookupKeyLocked(key) // opens an external table's files
	if err != nil {
		return "", "", "", err
	}
	if m, ok := t.(*managedTable); ok {
		m.Release()
	}
	ident, ok := c.identLocked(key)
	if !ok {
		return "", "", "", c.unknownTableLocked(name, n, db)
	}
	return key, ident, n, nil
}

// tableCache returns the active cache of the table or view name, or nil.
func (c *catalog) tableCache(name string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	dbName, n := splitTableName(name)
	db, err := c.resolveDB(dbName)
	if err != nil {
		return nil
	}
	key := tableKey(db, n)
	e := c.tableCaches[key]
	if e == nil {
		return nil
	}
	if ident, ok := c.identLocked(key); !ok || ident != e.ident {
		return nil // stale: the next lookup or sweep drops it
	}
	return e
}

// putTableCache makes e the cache of its key, unless the key has a current cache already:
// that one is returned instead.
func (c *catalog) putTableCache(e *cacheEntry) (existing *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.tableCaches[e.key]; old != nil {
		if ident, ok := c.identLocked(e.key); ok && ident == old.ident {
			return old
		}
	}
	c.tableCaches[e.key] = e
	return nil
}

// forgetTableCache removes e from the table caches (if it is still its key's).
func (c *catalog) forgetTableCache(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tableCaches[e.key] == e {
		delete(c.tableCaches, e.key)
	}
}

// sweepTableCaches removes the caches whose table was dropped, replaced or altered, and
// returns them (the caller frees them, outside the catalog's mu).
func (c *catalog) sweepTableCaches() []*cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	var stale []*cacheEntry
	for key, e := range c.tableCaches {
		if ident, ok := c.identLocked(key); !ok || ident != e.ident {
			stale = append(stale, e)
			delete(c.tableCaches, key)
		}
	}
	return stale
}

// sweepTableCaches uncaches the tables a statement dropped, replaced or altered.
func (s *Session) sweepTableCaches() {
	for _, e := range s.cat.sweepTableCaches() {
		s.dropCache(e)
	}
}

// cacheTable marks the table or view name cached at level (built by its first reader)
// and returns its cache entry. Caching a cached table again at the same level returns
// its entry; at another level it is an error.
func (s *Session) cacheTable(name string, level StorageLevel) (*cacheEntry, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	if level < MemoryOnly || level > DiskOnly {
		return nil, errs.Planf("unknown storage level %d", int(level))
	}
	key, ident, display, err := s.cat.tableCacheTarget(name)
	if err != nil {
		return nil, err
	}
	if e := s.cat.tableCache(name); e != nil {
		if e.level != level {
			return nil, errs.Planf("table %s is already cached at %s; uncache it first", name, e.level)
		}
		return e, nil
	}
	schema, err := s.tableSchema(name)
	if err != nil {
		return nil, err
	}
	raw := s.nextName(hiddenPrefix + "_raw")
	s.cat.addHidden(raw, hiddenRel{raw: key})
	e := s.newCache("SELECT * FROM "+sqlIdent(raw), level, schema.Arrow(), display, key)
	e.ident = ident
	if old := s.cat.putTableCache(e); old != nil { // another caller cached it meanwhile
		s.dropCache(e)
		if old.level != level {
			return nil, errs.Planf("table %s is already cached at %s; uncache it first", name, old.level)
		}
		return old, nil
	}
	return e, nil
}

// usable fails once the session is closed.
func (s *Session) usable() error {
	if s.closed.Load() {
		return errs.Planf("the session is closed")
	}
	return nil
}

// CacheTable caches a table or view ("name" or "db.name") at level, as Spark's
// spark.catalog.cacheTable: lazily, built by the first query that reads it. SQL on the
// name and DataFrames over it read the cache from then on.
func (s *Session) CacheTable(name string, level StorageLevel) error {
	_, err := s.cacheTable(name, level)
	return err
}

// UncacheTable drops the cache of a table or view; uncaching a table that is not cached
// does nothing. An unknown name is an error.
func (s *Session) UncacheTable(name string) error {
	_, err := s.uncacheTable(name, false)
	return err
}

// IsCached reports whether a table or view is cached.
func (s *Session) IsCached(name string) bool { return s.cat.tableCache(name) != nil }

// ClearCache drops every cache of the session: cached tables and cached DataFrames.
func (s *Session) ClearCache() { s.clearCache() }

// uncacheTable drops name's cache; dropped is false when it had none.
func (s *Session) uncacheTable(name string, ifExists bool) (dropped bool, err error) {
	if err := s.usable(); err != nil {
		return false, err
	}
	if _, _, _, err := s.cat.tableCacheTarget(name); err != nil {
		if ifExists && errs.KindOf(err) == errs.ErrPlan {
			return false, nil
		}
		return false, err
	}
	e := s.cat.tableCache(name)
	if e == nil {
		return false, nil
	}
	s.dropCache(e)
	return true, nil
}

// clearCache drops every cache; it returns how many there were.
func (s *Session) clearCache() int {
	s.df.mu.Lock()
	var all []*cacheEntry
	for e := range s.df.caches {
		all = append(all, e)
	}
	s.df.mu.Unlock()
	for _, e := range all {
		s.dropCache(e)
	}
	return len(all)
}

// parseStorageLevel reads a storage level's name as Spark writes it.
func parseStorageLevel(v string) (StorageLevel, error) {
	switch strings.ToUpper(strings.TrimSpace(v)) {
	case "MEMORY_ONLY":
		return MemoryOnly, nil
	case "MEMORY_AND_DISK":
		return MemoryAndDisk, nil
	case "DISK_ONLY":
		return DiskOnly, nil
	}
	return 0, errs.Planf("unknown storage level %q (use MEMORY_ONLY, MEMORY_AND_DISK or DISK_ONLY)", v)
}

// execCacheTable runs CACHE [LAZY] TABLE. With AS query it creates the temporary view
// first; a failure after that drops the view again, so the statement does all or nothing.
func (s *Session) execCacheTable(ctx context.Context, x *parser.CacheTable) (*Result, error) {
	level := defaultTableCacheLevel
	for k, v := range x.Options {
		if k != "storagelevel" {
			return nil, errs.Planf("unknown CACHE TABLE option %q (the only one is storageLevel)", k)
		}
		var err error
		if level, err = parseStorageLevel(v); err != nil {
			return nil, err
		}
	}
	var undoView func()
	if x.Query != nil {
		if strings.Contains(x.Name, ".") {
			return nil, errs.Planf("CACHE TABLE %s AS creates a temporary view, whose name cannot be qualified with a database", x.Name)
		}
		if _, err := s.createView(&parser.CreateView{Name: x.Name, Query: x.Query, QuerySQL: x.Query.SQL, SQL: x.SQL}); err != nil {
			return nil, err
		}
		undoView = func() { s.cat.drop("", x.Name, true) }
	}
	fail := func(err error) (*Result, error) {
		if undoView != nil {
			undoView()
		}
		return nil, err
	}
	wasCached := s.IsCached(x.Name)
	e, err := s.cacheTable(x.Name, level)
	if err != nil {
		return fail(err)
	}
	if x.Lazy {
		return &Result{Message: fmt.Sprintf("table %s will be cached (%s) by the first query that reads it", x.Name, level)}, nil
	}
	if err := e.build(ctx); err != nil {
		if !wasCached {
			s.dropCache(e)
		}
		return fail(err)
	}
	return &Result{Message: fmt.Sprintf("cached table %s (%s, %s)", x.Name, rowsText(e.rows()), level)}, nil
}

// rows is the number of rows the cache holds.
func (e *cacheEntry) rows() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	var n int64
	for _, sp := range e.splits {
		n += sp.rows
	}
	return n
}

// rowsText is "1 row", "3 rows".
func rowsText(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

// execRefreshTable runs REFRESH TABLE: an external table's files are listed again at its
// next use, and its cache (kept) is rebuilt by its next reader.
func (s *Session) execRefreshTable(x *parser.RefreshTable) (*Result, error) {
	if err := s.usable(); err != nil {
		return nil, err
	}
	e := s.cat.tableCache(x.Name)
	if err := s.cat.refresh(x.Name, e); err != nil {
		return nil, err
	}
	if e != nil {
		e.release() // stale: the next reader rebuilds it
	}
	return &Result{Message: fmt.Sprintf("table %s refreshed", x.Name)}, nil
}

// refresh forgets the open source of an external table, opens it again (so that a bad
// location is reported now) and gives e, the table's cache or nil, the new identity.
func (c *catalog) refresh(name string, e *cacheEntry) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	dbName, n := splitTableName(name)
	db, err := c.resolveDB(dbName)
	if err != nil {
		return err
	}
	key := tableKey(db, n)
	if _, ok := c.identLocked(key); !ok {
		return c.unknownTableLocked(name, n, db)
	}
	delete(c.sources, key)
	t, _, err := c.lookupKeyLocked(key)
	if err != nil {
		return err
	}
	if m, ok := t.(*managedTable); ok {
		m.Release()
	}
	if e != nil && c.tableCaches[key] == e {
		e.ident, _ = c.identLocked(key)
	}
	return nil
}
