package dataframe

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/exec/datasource/tablestore"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/sql/planner/binder"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Managed tables (CREATE TABLE t (...), CREATE TABLE ... AS SELECT) are stored by
// exec/datasource/tablestore in the warehouse, one folder per table under tables/<db>/. The
// catalog records each as a tableDef of kind "managed" whose DDL is a CREATE TABLE
// statement Ember wrote from the declared columns, bound again when the catalog is loaded,
// so the declaration (types, NOT NULL, DEFAULT, VARCHAR lengths) survives restarts exactly.
// A statement that writes a table is one tablestore commit: a crash leaves the table as it
// was before the statement. CREATE TABLE commits the table folder first and the catalog
// second, so a crash in between leaves an unreferenced folder, never a half table.
//
// Temporary tables (CREATE TEMPORARY TABLE, and every managed table of a session without a
// warehouse) live in a scratch folder of the session's, removed when the process ends or
// the table is dropped, and are never in the catalog file.

// openStores shares one open tablestore.Table per folder in the process: a table folder is
// locked by the process that opens it, and several sessions may use one warehouse.
var openStores = struct {
	sync.Mutex
	m map[string]*tablestore.Table
}{m: map[string]*tablestore.Table{}}

func openStore(dir, name string) (*tablestore.Table, error) {
	openStores.Lock()
	defer openStores.Unlock()
	if t, ok := openStores.m[dir]; ok {
		return t, nil
	}
	t, err := tablestore.Open(dir, tablestore.Options{Name: name})
	if err != nil {
		return nil, err
	}
	openStores.m[dir] = t
	return t, nil
}

func createStore(dir, name string, schema *arrow.Schema, scratch bool) (*tablestore.Table, error) {
	openStores.Lock()
	defer openStores.Unlock()
	t, err := tablestore.Create(dir, schema, tablestore.Options{Name: name, NoSync: scratch})
	if err != nil {
		return nil, err
	}
	openStores.m[dir] = t
	return t, nil
}

// dropStore closes and deletes a table folder.
func dropStore(dir string) error {
	openStores.Lock()
	t, ok := openStores.m[dir]
	delete(openStores.m, dir)
	openStores.Unlock()
	if ok {
		return t.Drop()
	}
	return os.RemoveAll(dir)
}

// managedTable is what the catalog hands the binder for a managed table: a snapshot of the
// store (a datasource.Source, read by scans) that also knows the declared columns and its
// statistics (analyze.go: Statistics, computed once from analyzed).
type managedTable struct {
	*tablestore.Snapshot
	store     *tablestore.Table // the table the snapshot is of (a cache's dependency)
	specs     []planner.ColumnSpec
	analyzed  *tableStats
	statsOnce sync.Once
	stats     *planner.TableStats
}

func (m *managedTable) ColumnSpecs() []planner.ColumnSpec { return m.specs }

// managedEntry is the catalog's in-memory state of a managed table. stats are what ANALYZE
// TABLE found (the tableDef's, or the session's only for a temporary table); the catalog's
// mu guards them.
type managedEntry struct {
	spec  *planner.TableSpec
	store *tablestore.Table
	stats *tableStats
}

// snapshot returns a managedTable reading the table as last committed. The caller holds
// the catalog's mu.
func (e *managedEntry) snapshot() (*managedTable, error) {
	snap, err := e.store.Snapshot()
	if err != nil {
		return nil, err
	}
	return &managedTable{Snapshot: snap, store: e.store, specs: e.spec.Columns, analyzed: e.stats}, nil
}

// ddlOf writes the CREATE TABLE statement that declares spec (the catalog's record).
func ddlOf(spec *planner.TableSpec) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	b.WriteString(quoteIdent(spec.Name))
	b.WriteString(" (\n")
	for i, c := range spec.Columns {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString("  " + quoteIdent(c.Name) + " " + c.TypeText)
		if c.NotNull {
			b.WriteString(" NOT NULL")
		}
		if c.Default != nil && c.Default.Value != nil {
			b.WriteString(" DEFAULT " + planner.FormatValue(c.Default.Value, c.Default.Typ, true))
		}
	}
	if len(spec.PrimaryKey) > 0 {
		keys := make([]string, len(spec.PrimaryKey))
		for i, k := range spec.PrimaryKey {
			keys[i] = quoteIdent(k)
		}
		b.WriteString(",\n  PRIMARY KEY (" + strings.Join(keys, ", ") + ")")
	}
	b.WriteString("\n)")
	return b.String()
}

