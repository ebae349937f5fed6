package dataframe

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/embersql/ember/exec/datasource"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
)

// tableDef is a persisted external table: a name in a database bound to files in some
// format. Database "" (catalogs written before databases existed) means default.
type tableDef struct {
	Database string            `json:"database,omitempty"`
	Name     string            `json:"name"`
	Format   string            `json:"format"`
	Location string            `json:"location"`
	Options  map[string]string `json:"options,omitempty"`
	// Kind is "managed" for a table Ember stores (Location is then its folder relative to
	// the warehouse, DDL its declaration, see managed.go); "" for an external table.
	Kind string `json:"kind,omitempty"`
	DDL  string `json:"ddl,omitempty"`
	// Indexes are the indexes CREATE INDEX recorded (see alter.go).
	Indexes []indexDef `json:"indexes,omitempty"`
	// Stats are what ANALYZE TABLE found (analyze.go); nil before it ran.
	Stats *tableStats `json:"stats,omitempty"`
}

const kindManaged = "managed"

// DefaultDatabase is the database that exists from the start and that a new session uses.
const DefaultDatabase = "default"

// catalogFileV2 is the catalog file's content: the databases (so empty ones persist) and the
// tables. The first catalog files were a bare array of tables, all in default.
type catalogFileV2 struct {
	Version   int        `json:"version"`
	Databases []string   `json:"databases"`
	Tables    []tableDef `json:"tables"`
}

// tableKey is the map key of a table or view: lower-case database and name.
func tableKey(db, name string) string { return strings.ToLower(db) + "\x00" + strings.ToLower(name) }

// splitKey returns the database and name of a key.
func splitKey(k string) (db, name string) {
	db, name, _ = strings.Cut(k, "\x00")
	return db, name
}

// viewDef is a temporary view: a name bound to SQL text, bound again at every use, and the
// names of its columns when CREATE VIEW gave a column list (nil: the query's own names).
type viewDef struct {
	name, sql string
	cols      []string
}

func (v *viewDef) Name() string { return v.name }
func (v *viewDef) SQL() string  { return v.sql }

// Columns is the view's column list (nil when it has none); the binder renames the query's
// columns to it.
func (v *viewDef) Columns() []string { return v.cols }

// catalog is the session's planner.Catalog: external tables persisted in the warehouse
// (catalog.json, replaced by atomic rename on every change) and the session's temporary
// views. Sources are opened lazily and cached until the table is dropped or replaced.
// Names are case-insensitive. Safe for concurrent use.
type catalog struct {
	mu        sync.Mutex
	dir       string            // warehouse directory; "" keeps everything in memory
	databases map[string]string // lower-case name → name as created
	current   string            // the session's database (USE db), as created
	tables    map[string]tableDef
	views     map[string]*viewDef
	sources   map[string]datasource.Source
	// managedOpen caches the open managed tables of tables; temps holds the session's
	// temporary tables (and every managed table of a catalog without a warehouse), with
	// their scratch folders in tempDirs.
	managedOpen map[string]*managedEntry
	temps       map[string]*managedEntry
	tempDirs    map[string]string
	tempIndexes map[string][]indexDef
	// hidden are the relations DataFrames read (in-memory data, files read with options,
	// cached results, plans SQL cannot spell), by lower-case name (hiddenPrefix...). They
	// resolve in any database (before a table of the same name) and are never listed.
	hidden map[string]hiddenRel
	// tableCaches are the cached tables and views (CACHE TABLE, Table("t").Cache()) by
	// key; LookupTable resolves such a name to its cache (table_cache.go).
	tableCaches map[string]*cacheEntry
}

// hiddenRel is a relation registered by a DataFrame: a table, a view, a cache (its
// cachedSource while active, else a view of its lineage), or raw, the catalog key of a
// table read past its table cache (a table cache's lineage).
type hiddenRel struct {
	table planner.Table
	view  planner.View
	cache *cacheEntry
	raw   string
}

// hiddenPrefix starts the names of hidden relations.
const hiddenPrefix = "__df_"

const catalogFile = "catalog.json"

