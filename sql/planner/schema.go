package planner

import (
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// ColumnID identifies one column value stream in a plan, like Catalyst's ExprId. Every column a
// node produces has an ID; expressions refer to columns by ID, never by position, so rules may
// move filters and prune columns without renumbering. A column passed through unchanged (even
// under a new name) keeps its ID; a computed column gets a fresh one.
type ColumnID int64

var lastColumnID atomic.Int64

// NewColumnID returns a process-wide unique column ID. IDs are never shown in EXPLAIN text, so
// their values do not make goldens nondeterministic.
func NewColumnID() ColumnID { return ColumnID(lastColumnID.Add(1)) }

// Column describes one output column of a plan node.
type Column struct {
	ID ColumnID
	// Name is the column's display name (alias or source name).
	Name string
	// Table is the qualifier the column can be referenced by (table name or alias); empty for
	// computed columns.
	Table    string
	Type     arrow.DataType
	Nullable bool
}

// NewColumn returns a column with a fresh ID.
func NewColumn(name, table string, typ arrow.DataType, nullable bool) Column {
	return Column{ID: NewColumnID(), Name: name, Table: table, Type: typ, Nullable: nullable}
}

// QualifiedName is "table.name", or "name" when the column has no qualifier.
func (c Column) QualifiedName() string {
	if c.Table == "" {
		return c.Name
	}
	return c.Table + "." + c.Name
}

// Schema is the ordered list of a node's output columns.
type Schema []Column

// IndexOf returns the position of the column with the given ID, or -1.
func (s Schema) IndexOf(id ColumnID) int {
	for i, c := range s {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// IDs returns the column IDs in order.
func (s Schema) IDs() []ColumnID {
	ids := make([]ColumnID, len(s))
	for i, c := range s {
		ids[i] = c.ID
	}
	return ids
}

// Arrow returns the Arrow schema of the columns (names are the display names; duplicates are
// allowed, as in a SQL result).
func (s Schema) Arrow() *arrow.Schema {
	fields := make([]arrow.Field, len(s))
	for i, c := range s {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type, Nullable: c.Nullable}
	}
	return arrow.NewSchema(fields, nil)
}

// Equal reports whether two schemas have the same IDs and types in the same order (names and
// qualifiers may differ). The optimizer driver checks this after every rule.
func (s Schema) Equal(o Schema) bool {
	if len(s) != len(o) {
		return false
	}
	for i := range s {
		if s[i].ID != o[i].ID || !arrow.TypeEqual(s[i].Type, o[i].Type) {
			return false
		}
	}
	return true
}

// String renders the schema as "name:type, ..." for debugging and errors.
func (s Schema) String() string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.QualifiedName())
		b.WriteString(":")
		b.WriteString(TypeString(c.Type))
	}
	return b.String()
}