// specOf binds a recorded CREATE TABLE statement back into its TableSpec.
func specOf(ddl, db string) (*planner.TableSpec, error) {
	stmts, err := parser.Parse(ddl)
	if err != nil {
		return nil, err
	}
	q, ok := stmts[0].(*parser.Query)
	if !ok {
		return nil, errs.Internalf("catalog DDL is not a CREATE TABLE: %s", ddl)
	}
	spec, _, err := (&binder.Binder{}).BindCreateTable(q)
	if err != nil {
		return nil, err
	}
	spec.Database = db
	return spec, nil
}

// tableDir is the folder of a managed table of the warehouse.
func (c *catalog) tableDir(db, name string) string {
	return filepath.Join(c.dir, "tables", strings.ToLower(db), strings.ToLower(name))
}

// createManaged binds CREATE TABLE, creates the store (filled by CTAS) and registers it.
func (s *Session) createManaged(ctx context.Context, q *parser.Query) (*Result, error) {
	spec, query, err := s.binder().BindCreateTable(q)
	if err != nil {
		return nil, err
	}
	s.cat.mu.Lock()
	db, err := s.cat.resolveDB(spec.Database)
	if err == nil {
		spec.Database = db
		_, isTable := s.cat.tables[tableKey(db, spec.Name)]
		_, isView := s.cat.views[tableKey(db, spec.Name)]
		_, isTemp := s.cat.temps[tableKey(db, spec.Name)]
		if isTable || isView || isTemp {
			err = errs.Planf("table %q already exists", spec.Name)
		}
	}
	s.cat.mu.Unlock()
	if err != nil {
		if spec.IfNotExists && errs.KindOf(err) == errs.ErrPlan && strings.Contains(err.Error(), "already exists") {
			return &Result{Message: fmt.Sprintf("table %s already exists; left unchanged", spec.Name)}, nil
		}
		return nil, err
	}
	var rows []arrow.RecordBatch
	if query != nil {
		res, err := s.runPlan(ctx, query)
		if err != nil {
			return nil, err
		}
		defer res.Release()
		rows = res.Batches
	}
	scratch := spec.Temporary || s.cat.dir == ""
	var dir string
	if scratch {
		if dir, err = os.MkdirTemp("", "ember-temp-table-*"); err != nil {
			return nil, errs.Execf("cannot create a temporary table: %v", err)
		}
		dir = filepath.Join(dir, "t")
	} else {
		dir = s.cat.tableDir(db, spec.Name)
		if _, err := os.Stat(dir); err == nil {
			// Left by a CREATE that died before the catalog knew the table.
			if err := dropStore(dir); err != nil {
				return nil, errs.Execf("cannot clear %s: %v", dir, err)
			}
		}
	}
	store, err := createStore(dir, spec.Name, spec.ArrowSchema(), scratch)
	if err != nil {
		return nil, err
	}
	var n int64
	if len(rows) > 0 {
		if n, err = s.appendChecked(ctx, store, spec, rows); err != nil {
			dropStore(dir)
			return nil, err
		}
	}
	entry := &managedEntry{spec: spec, store: store}
	if err := s.cat.addManaged(entry, dir, scratch); err != nil {
		dropStore(dir)
		return nil, err
	}
	res := &Result{Message: fmt.Sprintf("table %s created", spec.Name), RowsAffected: n}
	if query != nil {
		res.Message = fmt.Sprintf("table %s created with %d rows", spec.Name, n)
	}
	return res, nil
}

