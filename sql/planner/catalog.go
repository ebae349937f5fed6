package planner

import "github.com/apache/arrow-go/v18/arrow"

// Table is what the catalog hands the binder for a name. The physical planner type-asserts
// it to the executable source it really is (exec owns those types); the logical layer only
// needs the name and the schema.
type Table interface {
	// Name is the name the table was registered under.
	Name() string
	// ArrowSchema is the table's schema; column names are as stored.
	ArrowSchema() *arrow.Schema
}

// ExplainNamer is a Table that EXPLAIN shows under another name than its Name (a cache
// shows what it caches and where: "cached(t, MEMORY_ONLY)").
type ExplainNamer interface {
	ExplainName() string
}

// ExplainName is what EXPLAIN shows for a table: its ExplainName, or its Name.
func ExplainName(t interface{ Name() string }) string {
	if n, ok := t.(ExplainNamer); ok {
		return n.ExplainName()
	}
	return t.Name()
}

// View is a named query, bound again at every use (so it sees the current tables).
type View interface {
	Name() string
	// SQL is the text of the view's SELECT.
	SQL() string
}

// PlanView is a View whose plan Go code builds, bound again at every use so that each use
// gets fresh column IDs (a DataFrame step SQL cannot spell, such as MapPartitions). bind
// parses and binds a query text in the same catalog. SQL() describes it for messages.
type PlanView interface {
	View
	BindPlan(bind func(sql string) (Plan, error)) (Plan, error)
}

// Catalog resolves names for the binder. Lookups are case-insensitive. A name resolves to
// at most one of a table or a view.
type Catalog interface {
	// LookupTable returns the table or view registered under name in database db ("" is
	// the session's current database); both nil when unknown. An unknown database is an
	// error.
	LookupTable(db, name string) (Table, View, error)
	// TableNames lists the table and view names of the current database, for "did you
	// mean" suggestions.
	TableNames() []string
	// FileTable returns a table reading the given file or directory in the given format
	// (parquet, csv, json), for Spark's direct form SELECT * FROM parquet.`/path`.
	FileTable(format, path string) (Table, error)
}