// openCatalog loads the catalog of a warehouse directory, creating the directory. It
// reports whether the warehouse is new (no catalog file yet).
func openCatalog(dir string) (*catalog, bool, error) {
	c := &catalog{dir: dir, tables: map[string]tableDef{}, views: map[string]*viewDef{}, sources: map[string]datasource.Source{},
		managedOpen: map[string]*managedEntry{}, temps: map[string]*managedEntry{}, tempDirs: map[string]string{}, tempIndexes: map[string][]indexDef{},
		databases: map[string]string{DefaultDatabase: DefaultDatabase}, current: DefaultDatabase,
		hidden: map[string]hiddenRel{}, tableCaches: map[string]*cacheEntry{}}
	if dir == "" {
		return c, true, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, errs.Execf("cannot create warehouse directory %s: %v", dir, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, catalogFile))
	if os.IsNotExist(err) {
		return c, true, nil
	}
	if err != nil {
		return nil, false, errs.Execf("cannot read the catalog: %v", err)
	}
	var file catalogFileV2
	if trimmed := strings.TrimSpace(string(data)); strings.HasPrefix(trimmed, "[") {
		err = json.Unmarshal(data, &file.Tables) // the first format: tables only
	} else {
		err = json.Unmarshal(data, &file)
	}
	if err != nil {
		return nil, false, errs.Execf("the catalog file %s is damaged: %v", filepath.Join(dir, catalogFile), err)
	}
	for _, db := range file.Databases {
		c.databases[strings.ToLower(db)] = db
	}
	for _, d := range file.Tables {
		if d.Database == "" {
			d.Database = DefaultDatabase
		}
		c.databases[strings.ToLower(d.Database)] = c.databaseName(d.Database)
		c.tables[tableKey(d.Database, d.Name)] = d
	}
	return c, false, nil
}

