package dataframe

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/embersql/ember/internal/errs"
	"github.com/embersql/ember/sql/parser"
	"github.com/embersql/ember/sql/planner"
	"github.com/embersql/ember/udf"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// execStatement runs one parsed statement. After any statement but a query it uncaches
// the tables the statement dropped, replaced or altered (table_cache.go).
func (s *Session) execStatement(ctx context.Context, st parser.Statement) (*Result, error) {
	if q, ok := st.(*parser.Query); !ok || !q.IsSelect() {
		defer s.sweepTableCaches()
	}
	switch x := st.(type) {
	case *parser.CreateTableUsing:
		return s.createTableUsing(ctx, x)
	case *parser.CreateView:
		return s.createView(x)
	case *parser.CacheTable:
		return s.execCacheTable(ctx, x)
	case *parser.UncacheTable:
		dropped, err := s.uncacheTable(x.Name, x.IfExists)
		switch {
		case err != nil:
			return nil, err
		case !dropped:
			return &Result{Message: fmt.Sprintf("table %s was not cached", x.Name)}, nil
		}
		return &Result{Message: fmt.Sprintf("table %s uncached", x.Name)}, nil
	case *parser.ClearCache:
		n := s.clearCache()
		return &Result{Message: fmt.Sprintf("cleared %d cache%s", n, map[bool]string{true: "", false: "s"}[n == 1])}, nil
	case *parser.RefreshTable:
		return s.execRefreshTable(x)
	case *parser.ShowFunctions:
		return s.showFunctions(x) // functions.go
	case *parser.DescribeFunction:
		return s.describeFunction(x) // functions.go
	case *parser.Query:
		return s.execQuery(ctx, x)
	}
	if res, ok, err := s.execExtension(ctx, st); ok {
		return res, err
	}
	return nil, needsExtension(st)
}

func (s *Session) execQuery(ctx context.Context, q *parser.Query) (*Result, error) {
	switch n := q.Node.(type) {
	case *ast.SelectStmt, *ast.SetOprStmt:
		p, err := s.binder().BindQuery(q)
		if err != nil {
			return nil, err
		}
		return s.runPlan(ctx, p)
	case *ast.ExplainStmt:
		if show, ok := n.Stmt.(*ast.ShowStmt); ok && show.Tp == ast.ShowColumns {
			return s.describe(show.Table)
		}
		return s.explain(ctx, q.WithNode(n.Stmt), strings.ToLower(n.Format), n.Analyze)
	case *ast.CreateTableStmt:
		return s.createManaged(ctx, q)
	case *ast.InsertStmt:
		return s.insert(ctx, q, n)
	case *ast.TruncateTableStmt:
		return s.truncate(ctx, n)
	case *ast.UpdateStmt:
		return s.update(ctx, q, n)
	case *ast.AlterTableStmt:
		return s.alterTable(ctx, n)
	case *ast.CreateIndexStmt:
		return s.createIndex(n)
	case *ast.DropIndexStmt:
		return s.dropIndex(n)
	case *ast.DeleteStmt:
		return s.delete(ctx, q, n)
	case *ast.AnalyzeTableStmt:
		return s.analyzeTable(ctx, n) // analyze.go
	case *ast.SetStmt:
		return s.set(n)
	case *ast.CreateDatabaseStmt:
		created, err := s.cat.createDatabase(n.Name.O, n.IfNotExists)
		if err != nil {
			return nil, err
		}
		if !created {
			return &Result{Message: fmt.Sprintf("database %s already exists", n.Name.O)}, nil
		}
		return &Result{Message: fmt.Sprintf("created database %s", n.Name.O)}, nil
	case *ast.DropDatabaseStmt:
		dropped, err := s.cat.dropDatabase(n.Name.O, n.IfExists, q.Cascade())
		if err != nil {
			return nil, err
		}
		if !dropped {
			return &Result{Message: "nothing dropped"}, nil
		}
		return &Result{Message: fmt.Sprintf("dropped database %s", n.Name.O)}, nil
	case *ast.UseStmt:
		if err := s.cat.use(n.DBName); err != nil {
			return nil, err
		}
		return &Result{Message: fmt.Sprintf("using database %s", n.DBName)}, nil
	case *ast.ShowStmt:
		switch n.Tp {
		case ast.ShowCreateTable:
			return s.showCreateTable(n.Table)
		case ast.ShowVariables:
			return s.showSettings(), nil
		case ast.ShowDatabases:
			names := s.cat.databaseNames()
			rows := make([][]string, len(names))
			for i, d := range names {
				rows[i] = []string{d}
			}
			return stringResult(s, []string{"name"}, rows), nil
		case ast.ShowTables:
			names := s.cat.TableNames()
			if n.DBName != "" {
				s.cat.mu.Lock()
				db, err := s.cat.resolveDB(n.DBName)
				if err == nil {
					names = s.cat.tableNamesIn(db)
				}
				s.cat.mu.Unlock()
				if err != nil {
					return nil, err
				}
			}
			rows := make([][]string, len(names))
			for i, t := range names {
				rows[i] = []string{t}
			}
			return stringResult(s, []string{"name"}, rows), nil
		case ast.ShowColumns:
			if q.ShowStats() {
				return s.showStats(n.Table) // analyze.go
			}
			return s.describe(n.Table)
		}
		return nil, errs.NotImplementedf("this SHOW statement")
	case *ast.DropTableStmt:
		var dropped []string
		for _, t := range n.Tables {
			ok, err := s.cat.drop(t.Schema.O, t.Name.O, n.IsView)
			if err != nil {
				return nil, err
			}
			if !ok && !n.IfExists {
				what := "table"
				if n.IsView {
					what = "view"
				}
				msg := fmt.Sprintf("unknown %s %q", what, t.Name.O)
				if near := udf.Nearest(t.Name.O, s.cat.TableNames()); near != "" {
					msg += fmt.Sprintf("; did you mean %q?", near)
				}
				return nil, errs.Planf("%s", msg)
			}
			if ok {
				dropped = append(dropped, t.Name.O)
			}
		}
		if len(dropped) == 0 {
			return &Result{Message: "nothing dropped"}, nil
		}
		return &Result{Message: fmt.Sprintf("dropped %s", strings.Join(dropped, ", "))}, nil
	}
	return nil, errs.NotImplementedf("statement %s", firstWord(q.SQL))
}

