package planner

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/embersql/ember/udf"
)

// FunctionTable is the Table of a table function call in FROM (SELECT * FROM range(10)):
// the binder binds the call's constant arguments with udf.TableFunction.Bind and scans the
// result; the physical planner reads it through exec/datasource's function source, one
// split per part. Immutable.
type FunctionTable struct {
	// Fn is the function's lower-case name.
	Fn string
	// Args are the call's arguments as bound constants, for EXPLAIN.
	Args []*Literal
	// Table is what Bind returned.
	Table udf.FunctionTable
}

// Name is the function's name (a scan of it without an alias is qualified by it).
func (t *FunctionTable) Name() string { return t.Fn }

// ArrowSchema is the bound table's schema.
func (t *FunctionTable) ArrowSchema() *arrow.Schema { return t.Table.Schema() }

// ExplainName renders the call as written, with its constants: range(1, 10, 2).
func (t *FunctionTable) ExplainName() string {
	args := make([]string, len(t.Args))
	for i, a := range t.Args {
		args[i] = a.String()
	}
	return t.Fn + "(" + strings.Join(args, ", ") + ")"
}

// Statistics implements StatsProvider: the row count when the table knows it
// (udf.CountedTable), else nil (unknown).
func (t *FunctionTable) Statistics() *TableStats {
	c, ok := t.Table.(udf.CountedTable)
	if !ok {
		return nil
	}
	return &TableStats{RowCount: c.NumRows()}
}
