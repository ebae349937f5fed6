package planner

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// ColumnSpec is a column of a managed table as CREATE TABLE declared it: what INSERT and
// UPDATE enforce beyond the Arrow type.
type ColumnSpec struct {
	Name string
	Type arrow.DataType
	// NotNull rejects NULL (NOT NULL and PRIMARY KEY columns).
	NotNull bool
	// Default is the value of a column an INSERT leaves out (nil: NULL).
	Default *Literal
	// MaxChars is the length of VARCHAR(n) / CHAR(n), in characters; 0 is unbounded.
	MaxChars int
	// TypeText is the declared type as SHOW CREATE TABLE prints it (INT, VARCHAR(30), ...).
	TypeText string
}

// TableSpec is what CREATE TABLE declares.
type TableSpec struct {
	Database, Name string
	Columns        []ColumnSpec
	PrimaryKey     []string
	Temporary      bool
	IfNotExists    bool
}

// ArrowSchema is the table's Arrow schema: one field per column, nullable unless NOT NULL.
func (t *TableSpec) ArrowSchema() *arrow.Schema {
	fs := make([]arrow.Field, len(t.Columns))
	for i, c := range t.Columns {
		fs[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: !c.NotNull}
	}
	return arrow.NewSchema(fs, nil)
}

// ManagedTable is a Table the engine stores and writes (CREATE TABLE with columns): it
// knows its declared columns.
type ManagedTable interface {
	Table
	ColumnSpecs() []ColumnSpec
}

// ColumnIndex returns the position of the column named name (case-insensitively) in
// cols, or -1.
func ColumnIndex(cols []ColumnSpec, name string) int {
	for i, c := range cols {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}