// save writes the catalog atomically (temp file + rename). Caller holds mu.
func (c *catalog) save() error {
	if c.dir == "" {
		return nil
	}
	file := catalogFileV2{Version: 2}
	for _, db := range c.databases {
		file.Databases = append(file.Databases, db)
	}
	sort.Strings(file.Databases)
	for _, d := range c.tables {
		file.Tables = append(file.Tables, d)
	}
	sort.Slice(file.Tables, func(i, j int) bool {
		a, b := file.Tables[i], file.Tables[j]
		return a.Database < b.Database || a.Database == b.Database && a.Name < b.Name
	})
	data, err := json.MarshalIndent(file, "", "  ")
	if err != nil {
		return errs.Internalf("encoding the catalog: %v", err)
	}
	tmp, err := os.CreateTemp(c.dir, ".catalog-*.json")
	if err != nil {
		return errs.Execf("cannot write the catalog: %v", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return errs.Execf("cannot write the catalog: %v", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return errs.Execf("cannot write the catalog: %v", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(c.dir, catalogFile)); err != nil {
		return errs.Execf("cannot write the catalog: %v", err)
	}
	return nil
}

// openSource opens files of a format as a source named name.
func openSource(name, format, location string, options map[string]string) (datasource.Source, error) {
	switch strings.ToLower(format) {
	case "parquet":
		return datasource.NewParquet(name, location, options)
	case "csv":
		return datasource.NewCSV(name, location, options)
	case "json":
		return datasource.NewJSON(name, location, options)
	}
	return nil, errs.Planf("unknown table format %q (use parquet, csv or json)", format)
}

// createTable registers an external table; the files are opened now so that a missing path
// or bad schema is reported at CREATE time.
func (c *catalog) createTable(d tableDef, orReplace, ifNotExists bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	db, err := c.resolveDB(d.Database)
	if err != nil {
		return err
	}
	d.Database = db
	key := tableKey(db, d.Name)
	_, isTable := c.tables[key]
	_, isView := c.views[key]
	_, isTemp := c.temps[key]
	if isTable || isView || isTemp {
		if ifNotExists {
			return nil
		}
		if !orReplace || isView {
			return errs.Planf("table %q already exists", d.Name)
		}
	}
	src, err := openSource(d.Name, d.Format, d.Location, d.Options)
	if err != nil {
		return err
	}
	old, hadOld := c.tables[key]
	c.tables[key] = d
	if err := c.save(); err != nil {
		if hadOld {
			c.tables[key] = old
		} else {
			delete(c.tables, key)
		}
		return err
	}
	c.sources[key] = src
	return nil
}

// createView registers a view. created is false when the view exists and ifNotExists
// asked to leave it. undo puts back what the name meant before (the old view, or nothing),
// for a caller whose later check of the new view fails.
func (c *catalog) createView(name, sql string, cols []string, orReplace, ifNotExists bool) (created bool, undo func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := tableKey(c.current, name)
	if _, ok := c.tables[key]; ok {
		return false, nil, errs.Planf("a table named %q already exists", name)
	}
	old, had := c.views[key]
	if had {
		if ifNotExists {
			return false, nil, nil
		}
		if !orReplace {
			return false, nil, errs.Planf("view %q already exists; use CREATE OR REPLACE VIEW to change it", name)
		}
	}
	v := &viewDef{name: name, sql: sql, cols: cols}
	c.views[key] = v
	undo = func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.views[key] != v {
			return // replaced or dropped since
		}
		if had {
			c.views[key] = old
		} else {
			delete(c.views, key)
		}
	}
	return true, undo, nil
}

// drop removes a table or view; it reports whether something was dropped.
// DROP TABLE of a view and DROP VIEW of a table are errors, as in MySQL and Spark.
func (c *catalog) drop(dbName, name string, wantView bool) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	db, err := c.resolveDB(dbName)
	if err != nil {
		return false, err
	}
	key := tableKey(db, name)
	_, isView := c.views[key]
	_, isTable := c.tables[key]
	switch {
	case isView && !wantView:
		return false, errs.Planf("%q is a view; use DROP VIEW", name)
	case isTable && wantView:
		return false, errs.Planf("%q is a table, not a view; use DROP TABLE", name)
	case isView:
		delete(c.views, key)
		return true, nil
	case wantView:
		return false, nil
	}
	if _, ok := c.temps[key]; ok {
		dir := c.tempDirs[key]
		delete(c.temps, key)
		delete(c.tempDirs, key)
		return true, dropStore(dir)
	}
	d, ok := c.tables[key]
	if !ok {
		return false, nil
	}
	delete(c.tables, key)
	if err := c.save(); err != nil {
		c.tables[key] = d
		return false, err
	}
	delete(c.sources, key)
	if d.Kind == kindManaged {
		delete(c.managedOpen, key)
		if err := dropStore(filepath.Join(c.dir, d.Location)); err != nil {
			return true, errs.Execf("table %s was dropped but its folder could not be removed: %v", name, err)
		}
	}
	return true, nil
}

// unknownTableLocked is the error for a table name (as written) that database db lacks,
// with the nearest of db's names to its last part n. Caller holds mu.
func (c *catalog) unknownTableLocked(name, n, db string) error {
	msg := fmt.Sprintf("unknown table %q", name)
	if near := udf.Nearest(n, c.tableNamesIn(db)); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return errs.Planf("%s", msg)
}

// LookupTable implements planner.Catalog; db "" is the session's database.
func (c *catalog) LookupTable(dbName, name string) (planner.Table, planner.View, error) {
	var stale *cacheEntry
	defer func() {
		if stale != nil { // after the catalog's mu is released: see cache.go on locks
			stale.s.dropCache(stale)
		}
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	if h, ok := c.hidden[strings.ToLower(name)]; ok && dbName == "" {
		switch {
		case h.cache != nil && h.cache.active.Load():
			return &cachedSource{e: h.cache}, nil, nil
		case h.cache != nil:
			return nil, &viewDef{name: h.cache.name, sql: h.cache.lineage}, nil
		case h.raw != "":
			t, v, err := c.lookupKeyLocked(h.raw)
			if err == nil && t == nil && v == nil {
				_, n := splitKey(h.raw)
				err = errs.Planf("table %q no longer exists", n)
			}
			return t, v, err
		}
		return h.table, h.view, nil
	}
	db, err := c.resolveDB(dbName)
	if err != nil {
		return nil, nil, err
	}
	key := tableKey(db, name)
	if e, ok := c.tableCaches[key]; ok {
		if ident, ok := c.identLocked(key); ok && ident == e.ident {
			return &cachedSource{e: e}, nil, nil
		}
		stale = e // dropped or replaced since it was cached
		delete(c.tableCaches, key)
	}
	return c.lookupKeyLocked(key)
}

// lookupKeyLocked resolves a key to its table or view, past any table cache; nil, nil when
// none has it. Caller holds mu.
func (c *catalog) lookupKeyLocked(key string) (planner.Table, planner.View, error) {
	if v, ok := c.views[key]; ok {
		return nil, v, nil
	}
	if e, ok := c.temps[key]; ok {
		t, err := e.snapshot()
		return t, nil, err
	}
	d, ok := c.tables[key]
	if !ok {
		return nil, nil, nil
	}
	if d.Kind == kindManaged {
		e, err := c.openManaged(key, d)
		if err != nil {
			return nil, nil, err
		}
		t, err := e.snapshot()
		return t, nil, err
	}
	if src, ok := c.sources[key]; ok {
		return withAnalyzed(src, d.Stats), nil, nil
	}
	src, err := openSource(d.Name, d.Format, d.Location, d.Options)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s: %w", d.Name, err)
	}
	c.sources[key] = src
	return withAnalyzed(src, d.Stats), nil, nil
}

// addHidden registers a DataFrame's relation under name (which starts with hiddenPrefix).
func (c *catalog) addHidden(name string, r hiddenRel) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hidden[strings.ToLower(name)] = r
}

