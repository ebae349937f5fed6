package planner

// TableStats is what a table knows of its data for cardinality estimation: the row count
// and per-column facts, each -1 (or nil) when unknown. Sources fill what their metadata
// gives cheaply (Parquet footers: rows; ANALYZE TABLE: distinct counts).
type TableStats struct {
	RowCount int64
	// Columns is by the table's column ordinal; nil when nothing is known per column.
	Columns []ColumnStats
}

// ColumnStats are the facts of one column; -1 or nil means unknown.
type ColumnStats struct {
	NullCount int64
	Distinct  int64
	// Min and Max are values as planner.Literal holds them.
	Min, Max any
}

// StatsProvider is implemented by tables that know their statistics.
type StatsProvider interface {
	Statistics() *TableStats
}