// appendChecked enforces the declared constraints on rows (NOT NULL, VARCHAR(n)) and
// appends them in one commit, or overwrites the table with them.
func (s *Session) appendChecked(ctx context.Context, store *tablestore.Table, spec *planner.TableSpec, rows []arrow.RecordBatch) (int64, error) {
	if err := checkRows(spec, rows); err != nil {
		return 0, err
	}
	bs := conformAll(store.Schema(), rows)
	defer releaseBatches(bs)
	return store.Append(ctx, bs)
}

func releaseBatches(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

// conformAll gives batches the store's schema (same columns; nullability may differ). The
// new batches retain the columns: the caller releases them.
func conformAll(schema *arrow.Schema, rows []arrow.RecordBatch) []arrow.RecordBatch {
	out := make([]arrow.RecordBatch, 0, len(rows))
	for _, b := range rows {
		if b.NumRows() == 0 {
			continue
		}
		out = append(out, array.NewRecordBatch(schema, b.Columns(), b.NumRows()))
	}
	return out
}

// checkRows reports the first row that breaks a declared constraint, naming the column and
// the row (1-based, in the statement's order of rows).
func checkRows(spec *planner.TableSpec, rows []arrow.RecordBatch) error {
	base := int64(0)
	for _, b := range rows {
		for i, c := range spec.Columns {
			col := b.Column(i)
			if c.NotNull && col.NullN() > 0 {
				for r := 0; r < col.Len(); r++ {
					if col.IsNull(r) {
						return errs.Execf("column %q of %s cannot be NULL (row %d)", c.Name, spec.Name, base+int64(r)+1)
					}
				}
			}
			if c.MaxChars > 0 {
				if str, ok := col.(*array.String); ok {
					for r := 0; r < str.Len(); r++ {
						if str.IsValid(r) && len(str.Value(r)) > c.MaxChars && utf8.RuneCountInString(str.Value(r)) > c.MaxChars {
							return errs.Execf("value too long for column %q %s of %s (row %d): %d characters", c.Name, c.TypeText, spec.Name, base+int64(r)+1, utf8.RuneCountInString(str.Value(r)))
						}
					}
				}
			}
		}
		base += b.NumRows()
	}
	return nil
}

// insert runs INSERT [OVERWRITE] INTO t ... VALUES | SELECT.
func (s *Session) insert(ctx context.Context, q *parser.Query, n *ast.InsertStmt) (*Result, error) {
	tn, ok := n.Table.TableRefs.Left.(*ast.TableSource)
	var name *ast.TableName
	if ok {
		name, ok = tn.Source.(*ast.TableName)
	}
	if !ok || n.Table.TableRefs.Right != nil {
		return nil, errs.NotImplementedf("INSERT into something other than a table")
	}
	entry, err := s.cat.managed(name.Schema.O, name.Name.O)
	if err != nil {
		return nil, err
	}
	plan, err := s.binder().BindInsert(q, entry.spec.Name, entry.spec.Columns)
	if err != nil {
		return nil, err
	}
	res, err := s.runPlan(ctx, plan)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	if err := checkRows(entry.spec, res.Batches); err != nil {
		return nil, err
	}
	var count int64
	bs := conformAll(entry.store.Schema(), res.Batches)
	defer releaseBatches(bs)
	if q.Overwrite() {
		count, err = entry.store.Overwrite(ctx, bs)
	} else {
		count, err = entry.store.Append(ctx, bs)
	}
	if err != nil {
		return nil, err
	}
	return &Result{Message: rowsMessage(count, "inserted"), RowsAffected: count}, nil
}

// truncate empties managed tables.
func (s *Session) truncate(ctx context.Context, n *ast.TruncateTableStmt) (*Result, error) {
	entry, err := s.cat.managed(n.Table.Schema.O, n.Table.Name.O)
	if err != nil {
		return nil, err
	}
	if err := entry.store.Truncate(ctx); err != nil {
		return nil, err
	}
	return &Result{Message: fmt.Sprintf("table %s truncated", entry.spec.Name)}, nil
}

// rowsMessage is "1 row inserted", "3 rows deleted".
func rowsMessage(n int64, verb string) string {
	if n == 1 {
		return "1 row " + verb
	}
	return fmt.Sprintf("%d rows %s", n, verb)
}