// takeHidden unregisters the hidden relations and returns them (Session.Close releases
// what they hold).
func (c *catalog) takeHidden() map[string]hiddenRel {
	c.mu.Lock()
	defer c.mu.Unlock()
	h := c.hidden
	c.hidden = map[string]hiddenRel{}
	return h
}

// TableNames implements planner.Catalog: the tables and views of the session's database.
func (c *catalog) TableNames() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tableNamesIn(c.current)
}

// tableNamesIn lists the tables and views of a database (as created), sorted. Caller holds mu.
func (c *catalog) tableNamesIn(db string) []string {
	var out []string
	for k, d := range c.tables {
		if kdb, _ := splitKey(k); kdb == strings.ToLower(db) {
			out = append(out, d.Name)
		}
	}
	for k, v := range c.views {
		if kdb, _ := splitKey(k); kdb == strings.ToLower(db) {
			out = append(out, v.name)
		}
	}
	for k, e := range c.temps {
		if kdb, _ := splitKey(k); kdb == strings.ToLower(db) {
			out = append(out, e.spec.Name)
		}
	}
	sort.Strings(out)
	return out
}

// openManaged opens (once) the store of a managed table of the catalog. Caller holds mu.
func (c *catalog) openManaged(key string, d tableDef) (*managedEntry, error) {
	if e, ok := c.managedOpen[key]; ok {
		return e, nil
	}
	spec, err := specOf(d.DDL, d.Database)
	if err != nil {
		return nil, errs.Wrap(errs.ErrExecution, err, "the catalog's declaration of table %s", d.Name)
	}
	store, err := openStore(filepath.Join(c.dir, d.Location), d.Name)
	if err != nil {
		return nil, err
	}
	e := &managedEntry{spec: spec, store: store, stats: d.Stats}
	c.managedOpen[key] = e
	return e, nil
}

// addManaged registers a new managed table whose store is in dir: a temporary one in the
// session, else in the catalog file.
func (c *catalog) addManaged(e *managedEntry, dir string, temporary bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	key := tableKey(e.spec.Database, e.spec.Name)
	if _, ok := c.tables[key]; ok {
		return errs.Planf("table %q already exists", e.spec.Name)
	}
	if _, ok := c.temps[key]; ok {
		return errs.Planf("table %q already exists", e.spec.Name)
	}
	if temporary {
		c.temps[key] = e
		c.tempDirs[key] = dir
		return nil
	}
	rel, err := filepath.Rel(c.dir, dir)
	if err != nil {
		return errs.Internalf("table folder %s is outside the warehouse: %v", dir, err)
	}
	c.tables[key] = tableDef{Database: e.spec.Database, Name: e.spec.Name, Kind: kindManaged, Location: rel, DDL: ddlOf(e.spec)}
	if err := c.save(); err != nil {
		delete(c.tables, key)
		return err
	}
	c.managedOpen[key] = e
	return nil
}

// managed returns the managed table named db.name (db "" is the session's), or a plan
// error: unknown, or not managed (a view or an external table takes no INSERT).
func (c *catalog) managed(dbName, name string) (*managedEntry, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	db, err := c.resolveDB(dbName)
	if err != nil {
		return nil, err
	}
	key := tableKey(db, name)
	if e, ok := c.temps[key]; ok {
		return e, nil
	}
	if _, ok := c.views[key]; ok {
		return nil, errs.Planf("%q is a view; only tables created with CREATE TABLE can be written", name)
	}
	d, ok := c.tables[key]
	if !ok {
		return nil, c.unknownTableLocked(name, name, db)
	}
	if d.Kind != kindManaged {
		return nil, errs.Planf("table %q reads %s files (CREATE TABLE ... USING); only tables created with CREATE TABLE (columns) or AS SELECT can be written", name, d.Format)
	}
	return c.openManaged(key, d)
}

// databaseName returns a database's name as created (name itself when unknown).
func (c *catalog) databaseName(name string) string {
	if n, ok := c.databases[strings.ToLower(name)]; ok {
		return n
	}
	return name
}