// createView checks and registers a view. The query is bound now, so a broken view is
// reported at CREATE time; a column list must name every column; the view's column names
// must be distinct (MySQL's rule: else no name could reach one of them). Once registered,
// the view is bound again through the catalog, which refuses a view that reaches itself
// (CREATE OR REPLACE VIEW v AS SELECT * FROM v, or a cycle through other views); then the
// previous definition is put back.
func (s *Session) createView(x *parser.CreateView) (*Result, error) {
	if x.IfNotExists && x.OrReplace {
		return nil, errs.Planf("CREATE VIEW cannot have both OR REPLACE and IF NOT EXISTS")
	}
	p, err := s.binder().BindQuery(x.Query)
	if err != nil {
		return nil, err
	}
	names := x.Columns
	if len(names) == 0 {
		for _, c := range p.Schema() {
			names = append(names, c.Name)
		}
	} else if len(names) != len(p.Schema()) {
		return nil, errs.Planf("view %s has a column list of %d names but its query has %d columns", x.Name, len(names), len(p.Schema()))
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[strings.ToLower(n)] {
			return nil, errs.Planf("view %s would have two columns named %q; give them distinct names (AS, or a column list)", x.Name, n)
		}
		seen[strings.ToLower(n)] = true
	}
	created, undo, err := s.cat.createView(x.Name, x.QuerySQL, x.Columns, x.OrReplace, x.IfNotExists)
	if err != nil {
		return nil, err
	}
	if !created {
		return &Result{Message: fmt.Sprintf("view %s already exists; left unchanged", x.Name)}, nil
	}
	if _, err := s.tableSchema(x.Name); err != nil {
		undo()
		return nil, err
	}
	return &Result{Message: fmt.Sprintf("view %s created", x.Name)}, nil
}

func firstWord(sql string) string {
	f := strings.Fields(sql)
	if len(f) == 0 {
		return ""
	}
	return strings.ToUpper(f[0])
}

func (s *Session) createTableUsing(ctx context.Context, x *parser.CreateTableUsing) (*Result, error) {
	if x.AsSelect != nil {
		return s.createTableUsingAsSelect(ctx, x)
	}
	if len(x.PartitionedBy) > 0 {
		return nil, errs.Planf("PARTITIONED BY describes how CREATE TABLE ... AS SELECT writes files; a table over existing files is read as it is")
	}
	if x.Location == "" {
		return nil, errs.Planf("CREATE TABLE %s USING %s needs a LOCATION", x.Name, x.Format)
	}
	if len(x.Columns) > 0 {
		return nil, errs.NotImplementedf("a column list in CREATE TABLE ... USING (the schema is read from the files)")
	}
	db, name := splitQualified(x.Name)
	d := tableDef{Database: db, Name: name, Format: strings.ToLower(x.Format), Location: x.Location, Options: x.Options}
	if x.Temporary {
		// A temporary table lives in the session only: register it as a source-backed view.
		return nil, errs.NotImplementedf("CREATE TEMPORARY TABLE ... USING; use CREATE TABLE or a temporary view")
	}
	if err := s.cat.createTable(d, x.OrReplace, x.IfNotExists); err != nil {
		return nil, err
	}
	return &Result{Message: fmt.Sprintf("table %s created", x.Name)}, nil
}

// splitQualified splits "db.t" into its database and name ("" and name when unqualified).
func splitQualified(name string) (db, table string) {
	if i := strings.LastIndex(name, "."); i >= 0 {
		return name[:i], name[i+1:]
	}
	return "", name
}

// tableSchema returns the bound schema of a table or view.
func (s *Session) tableSchema(name string) (planner.Schema, error) {
	q, err := parser.Parse("SELECT * FROM " + quoteIdent(name))
	if err != nil {
		return nil, errs.Wrap(errs.ErrParse, err, "")
	}
	p, err := s.binder().BindQuery(q[0].(*parser.Query))
	if err != nil {
		return nil, err
	}
	return p.Schema(), nil
}

func quoteIdent(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = "`" + strings.ReplaceAll(p, "`", "``") + "`"
	}
	return strings.Join(parts, ".")
}

func (s *Session) describe(t *ast.TableName) (*Result, error) {
	name := t.Name.O
	if t.Schema.O != "" {
		name = t.Schema.O + "." + name
	}
	sch, err := s.tableSchema(name)
	if err != nil {
		return nil, err
	}
	rows := make([][]string, len(sch))
	for i, c := range sch {
		null := "YES"
		if !c.Nullable {
			null = "NO"
		}
		rows[i] = []string{c.Name, planner.TypeString(c.Type), null}
	}
	return stringResult(s, []string{"column_name", "column_type", "null"}, rows), nil
}

// stringResult builds a result of VARCHAR columns.
func stringResult(s *Session, names []string, rows [][]string) *Result {
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(s.cfg.mem, schema)
	defer b.Release()
	for _, r := range rows {
		for j, v := range r {
			b.Field(j).(*array.StringBuilder).Append(v)
		}
	}
	rec := b.NewRecordBatch()
	return &Result{Schema: schema, Batches: []arrow.RecordBatch{rec}}
}
