package dataframe

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/embersql/ember/exec/kernels"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
)

// ALTER TABLE (ADD COLUMN, RENAME TO), CREATE/DROP INDEX (recorded, no effect on results)
// and SHOW CREATE TABLE, on managed tables.

func (s *Session) alterTable(ctx context.Context, n *ast.AlterTableStmt) (*Result, error) {
	var msgs []string
	for _, spec := range n.Specs {
		switch spec.Tp {
		case ast.AlterTableAddColumns:
			if spec.Position != nil && spec.Position.Tp != ast.ColumnPositionNone {
				return nil, errs.NotImplementedf("ALTER TABLE ... ADD COLUMN with FIRST or AFTER is not supported")
			}
			for _, cd := range spec.NewColumns {
				if err := s.addColumn(ctx, n.Table, cd); err != nil {
					return nil, err
				}
				msgs = append(msgs, "added column "+cd.Name.Name.O)
			}
		case ast.AlterTableRenameTable:
			if err := s.cat.rename(n.Table.Schema.O, n.Table.Name.O, spec.NewTable.Schema.O, spec.NewTable.Name.O); err != nil {
				return nil, err
			}
			msgs = append(msgs, "renamed to "+spec.NewTable.Name.O)
		default:
			text, _ := sqlText(spec)
			return nil, errs.NotImplementedf("ALTER TABLE %s is not supported (ADD COLUMN and RENAME TO are)", text)
		}
	}
	return &Result{Message: strings.Join(msgs, "; ")}, nil
}

// addColumn adds a column to a managed table: old rows read its DEFAULT (or NULL). A NOT
// NULL column needs a DEFAULT.
func (s *Session) addColumn(ctx context.Context, tn *ast.TableName, cd *ast.ColumnDef) error {
	entry, err := s.cat.managed(tn.Schema.O, tn.Name.O)
	if err != nil {
		return err
	}
	def, err := sqlText(cd)
	if err != nil {
		return err
	}
	stmts, err := parser.Parse("CREATE TABLE x (" + def + ")")
	if err != nil {
		return err
	}
	spec, _, err := s.binder().BindCreateTable(stmts[0].(*parser.Query))
	if err != nil {
		return err
	}
	col := spec.Columns[0]
	if planner.ColumnIndex(entry.spec.Columns, col.Name) >= 0 {
		return errs.Planf("table %s already has a column %q", entry.spec.Name, col.Name)
	}
	if col.NotNull && col.Default == nil {
		return errs.Planf("a NOT NULL column added to table %s needs a DEFAULT for the rows it has", entry.spec.Name)
	}
	var defArr arrow.Array
	if col.Default != nil && col.Default.Value != nil {
		if defArr, err = kernels.MakeConstant(s.cfg.mem, col.Default.Value, col.Type, 1); err != nil {
			return err
		}
		defer defArr.Release()
	}
	if err := entry.store.AddColumn(ctx, arrow.Field{Name: col.Name, Type: col.Type, Nullable: !col.NotNull}, defArr); err != nil {
		return err
	}
	return s.cat.redeclare(entry, append(append([]planner.ColumnSpec(nil), entry.spec.Columns...), col))
}

// redeclare records new columns of a managed table in the catalog.
func (c *catalog) redeclare(e *managedEntry, cols []planner.ColumnSpec) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	spec := *e.spec
	spec.Columns = cols
	key := tableKey(spec.Database, spec.Name)
	if d, ok := c.tables[key]; ok {
		old := d
		d.DDL = ddlOf(&spec)
		c.tables[key] = d
		if err := c.save(); err != nil {
			c.tables[key] = old
			return err
		}
	}
	e.spec = &spec
	return nil
}