// resolveDB returns the database a name refers to ("" is the session's), or a plan error
// naming an unknown one. Caller holds mu.
func (c *catalog) resolveDB(name string) (string, error) {
	if name == "" {
		return c.current, nil
	}
	if n, ok := c.databases[strings.ToLower(name)]; ok {
		return n, nil
	}
	names := make([]string, 0, len(c.databases))
	for _, n := range c.databases {
		names = append(names, n)
	}
	msg := fmt.Sprintf("unknown database %q", name)
	if near := udf.Nearest(name, names); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	return "", errs.Planf("%s", msg)
}

// createDatabase adds a database; created is false when it exists and ifNotExists is set.
func (c *catalog) createDatabase(name string, ifNotExists bool) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fileFormatNames[strings.ToLower(name)] {
		return false, errs.Planf("%q names a file format (SELECT * FROM %s.`path`) and cannot be a database", name, name)
	}
	if _, ok := c.databases[strings.ToLower(name)]; ok {
		if ifNotExists {
			return false, nil
		}
		return false, errs.Planf("database %q already exists", name)
	}
	c.databases[strings.ToLower(name)] = name
	if err := c.save(); err != nil {
		delete(c.databases, strings.ToLower(name))
		return false, err
	}
	return true, nil
}

// dropDatabase removes a database; with cascade its tables (external ones keep their
// files) and views go too, else a non-empty database is an error. default cannot be
// dropped; dropping the session's database makes default current.
func (c *catalog) dropDatabase(name string, ifExists, cascade bool) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	low := strings.ToLower(name)
	if _, ok := c.databases[low]; !ok {
		if ifExists {
			return false, nil
		}
		_, err := c.resolveDB(name)
		return false, err
	}
	if low == DefaultDatabase {
		return false, errs.Planf("the database %q cannot be dropped", DefaultDatabase)
	}
	if names := c.tableNamesIn(name); len(names) > 0 && !cascade {
		return false, errs.Planf("database %q is not empty (%s); use DROP DATABASE %s CASCADE", name, strings.Join(names, ", "), name)
	}
	oldTables := map[string]tableDef{}
	for k, d := range c.tables {
		if kdb, _ := splitKey(k); kdb == low {
			oldTables[k] = d
			delete(c.tables, k)
		}
	}
	oldName := c.databases[low]
	delete(c.databases, low)
	if err := c.save(); err != nil {
		c.databases[low] = oldName
		for k, d := range oldTables {
			c.tables[k] = d
		}
		return false, err
	}
	for k, d := range oldTables {
		delete(c.sources, k)
		delete(c.managedOpen, k)
		if d.Kind == kindManaged {
			dropStore(filepath.Join(c.dir, d.Location))
		}
	}
	for k := range c.temps {
		if kdb, _ := splitKey(k); kdb == low {
			dropStore(c.tempDirs[k])
			delete(c.temps, k)
			delete(c.tempDirs, k)
		}
	}
	for k := range c.views {
		if kdb, _ := splitKey(k); kdb == low {
			delete(c.views, k)
		}
	}
	if strings.ToLower(c.current) == low {
		c.current = DefaultDatabase
	}
	return true, nil
}

// use makes a database the session's.
func (c *catalog) use(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	db, err := c.resolveDB(name)
	if err != nil {
		return err
	}
	c.current = db
	return nil
}

// databaseNames lists the databases, sorted.
func (c *catalog) databaseNames() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.databases))
	for _, n := range c.databases {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// fileFormatNames are the qualifiers of Spark's direct file tables (parquet.`path`).
var fileFormatNames = map[string]bool{"parquet": true, "csv": true, "json": true}

// FileTable implements planner.Catalog.
func (c *catalog) FileTable(format, path string) (planner.Table, error) {
	return openSource(path, format, path, nil)
}

// SeedTables copies Parquet files out of fsys into the warehouse's sample/ folder and
// registers each as a table (files maps table name → path in fsys). The shell seeds a new
// warehouse with the embedded sample data this way. Existing tables of the same name are
// left alone.
func (s *Session) SeedTables(fsys fs.FS, files map[string]string) error {
	if s.cfg.warehouse == "" {
		return errs.Planf("sample tables need a warehouse directory")
	}
	dir := filepath.Join(s.cfg.warehouse, "sample")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return errs.Execf("cannot create %s: %v", dir, err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, files[name])
		if err != nil {
			return errs.Execf("sample table %s: %v", name, err)
		}
		dst := filepath.Join(dir, name+".parquet")
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return errs.Execf("sample table %s: %v", name, err)
		}
		if err := s.cat.createTable(tableDef{Name: name, Format: "parquet", Location: dst}, false, true); err != nil {
			return err
		}
	}
	return nil
}
