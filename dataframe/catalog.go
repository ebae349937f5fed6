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
)

// tableDef is a persisted external table: a name bound to files in some format.
type tableDef struct {
	Name     string            `json:"name"`
	Format   string            `json:"format"`
	Location string            `json:"location"`
	Options  map[string]string `json:"options,omitempty"`
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
	mu      sync.Mutex
	dir     string // warehouse directory; "" keeps everything in memory
	tables  map[string]tableDef
	views   map[string]*viewDef
	sources map[string]datasource.Source
}

const catalogFile = "catalog.json"

// openCatalog loads the catalog of a warehouse directory, creating the directory. It
// reports whether the warehouse is new (no catalog file yet).
func openCatalog(dir string) (*catalog, bool, error) {
	c := &catalog{dir: dir, tables: map[string]tableDef{}, views: map[string]*viewDef{}, sources: map[string]datasource.Source{}}
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
	var defs []tableDef
	if err := json.Unmarshal(data, &defs); err != nil {
		return nil, false, errs.Execf("the catalog file %s is damaged: %v", filepath.Join(dir, catalogFile), err)
	}
	for _, d := range defs {
		c.tables[strings.ToLower(d.Name)] = d
	}
	return c, false, nil
}

// save writes the catalog atomically (temp file + rename). Caller holds mu.
func (c *catalog) save() error {
	if c.dir == "" {
		return nil
	}
	defs := make([]tableDef, 0, len(c.tables))
	for _, d := range c.tables {
		defs = append(defs, d)
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	data, err := json.MarshalIndent(defs, "", "  ")
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
	key := strings.ToLower(d.Name)
	c.mu.Lock()
	defer c.mu.Unlock()
	_, isTable := c.tables[key]
	_, isView := c.views[key]
	if isTable || isView {
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
	key := strings.ToLower(name)
	c.mu.Lock()
	defer c.mu.Unlock()
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
func (c *catalog) drop(name string, wantView bool) (bool, error) {
	key := strings.ToLower(name)
	c.mu.Lock()
	defer c.mu.Unlock()
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
	return true, nil
}

// LookupTable implements planner.Catalog.
func (c *catalog) LookupTable(name string) (planner.Table, planner.View, error) {
	key := strings.ToLower(name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.views[key]; ok {
		return nil, v, nil
	}
	d, ok := c.tables[key]
	if !ok {
		return nil, nil, nil
	}
	if src, ok := c.sources[key]; ok {
		return src, nil, nil
	}
	src, err := openSource(d.Name, d.Format, d.Location, d.Options)
	if err != nil {
		return nil, nil, fmt.Errorf("table %s: %w", d.Name, err)
	}
	c.sources[key] = src
	return src, nil, nil
}

// TableNames implements planner.Catalog.
func (c *catalog) TableNames() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, d := range c.tables {
		out = append(out, d.Name)
	}
	for _, v := range c.views {
		out = append(out, v.name)
	}
	sort.Strings(out)
	return out
}

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