// rename moves a table (managed, external or temporary) to a new name, possibly in another
// database. A managed table's folder stays where it is.
func (c *catalog) rename(db, name, newDB, newName string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	from, err := c.resolveDB(db)
	if err != nil {
		return err
	}
	to, err := c.resolveDB(newDB)
	if err != nil {
		return err
	}
	key, newKey := tableKey(from, name), tableKey(to, newName)
	_, t1 := c.tables[newKey]
	_, t2 := c.views[newKey]
	_, t3 := c.temps[newKey]
	if t1 || t2 || t3 {
		return errs.Planf("table %q already exists", newName)
	}
	if e, ok := c.temps[key]; ok {
		spec := *e.spec
		spec.Database, spec.Name = to, newName
		e.spec = &spec
		c.temps[newKey], c.tempDirs[newKey] = e, c.tempDirs[key]
		delete(c.temps, key)
		delete(c.tempDirs, key)
		return nil
	}
	d, ok := c.tables[key]
	if !ok {
		return errs.Planf("unknown table %q", name)
	}
	nd := d
	nd.Database, nd.Name = to, newName
	if e, ok := c.managedOpen[key]; ok {
		spec := *e.spec
		spec.Database, spec.Name = to, newName
		e.spec = &spec
		nd.DDL = ddlOf(&spec)
	} else if d.Kind == kindManaged {
		spec, err := specOf(d.DDL, to)
		if err != nil {
			return err
		}
		spec.Name = newName
		nd.DDL = ddlOf(spec)
	}
	delete(c.tables, key)
	c.tables[newKey] = nd
	if err := c.save(); err != nil {
		delete(c.tables, newKey)
		c.tables[key] = d
		return err
	}
	if e, ok := c.managedOpen[key]; ok {
		c.managedOpen[newKey] = e
		delete(c.managedOpen, key)
	}
	if src, ok := c.sources[key]; ok {
		c.sources[newKey] = src
		delete(c.sources, key)
	}
	return nil
}

// indexDef is an index CREATE INDEX recorded (Ember keeps no index structures: an index
// changes nothing in results, and the catalog remembers it for SHOW CREATE TABLE).
type indexDef struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Unique  bool     `json:"unique,omitempty"`
}

func (s *Session) createIndex(n *ast.CreateIndexStmt) (*Result, error) {
	cols := make([]string, len(n.IndexPartSpecifications))
	for i, p := range n.IndexPartSpecifications {
		if p.Column == nil {
			return nil, errs.NotImplementedf("an index on an expression is not supported")
		}
		cols[i] = p.Column.Name.O
	}
	idx := indexDef{Name: n.IndexName, Columns: cols, Unique: n.KeyType == ast.IndexKeyTypeUnique}
	created, err := s.cat.indexChange(n.Table.Schema.O, n.Table.Name.O, &idx, n.IndexName, n.IfNotExists)
	if err != nil {
		return nil, err
	}
	if !created {
		return &Result{Message: fmt.Sprintf("index %s already exists", n.IndexName)}, nil
	}
	return &Result{Message: fmt.Sprintf("index %s created (recorded; Ember does not use indexes)", n.IndexName)}, nil
}

func (s *Session) dropIndex(n *ast.DropIndexStmt) (*Result, error) {
	dropped, err := s.cat.indexChange(n.Table.Schema.O, n.Table.Name.O, nil, n.IndexName, n.IfExists)
	if err != nil {
		return nil, err
	}
	if !dropped {
		return &Result{Message: "nothing dropped"}, nil
	}
	return &Result{Message: fmt.Sprintf("index %s dropped", n.IndexName)}, nil
}

// indexChange adds idx to a table (idx != nil) or drops the index named name. lenient is
// IF NOT EXISTS / IF EXISTS. It reports whether something changed.
func (c *catalog) indexChange(db, table string, idx *indexDef, name string, lenient bool) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	rdb, err := c.resolveDB(db)
	if err != nil {
		return false, err
	}
	key := tableKey(rdb, table)
	d, isTable := c.tables[key]
	e, isTemp := c.temps[key]
	if !isTable && !isTemp {
		return false, errs.Planf("unknown table %q", table)
	}
	var cols []string
	if isTemp {
		for _, cs := range e.spec.Columns {
			cols = append(cols, cs.Name)
		}
	} else if s, err := c.columnsOf(key, d); err == nil {
		cols = s
	} else {
		return false, err
	}
	indexes := d.Indexes
	if isTemp {
		indexes = c.tempIndexes[key]
	}
	pos := -1
	for i, x := range indexes {
		if strings.EqualFold(x.Name, name) {
			pos = i
		}
	}
	switch {
	case idx != nil && pos >= 0:
		if lenient {
			return false, nil
		}
		return false, errs.Planf("index %q already exists on %s", name, table)
	case idx == nil && pos < 0:
		if lenient {
			return false, nil
		}
		return false, errs.Planf("unknown index %q on %s", name, table)
	case idx != nil:
		for _, c := range idx.Columns {
			found := false
			for _, have := range cols {
				found = found || strings.EqualFold(have, c)
			}
			if !found {
				return false, errs.Planf("index %s names unknown column %q of %s", name, c, table)
			}
		}
		indexes = append(append([]indexDef(nil), indexes...), *idx)
	default:
		indexes = append(append([]indexDef(nil), indexes[:pos]...), indexes[pos+1:]...)
	}
	if isTemp {
		c.tempIndexes[key] = indexes
		return true, nil
	}
	old := d
	d.Indexes = indexes
	c.tables[key] = d
	if err := c.save(); err != nil {
		c.tables[key] = old
		return false, err
	}
	return true, nil
}

// columnsOf lists a catalog table's column names. Caller holds mu.
func (c *catalog) columnsOf(key string, d tableDef) ([]string, error) {
	var schema *arrow.Schema
	if d.Kind == kindManaged {
		e, err := c.openManaged(key, d)
		if err != nil {
			return nil, err
		}
		schema = e.store.Schema()
	} else {
		src, ok := c.sources[key]
		if !ok {
			var err error
			if src, err = openSource(d.Name, d.Format, d.Location, d.Options); err != nil {
				return nil, err
			}
			c.sources[key] = src
		}
		schema = src.ArrowSchema()
	}
	out := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		out[i] = f.Name
	}
	return out, nil
}

// showCreateTable prints the statement that would create a table or view, MySQL's two
// columns (Table, Create Table).
func (s *Session) showCreateTable(tn *ast.TableName) (*Result, error) {
	c := s.cat
	c.mu.Lock()
	db, err := c.resolveDB(tn.Schema.O)
	if err != nil {
		c.mu.Unlock()
		return nil, err
	}
	key := tableKey(db, tn.Name.O)
	var text, name string
	if v, ok := c.views[key]; ok {
		name, text = v.name, "CREATE VIEW "+quoteIdent(v.name)+" AS "+v.sql
	} else if e, ok := c.temps[key]; ok {
		name, text = e.spec.Name, ddlOf(e.spec)+indexText(e.spec.Name, c.tempIndexes[key])
		if e.spec.Temporary {
			text = strings.Replace(text, "CREATE TABLE", "CREATE TEMPORARY TABLE", 1)
		}
	} else if d, ok := c.tables[key]; ok {
		name = d.Name
		if d.Kind == kindManaged {
			text = d.DDL + indexText(d.Name, d.Indexes)
		} else {
			text = "CREATE TABLE " + quoteIdent(d.Name) + " USING " + d.Format
			if len(d.Options) > 0 {
				keys := make([]string, 0, len(d.Options))
				for k := range d.Options {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				opts := make([]string, len(keys))
				for i, k := range keys {
					opts[i] = k + " '" + strings.ReplaceAll(d.Options[k], "'", "''") + "'"
				}
				text += " OPTIONS (" + strings.Join(opts, ", ") + ")"
			}
			text += " LOCATION '" + strings.ReplaceAll(d.Location, "'", "''") + "'" + indexText(d.Name, d.Indexes)
		}
	}
	c.mu.Unlock()
	if name == "" {
		return nil, errs.Planf("unknown table %q", tn.Name.O)
	}
	return stringResult(s, []string{"Table", "Create Table"}, [][]string{{name, text}}), nil
}

// indexText renders recorded indexes as CREATE INDEX statements following the table's.
func indexText(table string, idx []indexDef) string {
	var b strings.Builder
	for _, x := range idx {
		kind := "INDEX"
		if x.Unique {
			kind = "UNIQUE INDEX"
		}
		cols := make([]string, len(x.Columns))
		for i, c := range x.Columns {
			cols[i] = quoteIdent(c)
		}
		fmt.Fprintf(&b, ";\nCREATE %s %s ON %s (%s)", kind, quoteIdent(x.Name), quoteIdent(table), strings.Join(cols, ", "))
	}
	return b.String()
}

// sqlText renders a node back to SQL: names quoted, strings single-quoted.
func sqlText(n ast.Node) (string, error) {
	var b strings.Builder
	flags := format.RestoreStringSingleQuotes | format.RestoreNameBackQuotes | format.RestoreKeyWordUppercase |
		format.RestoreSpacesAroundBinaryOperation | format.RestoreStringWithoutCharset
	if err := n.Restore(format.NewRestoreCtx(flags, &b)); err != nil {
		return "", errs.Internalf("restoring SQL text: %v", err)
	}
	return b.String(), nil
}
